package sqlite

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
)

const password = "correct horse battery staple"

// newService is the account Service on db, with rate limits off (these
// tests hammer it from one address) and the cheapest allowed hash.
func newService(t testing.TB, db *DB, mod ...func(*account.Config)) *account.Service {
	t.Helper()
	cfg := serviceConfig(db)
	for _, f := range mod {
		f(&cfg)
	}
	svc, err := account.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func serviceConfig(db *DB) account.Config {
	return account.Config{
		Store:               db,
		Hash:                account.MinHashParams(),
		MaxConcurrentHashes: 4,
		Limits: account.Limits{
			LoginPerAddr:    account.Rate{N: -1},
			RegisterPerAddr: account.Rate{N: -1},
		},
	}
}

// TestConcurrentRegistrationsAndLogins drives one SQLite store from many
// goroutines at once (run it with -race): every write must land, none may
// fail with SQLITE_BUSY, and of several registrations of one name exactly
// one wins.
func TestConcurrentRegistrationsAndLogins(t *testing.T) {
	db := openTemp(t)
	svc := newService(t, db)
	ctx := context.Background()
	const workers, each = 8, 3
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		shared int
	)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				name := fmt.Sprintf("W%dn%d", w, i)
				addr := fmt.Sprintf("192.0.2.%d", w+1)
				if _, err := svc.Register(ctx, account.RegisterRequest{Client: account.Client{Addr: addr}, Name: name, Password: password}); err != nil {
					t.Errorf("Register(%s): %v", name, err)
					return
				}
				g, err := svc.Login(ctx, account.LoginRequest{Client: account.Client{Addr: addr}, Name: name, Password: password})
				if err != nil {
					t.Errorf("Login(%s): %v", name, err)
					return
				}
				if _, _, err := svc.Authenticate(ctx, g.Token); err != nil {
					t.Errorf("Authenticate(%s): %v", name, err)
				}
			}
			_, err := svc.Register(ctx, account.RegisterRequest{Name: "Shared", Password: password})
			switch {
			case err == nil:
				mu.Lock()
				shared++
				mu.Unlock()
			case !errors.Is(err, account.ErrNameTaken):
				t.Errorf("Register(Shared): %v", err)
			}
		})
	}
	wg.Wait()
	if shared != 1 {
		t.Errorf("registrations of one name: got %d winners, want 1", shared)
	}
	n, err := db.CountUsers(ctx, account.UserQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if n != workers*each+1 {
		t.Errorf("users: got %d, want %d", n, workers*each+1)
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}

// crashChildEnv names the database a re-executed test binary works on
// as the crash test's child.
const crashChildEnv = "DRAWBRIDGE_SQLITE_CRASH_CHILD"

// TestCrashSafety kills a process that is registering and logging in at
// random moments with SIGKILL, then checks that the database is intact
// and holds every account the process had reported committed. The child
// is this test binary run again with crashChildEnv set.
func TestCrashSafety(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		return
	}
	if testing.Short() {
		t.Skip("starts child processes")
	}
	path := filepath.Join(t.TempDir(), "accounts.db")
	var committed []string
	for round := range 3 {
		committed = append(committed, runAndKill(t, path, round)...)
	}
	if len(committed) == 0 {
		t.Fatal("the child committed nothing before it was killed")
	}
	ctx := context.Background()
	db, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	var fk int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM pragma_foreign_key_check").Scan(&fk); err != nil || fk != 0 {
		t.Errorf("foreign key check: %d violations, %v", fk, err)
	}
	// A login killed mid-hash counted as a failure on its name (attempts
	// are counted before they are judged): check two hours later, when
	// that backoff is long gone.
	svc := newService(t, db, func(c *account.Config) { c.Now = func() time.Time { return time.Now().Add(2 * time.Hour) } })
	for _, name := range committed {
		if _, err := svc.Login(ctx, account.LoginRequest{Name: name, Password: password}); err != nil {
			t.Errorf("account %s, reported committed before the kill: %v", name, err)
		}
	}
	t.Logf("%d committed accounts survived 3 kills", len(committed))
}

// runAndKill starts the child on path, lets it commit a few accounts,
// kills it with SIGKILL at a random moment, and returns the names it
// reported committed.
func runAndKill(t *testing.T, path string, round int) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashSafety$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var (
		names []string
		mu    sync.Mutex
		first = make(chan struct{})
		done  = make(chan struct{})
	)
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			name, ok := strings.CutPrefix(sc.Text(), "committed ")
			if !ok {
				continue
			}
			mu.Lock()
			names = append(names, name)
			if len(names) == 1 {
				close(first)
			}
			mu.Unlock()
		}
	}()
	select {
	case <-first:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
		cmd.Wait()
		t.Fatalf("round %d: the child reported nothing in 60s", round)
	}
	// A random moment: mid-hash, mid-transaction or mid-fsync.
	time.Sleep(time.Duration(50+rand.IntN(700)) * time.Millisecond)
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	<-done // the pipe closes when the child is gone
	cmd.Wait()
	mu.Lock()
	defer mu.Unlock()
	t.Logf("round %d: killed after %d committed accounts", round, len(names))
	return names
}

// crashChild registers and logs in accounts in a loop on two goroutines,
// printing each account's name once Register has returned (committed).
// It runs until killed, or gives up after a minute so an orphan cannot
// linger.
func crashChild(path string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := Open(ctx, path, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(2)
	}
	svc, err := account.New(serviceConfig(db))
	if err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(2)
	}
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	for w := range 2 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				name := fmt.Sprintf("P%dw%dn%d", os.Getpid(), w, i)
				if _, err := svc.Register(ctx, account.RegisterRequest{Name: name, Password: password}); err != nil {
					fmt.Fprintln(os.Stderr, "crash child: register:", err)
					continue
				}
				mu.Lock()
				fmt.Fprintln(os.Stdout, "committed "+name) // os.Stdout is unbuffered
				mu.Unlock()
				if _, err := svc.Login(ctx, account.LoginRequest{Name: name, Password: password}); err != nil {
					fmt.Fprintln(os.Stderr, "crash child: login:", err)
				}
			}
		})
	}
	wg.Wait()
	db.Close()
	os.Exit(0)
}

// BenchmarkLogin is one successful login on SQLite with the default
// Argon2id parameters: the hash dominates.
func BenchmarkLogin(b *testing.B) {
	db := openTemp(b)
	svc := newService(b, db, func(c *account.Config) { c.Hash = account.DefaultHashParams() })
	ctx := context.Background()
	if _, err := svc.Register(ctx, account.RegisterRequest{Name: "Alice", Password: password}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.Login(ctx, account.LoginRequest{Client: account.Client{Addr: "192.0.2.1"}, Name: "Alice", Password: password}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticate is the check of a session token on a warm
// store, as the /ws upgrade and every API request do: two indexed reads,
// no write (LastSeen is fresh).
func BenchmarkAuthenticate(b *testing.B) {
	db := openTemp(b)
	svc := newService(b, db)
	ctx := context.Background()
	g, err := svc.Register(ctx, account.RegisterRequest{Name: "Alice", Password: password})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := svc.Authenticate(ctx, g.Token); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, _, err := svc.Authenticate(ctx, g.Token); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
