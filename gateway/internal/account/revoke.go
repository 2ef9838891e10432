package account

// Revocation tells the gateway that sessions ended, so it can close their
// live bridges (Config.OnRevoke).
type Revocation struct {
	// UserID is the account whose sessions ended.
	UserID int64
	// SessionIDs are the ended sessions (never empty): close every
	// bridge opened with one of them.
	SessionIDs []string
	// Reason says why; Reason.Message() is a sentence for the player.
	Reason RevokeReason
}

// RevokeReason says why sessions ended.
type RevokeReason string

// The reasons.
const (
	ReasonLogout          RevokeReason = "logout"           // the player logged out
	ReasonReplaced        RevokeReason = "replaced"         // the browser logged in again: its old session ended
	ReasonPasswordChanged RevokeReason = "password_changed" // password changed or reset
	ReasonRoleChanged     RevokeReason = "role_changed"     // an admin changed the account's role
	ReasonDisabled        RevokeReason = "disabled"         // an admin disabled the account
	ReasonDeleted         RevokeReason = "deleted"          // the account was deleted
	ReasonExpired         RevokeReason = "expired"          // idle or absolute timeout
	ReasonRevoked         RevokeReason = "revoked"          // ended by the owner on another device, or by an admin
	ReasonSessionLimit    RevokeReason = "session_limit"    // too many sessions: the oldest ended
	ReasonGuestExpired    RevokeReason = "guest_expired"    // the guest account's time ran out
)

// Message is a sentence to show the player whose bridge closes.
func (r RevokeReason) Message() string {
	switch r {
	case ReasonLogout:
		return "You logged out."
	case ReasonReplaced:
		return "You logged in again in this browser."
	case ReasonPasswordChanged:
		return "Your password was changed. Please log in again."
	case ReasonRoleChanged:
		return "Your role changed. Please log in again."
	case ReasonDisabled:
		return "Your account has been disabled."
	case ReasonDeleted:
		return "Your account has been deleted."
	case ReasonExpired:
		return "Your session expired. Please log in again."
	case ReasonSessionLimit:
		return "You logged in on too many devices; this older session was ended."
	case ReasonGuestExpired:
		return "Your guest visit is over. Register an account to keep playing."
	}
	return "Your session was ended. Please log in again."
}
