package edge

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// FileError says which certificate or key file cannot be used and why, in
// words an operator can act on: "file not found", "no PEM data", "private
// key does not match the certificate in ...", "certificate expired on ...",
// "permission denied".
type FileError struct {
	What    string // "certificate file", "key file", "client CA file"
	Path    string
	Problem string
	Err     error // the underlying error, if any
}

// Error returns "<what> <path>: <problem>".
func (e *FileError) Error() string { return e.What + " " + e.Path + ": " + e.Problem }

// Unwrap returns the underlying error, so errors.Is(err, fs.ErrNotExist)
// works.
func (e *FileError) Unwrap() error { return e.Err }

// describeReadError turns an os.ReadFile error into a FileError.
func describeReadError(what, path string, err error) error {
	problem := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		problem = pe.Err.Error() // the path is already in the message
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		problem = "file not found"
	case errors.Is(err, fs.ErrPermission):
		problem = fmt.Sprintf("permission denied (the gateway runs as uid %d)", os.Geteuid())
	}
	return &FileError{What: what, Path: path, Problem: problem, Err: err}
}

const (
	whatCert = "certificate file"
	whatKey  = "key file"
)

// keyPair is a certificate and key read from files, with a digest of the
// files' bytes so the watcher can tell whether they changed.
type keyPair struct {
	cert *tls.Certificate
	sum  [sha256.Size]byte
}

// readKeyPair reads certFile and keyFile and returns their digest and
// contents; the digest covers both, so a change to either is seen.
func readKeyPair(certFile, keyFile string) (certPEM, keyPEM []byte, sum [sha256.Size]byte, err error) {
	certPEM, err = os.ReadFile(certFile)
	if err != nil {
		return nil, nil, sum, describeReadError(whatCert, certFile, err)
	}
	keyPEM, err = os.ReadFile(keyFile)
	if err != nil {
		return nil, nil, sum, describeReadError(whatKey, keyFile, err)
	}
	h := sha256.New()
	h.Write(certPEM)
	h.Write([]byte{0})
	h.Write(keyPEM)
	copy(sum[:], h.Sum(nil))
	return certPEM, keyPEM, sum, nil
}

// parseKeyPair turns PEM bytes into a certificate ready to serve: the
// chain from certPEM (leaf first), the key from keyPEM (decrypted with
// password when it is an encrypted legacy PEM key), and checks that they
// belong together and that the leaf has not expired at now. The file names
// are only for the errors.
func parseKeyPair(certFile string, certPEM []byte, keyFile string, keyPEM, password []byte, now time.Time) (*tls.Certificate, error) {
	chain, err := parseChain(certFile, certPEM)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(chain[0])
	if err != nil {
		return nil, &FileError{What: whatCert, Path: certFile, Problem: "first certificate: " + err.Error(), Err: err}
	}
	for i, der := range chain[1:] {
		if _, err := x509.ParseCertificate(der); err != nil {
			return nil, &FileError{What: whatCert, Path: certFile, Problem: fmt.Sprintf("certificate %d of the chain: %v", i+2, err), Err: err}
		}
	}
	key, err := parseKey(keyFile, keyPEM, password)
	if err != nil {
		return nil, err
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(leaf.PublicKey) {
		return nil, &FileError{What: whatKey, Path: keyFile, Problem: "private key does not match the certificate in " + certFile +
			" (the first certificate in the file must be the server's own, followed by the intermediates)"}
	}
	if now.After(leaf.NotAfter) {
		return nil, &FileError{What: whatCert, Path: certFile, Problem: "certificate expired on " + leaf.NotAfter.UTC().Format(time.RFC3339)}
	}
	return &tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: leaf}, nil
}

// parseChain returns the DER of every CERTIFICATE block in data. Other
// blocks (a key in a combined file) are skipped; a block cut short, as a
// half-written file has, is an error rather than a silently shorter chain.
func parseChain(path string, data []byte) ([][]byte, error) {
	var chain [][]byte
	rest := data
	sawPEM := false
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		sawPEM = true
		if b.Type == "CERTIFICATE" {
			chain = append(chain, b.Bytes)
		}
	}
	switch {
	case bytes.Contains(rest, []byte("-----BEGIN")):
		return nil, &FileError{What: whatCert, Path: path, Problem: "a PEM block is cut short or malformed (file still being written?)"}
	case !sawPEM:
		return nil, &FileError{What: whatCert, Path: path, Problem: "no PEM data (expected -----BEGIN CERTIFICATE-----)"}
	case len(chain) == 0:
		return nil, &FileError{What: whatCert, Path: path, Problem: "no CERTIFICATE block in the PEM data"}
	}
	return chain, nil
}

// parseKey returns the first private key in data.
func parseKey(path string, data, password []byte) (crypto.Signer, error) {
	fail := func(problem string, err error) error {
		return &FileError{What: whatKey, Path: path, Problem: problem, Err: err}
	}
	var block *pem.Block
	rest := data
	sawPEM := false
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		sawPEM = true
		if strings.HasSuffix(b.Type, "PRIVATE KEY") {
			block = b
			break
		}
	}
	switch {
	case block == nil && bytes.Contains(rest, []byte("-----BEGIN")):
		return nil, fail("a PEM block is cut short or malformed (file still being written?)", nil)
	case !sawPEM:
		return nil, fail("no PEM data (expected -----BEGIN PRIVATE KEY-----)", nil)
	case block == nil:
		return nil, fail("no PRIVATE KEY block in the PEM data", nil)
	case block.Type == "ENCRYPTED PRIVATE KEY":
		return nil, fail("encrypted PKCS#8 keys (BEGIN ENCRYPTED PRIVATE KEY) are not supported: "+
			"decrypt it (openssl pkey -in KEY -out PLAIN.key) and keep the file readable only by the gateway, "+
			"or convert it to a legacy encrypted PEM key (openssl ec|rsa -aes256 -traditional)", nil)
	}
	der := block.Bytes
	//lint:ignore SA1019 legacy "Proc-Type: 4,ENCRYPTED" keys are still what many tools write; the padding-oracle weakness needs an online oracle, which a local file is not.
	if x509.IsEncryptedPEMBlock(block) {
		if len(password) == 0 {
			return nil, fail("the key is encrypted (Proc-Type: 4,ENCRYPTED): set the key password", nil)
		}
		//lint:ignore SA1019 see above
		plain, err := x509.DecryptPEMBlock(block, password)
		if errors.Is(err, x509.IncorrectPasswordError) {
			return nil, fail("wrong key password", err)
		}
		if err != nil {
			return nil, fail("decrypt key: "+err.Error(), err)
		}
		der = plain
	}
	key, err := parsePrivateKeyDER(der)
	if err != nil {
		return nil, fail(err.Error(), err)
	}
	return key, nil
}

// parsePrivateKeyDER tries PKCS#8, PKCS#1 (RSA) and SEC 1 (EC), as
// crypto/tls does.
func parsePrivateKeyDER(der []byte) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("unsupported private key type %T", k)
		}
		return s, nil
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("malformed or unsupported private key (want PKCS#8, PKCS#1 RSA or SEC 1 EC)")
}

// fileSource serves a certificate from files and reloads it when they
// change. A reload that fails keeps the certificate being served.
type fileSource struct {
	certFile, keyFile string
	password          []byte
	interval          time.Duration
	suites            []uint16
	now               func() time.Time
	log               *slog.Logger

	cur atomic.Pointer[keyPair] // what handshakes get

	mu        sync.Mutex // serializes reloads; guards the fields below
	attempted [sha256.Size]byte
	lastErr   string
}

func newFileSource(cfg *Config, suites []uint16, now func() time.Time, log *slog.Logger) (*fileSource, error) {
	s := &fileSource{
		certFile: cfg.CertFile, keyFile: cfg.KeyFile, password: cfg.KeyPassword,
		interval: cfg.ReloadInterval, suites: suites, now: now, log: log,
	}
	kp, err := s.load()
	if err != nil {
		return nil, err
	}
	s.cur.Store(kp)
	s.attempted = kp.sum
	s.logLoaded("certificate loaded", kp.cert.Leaf)
	return s, nil
}

// load reads and checks the files.
func (s *fileSource) load() (*keyPair, error) {
	certPEM, keyPEM, sum, err := readKeyPair(s.certFile, s.keyFile)
	if err != nil {
		return nil, err
	}
	return s.parse(certPEM, keyPEM, sum)
}

func (s *fileSource) parse(certPEM, keyPEM []byte, sum [sha256.Size]byte) (*keyPair, error) {
	cert, err := parseKeyPair(s.certFile, certPEM, s.keyFile, keyPEM, s.password, s.now())
	if err != nil {
		return nil, err
	}
	if err := checkSuitesFit(s.suites, cert.Leaf.PublicKey); err != nil {
		return nil, &FileError{What: whatCert, Path: s.certFile, Problem: err.Error(), Err: err}
	}
	return &keyPair{cert: cert, sum: sum}, nil
}

func (s *fileSource) logLoaded(msg string, leaf *x509.Certificate) {
	s.log.Info(msg, "source", ModeFiles, "cert_file", s.certFile, "names", certNames(leaf),
		"serial", serialHex(leaf), "issuer", leaf.Issuer.String(), "not_after", leaf.NotAfter.UTC())
	if now := s.now(); now.Before(leaf.NotBefore) {
		s.log.Warn("certificate is not valid yet: check the clock", "cert_file", s.certFile, "not_before", leaf.NotBefore.UTC(), "now", now.UTC())
	}
}

// reload loads the files again; on failure the old certificate stays and
// the error is logged. With onlyIfChanged (the watcher) it does nothing
// when the files hold the bytes last tried, and it logs an error only
// when it differs from the last one, so a broken file is reported once,
// not on every tick.
func (s *fileSource) reload(onlyIfChanged bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	serving := s.cur.Load()
	certPEM, keyPEM, sum, err := readKeyPair(s.certFile, s.keyFile)
	if err == nil && onlyIfChanged && sum == s.attempted {
		if sum == serving.sum {
			s.lastErr = "" // back to the files being served
		}
		return nil
	}
	var kp *keyPair
	if err == nil {
		s.attempted = sum
		kp, err = s.parse(certPEM, keyPEM, sum)
	}
	if err != nil {
		if !onlyIfChanged || err.Error() != s.lastErr {
			s.log.Error("certificate reload failed; still serving the previous certificate",
				"source", ModeFiles, "err", err, "serving_serial", serialHex(serving.cert.Leaf),
				"serving_not_after", serving.cert.Leaf.NotAfter.UTC())
		}
		s.lastErr = err.Error()
		return err
	}
	s.lastErr = ""
	s.cur.Store(kp)
	if kp.sum != serving.sum {
		s.logLoaded("certificate reloaded", kp.cert.Leaf)
	}
	return nil
}

// watch reloads the files whenever their contents change, checking every
// interval, until ctx ends.
func (s *fileSource) watch(ctx context.Context) {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.reload(true) // errors are logged by reload
		}
	}
}

func (s *fileSource) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return s.cur.Load().cert, nil
}

func (s *fileSource) status() []CertStatus {
	s.mu.Lock()
	lastErr := s.lastErr
	s.mu.Unlock()
	return leafStatus(s.cur.Load().cert.Leaf, ModeFiles, lastErr)
}

// leafStatus describes a certificate served for every name it covers.
func leafStatus(leaf *x509.Certificate, src Mode, lastErr string) []CertStatus {
	var out []CertStatus
	for _, name := range certNames(leaf) {
		out = append(out, CertStatus{
			Name: name, Source: src, Serial: serialHex(leaf),
			NotAfter: leaf.NotAfter, Issuer: leaf.Issuer.String(), LastError: lastErr,
		})
	}
	return out
}

// certNames lists the DNS names and IP addresses a certificate covers, or
// its subject's common name when it has neither.
func certNames(leaf *x509.Certificate) []string {
	names := append([]string(nil), leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && leaf.Subject.CommonName != "" {
		names = append(names, leaf.Subject.CommonName)
	}
	return names
}

func serialHex(leaf *x509.Certificate) string {
	if leaf == nil || leaf.SerialNumber == nil {
		return ""
	}
	return leaf.SerialNumber.Text(16)
}
