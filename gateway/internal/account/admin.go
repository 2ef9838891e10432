package account

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// authorize returns the current role of actor if it has permission p:
// the console always does; a user actor is re-read from the store, so a
// demoted, disabled or deleted account loses its rights at once.
func (s *Service) authorize(ctx context.Context, by Actor, p Permission) (Role, error) {
	if by.console {
		return RoleSuperuser, nil
	}
	if by.userID == 0 {
		return 0, ErrForbidden
	}
	u, err := s.store.User(ctx, by.userID)
	if errors.Is(err, ErrNotFound) {
		return 0, ErrForbidden
	} else if err != nil {
		return 0, fmt.Errorf("authorize %s: %w", by, err)
	}
	if u.Disabled || u.Guest && p != PermPlay || !u.Role.Can(p) {
		s.record(ctx, Event{Type: EventForbidden, UserID: u.ID, Name: u.Name, Addr: peerIP(by.addr),
			Detail: fmt.Sprintf("needs %s, is %s", p, u.Role)})
		return 0, ErrForbidden
	}
	return u.Role, nil
}

// target loads the account an actor wants to change and checks the actor
// may: itself only where self is true, others when its role is above
// theirs (admins) or it is a superuser.
func (s *Service) target(ctx context.Context, by Actor, id int64, self bool) (User, Role, error) {
	perm := PermAdminister
	if self && by.userID == id && !by.console {
		perm = PermPlay
	}
	role, err := s.authorize(ctx, by, perm)
	if err != nil {
		return User{}, 0, err
	}
	u, err := s.store.User(ctx, id)
	if err != nil {
		return User{}, 0, fmt.Errorf("user %d: %w", id, err)
	}
	if !by.console && by.userID == id {
		if !self {
			return User{}, 0, ErrForbidden
		}
		return u, role, nil
	}
	if !canActOn(role, u.Role) {
		s.record(ctx, s.actorEvent(by, EventForbidden, u, "act on "+u.Role.String()))
		return User{}, 0, ErrForbidden
	}
	return u, role, nil
}

// actorEvent is an audit event about u made by an actor.
func (s *Service) actorEvent(by Actor, t EventType, u User, detail string) Event {
	return Event{Type: t, UserID: u.ID, Name: u.Name, ActorID: by.userID, Actor: by.String(),
		Addr: peerIP(by.addr), Detail: detail}
}

// SetRole gives account id a new role and ends its sessions, so the new
// rights apply from the next login. Admins may give roles below admin to
// accounts below admin; superusers anything to anyone; nobody changes
// their own role; guests stay players; the last superuser stays
// (ErrLastSuperuser), however many change roles at once: the store
// checks it in the transaction that makes the change (Guard).
func (s *Service) SetRole(ctx context.Context, by Actor, id int64, r Role) error {
	u, actorRole, err := s.target(ctx, by, id, false)
	if err != nil {
		return err
	}
	if !canGrant(actorRole, r) || u.Guest && r != RolePlayer {
		return ErrForbidden
	}
	if u.Role == r {
		return nil
	}
	if _, err := s.store.UpdateUser(ctx, id, UserUpdate{Role: &r, Guard: KeepSuperuser}); err != nil {
		return fmt.Errorf("set role of %q: %w", u.Name, err)
	}
	ids, err := s.store.DeleteUserSessions(ctx, id, "")
	if err != nil {
		return fmt.Errorf("set role of %q: end sessions: %w", u.Name, err)
	}
	e := s.actorEvent(by, EventRoleChange, u, u.Role.String()+" -> "+r.String())
	s.record(ctx, e)
	s.revoked(ctx, e, ids, ReasonRoleChanged)
	return nil
}

// Disable stops account id from logging in and ends its sessions.
func (s *Service) Disable(ctx context.Context, by Actor, id int64) error {
	u, _, err := s.target(ctx, by, id, false)
	if err != nil {
		return err
	}
	yes := true
	if _, err := s.store.UpdateUser(ctx, id, UserUpdate{Disabled: &yes, Guard: KeepSuperuser}); err != nil {
		return fmt.Errorf("disable %q: %w", u.Name, err)
	}
	ids, err := s.store.DeleteUserSessions(ctx, id, "")
	if err != nil {
		return fmt.Errorf("disable %q: end sessions: %w", u.Name, err)
	}
	e := s.actorEvent(by, EventDisable, u, "")
	s.record(ctx, e)
	s.revoked(ctx, e, ids, ReasonDisabled)
	return nil
}

// Enable lets a disabled account log in again.
func (s *Service) Enable(ctx context.Context, by Actor, id int64) error {
	u, _, err := s.target(ctx, by, id, false)
	if err != nil {
		return err
	}
	no := false
	if _, err := s.store.UpdateUser(ctx, id, UserUpdate{Disabled: &no}); err != nil {
		return fmt.Errorf("enable %q: %w", u.Name, err)
	}
	s.record(ctx, s.actorEvent(by, EventEnable, u, ""))
	return nil
}

// Delete removes account id and its sessions. Nobody deletes themselves
// this way, nor the last superuser.
func (s *Service) Delete(ctx context.Context, by Actor, id int64) error {
	u, _, err := s.target(ctx, by, id, false)
	if err != nil {
		return err
	}
	ids, err := s.store.DeleteUser(ctx, id, KeepSuperuser)
	if err != nil {
		return fmt.Errorf("delete %q: %w", u.Name, err)
	}
	e := s.actorEvent(by, EventDelete, u, "")
	s.record(ctx, e)
	s.revoked(ctx, e, ids, ReasonDeleted)
	return nil
}

// SetPassword is an administrator's reset of someone else's password: the
// policy applies, every session of the account ends and its login
// lockout is lifted.
func (s *Service) SetPassword(ctx context.Context, by Actor, id int64, password string) error {
	u, _, err := s.target(ctx, by, id, false)
	if err != nil {
		return err
	}
	if u.Guest {
		return ErrForbidden
	}
	if err := s.checkPassword(password, u.Name, u.Role); err != nil {
		return err
	}
	if _, err := s.spendHash(ctx, by.addr); err != nil {
		return err
	}
	if err := s.clearLogins(ctx, u); err != nil {
		return fmt.Errorf("reset password of %q: lift lockouts: %w", u.Name, err)
	}
	return s.setPassword(ctx, u, password, "", s.actorEvent(by, "", u, "reset"))
}

// Unlock lifts every login backoff and lockout of account id: the
// name's, every source address's and every device's.
func (s *Service) Unlock(ctx context.Context, by Actor, id int64) error {
	u, _, err := s.target(ctx, by, id, false)
	if err != nil {
		return err
	}
	if err := s.clearLogins(ctx, u); err != nil {
		return fmt.Errorf("unlock %q: %w", u.Name, err)
	}
	s.record(ctx, s.actorEvent(by, EventUnlock, u, ""))
	return nil
}

// pageLimit bounds a listing: 100 by default, 1000 at most.
func pageLimit(n int) int {
	if n <= 0 {
		return 100
	}
	return min(n, 1000)
}

// ListUsers returns accounts matching q (at most q.Limit, default 100,
// at most 1000; page with q.AfterID). Admins only.
func (s *Service) ListUsers(ctx context.Context, by Actor, q UserQuery) ([]User, error) {
	if _, err := s.authorize(ctx, by, PermAdminister); err != nil {
		return nil, err
	}
	q.Limit = pageLimit(q.Limit)
	us, err := s.store.ListUsers(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	for i := range us {
		us[i] = us[i].public()
	}
	return us, nil
}

// CountUsers counts accounts matching q. Admins only.
func (s *Service) CountUsers(ctx context.Context, by Actor, q UserQuery) (int, error) {
	if _, err := s.authorize(ctx, by, PermAdminister); err != nil {
		return 0, err
	}
	n, err := s.store.CountUsers(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// User returns account id: to itself, or to an admin.
func (s *Service) User(ctx context.Context, by Actor, id int64) (User, error) {
	perm := PermAdminister
	if by.userID == id && !by.console {
		perm = PermPlay
	}
	if _, err := s.authorize(ctx, by, perm); err != nil {
		return User{}, err
	}
	u, err := s.store.User(ctx, id)
	if err != nil {
		return User{}, fmt.Errorf("user %d: %w", id, err)
	}
	return u.public(), nil
}

// UserByName returns the account named name (ignoring case). Admins only.
func (s *Service) UserByName(ctx context.Context, by Actor, name string) (User, error) {
	if _, err := s.authorize(ctx, by, PermAdminister); err != nil {
		return User{}, err
	}
	u, err := s.store.UserByName(ctx, name)
	if err != nil {
		return User{}, fmt.Errorf("user %q: %w", NameKey(name), err)
	}
	return u.public(), nil
}

// ListSessions returns the sessions of account id, oldest first: to
// itself, or to an admin who may act on it.
func (s *Service) ListSessions(ctx context.Context, by Actor, id int64) ([]Session, error) {
	if _, _, err := s.target(ctx, by, id, true); err != nil {
		return nil, err
	}
	ss, err := s.store.ListSessions(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("list sessions of %d: %w", id, err)
	}
	return ss, nil
}

// RevokeSession ends one session: the owner's own ("log out that
// device"), or anyone's for an admin who may act on its owner.
func (s *Service) RevokeSession(ctx context.Context, by Actor, sessionID string) error {
	sess, err := s.store.Session(ctx, sessionID)
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	u, _, err := s.target(ctx, by, sess.UserID, true)
	if err != nil {
		return err
	}
	if _, err := s.store.DeleteSession(ctx, sessionID); errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	s.revoked(ctx, s.actorEvent(by, "", u, ""), []string{sessionID}, ReasonRevoked)
	return nil
}

// RevokeSessions ends every session of account id except keep (which may
// be empty): "log out everywhere else" for the owner, or an admin's cut.
// It returns how many ended.
func (s *Service) RevokeSessions(ctx context.Context, by Actor, id int64, keep string) (int, error) {
	u, _, err := s.target(ctx, by, id, true)
	if err != nil {
		return 0, err
	}
	ids, err := s.store.DeleteUserSessions(ctx, id, keep)
	if err != nil {
		return 0, fmt.Errorf("revoke sessions of %q: %w", u.Name, err)
	}
	s.revoked(ctx, s.actorEvent(by, "", u, ""), ids, ReasonRevoked)
	return len(ids), nil
}

// Events returns audit events matching q, newest first (at most q.Limit,
// default 100, at most 1000; page with q.BeforeID). Admins only.
func (s *Service) Events(ctx context.Context, by Actor, q EventQuery) ([]Event, error) {
	if _, err := s.authorize(ctx, by, PermAdminister); err != nil {
		return nil, err
	}
	q.Limit = pageLimit(q.Limit)
	es, err := s.store.ListEvents(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return es, nil
}

// NewUser is an account an administrator creates.
type NewUser struct {
	// Name follows the registration rules (ValidateName).
	Name string
	// Password follows the policy (at least standard for staff).
	Password string
	// Role is the account's role; the actor must be allowed to grant it.
	Role Role
}

// CreateUser makes an account for someone (registration closed, or a
// staff account). The name rules and the password policy apply (at least
// the standard level for admins and superusers); the actor must be
// allowed to grant the role.
func (s *Service) CreateUser(ctx context.Context, by Actor, nu NewUser) (User, error) {
	role, err := s.authorize(ctx, by, PermAdminister)
	if err != nil {
		return User{}, err
	}
	if !canGrant(role, nu.Role) {
		return User{}, ErrForbidden
	}
	name := strings.TrimSpace(nu.Name)
	if err := s.validateNew(name, nu.Password, nu.Role); err != nil {
		return User{}, err
	}
	if _, err := s.spendHash(ctx, by.addr); err != nil {
		return User{}, err
	}
	u, err := s.createUser(ctx, name, nu.Password, nu.Role)
	if err != nil {
		return User{}, err
	}
	s.record(ctx, s.actorEvent(by, EventUserCreate, u, u.Role.String()))
	return u.public(), nil
}

// CreateSuperuser makes a superuser account: the CLI's path (with
// Console()) to the first superuser, or a superuser's to another. There
// is no default password anywhere.
func (s *Service) CreateSuperuser(ctx context.Context, by Actor, name, password string) (User, error) {
	return s.CreateUser(ctx, by, NewUser{Name: name, Password: password, Role: RoleSuperuser})
}

// ImportedUser is an account brought over from another system with its
// existing password hash.
type ImportedUser struct {
	// Name follows the registration rules (ValidateName).
	Name string
	// PasswordHash is an Argon2id PHC string or a bcrypt hash ($2a$,
	// $2b$, $2y$, cost at most 15). It is replaced by an Argon2id hash
	// with the current parameters at the first login.
	PasswordHash string
	// Role is the account's role.
	Role Role
}

// ImportUser stores an account with an existing password hash (no policy
// check: the password is unknown). The name rules apply. Superusers and
// the console only.
func (s *Service) ImportUser(ctx context.Context, by Actor, iu ImportedUser) (User, error) {
	if _, err := s.authorize(ctx, by, PermManageStaff); err != nil {
		return User{}, err
	}
	name := strings.TrimSpace(iu.Name)
	if err := ValidateName(name, s.conf().ReservedNames); err != nil {
		return User{}, err
	}
	if !iu.Role.Valid() {
		return User{}, fmt.Errorf("import %q: invalid role %v", name, iu.Role)
	}
	if err := CheckHash(iu.PasswordHash); err != nil {
		return User{}, fmt.Errorf("import %q: %w", name, err)
	}
	u, err := s.store.CreateUser(ctx, User{Name: name, Role: iu.Role, CreatedAt: s.now(), PasswordHash: iu.PasswordHash})
	if err != nil {
		return User{}, fmt.Errorf("import %q: %w", name, err)
	}
	s.record(ctx, s.actorEvent(by, EventUserImport, u, u.Role.String()))
	return u.public(), nil
}

// setupPurpose is the Token.Purpose of the first-start setup token.
const setupPurpose = "setup"

// SetupToken returns a new one-time setup token if no enabled superuser
// exists, and "" otherwise. The gateway prints it at start (to the
// console, never to a page); whoever has it can create the first
// superuser with Setup within SetupTokenLifetime. Only its hash is
// stored, and issuing a new one voids the last.
func (s *Service) SetupToken(ctx context.Context) (string, error) {
	n, err := s.store.CountUsers(ctx, UserQuery{Role: RoleSuperuser, EnabledOnly: true})
	if err != nil {
		return "", fmt.Errorf("setup token: count superusers: %w", err)
	}
	if n > 0 {
		return "", nil
	}
	token, hash := newToken()
	t := Token{Hash: hash, Purpose: setupPurpose, ExpiresAt: s.now().Add(s.conf().SetupTokenLifetime)}
	if err := s.store.PutToken(ctx, t); err != nil {
		return "", fmt.Errorf("setup token: %w", err)
	}
	s.record(ctx, Event{Type: EventSetupToken, Detail: "expires " + t.ExpiresAt.Format("2006-01-02T15:04:05Z")})
	return token, nil
}

// SetupRequest creates the first superuser with the setup token.
type SetupRequest struct {
	Client
	// Token is the setup token SetupToken printed.
	Token string
	// Name and Password are the new superuser's (standard policy at
	// least).
	Name     string
	Password string
}

// Setup spends the setup token on the first superuser account and logs it
// in. Errors: ErrSetupDone (a superuser exists), *NameError, *PolicyError
// (checked before the token is spent, so a typo does not waste it),
// *LimitError, ErrInvalidSetupToken, ErrNameTaken.
func (s *Service) Setup(ctx context.Context, req SetupRequest) (Grant, error) {
	n, err := s.store.CountUsers(ctx, UserQuery{Role: RoleSuperuser, EnabledOnly: true})
	if err != nil {
		return Grant{}, fmt.Errorf("setup: %w", err)
	}
	if n > 0 {
		return Grant{}, ErrSetupDone
	}
	name := strings.TrimSpace(req.Name)
	if err := s.validateNew(name, req.Password, RoleSuperuser); err != nil {
		return Grant{}, err
	}
	if _, err := s.allowRate(ctx, registerAddrKey(req.Addr), s.conf().Limits.RegisterPerAddr); err != nil {
		return Grant{}, err
	}
	if !validToken(req.Token) {
		return Grant{}, ErrInvalidSetupToken
	}
	if _, err := s.spendHash(ctx, req.Addr); err != nil {
		return Grant{}, err
	}
	if _, err := s.store.UserByName(ctx, name); err == nil {
		return Grant{}, ErrNameTaken // before the token is spent
	}
	h, err := s.hasher.hash(ctx, req.Password)
	if err != nil {
		return Grant{}, fmt.Errorf("setup: %w", err)
	}
	if _, err := s.store.ConsumeToken(ctx, setupPurpose, hashToken(req.Token), s.now()); errors.Is(err, ErrNotFound) {
		return Grant{}, ErrInvalidSetupToken
	} else if err != nil {
		return Grant{}, fmt.Errorf("setup: %w", err)
	}
	u, err := s.store.CreateUser(ctx, User{Name: name, Role: RoleSuperuser, CreatedAt: s.now(), PasswordHash: h})
	if err != nil {
		return Grant{}, fmt.Errorf("setup: create %q: %w", name, err)
	}
	s.record(ctx, Event{Type: EventSetupUsed, UserID: u.ID, Name: u.Name, Addr: peerIP(req.Addr)})
	return s.startSession(ctx, u, req.Client, EventLogin)
}
