package edge

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"github.com/drawbridge/drawbridge/e2e/pebble"
)

// These tests run several edges ("nodes") that share one cache and one
// cluster lock, as gateways behind one load balancer do, against Pebble.

// memCache is an autocert.Cache in memory, shared by the nodes of a test.
type memCache struct {
	delay time.Duration // before every Get, to widen races

	mu   sync.Mutex
	data map[string][]byte
	puts map[string]int
}

func newMemCache() *memCache {
	return &memCache{data: map[string][]byte{}, puts: map[string]int{}}
}

func (c *memCache) Get(ctx context.Context, key string) ([]byte, error) {
	if c.delay > 0 {
		time.Sleep(c.delay)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.data[key]
	if !ok {
		return nil, autocert.ErrCacheMiss
	}
	return bytes.Clone(v), nil
}

func (c *memCache) Put(ctx context.Context, key string, data []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.data[key] = bytes.Clone(data)
	c.puts[key]++
	return nil
}

func (c *memCache) Delete(ctx context.Context, key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.data, key)
	return nil
}

func (c *memCache) putCount(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.puts[key]
}

// memLock is a cluster lock for nodes in one process.
type memLock struct {
	mu    sync.Mutex
	held  map[string]chan struct{} // closed on unlock
	taken map[string]int
}

func newMemLock() *memLock {
	return &memLock{held: map[string]chan struct{}{}, taken: map[string]int{}}
}

func (l *memLock) Lock(ctx context.Context, name string) (func(), error) {
	for {
		l.mu.Lock()
		ch, busy := l.held[name]
		if !busy {
			ch = make(chan struct{})
			l.held[name] = ch
			l.taken[name]++
			l.mu.Unlock()
			var once sync.Once
			return func() {
				once.Do(func() {
					l.mu.Lock()
					delete(l.held, name)
					l.mu.Unlock()
					close(ch)
				})
			}, nil
		}
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (l *memLock) count(name string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.taken[name]
}

// clusterNode is an edge configured as one of several nodes sharing cache
// and lock.
func clusterNode(t *testing.T, peb *pebble.Server, cache autocert.Cache, lock *memLock, modify func(*Config)) (*Edge, *logBuffer) {
	t.Helper()
	return pebbleEdge(t, peb, "", func(c *Config) {
		c.Domains = pebbleDomains[:1]
		c.Cache = cache
		c.Lock = lock.Lock
		if modify != nil {
			modify(c)
		}
	})
}

// balancer returns a TLS config that hands connections to the nodes'
// configs in turn, as a load balancer in front of them would.
func balancer(nodes ...*Edge) *tls.Config {
	var next atomic.Int64
	cfgs := make([]*tls.Config, len(nodes))
	for i, e := range nodes {
		cfgs[i] = e.TLSConfig("http/1.1")
	}
	return &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
		return cfgs[int(next.Add(1)-1)%len(cfgs)], nil
	}}
}

// servedLeaf returns the raw leaf certificate addr serves for name,
// verified against roots.
func servedLeaf(t *testing.T, addr, name string, cfg *tls.Config) []byte {
	t.Helper()
	cfg = cfg.Clone()
	cfg.ServerName = name
	c, err := dial(t, addr, cfg)
	if err != nil {
		t.Fatalf("handshake with %s for %s: %v", addr, name, err)
	}
	defer c.Close()
	if err := echo(c, "ping"); err != nil {
		t.Fatalf("%s: %v", addr, err)
	}
	return c.ConnectionState().PeerCertificates[0].Raw
}

// TestClusterOneOrder starts two nodes at once for the same domain,
// behind a balancer that sends Pebble's TLS-ALPN-01 validations to either:
// exactly one order reaches Pebble, and both serve the certificate it
// issued.
func TestClusterOneOrder(t *testing.T) {
	tlsLn, tlsPort := listen(t)
	peb := pebble.Start(t, pebble.Options{TLSPort: tlsPort})
	cache, lock := newMemCache(), newMemLock()
	a, logsA := clusterNode(t, peb, cache, lock, nil)
	b, logsB := clusterNode(t, peb, cache, lock, nil)
	serveTLS(t, tlsLn, balancer(a, b))
	srvA := startTLSServer(t, a.TLSConfig("http/1.1"))
	srvB := startTLSServer(t, b.TLSConfig("http/1.1"))

	runEdge(t, a)
	runEdge(t, b)
	awaitCertificates(t, a)
	awaitCertificates(t, b)

	if got := peb.CreatedOrders(); got != 1 {
		t.Errorf("orders Pebble created = %d, want 1", got)
	}
	if got := cache.putCount("game.test"); got != 1 {
		t.Errorf("certificates stored in the shared cache = %d, want 1", got)
	}
	if got := lock.count(a.acme.lockName("game.test")); got < 1 {
		t.Errorf("domain lock taken %d times, want at least once", got)
	}
	// A node logs the outcome just after its status shows the
	// certificate: wait for both lines, not only for the status.
	eventually(t, issueTimeout, "both nodes to log how they got the certificate", func() bool {
		all := logsA.String() + logsB.String()
		return strings.Contains(all, "acme: certificate obtained") &&
			strings.Contains(all, "loaded certificate obtained by another node")
	})
	obtained := strings.Count(logsA.String(), "acme: certificate obtained") + strings.Count(logsB.String(), "acme: certificate obtained")
	if obtained != 1 {
		t.Errorf("nodes that obtained a certificate = %d, want 1:\nA:\n%s\nB:\n%s", obtained, logsA, logsB)
	}
	if !strings.Contains(logsA.String()+logsB.String(), "loaded certificate obtained by another node") {
		t.Errorf("no node says it loaded the other's certificate:\nA:\n%s\nB:\n%s", logsA, logsB)
	}
	stA, stB := a.Status()[0], b.Status()[0]
	if stA.Serial == "" || stA.Serial != stB.Serial {
		t.Errorf("Status serials %q and %q, want one certificate", stA.Serial, stB.Serial)
	}
	verify := &tls.Config{RootCAs: peb.Roots()}
	leafA := servedLeaf(t, srvA.addr(), "game.test", verify)
	leafB := servedLeaf(t, srvB.addr(), "game.test", verify)
	if !bytes.Equal(leafA, leafB) {
		t.Error("the nodes serve different certificates")
	}

	// A third node, started later, loads it without the lock or an order.
	c, logsC := clusterNode(t, peb, cache, lock, nil)
	taken := lock.count(a.acme.lockName("game.test"))
	runEdge(t, c)
	awaitCertificates(t, c)
	if got := c.Status()[0].Serial; got != stA.Serial {
		t.Errorf("third node serves %s, want %s", got, stA.Serial)
	}
	if got := lock.count(a.acme.lockName("game.test")); got != taken {
		t.Errorf("domain lock taken %d times after the third node started, want %d (a valid cached certificate needs no lock)", got, taken)
	}
	if !strings.Contains(logsC.String(), "certificate loaded from cache") {
		t.Errorf("third node log:\n%s", logsC)
	}
	if got := peb.CreatedOrders(); got != 1 {
		t.Errorf("orders Pebble created = %d, want still 1", got)
	}
}

// TestClusterAccountKey starts nodes at once on an empty shared cache:
// one account key is created, under the account lock, and all use it.
func TestClusterAccountKey(t *testing.T) {
	cache, lock := newMemCache(), newMemLock()
	cache.delay = 20 * time.Millisecond // both see the cache empty unless the lock orders them
	dirURL, _ := downCA(t)
	const n = 4
	edges := make([]*Edge, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			edges[i], errs[i] = New(Config{
				Mode: ModeACME, Domains: []string{"game.test"}, DirectoryURL: dirURL,
				Cache: cache, Lock: lock.Lock,
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
	}
	if got := cache.putCount(accountKeyName); got != 1 {
		t.Errorf("account keys stored = %d, want 1", got)
	}
	for i, e := range edges[1:] {
		if !e.acme.accountKey.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(edges[0].acme.accountKey.Public()) {
			t.Errorf("node %d has another account key than node 0", i+1)
		}
	}
	if got := lock.count("acme/" + dirURL + "/account"); got == 0 {
		t.Error("account lock never taken")
	}
}

// TestClusterChallengeOnOtherNode: node A orders, but Pebble's validation
// reaches only node B, which answers from the shared cache, for each
// challenge type. B never runs, so it orders nothing itself.
func TestClusterChallengeOnOtherNode(t *testing.T) {
	for _, typ := range []string{"tls-alpn-01", "http-01"} {
		t.Run(typ, func(t *testing.T) {
			ln, port := listen(t)
			opts := pebble.Options{TLSPort: port}
			if typ == "http-01" {
				opts = pebble.Options{HTTPPort: port}
			}
			peb := pebble.Start(t, opts)
			cache, lock := newMemCache(), newMemLock()
			only := func(c *Config) { c.ChallengeTypes = []string{typ} }
			a, _ := clusterNode(t, peb, cache, lock, only)
			b, _ := clusterNode(t, peb, cache, lock, only)

			var answeredByB atomic.Int64
			if typ == "tls-alpn-01" {
				cfg := b.TLSConfig("http/1.1")
				inner := cfg.GetConfigForClient
				cfg.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
					if isChallengeHello(hello) {
						answeredByB.Add(1)
					}
					return inner(hello)
				}
				serveTLS(t, ln, cfg)
			} else {
				h := b.HTTPHandler(nil)
				hs := &http.Server{
					Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						if strings.HasPrefix(r.URL.Path, acmeChallengePath) {
							answeredByB.Add(1)
						}
						h.ServeHTTP(w, r)
					}),
					ReadHeaderTimeout: 5 * time.Second,
				}
				served := make(chan error, 1)
				go func() { served <- hs.Serve(ln) }()
				t.Cleanup(func() {
					hs.Shutdown(context.Background())
					if err := <-served; !errors.Is(err, http.ErrServerClosed) {
						t.Errorf("http server: %v", err)
					}
				})
			}

			runEdge(t, a) // A has no listener at all
			awaitCertificates(t, a)
			if answeredByB.Load() == 0 {
				t.Error("no validation reached node B")
			}
			orders := peb.CreatedOrders()

			// B, started now, loads A's certificate without ordering.
			runEdge(t, b)
			awaitCertificates(t, b)
			if got := peb.CreatedOrders(); got != orders {
				t.Errorf("orders after B started = %d, want %d", got, orders)
			}
			if sa, sb := a.Status()[0].Serial, b.Status()[0].Serial; sa != sb {
				t.Errorf("A serves %s, B %s", sa, sb)
			}
		})
	}
}

// TestClusterRenewal: when the certificate is due, one node renews it
// under the lock, and the other, looking again, loads the renewed
// certificate rather than ordering one of its own.
func TestClusterRenewal(t *testing.T) {
	tlsLn, tlsPort := listen(t)
	peb := pebble.Start(t, pebble.Options{TLSPort: tlsPort})
	cache, lock := newMemCache(), newMemLock()
	// Both nodes' clock: the real one until fixed is set, then stopped
	// there, so that the time a renewal takes on a loaded machine cannot
	// carry the clock past the renewed certificate's own renewal time.
	var fixed atomic.Int64
	clock := func() time.Time {
		if f := fixed.Load(); f != 0 {
			return time.Unix(0, f)
		}
		return time.Now()
	}
	a, logsA := clusterNode(t, peb, cache, lock, func(c *Config) { c.Now = clock })
	b, logsB := clusterNode(t, peb, cache, lock, func(c *Config) { c.Now = clock })
	serveTLS(t, tlsLn, balancer(a, b))
	runEdge(t, a)
	runEdge(t, b)
	awaitCertificates(t, a)
	awaitCertificates(t, b)
	first := a.acme.domain("game.test").leafNow()
	orders := peb.CreatedOrders()

	// A renewal issued in a later second expires later.
	time.Sleep(time.Until(first.NotBefore.Add(1100 * time.Millisecond)))
	// Both clocks at the first certificate's renewal time: it is due, a
	// renewed one (expiring later) is not.
	fixed.Store(a.acme.renewAt(first).UnixNano())
	ctx := context.Background()
	a.acme.tick(ctx, a.acme.domain("game.test"))
	if got := peb.CreatedOrders(); got != orders+1 {
		t.Fatalf("orders after A's renewal = %d, want %d\n%s", got, orders+1, logsA)
	}
	renewed := a.Status()[0]
	if renewed.Serial == serialHex(first) || renewed.LastError != "" {
		t.Fatalf("A after renewal: %+v, want a new certificate\n%s", renewed, logsA)
	}
	if !strings.Contains(logsA.String(), "certificate renewed") {
		t.Errorf("A did not log the renewal:\n%s", logsA)
	}

	b.acme.tick(ctx, b.acme.domain("game.test"))
	if got := peb.CreatedOrders(); got != orders+1 {
		t.Errorf("orders after B's check = %d, want %d (B loads A's renewal)", got, orders+1)
	}
	if got := b.Status()[0]; got.Serial != renewed.Serial || got.LastError != "" {
		t.Errorf("B after its check: %+v, want %s", got, renewed.Serial)
	}
	if !strings.Contains(logsB.String(), "loaded certificate obtained by another node") {
		t.Errorf("B did not log loading the renewal:\n%s", logsB)
	}
	srvB := startTLSServer(t, b.TLSConfig("http/1.1"))
	if got := servedSerial(t, srvB.addr(), &tls.Config{ServerName: "game.test", RootCAs: peb.Roots()}); got != renewed.Serial {
		t.Errorf("B serves %s, want %s", got, renewed.Serial)
	}
}

// TestClusterConfig checks the new fields' validation.
func TestClusterConfig(t *testing.T) {
	lock := newMemLock()
	base := Config{Mode: ModeACME, Domains: []string{"game.test"}}
	cases := []struct {
		name   string
		modify func(*Config)
		want   string // in the error; empty for none
	}{
		{"cache without state dir", func(c *Config) { c.Cache = newMemCache() }, ""},
		{"cache and lock", func(c *Config) { c.Cache, c.Lock = newMemCache(), lock.Lock }, ""},
		{"lock without cache", func(c *Config) { c.StateDir, c.Lock = t.TempDir(), lock.Lock }, "needs the shared cache"},
		{"cache and cache dir", func(c *Config) { c.Cache, c.CacheDir = newMemCache(), t.TempDir() }, "not both"},
		{"neither", func(c *Config) {}, "state directory"},
	}
	for _, tc := range cases {
		cfg := base
		tc.modify(&cfg)
		err := cfg.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want no error", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: got %v, want an error with %q", tc.name, err, tc.want)
		}
	}
}

// leafNow returns the certificate d serves now.
func (d *acmeDomain) leafNow() *x509.Certificate {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.leaf
}

// TestClusterTokenCertClockSkew: a TLS-ALPN-01 token certificate another
// node stored, whose NotBefore is ahead of this node's clock, is still
// served to the CA (autocert alone would refuse it as not valid yet).
func TestClusterTokenCertClockSkew(t *testing.T) {
	cache := newMemCache()
	dirURL, _ := downCA(t)
	e, err := New(Config{Mode: ModeACME, Domains: []string{"game.test"}, DirectoryURL: dirURL, Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	hello := &tls.ClientHelloInfo{ServerName: "game.test", SupportedProtos: []string{acme.ALPNProto}}
	if _, err := e.TLSConfig().GetCertificate(hello); err == nil {
		t.Fatal("token certificate served with none in the cache")
	}
	ahead := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Now().Add(time.Minute), // the other node's clock is a minute ahead
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	tok, err := (&acme.Client{Key: newKey(t)}).TLSALPN01ChallengeCert("token", "game.test", acme.WithTemplate(ahead))
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(tok.PrivateKey.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	entry := append(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tok.Certificate[0]})...)
	cache.Put(context.Background(), "game.test+token", entry)
	got, err := e.TLSConfig().GetCertificate(hello)
	if err != nil {
		t.Fatalf("token certificate from the shared cache: %v", err)
	}
	if !bytes.Equal(got.Certificate[0], tok.Certificate[0]) {
		t.Error("served another certificate than the token certificate")
	}
}

// TestACMEWithoutClusterFields: with neither Cache nor Lock, the edge is
// what it was: the directory cache, autocert's managers on the shared
// client's transport (under the challenge transport) with no gate,
// renewing by themselves at the configured time.
func TestACMEWithoutClusterFields(t *testing.T) {
	dirURL, down := downCA(t)
	e := acmeEdge(t, dirURL, down, func(c *Config) { c.RenewBefore = 48 * time.Hour })
	a := e.acme
	if a.shared || a.lock != nil {
		t.Errorf("shared = %v, lock set = %v, want neither", a.shared, a.lock != nil)
	}
	if _, ok := a.cache.backend.(autocert.DirCache); !ok {
		t.Errorf("cache backend %T, want autocert.DirCache", a.cache.backend)
	}
	for _, d := range a.domainList() {
		m := d.mgr.Load()
		if !m.online.Load() {
			t.Errorf("%s: manager offline", d.name)
		}
		if ct, ok := m.m.Client.HTTPClient.Transport.(*challengeTransport); !ok || ct.base != a.client.Transport || ct.gate != &d.gate {
			t.Errorf("%s: manager's transport %T, want the domain's challenge transport on the source's", d.name, m.m.Client.HTTPClient.Transport)
		}
		if m.m.RenewBefore != 48*time.Hour {
			t.Errorf("%s: RenewBefore = %v, want the configured 48h", d.name, m.m.RenewBefore)
		}
		if m.m.Cache != autocert.Cache(a.cache) {
			t.Errorf("%s: manager cache %T, want the source's", d.name, m.m.Cache)
		}
	}
}
