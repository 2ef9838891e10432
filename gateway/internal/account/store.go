package account

import (
	"context"
	"time"
)

// Store keeps accounts, sessions, one-time tokens, rate-limit state, the
// audit trail and the accounts' client settings. It is declared here and implemented around the domain:
// store/sqlite for one node; a PostgreSQL store for several nodes sharing
// state. accounttest.StoreTest is the contract every implementation runs.
//
// Implementations are safe for concurrent use, return ErrNotFound (wrapped
// or not) for missing rows, keep times to at least microsecond precision
// (the Service truncates to microseconds), and make each method atomic.
type Store interface {
	UserStore
	SessionStore
	TokenStore
	LimitStore
	EventStore
	SecretStore
	SettingsStore
}

// UserStore keeps accounts.
type UserStore interface {
	// CreateUser inserts u (its ID is ignored) and returns it with the
	// new ID. IDs are never reused. ErrNameTaken if NameKey(u.Name) is in
	// use.
	CreateUser(ctx context.Context, u User) (User, error)

	// User returns the account with id, or ErrNotFound.
	User(ctx context.Context, id int64) (User, error)

	// UserByName returns the account whose NameKey equals NameKey(name),
	// or ErrNotFound.
	UserByName(ctx context.Context, name string) (User, error)

	// UpdateUser changes the fields set in ch, and only those, and
	// returns the account as it is afterwards. ErrNotFound if id is gone.
	UpdateUser(ctx context.Context, id int64, ch UserUpdate) (User, error)

	// DeleteUser removes the account, its sessions and its settings and
	// returns the IDs of the sessions removed. ErrNotFound if id is gone. With
	// KeepSuperuser it removes nothing and returns ErrLastSuperuser if
	// that would leave no enabled superuser where there was one.
	DeleteUser(ctx context.Context, id int64, g Guard) (sessionIDs []string, err error)

	// ListUsers returns the accounts matching q in ID order.
	ListUsers(ctx context.Context, q UserQuery) ([]User, error)

	// CountUsers counts the accounts matching q (ignoring its AfterID and
	// Limit).
	CountUsers(ctx context.Context, q UserQuery) (int, error)
}

// Guard is a condition a change to accounts must keep. The store checks
// it in the same transaction as the change, and concurrent guarded
// changes, from this process or another, wait for each other: two
// superusers demoting each other at the same instant cannot both win.
type Guard uint8

const (
	// NoGuard checks nothing.
	NoGuard Guard = iota
	// KeepSuperuser refuses, with ErrLastSuperuser and nothing changed, a
	// change after which no enabled superuser is left where there was at
	// least one before.
	KeepSuperuser
)

// UserUpdate is a change to some fields of an account; nil fields are left
// as they are. Writing only what changed means a login that records its
// time cannot undo a concurrent disable.
type UserUpdate struct {
	// Guard is checked with the change (see Guard).
	Guard Guard
	// Role, if set, is the new role.
	Role *Role
	// Disabled, if set, disables or enables the account.
	Disabled *bool
	// PasswordHash, if set, is the new hash.
	PasswordHash *string
	// LastLogin, if set, is the time of a successful login.
	LastLogin *time.Time
}

// UserQuery selects accounts. The zero value selects every account.
type UserQuery struct {
	// NamePrefix keeps names whose NameKey starts with NameKey(NamePrefix).
	NamePrefix string
	// Role keeps accounts with exactly this role; 0 keeps all.
	Role Role
	// GuestsOnly keeps only guests.
	GuestsOnly bool
	// NoGuests keeps only registered (non-guest) accounts.
	NoGuests bool
	// EnabledOnly drops disabled accounts.
	EnabledOnly bool
	// CreatedBefore, if set, keeps accounts created strictly before it.
	CreatedBefore time.Time
	// AfterID keeps IDs above it: pass the last ID of a page for the next.
	AfterID int64
	// Limit caps the result; 0 means no cap.
	Limit int
}

// SessionStore keeps sessions, by ID (the token's SHA-256).
type SessionStore interface {
	// CreateSession inserts s. In the same transaction, if s's user then
	// has more than max sessions, it deletes the oldest (by CreatedAt,
	// then ID) down to max and returns their IDs; max <= 0 means no limit.
	// ErrNotFound if the user does not exist.
	CreateSession(ctx context.Context, s Session, max int) (evicted []string, err error)

	// Session returns the session with id, or ErrNotFound.
	Session(ctx context.Context, id string) (Session, error)

	// TouchSession sets the session's LastSeen. ErrNotFound if it is gone
	// (revoked meanwhile).
	TouchSession(ctx context.Context, id string, lastSeen time.Time) error

	// ListSessions returns a user's sessions, oldest first.
	ListSessions(ctx context.Context, userID int64) ([]Session, error)

	// DeleteSession removes one session and returns it. ErrNotFound if it
	// is gone.
	DeleteSession(ctx context.Context, id string) (Session, error)

	// DeleteUserSessions removes every session of a user except the one
	// with ID keep (may be empty) and returns the IDs removed.
	DeleteUserSessions(ctx context.Context, userID int64, keep string) ([]string, error)

	// DeleteExpiredSessions removes the sessions with ExpiresAt at or
	// before now, or LastSeen at or before idleBefore, and returns them.
	DeleteExpiredSessions(ctx context.Context, now, idleBefore time.Time) ([]Session, error)
}

// Token is a one-time secret kept as its SHA-256, such as the first-start
// setup token.
type Token struct {
	// Hash is the hex SHA-256 of the secret.
	Hash string
	// Purpose says what the token is for, e.g. "setup".
	Purpose string
	// UserID is the account the token is for; 0 for none.
	UserID int64
	// ExpiresAt ends the token.
	ExpiresAt time.Time
}

// TokenStore keeps one-time tokens.
type TokenStore interface {
	// PutToken stores t, replacing every token with the same Purpose and
	// UserID: issuing a new one voids the old.
	PutToken(ctx context.Context, t Token) error

	// ConsumeToken deletes and returns the token with this purpose and
	// hash if it has not expired at now. ErrNotFound otherwise (an expired
	// match is deleted too). Two concurrent calls never both succeed.
	ConsumeToken(ctx context.Context, purpose, hash string, now time.Time) (Token, error)
}

// Limit is the rate-limit and lockout state of one key (an address or an
// account name, per action). It lives in the Store so that several
// gateway nodes share it and a restart does not reset it. The Service
// decides what the fields mean; stores only keep them.
type Limit struct {
	// Key identifies what is limited, e.g. "login/addr/192.0.2.1".
	Key string
	// Count is the number of events in the window starting at
	// WindowStart.
	Count int
	// WindowStart starts the current rate window.
	WindowStart time.Time
	// Failures counts consecutive failures.
	Failures int
	// LastFailure is the latest failure.
	LastFailure time.Time
	// NextAt is the earliest time of the next attempt (backoff).
	NextAt time.Time
	// LockedUntil is the end of a lockout.
	LockedUntil time.Time
	// Expires is when the state no longer matters and may be deleted.
	Expires time.Time
}

// IsZero reports whether l holds no state (whatever its Key), in which
// case stores delete it.
func (l Limit) IsZero() bool {
	return l.Count == 0 && l.Failures == 0 && l.WindowStart.IsZero() && l.LastFailure.IsZero() &&
		l.NextAt.IsZero() && l.LockedUntil.IsZero() && l.Expires.IsZero()
}

// Equal reports whether l and m hold the same state for the same key.
func (l Limit) Equal(m Limit) bool {
	return l.Key == m.Key && l.Count == m.Count && l.Failures == m.Failures &&
		l.WindowStart.Equal(m.WindowStart) && l.LastFailure.Equal(m.LastFailure) && l.NextAt.Equal(m.NextAt) &&
		l.LockedUntil.Equal(m.LockedUntil) && l.Expires.Equal(m.Expires)
}

// LimitUnchanged reports whether fn leaves l as it is, running it on a
// copy: a store's UpdateLimit can then return l without writing.
func LimitUnchanged(l Limit, fn func(*Limit)) bool {
	c := l
	fn(&c)
	c.Key = l.Key
	return c.Equal(l)
}

// LimitStore keeps rate-limit state.
type LimitStore interface {
	// Limit returns the state of key; a zero Limit with Key set if none.
	Limit(ctx context.Context, key string) (Limit, error)

	// UpdateLimit runs fn on the state of key (zero if none, Key set)
	// and saves the result, atomically: concurrent updates of one key, on
	// this node or another, behave as if run one after the other. A
	// result that IsZero deletes the key. A result equal to the state fn
	// was given writes nothing and takes no write lock: a refusal, which
	// changes nothing, must cost a flood no database writes. fn must be
	// quick and must not call the store; it may run more than once (a
	// store may run it on what it read, then again if the state changed
	// before it could write), so it must set every variable it reports
	// through.
	UpdateLimit(ctx context.Context, key string, fn func(*Limit)) (Limit, error)

	// DeleteLimits removes the states whose key starts with prefix and
	// returns how many.
	DeleteLimits(ctx context.Context, prefix string) (int, error)

	// DeleteExpiredLimits removes the states whose Expires is at or
	// before now and returns how many.
	DeleteExpiredLimits(ctx context.Context, now time.Time) (int, error)
}

// EventStore keeps the audit trail.
type EventStore interface {
	// AppendEvent stores e; its ID is assigned by the store.
	AppendEvent(ctx context.Context, e Event) error

	// ListEvents returns the events matching q, newest first.
	ListEvents(ctx context.Context, q EventQuery) ([]Event, error)

	// CountEvents counts the events matching q (ignoring its BeforeID
	// and Limit).
	CountEvents(ctx context.Context, q EventQuery) (int, error)

	// DeleteEvents removes the events older than before and returns how
	// many.
	DeleteEvents(ctx context.Context, before time.Time) (int, error)
}

// EventQuery selects audit events. The zero value selects all.
type EventQuery struct {
	// UserID keeps events about this account (as subject or actor); 0
	// keeps all.
	UserID int64
	// Type keeps events of this type; empty keeps all.
	Type EventType
	// Since, if set, keeps events at or after it.
	Since time.Time
	// BeforeID keeps events with a smaller ID: pass the last ID of a page
	// for the next one.
	BeforeID int64
	// Limit caps the result; 0 means no cap.
	Limit int
}

// SecretStore keeps the gateway's own secrets, such as the key that signs
// device tokens: in the store, so that every node of a cluster has the
// same one and a restart keeps it.
type SecretStore interface {
	// Secret returns the secret called name, storing fresh under that
	// name first if there is none. Concurrent calls, on any node, all
	// return the one secret that was stored first.
	Secret(ctx context.Context, name string, fresh []byte) ([]byte, error)
}
