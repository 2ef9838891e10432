package dom

import (
	"strconv"
	"strings"
)

// resumeKey is the sessionStorage key of the game connection's resume
// token and count of frames received.
const resumeKey = "drawbridge.resume"

// ResumeKeeper keeps the link's resume token and its count of frames
// received in a Storage, as "COUNT TOKEN": in the client, the tab's
// sessionStorage (TabStorage), which outlives a reload and a tab the
// browser discarded and restores, is the tab's own (another tab of the
// same account has its own game connection), and is gone when the tab
// closes. A duplicated tab starts with a copy; the gateway refuses a copy
// while the page it was copied from is connected (shared/wire: a token
// never takes the game from a connection that answers).
//
// The token is bound, by the gateway, to the login session it was issued
// in: after Log out, or in another login session, it resumes nothing.
// It implements link.Keeper; its zero value, or one without a Storage,
// keeps nothing.
type ResumeKeeper struct {
	store Storage
}

// NewResumeKeeper returns a keeper that keeps what it is given in store;
// nil keeps nothing.
func NewResumeKeeper(store Storage) *ResumeKeeper { return &ResumeKeeper{store: store} }

// Load returns the kept token and count; an empty token when nothing is
// kept or what is kept cannot be read.
func (k *ResumeKeeper) Load() (token string, seq uint64) {
	if k == nil || k.store == nil {
		return "", 0
	}
	count, token, ok := strings.Cut(k.store.Get(resumeKey), " ")
	n, err := strconv.ParseUint(count, 10, 64)
	if !ok || err != nil || !validToken(token) {
		return "", 0
	}
	return token, n
}

// Save keeps token and seq; an empty token clears what is kept.
func (k *ResumeKeeper) Save(token string, seq uint64) {
	if k == nil || k.store == nil {
		return
	}
	if token == "" || !validToken(token) {
		if r, ok := k.store.(remover); ok {
			r.Remove(resumeKey)
		} else {
			k.store.Set(resumeKey, "")
		}
		return
	}
	k.store.Set(resumeKey, strconv.FormatUint(seq, 10)+" "+token)
}

// remover is a Storage that can remove a key, as the browser's can; one
// that cannot is given "".
type remover interface{ Remove(key string) }

// validToken reports whether token can be a gateway's resume token: a
// short run of URL-safe characters (the gateway's are base64url). What
// sessionStorage holds is the page's, but a token goes into the
// WebSocket's URL, so anything else is not sent.
func validToken(token string) bool {
	if token == "" || len(token) > 256 {
		return false
	}
	for _, c := range []byte(token) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
