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
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/big"
	mathrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
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
	// accountKeyTimeout bounds reading (or creating) the account key in
	// New, including the wait for the cluster lock.
	accountKeyTimeout = time.Minute
	// lockWaitNotice is how long a node waits for the cluster lock
	// before it logs that it is waiting for another node.
	lockWaitNotice = time.Second
	// lockedRenewBefore is the RenewBefore given to autocert when a
	// cluster lock is configured: Run renews under the lock, so
	// autocert's own renewal timer is pushed to the last minute (and its
	// requests are refused: see gateTransport).
	lockedRenewBefore = time.Minute
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
//
// With a shared cache (Config.Cache) Run also re-reads the cache at every
// check, and loads a newer certificate another node stored into a fresh
// manager. With a cluster lock (Config.Lock) orders and renewals are
// Run's alone, each under the domain's lock: managers may reach the CA
// only while Run lets them (acmeManager.online), so autocert's own
// renewal timers cannot order behind the lock's back.
type acmeSource struct {
	log         *slog.Logger
	now         func() time.Time
	cache       *acmeCache
	shared      bool // cache is Config.Cache, shared with other nodes
	lock        func(ctx context.Context, name string) (unlock func(), err error)
	checkEvery  time.Duration // renewalCheckInterval; tests shorten it
	dirURL      string
	email       string
	eab         *acme.ExternalAccountBinding
	accountKey  crypto.Signer
	client      *http.Client // every request to the CA; dead once stop is called
	renewBefore time.Duration
	retryMin    time.Duration
	retryMax    time.Duration
	challenges  []string // the challenge types offered, in order of preference

	stopCtx context.Context
	stop    context.CancelFunc

	domainState // the domains, in configuration order; SetDomains changes them (domains.go)

	readyOnce sync.Once
	readyCh   chan struct{} // closed once every domain has had a certificate

	failMu   sync.Mutex
	failures map[string]uint64 // failed attempts by problem type ("" for none from the CA)
}

// acmeManager is an autocert.Manager with its HTTP-01 handler.
type acmeManager struct {
	m    *autocert.Manager
	http http.Handler
	// online says whether the manager may send requests to the CA. It is
	// always true without a shared cache. With one, it is false while a
	// manager only loads a certificate another node stored; with a
	// cluster lock, it is true only while Run orders under the lock.
	online atomic.Bool
}

// acmeDomain is the state of one domain.
type acmeDomain struct {
	name  string
	mgr   atomic.Pointer[acmeManager]
	ready atomic.Bool // a certificate is in mgr; handshakes may ask it
	gate  challengeGate
	// late: added by a reload while the edge ran. Until it has a
	// certificate it does not make the edge unready: the names served
	// already are still served, and a balancer must not take the node
	// out (it shows in Status, the log and the metrics).
	late bool

	mu          sync.Mutex // guards the fields below
	leaf        *x509.Certificate
	lastErr     string
	nextAttempt time.Time
	stored      bool // a new certificate went into the cache
	overdue     bool
	renewFails  int         // failed renewals in a row under the cluster lock
	problem     *Problem    // the CA's problem document of the last failure; nil after a success
	failedAt    []time.Time // failed validations within failedValidationWindow
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
		lock:        cfg.Lock,
		checkEvery:  renewalCheckInterval,
		challenges:  slices.Clone(cfg.ChallengeTypes),
		readyCh:     make(chan struct{}),
		failures:    map[string]uint64{},
	}
	if len(a.challenges) == 0 {
		a.challenges = []string{ChallengeTLSALPN01, ChallengeHTTP01}
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

	where := "the shared cache"
	if cfg.Cache != nil {
		a.cache = &acmeCache{backend: cfg.Cache, log: log, onPut: a.certStored}
		a.shared = true
	} else {
		dir := cfg.CacheDir
		if dir == "" {
			dir = filepath.Join(cfg.StateDir, "acme")
		}
		if err := ensurePrivateDir(dir, log); err != nil {
			return nil, err
		}
		a.cache = &acmeCache{backend: autocert.DirCache(dir), log: log, onPut: a.certStored}
		where = dir
	}
	var lockAccount func(context.Context) (func(), error)
	if a.lock != nil {
		lockAccount = func(ctx context.Context) (func(), error) {
			return a.takeLock(ctx, a.lockName("account"), "acme: waiting for another node to create the ACME account key")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), accountKeyTimeout)
	key, err := loadAccountKey(ctx, a.cache.backend, lockAccount)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("account key in %s: %w", where, err)
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

	a.setDomains(domains)
	return a, nil
}

// newManager returns a fresh autocert.Manager for one domain. autocert
// would try TLS-ALPN-01 and then HTTP-01 in one attempt; its client's
// transport (challengeTransport) narrows each attempt to the domain's
// current challenge type, and keeps the CA's problem document when the
// validation fails. autocert keeps both challenges' tokens in the
// cache as well as in memory, and reads them back from the cache when
// they are not its own, so with a shared cache any node answers a
// challenge for an order another node placed.
//
// With replace set, the manager does not see the cached certificate with
// that serial number: asked for the domain's certificate, it orders a
// new one (a renewal) instead of loading that one.
func (a *acmeSource) newManager(d *acmeDomain, replace *big.Int) *acmeManager {
	name := d.name
	am := &acmeManager{}
	var cache autocert.Cache = a.cache
	if replace != nil {
		cache = &replacingCache{acmeCache: a.cache, domain: name, serial: replace}
	}
	client := a.client
	renewBefore := a.renewBefore
	if a.shared {
		am.online.Store(a.lock == nil)
		c := *a.client
		c.Transport = &gateTransport{online: &am.online, base: a.client.Transport}
		client = &c
	} else {
		am.online.Store(true)
	}
	if a.lock != nil {
		renewBefore = lockedRenewBefore
	}
	c := *client
	c.Transport = &challengeTransport{gate: &d.gate, types: a.challenges, dirURL: a.dirURL, base: client.Transport}
	client = &c
	m := &autocert.Manager{
		// Choosing ACME with a CA is accepting its subscriber agreement.
		Prompt:                 autocert.AcceptTOS,
		Cache:                  cache,
		HostPolicy:             autocert.HostWhitelist(name),
		RenewBefore:            renewBefore,
		Email:                  a.email,
		ExternalAccountBinding: a.eab,
		Client: &acme.Client{
			Key:          a.accountKey,
			HTTPClient:   client,
			DirectoryURL: a.dirURL,
			UserAgent:    "drawbridge",
			RetryBackoff: a.retryBackoff,
		},
	}
	am.m = m
	am.http = m.HTTPHandler(http.NotFoundHandler())
	return am
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
	if res.StatusCode == http.StatusTooManyRequests {
		// A rate limit: the attempt fails with the CA's problem document,
		// and Run waits for its Retry-After (often hours) between
		// attempts, not inside a request.
		return 0
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
	a.keepAll(ctx)
}

// keep obtains d's certificate, retrying with backoff until it has one,
// then watches it until ctx ends.
func (a *acmeSource) keep(ctx context.Context, d *acmeDomain) {
	for failures := 0; ; {
		start := a.now()
		d.beginAttempt()
		a.log.Debug("acme: getting certificate", "domain", d.name, "attempt", failures+1, "challenge", d.gate.current())
		cert, waited, err := a.obtain(ctx, d)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			renewAt := a.renewAt(cert.Leaf)
			issued := d.setReady(cert.Leaf, renewAt)
			msg := "acme: certificate loaded from cache"
			switch {
			case issued:
				msg = "acme: certificate obtained"
			case waited:
				msg = "acme: loaded certificate obtained by another node"
			}
			a.log.Info(msg, "domain", d.name, "took", a.now().Sub(start).Round(time.Millisecond),
				"serial", serialHex(cert.Leaf), "issuer", cert.Leaf.Issuer.String(),
				"not_after", cert.Leaf.NotAfter.UTC(), "renew_at", renewAt.UTC())
			a.checkAllReady()
			break
		}
		failures++
		a.attemptFailed(d, failures, err)
		wait := max(d.nextAttemptAt().Sub(a.now()), 0)
		// A fresh manager forgets the failed order, which the old one
		// would otherwise keep answering with for a minute.
		d.mgr.Store(a.newManager(d, nil))
		if !sleep(ctx, wait) {
			return
		}
	}
	if a.lock != nil {
		a.tick(ctx, d) // a cached certificate may be due for renewal already
	}
	for sleep(ctx, a.nextCheck(d)) {
		a.tick(ctx, d)
	}
}

// attemptFailed records a failed attempt to get d's certificate: the
// CA's problem document (from the failed validation, or the error), the
// failure metric, when to try next, and which challenge type then; and
// logs it at ERROR with the CA's problem type and detail. The next
// attempt comes after the backoff, and not before the CA's Retry-After,
// nor before a failed validation leaves the hour when the name has
// spent failedValidationBudget of them in it.
func (a *acmeSource) attemptFailed(d *acmeDomain, failures int, err error) {
	now := a.now()
	prob := d.gate.validationFailure()
	validationFailed := prob != nil
	if prob == nil {
		prob = problemOf(err, now)
	}
	wait := backoff(failures, a.retryMin, a.retryMax, mathrand.Int64N)
	next := now.Add(wait)
	why := err.Error()
	if prob != nil {
		why = prob.String()
		if prob.RetryAfter.After(next) {
			next = prob.RetryAfter.Add(time.Duration(mathrand.Int64N(int64(time.Second))))
		}
	}
	// Under a cluster lock, obtain has recorded the failed validation
	// while it held the lock.
	failed := a.noteFailures(d, validationFailed && a.lock == nil, now)
	budget := ""
	if len(failed) >= failedValidationBudget {
		if free := failed[len(failed)-failedValidationBudget].Add(failedValidationWindow); free.After(next) {
			next = free
			budget = fmt.Sprintf("%d failed validations in the last hour (Let's Encrypt allows 5)", len(failed))
		}
	}
	d.mu.Lock()
	d.lastErr, d.nextAttempt, d.problem = why, next, prob
	d.mu.Unlock()

	typ, detail, challenge := "", err.Error(), d.gate.current()
	var retryAfter time.Time
	if prob != nil {
		typ, detail, retryAfter = prob.Type, prob.Detail, prob.RetryAfter
		if prob.Challenge != "" {
			challenge = prob.Challenge
		}
	}
	if !errors.Is(err, errHeldBack) { // a held-back attempt asked the CA nothing
		a.failMu.Lock()
		a.failures[typ]++
		a.failMu.Unlock()
	}
	nextType := nextChallenge(a.challenges, d.gate.current(), validationFailed)
	d.gate.begin(nextType)
	attrs := []any{"domain", d.name, "attempt", failures, "challenge", challenge,
		"problem_type", typ, "detail", detail}
	if prob != nil && len(prob.Subproblems) > 0 {
		attrs = append(attrs, "subproblems", strings.Join(prob.Subproblems, "; "))
	}
	if !retryAfter.IsZero() {
		attrs = append(attrs, "retry_after", retryAfter.UTC())
	}
	if budget != "" {
		attrs = append(attrs, "held_back", budget)
	}
	attrs = append(attrs, "retry_in", next.Sub(now).Round(time.Second), "next_attempt", next.UTC(), "next_challenge", nextType)
	if prob == nil {
		attrs = append(attrs, "err", err)
	}
	a.log.Error("acme: could not obtain certificate; will retry", attrs...)
}

// errHeldBack is the error of an attempt not made because the name has
// spent its failed validations for the hour (on any node sharing the
// cache).
var errHeldBack = errors.New("held back")

// failedKey is the cache key under which, in a shared cache, the times
// of a name's failed validations are kept (JSON), so that nodes sharing
// the CA account share the name's failed-validation budget.
func failedKey(name string) string { return name + "+failed-validations" }

// noteFailures returns the times of d's failed validations within
// failedValidationWindow, oldest first, after adding now if add is set.
// With a shared cache they are the union of every node's: read from the
// cache and, when they changed, written back.
func (a *acmeSource) noteFailures(d *acmeDomain, add bool, now time.Time) []time.Time {
	d.mu.Lock()
	times := slices.Clone(d.failedAt)
	d.mu.Unlock()
	var shared []time.Time
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if a.shared {
		data, err := a.cache.Get(ctx, failedKey(d.name))
		switch {
		case err == nil:
			if err := json.Unmarshal(data, &shared); err != nil {
				a.log.Warn("acme: ignoring an unreadable record of failed validations in the shared cache", "domain", d.name, "err", err)
			}
		case !errors.Is(err, autocert.ErrCacheMiss):
			a.log.Warn("acme: could not read the failed validations from the shared cache", "domain", d.name, "err", err)
		}
		times = append(times, shared...)
	}
	if add {
		times = append(times, now)
	}
	slices.SortFunc(times, func(x, y time.Time) int { return x.Compare(y) })
	times = slices.CompactFunc(times, func(x, y time.Time) bool { return x.Equal(y) })
	times = slices.DeleteFunc(times, func(t time.Time) bool { return now.Sub(t) >= failedValidationWindow })
	d.mu.Lock()
	d.failedAt = slices.Clone(times)
	d.mu.Unlock()
	if a.shared && (add || len(times) != len(shared)) {
		if data, err := json.Marshal(times); err == nil {
			a.cache.Put(ctx, failedKey(d.name), data) // a failure is logged by the cache
		}
	}
	return times
}

// heldBack returns when d may spend a failed validation again, if it has
// spent its budget for the hour (across the cluster); zero otherwise.
func (a *acmeSource) heldBack(d *acmeDomain) time.Time {
	now := a.now()
	failed := a.noteFailures(d, false, now)
	if len(failed) < failedValidationBudget {
		return time.Time{}
	}
	if free := failed[len(failed)-failedValidationBudget].Add(failedValidationWindow); free.After(now) {
		return free
	}
	return time.Time{}
}

// checkAllReady closes readyCh once every domain has a certificate.
func (a *acmeSource) checkAllReady() {
	for _, d := range a.domainList() {
		if !d.ready.Load() && !d.late {
			return
		}
	}
	a.readyOnce.Do(func() { close(a.readyCh) })
}

// failureCounts returns the failed attempts so far by problem type.
func (a *acmeSource) failureCounts() map[string]uint64 {
	a.failMu.Lock()
	defer a.failMu.Unlock()
	return maps.Clone(a.failures)
}

// ready reports whether every domain has a certificate and, if not,
// why not: the first domain without one and its last error.
func (a *acmeSource) ready() (bool, string) {
	for _, d := range a.domainList() {
		if d.ready.Load() || d.late {
			continue
		}
		d.mu.Lock()
		why := d.lastErr
		next := d.nextAttempt
		d.mu.Unlock()
		if why == "" {
			return false, "certificate for " + d.name + ": being obtained"
		}
		return false, fmt.Sprintf("certificate for %s: %s; next attempt at %s", d.name, why, next.UTC().Format(time.RFC3339))
	}
	return true, ""
}

func (d *acmeDomain) nextAttemptAt() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.nextAttempt
}

// obtain gets d's first certificate. Without a cluster lock that is
// autocert's GetCertificate: the certificate from the cache, or a new
// order. With one, a valid certificate in the shared cache is loaded
// without the lock; otherwise the node takes the domain's lock, and
// then loads what another node stored meanwhile or, if there is still
// nothing, orders. waited reports that the lock was taken, so a loaded
// certificate is another node's.
func (a *acmeSource) obtain(ctx context.Context, d *acmeDomain) (cert *tls.Certificate, waited bool, err error) {
	mgr := d.mgr.Load()
	if a.lock == nil {
		cert, err := mgr.m.GetCertificate(managerHello(d.name))
		return cert, false, err
	}
	if leaf := a.cachedLeaf(ctx, d.name); leaf != nil && a.now().Before(leaf.NotAfter) {
		// The manager is offline: it can load, not order.
		cert, err := mgr.m.GetCertificate(managerHello(d.name))
		if err == nil {
			return cert, false, nil
		}
		a.log.Debug("acme: cached certificate not usable; ordering under the cluster lock", "domain", d.name, "err", err)
		mgr = a.newManager(d, nil) // forget the refused attempt
		d.mgr.Store(mgr)
	}
	unlock, err := a.takeLock(ctx, a.lockName(d.name), "acme: waiting for another node to obtain the certificate", "domain", d.name)
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	// autocert looks in the cache first: a certificate another node
	// stored while this one waited is loaded, not ordered again.
	if leaf := a.cachedLeaf(ctx, d.name); leaf == nil || !a.now().Before(leaf.NotAfter) {
		// An order: not if the name's failed validations for the hour
		// are spent, by this node or another.
		if free := a.heldBack(d); !free.IsZero() {
			return nil, true, fmt.Errorf("%w until %s: the nodes sharing this cache have spent %d failed validations for %s in the last hour (Let's Encrypt allows 5)",
				errHeldBack, free.UTC().Format(time.RFC3339), failedValidationBudget, d.name)
		}
	}
	mgr.online.Store(true)
	defer mgr.online.Store(false)
	cert, err = mgr.m.GetCertificate(managerHello(d.name))
	if err != nil && d.gate.validationFailure() != nil {
		a.noteFailures(d, true, a.now()) // while holding the lock
	}
	return cert, true, err
}

// nextCheck is how long Run waits before it next looks at d: the check
// interval, or less when a renewal retry under the lock is due sooner.
func (a *acmeSource) nextCheck(d *acmeDomain) time.Duration {
	wait := a.checkEvery
	if a.lock == nil {
		return wait
	}
	d.mu.Lock()
	retry := d.renewFails > 0
	next := d.nextAttempt
	d.mu.Unlock()
	if until := next.Sub(a.now()); retry && until < wait {
		wait = max(until, time.Second)
	}
	return wait
}

// tick is Run's periodic look at d once it has a certificate: it loads a
// newer one another node stored in a shared cache, renews under the
// cluster lock when one is configured and the certificate is due, and
// reports what check reports.
func (a *acmeSource) tick(ctx context.Context, d *acmeDomain) {
	if a.shared {
		a.reload(ctx, d)
	}
	if a.lock != nil {
		a.renewIfDue(ctx, d)
	}
	if ctx.Err() == nil {
		a.check(d)
	}
}

// reload loads the certificate in the shared cache into a fresh manager
// if it is newer (expires later) than the one d serves, and reports
// whether it did. The manager loading it is offline, so a cache entry
// autocert rejects never turns into an order.
func (a *acmeSource) reload(ctx context.Context, d *acmeDomain) bool {
	leaf := a.cachedLeaf(ctx, d.name)
	if leaf == nil {
		return false
	}
	d.mu.Lock()
	cur := d.leaf
	d.mu.Unlock()
	if cur != nil && !leaf.NotAfter.After(cur.NotAfter) {
		return false
	}
	m := a.newManager(d, nil)
	m.online.Store(false)
	cert, err := m.m.GetCertificate(managerHello(d.name))
	m.online.Store(a.lock == nil) // without a lock, autocert renews it itself
	if err != nil {
		a.log.Warn("acme: could not load the certificate another node stored; still serving the current one",
			"domain", d.name, "cached_serial", serialHex(leaf), "err", err)
		return false
	}
	d.mgr.Store(m)
	renewAt := a.renewAt(cert.Leaf)
	d.mu.Lock()
	d.leaf, d.lastErr, d.overdue, d.nextAttempt, d.renewFails = cert.Leaf, "", false, renewAt, 0
	d.mu.Unlock()
	a.log.Info("acme: loaded certificate obtained by another node", "domain", d.name,
		"serial", serialHex(cert.Leaf), "issuer", cert.Leaf.Issuer.String(),
		"not_after", cert.Leaf.NotAfter.UTC(), "renew_at", renewAt.UTC())
	return true
}

// renewIfDue renews d's certificate under the cluster lock once it is
// due (and any retry after a failed renewal is due). Having the lock, it
// first loads a certificate another node renewed meanwhile; only if the
// cache still holds a certificate due for renewal does it order.
func (a *acmeSource) renewIfDue(ctx context.Context, d *acmeDomain) {
	due := func() (*x509.Certificate, bool) {
		d.mu.Lock()
		defer d.mu.Unlock()
		now := a.now()
		return d.leaf, d.leaf != nil && !now.Before(a.renewAt(d.leaf)) && !now.Before(d.nextAttempt)
	}
	if _, ok := due(); !ok {
		return
	}
	unlock, err := a.takeLock(ctx, a.lockName(d.name), "acme: waiting for another node to obtain the certificate", "domain", d.name)
	if err != nil {
		if ctx.Err() == nil {
			a.renewFailed(d, err)
		}
		return
	}
	defer unlock()
	a.reload(ctx, d)
	leaf, ok := due()
	if !ok {
		return
	}
	a.log.Info("acme: renewing certificate", "domain", d.name, "serial", serialHex(leaf),
		"renew_at", a.renewAt(leaf).UTC(), "not_after", leaf.NotAfter.UTC())
	if free := a.heldBack(d); !free.IsZero() {
		a.renewFailed(d, fmt.Errorf("%w until %s: the nodes sharing this cache have spent %d failed validations for %s in the last hour (Let's Encrypt allows 5)",
			errHeldBack, free.UTC().Format(time.RFC3339), failedValidationBudget, d.name))
		return
	}
	d.gate.begin(d.gate.current())
	m := a.newManager(d, leaf.SerialNumber)
	m.online.Store(true)
	cert, err := m.m.GetCertificate(managerHello(d.name))
	m.online.Store(false)
	if ctx.Err() != nil {
		return
	}
	if err != nil && d.gate.validationFailure() != nil {
		a.noteFailures(d, true, a.now()) // while holding the lock
	}
	if err != nil {
		a.renewFailed(d, err)
		return
	}
	d.mgr.Store(m)
	renewAt := a.renewAt(cert.Leaf)
	d.mu.Lock()
	// certStored has logged the renewal, unless the cache refused it.
	stored := d.leaf.SerialNumber.Cmp(cert.Leaf.SerialNumber) == 0
	d.leaf, d.lastErr, d.overdue, d.nextAttempt, d.renewFails = cert.Leaf, "", false, renewAt, 0
	d.mu.Unlock()
	if !stored {
		a.log.Warn("acme: certificate renewed, but the shared cache did not take it; other nodes keep the old one until they renew",
			"domain", d.name, "serial", serialHex(cert.Leaf), "not_after", cert.Leaf.NotAfter.UTC())
	}
}

// renewFailed records a failed renewal under the lock and when to retry.
func (a *acmeSource) renewFailed(d *acmeDomain, err error) {
	now := a.now()
	prob := d.gate.validationFailure()
	if prob == nil {
		prob = problemOf(err, now)
	}
	why := err.Error()
	d.mu.Lock()
	d.renewFails++
	n := d.renewFails
	wait := backoff(n, a.retryMin, a.retryMax, mathrand.Int64N)
	next := now.Add(wait)
	if prob != nil {
		why = prob.String()
		if prob.RetryAfter.After(next) {
			next = prob.RetryAfter
		}
	}
	d.lastErr, d.nextAttempt, d.problem = why, next, prob
	d.mu.Unlock()
	typ := ""
	if prob != nil {
		typ = prob.Type
	}
	if !errors.Is(err, errHeldBack) { // a held-back renewal asked the CA nothing
		a.failMu.Lock()
		a.failures[typ]++
		a.failMu.Unlock()
	}
	d.gate.begin(nextChallenge(a.challenges, d.gate.current(), d.gate.validationFailure() != nil))
	a.log.Warn("acme: could not renew certificate; still serving the current one, will retry", "domain", d.name,
		"attempt", n, "problem_type", typ, "err", why, "retry_in", next.Sub(now).Round(time.Second), "next_attempt", next.UTC())
}

// lockName is the cluster lock's name for what (a domain, or "account")
// at this source's CA.
func (a *acmeSource) lockName(what string) string { return "acme/" + a.dirURL + "/" + what }

// takeLock takes the cluster lock called name, logging waitMsg (with
// attrs) if that takes more than lockWaitNotice: another node holds it.
func (a *acmeSource) takeLock(ctx context.Context, name, waitMsg string, attrs ...any) (unlock func(), err error) {
	waiting := time.AfterFunc(lockWaitNotice, func() {
		a.log.Info(waitMsg, append(attrs, "lock", name)...)
	})
	unlock, err = a.lock(ctx, name)
	waiting.Stop()
	if err != nil {
		return nil, fmt.Errorf("cluster lock %q: %w", name, err)
	}
	return unlock, nil
}

// cachedLeaf returns the certificate the cache holds for domain, or nil
// when it holds none (or one that does not parse).
func (a *acmeSource) cachedLeaf(ctx context.Context, domain string) *x509.Certificate {
	data, err := a.cache.Get(ctx, domain)
	if err != nil {
		if !errors.Is(err, autocert.ErrCacheMiss) {
			a.log.Warn("acme: could not read the certificate cache", "domain", domain, "err", err)
		}
		return nil
	}
	return leafFromCacheEntry(data)
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
		msg := "acme: certificate renewal is overdue; autocert keeps retrying"
		if a.lock != nil {
			msg = "acme: certificate renewal is overdue; still retrying under the cluster lock"
		}
		a.log.Error(msg, "domain", d.name, "renew_at", renewAt.UTC(), "not_after", leaf.NotAfter.UTC())
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
	d := a.domain(key)
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
	d.gate.begin(d.gate.current())
}

// setReady records d's certificate and reports whether it was newly
// issued (rather than found in the cache).
func (d *acmeDomain) setReady(leaf *x509.Certificate, renewAt time.Time) (issued bool) {
	d.mu.Lock()
	d.leaf, d.lastErr, d.nextAttempt, d.problem = leaf, "", renewAt, nil
	issued = d.stored
	d.mu.Unlock()
	d.ready.Store(true)
	return issued
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
	d := a.domain(name)
	if d == nil {
		return nil, fmt.Errorf("edge: no certificate for %q: not a configured domain", hello.ServerName)
	}
	mgr := d.mgr.Load()
	if isChallengeHello(hello) {
		cert, err := mgr.m.GetCertificate(hello) // the TLS-ALPN-01 token certificate, or an error
		if err != nil && a.shared {
			if c := a.cachedTokenCert(name); c != nil {
				return c, nil
			}
		}
		return cert, err
	}
	if !d.ready.Load() {
		return nil, d.notReady()
	}
	return mgr.m.GetCertificate(managerHello(name))
}

// cachedTokenCert returns the TLS-ALPN-01 token certificate another node
// put into the shared cache for name, or nil. autocert reads it from the
// cache itself, but refuses it while it is "not valid yet": its NotBefore
// is the creating node's clock, so a node whose clock is a little behind
// would fail the CA's validation. This takes it as it is; the key under
// which autocert stores it ("<name>+token") is autocert's.
func (a *acmeSource) cachedTokenCert(name string) *tls.Certificate {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	data, err := a.cache.Get(ctx, name+"+token")
	if err != nil {
		return nil
	}
	cert, err := tls.X509KeyPair(data, data) // the key, then the certificate
	if err != nil {
		return nil
	}
	return &cert
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
	d := a.domain(requestHost(r))
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
	domains := a.domainList()
	out := make([]CertStatus, 0, len(domains))
	for _, d := range domains {
		d.mu.Lock()
		st := CertStatus{Name: d.name, Source: ModeACME, LastError: d.lastErr, NextAttempt: d.nextAttempt}
		if d.problem != nil && d.lastErr != "" {
			p := *d.problem
			st.Problem = &p
		}
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

// acmeCache is the cache autocert is given: autocert's DirCache, or the
// shared Config.Cache. It tells the source when autocert stores
// something (a new certificate, after an order or a renewal), and logs
// failed writes, which autocert mostly ignores (a challenge token that
// did not reach a shared cache is a challenge other nodes cannot answer).
type acmeCache struct {
	backend autocert.Cache
	log     *slog.Logger
	onPut   func(key string, data []byte)
}

func (c *acmeCache) Get(ctx context.Context, key string) ([]byte, error) {
	return c.backend.Get(ctx, key)
}

func (c *acmeCache) Put(ctx context.Context, key string, data []byte) error {
	if err := c.backend.Put(ctx, key, data); err != nil {
		c.log.Warn("acme: could not write to the certificate cache", "key", key, "err", err)
		return err
	}
	if c.onPut != nil {
		c.onPut(key, data)
	}
	return nil
}

func (c *acmeCache) Delete(ctx context.Context, key string) error {
	if err := c.backend.Delete(ctx, key); err != nil {
		c.log.Warn("acme: could not delete from the certificate cache", "key", key, "err", err)
		return err
	}
	return nil
}

// replacingCache is the cache of a manager that renews: the domain's
// cached certificate with the serial being replaced is a miss to it, so
// autocert orders a new one rather than loading that one. Everything
// else, a certificate another node renewed included, reads through.
type replacingCache struct {
	*acmeCache
	domain string
	serial *big.Int
}

func (c *replacingCache) Get(ctx context.Context, key string) ([]byte, error) {
	data, err := c.acmeCache.Get(ctx, key)
	if err == nil && key == c.domain {
		if leaf := leafFromCacheEntry(data); leaf != nil && leaf.SerialNumber.Cmp(c.serial) == 0 {
			return nil, autocert.ErrCacheMiss
		}
	}
	return data, err
}

// errOffline is what a manager's requests to the CA fail with while it
// is not allowed to make any.
var errOffline = errors.New("edge: ACME request refused: with a shared cache, this node orders only when Run lets it (under the cluster lock, if there is one)")

// gateTransport lets a manager's requests through only while it is
// online. With a cluster lock that keeps autocert's own renewal timers
// (and those of managers already replaced) from ordering outside the
// lock; it also stops autocert's background clean-up of a finished
// order's pending authorizations, which is harmless: an order that
// succeeded leaves none.
type gateTransport struct {
	online *atomic.Bool
	base   http.RoundTripper
}

func (t *gateTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if !t.online.Load() {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, errOffline
	}
	return t.base.RoundTrip(r)
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// base transport.
func (t *gateTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

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
// and storing an ECDSA P-256 key the first time, as autocert would. With
// lock set (a cluster lock), a missing key is created under the lock,
// after looking again: of nodes starting at once, one creates the key
// and the others read it, rather than each registering an account of
// its own.
func loadAccountKey(ctx context.Context, c autocert.Cache, lock func(context.Context) (unlock func(), err error)) (crypto.Signer, error) {
	read := func() ([]byte, error) {
		data, err := c.Get(ctx, accountKeyName)
		if errors.Is(err, autocert.ErrCacheMiss) {
			data, err = c.Get(ctx, legacyAccountKeyName)
		}
		return data, err
	}
	data, err := read()
	if errors.Is(err, autocert.ErrCacheMiss) && lock != nil {
		unlock, lerr := lock(ctx)
		if lerr != nil {
			return nil, lerr
		}
		defer unlock()
		data, err = read()
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
