package account

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Reset links. Instead of mailing passwords or asking security questions,
// staff (the console, or an admin through the API) issue a one-time link
// for an account; whoever opens it sets the account's password, once,
// within Config.ResetLinkLifetime. As OWASP's Forgot Password Cheat Sheet
// asks of reset tokens: the token is random (256 bits), stored only as
// its SHA-256 (a Token of Purpose "reset"), single use (ConsumeToken),
// short lived, voided by a newer link for the same account, and using it
// ends every session of the account (a thief's too) and lifts its login
// lockouts. The link carries the token after "#", so it is never sent in
// a request line, a Referer or a proxy's log.

// ResetPage is the page of the site (www/reset.html) a reset link leads
// to; the link's secret follows it after "#" (ResetLinkPath).
const ResetPage = "reset.html"

// ResetLinkPath is the path, relative to the site's root, of the reset
// link with secret token: the secret after "#", so that no request
// line, Referer or log holds it.
func ResetLinkPath(token string) string { return ResetPage + "#" + token }

// resetPurpose is the Token.Purpose of a reset link.
const resetPurpose = "reset"

// ResetLink is an issued reset link's secret and when it ends.
type ResetLink struct {
	Token     string
	ExpiresAt time.Time
}

// IssueResetLink issues a reset link for account id, voiding any earlier
// one. The rights are SetPassword's: an admin may not reset a superuser's
// or another admin's password, and nobody resets their own this way (they
// change it). Guests have no password. Errors: ErrForbidden, ErrNotFound.
func (s *Service) IssueResetLink(ctx context.Context, by Actor, id int64) (ResetLink, error) {
	u, _, err := s.target(ctx, by, id, false)
	if err != nil {
		return ResetLink{}, err
	}
	if u.Guest {
		return ResetLink{}, ErrForbidden
	}
	token, hash := newToken()
	t := Token{Hash: hash, Purpose: resetPurpose, UserID: u.ID, ExpiresAt: s.now().Add(s.conf().ResetLinkLifetime)}
	if err := s.store.PutToken(ctx, t); err != nil {
		return ResetLink{}, fmt.Errorf("reset link for %q: %w", u.Name, err)
	}
	s.record(ctx, s.actorEvent(by, EventResetLink, u, "expires "+t.ExpiresAt.Format("2006-01-02T15:04:05Z")))
	return ResetLink{Token: token, ExpiresAt: t.ExpiresAt}, nil
}

// ResetRequest spends a reset link on a new password.
type ResetRequest struct {
	// Addr is the peer address of the request.
	Addr string
	// Token is the link's secret.
	Token string
	// Password is the new password (the policy of the account's role).
	Password string
}

// ResetPassword sets the password of the account a reset link was issued
// for, ends all its sessions and lifts its login lockouts. The link is
// spent, unless the password breaks the policy (the player can try
// another). Requests are counted per address by Limits.LoginPerAddr.
// Errors: ErrInvalidResetLink (a link wrong, used, expired or voided, or
// whose account is gone), ErrDisabled, *PolicyError, *LimitError.
func (s *Service) ResetPassword(ctx context.Context, req ResetRequest) error {
	if _, err := s.allowRate(ctx, resetAddrKey(req.Addr), s.conf().Limits.LoginPerAddr); err != nil {
		return err
	}
	if !validToken(req.Token) {
		return ErrInvalidResetLink
	}
	// The address's budget of password hashes is spent before the link
	// is: a request refused for it leaves the link as it was.
	if _, err := s.spendHash(ctx, req.Addr); err != nil {
		return err
	}
	tok, err := s.store.ConsumeToken(ctx, resetPurpose, hashToken(req.Token), s.now())
	if errors.Is(err, ErrNotFound) {
		return ErrInvalidResetLink
	} else if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	u, err := s.store.User(ctx, tok.UserID)
	if errors.Is(err, ErrNotFound) {
		return ErrInvalidResetLink
	} else if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	if u.Disabled {
		return ErrDisabled
	}
	if err := s.checkPassword(req.Password, u.Name, u.Role); err != nil {
		// Not spent on a password the rules refuse: put back as it was.
		// (A newer link issued in that instant is voided by it: staff
		// issue another.)
		if perr := s.store.PutToken(ctx, tok); perr != nil {
			return errors.Join(err, fmt.Errorf("reset password: keep the link: %w", perr))
		}
		return err
	}
	if err := s.clearLogins(ctx, u); err != nil {
		return fmt.Errorf("reset password of %q: lift lockouts: %w", u.Name, err)
	}
	return s.setPassword(ctx, u, req.Password, "", Event{Addr: peerIP(req.Addr), Detail: "reset link"})
}
