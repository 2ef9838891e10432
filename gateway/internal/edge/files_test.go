package edge

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// filesConfig writes l to cert.pem and key.pem in a temporary directory
// and returns a files-mode Config for them.
func filesConfig(t *testing.T, l *leaf) Config {
	t.Helper()
	dir := t.TempDir()
	cfg := Config{
		Mode:     ModeFiles,
		CertFile: filepath.Join(dir, "fullchain.pem"),
		KeyFile:  filepath.Join(dir, "privkey.pem"),
	}
	writeFile(t, cfg.CertFile, l.certPEM)
	writeFile(t, cfg.KeyFile, l.keyPEM)
	return cfg
}

func TestFilesStartupErrors(t *testing.T) {
	ca := newTestCA(t, "Files CA")
	good := ca.serverCert(t, "game.test")
	other := ca.serverCert(t, "game.test")
	expired := ca.issue(t, []string{"game.test"}, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC), false)

	//lint:ignore SA1019 tests the legacy format the gateway accepts
	legacyBlock, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", mustECDER(t, good), []byte("s3cret"), x509.PEMCipherAES256)
	if err != nil {
		t.Fatal(err)
	}
	legacyPEM := pem.EncodeToMemory(legacyBlock)

	tests := []struct {
		name     string
		cert     []byte // nil: do not write the file
		key      []byte
		password string
		wantFile string // "cert" or "key"
		want     string // in the problem
	}{
		{"missing certificate", nil, good.keyPEM, "", "cert", "file not found"},
		{"missing key", good.certPEM, nil, "", "key", "file not found"},
		{"empty certificate", []byte{}, good.keyPEM, "", "cert", "no PEM data"},
		{"garbage certificate", []byte("hello"), good.keyPEM, "", "cert", "no PEM data"},
		{"key in the certificate file", good.keyPEM, good.keyPEM, "", "cert", "no CERTIFICATE block"},
		{"half-written certificate", good.certPEM[:len(good.certPEM)/2], good.keyPEM, "", "cert", "cut short"},
		{"empty key", good.certPEM, []byte{}, "", "key", "no PEM data"},
		{"certificate in the key file", good.certPEM, good.certPEM, "", "key", "no PRIVATE KEY block"},
		{"key of another certificate", good.certPEM, other.keyPEM, "", "key", "does not match the certificate"},
		{"expired", expired.certPEM, expired.keyPEM, "", "cert", "expired on 2024-03-01T12:00:00Z"},
		{"encrypted key without password", good.certPEM, legacyPEM, "", "key", "set the key password"},
		{"encrypted key, wrong password", good.certPEM, legacyPEM, "wrong", "key", "wrong key password"},
		{"encrypted PKCS#8", good.certPEM, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1, 2, 3}}), "x", "key", "not supported"},
		{"malformed key", good.certPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}), "", "key", "malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := Config{Mode: ModeFiles, CertFile: filepath.Join(dir, "cert.pem"), KeyFile: filepath.Join(dir, "key.pem"), KeyPassword: []byte(tc.password)}
			if tc.cert != nil {
				mustWrite(t, cfg.CertFile, tc.cert, 0o644)
			}
			if tc.key != nil {
				mustWrite(t, cfg.KeyFile, tc.key, 0o600)
			}
			_, err := New(cfg)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("New: got %v, want a *FileError", err)
			}
			wantPath := cfg.CertFile
			if tc.wantFile == "key" {
				wantPath = cfg.KeyFile
			}
			if fe.Path != wantPath {
				t.Errorf("file = %v, want %v (error %q)", fe.Path, wantPath, err)
			}
			if !strings.Contains(fe.Problem, tc.want) {
				t.Errorf("problem = %q, want it to say %q", fe.Problem, tc.want)
			}
			if !strings.Contains(err.Error(), wantPath) {
				t.Errorf("error %q does not name %s", err, wantPath)
			}
		})
	}
}

func mustECDER(t *testing.T, l *leaf) []byte {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(l.key.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestFilesPermissionDenied(t *testing.T) {
	// Root reads any file, so the mode bits cannot produce EACCES here;
	// the message is checked on the error os.ReadFile would return.
	err := describeReadError(whatKey, "/etc/drawbridge/key.pem", &fs.PathError{Op: "open", Path: "/etc/drawbridge/key.pem", Err: syscall.EACCES})
	if got, want := err.Error(), "key file /etc/drawbridge/key.pem: permission denied"; !strings.HasPrefix(got, want) {
		t.Errorf("got %q, want it to start with %q", got, want)
	}
	if !errors.Is(err, fs.ErrPermission) {
		t.Errorf("errors.Is(err, fs.ErrPermission) = false, want true")
	}
	if os.Geteuid() == 0 {
		return
	}
	ca := newTestCA(t, "Files CA")
	cfg := filesConfig(t, ca.serverCert(t, "game.test"))
	if err := os.Chmod(cfg.KeyFile, 0); err != nil {
		t.Fatal(err)
	}
	_, err = New(cfg)
	if err == nil || !strings.Contains(err.Error(), "permission denied") || !strings.Contains(err.Error(), cfg.KeyFile) {
		t.Errorf("New: got %v, want permission denied naming %s", err, cfg.KeyFile)
	}
}

func TestFilesEncryptedKey(t *testing.T) {
	ca := newTestCA(t, "Files CA")
	l := ca.serverCert(t, "game.test")
	//lint:ignore SA1019 tests the legacy format the gateway accepts
	block, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", mustECDER(t, l), []byte("s3cret"), x509.PEMCipherAES256)
	if err != nil {
		t.Fatal(err)
	}
	cfg := filesConfig(t, l)
	writeFile(t, cfg.KeyFile, pem.EncodeToMemory(block))
	cfg.KeyPassword = []byte("s3cret")
	e, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if got, want := e.Status()[0].Serial, serialHex(l.cert); got != want {
		t.Errorf("serial = %v, want %v", got, want)
	}
}

func TestFilesCombinedFile(t *testing.T) {
	ca := newTestCA(t, "Files CA")
	l := ca.serverCert(t, "game.test")
	cfg := filesConfig(t, l)
	writeFile(t, cfg.CertFile, append(append([]byte{}, l.keyPEM...), l.certPEM...))
	cfg.KeyFile = cfg.CertFile
	if _, err := New(cfg); err != nil {
		t.Fatalf("New with key and chain in one file: %v", err)
	}
}

// TestFilesHotReload replaces the files under a running edge: new
// handshakes get the new certificate, a connection opened before keeps
// working with the old one, and broken or expired replacements are
// refused while the last good certificate keeps being served.
func TestFilesHotReload(t *testing.T) {
	ca := newTestCA(t, "Files CA")
	first := ca.serverCert(t, "game.test")
	second := ca.serverCert(t, "game.test")
	cfg := filesConfig(t, first)
	cfg.ReloadInterval = 5 * time.Millisecond
	var logs logBuffer
	cfg.Logger = logs.logger()
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	runEdge(t, e)
	srv := startTLSServer(t, e.TLSConfig())
	client := &tls.Config{RootCAs: ca.pool, ServerName: "game.test"}

	before, err := dial(t, srv.addr(), client)
	if err != nil {
		t.Fatal(err)
	}
	if err := echo(before, "hello"); err != nil {
		t.Fatal(err)
	}
	if got, want := serialHex(before.ConnectionState().PeerCertificates[0]), serialHex(first.cert); got != want {
		t.Fatalf("first handshake: serial %v, want %v", got, want)
	}

	writeFile(t, cfg.KeyFile, second.keyPEM)
	writeFile(t, cfg.CertFile, second.certPEM)
	eventually(t, 5*time.Second, "the watcher to load the new certificate", func() bool {
		return e.Status()[0].Serial == serialHex(second.cert)
	})
	if got, want := servedSerial(t, srv.addr(), client), serialHex(second.cert); got != want {
		t.Errorf("after reload: serial %v, want %v", got, want)
	}
	if err := echo(before, "still there"); err != nil {
		t.Errorf("connection opened before the reload: %v", err)
	}
	if got, want := serialHex(before.ConnectionState().PeerCertificates[0]), serialHex(first.cert); got != want {
		t.Errorf("old connection's certificate: serial %v, want %v", got, want)
	}
	if !strings.Contains(logs.String(), "certificate reloaded") {
		t.Errorf("log has no reload line:\n%s", logs.String())
	}

	// Half-written key: refused, logged naming the file, old one served.
	// (The swap above may have logged a mismatch between the two writes.)
	failuresBefore := strings.Count(logs.String(), "certificate reload failed")
	writeFile(t, cfg.KeyFile, second.keyPEM[:40])
	eventually(t, 5*time.Second, "the failed reload to show in Status", func() bool {
		return e.Status()[0].LastError != ""
	})
	st := e.Status()[0]
	if !strings.Contains(st.LastError, cfg.KeyFile) {
		t.Errorf("LastError = %q, want it to name %s", st.LastError, cfg.KeyFile)
	}
	if got, want := st.Serial, serialHex(second.cert); got != want {
		t.Errorf("serial after failed reload = %v, want %v (kept)", got, want)
	}
	if got, want := servedSerial(t, srv.addr(), client), serialHex(second.cert); got != want {
		t.Errorf("served after failed reload: %v, want %v", got, want)
	}
	if l := logs.String(); !strings.Contains(l, "certificate reload failed") || !strings.Contains(l, cfg.KeyFile) {
		t.Errorf("log does not report the failed reload naming the file:\n%s", l)
	}
	// Further checks of the same broken files log nothing more.
	e.files.reload(true)
	e.files.reload(true)
	if n := strings.Count(logs.String(), "certificate reload failed") - failuresBefore; n != 1 {
		t.Errorf("failed reload logged %d times, want once (until the files change again)", n)
	}

	// Restored: the error clears.
	writeFile(t, cfg.KeyFile, second.keyPEM)
	eventually(t, 5*time.Second, "the error to clear", func() bool {
		return e.Status()[0].LastError == ""
	})

	// Reload on demand reports what is wrong; an expired pair is refused.
	expired := ca.issue(t, []string{"game.test"}, time.Now().Add(-48*time.Hour), time.Now().Add(-time.Hour), false)
	writeFile(t, cfg.KeyFile, expired.keyPEM)
	writeFile(t, cfg.CertFile, expired.certPEM)
	err = e.Reload()
	if err == nil || !strings.Contains(err.Error(), "expired on") || !strings.Contains(err.Error(), cfg.CertFile) {
		t.Errorf("Reload with an expired certificate: got %v, want an error naming %s and the expiry", err, cfg.CertFile)
	}
	if got, want := servedSerial(t, srv.addr(), client), serialHex(second.cert); got != want {
		t.Errorf("served after refused reload: %v, want %v", got, want)
	}
	if err := echo(before, "and still"); err != nil {
		t.Errorf("connection opened before the first reload: %v", err)
	}
}

// TestFilesReloadOnDemand reloads without the watcher (which is not
// running) through Reload.
func TestFilesReloadOnDemand(t *testing.T) {
	ca := newTestCA(t, "Files CA")
	first, second := ca.serverCert(t, "game.test"), ca.serverCert(t, "game.test")
	cfg := filesConfig(t, first)
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, cfg.CertFile, second.certPEM)
	writeFile(t, cfg.KeyFile, second.keyPEM)
	if err := e.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	cert, err := e.TLSConfig().GetCertificate(&tls.ClientHelloInfo{ServerName: "game.test"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := serialHex(cert.Leaf), serialHex(second.cert); got != want {
		t.Errorf("serial after Reload = %v, want %v", got, want)
	}
}
