// Package edge is the gateway's TLS edge: where its certificates come from,
// the tls.Config profile every TLS listener shares (HTTPS and telnets), and
// the plain-HTTP handler that answers ACME HTTP-01 challenges and sends
// browsers to HTTPS.
//
// An Edge has one certificate source, chosen by Config.Mode:
//
//   - ModeACME: certificates from an ACME CA (Let's Encrypt by default)
//     through golang.org/x/crypto/acme/autocert, one per configured domain
//     and never for any other name, cached on disk (0700 directory, 0600
//     files) so restarts order nothing, or in a cache shared by several
//     nodes behind one load balancer (Config.Cache), optionally with a
//     cluster lock (Config.Lock) so that only one of them orders or
//     renews a certificate and the others load it. Run obtains them at start,
//     without waiting for a first visitor, over TLS-ALPN-01 on the HTTPS
//     listener or HTTP-01 on the :80 handler (one challenge type per
//     attempt, so an attempt spends at most one failed validation, the
//     next type after a failure), and retries failures with a jittered
//     exponential backoff that honours the CA's Retry-After and keeps
//     within Let's Encrypt's limit of failed validations per name and
//     hour (nodes sharing a cache share that budget, as they share the
//     CA account). A failure keeps the CA's problem document (RFC 8555
//     section 6.7: type, detail, subproblems) for the log, Status and
//     Ready. Between attempts a handshake for the
//     name fails at once instead of starting an order, which autocert
//     alone would do on every handshake. autocert renews by itself; Run
//     watches that it does (with a cluster lock, Run renews, under the
//     lock).
//   - ModeFiles: a certificate chain and key from files (the key may be a
//     password-encrypted legacy PEM key), reloaded when the files change.
//     New handshakes get the new certificate, open connections keep the
//     old one, and a reload that fails keeps serving the old one.
//   - ModeSelfSigned: a development certificate made once and kept in the
//     state directory (LoadOrCreateSelfSigned).
//
// The profile is TLS 1.2 at least (1.3 selectable); in TLS 1.2 only ECDHE
// with AEAD ciphers (ProfileModern), or Go's default suites
// (ProfileCompatible), optionally narrowed to a configured list; Go's key
// exchanges (so hybrid post-quantum X25519MLKEM768 stays on: curve
// preferences are never set); ECDSA keys; and optionally client
// certificates (mTLS) verified against a client CA.
//
// Status reports each name's certificate (expiry, issuer, last error, next
// attempt), for logs, the health page and a Prometheus gauge.
package edge

import (
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"github.com/drawbridge/drawbridge/gateway/internal/peer"
)

// Mode is where an Edge's certificates come from.
type Mode string

// The certificate sources.
const (
	// ModeSelfSigned serves a self-signed development certificate. It is
	// what the zero Config gives.
	ModeSelfSigned Mode = "self-signed"
	// ModeFiles serves a certificate and key from files, reloaded when
	// they change.
	ModeFiles Mode = "files"
	// ModeACME obtains and renews certificates from an ACME CA.
	ModeACME Mode = "acme"
)

// Defaults for the zero values of Config's durations.
const (
	DefaultReloadInterval = 10 * time.Second
	DefaultRetryMin       = time.Minute
	DefaultRetryMax       = time.Hour
)

// Config configures an Edge. The zero value is a self-signed development
// edge, which still needs StateDir. Fields of modes other than Mode are
// ignored.
type Config struct {
	// Mode says where certificates come from; empty means ModeSelfSigned.
	Mode Mode

	// Domains are the host names the gateway serves, ASCII (IDNs in their
	// xn-- form), without port. In ACME mode they are required and are
	// the only names a certificate is ever ordered for: one certificate
	// per name. In every mode, when set, plain-HTTP requests are only
	// redirected to these names: one for any other host (an IP address, a
	// stray CNAME) goes to the first domain rather than to whatever its
	// Host header said. Without them, only localhost, loopback addresses
	// and the certificate's names are redirected (HTTPHandler).
	Domains []string

	// StateDir is the gateway's private state directory. The self-signed
	// certificate is kept in it, and the ACME cache in StateDir/acme
	// unless CacheDir is set.
	StateDir string

	// Email is the contact address given to the ACME CA, which uses it
	// to warn about expiring or revoked certificates. Optional.
	Email string
	// DirectoryURL is the ACME directory; empty means Let's Encrypt's
	// production one (LetsEncryptProduction). LetsEncryptStaging is the
	// one to try a setup against.
	DirectoryURL string
	// DirectoryRoots are the roots trusted for the ACME server's own
	// HTTPS; nil means the system's. A test CA such as Pebble needs them.
	DirectoryRoots *x509.CertPool
	// HTTPClient, if set, is used for every request to the ACME server
	// instead of one built from DirectoryRoots (so DirectoryRoots must
	// then be nil). Tests use it to count requests.
	HTTPClient *http.Client
	// EABKeyID and EABHMACKey are the External Account Binding that some
	// CAs (ZeroSSL, Google Trust Services, in-house CAs) require to tie
	// the ACME account to an account with them. The key is
	// base64url-encoded, as CAs hand it out. Both or neither.
	EABKeyID, EABHMACKey string
	// CacheDir holds ACME account key and certificates; empty means
	// StateDir/acme. It is created 0700; files in it are 0600. It is not
	// used when Cache is set.
	CacheDir string
	// Cache, if set, holds the ACME account key, the certificates and
	// the challenge tokens instead of CacheDir: a store shared by every
	// gateway node behind one load balancer, so that they serve the same
	// certificate and any node can answer a challenge the CA sends it,
	// whichever node placed the order. It holds private keys: keep it
	// as private as the directory would be. Nodes re-read it at every
	// renewal check, so a certificate another node renewed reaches them
	// all. Nil means the directory.
	Cache autocert.Cache
	// Lock, if set, is a lock shared by every node that uses Cache (a
	// cluster lock): it blocks until the lock called name is held or ctx
	// ends, and unlock releases it. A node holds
	// "acme/<DirectoryURL>/<domain>" while it orders or renews a
	// domain's certificate and, having got it, first looks in Cache
	// again, so of nodes starting or renewing at once one orders and the
	// others load its certificate; it holds
	// "acme/<DirectoryURL>/account" while it creates the account key.
	// With Lock set, renewals are made by Run under the lock, never by
	// autocert on its own. Nil means no coordination (a single node).
	// Setting it requires Cache.
	Lock func(ctx context.Context, name string) (unlock func(), err error)
	// RenewBefore is how long before expiry a certificate is renewed, at
	// most 30 days (autocert's cap); zero means autocert's default, a
	// third of the certificate's lifetime.
	RenewBefore time.Duration
	// RetryMin and RetryMax bound the backoff after a failed order: the
	// first retry comes after about RetryMin, each next one waits twice as
	// long, at most about RetryMax (each wait jittered by ±25%). Zero
	// means DefaultRetryMin and DefaultRetryMax.
	RetryMin, RetryMax time.Duration
	// ChallengeTypes are the ACME challenge types the gateway's listeners
	// can answer, in order of preference: ChallengeTLSALPN01 (the HTTPS
	// listener, reached by the CA on port 443) and ChallengeHTTP01
	// (HTTPHandler, on port 80). Each attempt uses one type, so that it
	// spends at most one failed validation; after a failed validation
	// the next attempt uses the next type. Empty means TLS-ALPN-01, then
	// HTTP-01.
	ChallengeTypes []string

	// CertFile is the certificate chain in PEM, the server's certificate
	// first, then the intermediates (what CAs call fullchain.pem).
	CertFile string
	// KeyFile is the private key in PEM. It may be the same file as
	// CertFile.
	KeyFile string
	// KeyPassword decrypts a legacy encrypted PEM key ("Proc-Type:
	// 4,ENCRYPTED"). Encrypted PKCS#8 keys are not supported. Read it from
	// a file or the environment, never a flag.
	KeyPassword []byte
	// ReloadInterval is how often the files are checked for changes; zero
	// means DefaultReloadInterval. Edge.Reload reloads at once.
	ReloadInterval time.Duration

	// SelfSignedHosts are the DNS names and IP addresses the development
	// certificate covers; empty means DefaultSelfSignedHosts.
	SelfSignedHosts []string

	// MinVersion is tls.VersionTLS12 (the default, for zero) or
	// tls.VersionTLS13. ParseTLSVersion reads it from a setting.
	MinVersion uint16
	// Profile is which TLS 1.2 cipher suites are allowed: empty means
	// ProfileModern (ECDHE with AEAD ciphers only); ProfileCompatible is
	// Go's default set, with CBC suites. ParseProfile reads it.
	Profile Profile
	// CipherSuites restricts TLS 1.2 further, to these suites, for
	// compliance regimes that demand a list; ParseCipherSuites reads them
	// by name. Empty means all the profile allows. Only suites crypto/tls
	// deems secure and the profile allows are accepted, and the list must
	// include the AES-128-GCM suite of the certificate's key type (ECDSA
	// for ACME and self-signed), which HTTP/2 requires.
	CipherSuites []uint16
	// ClientCAs, if set, turns on mutual TLS: every client must present a
	// certificate that chains to one of these roots, or the handshake
	// fails. LoadClientCAs reads them from a PEM file. The ACME CA's
	// TLS-ALPN-01 validation on the HTTPS listener is exempt, as it has no
	// client certificate; other listeners (TLSConfigNoACME) take a client
	// CA of their own and answer no validation.
	ClientCAs *x509.CertPool

	// Logger receives state changes (certificates obtained, renewed,
	// reloaded; failures with the next attempt) and, at debug level,
	// refused handshakes. Nil discards.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now. Tests set it.
	// autocert keeps its own clock.
	Now func() time.Time
}

// Validate checks the configuration without touching the disk or the
// network, and reports every problem it finds.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	mode := c.Mode
	if mode == "" {
		mode = ModeSelfSigned
	}
	switch mode {
	case ModeSelfSigned, ModeFiles, ModeACME:
	default:
		bad("mode %q: want %q, %q or %q", c.Mode, ModeACME, ModeFiles, ModeSelfSigned)
	}

	seen := map[string]bool{}
	for _, d := range c.Domains {
		n, err := normalizeDomain(d)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if seen[n] {
			bad("domain %q is listed twice", d)
		}
		seen[n] = true
	}

	switch mode {
	case ModeACME:
		if len(c.Domains) == 0 {
			bad("ACME needs at least one domain: certificates are only ever ordered for the configured domains")
		}
		if c.StateDir == "" && c.CacheDir == "" && c.Cache == nil {
			bad("ACME needs a state directory (or cache directory, or shared cache) to keep its account key and certificates")
		}
		if c.Cache != nil && c.CacheDir != "" {
			bad("set either an ACME cache directory or a shared ACME cache, not both")
		}
		if c.Lock != nil && c.Cache == nil {
			bad("an ACME cluster lock needs the shared cache it guards: nodes that do not share a cache cannot use each other's certificates")
		}
		if c.DirectoryURL != "" {
			u, err := url.Parse(c.DirectoryURL)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				bad("ACME directory URL %q is not an http(s) URL", c.DirectoryURL)
			}
		}
		if c.Email != "" && !strings.Contains(c.Email, "@") {
			bad("ACME contact email %q has no @", c.Email)
		}
		if (c.EABKeyID == "") != (c.EABHMACKey == "") {
			bad("external account binding needs both a key ID and an HMAC key")
		}
		if c.EABHMACKey != "" {
			if _, err := decodeEABKey(c.EABHMACKey); err != nil {
				errs = append(errs, err)
			}
		}
		if c.HTTPClient != nil && c.DirectoryRoots != nil {
			bad("set either an ACME HTTP client or ACME directory roots, not both: the client brings its own trust")
		}
		if c.RenewBefore < 0 || c.RetryMin < 0 || c.RetryMax < 0 {
			bad("ACME durations must not be negative")
		}
		if c.RetryMin > 0 && c.RetryMax > 0 && c.RetryMin > c.RetryMax {
			bad("ACME retry minimum %v is above the maximum %v", c.RetryMin, c.RetryMax)
		}
		seenType := map[string]bool{}
		for _, t := range c.ChallengeTypes {
			switch {
			case t != ChallengeTLSALPN01 && t != ChallengeHTTP01:
				bad("ACME challenge type %q: want %q or %q", t, ChallengeTLSALPN01, ChallengeHTTP01)
			case seenType[t]:
				bad("ACME challenge type %q is listed twice", t)
			}
			seenType[t] = true
		}
	case ModeFiles:
		if c.CertFile == "" {
			bad("certificate files: the certificate file is not set")
		}
		if c.KeyFile == "" {
			bad("certificate files: the key file is not set")
		}
		if c.ReloadInterval < 0 {
			bad("reload interval must not be negative")
		}
	case ModeSelfSigned:
		if c.StateDir == "" {
			bad("a self-signed certificate needs a state directory to be kept in")
		}
	}

	switch c.MinVersion {
	case 0, tls.VersionTLS12, tls.VersionTLS13:
	default:
		bad("minimum TLS version %#04x: want TLS 1.2 or 1.3", c.MinVersion)
	}
	profile, err := ParseProfile(string(c.Profile))
	if err != nil {
		errs = append(errs, err)
	}
	if len(c.CipherSuites) > 0 {
		err := checkCipherSuites(c.CipherSuites)
		if err == nil && profile != "" {
			err = profile.CheckSuites(c.CipherSuites)
		}
		switch {
		case err != nil:
			errs = append(errs, err)
		case c.MinVersion == tls.VersionTLS13:
			bad("cipher suites apply to TLS 1.2 only; with TLS 1.3 as the minimum, leave them unset")
		case mode == ModeACME || mode == ModeSelfSigned:
			if err := checkSuitesFit(c.CipherSuites, &ecdsa.PublicKey{}); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// normalizeDomain lower-cases d and drops a trailing dot, and refuses what
// cannot be a certificate's host name.
func normalizeDomain(d string) (string, error) {
	n := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
	switch {
	case n == "":
		return "", errors.New("empty domain")
	case net.ParseIP(n) != nil:
		return "", fmt.Errorf("domain %q is an IP address: ACME certificates are for names", d)
	case strings.Contains(n, "*"):
		return "", fmt.Errorf("domain %q: wildcards need DNS-01, which this gateway does not do; list each name", d)
	case !strings.Contains(n, "."):
		return "", fmt.Errorf("domain %q has no dot: a public name is needed", d)
	case len(n) > 253:
		return "", fmt.Errorf("domain %q is too long", d)
	}
	for _, label := range strings.Split(n, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return "", fmt.Errorf("domain %q: label %q is not valid", d, label)
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return "", fmt.Errorf("domain %q: %q is not allowed in a host name (write IDNs in their xn-- form)", d, r)
			}
		}
	}
	return n, nil
}

func decodeEABKey(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("external account binding HMAC key is not base64url: %w", err)
	}
	if len(b) == 0 {
		return nil, errors.New("external account binding HMAC key is empty")
	}
	return b, nil
}

// source is one way of getting certificates.
type source interface {
	getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error)
	status() []CertStatus
}

// Edge is the gateway's TLS edge: create it with New, start its background
// work with Run, and use TLSConfig and HTTPHandler for the listeners.
// Its methods are safe for concurrent use.
type Edge struct {
	log        *slog.Logger
	domains    atomic.Pointer[[]string] // normalized; SetDomains changes them
	minVersion uint16
	suites     []uint16 // TLS 1.2; nil: Go's defaults
	clientCAs  *x509.CertPool

	src   source
	files *fileSource // ModeFiles
	acme  *acmeSource // ModeACME

	ran atomic.Bool
}

// New validates cfg and prepares the certificate source: in files and
// self-signed modes it loads (or creates) the certificate now, so a
// broken file fails start-up with an error naming it; in ACME mode it
// prepares the cache directory and account key, and the certificates come
// once Run runs.
func New(cfg Config) (*Edge, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("edge: invalid configuration: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	e := &Edge{log: log, minVersion: cfg.MinVersion, clientCAs: cfg.ClientCAs}
	if e.minVersion == 0 {
		e.minVersion = tls.VersionTLS12
	}
	var domains []string
	for _, d := range cfg.Domains {
		n, _ := normalizeDomain(d) // validated above
		domains = append(domains, n)
	}
	e.domains.Store(&domains)
	profile, _ := ParseProfile(string(cfg.Profile)) // validated above
	e.suites = profile.cipherSuites()
	if len(cfg.CipherSuites) > 0 {
		e.suites = slices.Clone(cfg.CipherSuites)
	}
	tls12 := "Go's defaults (ECDHE with AES-GCM, ChaCha20-Poly1305 or AES-CBC-SHA)"
	if e.suites != nil {
		names := make([]string, len(e.suites))
		for i, id := range e.suites {
			names[i] = tls.CipherSuiteName(id)
		}
		tls12 = strings.Join(names, ",")
	}
	log.Info("TLS profile", "profile", profile, "min_version", tls.VersionName(e.minVersion), "tls12_cipher_suites", tls12)

	switch cfg.Mode {
	case ModeACME:
		a, err := newACMESource(&cfg, domains, now, log)
		if err != nil {
			return nil, fmt.Errorf("edge: ACME: %w", err)
		}
		e.acme, e.src = a, a
	case ModeFiles:
		if cfg.ReloadInterval == 0 {
			cfg.ReloadInterval = DefaultReloadInterval
		}
		f, err := newFileSource(&cfg, e.suites, now, log)
		if err != nil {
			return nil, fmt.Errorf("edge: %w", err)
		}
		e.files, e.src = f, f
	default:
		cert, err := LoadOrCreateSelfSigned(cfg.StateDir, cfg.SelfSignedHosts, now(), log)
		if err != nil {
			return nil, fmt.Errorf("edge: self-signed certificate: %w", err)
		}
		e.src = staticSource{cert}
	}
	return e, nil
}

// Run does the edge's background work until ctx ends, and returns once
// all of it has stopped. In ACME mode it obtains a certificate for every
// domain at once (from the cache when it holds a valid one), retries
// failures with backoff, and watches renewals; handshakes are only served
// once Run has got a name's certificate, and once Run has returned no
// request reaches the CA any more. In files mode it reloads the files
// when they change. In self-signed mode there is nothing to do. Run may be
// called once; it returns nil when ctx ends.
func (e *Edge) Run(ctx context.Context) error {
	if !e.ran.CompareAndSwap(false, true) {
		return errors.New("edge: Run called twice")
	}
	switch {
	case e.acme != nil:
		e.acme.run(ctx)
	case e.files != nil:
		e.files.watch(ctx)
	default:
		<-ctx.Done()
	}
	return nil
}

// Reload reads the certificate files again now (for SIGHUP, say) and
// returns what is wrong with them if they cannot be used; the previous
// certificate is then kept. In other modes it does nothing.
func (e *Edge) Reload() error {
	if e.files == nil {
		return nil
	}
	return e.files.reload(false)
}

// TLSConfig returns the TLS profile for the HTTPS listener, which serves
// the application protocols nextProtos ("h2", "http/1.1"). It takes
// certificates from the edge, so renewals and reloads reach every
// listener; in ACME mode it also answers TLS-ALPN-01 challenges (which
// need the HTTPS listener on port 443), exempt from client certificates.
// Other listeners use TLSConfigNoACME. Each call returns a new Config.
func (e *Edge) TLSConfig(nextProtos ...string) *tls.Config {
	c := &tls.Config{
		MinVersion:     e.minVersion,
		CipherSuites:   slices.Clone(e.suites),
		GetCertificate: e.getCertificate,
		NextProtos:     slices.Clone(nextProtos),
	}
	if e.clientCAs != nil {
		c.ClientAuth = tls.RequireAndVerifyClientCert
		c.ClientCAs = e.clientCAs
	}
	if e.acme != nil {
		if !slices.Contains(c.NextProtos, acme.ALPNProto) {
			c.NextProtos = append(c.NextProtos, acme.ALPNProto)
		}
		// The CA validating TLS-ALPN-01 has no client certificate; its
		// handshakes (offering only acme-tls/1) get a config without mTLS
		// that serves nothing but the challenge certificate.
		challenge := &tls.Config{
			MinVersion:     e.minVersion,
			CipherSuites:   slices.Clone(e.suites),
			GetCertificate: e.getCertificate,
			NextProtos:     []string{acme.ALPNProto},
		}
		c.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			if isChallengeHello(hello) {
				return challenge, nil
			}
			return nil, nil
		}
	}
	return c
}

// ErrNoACME is the handshake error of a TLSConfigNoACME listener for a
// client that offers acme-tls/1.
var ErrNoACME = errors.New("edge: the client offered ALPN " + acme.ALPNProto + " (an ACME TLS-ALPN-01 validation) on a listener that answers no ACME challenges: they go to the HTTPS listener")

// TLSConfigNoACME returns the TLS profile for a listener other than
// HTTPS (the TLS telnet port): the edge's certificates, versions and
// cipher suites, no application protocols, and no part in ACME. A
// handshake that offers acme-tls/1 is refused (ErrNoACME), so the
// TLS-ALPN-01 token certificates, and the challenge's exemption from
// client certificates, stay on the HTTPS listener (TLSConfig). clientCAs,
// if set, requires a client certificate that chains to them on every
// handshake; nil asks for none (Config.ClientCAs, the web's, does not
// apply). Each call returns a new Config.
func (e *Edge) TLSConfigNoACME(clientCAs *x509.CertPool) *tls.Config {
	c := &tls.Config{
		MinVersion:   e.minVersion,
		CipherSuites: slices.Clone(e.suites),
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			if slices.Contains(hello.SupportedProtos, acme.ALPNProto) {
				return nil, ErrNoACME
			}
			return e.getCertificate(hello)
		},
	}
	if clientCAs != nil {
		c.ClientAuth = tls.RequireAndVerifyClientCert
		c.ClientCAs = clientCAs
	}
	return c
}

// getCertificate is every listener's tls.Config.GetCertificate.
func (e *Edge) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	cert, err := e.src.getCertificate(hello)
	if err != nil {
		remote := ""
		if hello.Conn != nil {
			remote = hello.Conn.RemoteAddr().String()
		}
		e.log.Debug("tls: handshake refused", "sni", hello.ServerName, "remote", remote, "err", err)
	}
	return cert, err
}

// HTTPHandler returns the handler for the plain-HTTP listener (:80). In
// ACME mode it answers HTTP-01 challenges for the configured domains;
// every other request goes to fallback, typically RedirectHandler, with
// Host set to one of the gateway's own names (lower case, no port), so
// that a redirect never points anywhere else. When Domains are set, a
// request whose Host is not one of them goes to the first domain.
// Without Domains (self-signed and files modes), the gateway's names are
// localhost, the loopback addresses and the names the certificate
// covers, and a request for any other Host is answered 400, naming no
// host. A nil fallback redirects to HTTPS on port 443.
func (e *Edge) HTTPHandler(fallback http.Handler) http.Handler {
	if fallback == nil {
		fallback = RedirectHandler("443")
	}
	next := fallback
	fallback = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := requestHost(r)
		switch domains := *e.domains.Load(); {
		case len(domains) > 0:
			if !slices.Contains(domains, host) {
				host = domains[0]
			}
		case !e.ownName(host):
			e.log.Debug("http: refused to redirect to a host that is not the gateway's",
				"host", peer.Truncate(r.Host, 100), "remote", r.RemoteAddr)
			http.Error(w, msgUnknownHost, http.StatusBadRequest)
			return
		}
		r = r.Clone(r.Context())
		r.Host = host
		next.ServeHTTP(w, r)
	})
	if e.acme == nil {
		return fallback
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, acmeChallengePath) {
			fallback.ServeHTTP(w, r)
			return
		}
		e.acme.serveHTTP01(w, r)
	})
}

// msgUnknownHost answers a plain-HTTP request for a host that is not the
// gateway's, without repeating it.
const msgUnknownHost = "unknown host: the gateway redirects to HTTPS only for its own names (localhost, a loopback address, or a name its certificate covers)"

// ownName reports whether host (as requestHost gives it) is one of the
// gateway's own names when no domains are configured: localhost, a
// loopback address, or a name or address the certificate being served
// covers.
func (e *Edge) ownName(host string) bool {
	if host == "localhost" {
		return true
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.Unmap().IsLoopback() {
		return true
	}
	if host == "" || strings.ContainsAny(host, "/\\@ []%") {
		return false
	}
	cert, err := e.src.getCertificate(&tls.ClientHelloInfo{ServerName: host})
	if err != nil || cert == nil || cert.Leaf == nil {
		return false
	}
	return cert.Leaf.VerifyHostname(host) == nil
}

// requestHost is r's Host without port or IPv6 brackets, lower case,
// without trailing dot.
func requestHost(r *http.Request) string {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	} else {
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	}
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// CertStatus is the state of the certificate for one name.
type CertStatus struct {
	// Name is the domain (ACME), or a DNS name or IP address the
	// certificate covers (files, self-signed).
	Name string
	// Source is the mode the certificate comes from.
	Source Mode
	// Serial is the certificate's serial number in hex; empty while there
	// is no certificate.
	Serial string
	// NotAfter is when the certificate expires; zero while there is none.
	NotAfter time.Time
	// Issuer is the issuing CA's distinguished name.
	Issuer string
	// LastError is why the last attempt to obtain, renew or reload failed;
	// empty once one succeeded.
	LastError string
	// NextAttempt is, in ACME mode, when the next order is due: the retry
	// after a failure, or the renewal. Zero otherwise.
	NextAttempt time.Time
	// Problem is, in ACME mode, the CA's problem document of the last
	// failure (LastError is its String); nil when the last attempt
	// worked or the failure did not come from the CA.
	Problem *Problem
}

// Ready reports whether the edge has a certificate for every name it
// serves and, when not, why: in ACME mode the first domain still without
// one, with the CA's reason if an order failed ("certificate for
// play.example.org: acme dns: ..."). The other modes are ready once New
// has returned.
func (e *Edge) Ready() (bool, string) {
	if e.acme == nil {
		return true, ""
	}
	return e.acme.ready()
}

// WaitReady blocks until Ready would report true or ctx ends, and
// returns ctx's error in that case.
func (e *Edge) WaitReady(ctx context.Context) error {
	if e.acme == nil {
		return nil
	}
	select {
	case <-e.acme.readyCh:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ACMEFailures returns how many attempts to obtain or renew a
// certificate have failed since New, by the CA's problem type (Problem.Type,
// "" for failures that did not come from the CA). Nil outside ACME mode.
func (e *Edge) ACMEFailures() map[string]uint64 {
	if e.acme == nil {
		return nil
	}
	return e.acme.failureCounts()
}

// Status returns the state of every name's certificate: for ACME one
// entry per configured domain, in order, including those still without a
// certificate.
func (e *Edge) Status() []CertStatus { return e.src.status() }

// staticSource serves one certificate that never changes.
type staticSource struct{ cert *tls.Certificate }

func (s staticSource) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return s.cert, nil
}

func (s staticSource) status() []CertStatus { return leafStatus(s.cert.Leaf, ModeSelfSigned, "") }

// ServerTLSConfig returns the TLS profile for the gateway's listeners:
// TLS 1.2 at least, ProfileModern's cipher suites, Go's own curve
// preferences (so hybrid post-quantum key exchange stays on), and
// certificates from getCert.
// nextProtos lists the ALPN protocols the listener serves, e.g. "h2" and
// "http/1.1". Edge.TLSConfig is the same profile with the edge's
// certificates, ACME challenges and options; this remains for callers
// with a certificate of their own.
func ServerTLSConfig(getCert func(*tls.ClientHelloInfo) (*tls.Certificate, error), nextProtos ...string) *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		CipherSuites:   ModernCipherSuites(),
		GetCertificate: getCert,
		NextProtos:     nextProtos,
	}
}

// RedirectHandler answers plain-HTTP requests by sending GET and HEAD to
// the same path and query on HTTPS, with 308 so nothing is silently turned
// into a GET; other methods get 405, because replaying a body sent in the
// clear on HTTPS would hide the mistake. httpsPort is the HTTPS listener's
// port; with "443" or "" the redirect carries no port.
func RedirectHandler(httpsPort string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "use HTTPS", http.StatusMethodNotAllowed)
			return
		}
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h // "[::1]:80" and "name:80" lose the port (and brackets)
		} else {
			host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]") // "[::1]"
		}
		if host == "" || strings.ContainsAny(host, "/\\@ []") {
			http.Error(w, "missing or invalid Host header", http.StatusBadRequest)
			return
		}
		authority := host
		switch {
		case httpsPort != "" && httpsPort != "443":
			authority = net.JoinHostPort(host, httpsPort)
		case strings.Contains(host, ":"): // IPv6 literal
			authority = "[" + host + "]"
		}
		target := "https://" + authority + r.URL.RequestURI()
		w.Header().Set("Connection", "close")
		http.Redirect(w, r, target, http.StatusPermanentRedirect)
	})
}
