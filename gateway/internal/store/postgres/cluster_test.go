package postgres

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/e2e/pgserver"
	"golang.org/x/crypto/acme/autocert"
)

// wait is how long a test waits for something that normally takes
// milliseconds: generous, so a slow CI machine does not fail the test.
const wait = 20 * time.Second

// listener runs Listen on db in the background, until the test ends.
type listener struct {
	listens  chan struct{}
	payloads chan string
}

func listen(t *testing.T, db *DB, channel string) *listener {
	t.Helper()
	l := &listener{listens: make(chan struct{}, 10), payloads: make(chan string, 100)}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		err := db.Listen(ctx, channel, func() { l.listens <- struct{}{} }, func(p string) { l.payloads <- p })
		if err != nil {
			t.Errorf("Listen returned %v, want nil when its context ends", err)
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
	return l
}

func (l *listener) waitListening(t *testing.T) {
	t.Helper()
	select {
	case <-l.listens:
	case <-time.After(wait):
		t.Fatal("Listen: onListen not called")
	}
}

func (l *listener) next(t *testing.T) string {
	t.Helper()
	select {
	case p := <-l.payloads:
		return p
	case <-time.After(wait):
		t.Fatal("no notification arrived")
		return ""
	}
}

func TestNotifyListen(t *testing.T) {
	ctx := context.Background()
	u := pg.Server(t).NewDatabase(t)
	a, b := open(t, u), open(t, u)
	l := listen(t, b, "Revoke") // case is kept
	other := listen(t, b, "revoke")
	l.waitListening(t)
	other.waitListening(t)
	big := strings.Repeat("x", MaxPayload)
	for _, p := range []string{"session 1", "", big} {
		if err := a.Notify(ctx, "Revoke", p); err != nil {
			t.Fatal(err)
		}
		if got := l.next(t); got != p {
			t.Errorf("notification: got %.20q (%d bytes), want %.20q (%d bytes)", got, len(got), p, len(p))
		}
	}
	if err := a.Notify(ctx, "Revoke", big+"x"); err == nil {
		t.Errorf("Notify of %d bytes: got nil error", len(big)+1)
	}
	for _, ch := range []string{"", strings.Repeat("c", 64)} {
		if err := a.Notify(ctx, ch, "x"); err == nil {
			t.Errorf("Notify on channel %q: got nil error", ch)
		}
		if err := b.Listen(ctx, ch, nil, func(string) {}); err == nil {
			t.Errorf("Listen on channel %q: got nil error", ch)
		}
	}
	select {
	case p := <-other.payloads:
		t.Errorf("listener of another channel got %q", p)
	default:
	}
}

// TestListenChecksQuietConnection makes Listen ping its connection every
// few milliseconds: the pings must not disturb the notifications.
func TestListenChecksQuietConnection(t *testing.T) {
	u := pg.Server(t).NewDatabase(t)
	a, b := open(t, u), open(t, u)
	b.listenCheck = 5 * time.Millisecond
	l := listen(t, b, "quiet")
	l.waitListening(t)
	for i := range 20 {
		time.Sleep(7 * time.Millisecond)
		want := strings.Repeat("n", i*300)
		if err := a.Notify(context.Background(), "quiet", want); err != nil {
			t.Fatal(err)
		}
		if got := l.next(t); got != want {
			t.Fatalf("notification %d: got %d bytes, want %d", i, len(got), len(want))
		}
	}
	select {
	case <-l.listens:
		t.Error("Listen reconnected: a check broke the connection")
	default:
	}
}

// TestListenReconnects restarts the server under a listener: it comes
// back by itself, calls onListen again, and receives what is sent after.
func TestListenReconnects(t *testing.T) {
	srv := pgserver.Start(t)
	u := srv.NewDatabase(t)
	a, b := open(t, u), open(t, u)
	l := listen(t, b, "events")
	l.waitListening(t)
	srv.Restart(t)
	l.waitListening(t)
	// a's pool may hold a connection from before the restart: the first
	// Notify can fail. Send until one arrives.
	ctx := context.Background()
	deadline := time.Now().Add(wait)
	for {
		err := a.Notify(ctx, "events", "after restart")
		if err == nil {
			if got := l.next(t); got != "after restart" {
				t.Errorf("notification after restart: got %q", got)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Notify after restart: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestTryLock(t *testing.T) {
	ctx := context.Background()
	u := pg.Server(t).NewDatabase(t)
	a, b := open(t, u), open(t, u)
	// Checked often: a check that took a held lock for lost would stop
	// the work below and fail the test.
	a.lockCheck = 10 * time.Millisecond
	before := backends(t, a)
	ran, err := a.TryLock(ctx, "sweep", func(ctx context.Context) error {
		defer func() {
			select {
			case <-ctx.Done():
				t.Errorf("the work was stopped while its lock was held: %v", context.Cause(ctx))
			case <-time.After(100 * time.Millisecond):
			}
		}()
		for _, db := range []*DB{b, a} { // another node, and this one
			ran, err := db.TryLock(ctx, "sweep", func(context.Context) error {
				t.Error("TryLock ran fn while another holder had the lock")
				return nil
			})
			if ran || err != nil {
				t.Errorf("TryLock while held: got %v, %v; want false, nil", ran, err)
			}
		}
		// Another name is another lock.
		if ran, err := b.TryLock(ctx, "other", func(context.Context) error { return nil }); !ran || err != nil {
			t.Errorf("TryLock of another name: got %v, %v; want true, nil", ran, err)
		}
		return nil
	})
	if !ran || err != nil {
		t.Fatalf("TryLock: got %v, %v; want true, nil", ran, err)
	}
	boom := errors.New("boom")
	if ran, err := b.TryLock(ctx, "sweep", func(context.Context) error { return boom }); !ran || !errors.Is(err, boom) {
		t.Errorf("TryLock after release: got %v, %v; want true, boom", ran, err)
	}
	waitBackends(t, a, before) // every lock's connection closed
}

// TestTryLockLost: when the connection holding the lock dies (here the
// server ends it, as a restart or a network cut would), the work under
// the lock is stopped, and another node can take the lock.
func TestTryLockLost(t *testing.T) {
	ctx := context.Background()
	u := pg.Server(t).NewDatabase(t)
	a, b := open(t, u), open(t, u)
	a.lockCheck = 20 * time.Millisecond
	running := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		ran, err := a.TryLock(ctx, "sweep", func(ctx context.Context) error {
			close(running)
			<-ctx.Done() // a job that runs as long as it holds the lock
			return nil
		})
		if !ran {
			err = errors.New("did not run")
		}
		done <- err
	}()
	<-running
	// End the lock holder's connection from outside.
	var n int
	if err := b.pool.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND pid <> pg_backend_pid()`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminate the lock's connection: %d, %v", n, err)
	}
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "lost") {
			t.Errorf("TryLock whose lock was lost returned %v, want an error saying so", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the work went on after its lock was lost")
	}
	if ran, err := b.TryLock(ctx, "sweep", func(context.Context) error { return nil }); !ran || err != nil {
		t.Errorf("another node after the loss: TryLock got %v, %v; want true, nil", ran, err)
	}
}

func TestLock(t *testing.T) {
	ctx := context.Background()
	u := pg.Server(t).NewDatabase(t)
	a, b := open(t, u), open(t, u)
	before := backends(t, a)
	unlock, err := a.Lock(ctx, "order cert example.com")
	if err != nil {
		t.Fatal(err)
	}
	// Waiting gives up with the context, and gives its connection back.
	for range 3 {
		cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		_, err := b.Lock(cctx, "order cert example.com")
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Lock while held elsewhere: got %v, want DeadlineExceeded", err)
		}
	}
	// Each wait's connection is closed when it gives up.
	waitBackends(t, a, before+1) // the holder's lock connection only
	got := make(chan func(), 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		u2, err := b.Lock(ctx, "order cert example.com")
		if err != nil {
			t.Error(err)
			close(got)
			return
		}
		got <- u2
	})
	select {
	case <-got:
		t.Fatal("Lock returned while another node held the lock")
	case <-time.After(300 * time.Millisecond):
	}
	unlock()
	unlock() // a second call does nothing
	select {
	case u2, ok := <-got:
		if ok {
			u2()
		}
	case <-time.After(wait):
		t.Fatal("Lock did not return after the holder unlocked")
	}
	wg.Wait()
	waitBackends(t, a, before)
}

// backends counts the server's connections to db's database, the pools'
// idle ones included.
func backends(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.pool.QueryRow(context.Background(),
		"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitBackends waits until the database has want connections besides
// the one asking: a closed connection's server process takes a moment
// to leave pg_stat_activity.
func waitBackends(t *testing.T, db *DB, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := backends(t, db)
		if n == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections to the database, want %d: lock connections left open?", n, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAutocertCache(t *testing.T) {
	ctx := context.Background()
	u := pg.Server(t).NewDatabase(t)
	a, b := open(t, u), open(t, u)
	prod := a.AutocertCache("https://acme-v02.api.letsencrypt.org/directory")
	prodB := b.AutocertCache("https://acme-v02.api.letsencrypt.org/directory")
	staging := b.AutocertCache("https://acme-staging-v02.api.letsencrypt.org/directory")
	if _, err := prod.Get(ctx, "example.com"); !errors.Is(err, autocert.ErrCacheMiss) {
		t.Errorf("Get of a missing key: got %v, want ErrCacheMiss", err)
	}
	cert := []byte("-----BEGIN EC PRIVATE KEY-----\x00\xff binary too")
	if err := prod.Put(ctx, "example.com", cert); err != nil {
		t.Fatal(err)
	}
	if got, err := prodB.Get(ctx, "example.com"); err != nil || !bytes.Equal(got, cert) {
		t.Errorf("Get from another node: got %q, %v; want %q", got, err, cert)
	}
	if _, err := staging.Get(ctx, "example.com"); !errors.Is(err, autocert.ErrCacheMiss) {
		t.Errorf("Get in another namespace: got %v, want ErrCacheMiss", err)
	}
	if err := prodB.Put(ctx, "example.com", []byte("renewed")); err != nil {
		t.Fatal(err)
	}
	if got, err := prod.Get(ctx, "example.com"); err != nil || string(got) != "renewed" {
		t.Errorf("Get after a second Put: got %q, %v; want renewed", got, err)
	}
	if err := prod.Delete(ctx, "example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := prodB.Get(ctx, "example.com"); !errors.Is(err, autocert.ErrCacheMiss) {
		t.Errorf("Get after Delete: got %v, want ErrCacheMiss", err)
	}
	if err := prod.Delete(ctx, "example.com"); err != nil {
		t.Errorf("Delete of a missing key: %v", err)
	}
}
