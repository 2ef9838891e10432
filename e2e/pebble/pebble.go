// Package pebble starts Let's Encrypt's Pebble ACME test server for tests
// in other packages: real orders, real HTTP-01 and TLS-ALPN-01 validation
// against servers the test runs on loopback, and a real issuing CA whose
// roots the test can verify served chains against.
//
// Start runs the Debian package's binaries (/usr/bin/pebble and
// /usr/bin/pebble-challtestsrv; install them with `apt-get install pebble`)
// on free loopback ports:
//
//   - pebble-challtestsrv only as a DNS server that answers every A query
//     with 127.0.0.1 (no AAAA, no challenge servers of its own), so any
//     name a test orders resolves to the test's own listeners;
//   - pebble with a TLS certificate made for it here, validating HTTP-01
//     on 127.0.0.1:Options.HTTPPort and TLS-ALPN-01 on
//     127.0.0.1:Options.TLSPort, with PEBBLE_VA_NOSLEEP=1 so validation
//     does not wait, and Pebble's default rejection of 5% of nonces left
//     on, so the client under test must retry badNonce errors.
//
// Both processes are killed in t.Cleanup. HTTPClient returns a client for
// the ACME API that counts the requests, the new orders and the challenge
// validations it sends, which is how tests show that something did or did
// not order a certificate, and how many validations it spent.
// SetServFail makes a name's DNS fail, as a wrong or missing record does.
//
// This package is for tests only; it imports package testing.
package pebble

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/e2e/netport"
)

// startTimeout bounds how long Start waits for both processes to answer.
const startTimeout = 20 * time.Second

// Options configure the Pebble that Start runs. The zero value is a Pebble
// whose challenge validations all fail, which is still useful for tests of
// what happens when a CA refuses.
type Options struct {
	// HTTPPort is the loopback port Pebble connects to when it validates
	// an HTTP-01 challenge (http://NAME:HTTPPort/.well-known/...). Zero
	// picks a port that closes every connection at once, so HTTP-01
	// always fails.
	HTTPPort int
	// TLSPort is the loopback port Pebble connects to when it validates a
	// TLS-ALPN-01 challenge. Zero picks a port that closes every
	// connection at once, so TLS-ALPN-01 always fails.
	TLSPort int
	// EABKeys, when not empty, makes Pebble require External Account
	// Binding: key ID to HMAC key, base64url-encoded as CAs hand them out.
	EABKeys map[string]string
}

// Server is a running Pebble. Its methods are safe for concurrent use.
type Server struct {
	dirURL      string
	apiRoots    *x509.CertPool
	roots       *x509.CertPool
	client      *http.Client
	newOrderURL string
	orders      atomic.Int64
	created     atomic.Int64
	requests    atomic.Int64
	validations atomic.Int64
	dnsMgmt     string
}

// Start runs Pebble and its DNS server, waits until the ACME directory
// answers, and stops both in t.Cleanup. It fails the test, with the
// processes' output, when they cannot be started; when Pebble is not
// installed it fails saying how to install it.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	pebbleBin, err := exec.LookPath("pebble")
	if err != nil {
		t.Fatalf("pebble (the ACME test server) is not installed: run `apt-get install pebble`: %v", err)
	}
	dnsBin, err := exec.LookPath("pebble-challtestsrv")
	if err != nil {
		t.Fatalf("pebble-challtestsrv is not installed: run `apt-get install pebble`: %v", err)
	}
	dir := t.TempDir()

	// A port that refuses every connection makes that challenge fail.
	if opts.HTTPPort == 0 {
		opts.HTTPPort = refuser(t)
	}
	if opts.TLSPort == 0 {
		opts.TLSPort = refuser(t)
	}

	dnsAddr := loopback(freePort(t, true))
	dnsMgmt := loopback(freePort(t, false))
	dns := startProcess(t, dir, "pebble-challtestsrv", nil, dnsBin,
		"-dns01", dnsAddr,
		"-http01", "", "-https01", "", "-tlsalpn01", "",
		"-management", dnsMgmt,
		"-defaultIPv4", "127.0.0.1",
		"-defaultIPv6", "",
	)
	waitFor(t, dns, "pebble-challtestsrv", func() error {
		c, err := net.DialTimeout("tcp", dnsMgmt, time.Second)
		if err == nil {
			c.Close()
		}
		return err
	})

	certPEM, keyPEM, apiRoots := apiCertificate(t)
	certFile := filepath.Join(dir, "pebble.crt")
	keyFile := filepath.Join(dir, "pebble.key")
	writeFile(t, certFile, certPEM)
	writeFile(t, keyFile, keyPEM)

	listen := loopback(freePort(t, false))
	mgmt := loopback(freePort(t, false))
	conf := map[string]any{
		"listenAddress":                  listen,
		"managementListenAddress":        mgmt,
		"certificate":                    certFile,
		"privateKey":                     keyFile,
		"httpPort":                       opts.HTTPPort,
		"tlsPort":                        opts.TLSPort,
		"ocspResponderURL":               "",
		"externalAccountBindingRequired": len(opts.EABKeys) > 0,
	}
	if len(opts.EABKeys) > 0 {
		conf["externalAccountMACKeys"] = opts.EABKeys
	}
	confJSON, err := json.MarshalIndent(map[string]any{"pebble": conf}, "", "  ")
	if err != nil {
		t.Fatalf("pebble: encode config: %v", err)
	}
	confFile := filepath.Join(dir, "pebble-config.json")
	writeFile(t, confFile, confJSON)

	env := []string{"PEBBLE_VA_NOSLEEP=1"}
	peb := startProcess(t, dir, "pebble", env, pebbleBin, "-config", confFile, "-dnsserver", dnsAddr)

	s := &Server{dirURL: "https://" + listen + "/dir", apiRoots: apiRoots, dnsMgmt: dnsMgmt}
	base := &http.Transport{
		Proxy:               nil, // loopback only; never through a proxy from the environment
		TLSClientConfig:     &tls.Config{RootCAs: apiRoots, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     30 * time.Second,
	}
	t.Cleanup(base.CloseIdleConnections)
	s.client = &http.Client{Transport: countingTransport{s: s, base: base}, Timeout: 30 * time.Second}
	plain := &http.Client{Transport: base, Timeout: 5 * time.Second}

	var directory struct {
		NewOrder string `json:"newOrder"`
	}
	waitFor(t, peb, "pebble", func() error {
		return getJSON(plain, s.dirURL, &directory)
	})
	if directory.NewOrder == "" {
		t.Fatalf("pebble: directory at %s has no newOrder URL", s.dirURL)
	}
	s.newOrderURL = directory.NewOrder

	// Pebble starts its management listener in a goroutine of its own,
	// so it may not be listening yet when the directory answers: wait
	// for it as well (CI saw "connection refused" here under load).
	var rootPEM []byte
	waitFor(t, peb, "pebble's management interface", func() error {
		var err error
		rootPEM, err = get(plain, "https://"+mgmt+"/roots/0")
		return err
	})
	s.roots = x509.NewCertPool()
	if !s.roots.AppendCertsFromPEM(rootPEM) {
		t.Fatalf("pebble: no certificate in the issuing root from %s/roots/0: %q", mgmt, rootPEM)
	}
	return s
}

// DirectoryURL returns the URL of Pebble's ACME directory.
func (s *Server) DirectoryURL() string { return s.dirURL }

// APIRoots returns the roots that Pebble's own HTTPS (the ACME API) is
// signed with: what an ACME client must trust to talk to it.
func (s *Server) APIRoots() *x509.CertPool { return s.apiRoots }

// Roots returns the root Pebble issues certificates under, as its
// management API serves it: what a TLS client must trust to verify a
// certificate Pebble issued. Pebble makes a new one on every start.
func (s *Server) Roots() *x509.CertPool { return s.roots }

// HTTPClient returns a client for the ACME API: it trusts APIRoots and
// counts the requests made through it (Requests) and the POSTs to the
// directory's newOrder URL (Orders). All callers share one client.
func (s *Server) HTTPClient() *http.Client { return s.client }

// Orders returns how many new-order requests went through HTTPClient.
// A request Pebble refused (a rejected nonce, say) and the client retried
// counts twice.
func (s *Server) Orders() int { return int(s.orders.Load()) }

// CreatedOrders returns how many orders Pebble created for requests
// that went through HTTPClient: new-order requests it answered with 201
// Created. Unlike Orders, a request Pebble refused and the client
// retried counts once, so tests can say "exactly one order".
func (s *Server) CreatedOrders() int { return int(s.created.Load()) }

// Requests returns how many requests of any kind went through HTTPClient.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// Validations returns how many challenges Pebble accepted to validate
// for requests through HTTPClient: POSTs whose JWS payload is "{}" (RFC
// 8555 section 7.5.1), which only responding to a challenge sends,
// answered 200 (a refused nonce and its retry count once). Each one
// that fails is one of the failed validations Let's Encrypt limits.
func (s *Server) Validations() int { return int(s.validations.Load()) }

// SetServFail makes Pebble's DNS server answer every query for host with
// SERVFAIL, so that validations of host fail the way a name with broken
// DNS does.
func (s *Server) SetServFail(t testing.TB, host string) {
	t.Helper()
	body, err := json.Marshal(map[string]string{"host": host})
	if err != nil {
		t.Fatal(err)
	}
	res, err := (&http.Client{Timeout: 5 * time.Second}).Post("http://"+s.dnsMgmt+"/set-servfail", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("pebble-challtestsrv: set-servfail %s: %v", host, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("pebble-challtestsrv: set-servfail %s: %s", host, res.Status)
	}
}

// countingTransport counts the requests it forwards, and among them the
// new orders.
type countingTransport struct {
	s    *Server
	base http.RoundTripper
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.s.requests.Add(1)
	newOrder := r.Method == http.MethodPost && r.URL.String() == c.s.newOrderURL
	if newOrder {
		c.s.orders.Add(1)
	}
	validation := false
	if r.Method == http.MethodPost && r.Body != nil {
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		validation = strings.Contains(string(body), `"payload":"e30"`) // base64url("{}")
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		r.ContentLength = int64(len(body))
	}
	res, err := c.base.RoundTrip(r)
	if newOrder && err == nil && res.StatusCode == http.StatusCreated {
		c.s.created.Add(1)
	}
	if validation && err == nil && res.StatusCode == http.StatusOK {
		c.s.validations.Add(1)
	}
	return res, err
}

// process is a started child whose end Cleanup waits for.
type process struct {
	name   string
	out    string // file with its combined output
	exited chan struct{}
	err    error // valid after exited is closed
}

// startProcess runs bin with args, output to a file in dir, and registers
// a cleanup that kills it, waits for it, and shows its output when the
// test failed.
func startProcess(t testing.TB, dir, name string, env []string, bin string, args ...string) *process {
	t.Helper()
	p := &process{name: name, out: filepath.Join(dir, name+".log"), exited: make(chan struct{})}
	out, err := os.Create(p.out)
	if err != nil {
		t.Fatalf("%s: create log: %v", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.Env = append(pebbleFreeEnv(), env...)
	// If the test process dies (a panic, a timeout), so does this one:
	// no Pebble is left holding its ports for the next run.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		out.Close()
		t.Fatalf("%s: start: %v", name, err)
	}
	out.Close() // the child has its own copy
	// The owner of this goroutine is the cleanup below, which waits for it.
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("%s output:\n%s", name, p.output())
		}
	})
	return p
}

// output returns the tail of the process's output.
func (p *process) output() string {
	b, err := os.ReadFile(p.out)
	if err != nil {
		return err.Error()
	}
	const max = 16 << 10
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

// pebbleFreeEnv is the test's environment without Pebble's own settings,
// so a developer's shell (PEBBLE_WFE_NONCEREJECT=0, PEBBLE_VA_ALWAYS_VALID)
// cannot make the tests easier than the real thing.
func pebbleFreeEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PEBBLE_") {
			env = append(env, kv)
		}
	}
	return env
}

// waitFor polls ready until it succeeds, the process exits, or
// startTimeout passes.
func waitFor(t testing.TB, p *process, what string, ready func() error) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		err := ready()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after %v: %v\n%s", what, startTimeout, err, p.output())
		}
		select {
		case <-p.exited:
			t.Fatalf("%s exited at start: %v\n%s", what, p.err, p.output())
		case <-tick.C:
		}
	}
}

func get(c *http.Client, url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", url, res.Status, body)
	}
	return body, nil
}

func getJSON(c *http.Client, url string, v any) error {
	body, err := get(c, url)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: decode: %w", url, err)
	}
	return nil
}

// apiCertificate makes a self-signed certificate for Pebble's HTTPS on
// 127.0.0.1 and localhost, and a pool that trusts it.
func apiCertificate(t testing.TB) (certPEM, keyPEM []byte, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("pebble: generate key: %v", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		t.Fatalf("pebble: serial: %v", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "Pebble ACME API (test)"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("pebble: create certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("pebble: parse certificate: %v", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatalf("pebble: encode key: %v", err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		pool
}

// refuser listens on a loopback port and closes every connection it
// gets, until the test ends. Unlike a port merely found free, the port
// stays taken, so no other test's listener can end up answering there.
func refuser(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pebble: listen: %v", err)
	}
	done := make(chan struct{})
	// Owned by the cleanup below, which closes ln and waits.
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	return ln.Addr().(*net.TCPAddr).Port
}

// freePort returns a loopback port that is free now (for TCP, and for
// UDP too when udp is set), from below the ephemeral range, where no
// outgoing connection takes it before Pebble binds it (package netport).
func freePort(t testing.TB, udp bool) int {
	t.Helper()
	get := netport.Free
	if udp {
		get = netport.FreeTCPUDP
	}
	p, err := get()
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	return p
}

func loopback(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("pebble: %v", err)
	}
}
