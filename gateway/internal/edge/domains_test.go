package edge

import (
	"crypto/tls"
	"slices"
	"testing"

	"github.com/drawbridge/drawbridge/e2e/pebble"
)

// A reload adds a domain (its certificate is ordered, the others' kept)
// and drops one (no longer served), against Pebble.
func TestPebbleSetDomains(t *testing.T) {
	tlsLn, tlsPort := listen(t)
	peb := pebble.Start(t, pebble.Options{TLSPort: tlsPort})
	e, _ := pebbleEdge(t, peb, t.TempDir(), func(c *Config) { c.Domains = pebbleDomains[:1] })
	srv := serveTLS(t, tlsLn, e.TLSConfig("http/1.1"))
	runEdge(t, e)
	awaitCertificates(t, e)
	first := e.Status()[0]

	// A name a reload adds that cannot get a certificate (its DNS is
	// broken) does not make the edge unready: the names it serves stay
	// served, and a balancer must not take the node out for it.
	peb.SetServFail(t, "broken.test")
	if err := e.SetDomains(append(pebbleDomains[:1:1], "broken.test")); err != nil {
		t.Fatal(err)
	}
	if ok, why := e.Ready(); !ok {
		t.Fatalf("not ready after adding a name without a certificate: %s", why)
	}
	if st := e.Status(); len(st) != 2 || st[1].Name != "broken.test" {
		t.Fatalf("Status %+v, want the added name listed", st)
	}

	if err := e.SetDomains(pebbleDomains); err != nil {
		t.Fatal(err)
	}
	awaitCertificates(t, e)
	served := verifyServed(t, srv.addr(), peb.Roots())
	if served[first.Name] != first.Serial {
		t.Errorf("%s: serial %s after adding a domain, want the one it had (%s)", first.Name, served[first.Name], first.Serial)
	}

	if err := e.SetDomains(pebbleDomains[1:]); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, st := range e.Status() {
		names = append(names, st.Name)
	}
	if !slices.Equal(names, pebbleDomains[1:]) {
		t.Fatalf("Status names %v, want %v", names, pebbleDomains[1:])
	}
	if c, err := dial(t, srv.addr(), &tls.Config{ServerName: first.Name, RootCAs: peb.Roots()}); err == nil {
		if echo(c, "x") == nil {
			t.Errorf("%s is still served after it was dropped", first.Name)
		}
		c.Close()
	}

	if err := e.SetDomains(nil); err == nil {
		t.Error("SetDomains(nil) in ACME mode: no error")
	}
	self, err := New(Config{Mode: ModeSelfSigned, StateDir: t.TempDir(), SelfSignedHosts: []string{"localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := self.SetDomains([]string{"game.test"}); err == nil {
		t.Error("SetDomains in self-signed mode: no error")
	}
}
