package edge

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/e2e/pebble"
)

// These tests run the gateway's ACME edge against Pebble, a real ACME
// server (apt-get install pebble): real orders, real challenge
// validation against listeners on loopback, real chains.

// issueTimeout bounds how long a test waits for Pebble to issue.
const issueTimeout = 60 * time.Second

var pebbleDomains = []string{"game.test", "www.game.test"}

// listen opens a loopback listener for Pebble to validate against.
func listen(t *testing.T) (net.Listener, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln, ln.Addr().(*net.TCPAddr).Port
}

// pebbleEdge is an ACME edge for Pebble whose log is shown if the test
// fails.
func pebbleEdge(t *testing.T, peb *pebble.Server, state string, modify func(*Config)) (*Edge, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("edge log:\n%s", logs)
		}
	})
	cfg := Config{
		Mode:         ModeACME,
		Domains:      pebbleDomains,
		StateDir:     state,
		Email:        "ops@game.test",
		DirectoryURL: peb.DirectoryURL(),
		HTTPClient:   peb.HTTPClient(),
		RetryMin:     time.Hour, // a failure in these tests should show, not be retried away
		Logger:       logs.logger(),
	}
	if modify != nil {
		modify(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e, logs
}

// awaitCertificates waits until every domain has a certificate, failing
// early if one reports an error.
func awaitCertificates(t *testing.T, e *Edge) {
	t.Helper()
	eventually(t, issueTimeout, "certificates for every domain", func() bool {
		for _, st := range e.Status() {
			if st.LastError != "" {
				t.Fatalf("%s: %s", st.Name, st.LastError)
			}
			if st.NotAfter.IsZero() {
				return false
			}
		}
		return true
	})
}

// verifyServed connects to addr for each domain, verifying the served
// chain against Pebble's root for that name, and returns the serials.
func verifyServed(t *testing.T, addr string, roots *x509.CertPool, client ...tls.Certificate) map[string]string {
	t.Helper()
	serials := map[string]string{}
	for _, name := range pebbleDomains {
		c, err := dial(t, addr, &tls.Config{ServerName: name, RootCAs: roots, Certificates: client})
		if err != nil {
			t.Fatalf("handshake for %s, verified against Pebble's root: %v", name, err)
		}
		if err := echo(c, "ping"); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		st := c.ConnectionState()
		leaf := st.PeerCertificates[0]
		if leaf.PublicKeyAlgorithm != x509.ECDSA {
			t.Errorf("%s: key %v, want ECDSA", name, leaf.PublicKeyAlgorithm)
		}
		if len(st.VerifiedChains) == 0 || len(st.VerifiedChains[0]) < 3 {
			t.Errorf("%s: verified chain %v, want leaf, intermediate, root", name, st.VerifiedChains)
		}
		serials[name] = serialHex(leaf)
		c.Close()
	}
	return serials
}

// TestPebbleTLSALPN obtains certificates over TLS-ALPN-01 (nothing
// answers HTTP-01), serves them, refuses other names without ordering,
// and after a restart on the same cache serves the same certificates
// without a new order.
func TestPebbleTLSALPN(t *testing.T) {
	tlsLn, tlsPort := listen(t)
	peb := pebble.Start(t, pebble.Options{TLSPort: tlsPort})
	state := t.TempDir()
	e, logs := pebbleEdge(t, peb, state, nil)
	srv := serveTLS(t, tlsLn, e.TLSConfig("http/1.1"))

	start := time.Now()
	stop := runEdge(t, e)
	awaitCertificates(t, e)
	t.Logf("first certificates (%d domains, TLS-ALPN-01) from Pebble in %v", len(pebbleDomains), time.Since(start).Round(time.Millisecond))
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "certificate obtained") {
			t.Logf("  %s", line)
		}
	}
	orders := peb.Orders()
	if orders < len(pebbleDomains) {
		t.Errorf("orders = %v, want at least %v", orders, len(pebbleDomains))
	}
	served := verifyServed(t, srv.addr(), peb.Roots())
	for _, st := range e.Status() {
		if st.Source != ModeACME || served[st.Name] != st.Serial || !strings.Contains(st.Issuer, "Pebble") || st.NextAttempt.Before(time.Now()) {
			t.Errorf("Status %+v: want the served certificate (%s), issued by Pebble, renewal due later", st, served[st.Name])
		}
	}

	// Names that are not configured get no certificate and no order.
	refused := []*tls.Config{
		{InsecureSkipVerify: true},                          // no SNI (connecting by IP address)
		{InsecureSkipVerify: true, ServerName: "evil.test"}, // unknown name
		{InsecureSkipVerify: true, ServerName: "sub.game.test"},
	}
	for _, cfg := range refused {
		if c, err := dial(t, srv.addr(), cfg); err == nil {
			if echo(c, "x") == nil {
				t.Errorf("handshake with SNI %q succeeded, want it refused", cfg.ServerName)
			}
		}
	}
	if _, err := e.TLSConfig().GetCertificate(&tls.ClientHelloInfo{ServerName: "127.0.0.1"}); err == nil {
		t.Error("certificate for SNI 127.0.0.1, want none")
	}
	if got := peb.Orders(); got != orders {
		t.Errorf("orders after refused handshakes = %v, want %v", got, orders)
	}

	// The cache is private.
	dir := filepath.Join(state, "acme")
	checkMode(t, dir, 0o700)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, ent := range entries {
		checkMode(t, filepath.Join(dir, ent.Name()), 0o600)
	}
	for _, name := range pebbleDomains {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("no cache entry for %s: %v", name, err)
		}
	}

	// Restart on the same cache: the same certificates, no new order.
	stop()
	e2, logs2 := pebbleEdge(t, peb, state, nil)
	srv2 := startTLSServer(t, e2.TLSConfig("http/1.1"))
	runEdge(t, e2)
	awaitCertificates(t, e2)
	if got := verifyServed(t, srv2.addr(), peb.Roots()); got[pebbleDomains[0]] != served[pebbleDomains[0]] || got[pebbleDomains[1]] != served[pebbleDomains[1]] {
		t.Errorf("after restart served %v, want %v", got, served)
	}
	if got := peb.Orders(); got != orders {
		t.Errorf("orders after restart = %v, want %v (none new)", got, orders)
	}
	if n := strings.Count(logs2.String(), "certificate loaded from cache"); n != len(pebbleDomains) {
		t.Errorf("restart logged %d loads from cache, want %d:\n%s", n, len(pebbleDomains), logs2)
	}
}

// TestPebbleHTTP01 obtains certificates over HTTP-01, the only challenge
// type offered (Pebble's TLS-ALPN-01 port has nothing listening),
// answered by HTTPHandler, with one validation per name.
func TestPebbleHTTP01(t *testing.T) {
	httpLn, httpPort := listen(t)
	peb := pebble.Start(t, pebble.Options{HTTPPort: httpPort})
	e, _ := pebbleEdge(t, peb, t.TempDir(), func(c *Config) { c.ChallengeTypes = []string{ChallengeHTTP01} })

	var challenges atomic.Int64
	h := e.HTTPHandler(RedirectHandler("443"))
	hs := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/.well-known/acme-challenge/") {
				challenges.Add(1)
			}
			h.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(httpLn) }()
	t.Cleanup(func() {
		hs.Shutdown(context.Background())
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("http server: %v", err)
		}
	})
	srv := startTLSServer(t, e.TLSConfig("http/1.1"))

	start := time.Now()
	runEdge(t, e)
	awaitCertificates(t, e)
	t.Logf("first certificates (%d domains, HTTP-01) from Pebble in %v", len(pebbleDomains), time.Since(start).Round(time.Millisecond))
	if challenges.Load() == 0 {
		t.Error("no HTTP-01 challenge request reached the handler")
	}
	if got := peb.Validations(); got != len(pebbleDomains) {
		t.Errorf("validations = %d, want %d (one per name)", got, len(pebbleDomains))
	}
	verifyServed(t, srv.addr(), peb.Roots())

	// Other requests on :80 are redirected to HTTPS, to configured names.
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).
		Get("http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(httpPort)) + "/play?x=1")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got, want := res.Header.Get("Location"), "https://game.test/play?x=1"; got != want {
		t.Errorf("redirect to %q, want %q", got, want)
	}
}

// TestPebbleClientCertificates obtains certificates over TLS-ALPN-01 with
// mTLS on (the CA's validation has no client certificate), then refuses
// clients without a certificate from the client CA.
func TestPebbleClientCertificates(t *testing.T) {
	tlsLn, tlsPort := listen(t)
	peb := pebble.Start(t, pebble.Options{TLSPort: tlsPort})
	clients := newTestCA(t, "Client CA")
	e, _ := pebbleEdge(t, peb, t.TempDir(), func(c *Config) { c.ClientCAs = clients.pool })
	srv := serveTLS(t, tlsLn, e.TLSConfig("http/1.1"))
	runEdge(t, e)
	awaitCertificates(t, e)

	good := clients.issue(t, []string{"player"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), true).tlsCert()
	verifyServed(t, srv.addr(), peb.Roots(), good)
	c, err := dial(t, srv.addr(), &tls.Config{ServerName: "game.test", RootCAs: peb.Roots()})
	if err == nil {
		err = echo(c, "ping")
	}
	if err == nil {
		t.Error("client without a certificate was let in")
	}
}

// TestPebbleExternalAccountBinding orders through a CA that requires EAB,
// with the right key and with a wrong one.
func TestPebbleExternalAccountBinding(t *testing.T) {
	const kid, key = "kid-1", "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W"
	tlsLn, tlsPort := listen(t)
	peb := pebble.Start(t, pebble.Options{TLSPort: tlsPort, EABKeys: map[string]string{kid: key}})

	wrong, _ := pebbleEdge(t, peb, t.TempDir(), func(c *Config) {
		c.Domains = pebbleDomains[:1]
		c.EABKeyID, c.EABHMACKey = kid, "b10lLJs8l1GPIzsLP0s6pMt8O0XVGnfTaCeROxQM0BIt2XrJMDHJZBM5NuQmQJQH"
	})
	runEdge(t, wrong)
	eventually(t, issueTimeout, "the wrong EAB key to fail", func() bool { return wrong.Status()[0].LastError != "" })
	if got := peb.Orders(); got != 0 {
		t.Errorf("orders with a wrong EAB key = %v, want 0 (no account)", got)
	}

	e, _ := pebbleEdge(t, peb, t.TempDir(), func(c *Config) { c.EABKeyID, c.EABHMACKey = kid, key })
	serveTLS(t, tlsLn, e.TLSConfig("http/1.1"))
	runEdge(t, e)
	awaitCertificates(t, e)
}

// TestPebbleFailingValidation: a CA whose validations fail (nothing
// answers either challenge) puts the names into backoff; handshakes then
// do not order anything, and the retry, when due, does.
func TestPebbleFailingValidation(t *testing.T) {
	peb := pebble.Start(t, pebble.Options{})
	e, logs := pebbleEdge(t, peb, t.TempDir(), func(c *Config) { c.Domains = pebbleDomains[:1] })
	srv := startTLSServer(t, e.TLSConfig("http/1.1"))
	stop := runEdge(t, e)
	eventually(t, issueTimeout, "the order to fail", func() bool { return e.Status()[0].LastError != "" })
	orders := peb.Orders()
	if orders == 0 {
		t.Fatal("no order was placed")
	}
	for range 20 {
		if c, err := dial(t, srv.addr(), &tls.Config{ServerName: "game.test", RootCAs: peb.Roots()}); err == nil {
			c.Close()
			t.Fatal("handshake succeeded without a certificate")
		}
	}
	if got := peb.Orders(); got != orders {
		t.Errorf("orders after 20 handshakes = %v, want %v", got, orders)
	}
	if !strings.Contains(logs.String(), "will retry") {
		t.Errorf("failure not logged:\n%s", logs)
	}
	stop()

	// With a short backoff the retry is a real new order, not autocert's
	// remembered failure.
	quick, qlogs := pebbleEdge(t, peb, t.TempDir(), func(c *Config) {
		c.Domains = pebbleDomains[:1]
		c.RetryMin, c.RetryMax = 50*time.Millisecond, 100*time.Millisecond
	})
	before := peb.Orders()
	runEdge(t, quick)
	eventually(t, issueTimeout, "a first failed attempt", func() bool { return logLine(qlogs.String(), "will retry", "attempt=1 ") != "" })
	first := peb.Orders() - before
	eventually(t, issueTimeout, "a second failed attempt", func() bool { return logLine(qlogs.String(), "will retry", "attempt=2 ") != "" })
	if got := peb.Orders() - before; first == 0 || got <= first {
		t.Errorf("orders after the first attempt %v, after the second %v: want the retry to order again", first, got)
	}
}

// TestPebbleProblemDocument: with a name whose DNS fails, an attempt
// spends exactly one failed validation, and the CA's problem document
// (its type and detail) reaches the log at ERROR, Status and Ready; the
// next attempt, after the backoff, uses the other challenge type.
// Pebble 2.4 types an unresolvable name "malformed" ("Could not resolve
// URL"); Let's Encrypt says "dns".
func TestPebbleProblemDocument(t *testing.T) {
	peb := pebble.Start(t, pebble.Options{})
	peb.SetServFail(t, "game.test")
	e, logs := pebbleEdge(t, peb, t.TempDir(), func(c *Config) {
		c.Domains = pebbleDomains[:1]
		c.RetryMin, c.RetryMax = 200*time.Millisecond, 400*time.Millisecond
	})
	if ok, why := e.Ready(); ok || !strings.Contains(why, "game.test") {
		t.Errorf("Ready before any attempt = %v, %q; want not ready, naming game.test", ok, why)
	}
	runEdge(t, e)
	eventually(t, issueTimeout, "a first failed attempt", func() bool { return logLine(logs.String(), "will retry", "attempt=1 ") != "" })
	st := e.Status()[0]
	if st.Problem == nil || (st.Problem.Type != "dns" && st.Problem.Type != "malformed") ||
		!strings.Contains(st.Problem.Detail, "resolve") || st.Problem.Challenge != ChallengeTLSALPN01 {
		t.Fatalf("Status problem = %+v, want the CA's problem (cannot resolve) for tls-alpn-01 (LastError %q)", st.Problem, st.LastError)
	}
	typ := st.Problem.Type
	if !strings.HasPrefix(st.LastError, "acme "+typ+": ") || !strings.Contains(st.LastError, st.Problem.Detail) {
		t.Errorf("LastError = %q, want acme %s: and the CA's detail", st.LastError, typ)
	}
	ok, why := e.Ready()
	if ok || !strings.Contains(why, "certificate for game.test: acme "+typ+": "+st.Problem.Detail) {
		t.Errorf("Ready = %v, %q; want not ready with the CA's problem", ok, why)
	}
	line := logLine(logs.String(), "will retry", "attempt=1 ")
	for _, want := range []string{"level=ERROR", "problem_type=" + typ, "domain=game.test", "challenge=tls-alpn-01", "next_challenge=http-01"} {
		if !strings.Contains(line, want) {
			t.Errorf("log line %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "no viable challenge type") {
		t.Errorf("log line %q reports autocert's message, not the CA's", line)
	}

	// Each attempt: one order, one validation, one failure; types
	// alternate; the fourth failed validation within the hour holds the
	// name back until the first leaves the hour (Let's Encrypt allows 5).
	eventually(t, issueTimeout, "a fourth failed attempt", func() bool { return logLine(logs.String(), "will retry", "attempt=4 ") != "" })
	var failed uint64
	for _, n := range e.ACMEFailures() {
		failed += n
	}
	if v, o := peb.Validations(), peb.CreatedOrders(); failed != 4 || v != 4 || o != 4 {
		t.Errorf("after 4 failed attempts: %d failures counted, %d validations, %d orders; want 4 of each", failed, v, o)
	}
	if line := logLine(logs.String(), "will retry", "attempt=2 "); !strings.Contains(line, "challenge=http-01") || !strings.Contains(line, "next_challenge=tls-alpn-01") {
		t.Errorf("second attempt %q: want http-01, then tls-alpn-01", line)
	}
	if line := logLine(logs.String(), "will retry", "attempt=3 "); strings.Contains(line, "held_back") {
		t.Errorf("third attempt %q: held back after 3 failed validations", line)
	}
	line = logLine(logs.String(), "will retry", "attempt=4 ")
	if !strings.Contains(line, "held_back=") {
		t.Errorf("fourth attempt %q: want it held back", line)
	}
	if next := e.Status()[0].NextAttempt; time.Until(next) < 50*time.Minute {
		t.Errorf("next attempt after 4 failed validations at %v, want about an hour after the first", next)
	}
	if v := peb.Validations(); v != 4 {
		t.Errorf("validations = %d, want 4: none while held back", v)
	}
}

// logLine returns the first line of logs that contains every one of
// subs, or "".
func logLine(logs string, subs ...string) string {
next:
	for _, line := range strings.Split(logs, "\n") {
		for _, s := range subs {
			if !strings.Contains(line, s) {
				continue next
			}
		}
		return line
	}
	return ""
}

// TestPebbleUnreachable: the challenge port accepts and closes every
// connection, so the CA cannot fetch the HTTP-01 token: the problem type
// is "connection", and the edge becomes ready only once a certificate
// came, after the handler answers.
func TestPebbleUnreachable(t *testing.T) {
	httpLn, httpPort := listen(t)
	peb := pebble.Start(t, pebble.Options{HTTPPort: httpPort})
	e, logs := pebbleEdge(t, peb, t.TempDir(), func(c *Config) {
		c.Domains = pebbleDomains[:1]
		c.ChallengeTypes = []string{ChallengeHTTP01}
		c.RetryMin, c.RetryMax = 200*time.Millisecond, 400*time.Millisecond
	})
	var serve atomic.Bool // false: close every connection
	h := e.HTTPHandler(nil)
	hs := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !serve.Load() {
			panic(http.ErrAbortHandler) // the connection is cut without an answer
		}
		h.ServeHTTP(w, r)
	})}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(httpLn) }()
	t.Cleanup(func() {
		hs.Shutdown(context.Background())
		<-served
	})
	runEdge(t, e)
	eventually(t, issueTimeout, "two failed attempts", func() bool { return logLine(logs.String(), "will retry", "attempt=2 ") != "" })
	st := e.Status()[0]
	if st.Problem == nil || st.Problem.Type != "connection" || st.Problem.Detail == "" || st.Problem.Challenge != ChallengeHTTP01 {
		t.Fatalf("Status problem = %+v (LastError %q), want the CA's connection problem for http-01", st.Problem, st.LastError)
	}
	if ok, why := e.Ready(); ok || !strings.Contains(why, "certificate for game.test: acme connection: ") {
		t.Errorf("Ready = %v, %q; want not ready, saying the CA could not connect", ok, why)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	if err := e.WaitReady(ctx); err == nil {
		t.Error("WaitReady returned nil without a certificate")
	}
	cancel()

	serve.Store(true)
	ctx, cancel = context.WithTimeout(context.Background(), issueTimeout)
	defer cancel()
	if err := e.WaitReady(ctx); err != nil {
		t.Fatalf("WaitReady: %v", err)
	}
	if ok, why := e.Ready(); !ok || why != "" {
		t.Errorf("Ready after the certificate = %v, %q", ok, why)
	}
	if st := e.Status()[0]; st.Problem != nil || st.LastError != "" {
		t.Errorf("Status after the certificate: problem %+v, LastError %q; want none", st.Problem, st.LastError)
	}
	if f := e.ACMEFailures(); f["connection"] < 2 {
		t.Errorf("ACMEFailures = %v, want at least 2 connection failures", f)
	}
}
