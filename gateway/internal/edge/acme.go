package edge

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mathrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// ACME directories of Let's Encrypt.
const (
	// LetsEncryptProduction issues publicly trusted certificates, within
	// rate limits that a misconfigured server can exhaust for a week.
	LetsEncryptProduction = autocert.DefaultACMEDirectory
	// LetsEncryptStaging issues untrusted certificates under generous
	// limits: the place to try a new setup.
	LetsEncryptStaging = "https://acme-staging-v02.api.letsencrypt.org/directory"
)

const (
	// acmeChallengePath is where HTTP-01 challenge responses live.
	acmeChallengePath = "/.well-known/acme-challenge/"
	// renewalCheckInterval is how often Run looks at a certificate it
	// holds, to report renewals autocert made and ones that are overdue.
	renewalCheckInterval = time.Hour
	// renewalGrace is how long after a certificate became due for renewal
	// it counts as overdue. autocert starts renewing up to an hour after
	// the due time (jitter) and retries every 30 to 60 minutes.
	renewalGrace = 2 * time.Hour
	// acmeRequestTimeout bounds one HTTP request to the CA.
	acmeRequestTimeout = time.Minute
	// Cache keys of the account key, as autocert names them (the same
	// cache works with autocert alone, and the other way round).
	accountKeyName       = "acme_account+key"
	legacyAccountKeyName = "acme_account.key"
)

// acmeSource obtains a certificate for each configured domain through
// autocert. Each domain has its own autocert.Manager: autocert keeps a
// failed order's state for a minute and retries on the next handshake
// after that; replacing the manager after a failure forgets that state,
// so retries happen on this source's own backoff, and only in Run.
type acmeSource struct {
	log         *slog.Logger
	now         func() time.Time
	cache       *acmeCache
	dirURL      string
	email       string
	eab         *acme.ExternalAccountBinding
	accountKey  crypto.Signer
	client      *http.Client // every request to the CA; dead once stop is called
	renewBefore time.Duration
	retryMin    time.Duration
	retryMax    time.Duration

	stopCtx context.Context
	stop    context.CancelFunc

	domains []*acmeDomain // in configuration order
	byName  map[string]*acmeDomain
}

// acmeManager is an autocert.Manager with its HTTP-01 handler.
type acmeManager struct {
	m    *autocert.Manager
	http http.Handler
}

// acmeDomain is the state of one domain.
type acmeDomain struct {
	name  string
	mgr   atomic.Pointer[acmeManager]
	ready atomic.Bool // a certificate is in mgr; handshakes may ask it

	mu          sync.Mutex // guards the fields below
	leaf        *x509.Certificate
	lastErr     string
	nextAttempt time.Time
	stored      bool // a new certificate went into the cache
	overdue     bool
}

func newACMESource(cfg *Config, domains []string, now func() time.Time, log *slog.Logger) (*acmeSource, error) {
	a := &acmeSource{
		log:         log,
		now:         now,
		dirURL:      cfg.DirectoryURL,
		email:       cfg.Email,
		renewBefore: cfg.RenewBefore,
		retryMin:    cfg.RetryMin,
		retryMax:    cfg.RetryMax,
		byName:      map[string]*acmeDomain{},
	}
	if a.dirURL == "" {
		a.dirURL = LetsEncryptProduction
	}
	if a.retryMin == 0 {
		a.retryMin = DefaultRetryMin
	}
	if a.retryMax == 0 {
		a.retryMax = max(DefaultRetryMax, a.retryMin)
	}
	if cfg.EABKeyID != "" {
		key, err := decodeEABKey(cfg.EABHMACKey)
		if err != nil {
			return nil, err
		}
		a.eab = &acme.ExternalAccountBinding{KID: cfg.EABKeyID, Key: key}
	}

	dir := cfg.CacheDir
	if dir == "" {
		dir = filepath.Join(cfg.StateDir, "acme")
	}
	if err := ensurePrivateDir(dir, log); err != nil {
		return nil, err
	}
	a.cache = &acmeCache{dir: autocert.DirCache(dir), onPut: a.certStored}
	key, err := loadAccountKey(context.Background(), a.cache)
	if err != nil {
		return nil, fmt.Errorf("account key in %s: %w", dir, err)
	}
	a.accountKey = key

	a.stopCtx, a.stop = context.WithCancel(context.Background())
	base := http.RoundTripper(nil)
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient
		a.client = &c
		base = c.Transport
	} else {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = &tls.Config{RootCAs: cfg.DirectoryRoots, MinVersion: tls.VersionTLS12}
		a.client = &http.Client{Timeout: acmeRequestTimeout}
		base = t
	}
	if base == nil {
		base = http.DefaultTransport
	}
	a.client.Transport = &stopTransport{stop: a.stopCtx, base: base}

	for _, name := range domains {
		d := &acmeDomain{name: name}
		d.mgr.Store(a.newManager(name))
		a.domains = append(a.domains, d)
		a.byName[name] = d
	}
	return a, nil
}

// newManager returns a fresh autocert.Manager for one domain. It offers
// both challenge types: autocert tries TLS-ALPN-01 first and falls back
// to HTTP-01 (which works only if HTTPHandler is served on port 80).
func (a *acmeSource) newManager(name string) *acmeManager {
	m := &autocert.Manager{
		// Choosing ACME with a CA is accepting its subscriber agreement.
		Prompt:                 autocert.AcceptTOS,
		Cache:                  a.cache,
		HostPolicy:             autocert.HostWhitelist(name),
		RenewBefore:            a.renewBefore,
		Email:                  a.email,
		ExternalAccountBinding: a.eab,
		Client: &acme.Client{
			Key:          a.accountKey,
			HTTPClient:   a.client,
			DirectoryURL: a.dirURL,
			UserAgent:    "drawbridge",
			RetryBackoff: a.retryBackoff,
		},
	}
	return &acmeManager{m: m, http: m.HTTPHandler(http.NotFoundHandler())}
}

// retryBackoff is the acme.Client's wait before retrying a request the
// CA refused with a retriable error (badNonce, 429, 5xx). It is acme's
// default (the CA's Retry-After, else 1 s doubling to 10 s, plus up to 1 s
// of jitter) except that a rejected nonce is retried almost at once, as
// RFC 8555 section 6.5 intends (a fresh nonce is all it takes), and that
// once Run has ended nothing is retried. autocert runs some requests in
// goroutines of its own (deactivating authorizations after an order);
// this keeps them from outliving Run by more than a request.
func (a *acmeSource) retryBackoff(n int, _ *http.Request, res *http.Response) time.Duration {
	if a.stopCtx.Err() != nil {
		return 0 // no more retries
	}
	jitter := time.Duration(mathrand.Int64N(int64(time.Second)))
	if res == nil {
		return time.Second + jitter
	}
	if res.StatusCode == http.StatusBadRequest { // acme retries no other 400
		return 10*time.Millisecond + jitter/20
	}
	if v := res.Header.Get("Retry-After"); v != "" {
		if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
			return min(time.Duration(secs)*time.Second, 10*time.Minute) + jitter
		}
		if t, err := http.ParseTime(v); err == nil {
			return min(max(time.Until(t), 0), 10*time.Minute) + jitter
		}
	}
	return min(time.Second<<min(max(n-1, 0), 4), 10*time.Second) + jitter
}

// run keeps every domain's certificate until ctx ends, then cuts off the
// CA and waits for the domains' goroutines.
func (a *acmeSource) run(ctx context.Context) {
	unhook := context.AfterFunc(ctx, a.stop)
	defer unhook()
	defer a.client.CloseIdleConnections()
	defer a.stop()
	var wg sync.WaitGroup
	for _, d := range a.domains {
		wg.Go(func() { a.keep(ctx, d) })
	}
	wg.Wait()
}

// keep obtains d's certificate, retrying with backoff until it has one,
// then watches it until ctx ends.
func (a *acmeSource) keep(ctx context.Context, d *acmeDomain) {
	for failures := 0; ; {
		start := a.now()
		d.beginAttempt()
		a.log.Debug("acme: getting certificate", "domain", d.name, "attempt", failures+1)
		cert, err := d.mgr.Load().m.GetCertificate(managerHello(d.name))
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			renewAt := a.renewAt(cert.Leaf)
			issued := d.setReady(cert.Leaf, renewAt)
			msg := "acme: certificate loaded from cache"
			if issued {
				msg = "acme: certificate obtained"
			}
			a.log.Info(msg, "domain", d.name, "took", a.now().Sub(start).Round(time.Millisecond),
				"serial", serialHex(cert.Leaf), "issuer", cert.Leaf.Issuer.String(),
				"not_after", cert.Leaf.NotAfter.UTC(), "renew_at", renewAt.UTC())
			break
		}
		failures++
		wait := backoff(failures, a.retryMin, a.retryMax, mathrand.Int64N)
		next := a.now().Add(wait)
		d.setFailed(err, next)
		a.log.Warn("acme: could not obtain certificate; will retry", "domain", d.name,
			"attempt", failures, "err", err, "retry_in", wait.Round(time.Second), "next_attempt", next.UTC())
		// A fresh manager forgets the failed order, which the old one
		// would otherwise keep answering with for a minute.
		d.mgr.Store(a.newManager(d.name))
		if !sleep(ctx, wait) {
			return
		}
	}
	for sleep(ctx, renewalCheckInterval) {
		a.check(d)
	}
}

// check reports a renewal autocert made, or one that is overdue.
func (a *acmeSource) check(d *acmeDomain) {
	cert, err := d.mgr.Load().m.GetCertificate(managerHello(d.name)) // held in memory: orders nothing
	if err != nil {
		a.log.Error("acme: certificate lookup failed", "domain", d.name, "err", err)
		return
	}
	leaf := cert.Leaf
	renewAt := a.renewAt(leaf)
	now := a.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.leaf == nil || leaf.NotAfter.After(d.leaf.NotAfter) {
		// Renewed without passing through the cache hook (which logs it).
		d.leaf, d.lastErr, d.overdue, d.nextAttempt = leaf, "", false, renewAt
		a.log.Info("acme: certificate renewed", "domain", d.name, "serial", serialHex(leaf), "not_after", leaf.NotAfter.UTC())
		return
	}
	leaf = d.leaf // the newest seen, in case the cache hook ran first
	renewAt = a.renewAt(leaf)
	if now.After(renewAt.Add(renewalGrace)) && !d.overdue {
		d.overdue = true
		d.lastErr = fmt.Sprintf("renewal overdue since %s; the certificate expires %s", renewAt.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339))
		a.log.Error("acme: certificate renewal is overdue; autocert keeps retrying", "domain", d.name,
			"renew_at", renewAt.UTC(), "not_after", leaf.NotAfter.UTC())
	}
}

// renewAt is when autocert starts renewing leaf (give or take its jitter
// of at most an hour).
func (a *acmeSource) renewAt(leaf *x509.Certificate) time.Time {
	threshold := min(leaf.NotAfter.Sub(leaf.NotBefore)/3, 30*24*time.Hour)
	if a.renewBefore > 0 {
		threshold = min(a.renewBefore, 30*24*time.Hour)
	}
	return leaf.NotAfter.Add(-threshold)
}

// certStored is called when autocert writes to the cache: for a domain's
// key, that is a newly issued certificate (a first order or a renewal).
func (a *acmeSource) certStored(key string, data []byte) {
	d := a.byName[key]
	if d == nil {
		return // account key, challenge tokens
	}
	leaf := leafFromCacheEntry(data)
	if leaf == nil {
		return
	}
	d.mu.Lock()
	renewed := d.leaf != nil && d.leaf.SerialNumber.Cmp(leaf.SerialNumber) != 0
	d.stored = true
	if d.leaf != nil {
		d.leaf, d.lastErr, d.overdue, d.nextAttempt = leaf, "", false, a.renewAt(leaf)
	}
	d.mu.Unlock()
	if renewed {
		a.log.Info("acme: certificate renewed", "domain", d.name, "serial", serialHex(leaf),
			"issuer", leaf.Issuer.String(), "not_after", leaf.NotAfter.UTC())
	}
}

// leafFromCacheEntry returns the first certificate of an autocert cache
// entry (a private key, then the chain), or nil.
func leafFromCacheEntry(data []byte) *x509.Certificate {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil
		}
		if b.Type == "CERTIFICATE" {
			leaf, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil
			}
			return leaf
		}
	}
}

func (d *acmeDomain) beginAttempt() {
	d.mu.Lock()
	d.stored = false
	d.mu.Unlock()
}

// setReady records d's certificate and reports whether it was newly
// issued (rather than found in the cache).
func (d *acmeDomain) setReady(leaf *x509.Certificate, renewAt time.Time) (issued bool) {
	d.mu.Lock()
	d.leaf, d.lastErr, d.nextAttempt = leaf, "", renewAt
	issued = d.stored
	d.mu.Unlock()
	d.ready.Store(true)
	return issued
}

func (d *acmeDomain) setFailed(err error, next time.Time) {
	d.mu.Lock()
	d.lastErr, d.nextAttempt = err.Error(), next
	d.mu.Unlock()
}

// notReady is the handshake error for a domain without a certificate.
func (d *acmeDomain) notReady() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.lastErr != "" {
		return fmt.Errorf("edge: no certificate for %s yet: the last order failed (%s); next attempt at %s",
			d.name, d.lastErr, d.nextAttempt.UTC().Format(time.RFC3339))
	}
	return fmt.Errorf("edge: no certificate for %s yet: it is being obtained", d.name)
}

// Handshake errors for names that never get an order.
var (
	errNoSNI = errors.New("edge: the client sent no server name (SNI); certificates are only served for the configured domains")
)

// getCertificate serves the ACME certificates. It never starts an order:
// orders come from Run alone. Handshakes without SNI, for an IP address
// or for a name that is not configured are refused; a configured name
// without a certificate yet fails at once.
func (a *acmeSource) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if hello.ServerName == "" {
		return nil, errNoSNI
	}
	name := strings.TrimSuffix(strings.ToLower(hello.ServerName), ".")
	if net.ParseIP(name) != nil {
		return nil, fmt.Errorf("edge: no certificate for IP address %s: certificates are only served for the configured domains", name)
	}
	d := a.byName[name]
	if d == nil {
		return nil, fmt.Errorf("edge: no certificate for %q: not a configured domain", hello.ServerName)
	}
	mgr := d.mgr.Load()
	if isChallengeHello(hello) {
		return mgr.m.GetCertificate(hello) // the TLS-ALPN-01 token certificate, or an error
	}
	if !d.ready.Load() {
		return nil, d.notReady()
	}
	return mgr.m.GetCertificate(managerHello(name))
}

// managerHello is the ClientHello given to autocert: it names the domain
// and claims ECDSA support, so autocert always picks the ECDSA
// certificate (a client without ECDSA would otherwise make it order an RSA
// one from inside a handshake).
func managerHello(name string) *tls.ClientHelloInfo {
	return &tls.ClientHelloInfo{
		ServerName:       name,
		SignatureSchemes: []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256},
		SupportedCurves:  []tls.CurveID{tls.CurveP256},
		CipherSuites:     []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
	}
}

// isChallengeHello reports whether hello is an ACME CA validating
// TLS-ALPN-01: it offers acme-tls/1 and nothing else.
func isChallengeHello(hello *tls.ClientHelloInfo) bool {
	return len(hello.SupportedProtos) == 1 && hello.SupportedProtos[0] == acme.ALPNProto
}

// serveHTTP01 answers an HTTP-01 challenge request for a configured
// domain.
func (a *acmeSource) serveHTTP01(w http.ResponseWriter, r *http.Request) {
	d := a.byName[requestHost(r)]
	if d == nil {
		http.NotFound(w, r)
		return
	}
	// autocert checks Host against its policy, which has no port in it.
	r = r.Clone(r.Context())
	r.Host = d.name
	d.mgr.Load().http.ServeHTTP(w, r)
}

func (a *acmeSource) status() []CertStatus {
	out := make([]CertStatus, 0, len(a.domains))
	for _, d := range a.domains {
		d.mu.Lock()
		st := CertStatus{Name: d.name, Source: ModeACME, LastError: d.lastErr, NextAttempt: d.nextAttempt}
		if d.leaf != nil {
			st.Serial, st.NotAfter, st.Issuer = serialHex(d.leaf), d.leaf.NotAfter, d.leaf.Issuer.String()
		}
		d.mu.Unlock()
		out = append(out, st)
	}
	return out
}

// backoff is the wait after the nth failure in a row: min doubled n-1
// times, at most max, then jittered by ±25% so that gateways which failed
// together do not retry together. randN(k) returns a number in [0, k).
func backoff(n int, lo, hi time.Duration, randN func(int64) int64) time.Duration {
	d := lo
	for i := 1; i < n && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return d - d/4 + time.Duration(randN(int64(d/2)+1))
}

// sleep waits for d or until ctx ends, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// acmeCache is autocert's DirCache, telling the source when autocert
// stores something (a new certificate, after an order or a renewal).
type acmeCache struct {
	dir   autocert.DirCache
	onPut func(key string, data []byte)
}

func (c *acmeCache) Get(ctx context.Context, key string) ([]byte, error) { return c.dir.Get(ctx, key) }

func (c *acmeCache) Put(ctx context.Context, key string, data []byte) error {
	if err := c.dir.Put(ctx, key, data); err != nil {
		return err
	}
	if c.onPut != nil {
		c.onPut(key, data)
	}
	return nil
}

func (c *acmeCache) Delete(ctx context.Context, key string) error { return c.dir.Delete(ctx, key) }

// ensurePrivateDir creates dir 0700, or tightens an existing one and the
// files in it (0700 and 0600): it holds private keys.
func ensurePrivateDir(dir string, log *slog.Logger) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create cache directory: %w", err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("cache directory: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("cache directory %s is not a directory", dir)
	}
	if st.Mode().Perm() != 0o700 {
		log.Warn("acme: tightening cache directory permissions", "dir", dir, "was", st.Mode().Perm().String())
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("cache directory: %w", err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("cache directory: %w", err)
	}
	for _, ent := range entries {
		if !ent.Type().IsRegular() {
			continue
		}
		info, err := ent.Info()
		if err != nil {
			return fmt.Errorf("cache directory: %w", err)
		}
		if info.Mode().Perm()&0o077 != 0 {
			p := filepath.Join(dir, ent.Name())
			log.Warn("acme: tightening cache file permissions", "file", p, "was", info.Mode().Perm().String())
			if err := os.Chmod(p, 0o600); err != nil {
				return fmt.Errorf("cache directory: %w", err)
			}
		}
	}
	return nil
}

// loadAccountKey returns the ACME account key from the cache, creating
// and storing an ECDSA P-256 key the first time, as autocert would.
func loadAccountKey(ctx context.Context, c autocert.Cache) (crypto.Signer, error) {
	data, err := c.Get(ctx, accountKeyName)
	if errors.Is(err, autocert.ErrCacheMiss) {
		data, err = c.Get(ctx, legacyAccountKeyName)
	}
	if errors.Is(err, autocert.ErrCacheMiss) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generate: %w", err)
		}
		der, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			return nil, fmt.Errorf("encode: %w", err)
		}
		var buf bytes.Buffer
		pem.Encode(&buf, &pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
		if err := c.Put(ctx, accountKeyName, buf.Bytes()); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	b, _ := pem.Decode(data)
	if b == nil || !strings.Contains(b.Type, "PRIVATE KEY") {
		return nil, errors.New("not a PEM private key")
	}
	return parsePrivateKeyDER(b.Bytes)
}

// stopTransport fails every request once stop is done, and cancels the
// ones in flight then: autocert runs orders under contexts of its own,
// and this is how Run's end reaches them.
type stopTransport struct {
	stop context.Context
	base http.RoundTripper
}

func (t *stopTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.stop.Err() != nil {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, errors.New("edge: ACME client stopped")
	}
	ctx, cancel := context.WithCancel(r.Context())
	unhook := context.AfterFunc(t.stop, cancel)
	res, err := t.base.RoundTrip(r.WithContext(ctx))
	if err != nil {
		unhook()
		cancel()
		return nil, err
	}
	res.Body = &cancelBody{ReadCloser: res.Body, done: func() { unhook(); cancel() }}
	return res, nil
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// base transport.
func (t *stopTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// cancelBody releases a request's context once its body is closed.
type cancelBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}
