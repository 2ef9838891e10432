package account_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/drawbridge/drawbridge/gateway/internal/account/accounttest"
)

// loginWith logs in from addr with the browser's device cookie.
func (e *env) loginWith(name, password, addr, device string) (account.Grant, error) {
	c := client(addr)
	c.DeviceCookie = device
	return e.svc.Login(context.Background(), account.LoginRequest{Client: c, Name: name, Password: password})
}

// lockFrom fails logins on name from addr until that address is locked
// out, waiting out each backoff.
func (e *env) lockFrom(t *testing.T, name, addr string) {
	t.Helper()
	for range 100 {
		_, err := e.login(name, "wrong password here", addr)
		var le *account.LimitError
		switch {
		case errors.Is(err, account.ErrLocked):
			return
		case errors.As(err, &le):
			e.clock.Advance(le.RetryAfter)
		case !errors.Is(err, account.ErrInvalidCredentials):
			t.Fatalf("failing a login from %s: %v", addr, err)
		}
	}
	t.Fatalf("%s never locked out", addr)
}

// TestKnownDeviceNotLockedOut is the review's finding: an attacker who
// locks a name out from one address must not lock its owner out of the
// browser they logged in with before; strangers elsewhere are slowed by
// the name's backoff, not locked.
func TestKnownDeviceNotLockedOut(t *testing.T) {
	e := newEnv(t, func(c *account.Config) { c.Limits.LoginPerAddr.N = -1 })
	g := e.register(t, "Alice")
	if g.DeviceCookie == "" {
		t.Fatal("registration set no device cookie")
	}
	owner := g.DeviceCookie
	e.lockFrom(t, "Alice", "203.0.113.9")

	// The attacker keeps trying: the name's backoff is at its longest.
	_, err := e.login("Alice", goodPassword, "203.0.113.9")
	if !errors.Is(err, account.ErrLocked) {
		t.Fatalf("the attacker's address: got %v, want ErrLocked", err)
	}
	// A browser with no device cookie, from a new address: slowed by the
	// name's backoff, not locked.
	_, err = e.login("Alice", goodPassword, "198.51.100.20")
	var le *account.LimitError
	if !errors.As(err, &le) || !errors.Is(err, account.ErrRateLimited) || le.RetryAfter > time.Minute {
		t.Fatalf("a new address right after the attack: got %v, want a backoff of at most a minute", err)
	}
	// The owner's browser, from anywhere (the attacker's own NAT too):
	// straight in.
	for _, addr := range []string{"192.0.2.10", "203.0.113.9"} {
		g2, err := e.loginWith("Alice", goodPassword, addr, owner)
		if err != nil {
			t.Fatalf("the owner's known device from %s: %v", addr, err)
		}
		owner = g2.DeviceCookie
	}
	// And the new address gets in once the backoff has passed.
	e.clock.Advance(le.RetryAfter)
	if _, err := e.login("Alice", goodPassword, "198.51.100.20"); err != nil {
		t.Fatalf("a new address after the backoff: %v", err)
	}
}

// TestDeviceLockout: a known device that keeps failing is locked out
// alone; the name's pool and other devices are not.
func TestDeviceLockout(t *testing.T) {
	e := newEnv(t, func(c *account.Config) {
		c.Limits.LoginPerAddr.N = -1
		c.Limits.LockoutAfter = 3
	})
	a := e.register(t, "Alice").DeviceCookie
	b, err := e.login("Alice", goodPassword, "192.0.2.30")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		e.clock.Advance(time.Minute)
		if _, err := e.loginWith("Alice", "wrong password here", "192.0.2.10", a); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatalf("failure on device a: %v", err)
		}
	}
	e.clock.Advance(time.Minute)
	if _, err := e.loginWith("Alice", goodPassword, "192.0.2.10", a); !errors.Is(err, account.ErrLocked) {
		t.Errorf("device a after 3 failures: got %v, want ErrLocked", err)
	}
	if _, err := e.loginWith("Alice", goodPassword, "192.0.2.10", b.DeviceCookie); err != nil {
		t.Errorf("device b: %v", err)
	}
	if _, err := e.login("Alice", goodPassword, "192.0.2.10"); err != nil {
		t.Errorf("no device, same address: %v", err)
	}
	// An unlock lifts the device's lockout too.
	if err := e.svc.Unlock(context.Background(), account.Console(), b.User.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.loginWith("Alice", goodPassword, "192.0.2.10", a); err != nil {
		t.Errorf("device a after an unlock: %v", err)
	}
}

// TestDeviceTokensAreChecked: only a token the gateway signed, for this
// account, still young enough, makes a browser a known device.
func TestDeviceTokensAreChecked(t *testing.T) {
	e := newEnv(t, func(c *account.Config) {
		c.Limits.LoginPerAddr.N = -1
		c.DeviceLifetime = 30 * 24 * time.Hour
	})
	alice := e.register(t, "Alice").DeviceCookie
	bob := e.register(t, "Bob").DeviceCookie
	tampered := []byte(alice)
	tampered[5] ^= 1
	other := newEnv(t) // another gateway, another key
	foreign := other.register(t, "Alice").DeviceCookie
	e.lockFrom(t, "Alice", "203.0.113.9")
	for _, tc := range []struct{ name, cookie string }{
		{"another account's token", bob},
		{"a tampered token", string(tampered)},
		{"another gateway's token", foreign},
		{"garbage", strings.Repeat("~.", 3000)},
	} {
		if _, err := e.loginWith("Alice", goodPassword, "203.0.113.9", tc.cookie); !errors.Is(err, account.ErrLocked) {
			t.Errorf("%s from the locked address: got %v, want ErrLocked (a stranger)", tc.name, err)
		}
	}
	if _, err := e.loginWith("Alice", goodPassword, "203.0.113.9", alice); err != nil {
		t.Errorf("the real token: %v", err)
	}
	e.lockFrom(t, "Alice", "203.0.113.9")
	e.clock.Advance(31 * 24 * time.Hour)
	e.lockFrom(t, "Alice", "203.0.113.9")
	if _, err := e.loginWith("Alice", goodPassword, "203.0.113.9", alice); !errors.Is(err, account.ErrLocked) {
		t.Errorf("an expired token: got %v, want ErrLocked (a stranger)", err)
	}
}

// TestDeviceCookieKeepsAlts: one browser, several accounts: logging in to
// one keeps the others' tokens.
func TestDeviceCookieKeepsAlts(t *testing.T) {
	e := newEnv(t, func(c *account.Config) { c.Limits.LoginPerAddr.N = -1 })
	cookie := ""
	for _, name := range []string{"Alice", "Bob", "Carol"} {
		c := client("192.0.2.10")
		c.DeviceCookie = cookie
		g, err := e.svc.Register(context.Background(), account.RegisterRequest{Client: c, Name: name, Password: goodPassword})
		if err != nil {
			t.Fatal(err)
		}
		cookie = g.DeviceCookie
	}
	if n := strings.Count(cookie, "~") + 1; n != 3 {
		t.Fatalf("cookie holds %d tokens, want 3", n)
	}
	for _, name := range []string{"Alice", "Bob", "Carol"} {
		e.lockFrom(t, name, "203.0.113.9")
		g, err := e.loginWith(name, goodPassword, "203.0.113.9", cookie)
		if err != nil {
			t.Errorf("%s from the locked address with the shared cookie: %v", name, err)
			continue
		}
		if n := strings.Count(g.DeviceCookie, "~") + 1; n != 3 {
			t.Errorf("after %s's login the cookie holds %d tokens, want 3", name, n)
		}
		cookie = g.DeviceCookie
	}
	// Guests get no device token.
	if g, err := e.svc.Guest(context.Background(), client("192.0.2.11")); err != nil || g.DeviceCookie != "" {
		t.Errorf("guest: device cookie %q, err %v; want none", g.DeviceCookie, err)
	}
}

// TestFailedLoginsSinceLastVisit: the next good login tells how many
// failed logins the account saw since the one before, and audits it.
func TestFailedLoginsSinceLastVisit(t *testing.T) {
	e := newEnv(t, func(c *account.Config) { c.Limits.LoginPerAddr.N = -1 })
	e.register(t, "Alice")
	g, err := e.login("Alice", goodPassword, "192.0.2.10")
	if err != nil {
		t.Fatal(err)
	}
	if g.FailedLogins != 0 {
		t.Errorf("first login: %d failed logins, want 0", g.FailedLogins)
	}
	e.clock.Advance(time.Minute)
	e.lockFrom(t, "Alice", "203.0.113.9") // 10 failures
	e.login("Nobody", "wrong password here", "203.0.113.9")
	e.clock.Advance(time.Hour)
	g, err = e.loginWith("Alice", goodPassword, "192.0.2.10", g.DeviceCookie)
	if err != nil {
		t.Fatal(err)
	}
	if g.FailedLogins != 10 {
		t.Errorf("after an attack: %d failed logins, want 10", g.FailedLogins)
	}
	es, _ := e.store.ListEvents(context.Background(), account.EventQuery{Type: account.EventLoginWarned})
	if len(es) != 1 || es[0].UserID != g.User.ID || !strings.HasPrefix(es[0].Detail, "10 failed logins") {
		t.Errorf("audit of the warning: got %+v", es)
	}
	e.clock.Advance(time.Minute)
	if g, _ := e.login("Alice", goodPassword, "192.0.2.10"); g.FailedLogins != 0 {
		t.Errorf("the login after: %d failed logins, want 0", g.FailedLogins)
	}
}

// TestUnknownNamesNotAudited: what was typed as a name that no account
// has (often a password) stays out of the audit trail.
func TestUnknownNamesNotAudited(t *testing.T) {
	e := newEnv(t, func(c *account.Config) { c.Limits.LockoutAfter = 1 })
	secret := "my-Secret-Password-42"
	e.login(secret, "whatever it is", "192.0.2.1")
	e.clock.Advance(time.Hour)
	e.login(secret, "whatever it is", "192.0.2.1")
	es, _ := e.store.ListEvents(context.Background(), account.EventQuery{})
	for _, ev := range es {
		if strings.Contains(strings.ToLower(ev.Name+ev.Detail), strings.ToLower(secret)) {
			t.Errorf("audit event keeps the typed name: %+v", ev)
		}
	}
	if e.audit.Len() == 0 || strings.Contains(strings.ToLower(e.audit.String()), strings.ToLower(secret)) {
		t.Errorf("audit log: %s", e.audit.String())
	}
	if len(es) == 0 || es[len(es)-1].Type != account.EventLoginFailed || es[len(es)-1].Detail != "unknown name" {
		t.Errorf("first event: got %+v, want login.failed with detail \"unknown name\"", es)
	}
}

// limitCounter counts what reaches the store's rate-limit state.
type limitCounter struct {
	account.Store
	reads, updates atomic.Int64
}

func (c *limitCounter) Limit(ctx context.Context, key string) (account.Limit, error) {
	c.reads.Add(1)
	return c.Store.Limit(ctx, key)
}

func (c *limitCounter) UpdateLimit(ctx context.Context, key string, fn func(*account.Limit)) (account.Limit, error) {
	c.updates.Add(1)
	return c.Store.UpdateLimit(ctx, key, fn)
}

// TestRefusalsSpareTheStore is the review's second finding: refused
// requests must not each cost the store. Once refused, an address (or a
// name's pool) is refused from the node's memory until the refusal ends,
// or for a few seconds, whichever is first.
func TestRefusalsSpareTheStore(t *testing.T) {
	counter := &limitCounter{Store: accounttest.NewMemStore()}
	e := newEnv(t, func(c *account.Config) {
		c.Store = counter
		c.Limits.LoginPerAddr = account.Rate{N: 3, Per: time.Minute}
	})
	e.register(t, "Alice")
	for range 3 {
		e.login("Alice", "wrong password here", "192.0.2.1")
		e.clock.Advance(2 * time.Second)
	}
	before := counter.reads.Load() + counter.updates.Load()
	for range 1000 {
		if _, err := e.login("Alice", goodPassword, "192.0.2.1"); !errors.Is(err, account.ErrRateLimited) {
			t.Fatalf("flood: got %v, want ErrRateLimited", err)
		}
	}
	if n := counter.reads.Load() + counter.updates.Load() - before; n > 1 {
		t.Errorf("1000 refused logins in one instant reached the store's limits %d times, want at most 1", n)
	}
	// A refusal is asked again of the store every few seconds, at most.
	before = counter.reads.Load() + counter.updates.Load()
	for range 20 {
		e.clock.Advance(time.Second)
		e.login("Alice", goodPassword, "192.0.2.1")
	}
	if n := counter.reads.Load() + counter.updates.Load() - before; n > 5 {
		t.Errorf("20 s of refused logins reached the store %d times, want at most 5", n)
	}
	// Another address is not refused.
	if _, err := e.login("Alice", goodPassword, "192.0.2.2"); err != nil {
		t.Errorf("another address: %v", err)
	}
}

// TestEveryHashDrawsOnTheBudget is the review's third finding: password
// changes (two hashes), registrations and an admin's reset or new
// account count against the address's hashing budget, as logins do.
func TestEveryHashDrawsOnTheBudget(t *testing.T) {
	e := newEnv(t, func(c *account.Config) {
		c.Limits.LoginPerAddr = account.Rate{N: 4, Per: time.Minute}
		c.Limits.PasswordChanges = account.Rate{N: 100, Per: time.Hour}
	})
	g := e.register(t, "Alice") // from 192.0.2.10: one hash there
	ctx := context.Background()
	change := func(old, nw string) error {
		return e.svc.ChangePassword(ctx, account.PasswordChange{Session: g.Session, Old: old, New: nw, Addr: "192.0.2.10"})
	}
	if err := change(goodPassword, otherPassword); err != nil { // two more: three
		t.Fatal(err)
	}
	if err := change(otherPassword, goodPassword); !errors.Is(err, account.ErrRateLimited) { // four, then refused
		t.Fatalf("second change in the minute: got %v, want ErrRateLimited", err)
	}
	if _, err := e.login("Alice", goodPassword, "192.0.2.10"); !errors.Is(err, account.ErrRateLimited) {
		t.Errorf("login from the same address: got %v, want the budget spent", err)
	}
	// An admin's actions from the web draw on the admin's address.
	admin := e.withRole(t, "Hera", account.RoleSuperuser)
	by := account.UserActor(admin, "198.51.100.5")
	for i := range 4 {
		if err := e.svc.SetPassword(ctx, by, g.User.ID, goodPassword+"!"+strings.Repeat("x", i)); err != nil {
			t.Fatalf("reset %d: %v", i, err)
		}
	}
	if _, err := e.svc.CreateUser(ctx, by, account.NewUser{Name: "Dave", Password: goodPassword, Role: account.RolePlayer}); !errors.Is(err, account.ErrRateLimited) {
		t.Errorf("a fifth hash from the admin's address: got %v, want ErrRateLimited", err)
	}
	// The console has no address and no budget.
	if _, err := e.svc.CreateUser(ctx, account.Console(), account.NewUser{Name: "Dave", Password: goodPassword, Role: account.RolePlayer}); err != nil {
		t.Errorf("console: %v", err)
	}
}

// TestPasswordChangesPerAccount: an account changes its password at most
// Limits.PasswordChanges times a window, whatever the addresses.
func TestPasswordChangesPerAccount(t *testing.T) {
	e := newEnv(t, func(c *account.Config) {
		c.Limits.LoginPerAddr.N = -1
		c.Limits.PasswordChanges = account.Rate{N: 2, Per: time.Hour}
	})
	g := e.register(t, "Alice")
	ctx := context.Background()
	pws := []string{goodPassword, otherPassword, goodPassword, otherPassword}
	for i := range 3 {
		err := e.svc.ChangePassword(ctx, account.PasswordChange{Session: g.Session, Old: pws[i], New: pws[i+1], Addr: "192.0.2." + string(rune('1'+i))})
		if i < 2 && err != nil {
			t.Fatalf("change %d: %v", i+1, err)
		}
		if i == 2 {
			wantLimit(t, err, account.ErrRateLimited, time.Hour)
		}
	}
	e.clock.Advance(time.Hour)
	if err := e.svc.ChangePassword(ctx, account.PasswordChange{Session: g.Session, Old: pws[2], New: pws[3], Addr: "192.0.2.9"}); err != nil {
		t.Errorf("change in the next hour: %v", err)
	}
}
