package account

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestRoles(t *testing.T) {
	for _, tc := range []struct {
		r, min Role
		want   bool
	}{
		{RolePlayer, RolePlayer, true},
		{RolePlayer, RoleBuilder, false},
		{RoleAdmin, RoleBuilder, true},
		{RoleSuperuser, RoleAdmin, true},
		{0, RolePlayer, false},
		{RoleSuperuser, 0, false},
		{Role(9), RolePlayer, false},
	} {
		if got := tc.r.AtLeast(tc.min); got != tc.want {
			t.Errorf("%v.AtLeast(%v): got %v, want %v", tc.r, tc.min, got, tc.want)
		}
	}
	for _, tc := range []struct {
		r                              Role
		build, administer, manageStaff bool
	}{
		{RolePlayer, false, false, false},
		{RoleBuilder, true, false, false},
		{RoleAdmin, true, true, false},
		{RoleSuperuser, true, true, true},
		{0, false, false, false},
	} {
		if got := [3]bool{tc.r.CanBuild(), tc.r.CanAdminister(), tc.r.CanManageStaff()}; got != [3]bool{tc.build, tc.administer, tc.manageStaff} {
			t.Errorf("%v: build, administer, manage staff: got %v, want %v", tc.r, got, [3]bool{tc.build, tc.administer, tc.manageStaff})
		}
	}
	for r := RolePlayer; r <= RoleSuperuser; r++ {
		b, err := r.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var got Role
		if err := got.UnmarshalText(b); err != nil || got != r {
			t.Errorf("text round trip of %v: got %v, %v", r, got, err)
		}
	}
	if _, err := Role(0).MarshalText(); err == nil {
		t.Error("MarshalText of the zero role: got nil error")
	}
	if _, err := ParseRole("root"); err == nil {
		t.Error("ParseRole(root): got nil error")
	}
}

func TestCanActOnAndGrant(t *testing.T) {
	for _, tc := range []struct {
		actor, target Role
		actOn, grant  bool // grant: may give the target role
	}{
		{RolePlayer, RolePlayer, false, false},
		{RoleBuilder, RolePlayer, false, false},
		{RoleAdmin, RolePlayer, true, true},
		{RoleAdmin, RoleBuilder, true, true},
		{RoleAdmin, RoleAdmin, false, false},
		{RoleAdmin, RoleSuperuser, false, false},
		{RoleSuperuser, RoleAdmin, true, true},
		{RoleSuperuser, RoleSuperuser, true, true},
		{RoleSuperuser, 0, true, false},
	} {
		if got := canActOn(tc.actor, tc.target); got != tc.actOn {
			t.Errorf("canActOn(%v, %v): got %v, want %v", tc.actor, tc.target, got, tc.actOn)
		}
		if got := canGrant(tc.actor, tc.target); got != tc.grant {
			t.Errorf("canGrant(%v, %v): got %v, want %v", tc.actor, tc.target, got, tc.grant)
		}
	}
}

func TestValidateName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"Al", true},
		{"Bob", true},
		{"Zed2", true},
		{"abcdefghijklmnopqrst", true},
		{"  Padded  ", true},
		{"A", false},
		{"abcdefghijklmnopqrstu", false},
		{"2fast", false},
		{"has space", false},
		{"dash-name", false},
		{"Ünïcode", false},
		{"Аdmin", false}, // Cyrillic А
		{"admin", false},
		{"ADMIN", false},
		{"Guest", false},
		{"guest42", false},
		{"Sysop", false},
		{"Gandalf", false}, // reserved by configuration below
	} {
		err := ValidateName(tc.name, []string{"gandalf"})
		if (err == nil) != tc.ok {
			t.Errorf("ValidateName(%q): got %v, want ok %v", tc.name, err, tc.ok)
		}
		var ne *NameError
		if err != nil && (!errors.As(err, &ne) || !errors.Is(err, ErrInvalidName) || !strings.HasSuffix(ne.Reason, ".")) {
			t.Errorf("ValidateName(%q): got %#v, want a *NameError with a sentence", tc.name, err)
		}
	}
}

func TestMessage(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{ErrInvalidCredentials, "Invalid username or password."},
		{fmt.Errorf("login: %w", ErrInvalidCredentials), "Invalid username or password."},
		{ErrSessionExpired, "Your session expired, please log in again."},
		{ErrSessionEnded, "Your session was ended, please log in again."},
		{&LimitError{Err: ErrLocked, RetryAfter: time.Minute}, "Too many failed logins, try again later."},
		{&NameError{Reason: "Names start with a letter."}, "Names start with a letter."},
		{errors.Join(&NameError{Reason: "That name is reserved."}, &PolicyError{Problems: []Problem{{Code: ProblemTooShort, Message: "Use at least 12 characters."}, {Code: ProblemCommon, Message: "Too common."}}}),
			"That name is reserved. Use at least 12 characters. Too common."},
		{errors.New("sqlite: disk I/O error at /var/lib/secret"), "Something went wrong, please try again."},
	} {
		if got := Message(tc.err); got != tc.want {
			t.Errorf("Message(%v): got %q, want %q", tc.err, got, tc.want)
		}
	}
	if !errors.Is(ErrSessionExpired, ErrUnauthenticated) {
		t.Error("ErrSessionExpired is not an ErrUnauthenticated")
	}
	if !errors.Is(ErrSessionEnded, ErrUnauthenticated) {
		t.Error("ErrSessionEnded is not an ErrUnauthenticated")
	}
	le := &LimitError{Err: ErrRateLimited, RetryAfter: 1500 * time.Millisecond}
	if got := le.RetryAfterSeconds(); got != 2 {
		t.Errorf("RetryAfterSeconds of 1.5s: got %d, want 2", got)
	}
	if !errors.Is(le, ErrRateLimited) || errors.Is(le, ErrLocked) {
		t.Error("LimitError does not unwrap to its Err alone")
	}
}

// TestPeerIP: audit events keep the peer's IP, not its port; the
// grouping limits count (peer.Group) is tested in package peer.
func TestPeerIP(t *testing.T) {
	if got := peerIP("[2001:db8::1]:443"); got != "2001:db8::1" {
		t.Errorf("peerIP: got %q, want 2001:db8::1", got)
	}
	if got := peerIP("not an address"); got != "not an address" {
		t.Errorf("peerIP of a non-address: got %q", got)
	}
}

func TestSessionDeadline(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := Session{LastSeen: t0, ExpiresAt: t0.Add(10 * time.Hour)}
	for _, tc := range []struct {
		now     time.Duration
		idle    time.Duration
		expired bool
	}{
		{59 * time.Minute, time.Hour, false},
		{time.Hour, time.Hour, true},
		{9 * time.Hour, 24 * time.Hour, false},
		{10 * time.Hour, 24 * time.Hour, true},
	} {
		if got := s.Expired(t0.Add(tc.now), tc.idle); got != tc.expired {
			t.Errorf("Expired at +%v with idle %v: got %v, want %v", tc.now, tc.idle, got, tc.expired)
		}
	}
}

func TestTokens(t *testing.T) {
	tok, id := newToken()
	if len(tok) != TokenLen || !validToken(tok) {
		t.Fatalf("newToken: %q is not a valid token", tok)
	}
	if got, ok := SessionID(tok); !ok || got != id || len(id) != 64 {
		t.Errorf("SessionID(token): got %q, %v; want %q", got, ok, id)
	}
	if tok2, _ := newToken(); tok2 == tok {
		t.Error("two tokens are equal")
	}
	for _, bad := range []string{"", tok[:42], tok + "A", tok[:42] + "=", tok[:42] + "/"} {
		if _, ok := SessionID(bad); ok {
			t.Errorf("SessionID(%q): got ok, want not", bad)
		}
	}
}
