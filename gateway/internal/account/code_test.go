package account

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{ErrInvalidCredentials, CodeInvalidCredentials},
		{fmt.Errorf("login: %w", ErrInvalidCredentials), CodeInvalidCredentials},
		{ErrSessionExpired, CodeSessionExpired},
		{ErrSessionEnded, CodeSessionEnded},
		{ErrUnauthenticated, CodeUnauthenticated},
		{&LimitError{Err: ErrRateLimited, RetryAfter: time.Second}, CodeRateLimited},
		{&LimitError{Err: ErrLocked, RetryAfter: time.Minute}, CodeLocked},
		{ErrGuestSettings, CodeGuestSettings},
		{ErrForbidden, CodeForbidden},
		{&PolicyError{Problems: []Problem{{Code: ProblemCommon}}}, CodeWeakPassword},
		{&NameError{Code: NameReserved, Reason: "That name is reserved."}, NameReserved},
		{&NameError{Reason: "A rule of the future."}, CodeInvalidName},
		{errors.Join(&NameError{Code: NameStart}, &PolicyError{}), NameStart},
		{errors.New("sqlite: disk I/O error"), CodeInternal},
	} {
		if got := Code(tc.err); got != tc.want {
			t.Errorf("Code(%v): got %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestEveryErrorHasItsCode: each error the Service returns has a code of
// its own, listed by ErrorCodes, and every code a Problem carries is
// listed by ProblemCodes, so a client can check it has words for each.
func TestEveryErrorHasItsCode(t *testing.T) {
	codes := ErrorCodes()
	seen := map[string]error{}
	for _, k := range known() {
		got := Code(k.err)
		if got != k.code {
			t.Errorf("Code(%v) = %q, want %q (a more general error comes first in known)", k.err, got, k.code)
		}
		if prev, dup := seen[got]; dup {
			t.Errorf("%v and %v share the code %q", prev, k.err, got)
		}
		seen[got] = k.err
		if !slices.Contains(codes, got) {
			t.Errorf("ErrorCodes lacks %q", got)
		}
		if Message(k.err) == Message(errors.New("")) {
			t.Errorf("%v has the generic sentence", k.err)
		}
	}
	if !slices.Contains(codes, CodeInternal) {
		t.Errorf("ErrorCodes lacks %q", CodeInternal)
	}
	problems := ProblemCodes()
	for _, name := range []string{"x", "has space", "2fast", "admin", "Gandalf"} {
		var ne *NameError
		if err := ValidateName(name, []string{"gandalf"}); !errors.As(err, &ne) {
			t.Fatalf("ValidateName(%q) = %v, want a *NameError", name, err)
		}
		if !slices.Contains(problems, ne.Code) || !strings.HasPrefix(ne.Code, "name_") {
			t.Errorf("ValidateName(%q): code %q, want one of ProblemCodes starting name_", name, ne.Code)
		}
		if slices.Contains(codes, ne.Code) {
			t.Errorf("name code %q is an error code too", ne.Code)
		}
	}
	var strict Policy
	strict.Level = PolicyStrict
	strict.Words = []string{"drawbridge"}
	for _, pw := range []string{"", "\xff", "short", "password", "aaaaaaaaaaaaaaaaaa", "abcdefghijklmnop", "alicealicealice1",
		"my drawbridge is up", "tab\there and more words", strings.Repeat("x", 200)} {
		for _, p := range strict.Check(pw, "Alice") {
			if !slices.Contains(problems, p.Code) || p.Message == "" {
				t.Errorf("Check(%q): problem %+v, want a code of ProblemCodes and a sentence", pw, p)
			}
		}
	}
}

func TestArgs(t *testing.T) {
	if got := Args(&LimitError{Err: ErrLocked, RetryAfter: 1500 * time.Millisecond}); got["n"] != 2 {
		t.Errorf("Args of a 1.5 s lock: %v, want n 2", got)
	}
	if got := Args(ErrSettingsTooLarge); got["max_kib"] != MaxSettingsBytes>>10 {
		t.Errorf("Args(ErrSettingsTooLarge): %v", got)
	}
	err := ValidateName("x", nil)
	if got := Args(errors.Join(err, &PolicyError{})); got["min"] != MinNameLen || got["max"] != MaxNameLen {
		t.Errorf("Args of a short name: %v, want min %d and max %d", got, MinNameLen, MaxNameLen)
	}
	if got := Args(ErrInvalidCredentials); got != nil {
		t.Errorf("Args(ErrInvalidCredentials): %v, want none", got)
	}
	p := Policy{}.Check("short", "")
	if len(p) == 0 || p[0].Code != ProblemTooShort || p[0].Args["min"] != 12 {
		t.Errorf("Check(short): %+v, want too_short with min 12", p)
	}
}
