package edge

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSelfSignedCreatedAndKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

	first, err := LoadOrCreateSelfSigned(dir, nil, now, nil)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	leaf := first.Leaf
	pub, ok := leaf.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		t.Fatalf("key is %T, want ECDSA P-256", leaf.PublicKey)
	}
	for _, h := range []string{"localhost", "127.0.0.1", "::1"} {
		if err := leaf.VerifyHostname(h); err != nil {
			t.Errorf("certificate does not cover %s: %v", h, err)
		}
	}
	if err := leaf.VerifyHostname("example.com"); err == nil {
		t.Errorf("certificate covers example.com, want only local names")
	}
	for name, want := range map[string]os.FileMode{"": 0o700, SelfSignedKeyFile: 0o600} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("mode of %q = %o, want %o", name, got, want)
		}
	}

	// A restart a month later keeps the same certificate.
	again, err := LoadOrCreateSelfSigned(dir, nil, now.Add(30*24*time.Hour), nil)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	if again.Leaf.SerialNumber.Cmp(leaf.SerialNumber) != 0 {
		t.Errorf("certificate replaced on restart, want it kept")
	}

	// Close to expiry, or asked for a name it lacks, it is replaced.
	late, err := LoadOrCreateSelfSigned(dir, nil, leaf.NotAfter.Add(-24*time.Hour), nil)
	if err != nil {
		t.Fatalf("renew: %v", err)
	}
	if late.Leaf.SerialNumber.Cmp(leaf.SerialNumber) == 0 {
		t.Errorf("certificate near expiry was kept, want a new one")
	}
	other, err := LoadOrCreateSelfSigned(dir, []string{"play.test", "10.0.0.1"}, now, nil)
	if err != nil {
		t.Fatalf("new hosts: %v", err)
	}
	if err := other.Leaf.VerifyHostname("play.test"); err != nil {
		t.Errorf("new certificate does not cover play.test: %v", err)
	}
}

func TestSelfSignedReplacesBrokenFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, SelfSignedCertFile), []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, SelfSignedKeyFile), []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := LoadOrCreateSelfSigned(dir, nil, time.Now(), nil)
	if err != nil {
		t.Fatalf("got %v, want a fresh certificate", err)
	}
	if cert.Leaf == nil {
		t.Fatal("no leaf")
	}
}

func TestSelfSignedUnwritableDir(t *testing.T) {
	// A path under a regular file fails even for root, who ignores modes.
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateSelfSigned(filepath.Join(f, "sub"), nil, time.Now(), nil); err == nil {
		t.Fatal("got nil error for a directory under a file")
	}
}

func TestRedirectHandler(t *testing.T) {
	tests := []struct {
		name, method, target, host, port string
		wantCode                         int
		wantLoc                          string
	}{
		{"path and query kept", "GET", "/play?x=1&y=%20z", "localhost:8080", "8443", http.StatusPermanentRedirect, "https://localhost:8443/play?x=1&y=%20z"},
		{"default port dropped", "GET", "/", "game.example", "443", http.StatusPermanentRedirect, "https://game.example/"},
		{"head", "HEAD", "/a", "game.example:80", "443", http.StatusPermanentRedirect, "https://game.example/a"},
		{"ipv6", "GET", "/", "[::1]:8080", "8443", http.StatusPermanentRedirect, "https://[::1]:8443/"},
		{"bare ipv6 to 443", "GET", "/x", "[2001:db8::1]", "443", http.StatusPermanentRedirect, "https://[2001:db8::1]/x"},
		{"ipv6 port 80 to 443", "GET", "/", "[2001:db8::1]:80", "443", http.StatusPermanentRedirect, "https://[2001:db8::1]/"},
		{"post refused", "POST", "/api/login", "game.example", "443", http.StatusMethodNotAllowed, ""},
		{"bad host", "GET", "/", "evil.example/x@y", "443", http.StatusBadRequest, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, nil)
			r.Host = tc.host
			w := httptest.NewRecorder()
			RedirectHandler(tc.port).ServeHTTP(w, r)
			if w.Code != tc.wantCode {
				t.Fatalf("code = %d, want %d", w.Code, tc.wantCode)
			}
			if got := w.Header().Get("Location"); got != tc.wantLoc {
				t.Fatalf("Location = %q, want %q", got, tc.wantLoc)
			}
		})
	}
}
