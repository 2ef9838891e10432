package edge

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
)

// Profile is the TLS profile's policy for TLS 1.2 cipher suites. (TLS 1.3
// has only AEAD suites, and Go does not let them be chosen.)
type Profile string

// The profiles.
const (
	// ProfileModern allows in TLS 1.2 only ECDHE key exchange with AEAD
	// ciphers: AES-GCM and ChaCha20-Poly1305 (ModernCipherSuites). It is
	// the default, and what the zero Profile means. Every browser of the
	// last ten years has these suites.
	ProfileModern Profile = "modern"
	// ProfileCompatible is Go's own default set, which adds ECDHE with
	// AES-CBC and HMAC-SHA1 (TLS_ECDHE_*_WITH_AES_*_CBC_SHA), for old
	// clients that have TLS 1.2 but no AEAD suite. Scanners flag the CBC
	// suites (testssl.sh: LOW, LUCKY13 "potentially").
	ProfileCompatible Profile = "compatible"
)

// ParseProfile reads a profile's name; "" is ProfileModern.
func ParseProfile(s string) (Profile, error) {
	switch p := Profile(strings.ToLower(strings.TrimSpace(s))); p {
	case "", ProfileModern:
		return ProfileModern, nil
	case ProfileCompatible:
		return p, nil
	}
	return "", fmt.Errorf("TLS profile %q: want %q or %q", s, ProfileModern, ProfileCompatible)
}

// ModernCipherSuites returns the TLS 1.2 suites ProfileModern allows:
// ECDHE with AES-GCM or ChaCha20-Poly1305, for ECDSA and RSA
// certificates.
func ModernCipherSuites() []uint16 {
	return []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	}
}

// cipherSuites is the profile's TLS 1.2 suites for tls.Config: nil, Go's
// defaults, for ProfileCompatible.
func (p Profile) cipherSuites() []uint16 {
	if p == ProfileCompatible {
		return nil
	}
	return ModernCipherSuites()
}

// CheckSuites reports the suites of a configured TLS 1.2 list (by ID)
// that the profile does not allow: with ProfileModern, those that are not
// ECDHE with an AEAD cipher. Whether they are known and secure is
// ParseCipherSuites's (and Config.Validate's) to say.
func (p Profile) CheckSuites(ids []uint16) error {
	if p == ProfileCompatible {
		return nil
	}
	var errs []error
	for _, id := range ids {
		if !slices.Contains(ModernCipherSuites(), id) {
			errs = append(errs, fmt.Errorf("cipher suite %s is not allowed by the TLS profile %q (ECDHE with AES-GCM or ChaCha20-Poly1305 only); the profile %q allows it",
				tls.CipherSuiteName(id), ProfileModern, ProfileCompatible))
		}
	}
	return errors.Join(errs...)
}

// ParseTLSVersion turns "1.2" or "1.3" (also "TLS1.2", "tls13") into the
// crypto/tls constant, for MinVersion. Older versions are refused: they
// are not allowed on the gateway.
func ParseTLSVersion(s string) (uint16, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	v = strings.TrimPrefix(strings.TrimPrefix(v, "tls"), "v")
	switch v {
	case "1.2", "12":
		return tls.VersionTLS12, nil
	case "1.3", "13":
		return tls.VersionTLS13, nil
	}
	return 0, fmt.Errorf("TLS version %q: want 1.2 or 1.3", s)
}

// ParseCipherSuites turns TLS 1.2 cipher suite names, as crypto/tls spells
// them (TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), into their IDs. It
// refuses names crypto/tls marks insecure, TLS 1.3 suites (Go does not let
// them be chosen, and all three are good), unknown names and duplicates.
func ParseCipherSuites(names []string) ([]uint16, error) {
	var ids []uint16
	var errs []error
	for _, name := range names {
		name = strings.TrimSpace(name)
		id, err := cipherSuite(name)
		switch {
		case err != nil:
			errs = append(errs, err)
		case slices.Contains(ids, id):
			errs = append(errs, fmt.Errorf("cipher suite %s is listed twice", name))
		default:
			ids = append(ids, id)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return ids, nil
}

// checkCipherSuites accepts IDs of secure TLS 1.2 suites, each once.
func checkCipherSuites(ids []uint16) error {
	var errs []error
	for i, id := range ids {
		name := tls.CipherSuiteName(id)
		if _, err := cipherSuite(name); err != nil {
			errs = append(errs, err)
		} else if slices.Contains(ids[:i], id) {
			errs = append(errs, fmt.Errorf("cipher suite %s is listed twice", name))
		}
	}
	return errors.Join(errs...)
}

func cipherSuite(name string) (uint16, error) {
	for _, s := range tls.CipherSuites() {
		if s.Name != name {
			continue
		}
		if !slices.Contains(s.SupportedVersions, tls.VersionTLS12) {
			return 0, fmt.Errorf("cipher suite %s is a TLS 1.3 suite: Go always enables all three, list only TLS 1.2 suites", name)
		}
		return s.ID, nil
	}
	for _, s := range tls.InsecureCipherSuites() {
		if s.Name == name {
			return 0, fmt.Errorf("cipher suite %s is insecure and not allowed", name)
		}
	}
	return 0, fmt.Errorf("unknown cipher suite %q (names as in Go's crypto/tls, e.g. TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)", name)
}

// checkSuitesFit reports an error when a configured TLS 1.2 cipher list
// cannot serve a certificate with key pub: TLS 1.2 suites are tied to the
// certificate's key type, and HTTP/2 needs the AES-128-GCM suite of that
// type (Go's HTTP server refuses to start without one). A nil list is
// Go's defaults, which always fit.
func checkSuitesFit(ids []uint16, pub crypto.PublicKey) error {
	if ids == nil {
		return nil
	}
	var want uint16
	var kind string
	switch pub.(type) {
	case *ecdsa.PublicKey, ed25519.PublicKey:
		want, kind = tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDSA"
	case *rsa.PublicKey:
		want, kind = tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "RSA"
	default:
		return fmt.Errorf("certificate key type %T is not supported", pub)
	}
	if !slices.Contains(ids, want) {
		return fmt.Errorf("the cipher suites must include %s: the certificate has an %s key, and HTTP/2 requires that suite", tls.CipherSuiteName(want), kind)
	}
	return nil
}

// LoadClientCAs reads PEM certificates from path into a pool, for
// Config.ClientCAs (client certificates, mTLS).
func LoadClientCAs(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, describeReadError("client CA file", path, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, &FileError{What: "client CA file", Path: path, Problem: "no PEM certificate found"}
	}
	return pool, nil
}
