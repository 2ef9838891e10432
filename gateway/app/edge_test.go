package app

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/acme"

	"github.com/drawbridge/drawbridge/gateway/internal/testpki"
)

// cacheEntry encodes a certificate the way autocert keeps it in its
// cache: the EC key, then the chain.
func cacheEntry(t *testing.T, c tls.Certificate) []byte {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(c.PrivateKey.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
	for _, b := range c.Certificate {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: b})...)
	}
	return out
}

// failingTransport is an ACME CA that cannot be reached.
type failingTransport struct{}

func (failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("the test's ACME CA is down")
}

// TestTelnetsNeverServesACME: the TLS telnet port, with client
// certificates required, refuses a handshake that offers acme-tls/1 even
// while a TLS-ALPN-01 token certificate exists (the HTTPS port's
// challenge exemption from mTLS must not reach it), whatever else the
// client offers; the HTTPS port still answers the challenge; a client
// without a certificate is refused as before, and one with a
// certificate from the client CA plays.
func TestTelnetsNeverServesACME(t *testing.T) {
	webCA, webCAKey := testpki.NewCA(t, "Web CA")
	site := testpki.NewLeaf(t, webCA, webCAKey, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "game.test"},
		DNSNames:    []string{"game.test"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	site.Certificate = append(site.Certificate, webCA.Raw)
	accountKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	token, err := (&acme.Client{Key: accountKey}).TLSALPN01ChallengeCert("token", "game.test")
	if err != nil {
		t.Fatal(err)
	}
	clientCA, clientCAKey := testpki.NewCA(t, "Client CA")
	player := testpki.NewLeaf(t, clientCA, clientCAKey, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "alice"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	clientCAFile := filepath.Join(t.TempDir(), "clients.pem")
	if err := os.WriteFile(clientCAFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: clientCA.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}

	cfg := testConfig(t)
	cfg.Web.Domains = []string{"game.test"}
	cfg.ACME.DirectoryURL = "https://acme.invalid/directory"
	cfg.ACMEHTTPClient = &http.Client{Transport: failingTransport{}}
	cfg.Telnets.Addr = "127.0.0.1:0"
	cfg.Telnets.ClientCAFile = clientCAFile
	logs := &syncBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// The site's certificate, and a token certificate as autocert keeps
	// it while a TLS-ALPN-01 validation is under way.
	cache := acmeCacheDir(cfg.StateDir, cfg.ACME.DirectoryURL)
	if err := os.MkdirAll(cache, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]tls.Certificate{"game.test": site, "game.test+token": token} {
		if err := os.WriteFile(filepath.Join(cache, name), cacheEntry(t, c), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	g, _ := start(t, cfg)
	for deadline := time.Now().Add(10 * time.Second); g.Certificate("game.test") == nil; {
		if time.Now().After(deadline) {
			t.Fatal("the cached certificate was not loaded")
		}
		time.Sleep(10 * time.Millisecond)
	}
	roots := x509.NewCertPool()
	roots.AddCert(webCA)

	// connect dials addr with c and returns what the game says first, or
	// the error that stopped the client getting there.
	connect := func(addr string, c *tls.Config) (*tls.Conn, string, error) {
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, c)
		if err != nil {
			return nil, "", err
		}
		t.Cleanup(func() { conn.Close() })
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		var got []byte
		buf := make([]byte, 512)
		for !bytes.Contains(got, []byte("name")) {
			n, err := conn.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				return conn, string(got), err
			}
		}
		return conn, string(got), nil
	}

	// The HTTPS port answers the CA with the token certificate.
	chal, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", g.HTTPSAddr().String(),
		&tls.Config{ServerName: "game.test", NextProtos: []string{acme.ALPNProto}, InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("TLS-ALPN-01 on the HTTPS port: %v", err)
	}
	if cs := chal.ConnectionState(); cs.NegotiatedProtocol != acme.ALPNProto || !bytes.Equal(cs.PeerCertificates[0].Raw, token.Certificate[0]) {
		t.Errorf("TLS-ALPN-01 on the HTTPS port: protocol %q, token certificate served %v", cs.NegotiatedProtocol,
			bytes.Equal(cs.PeerCertificates[0].Raw, token.Certificate[0]))
	}
	chal.Close()

	telnets := g.TelnetsAddr().String()
	for _, tc := range []struct {
		name   string
		protos []string
		certs  []tls.Certificate
	}{
		{"only acme-tls/1, no certificate", []string{acme.ALPNProto}, nil},
		{"only acme-tls/1, with a certificate", []string{acme.ALPNProto}, []tls.Certificate{player}},
		{"acme-tls/1 among others, with a certificate", []string{"telnet", acme.ALPNProto}, []tls.Certificate{player}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// As an attacker would: no check of the server's certificate.
			_, got, err := connect(telnets, &tls.Config{ServerName: "game.test", NextProtos: tc.protos,
				Certificates: tc.certs, InsecureSkipVerify: true})
			if err == nil || strings.Contains(got, "name") {
				t.Fatalf("got %q, %v: want the handshake refused before the game", got, err)
			}
		})
	}
	waitLog(t, logs, "level=WARN", "telnets: handshake failed", "acme-tls/1", "no ACME")

	t.Run("no certificate", func(t *testing.T) {
		_, got, err := connect(telnets, &tls.Config{ServerName: "game.test", RootCAs: roots})
		if err == nil || !strings.Contains(err.Error(), "certificate required") {
			t.Fatalf("got %q, %v: want the server to require a certificate", got, err)
		}
	})
	t.Run("certificate from the client CA", func(t *testing.T) {
		_, got, err := connect(telnets, &tls.Config{ServerName: "game.test", RootCAs: roots, Certificates: []tls.Certificate{player}})
		if err != nil {
			t.Fatalf("got %q, %v: want the game's greeting", got, err)
		}
	})
}

// TestRedirectsOnlyToOwnNames: in self-signed mode without domains, the
// plain-HTTP port redirects localhost to HTTPS and refuses a foreign
// Host instead of sending the browser there.
func TestRedirectsOnlyToOwnNames(t *testing.T) {
	g, _ := start(t, testConfig(t))
	c := client(g)
	defer c.CloseIdleConnections()
	get := func(host string) *http.Response {
		req, err := http.NewRequest(http.MethodGet, "http://"+g.HTTPAddr().String()+"/a?b=c", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp, want := get("localhost:"+port(g.HTTPAddr())), "https://localhost:"+port(g.HTTPSAddr())+"/a?b=c"; resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != want {
		t.Errorf("localhost: %d to %q, want 308 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	if resp := get("evil.example"); resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Errorf("evil.example: %d to %q, want 400 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestTLSProfileSetting: tls.profile is validated with the cipher suites
// it allows; by default HTTPS refuses a TLS 1.2 client with only CBC
// suites, and "compatible" takes it. The log names the profile.
func TestTLSProfileSetting(t *testing.T) {
	for _, tc := range []struct {
		profile string
		suites  []string
		want    string // "" for valid
	}{
		{"modern", nil, ""},
		{"compatible", nil, ""},
		{"intermediate", nil, `tls.profile: "intermediate" is not one of modern, compatible`},
		{"modern", []string{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
			`tls.cipher_suites: cipher suite TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA is not allowed by the TLS profile "modern"`},
		{"compatible", []string{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"}, ""},
	} {
		c := testConfig(t)
		c.TLS.Profile, c.TLS.CipherSuites = tc.profile, tc.suites
		err := c.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("profile %q, suites %q: %v, want valid", tc.profile, tc.suites, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("profile %q, suites %q: %v, want an error saying %q", tc.profile, tc.suites, err, tc.want)
		}
	}

	cbc := []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA}
	for _, tc := range []struct {
		profile string
		ok      bool
	}{{"modern", false}, {"compatible", true}} {
		t.Run(tc.profile, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.TLS.Profile = tc.profile
			logs := &syncBuffer{}
			cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
			g, _ := start(t, cfg)
			pool := x509.NewCertPool()
			pool.AddCert(g.Certificate("localhost"))
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", g.HTTPSAddr().String(),
				&tls.Config{RootCAs: pool, ServerName: "localhost", MaxVersion: tls.VersionTLS12, CipherSuites: cbc})
			if err == nil {
				c.Close()
			}
			if got := err == nil; got != tc.ok {
				t.Errorf("TLS 1.2 with only CBC suites: connected %v (%v), want %v", got, err, tc.ok)
			}
			waitLog(t, logs, `msg="TLS profile"`, "profile="+tc.profile)
		})
	}
}
