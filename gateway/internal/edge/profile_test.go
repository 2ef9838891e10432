package edge

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	acmeOK := Config{Mode: ModeACME, Domains: []string{"game.example"}, StateDir: "/var/lib/drawbridge"}
	tests := []struct {
		name   string
		modify func(*Config)
		want   string // "" for valid
	}{
		{"acme ok", func(c *Config) {}, ""},
		{"acme trailing dot and case", func(c *Config) { c.Domains = []string{"Game.Example."} }, ""},
		{"acme no domains", func(c *Config) { c.Domains = nil }, "at least one domain"},
		{"acme ip", func(c *Config) { c.Domains = []string{"192.0.2.1"} }, "is an IP address"},
		{"acme wildcard", func(c *Config) { c.Domains = []string{"*.game.example"} }, "wildcards"},
		{"acme single label", func(c *Config) { c.Domains = []string{"localhost"} }, "has no dot"},
		{"acme port", func(c *Config) { c.Domains = []string{"game.example:443"} }, "not allowed"},
		{"acme unicode", func(c *Config) { c.Domains = []string{"jeu.exemple.fr", "café.example"} }, "xn--"},
		{"acme duplicate", func(c *Config) { c.Domains = []string{"game.example", "GAME.example"} }, "listed twice"},
		{"acme no state", func(c *Config) { c.StateDir = "" }, "state directory"},
		{"acme cache dir only", func(c *Config) { c.StateDir, c.CacheDir = "", "/var/cache/acme" }, ""},
		{"acme bad url", func(c *Config) { c.DirectoryURL = "acme.example/dir" }, "not an http(s) URL"},
		{"acme bad email", func(c *Config) { c.Email = "ops.example" }, "no @"},
		{"eab half", func(c *Config) { c.EABKeyID = "kid-1" }, "both a key ID and an HMAC key"},
		{"eab bad key", func(c *Config) { c.EABKeyID, c.EABHMACKey = "kid-1", "not base64!" }, "not base64url"},
		{"eab ok", func(c *Config) {
			c.EABKeyID, c.EABHMACKey = "kid-1", "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W"
		}, ""},
		{"client and roots", func(c *Config) { c.HTTPClient, c.DirectoryRoots = &http.Client{}, x509.NewCertPool() }, "not both"},
		{"retry order", func(c *Config) { c.RetryMin, c.RetryMax = time.Hour, time.Minute }, "above the maximum"},
		{"negative", func(c *Config) { c.RenewBefore = -time.Hour }, "negative"},
		{"bad mode", func(c *Config) { c.Mode = "auto" }, `mode "auto"`},
		{"files without files", func(c *Config) { c.Mode = ModeFiles }, "certificate file is not set"},
		{"self-signed without state", func(c *Config) { c.Mode, c.StateDir = ModeSelfSigned, "" }, "state directory"},
		{"tls 1.1", func(c *Config) { c.MinVersion = tls.VersionTLS11 }, "want TLS 1.2 or 1.3"},
		{"tls 1.3", func(c *Config) { c.MinVersion = tls.VersionTLS13 }, ""},
		{"suites ok", func(c *Config) {
			c.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}
		}, ""},
		{"suites without ecdsa", func(c *Config) { c.CipherSuites = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256} }, "ECDSA key"},
		{"suites insecure", func(c *Config) {
			c.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_128_GCM_SHA256}
		}, "insecure"},
		{"suites tls13", func(c *Config) {
			c.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_AES_128_GCM_SHA256}
		}, "TLS 1.3 suite"},
		{"profile compatible", func(c *Config) { c.Profile = ProfileCompatible }, ""},
		{"profile modern", func(c *Config) { c.Profile = ProfileModern }, ""},
		{"profile unknown", func(c *Config) { c.Profile = "intermediate" }, `TLS profile "intermediate"`},
		{"cbc suite with the modern profile", func(c *Config) {
			c.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}
		}, `TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA is not allowed by the TLS profile "modern"`},
		{"cbc suite with the compatible profile", func(c *Config) {
			c.Profile = ProfileCompatible
			c.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}
		}, ""},
		{"suites with 1.3 minimum", func(c *Config) {
			c.MinVersion, c.CipherSuites = tls.VersionTLS13, []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
		}, "TLS 1.2 only"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := acmeOK
			tc.modify(&c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
	if err := (Config{StateDir: t.TempDir()}).Validate(); err != nil {
		t.Errorf("zero Config with a state dir: got %v, want valid (self-signed)", err)
	}
}

func TestParseCipherSuites(t *testing.T) {
	tests := []struct {
		names []string
		want  []uint16
		err   string
	}{
		{[]string{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", " TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
			[]uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}, ""},
		{[]string{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM"}, nil, "unknown cipher suite"},
		{[]string{"TLS_RSA_WITH_AES_128_CBC_SHA"}, nil, "insecure"},
		{[]string{"TLS_CHACHA20_POLY1305_SHA256"}, nil, "TLS 1.3 suite"},
		{[]string{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}, nil, "listed twice"},
	}
	for _, tc := range tests {
		got, err := ParseCipherSuites(tc.names)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseCipherSuites(%q): got %v, want error %q", tc.names, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ParseCipherSuites(%q) = %v, %v, want %v", tc.names, got, err, tc.want)
		}
	}
}

func TestParseProfile(t *testing.T) {
	tests := []struct {
		in   string
		want Profile
		ok   bool
	}{
		{"", ProfileModern, true}, {"modern", ProfileModern, true}, {" Compatible ", ProfileCompatible, true},
		{"intermediate", "", false}, {"old", "", false},
	}
	for _, tc := range tests {
		got, err := ParseProfile(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseProfile(%q) = %q, %v, want %q (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestParseTLSVersion(t *testing.T) {
	tests := []struct {
		in   string
		want uint16
		ok   bool
	}{
		{"1.2", tls.VersionTLS12, true}, {"TLS1.3", tls.VersionTLS13, true}, {"tls13", tls.VersionTLS13, true},
		{"1.1", 0, false}, {"", 0, false},
	}
	for _, tc := range tests {
		got, err := ParseTLSVersion(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseTLSVersion(%q) = %v, %v, want %v (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func selfSignedEdge(t *testing.T, modify func(*Config)) *Edge {
	t.Helper()
	cfg := Config{StateDir: filepath.Join(t.TempDir(), "state"), SelfSignedHosts: []string{"game.test"}}
	if modify != nil {
		modify(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestTLSProfile checks what clients can negotiate.
func TestTLSProfile(t *testing.T) {
	e := selfSignedEdge(t, nil)
	cfg := e.TLSConfig("h2", "http/1.1")
	if cfg.CurvePreferences != nil || !slices.Equal(cfg.CipherSuites, ModernCipherSuites()) {
		t.Errorf("curves %v, suites %v: want Go's curves (nil) and the modern suites", cfg.CurvePreferences, cfg.CipherSuites)
	}
	if got, want := cfg.NextProtos, []string{"h2", "http/1.1"}; !slices.Equal(got, want) {
		t.Errorf("NextProtos = %v, want %v", got, want)
	}
	leaf := e.Status()[0]
	pool := x509.NewCertPool()
	cert, _ := cfg.GetCertificate(&tls.ClientHelloInfo{})
	pool.AddCert(cert.Leaf)
	srv := startTLSServer(t, cfg)

	strict := selfSignedEdge(t, func(c *Config) { c.MinVersion = tls.VersionTLS13 })
	strictSrv := startTLSServer(t, strict.TLSConfig())
	spool := x509.NewCertPool()
	scert, _ := strict.TLSConfig().GetCertificate(&tls.ClientHelloInfo{})
	spool.AddCert(scert.Leaf)

	listed := selfSignedEdge(t, func(c *Config) {
		c.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
	})
	listedSrv := startTLSServer(t, listed.TLSConfig())
	lpool := x509.NewCertPool()
	lcert, _ := listed.TLSConfig().GetCertificate(&tls.ClientHelloInfo{})
	lpool.AddCert(lcert.Leaf)

	tests := []struct {
		name   string
		addr   string
		client *tls.Config
		ok     bool
	}{
		{"tls 1.1 refused", srv.addr(), &tls.Config{RootCAs: pool, ServerName: "game.test", MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}, false},
		{"tls 1.2", srv.addr(), &tls.Config{RootCAs: pool, ServerName: "game.test", MaxVersion: tls.VersionTLS12}, true},
		{"tls 1.3", srv.addr(), &tls.Config{RootCAs: pool, ServerName: "game.test"}, true},
		{"1.3 minimum refuses 1.2", strictSrv.addr(), &tls.Config{RootCAs: spool, ServerName: "game.test", MaxVersion: tls.VersionTLS12}, false},
		{"1.3 minimum takes 1.3", strictSrv.addr(), &tls.Config{RootCAs: spool, ServerName: "game.test"}, true},
		{"listed suite", listedSrv.addr(), &tls.Config{RootCAs: lpool, ServerName: "game.test", MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}}, true},
		{"unlisted suite", listedSrv.addr(), &tls.Config{RootCAs: lpool, ServerName: "game.test", MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := dial(t, tc.addr, tc.client)
			if err == nil {
				err = echo(c, "ping")
			}
			if got := err == nil; got != tc.ok {
				t.Errorf("connected = %v (%v), want %v", got, err, tc.ok)
			}
		})
	}

	// Go's default key exchange, hybrid post-quantum, stays on.
	c, err := dial(t, srv.addr(), &tls.Config{RootCAs: pool, ServerName: "game.test"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.ConnectionState().CurveID, tls.X25519MLKEM768; got != want {
		t.Errorf("key exchange = %v, want %v", got, want)
	}
	if got := c.ConnectionState().PeerCertificates[0].PublicKeyAlgorithm; got != x509.ECDSA {
		t.Errorf("certificate key = %v, want ECDSA", got)
	}
	if leaf.Source != ModeSelfSigned || leaf.NotAfter.IsZero() {
		t.Errorf("Status = %+v, want a self-signed certificate with an expiry", leaf)
	}
}

// TestProfileCipherSuites: by default TLS 1.2 offers only ECDHE with
// AEAD ciphers, so a client that has nothing but CBC suites is refused;
// the compatible profile, Go's own defaults, takes it. The log names the
// profile.
func TestProfileCipherSuites(t *testing.T) {
	cbc := []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
		tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	}
	var logs logBuffer
	modern := selfSignedEdge(t, func(c *Config) { c.Logger = logs.logger() })
	compatible := selfSignedEdge(t, func(c *Config) { c.Profile = ProfileCompatible })
	tests := []struct {
		name   string
		edge   *Edge
		suites []uint16
		ok     bool
	}{
		{"default refuses CBC", modern, cbc, false},
		{"default takes AES-GCM", modern, []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}, true},
		{"default takes AES-256-GCM", modern, []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}, true},
		{"default takes ChaCha20", modern, []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}, true},
		{"compatible takes CBC", compatible, cbc, true},
		{"compatible takes AES-GCM", compatible, []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, cfg := range []*tls.Config{tc.edge.TLSConfig("h2", "http/1.1"), tc.edge.TLSConfigNoACME(nil)} {
				srv := startTLSServer(t, cfg)
				c, err := dial(t, srv.addr(), &tls.Config{InsecureSkipVerify: true, ServerName: "game.test",
					MaxVersion: tls.VersionTLS12, CipherSuites: tc.suites})
				if err == nil {
					err = echo(c, "ping")
				}
				if got := err == nil; got != tc.ok {
					t.Errorf("connected = %v (%v), want %v", got, err, tc.ok)
				}
			}
		})
	}
	if l := logs.String(); !strings.Contains(l, `msg="TLS profile" profile=modern`) {
		t.Errorf("the profile is not logged:\n%s", l)
	}
}

// TestClientCertificates checks mTLS: no certificate or one from another
// CA is refused, one from the client CA is let in.
func TestClientCertificates(t *testing.T) {
	clients := newTestCA(t, "Client CA")
	stranger := newTestCA(t, "Other CA")
	e := selfSignedEdge(t, func(c *Config) { c.ClientCAs = clients.pool })
	srv := startTLSServer(t, e.TLSConfig())
	serverCert, _ := e.TLSConfig().GetCertificate(&tls.ClientHelloInfo{})
	roots := x509.NewCertPool()
	roots.AddCert(serverCert.Leaf)

	good := clients.issue(t, []string{"player"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), true).tlsCert()
	bad := stranger.issue(t, []string{"player"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), true).tlsCert()
	tests := []struct {
		name  string
		certs []tls.Certificate
		max   uint16
		ok    bool
	}{
		{"no certificate", nil, 0, false},
		{"no certificate, tls 1.2", nil, tls.VersionTLS12, false},
		{"other CA", []tls.Certificate{bad}, 0, false},
		{"client CA", []tls.Certificate{good}, 0, true},
		{"client CA, tls 1.2", []tls.Certificate{good}, tls.VersionTLS12, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := dial(t, srv.addr(), &tls.Config{RootCAs: roots, ServerName: "game.test", Certificates: tc.certs, MaxVersion: tc.max})
			if err == nil {
				// With TLS 1.3 the server's verdict on the client
				// certificate arrives after the client's handshake.
				err = echo(c, "ping")
			}
			if got := err == nil; got != tc.ok {
				t.Errorf("connected = %v (%v), want %v", got, err, tc.ok)
			}
		})
	}
}

func TestHTTPHandlerRedirectsOnlyToDomains(t *testing.T) {
	ca := newTestCA(t, "Files CA")
	cfg := filesConfig(t, ca.serverCert(t, "game.example"))
	cfg.Domains = []string{"game.example", "www.game.example"}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := e.HTTPHandler(RedirectHandler("443"))
	tests := []struct{ host, want string }{
		{"game.example", "https://game.example/x?y=1"},
		{"WWW.game.example:80", "https://www.game.example/x?y=1"},
		{"203.0.113.7", "https://game.example/x?y=1"},
		{"evil.example", "https://game.example/x?y=1"},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", "/x?y=1", nil)
		r.Host = tc.host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if got := w.Header().Get("Location"); got != tc.want {
			t.Errorf("Host %s: Location = %q, want %q", tc.host, got, tc.want)
		}
	}

	// Without domains, the fallback sees the request as it came.
	plain := selfSignedEdge(t, nil).HTTPHandler(nil)
	r := httptest.NewRequest("GET", "/a", nil)
	r.Host = "localhost:8080"
	w := httptest.NewRecorder()
	plain.ServeHTTP(w, r)
	if got, want := w.Header().Get("Location"), "https://localhost/a"; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
}

// TestHTTPHandlerWithoutDomains: with no web domains (self-signed, or
// files), plain-HTTP requests are redirected only for localhost, loopback
// addresses and the names the certificate covers; any other Host gets a
// 400 that does not repeat it, never a redirect to it.
func TestHTTPHandlerWithoutDomains(t *testing.T) {
	ca := newTestCA(t, "Files CA")
	files, err := New(filesConfig(t, ca.serverCert(t, "game.example", "*.game.example", "192.0.2.7")))
	if err != nil {
		t.Fatal(err)
	}
	edges := map[string]*Edge{
		"self-signed": selfSignedEdge(t, func(c *Config) { c.SelfSignedHosts = []string{"localhost", "game.test", "192.0.2.8"} }),
		"files":       files,
	}
	tests := []struct {
		edge, host, want string // want "" for a 400
	}{
		{"self-signed", "localhost:8080", "https://localhost:8443/x?y=1"},
		{"self-signed", "LOCALHOST.", "https://localhost:8443/x?y=1"},
		{"self-signed", "127.0.0.1:8080", "https://127.0.0.1:8443/x?y=1"},
		{"self-signed", "[::1]:8080", "https://[::1]:8443/x?y=1"},
		{"self-signed", "[::1]", "https://[::1]:8443/x?y=1"},
		{"self-signed", "game.test:8080", "https://game.test:8443/x?y=1"},
		{"self-signed", "192.0.2.8:8080", "https://192.0.2.8:8443/x?y=1"},
		{"self-signed", "evil.example", ""},
		{"self-signed", "evil.example:8080", ""},
		{"self-signed", "game.test.evil.example", ""},
		{"self-signed", "192.0.2.9", ""},
		{"files", "game.example", "https://game.example:8443/x?y=1"},
		{"files", "www.game.example:8080", "https://www.game.example:8443/x?y=1"},
		{"files", "192.0.2.7", "https://192.0.2.7:8443/x?y=1"},
		{"files", "localhost", "https://localhost:8443/x?y=1"},
		{"files", "a.b.game.example", ""},
		{"files", "evil.example", ""},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", "/x?y=1", nil)
		r.Host = tc.host
		w := httptest.NewRecorder()
		edges[tc.edge].HTTPHandler(RedirectHandler("8443")).ServeHTTP(w, r)
		loc := w.Header().Get("Location")
		switch {
		case tc.want != "" && (w.Code != http.StatusPermanentRedirect || loc != tc.want):
			t.Errorf("%s, Host %s: %d to %q, want 308 to %q", tc.edge, tc.host, w.Code, loc, tc.want)
		case tc.want == "" && (w.Code != http.StatusBadRequest || loc != "" || strings.Contains(w.Body.String(), "evil") || strings.Contains(w.Body.String(), "192.0.2.9")):
			t.Errorf("%s, Host %s: %d to %q, body %q; want 400 without a redirect or the Host", tc.edge, tc.host, w.Code, loc, w.Body.String())
		}
	}
}

func TestLoadClientCAs(t *testing.T) {
	dir := t.TempDir()
	ca := newTestCA(t, "Client CA")
	good := filepath.Join(dir, "ca.pem")
	writeFile(t, good, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}))
	junk := filepath.Join(dir, "junk.pem")
	writeFile(t, junk, []byte("not a certificate"))
	tests := []struct {
		path, want string
	}{
		{good, ""},
		{junk, "junk.pem: no PEM certificate found"},
		{filepath.Join(dir, "missing.pem"), "missing.pem: file not found"},
	}
	for _, tc := range tests {
		pool, err := LoadClientCAs(tc.path)
		switch {
		case tc.want == "" && (err != nil || pool == nil):
			t.Errorf("LoadClientCAs(%s) = %v, %v, want a pool", tc.path, pool, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("LoadClientCAs(%s): got %v, want an error ending %q", tc.path, err, tc.want)
		}
	}
}
