// Package account is Drawbridge's account domain: users and their roles,
// password hashing and policy, sessions, rate limits and lockouts, and
// the audit trail. It holds no SQL and no HTTP: storage sits behind the
// Store interface declared here (store/sqlite implements it, and
// accounttest.StoreTest is the contract every implementation passes), and
// the web layer and the CLI call the Service.
//
// # Passwords
//
// Argon2id in PHC form ($argon2id$v=19$m=47104,t=2,p=1$salt$hash),
// never below OWASP's m=19 MiB, t=2, p=1; each hash's parameters are read
// from it, and a weaker one (or an imported bcrypt hash) is re-hashed at
// the next successful login. At most Config.MaxConcurrentHashes hashes run
// at once. An unknown name costs the same hash as a known one. The
// Policy follows NIST SP 800-63B: length first (12 by default), a list of
// common passwords (embedded, with leet-speak undone), no sequences,
// repetitions, user or game names; composition rules only at the strict
// level. Problems are reported all at once, each with a sentence for the
// player.
//
// # Sessions
//
// A session token is 256 random bits (43 characters of base64url); the
// Store keeps only its SHA-256, which is the Session's ID. Sessions end
// after Config.IdleTimeout unused or Config.MaxLifetime in all; a login
// always issues a fresh token and revokes the one the browser had; each
// account has at most Config.MaxSessionsPerUser. Every revocation (logout,
// password or role change, disable, delete, expiry, an admin's revoke)
// reaches Config.OnRevoke so live bridges close.
//
// # Settings
//
// Accounts (not guests) keep their client's settings here, so a player's
// devices share them: an opaque JSON object of at most MaxSettingsBytes,
// versioned, written only by a device that names the version it read
// (Service.PutSettings), and deleted with the account.
//
// # Errors and HTTP
//
// Error texts are safe for players (Message maps anything else to a
// generic sentence), in English. Each error also has a stable code (Code,
// listed by ErrorCodes; a NameError's and every Problem's are listed by
// ProblemCodes) and the values its sentence needs (Args, Problem.Args),
// so that a client shows words of its own in the player's language. The
// web layer maps them with errors.Is / errors.As:
//
//	ErrInvalidCredentials            401 (login), 403 (wrong old password on change)
//	ErrUnauthenticated               401, clear the cookie (ErrSessionExpired and
//	                                 ErrSessionEnded are ones)
//	*LimitError (ErrRateLimited,     429 with Retry-After: RetryAfterSeconds()
//	             ErrLocked)
//	ErrBusy                          503 with Retry-After: 1
//	ErrUnavailable                   503 with Retry-After: 30 (the database is
//	                                 unreachable; log it)
//	ErrDisabled                      403
//	*NameError, *PolicyError         400 (PolicyError.Problems lists every rule broken;
//	                                 both may come joined from Register)
//	ErrNameTaken                     409
//	ErrRegistrationClosed,           403
//	ErrGuestsDisabled, ErrForbidden  (ErrGuestSettings is an ErrForbidden)
//	ErrVersionConflict               409, with the current settings
//	ErrSettingsTooLarge              413
//	ErrInvalidSettings,              400
//	ErrInvalidSettingsVersion
//	ErrNotFound                      404
//	ErrLastSuperuser, ErrSetupDone   409
//	ErrInvalidSetupToken,            403
//	ErrInvalidResetLink
//	context.Canceled / DeadlineExceeded   the client left / 503
//	anything else                    500, log it; show Message(err)
//
// # Periodic work
//
// Run (or Sweep, scheduled by the caller) deletes expired sessions,
// purges guests past Config.GuestLifetime, forgets stale rate-limit state
// and trims the audit trail.
package account
