package account

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/peer"
)

// Service is the account system: the one thing the web handlers, the /ws
// check and the CLI call. Create it with New. It is safe for concurrent
// use; it keeps no state of its own beyond its configuration, so several
// gateway nodes can share one Store.
type Service struct {
	cfg    atomic.Pointer[Config] // swapped whole by Reconfigure
	store  Store
	log    *slog.Logger
	audit  *slog.Logger
	hasher *hasher
	// refused remembers refusals for a few seconds, so that a flood of
	// refused requests does not reach the store (a per-node cache of
	// the store's state, never the only record of it).
	refused refusals
	// devices holds the key that signs device tokens, from the store.
	devices deviceKeys
}

// New returns a Service configured by cfg (zero fields take their
// defaults; see Config).
func New(cfg Config) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	s := &Service{
		store:  cfg.Store,
		log:    cfg.Log,
		audit:  cfg.Audit,
		hasher: newHasher(cfg.Hash, cfg.MaxConcurrentHashes, cfg.HashWait),
	}
	s.cfg.Store(&cfg)
	return s, nil
}

// conf is the configuration now: each call may see a newer one after
// Reconfigure, so a caller that needs two settings to agree reads it once.
func (s *Service) conf() *Config { return s.cfg.Load() }

// Reconfigure validates cfg and makes it the service's configuration from
// now on, for a configuration reload. What the service was built around
// stays as New set it, whatever cfg says: the store, the loggers, the
// clock, OnRevoke, and the settings in RestartSettings.
func (s *Service) Reconfigure(cfg Config) error {
	if err := cfg.ValidateSettings(); err != nil {
		return err
	}
	cfg = cfg.WithDefaults()
	old := s.conf()
	cfg.Store, cfg.Log, cfg.Audit, cfg.Now, cfg.OnRevoke = old.Store, old.Log, old.Audit, old.Now, old.OnRevoke
	cfg.Hash, cfg.MaxConcurrentHashes, cfg.HashWait, cfg.SweepEvery = old.Hash, old.MaxConcurrentHashes, old.HashWait, old.SweepEvery
	s.cfg.Store(&cfg)
	return nil
}

// RestartSettings are the settings (by their TOML keys under [accounts])
// that Reconfigure leaves as New set them: the password hasher's and the
// sweep's, which are built once.
var RestartSettings = []string{"hash", "max_concurrent_hashes", "hash_wait", "sweep_every"}

// now is the clock in UTC, truncated to what every store keeps.
func (s *Service) now() time.Time { return s.conf().Now().UTC().Truncate(time.Microsecond) }

// Client is where a request comes from.
type Client struct {
	// Addr is the real peer address, "ip" or "ip:port", after any trusted
	// proxy's header was applied. Rate limits count it.
	Addr string
	// UserAgent is the browser's User-Agent, kept with the session.
	UserAgent string
	// PreviousToken is the session token the browser still holds, if any.
	// A login never reuses it: it is revoked when the new one is issued.
	PreviousToken string
	// DeviceCookie is the device cookie the browser holds, if any: the
	// device tokens of the accounts it logged in to before (see
	// Grant.DeviceCookie). A login with one for its account is counted
	// apart from strangers' attempts.
	DeviceCookie string
}

// Grant is what a successful login, registration, guest entry or setup
// hands back. Token is the session's secret: the only time it exists in
// clear. Put it in the cookie and keep it nowhere else.
type Grant struct {
	// User is the account, without its password hash.
	User User
	// Session is the new session; Session.ExpiresAt (or Deadline) can set
	// the cookie's lifetime.
	Session Session
	// Token is the session's secret, for the cookie.
	Token string
	// DeviceCookie is the device cookie's new value after a login,
	// registration or setup: the browser's tokens with a fresh one for
	// this account first. Empty when there is nothing to set (a guest,
	// or the signing key was unavailable). Keep it in a long-lived,
	// HttpOnly cookie, apart from the session's.
	DeviceCookie string
	// FailedLogins is, after a login, how many failed logins the
	// account saw since its previous login: for telling its player.
	FailedLogins int
}

// RegistrationOpen reports whether players may register themselves.
func (s *Service) RegistrationOpen() bool { return s.conf().Registration == RegistrationOpen }

// GuestsAllowed reports whether Guest works.
func (s *Service) GuestsAllowed() bool { return s.conf().AllowGuests }

// IdleTimeout is the configured idle timeout, for cookie lifetimes
// (Session.Deadline).
func (s *Service) IdleTimeout() time.Duration { return s.conf().IdleTimeout }

// DeviceLifetime is how long a device cookie should live: as long as its
// newest token is good for.
func (s *Service) DeviceLifetime() time.Duration { return s.conf().DeviceLifetime }

// Policy is the configured password policy, for showing its rules.
func (s *Service) Policy() Policy { return s.conf().Policy }

// CheckPassword returns every rule a prospective password for the named
// account breaks, under the configured policy: for live feedback while
// the player types. It costs no hash and touches no store.
func (s *Service) CheckPassword(password, name string) []Problem {
	return s.conf().Policy.Check(password, name)
}

// policyFor is the policy for an account with role r: staff get at least
// the standard level.
func (s *Service) policyFor(r Role) Policy {
	if r.AtLeast(RoleAdmin) {
		return s.conf().Policy.atLeast(PolicyStandard)
	}
	return s.conf().Policy
}

func (s *Service) checkPassword(password, name string, r Role) error {
	if problems := s.policyFor(r).Check(password, name); len(problems) > 0 {
		return &PolicyError{Problems: problems}
	}
	return nil
}

// maxPasswordBytes bounds what Login hashes: no acceptable password is
// longer, so a longer one is rejected without spending a hash on it.
func (s *Service) maxPasswordBytes() int { return 4 * s.conf().Policy.maxLength() }

// LoginRequest is a login attempt.
type LoginRequest struct {
	Client
	// Name is the account name as typed (any case, surrounding space
	// ignored).
	Name string
	// Password is checked as typed (NFC-normalised, nothing trimmed).
	Password string
}

// Login checks a name and password and starts a session. It refuses with
// a *LimitError (ErrRateLimited, ErrLocked) before hashing when the
// address is over its hashing budget, or the attempt's pool is backing
// off or locked out, and answers ErrInvalidCredentials for a wrong name
// or password alike, in the same time. A right password on a disabled
// account gives ErrDisabled. A hash weaker than the current parameters
// (or bcrypt) is upgraded here.
//
// Where an attempt counts: a browser whose device cookie has a valid
// token for the account (it logged in to it before) counts in its own
// pool, with its own backoff and lockout; every other attempt on a name
// shares the name's backoff, and locks out only its own source address.
// So nobody can lock an account's owner out of their own browser, and an
// attacker who makes a name back off slows strangers, not its owner.
func (s *Service) Login(ctx context.Context, req LoginRequest) (Grant, error) {
	addr := peerIP(req.Addr)
	first, err := s.spendHash(ctx, req.Addr)
	if err != nil {
		if first {
			s.record(ctx, Event{Type: EventLoginLimited, Addr: addr, Detail: "address"})
		}
		return Grant{}, err
	}
	key := NameKey(req.Name)
	// A name no account can have gets no lockout state (it would only
	// fill the store) but the same hash as any other failure.
	tracked := key != "" && len(key) <= 64

	var u User
	found := false
	if tracked {
		u, err = s.store.UserByName(ctx, key)
		switch {
		case err == nil:
			found = true
		case !errors.Is(err, ErrNotFound):
			return Grant{}, fmt.Errorf("login %q: %w", key, err)
		}
	}
	var p pool
	if tracked {
		p = pool{backoff: nameKey(key), lockout: nameAddrKey(key, req.Addr)}
		if found && req.DeviceCookie != "" {
			if k, err := s.devices.get(ctx, s.store); err != nil {
				s.log.Error("device tokens unavailable; counting the login as a stranger's", "err", err)
			} else if d, ok := deviceFor(k, req.DeviceCookie, u.ID, s.now(), s.conf().DeviceLifetime); ok {
				p = ownPool(deviceKey(u.ID, d.id))
				p.trusted = true
			}
		}
		if err := s.beginAttempt(ctx, p); err != nil {
			return Grant{}, err
		}
	}
	settle := func(o outcome) bool {
		if tracked {
			return s.finishAttempt(ctx, p, o)
		}
		return false
	}

	password := req.Password
	if len(password) > s.maxPasswordBytes() {
		password, found = "", false
	}
	ok, rehash, err := s.hasher.verify(ctx, password, u.PasswordHash)
	if err != nil {
		settle(attemptAborted)
		return Grant{}, fmt.Errorf("login %q: %w", key, err)
	}
	if !ok || !found {
		// The name typed is recorded only if it is an account's: people
		// type passwords into name fields.
		e := Event{Type: EventLoginFailed, Addr: addr, Detail: "unknown name"}
		if found {
			e.UserID, e.Name, e.Detail = u.ID, u.Name, ""
			if p.trusted {
				e.Detail = "known device"
			}
		}
		s.record(ctx, e)
		if settle(attemptFailed) {
			e.Type, e.Detail = EventLockout, "locked for "+s.conf().Limits.LockoutFor.String()
			if p.trusted {
				e.Detail += " (this device)"
			} else {
				e.Detail += " (from " + peer.Group(req.Addr) + ")"
			}
			s.record(ctx, e)
		}
		return Grant{}, ErrInvalidCredentials
	}
	settle(attemptOK)
	if u.Disabled {
		s.record(ctx, Event{Type: EventLoginDisabled, UserID: u.ID, Name: u.Name, Addr: addr})
		return Grant{}, ErrDisabled
	}

	failed, err := s.store.CountEvents(ctx, EventQuery{UserID: u.ID, Type: EventLoginFailed, Since: u.LastLogin})
	if err != nil {
		s.log.Warn("count failed logins", "user", u.Name, "err", err)
	}
	now := s.now()
	ch := UserUpdate{LastLogin: &now}
	if rehash {
		if h, err := s.hasher.hash(ctx, req.Password); err != nil {
			s.log.Warn("upgrade password hash", "user", u.Name, "err", err)
		} else {
			ch.PasswordHash = &h
		}
	}
	u, err = s.store.UpdateUser(ctx, u.ID, ch)
	if err != nil {
		return Grant{}, fmt.Errorf("login %q: record login: %w", key, err)
	}
	if ch.PasswordHash != nil {
		s.record(ctx, Event{Type: EventPasswordRehash, UserID: u.ID, Name: u.Name, Addr: addr, Detail: s.conf().Hash.String()})
	}
	g, err := s.startSession(ctx, u, req.Client, EventLogin)
	if err != nil {
		return g, err
	}
	if g.FailedLogins = failed; failed > 0 {
		s.record(ctx, Event{Type: EventLoginWarned, UserID: u.ID, Name: u.Name, Addr: addr, SessionID: g.Session.ID,
			Detail: strconv.Itoa(failed) + " failed logins since the last login"})
	}
	return g, nil
}

// startSession issues a fresh session for u, revokes the browser's
// previous one, and evicts the oldest beyond the per-account cap.
func (s *Service) startSession(ctx context.Context, u User, c Client, ev EventType) (Grant, error) {
	token, id := newToken()
	now := s.now()
	sess := Session{
		ID: id, UserID: u.ID, CreatedAt: now, LastSeen: now,
		ExpiresAt: now.Add(s.conf().MaxLifetime),
		Addr:      peerIP(c.Addr), UserAgent: truncate(c.UserAgent, 256),
	}
	if u.Guest {
		if end := u.CreatedAt.Add(s.conf().GuestLifetime); end.Before(sess.ExpiresAt) {
			sess.ExpiresAt = end
		}
	}
	evicted, err := s.store.CreateSession(ctx, sess, max(s.conf().MaxSessionsPerUser, 0))
	if err != nil {
		return Grant{}, fmt.Errorf("create session for %q: %w", u.Name, err)
	}
	s.record(ctx, Event{Type: ev, UserID: u.ID, Name: u.Name, Addr: sess.Addr, SessionID: id})
	s.revoked(ctx, Event{UserID: u.ID, Name: u.Name, Addr: sess.Addr}, evicted, ReasonSessionLimit)
	g := Grant{User: u.public(), Session: sess, Token: token}
	if !u.Guest {
		if k, err := s.devices.get(ctx, s.store); err != nil {
			s.log.Error("device tokens unavailable; no device cookie issued", "err", err)
		} else {
			g.DeviceCookie = withDevice(k, c.DeviceCookie, newDeviceToken(k, u.ID, now), now, s.conf().DeviceLifetime)
		}
	}
	if pid, ok := SessionID(c.PreviousToken); ok && pid != id {
		old, err := s.store.DeleteSession(ctx, pid)
		switch {
		case err == nil:
			s.revoked(ctx, Event{UserID: old.UserID, Addr: sess.Addr}, []string{old.ID}, ReasonReplaced)
		case !errors.Is(err, ErrNotFound):
			s.log.Error("revoke previous session", "err", err)
		}
	}
	return g, nil
}

// revoked audits the end of sessions and tells OnRevoke. e carries the
// account and, for an admin's action, the actor.
func (s *Service) revoked(ctx context.Context, e Event, ids []string, reason RevokeReason) {
	if len(ids) == 0 {
		return
	}
	e.Type = EventSessionRevoke
	e.Detail = string(reason)
	if len(ids) == 1 {
		e.SessionID = ids[0]
	} else {
		e.Detail += " (" + strconv.Itoa(len(ids)) + " sessions)"
	}
	s.record(ctx, e)
	if s.conf().OnRevoke != nil {
		s.conf().OnRevoke(Revocation{UserID: e.UserID, SessionIDs: ids, Reason: reason})
	}
}

// Authenticate returns the account and session for a session token (the
// cookie), after checking the idle and absolute timeouts, that the
// account still exists and is enabled, and, for a guest, that its visit
// has not ended. It refreshes LastSeen at most once a TouchEvery.
// Failures are ErrUnauthenticated (ErrSessionExpired for a timeout);
// anything else is a store failure.
func (s *Service) Authenticate(ctx context.Context, token string) (User, Session, error) {
	id, ok := SessionID(token)
	if !ok {
		return User{}, Session{}, ErrUnauthenticated
	}
	sess, err := s.store.Session(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return User{}, Session{}, ErrUnauthenticated
	} else if err != nil {
		return User{}, Session{}, fmt.Errorf("authenticate: %w", err)
	}
	now := s.now()
	if sess.Expired(now, s.conf().IdleTimeout) {
		s.expire(ctx, sess)
		return User{}, Session{}, ErrSessionExpired
	}
	u, err := s.store.User(ctx, sess.UserID)
	if errors.Is(err, ErrNotFound) {
		return User{}, Session{}, ErrUnauthenticated
	} else if err != nil {
		return User{}, Session{}, fmt.Errorf("authenticate: %w", err)
	}
	if u.Disabled {
		return User{}, Session{}, ErrUnauthenticated
	}
	if u.Guest && !now.Before(u.CreatedAt.Add(s.conf().GuestLifetime)) {
		return User{}, Session{}, ErrSessionExpired
	}
	sess, err = s.touch(ctx, sess, now)
	if err != nil {
		return User{}, Session{}, err
	}
	return u.public(), sess, nil
}

// Check re-validates a session the caller already holds (the gateway, for
// an open bridge) without its token and without writing: it returns
// ErrSessionEnded when the session is gone (revoked, perhaps by another
// process such as the command line) or its account disabled or deleted,
// and ErrSessionExpired when it timed out. The gateway calls it
// periodically so that changes made elsewhere close live bridges too.
func (s *Service) Check(ctx context.Context, sess Session) error {
	now := s.now()
	if sess.Expired(now, s.conf().IdleTimeout) {
		return ErrSessionExpired
	}
	cur, err := s.store.Session(ctx, sess.ID)
	if errors.Is(err, ErrNotFound) {
		return ErrSessionEnded
	} else if err != nil {
		return fmt.Errorf("check session: %w", err)
	}
	if cur.Expired(now, s.conf().IdleTimeout) {
		return ErrSessionExpired
	}
	u, err := s.store.User(ctx, cur.UserID)
	if errors.Is(err, ErrNotFound) {
		return ErrSessionEnded
	} else if err != nil {
		return fmt.Errorf("check session: %w", err)
	}
	if u.Disabled {
		return ErrSessionEnded
	}
	if u.Guest && !now.Before(u.CreatedAt.Add(s.conf().GuestLifetime)) {
		return ErrSessionExpired
	}
	return nil
}

// Touch keeps a session in use alive without a new Authenticate: the
// gateway calls it when a player's open bridge carries input, with the
// Session it holds, and keeps the one returned. It writes LastSeen at
// most once a TouchEvery and otherwise costs nothing. ErrSessionExpired
// or ErrSessionEnded (revoked meanwhile) mean: close the bridge.
func (s *Service) Touch(ctx context.Context, sess Session) (Session, error) {
	now := s.now()
	if sess.Expired(now, s.conf().IdleTimeout) {
		s.expire(ctx, sess)
		return sess, ErrSessionExpired
	}
	return s.touch(ctx, sess, now)
}

func (s *Service) touch(ctx context.Context, sess Session, now time.Time) (Session, error) {
	if now.Sub(sess.LastSeen) < s.conf().TouchEvery {
		return sess, nil
	}
	err := s.store.TouchSession(ctx, sess.ID, now)
	if errors.Is(err, ErrNotFound) {
		return sess, ErrSessionEnded
	} else if err != nil {
		return sess, fmt.Errorf("touch session: %w", err)
	}
	sess.LastSeen = now
	return sess, nil
}

// expire deletes a session found timed out and reports it.
func (s *Service) expire(ctx context.Context, sess Session) {
	ctx = context.WithoutCancel(ctx)
	if _, err := s.store.DeleteSession(ctx, sess.ID); err == nil {
		s.revoked(ctx, Event{UserID: sess.UserID}, []string{sess.ID}, ReasonExpired)
	} else if !errors.Is(err, ErrNotFound) {
		s.log.Error("delete expired session", "err", err)
	}
}

// Logout ends the session of token (the cookie). An unknown or malformed
// token is not an error: the caller clears the cookie either way. addr
// is the peer address, for the audit log.
func (s *Service) Logout(ctx context.Context, token, addr string) error {
	id, ok := SessionID(token)
	if !ok {
		return nil
	}
	sess, err := s.store.DeleteSession(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	s.revoked(ctx, Event{UserID: sess.UserID, Addr: peerIP(addr)}, []string{id}, ReasonLogout)
	return nil
}

// RegisterRequest is a player creating an account.
type RegisterRequest struct {
	Client
	// Name must pass ValidateName; surrounding space is trimmed.
	Name string
	// Password must pass the policy; every problem is reported.
	Password string
}

// Register creates a player account and logs it in. It needs open
// registration (ErrRegistrationClosed), a valid name (*NameError), a
// password the policy accepts (*PolicyError, listing every problem), an
// address under its registration limit (*LimitError) and a free name
// (ErrNameTaken).
func (s *Service) Register(ctx context.Context, req RegisterRequest) (Grant, error) {
	if !s.RegistrationOpen() {
		return Grant{}, ErrRegistrationClosed
	}
	name := strings.TrimSpace(req.Name)
	if err := s.validateNew(name, req.Password, RolePlayer); err != nil {
		return Grant{}, err
	}
	if _, err := s.allowRate(ctx, registerAddrKey(req.Addr), s.conf().Limits.RegisterPerAddr); err != nil {
		return Grant{}, err
	}
	if _, err := s.spendHash(ctx, req.Addr); err != nil {
		return Grant{}, err
	}
	u, err := s.createUser(ctx, name, req.Password, RolePlayer)
	if err != nil {
		return Grant{}, err
	}
	s.record(ctx, Event{Type: EventRegister, UserID: u.ID, Name: u.Name, Addr: peerIP(req.Addr)})
	return s.startSession(ctx, u, req.Client, EventLogin)
}

// validateNew checks a new account's name and password, reporting the
// name's problem and every password problem together.
func (s *Service) validateNew(name, password string, r Role) error {
	nameErr := ValidateName(name, s.conf().ReservedNames)
	pwErr := s.checkPassword(password, name, r)
	return errors.Join(nameErr, pwErr)
}

// createUser hashes the password and stores a new account.
func (s *Service) createUser(ctx context.Context, name, password string, r Role) (User, error) {
	if _, err := s.store.UserByName(ctx, name); err == nil {
		return User{}, ErrNameTaken // spare the hash
	}
	h, err := s.hasher.hash(ctx, password)
	if err != nil {
		return User{}, fmt.Errorf("create %q: %w", name, err)
	}
	u, err := s.store.CreateUser(ctx, User{Name: name, Role: r, CreatedAt: s.now(), PasswordHash: h})
	if err != nil {
		return User{}, fmt.Errorf("create %q: %w", name, err)
	}
	return u, nil
}

// Guest creates a guest account (a name like Guest-4821, role player, no
// password) and logs it in. Its session ends, and the account is purged,
// GuestLifetime after. ErrGuestsDisabled unless Config.AllowGuests.
func (s *Service) Guest(ctx context.Context, c Client) (Grant, error) {
	if !s.conf().AllowGuests {
		return Grant{}, ErrGuestsDisabled
	}
	if _, err := s.allowRate(ctx, guestAddrKey(c.Addr), s.conf().Limits.GuestPerAddr); err != nil {
		return Grant{}, err
	}
	for i := range 20 {
		digits, n := 4, 10000
		if i >= 10 {
			digits, n = 6, 1000000
		}
		name := fmt.Sprintf("%s%0*d", guestPrefix, digits, rand.IntN(n))
		u, err := s.store.CreateUser(ctx, User{Name: name, Role: RolePlayer, Guest: true, CreatedAt: s.now()})
		if errors.Is(err, ErrNameTaken) {
			continue
		} else if err != nil {
			return Grant{}, fmt.Errorf("create guest: %w", err)
		}
		s.record(ctx, Event{Type: EventGuest, UserID: u.ID, Name: u.Name, Addr: peerIP(c.Addr)})
		return s.startSession(ctx, u, c, EventLogin)
	}
	return Grant{}, fmt.Errorf("create guest: no free name: %w", ErrBusy)
}

// PasswordChange is a player changing their own password.
type PasswordChange struct {
	// Session is the session the request came with (from Authenticate);
	// it stays, every other session of the account ends.
	Session Session
	// Old is the current password, checked (paced and locked out per
	// account, as a login is per device).
	Old string
	// New must satisfy the policy.
	New string
	// Addr is the peer address, for limits and the audit log.
	Addr string
}

// ChangePassword sets a new password after checking the old one, and
// ends every other session of the account. Each of its two hashes (the
// old password's check, the new one's hash) draws on the address's
// hashing budget; wrong old passwords back off and lock out as logins
// do, in a pool of the account's own; and an account changes its
// password at most Limits.PasswordChanges times per window. Errors:
// ErrUnauthenticated (session gone), ErrForbidden (guests have no
// password), *PolicyError, *LimitError, ErrInvalidCredentials (wrong
// old password).
func (s *Service) ChangePassword(ctx context.Context, req PasswordChange) error {
	if _, err := s.store.Session(ctx, req.Session.ID); errors.Is(err, ErrNotFound) {
		return ErrUnauthenticated
	} else if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	u, err := s.store.User(ctx, req.Session.UserID)
	if errors.Is(err, ErrNotFound) {
		return ErrUnauthenticated
	} else if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if u.Guest {
		return ErrForbidden
	}
	if err := s.checkPassword(req.New, u.Name, u.Role); err != nil {
		return err
	}
	if err := s.rateFull(ctx, passwordSetKey(u.ID), s.conf().Limits.PasswordChanges); err != nil {
		return err
	}
	if _, err := s.spendHash(ctx, req.Addr); err != nil {
		return err
	}
	p := ownPool(passwordCheckKey(u.ID))
	if err := s.beginAttempt(ctx, p); err != nil {
		return err
	}
	ok, _, err := s.hasher.verify(ctx, req.Old, u.PasswordHash)
	if err != nil {
		s.finishAttempt(ctx, p, attemptAborted)
		return fmt.Errorf("change password: %w", err)
	}
	addr := peerIP(req.Addr)
	if !ok {
		s.record(ctx, Event{Type: EventLoginFailed, UserID: u.ID, Name: u.Name, Addr: addr, Detail: "password change"})
		if s.finishAttempt(ctx, p, attemptFailed) {
			s.record(ctx, Event{Type: EventLockout, UserID: u.ID, Name: u.Name, Addr: addr, Detail: "password changes"})
		}
		return ErrInvalidCredentials
	}
	s.finishAttempt(ctx, p, attemptOK)
	if _, err := s.allowRate(ctx, passwordSetKey(u.ID), s.conf().Limits.PasswordChanges); err != nil {
		return err
	}
	if _, err := s.spendHash(ctx, req.Addr); err != nil {
		return err
	}
	return s.setPassword(ctx, u, req.New, req.Session.ID, Event{Addr: addr})
}

// setPassword stores a new hash and ends the account's sessions but keep.
func (s *Service) setPassword(ctx context.Context, u User, password, keep string, e Event) error {
	h, err := s.hasher.hash(ctx, password)
	if err != nil {
		return fmt.Errorf("set password of %q: %w", u.Name, err)
	}
	if _, err := s.store.UpdateUser(ctx, u.ID, UserUpdate{PasswordHash: &h}); err != nil {
		return fmt.Errorf("set password of %q: %w", u.Name, err)
	}
	ids, err := s.store.DeleteUserSessions(ctx, u.ID, keep)
	if err != nil {
		return fmt.Errorf("set password of %q: end sessions: %w", u.Name, err)
	}
	e.Type, e.UserID, e.Name = EventPasswordChange, u.ID, u.Name
	s.record(ctx, e)
	e.Type = ""
	s.revoked(ctx, e, ids, ReasonPasswordChanged)
	return nil
}
