package account_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
)

// TestResetLink: a link sets the password once, ends every session of the
// account and lifts its lockouts; it is refused when used again, expired,
// voided by a newer one or wrong; a password the policy refuses does not
// spend it; the rights are an admin's reset's; it is audited.
func TestResetLink(t *testing.T) {
	e := newEnv(t, func(c *account.Config) { c.ResetLinkLifetime = time.Hour })
	ctx := context.Background()
	g := e.register(t, "Alice")
	e.register(t, "Bob") // another account's sessions stay
	e.rev.take()
	reset := func(token, pw string) error {
		return e.svc.ResetPassword(ctx, account.ResetRequest{Addr: "192.0.2.7:4000", Token: token, Password: pw})
	}

	l, err := e.svc.IssueResetLink(ctx, account.Console(), g.User.ID)
	if err != nil || len(l.Token) != account.TokenLen || !l.ExpiresAt.Equal(e.clock.Now().Add(time.Hour)) {
		t.Fatalf("IssueResetLink: %+v, %v", l, err)
	}
	if p := account.ResetLinkPath(l.Token); p != "reset.html#"+l.Token {
		t.Errorf("ResetLinkPath: %q", p)
	}
	if err := reset(strings.Repeat("A", account.TokenLen), otherPassword); !errors.Is(err, account.ErrInvalidResetLink) {
		t.Errorf("a wrong link: %v", err)
	}
	if err := reset("short", otherPassword); !errors.Is(err, account.ErrInvalidResetLink) {
		t.Errorf("a malformed link: %v", err)
	}
	if err := reset(l.Token, "alice"); !errors.Is(err, account.ErrWeakPassword) {
		t.Errorf("a weak password: %v", err)
	}
	if err := reset(l.Token, otherPassword); err != nil { // the weak one did not spend it
		t.Fatalf("reset: %v", err)
	}
	if _, err := e.login("Alice", goodPassword, "192.0.2.1"); !errors.Is(err, account.ErrInvalidCredentials) {
		t.Errorf("the old password still works: %v", err)
	}
	e.clock.Advance(time.Minute) // past the backoff of that failure
	if _, err := e.login("Alice", otherPassword, "192.0.2.1"); err != nil {
		t.Errorf("the new password: %v", err)
	}
	if _, _, err := e.svc.Authenticate(ctx, g.Token); err == nil {
		t.Error("the session from before the reset still holds")
	}
	revs := e.rev.take()
	if len(revs) != 1 || revs[0].UserID != g.User.ID || revs[0].Reason != account.ReasonPasswordChanged {
		t.Errorf("revocations %+v, want Alice's session ended as a password change", revs)
	}
	if err := reset(l.Token, "yet another good passphrase"); !errors.Is(err, account.ErrInvalidResetLink) {
		t.Errorf("the link used again: %v", err)
	}
	ev := e.events(t)
	if !slices.Contains(ev, account.EventResetLink) || !slices.Contains(ev, account.EventPasswordChange) {
		t.Errorf("events %v, want reset.link and password.change", ev)
	}

	// A newer link voids the older; a link expires.
	old, _ := e.svc.IssueResetLink(ctx, account.Console(), g.User.ID)
	fresh, _ := e.svc.IssueResetLink(ctx, account.Console(), g.User.ID)
	if err := reset(old.Token, goodPassword); !errors.Is(err, account.ErrInvalidResetLink) {
		t.Errorf("a voided link: %v", err)
	}
	e.clock.Advance(time.Hour)
	if err := reset(fresh.Token, goodPassword); !errors.Is(err, account.ErrInvalidResetLink) {
		t.Errorf("an expired link: %v", err)
	}

	// A locked-out account is let back in by the reset.
	e.lockFrom(t, "Alice", "198.51.100.9")
	l, _ = e.svc.IssueResetLink(ctx, account.Console(), g.User.ID)
	if err := reset(l.Token, goodPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := e.login("Alice", goodPassword, "198.51.100.9"); err != nil {
		t.Errorf("login after a reset of a locked account: %v", err)
	}

	// A disabled account stays out.
	l, _ = e.svc.IssueResetLink(ctx, account.Console(), g.User.ID)
	if err := e.svc.Disable(ctx, account.Console(), g.User.ID); err != nil {
		t.Fatal(err)
	}
	if err := reset(l.Token, otherPassword); !errors.Is(err, account.ErrDisabled) {
		t.Errorf("a disabled account's link: %v", err)
	}
}

// TestResetLinkRights: the rights are SetPassword's.
func TestResetLinkRights(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin := e.withRole(t, "Ada", account.RoleAdmin)
	super := e.withRole(t, "Sue", account.RoleSuperuser)
	player := e.withRole(t, "Pat", account.RolePlayer)
	other := e.withRole(t, "Olga", account.RoleAdmin)
	guest, err := e.svc.Guest(ctx, client("192.0.2.1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		by     account.User
		target account.User
		ok     bool
	}{
		{admin, player, true},
		{admin, super, false},
		{admin, other, false},
		{admin, admin, false}, // one's own: change it instead
		{super, admin, true},
		{player, player, false},
		{super, guest.User, false},
	} {
		_, err := e.svc.IssueResetLink(ctx, account.UserActor(c.by, "192.0.2.1"), c.target.ID)
		if (err == nil) != c.ok || err != nil && !errors.Is(err, account.ErrForbidden) {
			t.Errorf("%s (%v) resets %s (%v): %v, want allowed %v", c.by.Name, c.by.Role, c.target.Name, c.target.Role, err, c.ok)
		}
	}
}

// TestResetLinkKeptWhenRefusedForHashing: a reset refused because its
// address spent its budget of password hashes (on logins, say) leaves
// the link as it was, to use once the budget is back.
func TestResetLinkKeptWhenRefusedForHashing(t *testing.T) {
	e := newEnv(t, func(c *account.Config) {
		c.Limits.LoginPerAddr = account.Rate{N: 2, Per: time.Hour}
		c.ResetLinkLifetime = 2 * time.Hour
	})
	ctx := context.Background()
	u := e.withRole(t, "Alice", account.RolePlayer)
	l, err := e.svc.IssueResetLink(ctx, account.Console(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	const addr = "203.0.113.4:5000"
	e.login("Alice", goodPassword, addr) // spends a hash of the address's two
	e.login("Alice", goodPassword, addr) // and the other
	var le *account.LimitError
	if err := e.svc.ResetPassword(ctx, account.ResetRequest{Addr: addr, Token: l.Token, Password: otherPassword}); !errors.As(err, &le) {
		t.Fatalf("a reset past the address's hashes: %v, want a LimitError", err)
	}
	e.clock.Advance(time.Hour)
	if err := e.svc.ResetPassword(ctx, account.ResetRequest{Addr: addr, Token: l.Token, Password: otherPassword}); err != nil {
		t.Fatalf("the link once the budget is back: %v", err)
	}
}
