package edge

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// File names of the self-signed certificate inside the state directory.
const (
	SelfSignedCertFile = "selfsigned.crt"
	SelfSignedKeyFile  = "selfsigned.key"
)

// selfSignedLifetime is how long a development certificate is valid.
// Browsers cap publicly trusted certificates far lower, but a self-signed
// one is trusted by exception anyway, and a long life means the exception
// the developer clicked through keeps working.
const selfSignedLifetime = 2 * 365 * 24 * time.Hour

// selfSignedRenewBefore is how close to expiry a kept certificate is
// replaced at start-up.
const selfSignedRenewBefore = 30 * 24 * time.Hour

// DefaultSelfSignedHosts returns the names a development certificate
// covers when the operator names none.
func DefaultSelfSignedHosts() []string { return []string{"localhost", "127.0.0.1", "::1"} }

// LoadOrCreateSelfSigned returns the self-signed certificate kept in dir,
// creating dir (0700) and a new certificate (ECDSA P-256, key file 0600)
// when there is none, when it expires within 30 days, or when it does not
// cover every name in hosts. hosts are DNS names or IP addresses.
func LoadOrCreateSelfSigned(dir string, hosts []string, now time.Time, log *slog.Logger) (*tls.Certificate, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if len(hosts) == 0 {
		hosts = DefaultSelfSignedHosts()
	}
	certPath := filepath.Join(dir, SelfSignedCertFile)
	keyPath := filepath.Join(dir, SelfSignedKeyFile)

	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	switch {
	case err == nil:
		if why := unusable(cert.Leaf, hosts, now); why != "" {
			log.Info("replacing self-signed certificate", "path", certPath, "reason", why)
			break
		}
		log.Info("using self-signed certificate", "path", certPath, "hosts", hosts, "expires", cert.Leaf.NotAfter.Format(time.DateOnly))
		return &cert, nil
	case errors.Is(err, fs.ErrNotExist):
	default:
		// A broken pair is replaced rather than fatal: it is only a
		// development certificate, and the log says why.
		log.Warn("replacing unreadable self-signed certificate", "path", certPath, "err", err)
	}

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create certificate directory: %w", err)
	}
	certPEM, keyPEM, err := newSelfSigned(hosts, now)
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return nil, fmt.Errorf("write self-signed key: %w", err)
	}
	if err := writeFileAtomic(certPath, certPEM, 0o644); err != nil {
		return nil, fmt.Errorf("write self-signed certificate: %w", err)
	}
	cert, err = tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("load new self-signed certificate: %w", err)
	}
	log.Info("created self-signed certificate", "path", certPath, "hosts", hosts, "expires", cert.Leaf.NotAfter.Format(time.DateOnly))
	return &cert, nil
}

// unusable says why a kept certificate cannot serve hosts at now, or "".
func unusable(leaf *x509.Certificate, hosts []string, now time.Time) string {
	if now.Add(selfSignedRenewBefore).After(leaf.NotAfter) {
		return "expires " + leaf.NotAfter.Format(time.DateOnly)
	}
	for _, h := range hosts {
		if err := leaf.VerifyHostname(h); err != nil {
			return "does not cover " + h
		}
	}
	return ""
}

func newSelfSigned(hosts []string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("generate serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"Drawbridge development"}, CommonName: hosts[0]},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(selfSignedLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if !slices.Contains(tmpl.DNSNames, h) {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("create certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("encode key: %w", err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	return certPEM, keyPEM, nil
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it into place, so a crash never leaves a half-written key.
func writeFileAtomic(path string, data []byte, mode fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
