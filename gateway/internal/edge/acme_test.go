package edge

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/acme"
)

// countingTransport counts the requests that reach it.
type countingTransport struct {
	n    atomic.Int64
	base http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

func (c *countingTransport) CloseIdleConnections() {
	c.base.(*http.Transport).CloseIdleConnections()
}

func (c *countingTransport) count() int { return int(c.n.Load()) }

// downCA returns the URL of an ACME directory where nothing listens, and
// a transport that counts the attempts to reach it.
func downCA(t *testing.T) (string, *countingTransport) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(base.CloseIdleConnections)
	return "https://" + addr + "/directory", &countingTransport{base: base}
}

func acmeEdge(t *testing.T, dirURL string, rt http.RoundTripper, modify func(*Config)) *Edge {
	t.Helper()
	cfg := Config{
		Mode:         ModeACME,
		Domains:      []string{"game.test", "www.game.test"},
		StateDir:     t.TempDir(),
		DirectoryURL: dirURL,
		HTTPClient:   &http.Client{Transport: rt},
	}
	if modify != nil {
		modify(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestACMERefusesUnknownNames shows that handshakes never start an order:
// not for a missing SNI, an IP address or a name that is not configured,
// and not for a configured one before Run obtained its certificate.
func TestACMERefusesUnknownNames(t *testing.T) {
	dirURL, ca := downCA(t)
	var logs logBuffer
	e := acmeEdge(t, dirURL, ca, func(c *Config) { c.Logger = logs.logger() })
	cfg := e.TLSConfig("h2", "http/1.1")
	if !strings.Contains(strings.Join(cfg.NextProtos, ","), acme.ALPNProto) {
		t.Errorf("NextProtos = %v, want %s for TLS-ALPN-01", cfg.NextProtos, acme.ALPNProto)
	}
	tests := []struct {
		sni, want string
	}{
		{"", "no server name"},
		{"127.0.0.1", "IP address"},
		{"::1", "IP address"},
		{"evil.test", "not a configured domain"},
		{"game.test.evil.test", "not a configured domain"},
		{"GAME.test.", "being obtained"},
	}
	for _, tc := range tests {
		_, err := cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: tc.sni})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SNI %q: got %v, want an error saying %q", tc.sni, err, tc.want)
		}
		_, err = cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: tc.sni, SupportedProtos: []string{acme.ALPNProto}})
		if err == nil {
			t.Errorf("SNI %q as a TLS-ALPN-01 challenge: got no error, want one", tc.sni)
		}
	}
	// A real handshake without SNI fails cleanly, and is logged at debug.
	srv := startTLSServer(t, cfg)
	if _, err := dial(t, srv.addr(), &tls.Config{InsecureSkipVerify: true}); err == nil {
		t.Error("handshake without SNI succeeded, want it refused")
	}
	if got := ca.count(); got != 0 {
		t.Errorf("requests to the CA = %v, want %v", got, 0)
	}
	if l := logs.String(); !strings.Contains(l, "level=DEBUG msg=\"tls: handshake refused\"") || !strings.Contains(l, "no server name") {
		t.Errorf("refusals not logged at debug:\n%s", l)
	}
}

// TestACMEBackoffSparesTheCA: with the CA down, the first attempt fails
// and the name goes into backoff; handshakes meanwhile fail at once and
// send nothing to the CA.
func TestACMEBackoffSparesTheCA(t *testing.T) {
	dirURL, ca := downCA(t)
	var logs logBuffer
	e := acmeEdge(t, dirURL, ca, func(c *Config) {
		c.Domains = []string{"game.test"}
		c.RetryMin = time.Hour
		c.Logger = logs.logger()
	})
	start := time.Now()
	runEdge(t, e)
	eventually(t, 10*time.Second, "the first attempt to fail", func() bool { return e.Status()[0].LastError != "" })
	attempts := ca.count()
	if attempts == 0 {
		t.Fatal("no request reached the CA")
	}
	st := e.Status()[0]
	if lo, hi := start.Add(45*time.Minute), time.Now().Add(75*time.Minute); st.NextAttempt.Before(lo) || st.NextAttempt.After(hi) {
		t.Errorf("NextAttempt = %v, want within [%v, %v]", st.NextAttempt, lo, hi)
	}
	if !st.NotAfter.IsZero() || st.Serial != "" {
		t.Errorf("Status = %+v, want no certificate", st)
	}

	srv := startTLSServer(t, e.TLSConfig("http/1.1"))
	for range 20 {
		if _, err := dial(t, srv.addr(), &tls.Config{InsecureSkipVerify: true, ServerName: "game.test"}); err == nil {
			t.Fatal("handshake for a name in backoff succeeded")
		}
	}
	_, err := e.TLSConfig().GetCertificate(&tls.ClientHelloInfo{ServerName: "game.test"})
	if err == nil || !strings.Contains(err.Error(), "next attempt at") {
		t.Errorf("handshake error = %v, want it to say when the next attempt is", err)
	}
	if got := ca.count(); got != attempts {
		t.Errorf("requests to the CA after 20 handshakes = %v, want %v (unchanged)", got, attempts)
	}
	if l := logs.String(); !strings.Contains(l, "could not obtain certificate; will retry") || !strings.Contains(l, "next_attempt=") {
		t.Errorf("failure not logged with the next attempt:\n%s", l)
	}
}

// TestACMERetriesWithBackoff: failures are retried by Run, spaced by the
// backoff, and nothing reaches the CA once Run has returned.
func TestACMERetriesWithBackoff(t *testing.T) {
	dirURL, ca := downCA(t)
	var logs logBuffer
	e := acmeEdge(t, dirURL, ca, func(c *Config) {
		c.Domains = []string{"game.test"}
		c.RetryMin, c.RetryMax = 20*time.Millisecond, 80*time.Millisecond
		c.Logger = logs.logger()
	})
	stop := runEdge(t, e)
	eventually(t, 10*time.Second, "four attempts", func() bool { return ca.count() >= 4 })
	stop()
	after := ca.count()
	if _, err := e.acme.client.Get(dirURL); err == nil || !strings.Contains(err.Error(), "stopped") {
		t.Errorf("request after Run returned: got %v, want the client stopped", err)
	}
	if got := ca.count(); got != after {
		t.Errorf("requests after Run returned = %v, want %v", got, after)
	}
	for _, want := range []string{"attempt=1 ", "attempt=2 ", "attempt=3 "} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

func TestBackoff(t *testing.T) {
	lo, hi := time.Minute, time.Hour
	low := func(int64) int64 { return 0 }
	high := func(n int64) int64 { return n - 1 }
	tests := []struct {
		n    int
		base time.Duration
	}{
		{1, time.Minute}, {2, 2 * time.Minute}, {3, 4 * time.Minute}, {6, 32 * time.Minute}, {7, time.Hour}, {50, time.Hour},
	}
	for _, tc := range tests {
		if got, want := backoff(tc.n, lo, hi, low), tc.base*3/4; got != want {
			t.Errorf("backoff(%d) lowest = %v, want %v", tc.n, got, want)
		}
		if got, want := backoff(tc.n, lo, hi, high), tc.base*5/4; got != want {
			t.Errorf("backoff(%d) highest = %v, want %v", tc.n, got, want)
		}
	}
}

// TestACMECacheDirPermissions: the cache is created 0700 with the
// account key 0600, a looser existing one is tightened, and the account
// key survives a restart.
func TestACMECacheDirPermissions(t *testing.T) {
	state := t.TempDir()
	dirURL, ca := downCA(t)
	e1 := acmeEdge(t, dirURL, ca, func(c *Config) { c.StateDir = state })
	dir := filepath.Join(state, "acme")
	checkMode(t, dir, 0o700)
	checkMode(t, filepath.Join(dir, accountKeyName), 0o600)
	key1, err := os.ReadFile(filepath.Join(dir, accountKeyName))
	if err != nil {
		t.Fatal(err)
	}

	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, accountKeyName), 0o644); err != nil {
		t.Fatal(err)
	}
	e2 := acmeEdge(t, dirURL, ca, func(c *Config) { c.StateDir = state })
	checkMode(t, dir, 0o700)
	checkMode(t, filepath.Join(dir, accountKeyName), 0o600)
	key2, err := os.ReadFile(filepath.Join(dir, accountKeyName))
	if err != nil {
		t.Fatal(err)
	}
	if string(key1) != string(key2) {
		t.Error("account key replaced on restart, want it kept")
	}
	if !e1.acme.accountKey.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(e2.acme.accountKey.Public()) {
		t.Error("account keys differ between the two edges")
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != want {
		t.Errorf("mode of %s = %o, want %o", path, got, want)
	}
}

// TestACMEHTTPHandler: challenge paths for configured domains go to
// autocert (Host with or without port), others get 404, everything else
// reaches the fallback.
func TestACMEHTTPHandler(t *testing.T) {
	dirURL, ca := downCA(t)
	e := acmeEdge(t, dirURL, ca, nil)
	fallback := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Host", r.Host)
		w.WriteHeader(http.StatusTeapot)
	})
	h := e.HTTPHandler(fallback)
	tests := []struct {
		host, path string
		want       int
		wantHost   string
	}{
		{"game.test", "/", http.StatusTeapot, "game.test"},
		{"198.51.100.4", "/", http.StatusTeapot, "game.test"},
		{"evil.test", "/.well-known/acme-challenge/tok", http.StatusNotFound, ""},
		// autocert answers (404: no such token), not the fallback and not
		// its host policy (403), even with a port in Host.
		{"game.test:5002", "/.well-known/acme-challenge/tok", http.StatusNotFound, ""},
		{"WWW.game.test", "/.well-known/acme-challenge/tok", http.StatusNotFound, ""},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", tc.path, nil)
		r.Host = tc.host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tc.want || w.Header().Get("X-Host") != tc.wantHost {
			t.Errorf("%s%s: code %v host %q, want %v %q (%s)", tc.host, tc.path, w.Code, w.Header().Get("X-Host"), tc.want, tc.wantHost, w.Body)
		}
		if tc.host == "game.test:5002" && !strings.Contains(w.Body.String(), "acme/autocert") {
			t.Errorf("%s%s: body %q, want autocert's answer", tc.host, tc.path, w.Body)
		}
	}
	if got := ca.count(); got != 0 {
		t.Errorf("requests to the CA = %v, want 0", got)
	}
}

// TestACMEChallengeExemptFromClientCerts: with mTLS on, a TLS-ALPN-01
// handshake gets a config that asks for no client certificate, others
// the default.
func TestACMEChallengeExemptFromClientCerts(t *testing.T) {
	dirURL, ca := downCA(t)
	clients := newTestCA(t, "Client CA")
	e := acmeEdge(t, dirURL, ca, func(c *Config) { c.ClientCAs = clients.pool })
	cfg := e.TLSConfig("h2")
	if cfg.ClientAuth != tls.RequireAndVerifyClientCert {
		t.Errorf("ClientAuth = %v, want RequireAndVerifyClientCert", cfg.ClientAuth)
	}
	chal, err := cfg.GetConfigForClient(&tls.ClientHelloInfo{ServerName: "game.test", SupportedProtos: []string{acme.ALPNProto}})
	if err != nil || chal == nil || chal.ClientAuth != tls.NoClientCert {
		t.Errorf("challenge config = %+v, %v: want one without client certificates", chal, err)
	}
	normal, err := cfg.GetConfigForClient(&tls.ClientHelloInfo{ServerName: "game.test", SupportedProtos: []string{"h2", acme.ALPNProto}})
	if err != nil || normal != nil {
		t.Errorf("ordinary hello got config %v, %v: want nil (the default)", normal, err)
	}
}

// cacheEntry encodes l the way autocert caches a certificate: the key,
// then the chain.
func cacheEntry(t *testing.T, l *leaf) []byte {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(l.key.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	return append(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), l.certPEM...)
}

// TestACMECachedCertificate: a valid certificate in the cache is served
// without a word to the CA; Run then watches it, reporting a renewal
// autocert stores and one that is overdue.
func TestACMECachedCertificate(t *testing.T) {
	ca := newTestCA(t, "Cached CA")
	old := ca.issue(t, []string{"game.test"}, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour), false)
	state := t.TempDir()
	cacheDir := filepath.Join(state, "acme")
	if err := os.MkdirAll(cacheDir, 0o700); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(cacheDir, "game.test"), cacheEntry(t, old), 0o600)

	var clock atomic.Pointer[time.Time]
	now := time.Now()
	clock.Store(&now)
	dirURL, down := downCA(t)
	var logs logBuffer
	e := acmeEdge(t, dirURL, down, func(c *Config) {
		c.Domains = []string{"game.test"}
		c.StateDir = state
		c.Logger = logs.logger()
		c.Now = func() time.Time { return *clock.Load() }
	})
	runEdge(t, e)
	eventually(t, 10*time.Second, "the cached certificate", func() bool { return e.Status()[0].Serial != "" })
	st := e.Status()[0]
	if st.Serial != serialHex(old.cert) || st.LastError != "" || !st.NotAfter.Equal(old.cert.NotAfter) {
		t.Errorf("Status = %+v, want the cached certificate %s", st, serialHex(old.cert))
	}
	srv := startTLSServer(t, e.TLSConfig("http/1.1"))
	if got, want := servedSerial(t, srv.addr(), &tls.Config{ServerName: "game.test", RootCAs: ca.pool}), serialHex(old.cert); got != want {
		t.Errorf("served %v, want %v", got, want)
	}
	if got := down.count(); got != 0 {
		t.Errorf("requests to the CA = %v, want 0", got)
	}
	if !strings.Contains(logs.String(), "certificate loaded from cache") {
		t.Errorf("log does not say the certificate came from the cache:\n%s", logs.String())
	}

	// 18 hours on, past the renewal point (a third of the lifetime before
	// expiry) and the grace: overdue.
	later := now.Add(18 * time.Hour)
	clock.Store(&later)
	d := e.acme.domain("game.test")
	e.acme.check(d)
	if st := e.Status()[0]; !strings.Contains(st.LastError, "renewal overdue") {
		t.Errorf("LastError = %q, want renewal overdue", st.LastError)
	}
	if !strings.Contains(logs.String(), "renewal is overdue") {
		t.Errorf("overdue renewal not logged:\n%s", logs.String())
	}

	// autocert stores a renewed certificate: reported, error cleared.
	renewed := ca.issue(t, []string{"game.test"}, time.Now().Add(-time.Hour), time.Now().Add(72*time.Hour), false)
	if err := e.acme.cache.Put(context.Background(), "game.test", cacheEntry(t, renewed)); err != nil {
		t.Fatal(err)
	}
	st = e.Status()[0]
	if st.Serial != serialHex(renewed.cert) || st.LastError != "" || !st.NextAttempt.After(later) {
		t.Errorf("after renewal Status = %+v, want %s, no error, next renewal after %v", st, serialHex(renewed.cert), later)
	}
	if !strings.Contains(logs.String(), "certificate renewed") {
		t.Errorf("renewal not logged:\n%s", logs.String())
	}
	e.acme.check(d) // the manager still holds the old one; the newer stays
	if st := e.Status()[0]; st.Serial != serialHex(renewed.cert) || st.LastError != "" {
		t.Errorf("after check Status = %+v, want the renewed certificate, no error", st)
	}
}

// TestNoACMEConfigRefusesChallenges: with a TLS-ALPN-01 token certificate
// in the cache and client certificates required, the HTTPS config serves
// the token to a hello offering only acme-tls/1, without a client
// certificate; TLSConfigNoACME refuses any hello offering acme-tls/1,
// and requires its own client CA's certificates of every other.
func TestNoACMEConfigRefusesChallenges(t *testing.T) {
	webClients := newTestCA(t, "Web client CA")
	telnetsClients := newTestCA(t, "Telnets client CA")
	cache := newMemCache()
	dirURL, _ := downCA(t)
	e := acmeEdge(t, dirURL, nil, func(c *Config) {
		c.Domains = []string{"game.test"}
		c.StateDir, c.HTTPClient, c.Cache = "", nil, cache
		c.ClientCAs = webClients.pool
	})
	tok, err := (&acme.Client{Key: newKey(t)}).TLSALPN01ChallengeCert("token", "game.test")
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(tok.PrivateKey.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	cache.Put(context.Background(), "game.test+token", append(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tok.Certificate[0]})...))

	https := startTLSServer(t, e.TLSConfig("h2", "http/1.1"))
	c, err := dial(t, https.addr(), &tls.Config{ServerName: "game.test", NextProtos: []string{acme.ALPNProto}, InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("TLS-ALPN-01 on the HTTPS config: %v", err)
	}
	if got := c.ConnectionState().PeerCertificates[0].Raw; !bytes.Equal(got, tok.Certificate[0]) {
		t.Error("the HTTPS config served another certificate than the token certificate")
	}

	cfg := e.TLSConfigNoACME(telnetsClients.pool)
	if cfg.ClientAuth != tls.RequireAndVerifyClientCert || cfg.ClientCAs != telnetsClients.pool || cfg.GetConfigForClient != nil || cfg.NextProtos != nil {
		t.Errorf("ClientAuth %v, own client CAs %v, GetConfigForClient set %v, NextProtos %v: want the telnets client CA required of every handshake, no protocols",
			cfg.ClientAuth, cfg.ClientCAs == telnetsClients.pool, cfg.GetConfigForClient != nil, cfg.NextProtos)
	}
	for _, protos := range [][]string{{acme.ALPNProto}, {"h2", acme.ALPNProto}} {
		if _, err := cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: "game.test", SupportedProtos: protos}); !errors.Is(err, ErrNoACME) {
			t.Errorf("hello offering %q: got %v, want ErrNoACME", protos, err)
		}
	}
	other := startTLSServer(t, cfg)
	player := telnetsClients.issue(t, []string{"player"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), true).tlsCert()
	if c, err := dial(t, other.addr(), &tls.Config{ServerName: "game.test", NextProtos: []string{acme.ALPNProto},
		InsecureSkipVerify: true, Certificates: []tls.Certificate{player}}); err == nil {
		t.Errorf("acme-tls/1 on the other listener: handshake succeeded with %x, want it refused", c.ConnectionState().PeerCertificates[0].SerialNumber)
	}
}
