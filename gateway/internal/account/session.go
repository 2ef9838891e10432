package account

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// Session is a login. The browser holds its token (in a cookie); the
// Store holds only the token's SHA-256, as ID, so a leaked database
// cannot be replayed as cookies.
type Session struct {
	// ID is the hex SHA-256 of the token (64 characters). Safe to show
	// administrators and to log; it cannot be turned back into a token.
	ID string `json:"id"`

	// UserID is the account the session belongs to.
	UserID int64 `json:"user_id"`

	// CreatedAt is the login time.
	CreatedAt time.Time `json:"created_at"`

	// LastSeen is when the session was last used, updated at most once a
	// Config.TouchEvery. The session ends Config.IdleTimeout after it.
	LastSeen time.Time `json:"last_seen"`

	// ExpiresAt is the absolute end of the session, however active:
	// CreatedAt plus Config.MaxLifetime (less for guests).
	ExpiresAt time.Time `json:"expires_at"`

	// Addr is the peer address the login came from.
	Addr string `json:"addr"`

	// UserAgent is the browser's User-Agent at login (truncated).
	UserAgent string `json:"user_agent"`
}

// Deadline is when s ends if it is not used again: the earlier of the
// idle timeout and the absolute expiry. A cookie's Expires can use it.
func (s Session) Deadline(idle time.Duration) time.Time {
	if d := s.LastSeen.Add(idle); d.Before(s.ExpiresAt) {
		return d
	}
	return s.ExpiresAt
}

// Expired reports whether s has ended at now, by idle or absolute timeout.
func (s Session) Expired(now time.Time, idle time.Duration) bool {
	return !now.Before(s.Deadline(idle))
}

// TokenLen is the length of a session or setup token: 32 random bytes
// (256 bits) in unpadded base64url.
const TokenLen = 43

// newToken returns a fresh 256-bit token and its ID (SHA-256, hex).
func newToken() (token, id string) {
	var b [32]byte
	rand.Read(b[:]) // never returns an error (crypto/rand, Go 1.24+)
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, hashToken(token)
}

// hashToken is the stored form of a token.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// SessionID returns the session ID for a token as stored, and false if
// the token is not well formed (so no store look-up is needed). The web
// layer uses it to mark "this device" in a list of sessions.
func SessionID(token string) (string, bool) {
	if !validToken(token) {
		return "", false
	}
	return hashToken(token), true
}

// validToken reports whether t has the form newToken makes.
func validToken(t string) bool {
	if len(t) != TokenLen {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(isASCIILetter(c) || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
