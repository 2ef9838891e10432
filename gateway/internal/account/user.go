package account

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// User is an account.
type User struct {
	// ID is assigned by the Store and never reused, even after a delete,
	// so a stale ID can never point at someone else.
	ID int64 `json:"id"`

	// Name is the name as registered (case kept); it is unique ignoring
	// case (see NameKey). Registered names are 2 to 20 ASCII letters and
	// digits starting with a letter; guests are "Guest-" and digits.
	Name string `json:"name"`

	// Role is what the account may do.
	Role Role `json:"role"`

	// Guest marks a guest account: no password, never above player,
	// purged after Config.GuestLifetime.
	Guest bool `json:"guest"`

	// Disabled accounts cannot log in and have no sessions.
	Disabled bool `json:"disabled"`

	// CreatedAt is when the account was made.
	CreatedAt time.Time `json:"created_at"`

	// LastLogin is the last successful login; zero if never.
	LastLogin time.Time `json:"last_login,omitzero"`

	// PasswordHash is the stored hash: an Argon2id PHC string, or an
	// imported bcrypt hash until its next login. Empty for guests.
	// The Service never returns it: values it hands out have it cleared.
	PasswordHash string `json:"-"`
}

// Key is NameKey(u.Name).
func (u User) Key() string { return NameKey(u.Name) }

// public returns u without its password hash, for handing out.
func (u User) public() User {
	u.PasswordHash = ""
	return u
}

// Name rules.
const (
	// MinNameLen and MaxNameLen bound a registered name, in characters.
	MinNameLen = 2
	// MaxNameLen is the longest registered name.
	MaxNameLen = 20
	// guestPrefix starts every guest name and no registered one.
	guestPrefix = "Guest-"
)

// NameKey is the form names are compared and stored unique in: trimmed of
// surrounding space and lower-cased. Names are ASCII, so this is the whole
// normalisation: no look-alike letters from other scripts can make two
// names that read the same.
func NameKey(name string) string {
	return strings.ToLower(strings.TrimSpace(name))
}

// reservedNames are refused at registration (compared as NameKey), on
// top of Config.ReservedNames and every name starting with "guest": they
// would let a player pass for staff or for the system.
func reservedNames() []string {
	return []string{
		"admin", "administrator", "root", "system", "sysop", "superuser", "super",
		"su", "guest", "anonymous", "nobody", "moderator", "mod", "staff",
		"support", "help", "info", "server", "gateway", "drawbridge", "operator",
		"owner", "god", "wizard", "immortal", "imm", "builder", "player",
		"console", "security", "postmaster", "webmaster", "null", "undefined",
		"everyone", "all", "you", "me", "self", "someone", "login", "logout",
		"register", "setup", "api", "www",
	}
}

// ValidateName checks a name for registration and returns a *NameError
// (matching ErrInvalidName) naming the first rule it breaks. reserved
// lists extra forbidden names (compared ignoring case), such as the
// game's own NPCs.
func ValidateName(name string, reserved []string) error {
	bad := func(code, reason string, args map[string]any) error {
		return &NameError{Name: name, Code: code, Args: args, Reason: reason}
	}
	n := strings.TrimSpace(name)
	if len(n) < MinNameLen || len(n) > MaxNameLen {
		return bad(NameLength, fmt.Sprintf("Names are %d to %d characters long.", MinNameLen, MaxNameLen),
			map[string]any{"min": MinNameLen, "max": MaxNameLen})
	}
	for _, c := range []byte(n) {
		if !isASCIILetter(c) && !('0' <= c && c <= '9') {
			return bad(NameChars, "Names use only the letters A to Z and digits.", nil)
		}
	}
	if !isASCIILetter(n[0]) {
		return bad(NameStart, "Names start with a letter.", nil)
	}
	key := NameKey(n)
	if strings.HasPrefix(key, "guest") || slices.Contains(reservedNames(), key) ||
		slices.ContainsFunc(reserved, func(r string) bool { return NameKey(r) == key }) {
		return bad(NameReserved, "That name is reserved.", nil)
	}
	return nil
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// Actor is who asks the Service for a privileged change: a logged-in user
// (UserActor) or the operator at the host's console (Console). The
// Service re-reads a user actor's account for every request, so a
// demotion or a disable takes effect at once.
type Actor struct {
	userID  int64
	name    string
	addr    string
	console bool
}

// UserActor is the actor for user u, whose request came from addr (the
// real peer address, for the audit log). Build it from the User that
// Authenticate returned.
func UserActor(u User, addr string) Actor {
	return Actor{userID: u.ID, name: u.Name, addr: addr}
}

// Console is the operator running the gateway's CLI on the host, who can
// open the database anyway: it has superuser rights and is audited as
// "console". Only the CLI should use it; never build it from a web request.
func Console() Actor { return Actor{name: "console", console: true} }

// UserID is the acting user's ID; 0 for the console.
func (a Actor) UserID() int64 { return a.userID }

// String names the actor for logs.
func (a Actor) String() string {
	if a.console {
		return "console"
	}
	return a.name
}
