package cluster

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
)

// memBus is a Bus in memory: every listener gets every payload.
type memBus struct {
	mu        sync.Mutex
	listeners map[string][]chan string
	sent      []string
}

func newMemBus() *memBus { return &memBus{listeners: map[string][]chan string{}} }

func (b *memBus) Notify(ctx context.Context, channel, payload string) error {
	if len(payload) >= 8000 {
		return fmt.Errorf("payload of %d bytes is too long", len(payload))
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sent = append(b.sent, payload)
	for _, c := range b.listeners[channel] {
		c <- payload
	}
	return nil
}

func (b *memBus) Listen(ctx context.Context, channel string, onListen func(), fn func(string)) error {
	c := make(chan string, 64)
	b.mu.Lock()
	b.listeners[channel] = append(b.listeners[channel], c)
	b.mu.Unlock()
	if onListen != nil {
		onListen()
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case p := <-c:
			fn(p)
		}
	}
}

// recorder collects the revocations a node's Local receives.
type recorder struct {
	mu  sync.Mutex
	got []account.Revocation
	ch  chan struct{}
}

func newRecorder() *recorder { return &recorder{ch: make(chan struct{}, 64)} }

func (r *recorder) local(rev account.Revocation) {
	r.mu.Lock()
	r.got = append(r.got, rev)
	r.mu.Unlock()
	r.ch <- struct{}{}
}

func (r *recorder) wait(t *testing.T, n int) []account.Revocation {
	t.Helper()
	for range n {
		select {
		case <-r.ch:
		case <-time.After(10 * time.Second):
			t.Fatalf("waited for %d revocations; got fewer", n)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

func sessionIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%064x", i+1)
	}
	return ids
}

func TestRevocationsReachEveryNodeOnce(t *testing.T) {
	bus := newMemBus()
	recA, recB := newRecorder(), newRecorder()
	var resyncs atomic.Int32
	a := NewRevocations(RevocationsConfig{Bus: bus, Local: recA.local})
	b := NewRevocations(RevocationsConfig{Bus: bus, Local: recB.local, Resync: func() { resyncs.Add(1) }})
	if a.Node() == b.Node() {
		t.Fatalf("two relays share the node identity %q", a.Node())
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, r := range []*Revocations{a, b} {
		wg.Go(func() { r.Run(ctx) })
	}
	defer wg.Wait()
	defer cancel()
	waitListening(t, bus, 2)
	if got := resyncs.Load(); got != 1 {
		t.Errorf("Resync ran %d times on listening, want 1", got)
	}

	// 250 sessions: more than one message holds.
	ids := sessionIDs(250)
	a.Revoked(account.Revocation{UserID: 7, SessionIDs: ids, Reason: account.ReasonPasswordChanged})

	gotA := recA.wait(t, 1)
	if len(gotA) != 1 || len(gotA[0].SessionIDs) != 250 {
		t.Fatalf("node A's own bridges: got %v revocations, want one of all 250 sessions", len(gotA))
	}
	gotB := recB.wait(t, 3)
	var all []string
	for _, r := range gotB {
		if r.UserID != 7 || r.Reason != account.ReasonPasswordChanged {
			t.Errorf("node B got %+v, want user 7, reason password_changed", r)
		}
		all = append(all, r.SessionIDs...)
	}
	if !slices.Equal(all, ids) {
		t.Errorf("node B got %d sessions, want the 250 in order", len(all))
	}
	waitFor(t, func() bool { return a.Stats().Sent == 3 }) // counted once each Notify returns
	if sa, sb := a.Stats(), b.Stats(); sa.Sent != 3 || sa.Received != 0 || sb.Received != 3 || sb.Sent != 0 || sa.Dropped+sb.Dropped != 0 {
		t.Errorf("stats: node A %+v, node B %+v; want A sent 3 and B received 3", sa, sb)
	}
	// Node A ignores its own messages: nothing more arrives.
	select {
	case <-recA.ch:
		t.Errorf("node A handled its own revocation twice")
	case <-time.After(50 * time.Millisecond):
	}
	bus.mu.Lock()
	for _, p := range bus.sent {
		if len(p) >= 8000 {
			t.Errorf("a message of %d bytes: NOTIFY takes under 8000", len(p))
		}
	}
	bus.mu.Unlock()
}

func TestRevocationMalformedIgnored(t *testing.T) {
	rec := newRecorder()
	r := NewRevocations(RevocationsConfig{Bus: newMemBus(), Local: rec.local})
	for _, p := range []string{"", "{", `{"node":"x"}`, `{"node":"","sessions":["a"]}`, `[1,2]`, `{"node":"x","sessions":[]}`} {
		r.receive(p)
	}
	r.receive(`{"node":"other","user":3,"reason":"logout","sessions":["s1"]}`)
	got := rec.wait(t, 1)
	if len(got) != 1 || got[0].UserID != 3 || !slices.Equal(got[0].SessionIDs, []string{"s1"}) || got[0].Reason != account.ReasonLogout {
		t.Errorf("got %+v, want only the well-formed revocation", got)
	}
}

func waitListening(t *testing.T, bus *memBus, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		bus.mu.Lock()
		k := len(bus.listeners[RevocationChannel])
		bus.mu.Unlock()
		if k >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d listeners, want %d", k, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// memLocker is a Locker in memory; lose ends the holder's hold.
type memLocker struct {
	mu     sync.Mutex
	held   map[string]context.CancelFunc
	misses atomic.Int32
}

func (l *memLocker) TryLock(ctx context.Context, name string, fn func(context.Context) error) (bool, error) {
	l.mu.Lock()
	if l.held == nil {
		l.held = map[string]context.CancelFunc{}
	}
	if _, ok := l.held[name]; ok {
		l.mu.Unlock()
		l.misses.Add(1)
		return false, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	l.held[name] = cancel
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		delete(l.held, name)
		l.mu.Unlock()
		cancel()
	}()
	return true, fn(ctx)
}

func (l *memLocker) lose(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cancel, ok := l.held[name]; ok {
		cancel()
	}
}

func TestSingletonRunsOnOneNodeAndFailsOver(t *testing.T) {
	l := &memLocker{}
	var running, maxRunning, starts atomic.Int32
	job := func(ctx context.Context) error {
		starts.Add(1)
		n := running.Add(1)
		for {
			m := maxRunning.Load()
			if n <= m || maxRunning.CompareAndSwap(m, n) {
				break
			}
		}
		<-ctx.Done()
		running.Add(-1)
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { Singleton(ctx, l, "sweep", time.Millisecond, nil, job) })
	}
	waitFor(t, func() bool { return starts.Load() == 1 && l.misses.Load() >= 6 })
	l.lose("sweep") // the holder's connection broke: another node takes over
	waitFor(t, func() bool { return starts.Load() >= 2 && running.Load() == 1 })
	cancel()
	wg.Wait()
	if m := maxRunning.Load(); m != 1 {
		t.Errorf("the job ran on %d nodes at once, want 1", m)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

// blockingBus is a Bus whose Notify waits until release is closed.
type blockingBus struct {
	*memBus
	release chan struct{}
}

func (b *blockingBus) Notify(ctx context.Context, channel, payload string) error {
	select {
	case <-b.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return b.memBus.Notify(ctx, channel, payload)
}

// TestRevokedDoesNotWait: while Run runs, Revoked ends the local bridges
// and returns without waiting for the database; the message goes out
// when the database answers.
func TestRevokedDoesNotWait(t *testing.T) {
	bus := &blockingBus{memBus: newMemBus(), release: make(chan struct{})}
	rec := newRecorder()
	r := NewRevocations(RevocationsConfig{Bus: bus, Local: rec.local})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { r.Run(ctx) })
	defer wg.Wait()
	defer cancel()
	waitFor(t, func() bool { return r.running.Load() })
	returned := make(chan struct{})
	go func() {
		r.Revoked(account.Revocation{UserID: 1, SessionIDs: sessionIDs(1), Reason: account.ReasonLogout})
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("Revoked waited for the bus")
	}
	rec.wait(t, 1) // the local bridges ended at once
	close(bus.release)
	waitFor(t, func() bool { bus.mu.Lock(); defer bus.mu.Unlock(); return len(bus.sent) == 1 })
}

// TestRevokedWithoutRunSendsAtOnce: the command line has no Run; its
// revocations go out before Revoked returns, before the process exits.
func TestRevokedWithoutRunSendsAtOnce(t *testing.T) {
	bus := newMemBus()
	r := NewRevocations(RevocationsConfig{Bus: bus})
	r.Revoked(account.Revocation{UserID: 1, SessionIDs: sessionIDs(2), Reason: account.ReasonDisabled})
	bus.mu.Lock()
	defer bus.mu.Unlock()
	if len(bus.sent) != 1 || !strings.Contains(bus.sent[0], `"reason":"disabled"`) {
		t.Fatalf("sent %q, want the revocation at once", bus.sent)
	}
}
