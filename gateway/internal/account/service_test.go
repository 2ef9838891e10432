package account_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/drawbridge/drawbridge/gateway/internal/account/accounttest"
	"golang.org/x/crypto/bcrypt"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// revocations records what OnRevoke is told.
type revocations struct {
	mu  sync.Mutex
	got []account.Revocation
}

func (r *revocations) add(rv account.Revocation) {
	r.mu.Lock()
	r.got = append(r.got, rv)
	r.mu.Unlock()
}

// take returns and forgets what was recorded.
func (r *revocations) take() []account.Revocation {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got
	r.got = nil
	return out
}

// countingStore counts the writes that matter for throttling.
type countingStore struct {
	account.Store
	touches atomic.Int64
}

func (c *countingStore) TouchSession(ctx context.Context, id string, at time.Time) error {
	c.touches.Add(1)
	return c.Store.TouchSession(ctx, id, at)
}

type env struct {
	svc   *account.Service
	store *countingStore
	clock *clock
	rev   *revocations
	audit *bytes.Buffer
}

const (
	goodPassword  = "correct horse battery staple"
	otherPassword = "purple monkey dishwasher"
)

func newEnv(t *testing.T, mod ...func(*account.Config)) *env {
	t.Helper()
	e := &env{
		store: &countingStore{Store: accounttest.NewMemStore()},
		clock: &clock{t: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)},
		rev:   &revocations{},
		audit: &bytes.Buffer{},
	}
	var mu sync.Mutex
	cfg := account.Config{
		Store:       e.store,
		Now:         e.clock.Now,
		Hash:        account.MinHashParams(), // fast enough for many tests
		AllowGuests: true,
		OnRevoke:    e.rev.add,
		Audit:       slog.New(slog.NewJSONHandler(lockedWriter{&mu, e.audit}, nil)),
	}
	for _, f := range mod {
		f(&cfg)
	}
	svc, err := account.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	return e
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func client(addr string) account.Client { return account.Client{Addr: addr, UserAgent: "test/1"} }

func (e *env) register(t *testing.T, name string) account.Grant {
	t.Helper()
	g, err := e.svc.Register(context.Background(), account.RegisterRequest{Client: client("192.0.2.10:5555"), Name: name, Password: goodPassword})
	if err != nil {
		t.Fatalf("Register(%s): %v", name, err)
	}
	return g
}

func (e *env) login(name, password, addr string) (account.Grant, error) {
	return e.svc.Login(context.Background(), account.LoginRequest{Client: client(addr), Name: name, Password: password})
}

// withRole makes a user with a role, through the console.
func (e *env) withRole(t *testing.T, name string, r account.Role) account.User {
	t.Helper()
	u, err := e.svc.CreateUser(context.Background(), account.Console(), account.NewUser{Name: name, Password: goodPassword, Role: r})
	if err != nil {
		t.Fatalf("CreateUser(%s, %v): %v", name, r, err)
	}
	return u
}

// quickUser stores a user directly, without hashing a password.
func (e *env) quickUser(t *testing.T, name string, r account.Role) account.User {
	t.Helper()
	u, err := e.store.CreateUser(context.Background(), account.User{Name: name, Role: r, CreatedAt: e.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (e *env) events(t *testing.T) []account.EventType {
	t.Helper()
	es, err := e.store.ListEvents(context.Background(), account.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var out []account.EventType
	for i := len(es) - 1; i >= 0; i-- {
		out = append(out, es[i].Type)
	}
	return out
}

func wantLimit(t *testing.T, err, kind error, retry time.Duration) {
	t.Helper()
	var le *account.LimitError
	if !errors.As(err, &le) || !errors.Is(err, kind) {
		t.Fatalf("got %v, want a *LimitError %v", err, kind)
	}
	if le.RetryAfter != retry {
		t.Errorf("RetryAfter: got %v, want %v", le.RetryAfter, retry)
	}
}

func TestRegisterLoginAuthenticate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	g := e.register(t, "Alice")
	if g.User.Name != "Alice" || g.User.Role != account.RolePlayer || g.User.PasswordHash != "" {
		t.Errorf("Register: got user %+v, want Alice, player, no hash", g.User)
	}
	if len(g.Token) != account.TokenLen || g.Session.ID == g.Token {
		t.Errorf("Register: token %q, session ID %q", g.Token, g.Session.ID)
	}
	if id, _ := account.SessionID(g.Token); id != g.Session.ID {
		t.Errorf("SessionID(token): got %s, want %s", id, g.Session.ID)
	}
	// The store holds the token's hash only.
	if _, err := e.store.Session(ctx, g.Token); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("store lookup by the raw token: got %v, want ErrNotFound", err)
	}
	u, s, err := e.svc.Authenticate(ctx, g.Token)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != g.User.ID || s.ID != g.Session.ID || u.PasswordHash != "" {
		t.Errorf("Authenticate: got %+v %+v", u, s)
	}
	if want := e.clock.Now().Add(14 * 24 * time.Hour); !s.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt: got %v, want %v", s.ExpiresAt, want)
	}
	// Login by any case of the name issues a new, different token.
	g2, err := e.login("aLiCe", goodPassword, "192.0.2.11")
	if err != nil {
		t.Fatal(err)
	}
	if g2.Token == g.Token || g2.Session.ID == g.Session.ID {
		t.Error("Login reused a token")
	}
	if g2.User.LastLogin.IsZero() {
		t.Error("Login did not record LastLogin")
	}
	for _, tok := range []string{g.Token, g2.Token} {
		if _, _, err := e.svc.Authenticate(ctx, tok); err != nil {
			t.Errorf("Authenticate after a second login: %v", err)
		}
	}
	if got, want := e.events(t), []account.EventType{account.EventRegister, account.EventLogin, account.EventLogin}; !slices.Equal(got, want) {
		t.Errorf("audit events: got %v, want %v", got, want)
	}
}

func TestAuthenticateRejects(t *testing.T) {
	e := newEnv(t)
	g := e.register(t, "Alice")
	for _, tok := range []string{"", "short", strings.Repeat("A", 42) + "!", strings.Repeat("A", 43), g.Session.ID} {
		if _, _, err := e.svc.Authenticate(context.Background(), tok); !errors.Is(err, account.ErrUnauthenticated) {
			t.Errorf("Authenticate(%q): got %v, want ErrUnauthenticated", tok, err)
		}
	}
}

func TestLoginErrorsAreGeneric(t *testing.T) {
	e := newEnv(t)
	e.register(t, "Alice")
	g, err := e.svc.Guest(context.Background(), client("192.0.2.1"))
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct{ name, pw string }{
		{"Alice", "wrong password here"},
		{"Nobody", goodPassword},
		{g.User.Name, ""},              // a guest has no password
		{strings.Repeat("x", 500), ""}, // no account can have this name
		{"Alice", strings.Repeat("x", 100000)},
	} {
		e.clock.Advance(time.Minute) // past any backoff
		_, err := e.login(tc.name, tc.pw, fmt.Sprintf("198.51.100.%d", i))
		if !errors.Is(err, account.ErrInvalidCredentials) {
			t.Errorf("Login(%.20q): got %v, want ErrInvalidCredentials", tc.name, err)
		}
		if got := account.Message(err); got != "Invalid username or password." {
			t.Errorf("Message: got %q", got)
		}
	}
}

// TestUnknownUserCostsAHash checks that a login for a name that does not
// exist takes about as long as one with a wrong password: it must spend
// a hash too, or timing would tell which names exist.
func TestUnknownUserCostsAHash(t *testing.T) {
	e := newEnv(t, func(c *account.Config) {
		c.Limits.LoginPerAddr.N = -1
		c.Limits.BackoffBase, c.Limits.BackoffMax = time.Nanosecond, time.Nanosecond
	})
	e.register(t, "Alice")
	measure := func(name string) time.Duration {
		best := time.Hour
		for range 3 {
			e.clock.Advance(time.Second)
			start := time.Now()
			e.login(name, "wrong password here", "192.0.2.1")
			best = min(best, time.Since(start))
		}
		return best
	}
	known, unknown := measure("Alice"), measure("Nobody")
	if unknown < known/3 {
		t.Errorf("login for an unknown name took %v, for a known one %v: the unknown one skips the hash", unknown, known)
	}
}

func TestBackoffAndLockout(t *testing.T) {
	e := newEnv(t, func(c *account.Config) {
		c.Limits.LockoutAfter = 4
		c.Limits.LockoutFor = 15 * time.Minute
		c.Limits.BackoffBase, c.Limits.BackoffMax = time.Second, 3*time.Second
	})
	e.register(t, "Alice")
	const attacker, stranger = "192.0.2.1", "192.0.2.99"
	fail := func() error { _, err := e.login("Alice", "wrong password here", attacker); return err }

	if err := fail(); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Fatalf("first failure: got %v", err)
	}
	// Straight away again: refused without a hash, told to wait 1s.
	wantLimit(t, fail(), account.ErrRateLimited, time.Second)
	// Even with the right password from elsewhere: strangers' attempts on
	// the name back off together.
	_, err := e.login("Alice", goodPassword, stranger)
	wantLimit(t, err, account.ErrRateLimited, time.Second)

	e.clock.Advance(time.Second)
	if err := fail(); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Fatalf("second failure: got %v", err)
	}
	wantLimit(t, fail(), account.ErrRateLimited, 2*time.Second)
	e.clock.Advance(2 * time.Second)
	fail()
	wantLimit(t, fail(), account.ErrRateLimited, 3*time.Second) // capped at BackoffMax
	e.clock.Advance(3 * time.Second)
	if err := fail(); !errors.Is(err, account.ErrInvalidCredentials) { // the 4th failure locks the attacker's address
		t.Fatalf("fourth failure: got %v", err)
	}
	_, err = e.login("Alice", goodPassword, attacker)
	wantLimit(t, err, account.ErrLocked, 15*time.Minute)
	// Another address is slowed by the name's backoff, not locked.
	_, err = e.login("Alice", goodPassword, stranger)
	wantLimit(t, err, account.ErrRateLimited, 3*time.Second)
	e.clock.Advance(3 * time.Second)
	if _, err := e.login("Alice", goodPassword, stranger); err != nil {
		t.Fatalf("login from another address after the backoff: %v", err)
	}
	// The attacker's address stays locked out; the lockout ends on time.
	_, err = e.login("Alice", goodPassword, attacker)
	wantLimit(t, err, account.ErrLocked, 15*time.Minute-3*time.Second)
	e.clock.Advance(15 * time.Minute)
	if _, err := e.login("Alice", goodPassword, attacker); err != nil {
		t.Fatalf("login after the lockout: %v", err)
	}
	// Success forgets the failures.
	if err := fail(); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Fatalf("failure after success: got %v", err)
	}
	wantLimit(t, fail(), account.ErrRateLimited, time.Second)

	got := e.events(t)
	if n := strings.Count(fmt.Sprint(got), string(account.EventLockout)); n != 1 {
		t.Errorf("lockout events: got %d in %v, want 1", n, got)
	}
}

func TestLockoutOfUnknownNames(t *testing.T) {
	e := newEnv(t, func(c *account.Config) { c.Limits.LockoutAfter = 2 })
	for range 2 {
		if _, err := e.login("Ghost", "wrong password here", "192.0.2.1"); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatalf("got %v", err)
		}
		e.clock.Advance(time.Minute)
	}
	_, err := e.login("ghost", "wrong password here", "192.0.2.1")
	wantLimit(t, err, account.ErrLocked, 15*time.Minute-time.Minute)
}

func TestFailuresAreForgotten(t *testing.T) {
	e := newEnv(t, func(c *account.Config) { c.Limits.LockoutAfter = 3; c.Limits.FailureMemory = time.Hour })
	e.register(t, "Alice")
	for range 2 {
		e.login("Alice", "wrong password here", "192.0.2.1")
		e.clock.Advance(time.Minute)
	}
	e.clock.Advance(time.Hour)
	// Two old failures are forgotten: this third one does not lock.
	e.login("Alice", "wrong password here", "192.0.2.1")
	e.clock.Advance(time.Minute)
	if _, err := e.login("Alice", goodPassword, "192.0.2.1"); err != nil {
		t.Errorf("login: got %v, want success (old failures forgotten)", err)
	}
}

func TestLoginRatePerAddress(t *testing.T) {
	e := newEnv(t, func(c *account.Config) { c.Limits.LoginPerAddr = account.Rate{N: 3, Per: time.Minute} })
	e.register(t, "Alice")
	for i := range 3 {
		e.clock.Advance(time.Second)
		if _, err := e.login("Alice", goodPassword, "192.0.2.1:"+fmt.Sprint(1000+i)); err != nil {
			t.Fatalf("login %d: %v", i, err)
		}
	}
	_, err := e.login("Alice", goodPassword, "192.0.2.1:2000")
	wantLimit(t, err, account.ErrRateLimited, time.Minute-2*time.Second) // the window opened at the first login
	// Another address is not affected; the same IPv6 /64 is one address.
	if _, err := e.login("Alice", goodPassword, "192.0.2.2"); err != nil {
		t.Errorf("login from another address: %v", err)
	}
	for i := range 3 {
		e.login("Alice", goodPassword, fmt.Sprintf("[2001:db8:0:1::%d]:443", i+1))
	}
	if _, err := e.login("Alice", goodPassword, "[2001:db8:0:1:ffff::1]:443"); !errors.Is(err, account.ErrRateLimited) {
		t.Errorf("fourth login from one /64: got %v, want ErrRateLimited", err)
	}
	e.clock.Advance(time.Minute)
	if _, err := e.login("Alice", goodPassword, "192.0.2.1"); err != nil {
		t.Errorf("login in the next window: %v", err)
	}
	if n := strings.Count(fmt.Sprint(e.events(t)), string(account.EventLoginLimited)); n != 2 {
		t.Errorf("login.limited events: got %d, want 2 (one per refused window)", n)
	}
}

func TestRegisterRules(t *testing.T) {
	e := newEnv(t, func(c *account.Config) {
		c.ReservedNames = []string{"Gandalf"}
		c.Policy.Words = []string{"Drawbridge"}
	})
	e.register(t, "Alice")
	reg := func(name, pw string) error {
		_, err := e.svc.Register(context.Background(), account.RegisterRequest{Client: client("192.0.2.1"), Name: name, Password: pw})
		return err
	}
	for _, tc := range []struct {
		name, pw string
		nameErr  bool
		problems []string
		other    error
	}{
		{"Bob", goodPassword, false, nil, nil},
		{"alice", goodPassword, false, nil, account.ErrNameTaken},
		{" ALICE ", goodPassword, false, nil, account.ErrNameTaken},
		{"admin", goodPassword, true, nil, nil},
		{"Gandalf", goodPassword, true, nil, nil},
		{"Guest-1234", goodPassword, true, nil, nil},
		{"x", goodPassword, true, nil, nil},
		{"Carol", "carol", false, []string{account.ProblemTooShort, account.ProblemCommon, account.ProblemName}, nil},
		{"Dave", "drawbridge rocks!", false, []string{account.ProblemWord}, nil},
		{"no way", "123", true, []string{account.ProblemTooShort, account.ProblemSequence}, nil},
	} {
		err := reg(tc.name, tc.pw)
		var (
			ne *account.NameError
			pe *account.PolicyError
		)
		if got := errors.As(err, &ne); got != tc.nameErr {
			t.Errorf("Register(%q, %q): name error %v, want %v (err %v)", tc.name, tc.pw, got, tc.nameErr, err)
		}
		var got []string
		if errors.As(err, &pe) {
			for _, p := range pe.Problems {
				got = append(got, p.Code)
			}
		}
		if !slices.Equal(got, tc.problems) {
			t.Errorf("Register(%q, %q): problems %v, want %v", tc.name, tc.pw, got, tc.problems)
		}
		if tc.other != nil && !errors.Is(err, tc.other) {
			t.Errorf("Register(%q): got %v, want %v", tc.name, err, tc.other)
		}
		if !tc.nameErr && tc.problems == nil && tc.other == nil && err != nil {
			t.Errorf("Register(%q): %v", tc.name, err)
		}
	}
	closed := newEnv(t, func(c *account.Config) { c.Registration = account.RegistrationClosed })
	if closed.svc.RegistrationOpen() {
		t.Error("RegistrationOpen with registration closed")
	}
	if _, err := closed.svc.Register(context.Background(), account.RegisterRequest{Name: "Bob", Password: goodPassword}); !errors.Is(err, account.ErrRegistrationClosed) {
		t.Errorf("Register when closed: got %v, want ErrRegistrationClosed", err)
	}
}

func TestRegisterRatePerAddress(t *testing.T) {
	e := newEnv(t, func(c *account.Config) { c.Limits.RegisterPerAddr = account.Rate{N: 2, Per: time.Hour} })
	reg := func(name, pw string) error {
		_, err := e.svc.Register(context.Background(), account.RegisterRequest{Client: client("192.0.2.1"), Name: name, Password: pw})
		return err
	}
	// Rejected passwords do not count against the limit.
	for range 5 {
		if err := reg("Bob", "short"); !errors.Is(err, account.ErrWeakPassword) {
			t.Fatalf("got %v", err)
		}
	}
	for _, n := range []string{"Bob", "Carol"} {
		if err := reg(n, goodPassword); err != nil {
			t.Fatal(err)
		}
	}
	wantLimit(t, reg("Dave", goodPassword), account.ErrRateLimited, time.Hour)
}

func TestSessionTimeouts(t *testing.T) {
	e := newEnv(t, func(c *account.Config) {
		c.IdleTimeout, c.MaxLifetime, c.TouchEvery = time.Hour, 3*time.Hour, time.Minute
	})
	ctx := context.Background()
	g := e.register(t, "Alice")
	// Used every 50 minutes, it lives until the absolute limit.
	for i := 1; i <= 3; i++ {
		e.clock.Advance(50 * time.Minute)
		if _, _, err := e.svc.Authenticate(ctx, g.Token); err != nil {
			t.Fatalf("use %d at +%dm: %v", i, 50*i, err)
		}
	}
	e.clock.Advance(30 * time.Minute) // +180m: the absolute end
	if _, _, err := e.svc.Authenticate(ctx, g.Token); !errors.Is(err, account.ErrSessionExpired) {
		t.Fatalf("at the absolute end: got %v, want ErrSessionExpired", err)
	}
	if got := e.rev.take(); len(got) != 1 || got[0].Reason != account.ReasonExpired || got[0].SessionIDs[0] != g.Session.ID {
		t.Errorf("OnRevoke: got %+v, want one expiry of %s", got, g.Session.ID)
	}
	// Unused for the idle timeout, it ends.
	g, _ = e.login("Alice", goodPassword, "192.0.2.1")
	e.clock.Advance(time.Hour)
	if _, _, err := e.svc.Authenticate(ctx, g.Token); !errors.Is(err, account.ErrSessionExpired) {
		t.Fatalf("after an idle hour: got %v, want ErrSessionExpired", err)
	}
	if _, err := e.store.Session(ctx, g.Session.ID); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("the expired session is still stored: %v", err)
	}
}

func TestTouchIsThrottled(t *testing.T) {
	e := newEnv(t, func(c *account.Config) { c.TouchEvery = time.Minute })
	ctx := context.Background()
	g := e.register(t, "Alice")
	for range 10 {
		e.clock.Advance(5 * time.Second)
		if _, _, err := e.svc.Authenticate(ctx, g.Token); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.store.touches.Load(); n != 0 {
		t.Errorf("writes within TouchEvery: got %d, want 0", n)
	}
	e.clock.Advance(15 * time.Second) // 65s since login
	_, s, err := e.svc.Authenticate(ctx, g.Token)
	if err != nil {
		t.Fatal(err)
	}
	if n := e.store.touches.Load(); n != 1 {
		t.Errorf("writes after TouchEvery: got %d, want 1", n)
	}
	if !s.LastSeen.Equal(e.clock.Now()) {
		t.Errorf("LastSeen: got %v, want %v", s.LastSeen, e.clock.Now())
	}
	// Touch, as an open bridge calls it, follows the same rule.
	e.clock.Advance(30 * time.Second)
	if s, err = e.svc.Touch(ctx, s); err != nil || e.store.touches.Load() != 1 {
		t.Errorf("Touch within TouchEvery: %v, %d writes; want none", err, e.store.touches.Load())
	}
	e.clock.Advance(31 * time.Second)
	if s, err = e.svc.Touch(ctx, s); err != nil || e.store.touches.Load() != 2 {
		t.Errorf("Touch after TouchEvery: %v, %d writes; want 2", err, e.store.touches.Load())
	}
	// Touch of a revoked session tells the bridge to close.
	e.svc.Logout(ctx, g.Token, "192.0.2.1")
	e.clock.Advance(2 * time.Minute)
	if _, err := e.svc.Touch(ctx, s); !errors.Is(err, account.ErrUnauthenticated) {
		t.Errorf("Touch of a revoked session: got %v, want ErrUnauthenticated", err)
	}
}

func TestLoginRotatesSessions(t *testing.T) {
	e := newEnv(t, func(c *account.Config) { c.MaxSessionsPerUser = 2 })
	ctx := context.Background()
	first := e.register(t, "Alice")
	e.register(t, "Bob")
	// Logging in with the old token in hand replaces it.
	g, err := e.svc.Login(ctx, account.LoginRequest{Client: account.Client{Addr: "192.0.2.1", PreviousToken: first.Token}, Name: "Alice", Password: goodPassword})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Authenticate(ctx, first.Token); !errors.Is(err, account.ErrUnauthenticated) {
		t.Errorf("the previous token after a new login: got %v, want ErrUnauthenticated", err)
	}
	if got := e.rev.take(); len(got) != 1 || got[0].Reason != account.ReasonReplaced || got[0].SessionIDs[0] != first.Session.ID {
		t.Errorf("OnRevoke: got %+v, want the replaced session", got)
	}
	// The cap: a third session ends the oldest.
	e.clock.Advance(time.Second)
	second, _ := e.login("Alice", goodPassword, "192.0.2.2")
	e.clock.Advance(time.Second)
	third, _ := e.login("Alice", goodPassword, "192.0.2.3")
	if _, _, err := e.svc.Authenticate(ctx, g.Token); !errors.Is(err, account.ErrUnauthenticated) {
		t.Errorf("the oldest session beyond the cap: got %v, want ErrUnauthenticated", err)
	}
	for _, tok := range []string{second.Token, third.Token} {
		if _, _, err := e.svc.Authenticate(ctx, tok); err != nil {
			t.Errorf("a session within the cap: %v", err)
		}
	}
	if got := e.rev.take(); len(got) != 1 || got[0].Reason != account.ReasonSessionLimit || got[0].SessionIDs[0] != g.Session.ID {
		t.Errorf("OnRevoke: got %+v, want the evicted session", got)
	}
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	g := e.register(t, "Alice")
	other, _ := e.login("Alice", goodPassword, "192.0.2.2")
	if err := e.svc.Logout(ctx, g.Token, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Authenticate(ctx, g.Token); !errors.Is(err, account.ErrUnauthenticated) {
		t.Errorf("after logout: got %v, want ErrUnauthenticated", err)
	}
	if _, _, err := e.svc.Authenticate(ctx, other.Token); err != nil {
		t.Errorf("another session after logout: %v", err)
	}
	want := []account.Revocation{{UserID: g.User.ID, SessionIDs: []string{g.Session.ID}, Reason: account.ReasonLogout}}
	if got := e.rev.take(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("OnRevoke: got %+v, want %+v", got, want)
	}
	for _, tok := range []string{g.Token, "garbage", ""} {
		if err := e.svc.Logout(ctx, tok, ""); err != nil {
			t.Errorf("Logout(%q) again: %v", tok, err)
		}
	}
	if got := e.rev.take(); len(got) != 0 {
		t.Errorf("OnRevoke after logging out nothing: %+v", got)
	}
}

// TestOnRevokeAfterCommit checks that the hook runs once the change is
// visible in the store, for every kind of revocation the admin can cause.
func TestOnRevokeAfterCommit(t *testing.T) {
	var e *env
	var problems []string
	var reasons []account.RevokeReason
	hook := func(rv account.Revocation) {
		reasons = append(reasons, rv.Reason)
		for _, id := range rv.SessionIDs {
			if _, err := e.store.Session(context.Background(), id); !errors.Is(err, account.ErrNotFound) {
				problems = append(problems, fmt.Sprintf("%s: session %.8s still stored (%v)", rv.Reason, id, err))
			}
		}
		if rv.Reason == account.ReasonDeleted {
			if _, err := e.store.User(context.Background(), rv.UserID); !errors.Is(err, account.ErrNotFound) {
				problems = append(problems, "deleted: user still stored")
			}
		}
		if rv.Reason.Message() == "" {
			problems = append(problems, string(rv.Reason)+": no message")
		}
	}
	e = newEnv(t, func(c *account.Config) { c.OnRevoke = hook })
	ctx := context.Background()
	g := e.register(t, "Alice")
	steps := []func() error{
		func() error { return e.svc.Logout(ctx, g.Token, "") },
		func() error {
			e.login("Alice", goodPassword, "192.0.2.1")
			return e.svc.SetRole(ctx, account.Console(), g.User.ID, account.RoleBuilder)
		},
		func() error {
			e.login("Alice", goodPassword, "192.0.2.1")
			return e.svc.Disable(ctx, account.Console(), g.User.ID)
		},
		func() error { return e.svc.Enable(ctx, account.Console(), g.User.ID) },
		func() error {
			e.login("Alice", goodPassword, "192.0.2.1")
			return e.svc.Delete(ctx, account.Console(), g.User.ID)
		},
	}
	for i, step := range steps {
		e.clock.Advance(time.Minute)
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	for _, p := range problems {
		t.Error(p)
	}
	want := []account.RevokeReason{account.ReasonLogout, account.ReasonRoleChanged, account.ReasonDisabled, account.ReasonDeleted}
	if !slices.Equal(reasons, want) {
		t.Errorf("OnRevoke reasons: got %v, want %v", reasons, want)
	}
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	g := e.register(t, "Alice")
	other, _ := e.login("Alice", goodPassword, "192.0.2.2")
	change := func(old, new string) error {
		return e.svc.ChangePassword(ctx, account.PasswordChange{Session: g.Session, Old: old, New: new, Addr: "192.0.2.1"})
	}
	if err := change(goodPassword, "alice123"); !errors.Is(err, account.ErrWeakPassword) {
		t.Errorf("weak new password: got %v, want ErrWeakPassword", err)
	}
	if err := change("not my password", otherPassword); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Errorf("wrong old password: got %v, want ErrInvalidCredentials", err)
	}
	e.clock.Advance(time.Second) // past the backoff of that failure
	if err := change(goodPassword, otherPassword); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Authenticate(ctx, g.Token); err != nil {
		t.Errorf("the session that changed the password: %v", err)
	}
	if _, _, err := e.svc.Authenticate(ctx, other.Token); !errors.Is(err, account.ErrUnauthenticated) {
		t.Errorf("another session after a password change: got %v, want ErrUnauthenticated", err)
	}
	want := []account.Revocation{{UserID: g.User.ID, SessionIDs: []string{other.Session.ID}, Reason: account.ReasonPasswordChanged}}
	if got := e.rev.take(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("OnRevoke: got %+v, want %+v", got, want)
	}
	if _, err := e.login("Alice", goodPassword, "192.0.2.5"); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Errorf("login with the old password: got %v", err)
	}
	e.clock.Advance(time.Second)
	if _, err := e.login("Alice", otherPassword, "192.0.2.5"); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
}

func TestRehashOnLogin(t *testing.T) {
	e := newEnv(t) // minimum parameters
	ctx := context.Background()
	g := e.register(t, "Alice")
	before, _ := e.store.User(ctx, g.User.ID)
	if !strings.HasPrefix(before.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("stored hash %q", before.PasswordHash)
	}
	stronger := account.MinHashParams()
	stronger.Memory, stronger.Time = 24*1024, 3
	svc2, err := account.New(account.Config{Store: e.store, Now: e.clock.Now, Hash: stronger})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc2.Login(ctx, account.LoginRequest{Name: "Alice", Password: goodPassword}); err != nil {
		t.Fatal(err)
	}
	after, _ := e.store.User(ctx, g.User.ID)
	if !strings.HasPrefix(after.PasswordHash, "$argon2id$v=19$m=24576,t=3,p=1$") {
		t.Errorf("hash after login with stronger parameters: got %q", after.PasswordHash)
	}
	// And back with the weaker service: no downgrade.
	e.clock.Advance(time.Second)
	if _, err := e.login("Alice", goodPassword, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if again, _ := e.store.User(ctx, g.User.ID); again.PasswordHash != after.PasswordHash {
		t.Errorf("a stronger hash was replaced by a weaker one")
	}
	if !slices.Contains(e.events(t), account.EventPasswordRehash) {
		t.Errorf("no %s event", account.EventPasswordRehash)
	}
}

func TestImportBcryptThenUpgrade(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	b, _ := bcrypt.GenerateFromPassword([]byte("old system password"), bcrypt.MinCost)
	for _, tc := range []struct {
		by   account.Actor
		hash string
		want error
	}{
		{account.Console(), "plaintext", nil}, // any error
		{account.Actor{}, string(b), account.ErrForbidden},
	} {
		_, err := e.svc.ImportUser(ctx, tc.by, account.ImportedUser{Name: "Legacy", PasswordHash: tc.hash, Role: account.RolePlayer})
		if err == nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("ImportUser(%q): got %v, want an error %v", tc.hash, err, tc.want)
		}
	}
	u, err := e.svc.ImportUser(ctx, account.Console(), account.ImportedUser{Name: "Legacy", PasswordHash: "$2y$" + string(b[4:]), Role: account.RoleBuilder})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.login("Legacy", "old system password", "192.0.2.1"); err != nil {
		t.Fatalf("login with an imported bcrypt hash: %v", err)
	}
	stored, _ := e.store.User(ctx, u.ID)
	if !strings.HasPrefix(stored.PasswordHash, "$argon2id$") {
		t.Errorf("hash after login: got %q, want argon2id", stored.PasswordHash)
	}
	e.clock.Advance(time.Second)
	if _, err := e.login("Legacy", "old system password", "192.0.2.1"); err != nil {
		t.Errorf("login after the upgrade: %v", err)
	}
}

func TestGuests(t *testing.T) {
	e := newEnv(t, func(c *account.Config) { c.GuestLifetime = 24 * time.Hour })
	ctx := context.Background()
	g, err := e.svc.Guest(ctx, client("192.0.2.1"))
	if err != nil {
		t.Fatal(err)
	}
	if !g.User.Guest || g.User.Role != account.RolePlayer || !strings.HasPrefix(g.User.Name, "Guest-") || len(g.User.Name) != len("Guest-0000") {
		t.Errorf("Guest: got %+v", g.User)
	}
	if want := e.clock.Now().Add(24 * time.Hour); !g.Session.ExpiresAt.Equal(want) {
		t.Errorf("guest session ExpiresAt: got %v, want %v", g.Session.ExpiresAt, want)
	}
	if _, _, err := e.svc.Authenticate(ctx, g.Token); err != nil {
		t.Fatal(err)
	}
	guestActor := account.UserActor(g.User, "192.0.2.1")
	if err := e.svc.SetRole(ctx, account.Console(), g.User.ID, account.RoleBuilder); !errors.Is(err, account.ErrForbidden) {
		t.Errorf("promote a guest: got %v, want ErrForbidden", err)
	}
	if err := e.svc.ChangePassword(ctx, account.PasswordChange{Session: g.Session, Old: "", New: goodPassword}); !errors.Is(err, account.ErrForbidden) {
		t.Errorf("guest sets a password: got %v, want ErrForbidden", err)
	}
	if _, err := e.svc.ListSessions(ctx, guestActor, g.User.ID); err != nil {
		t.Errorf("guest lists its own sessions: %v", err)
	}
	if _, err := e.svc.ListUsers(ctx, guestActor, account.UserQuery{}); !errors.Is(err, account.ErrForbidden) {
		t.Errorf("guest lists users: got %v, want ErrForbidden", err)
	}
	e.clock.Advance(24 * time.Hour)
	if _, _, err := e.svc.Authenticate(ctx, g.Token); !errors.Is(err, account.ErrSessionExpired) {
		t.Errorf("a guest after its lifetime: got %v, want ErrSessionExpired", err)
	}
	n, err := e.svc.PurgeGuests(ctx)
	if err != nil || n != 1 {
		t.Errorf("PurgeGuests: got %d, %v; want 1", n, err)
	}
	if _, err := e.store.User(ctx, g.User.ID); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("purged guest: got %v, want ErrNotFound", err)
	}
	got := e.rev.take()
	if len(got) == 0 || got[len(got)-1].Reason != account.ReasonGuestExpired && got[0].Reason != account.ReasonExpired {
		t.Errorf("OnRevoke: got %+v, want the guest's session ended", got)
	}

	off := newEnv(t, func(c *account.Config) { c.AllowGuests = false })
	if _, err := off.svc.Guest(ctx, client("192.0.2.1")); !errors.Is(err, account.ErrGuestsDisabled) {
		t.Errorf("Guest when disabled: got %v, want ErrGuestsDisabled", err)
	}
}

func TestGuestRate(t *testing.T) {
	e := newEnv(t, func(c *account.Config) { c.Limits.GuestPerAddr = account.Rate{N: 2, Per: time.Hour} })
	for range 2 {
		if _, err := e.svc.Guest(context.Background(), client("192.0.2.1")); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.svc.Guest(context.Background(), client("192.0.2.1"))
	wantLimit(t, err, account.ErrRateLimited, time.Hour)
}

func TestAdminActions(t *testing.T) {
	type action struct {
		name string
		do   func(e *env, by account.Actor, id int64) error
	}
	actions := []action{
		{"SetRole builder", func(e *env, by account.Actor, id int64) error {
			return e.svc.SetRole(context.Background(), by, id, account.RoleBuilder)
		}},
		{"SetRole admin", func(e *env, by account.Actor, id int64) error {
			return e.svc.SetRole(context.Background(), by, id, account.RoleAdmin)
		}},
		{"Disable", func(e *env, by account.Actor, id int64) error { return e.svc.Disable(context.Background(), by, id) }},
		{"Delete", func(e *env, by account.Actor, id int64) error { return e.svc.Delete(context.Background(), by, id) }},
		{"SetPassword", func(e *env, by account.Actor, id int64) error {
			return e.svc.SetPassword(context.Background(), by, id, otherPassword)
		}},
		{"RevokeSessions", func(e *env, by account.Actor, id int64) error {
			_, err := e.svc.RevokeSessions(context.Background(), by, id, "")
			return err
		}},
	}
	P, B, A, S := account.RolePlayer, account.RoleBuilder, account.RoleAdmin, account.RoleSuperuser
	for _, tc := range []struct {
		actor, target account.Role
		allowed       []string // the actions allowed; the rest must be ErrForbidden
	}{
		{P, P, nil},
		{B, P, nil},
		{A, P, []string{"SetRole builder", "Disable", "Delete", "SetPassword", "RevokeSessions"}},
		{A, B, []string{"SetRole builder", "Disable", "Delete", "SetPassword", "RevokeSessions"}},
		{A, A, nil},
		{A, S, nil},
		{S, P, []string{"SetRole builder", "SetRole admin", "Disable", "Delete", "SetPassword", "RevokeSessions"}},
		{S, A, []string{"SetRole builder", "SetRole admin", "Disable", "Delete", "SetPassword", "RevokeSessions"}}, // admin to admin: a no-op
		{S, S, []string{"SetRole builder", "SetRole admin", "Disable", "Delete", "SetPassword", "RevokeSessions"}},
	} {
		for _, a := range actions {
			e := newEnv(t)
			e.quickUser(t, "Boss", account.RoleSuperuser) // so the target is never the last superuser
			actor := e.quickUser(t, "Actor", tc.actor)
			target := e.quickUser(t, "Target", tc.target)
			err := a.do(e, account.UserActor(actor, "192.0.2.1"), target.ID)
			want := slices.Contains(tc.allowed, a.name)
			if want && err != nil || !want && !errors.Is(err, account.ErrForbidden) {
				t.Errorf("%v %s on %v: got %v, want allowed %v", tc.actor, a.name, tc.target, err, want)
			}
		}
	}
}

func TestAdminEdgeCases(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	root := e.withRole(t, "Boss", account.RoleSuperuser)
	rootActor := account.UserActor(root, "192.0.2.1")
	admin := e.withRole(t, "Adele", account.RoleAdmin)
	adminActor := account.UserActor(admin, "192.0.2.2")
	player := e.register(t, "Pat")

	// Nobody changes, disables or deletes themselves this way.
	for _, err := range []error{
		e.svc.SetRole(ctx, adminActor, admin.ID, account.RolePlayer),
		e.svc.Disable(ctx, adminActor, admin.ID),
		e.svc.Delete(ctx, rootActor, root.ID),
	} {
		if !errors.Is(err, account.ErrForbidden) {
			t.Errorf("acting on oneself: got %v, want ErrForbidden", err)
		}
	}
	// The last superuser stays, even for the console.
	for _, err := range []error{
		e.svc.SetRole(ctx, account.Console(), root.ID, account.RoleAdmin),
		e.svc.Disable(ctx, account.Console(), root.ID),
		e.svc.Delete(ctx, account.Console(), root.ID),
	} {
		if !errors.Is(err, account.ErrLastSuperuser) {
			t.Errorf("removing the last superuser: got %v, want ErrLastSuperuser", err)
		}
	}
	// A demoted admin loses its rights at once, with the same Actor value.
	if err := e.svc.SetRole(ctx, rootActor, admin.ID, account.RolePlayer); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Disable(ctx, adminActor, player.User.ID); !errors.Is(err, account.ErrForbidden) {
		t.Errorf("a demoted admin: got %v, want ErrForbidden", err)
	}
	// A made-up actor has no rights.
	if _, err := e.svc.ListUsers(ctx, account.Actor{}, account.UserQuery{}); !errors.Is(err, account.ErrForbidden) {
		t.Errorf("the zero Actor: got %v, want ErrForbidden", err)
	}
	if _, err := e.svc.User(ctx, account.UserActor(account.User{ID: 9999}, ""), player.User.ID); !errors.Is(err, account.ErrForbidden) {
		t.Errorf("an actor that does not exist: got %v, want ErrForbidden", err)
	}
	// Lists never carry hashes.
	us, err := e.svc.ListUsers(ctx, rootActor, account.UserQuery{})
	if err != nil || len(us) != 3 {
		t.Fatalf("ListUsers: %v, %v", us, err)
	}
	for _, u := range us {
		if u.PasswordHash != "" {
			t.Errorf("ListUsers returned %s's hash", u.Name)
		}
	}
	if n, err := e.svc.CountUsers(ctx, rootActor, account.UserQuery{Role: account.RoleSuperuser}); err != nil || n != 1 {
		t.Errorf("CountUsers(superusers): got %d, %v; want 1", n, err)
	}
	if u, err := e.svc.UserByName(ctx, rootActor, "PAT"); err != nil || u.ID != player.User.ID || u.PasswordHash != "" {
		t.Errorf("UserByName: got %+v, %v", u, err)
	}
	// A player sees itself, not others.
	pa := account.UserActor(player.User, "192.0.2.9")
	if _, err := e.svc.User(ctx, pa, player.User.ID); err != nil {
		t.Errorf("User(self): %v", err)
	}
	if _, err := e.svc.User(ctx, pa, root.ID); !errors.Is(err, account.ErrForbidden) {
		t.Errorf("User(other) as a player: got %v, want ErrForbidden", err)
	}
	if !slices.Contains(e.events(t), account.EventForbidden) {
		t.Error("refusals are not audited")
	}
}

func TestDisableEnableDelete(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	g := e.register(t, "Alice")
	e.rev.take()
	if err := e.svc.Disable(ctx, account.Console(), g.User.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.rev.take(); len(got) != 1 || got[0].Reason != account.ReasonDisabled || got[0].SessionIDs[0] != g.Session.ID {
		t.Errorf("OnRevoke on disable: got %+v", got)
	}
	if _, _, err := e.svc.Authenticate(ctx, g.Token); !errors.Is(err, account.ErrUnauthenticated) {
		t.Errorf("a disabled account's session: got %v", err)
	}
	if _, err := e.login("Alice", goodPassword, "192.0.2.1"); !errors.Is(err, account.ErrDisabled) {
		t.Errorf("login to a disabled account: got %v, want ErrDisabled", err)
	}
	if _, err := e.login("Alice", "wrong password here", "192.0.2.1"); !errors.Is(err, account.ErrInvalidCredentials) && !errors.Is(err, account.ErrRateLimited) {
		t.Errorf("wrong password on a disabled account: got %v, want generic", err)
	}
	if err := e.svc.Enable(ctx, account.Console(), g.User.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	g2, err := e.login("Alice", goodPassword, "192.0.2.1")
	if err != nil {
		t.Fatalf("login after enable: %v", err)
	}
	if err := e.svc.Delete(ctx, account.Console(), g.User.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.rev.take(); len(got) != 1 || got[0].Reason != account.ReasonDeleted || got[0].SessionIDs[0] != g2.Session.ID {
		t.Errorf("OnRevoke on delete: got %+v", got)
	}
	e.clock.Advance(time.Minute)
	if _, err := e.login("Alice", goodPassword, "192.0.2.1"); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Errorf("login to a deleted account: got %v", err)
	}
	want := []account.EventType{account.EventRegister, account.EventLogin, account.EventDisable, account.EventSessionRevoke,
		account.EventLoginDisabled, account.EventLoginFailed, account.EventEnable, account.EventLogin, account.EventLoginWarned,
		account.EventDelete, account.EventSessionRevoke, account.EventLoginFailed}
	if got := e.events(t); !slices.Equal(got, want) {
		t.Errorf("audit: got %v, want %v", got, want)
	}
}

func TestRoleChangeRevokes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	g := e.register(t, "Alice")
	e.rev.take()
	if err := e.svc.SetRole(ctx, account.Console(), g.User.ID, account.RoleBuilder); err != nil {
		t.Fatal(err)
	}
	if got := e.rev.take(); len(got) != 1 || got[0].Reason != account.ReasonRoleChanged {
		t.Errorf("OnRevoke on role change: got %+v", got)
	}
	g2, _ := e.login("Alice", goodPassword, "192.0.2.1")
	if g2.User.Role != account.RoleBuilder {
		t.Errorf("role after login: got %v, want builder", g2.User.Role)
	}
	es, _ := e.store.ListEvents(ctx, account.EventQuery{Type: account.EventRoleChange})
	if len(es) != 1 || es[0].Detail != "player -> builder" || es[0].Actor != "console" {
		t.Errorf("role change event: got %+v", es)
	}
}

func TestSessionsByOwnerAndAdmin(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.register(t, "Alice")
	a2, _ := e.login("Alice", goodPassword, "192.0.2.2")
	b := e.register(t, "Bob")
	alice := account.UserActor(a.User, "192.0.2.1")
	ss, err := e.svc.ListSessions(ctx, alice, a.User.ID)
	if err != nil || len(ss) != 2 {
		t.Fatalf("ListSessions(self): got %d, %v", len(ss), err)
	}
	if _, err := e.svc.ListSessions(ctx, alice, b.User.ID); !errors.Is(err, account.ErrForbidden) {
		t.Errorf("ListSessions(other): got %v, want ErrForbidden", err)
	}
	if err := e.svc.RevokeSession(ctx, alice, b.Session.ID); !errors.Is(err, account.ErrForbidden) {
		t.Errorf("RevokeSession(other's): got %v, want ErrForbidden", err)
	}
	e.rev.take()
	// "Log out everywhere else".
	n, err := e.svc.RevokeSessions(ctx, alice, a.User.ID, a.Session.ID)
	if err != nil || n != 1 {
		t.Errorf("RevokeSessions(keep current): got %d, %v; want 1", n, err)
	}
	if got := e.rev.take(); len(got) != 1 || got[0].Reason != account.ReasonRevoked || got[0].SessionIDs[0] != a2.Session.ID {
		t.Errorf("OnRevoke: got %+v", got)
	}
	if err := e.svc.RevokeSession(ctx, account.Console(), b.Session.ID); err != nil {
		t.Errorf("RevokeSession as console: %v", err)
	}
	if _, _, err := e.svc.Authenticate(ctx, b.Token); !errors.Is(err, account.ErrUnauthenticated) {
		t.Errorf("revoked session: got %v", err)
	}
}

func TestUnlock(t *testing.T) {
	e := newEnv(t, func(c *account.Config) { c.Limits.LockoutAfter = 1 })
	ctx := context.Background()
	g := e.register(t, "Alice")
	e.login("Alice", "wrong password here", "192.0.2.1")
	if _, err := e.login("Alice", goodPassword, "192.0.2.1"); !errors.Is(err, account.ErrLocked) {
		t.Fatalf("got %v, want ErrLocked", err)
	}
	if err := e.svc.Unlock(ctx, account.Console(), g.User.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.login("Alice", goodPassword, "192.0.2.1"); err != nil {
		t.Errorf("login after Unlock: %v", err)
	}
}

func TestSetup(t *testing.T) {
	e := newEnv(t, func(c *account.Config) { c.SetupTokenLifetime = time.Hour })
	ctx := context.Background()
	e.register(t, "Pat") // players do not count
	tok, err := e.svc.SetupToken(ctx)
	if err != nil || len(tok) != account.TokenLen {
		t.Fatalf("SetupToken: %q, %v", tok, err)
	}
	setup := func(token, name, pw string) (account.Grant, error) {
		return e.svc.Setup(ctx, account.SetupRequest{Client: client("192.0.2.1"), Token: token, Name: name, Password: pw})
	}
	if _, err := setup(tok, "pat", goodPassword); !errors.Is(err, account.ErrNameTaken) {
		t.Errorf("a taken name: got %v, want ErrNameTaken", err)
	}
	if _, err := setup(tok, "Boss", "short"); !errors.Is(err, account.ErrWeakPassword) {
		t.Errorf("weak password: got %v", err)
	}
	if _, err := setup(strings.Repeat("A", 43), "Boss", goodPassword); !errors.Is(err, account.ErrInvalidSetupToken) {
		t.Errorf("wrong token: got %v", err)
	}
	g, err := setup(tok, "Boss", goodPassword) // the failed attempts did not spend the token
	if err != nil {
		t.Fatal(err)
	}
	if g.User.Role != account.RoleSuperuser {
		t.Errorf("Setup made a %v", g.User.Role)
	}
	if _, err := setup(tok, "Boss2", goodPassword); !errors.Is(err, account.ErrSetupDone) {
		t.Errorf("second Setup: got %v, want ErrSetupDone", err)
	}
	if tok2, err := e.svc.SetupToken(ctx); tok2 != "" || err != nil {
		t.Errorf("SetupToken with a superuser: got %q, %v; want none", tok2, err)
	}
	if !slices.Contains(e.events(t), account.EventSetupUsed) {
		t.Error("no setup.used event")
	}

	// An expired token, and one voided by a newer one.
	e2 := newEnv(t, func(c *account.Config) { c.SetupTokenLifetime = time.Hour })
	old, _ := e2.svc.SetupToken(ctx)
	fresh, _ := e2.svc.SetupToken(ctx)
	if _, err := e2.svc.Setup(ctx, account.SetupRequest{Token: old, Name: "Boss", Password: goodPassword}); !errors.Is(err, account.ErrInvalidSetupToken) {
		t.Errorf("replaced token: got %v", err)
	}
	e2.clock.Advance(time.Hour)
	if _, err := e2.svc.Setup(ctx, account.SetupRequest{Token: fresh, Name: "Boss", Password: goodPassword}); !errors.Is(err, account.ErrInvalidSetupToken) {
		t.Errorf("expired token: got %v", err)
	}
}

func TestCreateSuperuser(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	root, err := e.svc.CreateSuperuser(ctx, account.Console(), "Boss", goodPassword)
	if err != nil || root.Role != account.RoleSuperuser {
		t.Fatalf("CreateSuperuser(console): %+v, %v", root, err)
	}
	admin := e.withRole(t, "Adele", account.RoleAdmin)
	if _, err := e.svc.CreateSuperuser(ctx, account.UserActor(admin, ""), "Boss2", goodPassword); !errors.Is(err, account.ErrForbidden) {
		t.Errorf("CreateSuperuser by an admin: got %v, want ErrForbidden", err)
	}
	if _, err := e.svc.CreateUser(ctx, account.UserActor(admin, ""), account.NewUser{Name: "Bea", Password: goodPassword, Role: account.RoleBuilder}); err != nil {
		t.Errorf("an admin creates a builder: %v", err)
	}
	// Staff get at least the standard policy, whatever is configured.
	basic := newEnv(t, func(c *account.Config) { c.Policy.Level = account.PolicyBasic })
	if _, err := basic.svc.CreateSuperuser(ctx, account.Console(), "Boss", "tr0ub4dor&3"); !errors.Is(err, account.ErrWeakPassword) {
		t.Errorf("11-character superuser password under the basic policy: got %v, want ErrWeakPassword", err)
	}
	if _, err := basic.svc.Register(ctx, account.RegisterRequest{Name: "Pat", Password: "tr0ub4dor&3"}); err != nil {
		t.Errorf("11-character player password under the basic policy: %v", err)
	}
}

func TestSweep(t *testing.T) {
	e := newEnv(t, func(c *account.Config) {
		c.IdleTimeout, c.MaxLifetime = time.Hour, 2*time.Hour
		c.AuditRetention = 24 * time.Hour
	})
	ctx := context.Background()
	g := e.register(t, "Alice")
	e.login("Bob", "wrong password here", "192.0.2.1") // leaves rate-limit state
	e.rev.take()
	e.clock.Advance(time.Hour)
	st, err := e.svc.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sessions != 1 || st.Limits != 5 {
		t.Errorf("Sweep after an hour: got %+v, want 1 session and 5 limits (the registration's address and hash budget, the login's hash budget, the name's pool and its address's lockout)", st)
	}
	if got := e.rev.take(); len(got) != 1 || got[0].Reason != account.ReasonExpired || got[0].SessionIDs[0] != g.Session.ID {
		t.Errorf("OnRevoke: got %+v", got)
	}
	e.clock.Advance(24 * time.Hour)
	st, err = e.svc.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Events == 0 {
		t.Errorf("Sweep after the retention: got %+v, want old events removed", st)
	}
}

func TestRunStopsWithContext(t *testing.T) {
	e := newEnv(t, func(c *account.Config) { c.SweepEvery = 5 * time.Millisecond; c.IdleTimeout = time.Hour })
	g := e.register(t, "Alice")
	e.rev.take()
	e.clock.Advance(2 * time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.svc.Run(ctx) }()
	deadline := time.After(10 * time.Second)
	for {
		if _, err := e.store.Session(context.Background(), g.Session.ID); errors.Is(err, account.ErrNotFound) {
			break
		}
		select {
		case <-deadline:
			t.Fatal("Run did not sweep the expired session")
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: got %v, want nil after cancel", err)
	}
}

func TestAuditLogIsJSON(t *testing.T) {
	e := newEnv(t)
	e.register(t, "Alice")
	e.login("Alice", "wrong password here", "203.0.113.9:4444")
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(e.audit.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("audit line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	last := lines[len(lines)-1]
	for k, want := range map[string]any{"msg": "audit", "event": "login.failed", "name": "Alice", "addr": "203.0.113.9"} {
		if last[k] != want {
			t.Errorf("audit %s: got %v, want %v (line %v)", k, last[k], want, last)
		}
	}
	if strings.Contains(e.audit.String(), "wrong password here") || strings.Contains(e.audit.String(), goodPassword) {
		t.Error("a password reached the audit log")
	}
}

func TestConfigValidate(t *testing.T) {
	store := accounttest.NewMemStore()
	for _, tc := range []struct {
		name string
		mod  func(*account.Config)
		ok   bool
	}{
		{"defaults", func(*account.Config) {}, true},
		{"no store", func(c *account.Config) { c.Store = nil }, false},
		{"weak hash", func(c *account.Config) {
			c.Hash = account.HashParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
		}, false},
		{"bad registration", func(c *account.Config) { c.Registration = "maybe" }, false},
		{"touch too slow", func(c *account.Config) { c.IdleTimeout, c.TouchEvery = time.Minute, time.Minute }, false},
		{"idle beyond lifetime", func(c *account.Config) { c.IdleTimeout, c.MaxLifetime = 48*time.Hour, 24*time.Hour }, false},
		{"negative", func(c *account.Config) { c.HashWait = -1 }, false},
		{"rate without period", func(c *account.Config) { c.Limits.LoginPerAddr = account.Rate{N: 5, Per: -1} }, false},
		{"rate off", func(c *account.Config) { c.Limits.LoginPerAddr = account.Rate{N: -1} }, true},
		{"short min length", func(c *account.Config) { c.Policy.MinLength = 6 }, false},
	} {
		cfg := account.Config{Store: store}
		tc.mod(&cfg)
		err := cfg.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("%s: Validate got %v, want ok %v", tc.name, err, tc.ok)
		}
		if _, nerr := account.New(cfg); (nerr == nil) != tc.ok {
			t.Errorf("%s: New got %v, want ok %v", tc.name, nerr, tc.ok)
		}
	}
}

// Check sees what another process changed: a session deleted straight
// from the store (as the command line does), a disabled account, expiry.
func TestCheck(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	g := e.register(t, "Alice")
	if err := e.svc.Check(ctx, g.Session); err != nil {
		t.Fatalf("a fresh session: %v", err)
	}
	touches := e.store.touches.Load()
	e.clock.Advance(2 * time.Minute) // a Touch now would write
	if err := e.svc.Check(ctx, g.Session); err != nil || e.store.touches.Load() != touches {
		t.Fatalf("Check touched the session (or failed: %v)", err)
	}
	if _, err := e.store.DeleteSession(ctx, g.Session.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Check(ctx, g.Session); !errors.Is(err, account.ErrSessionEnded) {
		t.Fatalf("a session deleted elsewhere: got %v, want ErrSessionEnded", err)
	}

	g2, err := e.login("Alice", goodPassword, "192.0.2.3")
	if err != nil {
		t.Fatal(err)
	}
	disabled := true
	if _, err := e.store.UpdateUser(ctx, g2.User.ID, account.UserUpdate{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Check(ctx, g2.Session); !errors.Is(err, account.ErrSessionEnded) {
		t.Fatalf("a disabled account: got %v, want ErrSessionEnded", err)
	}

	g3 := e.register(t, "Bob")
	e.clock.Advance(e.svc.IdleTimeout() + time.Minute)
	if err := e.svc.Check(ctx, g3.Session); !errors.Is(err, account.ErrSessionExpired) {
		t.Fatalf("an idle session: got %v, want ErrSessionExpired", err)
	}
}
