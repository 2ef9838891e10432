package account

import (
	"context"
	"log/slog"
	"time"
)

// EventType names a security event in the audit trail.
type EventType string

// The audit events.
const (
	EventLogin          EventType = "login"           // a login succeeded; SessionID is the new session
	EventLoginFailed    EventType = "login.failed"    // wrong password, or a name no account has (then Name is empty: what was typed is not kept)
	EventLoginWarned    EventType = "login.warned"    // a login was told of the failed logins since the account's last one (Detail)
	EventLoginDisabled  EventType = "login.disabled"  // right password, disabled account
	EventLoginLimited   EventType = "login.limited"   // refused by a rate limit or backoff
	EventLockout        EventType = "login.lockout"   // an account name was locked after repeated failures
	EventRegister       EventType = "register"        // an account was created by its player
	EventUserCreate     EventType = "user.create"     // an account was created by an admin or the console
	EventUserImport     EventType = "user.import"     // an account was imported with an existing hash
	EventGuest          EventType = "guest"           // a guest account was created
	EventGuestPurge     EventType = "guest.purge"     // an expired guest account was deleted
	EventSessionRevoke  EventType = "session.revoke"  // sessions ended; Detail is the RevokeReason
	EventPasswordChange EventType = "password.change" // by the player, or reset by an admin (Actor set)
	EventPasswordRehash EventType = "password.rehash" // a stored hash was upgraded at login
	EventRoleChange     EventType = "role.change"     // Detail is "old -> new"
	EventDisable        EventType = "user.disable"    // an account was disabled
	EventEnable         EventType = "user.enable"     // an account was enabled
	EventDelete         EventType = "user.delete"     // an account was deleted
	EventSetupToken     EventType = "setup.token"     // a first-start setup token was issued
	EventSetupUsed      EventType = "setup.used"      // the setup token made the first superuser
	EventUnlock         EventType = "user.unlock"     // an admin lifted a login lockout
	EventResetLink      EventType = "reset.link"      // a password reset link was issued (Detail: when it expires); using it is a password.change with Detail "reset link"
	EventForbidden      EventType = "forbidden"       // an actor was refused a privileged action
)

// Event is one entry of the audit trail: stored through the Store and
// written to Config.Audit.
type Event struct {
	// ID is assigned by the Store, increasing.
	ID int64 `json:"id"`
	// Time is when it happened.
	Time time.Time `json:"time"`
	// Type says what happened.
	Type EventType `json:"type"`
	// UserID and Name are the account concerned; for a failed login of a
	// name no account has, both are empty (people type passwords into
	// name fields, so the text typed is never kept).
	UserID int64  `json:"user_id,omitempty"`
	Name   string `json:"name,omitempty"`
	// ActorID and Actor are who made the change when not the account
	// itself: an admin, or "console" (ActorID 0).
	ActorID int64  `json:"actor_id,omitempty"`
	Actor   string `json:"actor,omitempty"`
	// Addr is the peer address of the request.
	Addr string `json:"addr,omitempty"`
	// SessionID is the session created or revoked, if one.
	SessionID string `json:"session_id,omitempty"`
	// Detail is free text: a reason, "player -> builder", a count.
	Detail string `json:"detail,omitempty"`
}

// record stores e and writes it to the audit log. A store failure is
// logged, not returned: the change it describes has happened.
func (s *Service) record(ctx context.Context, e Event) {
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	attrs := []slog.Attr{slog.String("event", string(e.Type))}
	add := func(k, v string) {
		if v != "" {
			attrs = append(attrs, slog.String(k, v))
		}
	}
	if e.UserID != 0 {
		attrs = append(attrs, slog.Int64("user_id", e.UserID))
	}
	add("name", e.Name)
	if e.ActorID != 0 {
		attrs = append(attrs, slog.Int64("actor_id", e.ActorID))
	}
	add("actor", e.Actor)
	add("addr", e.Addr)
	add("session", e.SessionID)
	add("detail", e.Detail)
	s.audit.LogAttrs(ctx, slog.LevelInfo, "audit", attrs...)
	// A cancelled request still gets its audit entry.
	if err := s.store.AppendEvent(context.WithoutCancel(ctx), e); err != nil {
		s.log.Error("store audit event", "event", e.Type, "err", err)
	}
}
