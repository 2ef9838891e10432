package e2e

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/e2e/pebble"
	"github.com/drawbridge/drawbridge/gateway/app"

	"github.com/drawbridge/drawbridge/e2e/netport"
)

// freePort returns a loopback port nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	p, err := netport.Free()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// startApp starts the gateway with cfg (loopback ports, a temp state dir
// unless set) and stops it when the test ends.
func startApp(t *testing.T, cfg app.Config) (*app.Gateway, context.CancelFunc, *logBuffer) {
	t.Helper()
	if cfg.StateDir == "" {
		cfg.StateDir = t.TempDir()
	}
	cfg.ShutdownTimeout = 5 * time.Second
	lb := &logBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	g, err := app.Start(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatalf("start gateway: %v", err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := g.Wait(); err != nil {
			t.Errorf("gateway: %v", err)
		}
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("gateway log:\n%s", lb.String())
		}
	})
	return g, stop, lb
}

// dialTo returns a dialer that sends every connection to addr, the way
// DNS would for a real domain.
func dialTo(addr string) func(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}
}

// TestACMECertificatesFromPebble is the operator's journey against a real
// ACME server: the gateway, given only a domain, gets a certificate by
// itself, serves it, keeps it across a restart without a new order, and
// never orders for a name it was not given.
func TestACMECertificatesFromPebble(t *testing.T) {
	t.Parallel()
	const domain = "play.drawbridge.test"
	httpsPort, httpPort := freePort(t), freePort(t)
	pb := pebble.Start(t, pebble.Options{TLSPort: httpsPort, HTTPPort: httpPort})
	caFile := filepath.Join(t.TempDir(), "pebble-api.pem")
	writePool(t, caFile, pb)

	cfg := app.Default()
	cfg.StateDir = t.TempDir()
	cfg.Web.Domains = []string{domain}
	cfg.Web.HTTPSAddr = "127.0.0.1:" + strconv.Itoa(httpsPort)
	cfg.Web.HTTPAddr = "127.0.0.1:" + strconv.Itoa(httpPort)
	cfg.Game.DemoAddr = "127.0.0.1:0"
	cfg.Admin.Addr = "127.0.0.1:0"
	cfg.ACME.DirectoryURL = pb.DirectoryURL()
	cfg.ACME.CAFile = caFile
	cfg.ACME.Email = "ops@drawbridge.test"
	cfg.ACMEHTTPClient = pb.HTTPClient()

	start := time.Now()
	g, stop, _ := startApp(t, cfg)
	admin := "http://" + g.AdminAddr().String()
	waitReady(t, admin, 60*time.Second)
	t.Logf("first certificate from Pebble after %v", time.Since(start).Round(10*time.Millisecond))

	// The served chain verifies against Pebble's root for the domain, and
	// the page loads over it.
	client := &http.Client{Transport: &http.Transport{
		DialContext:     dialTo(g.HTTPSAddr().String()),
		TLSClientConfig: &tls.Config{RootCAs: pb.Roots()},
	}}
	defer client.CloseIdleConnections()
	resp, err := client.Get("https://" + domain + "/")
	if err != nil {
		t.Fatalf("GET over the ACME certificate: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("GET / = %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	serial := resp.TLS.PeerCertificates[0].SerialNumber

	// Plain HTTP goes to HTTPS on the domain.
	noFollow := &http.Client{
		Transport:     &http.Transport{DialContext: dialTo(g.HTTPAddr().String())},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err = noFollow.Get("http://" + domain + "/x?y=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusPermanentRedirect || !strings.HasPrefix(loc, "https://"+domain) || !strings.HasSuffix(loc, "/x?y=1") {
		t.Fatalf("redirect %d to %q", resp.StatusCode, loc)
	}

	// The certificate metric is exported.
	metrics := get(t, admin+"/metrics")
	if !strings.Contains(metrics, `drawbridge_certificate_expiry_timestamp_seconds{name="`+domain+`"}`) {
		t.Fatalf("metrics lack the certificate expiry:\n%s", grepLines(metrics, "drawbridge_"))
	}

	// Unknown names, no name and bare IPs get no certificate and no order.
	orders := pb.Orders()
	for _, sni := range []string{"other.drawbridge.test", ""} {
		conn, err := tls.Dial("tcp", g.HTTPSAddr().String(), &tls.Config{ServerName: sni, InsecureSkipVerify: true})
		if err == nil {
			conn.Close()
			t.Errorf("handshake for SNI %q succeeded, want it refused", sni)
		}
	}
	if n := pb.Orders(); n != orders {
		t.Fatalf("%d new orders for names that are not configured", n-orders)
	}

	// A restart on the same state directory serves the same certificate
	// without ordering again.
	stop()
	g2, _, _ := startApp(t, cfg)
	waitReady(t, "http://"+g2.AdminAddr().String(), 20*time.Second)
	client2 := &http.Client{Transport: &http.Transport{
		DialContext:     dialTo(g2.HTTPSAddr().String()),
		TLSClientConfig: &tls.Config{RootCAs: pb.Roots()},
	}}
	defer client2.CloseIdleConnections()
	resp, err = client2.Get("https://" + domain + "/")
	if err != nil {
		t.Fatalf("GET after restart: %v", err)
	}
	resp.Body.Close()
	if got := resp.TLS.PeerCertificates[0].SerialNumber; got.Cmp(serial) != 0 {
		t.Fatalf("certificate after restart has serial %x, want the cached %x", got, serial)
	}
	if n := pb.Orders(); n != orders {
		t.Fatalf("the restart made %d new orders, want 0", n-orders)
	}
}

func writePool(t *testing.T, path string, pb *pebble.Server) {
	t.Helper()
	// The harness gives Pebble's API trust as a pool; the gateway reads a
	// file, as an operator would write one. Fetch the API certificate by
	// connecting to the directory.
	u := strings.TrimPrefix(pb.DirectoryURL(), "https://")
	host, _, _ := strings.Cut(u, "/")
	conn, err := tls.Dial("tcp", host, &tls.Config{RootCAs: pb.APIRoots()})
	if err != nil {
		t.Fatalf("reach Pebble: %v", err)
	}
	defer conn.Close()
	chain := conn.ConnectionState().VerifiedChains[0]
	root := chain[len(chain)-1]
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
}

func waitReady(t *testing.T, admin string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		resp, err := http.Get(admin + "/readyz")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
			last = string(b)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("gateway not ready after %v: %s", timeout, last)
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue makes a leaf for names (server) or a client certificate, and
// returns PEM certificate (leaf then CA) and key.
func (ca *testCA) issue(t *testing.T, client bool, names ...string) (certPEM, keyPEM []byte) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: names[0]},
		// Ninety days, as Let's Encrypt issues: scanners flag less.
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(90 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature,
		// Real CAs say where revocation is published; scanners flag a
		// certificate that does not.
		CRLDistributionPoints: []string{"http://crl.drawbridge.test/ca.crl"},
	}
	if client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		for _, n := range names {
			if ip := net.ParseIP(n); ip != nil {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			} else {
				tmpl.DNSNames = append(tmpl.DNSNames, n)
			}
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	certPEM = append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), ca.pem...)
	return certPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// filesConfig is a gateway on loopback serving a certificate from files
// signed by ca.
func filesConfig(t *testing.T, ca *testCA) app.Config {
	certPEM, keyPEM := ca.issue(t, false, "localhost", "127.0.0.1")
	cfg := app.Default()
	cfg.Web.HTTPSAddr, cfg.Web.HTTPAddr, cfg.Game.DemoAddr, cfg.Admin.Addr = "127.0.0.1:0", "off", "127.0.0.1:0", "127.0.0.1:0"
	cfg.TLS.Mode = "files"
	cfg.TLS.CertFile = writeTemp(t, "cert.pem", certPEM)
	cfg.TLS.KeyFile = writeTemp(t, "key.pem", keyPEM)
	return cfg
}

// TestTelnetsAndMutualTLS goes through the TLS telnet port to the demo
// game, and checks client certificates on both TLS listeners.
func TestTelnetsAndMutualTLS(t *testing.T) {
	t.Parallel()
	serverCA, clientCA := newTestCA(t, "server CA"), newTestCA(t, "client CA")
	cfg := filesConfig(t, serverCA)
	cfg.Telnets.Addr = "127.0.0.1:0"
	caFile := writeTemp(t, "client-ca.pem", clientCA.pem)
	cfg.Telnets.ClientCAFile = caFile
	cfg.Web.ClientCAFile = caFile
	g, _, _ := startApp(t, cfg)

	roots := x509.NewCertPool()
	roots.AddCert(serverCA.cert)
	certPEM, keyPEM := clientCA.issue(t, true, "player")
	clientCert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}

	for _, l := range []struct{ name, addr string }{{"telnets", g.TelnetsAddr().String()}, {"https", g.HTTPSAddr().String()}} {
		// Without a client certificate the handshake is refused.
		conn, err := tls.Dial("tcp", l.addr, &tls.Config{RootCAs: roots, ServerName: "localhost"})
		if err == nil {
			// TLS 1.3 reports the refusal on the first read.
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, err = conn.Read(make([]byte, 1))
			conn.Close()
		}
		if err == nil {
			t.Fatalf("%s: a client without a certificate got through", l.name)
		}
	}

	// With one, telnets reaches the game: the banner, then an answer. No
	// server name is sent, as many classic clients do not.
	conn, err := tls.Dial("tcp", g.TelnetsAddr().String(), &tls.Config{RootCAs: roots, ServerName: "localhost", Certificates: []tls.Certificate{clientCert}})
	if err != nil {
		t.Fatalf("telnets with a client certificate: %v", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	readUntil(t, r, "What is your name?")
	conn.Write([]byte("Telnetter\r\n"))
	readUntil(t, r, "Password:")

	// And HTTPS serves the page to the same certificate.
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{clientCert}}}}
	defer client.CloseIdleConnections()
	_, port, _ := net.SplitHostPort(g.HTTPSAddr().String())
	resp, err := client.Get("https://localhost:" + port + "/")
	if err != nil {
		t.Fatalf("https with a client certificate: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET / = %d", resp.StatusCode)
	}
}

// readUntil reads until text has appeared, telnet commands and all.
func readUntil(t *testing.T, r *bufio.Reader, text string) {
	t.Helper()
	var seen []byte
	buf := make([]byte, 4096)
	for !strings.Contains(string(seen), text) {
		n, err := r.Read(buf)
		seen = append(seen, buf[:n]...)
		if err != nil {
			t.Fatalf("waiting for %q: %v; got %q", text, err, seen)
		}
	}
}

// TestAdminEndpoints checks the operator's listener: health, readiness
// and metrics.
func TestAdminEndpoints(t *testing.T) {
	t.Parallel()
	cfg := filesConfig(t, newTestCA(t, "CA"))
	g, stop, _ := startApp(t, cfg)
	admin := "http://" + g.AdminAddr().String()
	if got := get(t, admin+"/healthz"); got != "ok\n" {
		t.Fatalf("/healthz = %q", got)
	}
	waitReady(t, admin, 10*time.Second)
	m := get(t, admin+"/metrics")
	for _, want := range []string{"drawbridge_players 0", `drawbridge_certificate_renewal_failing{name="localhost"} 0`, "go_goroutines"} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q:\n%s", want, grepLines(m, "drawbridge_"))
		}
	}
	stop()
	if _, err := http.Get(admin + "/healthz"); err == nil {
		t.Fatal("admin listener still answers after shutdown")
	}
}
