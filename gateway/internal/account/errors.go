package account

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors the Service returns. Test for them with errors.Is (and errors.As
// for the typed ones below); the package doc lists the HTTP answer each
// one maps to. Their text is safe to show a player except where noted.
var (
	// ErrInvalidCredentials is a failed login: unknown name, wrong
	// password, or an account without a password (a guest). One error for
	// all three, so a login form cannot tell which names exist.
	ErrInvalidCredentials = errors.New("invalid username or password")

	// ErrUnauthenticated means a session token is unknown, malformed,
	// expired or revoked, or its account is disabled or gone: the caller
	// should forget the cookie and ask the player to log in.
	ErrUnauthenticated = errors.New("please log in")

	// ErrSessionExpired is the ErrUnauthenticated for a session that ran
	// out (idle or absolute timeout). errors.Is(err, ErrUnauthenticated)
	// holds for it too.
	ErrSessionExpired error = &subError{"your session expired, please log in again", ErrUnauthenticated}

	// ErrSessionEnded is the ErrUnauthenticated Check gives for a session
	// that was live and is no longer: revoked (by the player elsewhere or
	// by an operator), or its account disabled or deleted.
	// errors.Is(err, ErrUnauthenticated) holds for it too.
	ErrSessionEnded error = &subError{"your session was ended, please log in again", ErrUnauthenticated}

	// ErrRateLimited means too many attempts: from one address, or too
	// quickly after failures on one account. It comes as a *LimitError
	// that carries when to try again.
	ErrRateLimited = errors.New("too many attempts, try again later")

	// ErrLocked means the account is temporarily locked after repeated
	// failed logins. It comes as a *LimitError. The lock applies to names
	// that do not exist too, so it reveals nothing.
	ErrLocked = errors.New("too many failed logins, try again later")

	// ErrBusy means too many password hashes are waiting: the server is
	// overloaded (or under a login flood). Retry shortly.
	ErrBusy = errors.New("server busy, try again shortly")

	// ErrDisabled is returned by Login when the password was right but an
	// administrator disabled the account.
	ErrDisabled = errors.New("this account is disabled")

	// ErrNameTaken means the name (compared ignoring case) is in use.
	ErrNameTaken = errors.New("that name is taken")

	// ErrInvalidName is the error every *NameError matches.
	ErrInvalidName = errors.New("invalid name")

	// ErrWeakPassword is the error every *PolicyError matches.
	ErrWeakPassword = errors.New("password does not meet the rules")

	// ErrRegistrationClosed means Config.Registration is closed: only an
	// administrator can create accounts.
	ErrRegistrationClosed = errors.New("registration is closed")

	// ErrGuestsDisabled means Config.AllowGuests is off.
	ErrGuestsDisabled = errors.New("guest access is disabled")

	// ErrForbidden means the actor may not do this.
	ErrForbidden = errors.New("not allowed")

	// ErrNotFound means the user or session does not exist. Stores return
	// it too.
	ErrNotFound = errors.New("not found")

	// ErrLastSuperuser refuses a change that would leave no enabled
	// superuser.
	ErrLastSuperuser = errors.New("the last superuser cannot be removed, disabled or demoted")

	// ErrInvalidSetupToken means the first-start setup token is wrong,
	// used or expired.
	ErrInvalidSetupToken = errors.New("invalid or expired setup token")

	// ErrInvalidResetLink means a reset link is wrong, used, expired or
	// voided by a newer one, or its account is gone.
	ErrInvalidResetLink = errors.New("this reset link is not valid: it may have been used, replaced by a newer one, or expired; ask the game's staff for a new one")

	// ErrSetupDone means a superuser exists already, so the setup path
	// is closed.
	ErrSetupDone = errors.New("setup is already done")

	// ErrUnavailable means the store cannot be reached (its database is
	// down or unreachable). Stores wrap their connection failures in it.
	// Players already playing keep playing: only logins, registrations
	// and account changes wait for the database to come back.
	ErrUnavailable = errors.New("logins are unavailable right now, please try again in a minute")

	// ErrVersionConflict refuses a settings write whose version is not
	// the one stored: the settings were changed on another device since
	// this one read them. The current settings come with it.
	ErrVersionConflict = errors.New("your settings were changed on another device")

	// ErrSettingsTooLarge refuses a settings document over
	// MaxSettingsBytes.
	ErrSettingsTooLarge = fmt.Errorf("your settings are too large to keep (at most %d KiB)", MaxSettingsBytes>>10)

	// ErrInvalidSettings refuses a settings document that is not a JSON
	// object.
	ErrInvalidSettings = errors.New("settings must be a JSON object")

	// ErrInvalidSettingsVersion refuses a settings write with a negative
	// version.
	ErrInvalidSettingsVersion = errors.New("invalid settings version")

	// ErrGuestSettings refuses a guest's settings: they stay in the
	// browser. errors.Is(err, ErrForbidden) holds for it too.
	ErrGuestSettings error = &subError{"guests keep their settings in this browser; register an account to keep them on every device", ErrForbidden}
)

// LimitError is a refusal by a rate limit or a lockout. Err is
// ErrRateLimited or ErrLocked (errors.Is works through it); RetryAfter is
// how long the caller should wait, for an HTTP 429's Retry-After header.
type LimitError struct {
	// Err is ErrRateLimited or ErrLocked.
	Err error
	// RetryAfter is the wait before the next attempt can succeed.
	RetryAfter time.Duration
}

// Error returns the generic message; the wait is for Retry-After.
func (e *LimitError) Error() string { return e.Err.Error() }

// Unwrap returns ErrRateLimited or ErrLocked.
func (e *LimitError) Unwrap() error { return e.Err }

// RetryAfterSeconds is RetryAfter rounded up to whole seconds, at least
// 1: the value of a Retry-After header.
func (e *LimitError) RetryAfterSeconds() int {
	s := int((e.RetryAfter + time.Second - 1) / time.Second)
	return max(s, 1)
}

// NameError explains why a name is refused: a code (NameLength, ...) and
// its arguments for clients that have their own words, and a sentence in
// English for those that do not.
type NameError struct {
	// Name is the name refused.
	Name string
	// Code is the rule broken: NameLength, NameChars, NameStart or
	// NameReserved.
	Code string
	// Args are the values Reason names (NameLength's min and max), by
	// the names a client's message for Code uses; nil if none.
	Args map[string]any
	// Reason is a sentence for the player, in English.
	Reason string
}

// Error returns the player-readable reason.
func (e *NameError) Error() string { return e.Reason }

// Unwrap returns ErrInvalidName.
func (e *NameError) Unwrap() error { return ErrInvalidName }

// PolicyError lists every password rule a new password breaks.
type PolicyError struct {
	// Problems lists every rule broken, in a stable order.
	Problems []Problem
}

// Error joins the problems' messages.
func (e *PolicyError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message
	}
	return strings.Join(msgs, " ")
}

// Unwrap returns ErrWeakPassword.
func (e *PolicyError) Unwrap() error { return ErrWeakPassword }

// Message returns a sentence safe to show a player for any error the
// Service returns: the error's own text for the errors above (each part
// of a joined error), and a generic one for anything else (a database
// failure), whose detail belongs in the log only. The sentence is
// English; Code and Args give the same to a client with words of its own.
func Message(err error) string {
	return sentence(message(err))
}

// sentence capitalises s and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return ""
	}
	if c := s[0]; 'a' <= c && c <= 'z' {
		s = string(c-'a'+'A') + s[1:]
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

func message(err error) string {
	var (
		le *LimitError
		ne *NameError
		pe *PolicyError
	)
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var msgs []string
		for _, e := range j.Unwrap() {
			if e != nil {
				msgs = append(msgs, Message(e))
			}
		}
		return strings.Join(msgs, " ")
	}
	switch {
	case err == nil:
		return ""
	case errors.As(err, &le):
		return le.Error()
	case errors.As(err, &ne):
		return ne.Error()
	case errors.As(err, &pe):
		return pe.Error()
	}
	for _, k := range known() {
		if errors.Is(err, k.err) {
			return k.err.Error()
		}
	}
	return "something went wrong, please try again"
}

// subError is a sentinel error that is also another one: errors.Is
// matches both.
type subError struct {
	msg    string
	parent error
}

func (e *subError) Error() string { return e.msg }
func (e *subError) Unwrap() error { return e.parent }
