package edge

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// SetDomains changes the names the edge serves in ACME mode, for a
// configuration reload: a new name gets its certificate as at start (from
// the cache, or ordered), while the others keep theirs; a name no longer
// listed stops being served and renewed at once. Handshakes in progress
// are not disturbed. In other modes the names cannot change without a
// restart, and SetDomains returns an error.
func (e *Edge) SetDomains(domains []string) error {
	if e.acme == nil {
		return errors.New("edge: the domains can change without a restart only in ACME mode")
	}
	if len(domains) == 0 {
		return errors.New("edge: ACME mode needs at least one domain")
	}
	var names []string
	for _, d := range domains {
		n, err := normalizeDomain(d)
		if err != nil {
			return err
		}
		names = append(names, n)
	}
	e.acme.setDomains(names)
	e.domains.Store(&names)
	return nil
}

// domainState is an acmeSource's set of domains, and the goroutines that
// keep their certificates.
type domainState struct {
	set atomic.Pointer[domainSet]

	mu     sync.Mutex                    // guards the fields below; serializes changes
	runCtx context.Context               // Run's, while it runs; nil before and after
	stops  map[string]context.CancelFunc // each running keep goroutine's, by domain
	keeps  sync.WaitGroup                // keep goroutines
}

// domainSet is one set of domains, never changed once stored.
type domainSet struct {
	list   []*acmeDomain // in configuration order
	byName map[string]*acmeDomain
}

// domain returns the configured domain called name, or nil.
func (a *acmeSource) domain(name string) *acmeDomain {
	if s := a.set.Load(); s != nil {
		return s.byName[name]
	}
	return nil
}

// domainList returns the configured domains in configuration order.
func (a *acmeSource) domainList() []*acmeDomain {
	if s := a.set.Load(); s != nil {
		return s.list
	}
	return nil
}

// setDomains makes names the configured domains, keeping the state of
// those already configured, and while Run runs starts keeping the new
// ones and stops keeping the ones dropped.
func (a *acmeSource) setDomains(names []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	next := &domainSet{byName: make(map[string]*acmeDomain, len(names))}
	var added []*acmeDomain
	for _, name := range names {
		if next.byName[name] != nil {
			continue
		}
		d := a.domain(name)
		if d == nil {
			d = &acmeDomain{name: name, late: a.runCtx != nil}
			d.gate.challenge = a.challenges[0]
			d.mgr.Store(a.newManager(d, nil))
			added = append(added, d)
		}
		next.list = append(next.list, d)
		next.byName[name] = d
	}
	for name, stop := range a.stops {
		if next.byName[name] == nil {
			stop()
			delete(a.stops, name)
			a.log.Info("acme: domain no longer configured; its certificate is no longer served or renewed", "domain", name)
		}
	}
	a.set.Store(next)
	// Dropping the last name without a certificate makes the edge ready.
	a.checkAllReady()
	if a.runCtx != nil {
		for _, d := range added {
			a.log.Info("acme: domain added", "domain", d.name)
			a.startKeep(d)
		}
	}
}

// keepAll keeps every configured domain's certificate, and those of
// domains added meanwhile, until ctx ends; then it waits for the keep
// goroutines.
func (a *acmeSource) keepAll(ctx context.Context) {
	a.mu.Lock()
	a.runCtx = ctx
	a.stops = map[string]context.CancelFunc{}
	for _, d := range a.domainList() {
		a.startKeep(d)
	}
	a.mu.Unlock()
	<-ctx.Done()
	a.mu.Lock()
	a.runCtx = nil // no keep starts after this
	a.mu.Unlock()
	a.keeps.Wait()
}

// startKeep starts keeping d's certificate; a.mu is held.
func (a *acmeSource) startKeep(d *acmeDomain) {
	ctx, stop := context.WithCancel(a.runCtx)
	a.stops[d.name] = stop
	a.keeps.Go(func() {
		defer stop()
		a.keep(ctx, d)
	})
}
