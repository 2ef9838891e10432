package account

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/peer"
)

// peerIP returns the IP of a peer address given as "ip" or "ip:port"
// (IPv4-mapped IPv6 unmapped), or the string itself, truncated, if it is
// neither.
func peerIP(addr string) string {
	if ip, ok := peer.IP(addr); ok {
		return ip.String()
	}
	return truncate(addr, 64)
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string { return peer.Truncate(s, n) }

// Keys of the rate-limit state. Names typed at a login form sometimes
// hold passwords, so keys carry a digest of the name, never the name.
func hashAddrKey(addr string) string      { return "hash/addr/" + peer.Group(addr) }
func registerAddrKey(addr string) string  { return "register/addr/" + peer.Group(addr) }
func guestAddrKey(addr string) string     { return "guest/addr/" + peer.Group(addr) }
func resetAddrKey(addr string) string     { return "reset/addr/" + peer.Group(addr) }
func nameKey(key string) string           { return "login/name/" + nameDigest(key) }
func nameAddrKey(key, addr string) string { return nameKey(key) + "/addr/" + peer.Group(addr) }
func deviceKey(userID int64, id string) string {
	return devicePrefix(userID) + id
}
func devicePrefix(userID int64) string     { return "login/device/" + strconv.FormatInt(userID, 10) + "/" }
func passwordCheckKey(userID int64) string { return "password/check/" + strconv.FormatInt(userID, 10) }
func passwordSetKey(userID int64) string   { return "password/set/" + strconv.FormatInt(userID, 10) }

// nameDigest is a short digest of an account name's NameKey.
func nameDigest(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:12])
}

// refusalCacheFor bounds how long a node refuses a key from memory
// alone, without asking the store: so long a change elsewhere (an unlock
// on another node, a success that reset a backoff) can go unseen here.
const refusalCacheFor = 5 * time.Second

// maxRefusals bounds the node's memory of refused keys.
const maxRefusals = 1 << 16

// refusals is a node's memory of keys the store refused, until when:
// the in-memory first check that keeps a flood of refused requests from
// reaching the store at all. Entries end at the refusal's own end, or
// refusalCacheFor after they were learnt, whichever is first.
type refusals struct {
	mu sync.Mutex
	m  map[string]refusal
}

type refusal struct {
	err   error     // ErrRateLimited or ErrLocked
	until time.Time // when the refusal itself ends
	drop  time.Time // when this node asks the store again
}

// check returns the refusal remembered for key at now, if any.
func (r *refusals) check(key string, now time.Time) *LimitError {
	r.mu.Lock()
	defer r.mu.Unlock()
	f, ok := r.m[key]
	if !ok {
		return nil
	}
	if !now.Before(f.drop) {
		delete(r.m, key)
		return nil
	}
	return &LimitError{Err: f.err, RetryAfter: f.until.Sub(now)}
}

// put remembers a refusal of key the store gave at now.
func (r *refusals) put(key string, le *LimitError, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = make(map[string]refusal)
	}
	if len(r.m) >= maxRefusals {
		for k, f := range r.m {
			if !now.Before(f.drop) {
				delete(r.m, k)
			}
		}
		if len(r.m) >= maxRefusals {
			return // a flood of distinct keys: each then asks the store
		}
	}
	until, drop := now.Add(le.RetryAfter), now.Add(refusalCacheFor)
	if until.Before(drop) {
		drop = until
	}
	r.m[key] = refusal{err: le.Err, until: until, drop: drop}
}

// forget drops what is remembered of keys (a success).
func (r *refusals) forget(keys ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range keys {
		delete(r.m, k)
	}
}

// forgetPrefix drops what is remembered of the keys starting with prefix
// (an unlock).
func (r *refusals) forgetPrefix(prefix string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.m {
		if strings.HasPrefix(k, prefix) {
			delete(r.m, k)
		}
	}
}

// allowRate counts one event against r on key and refuses it with a
// *LimitError once the window is full. first reports the first refusal of
// a window, which is worth an audit event (the later ones are not: a
// flood must not flood the audit trail too). A refusal costs no store
// write, and while this node remembers it, no store access at all.
func (s *Service) allowRate(ctx context.Context, key string, r Rate) (first bool, err error) {
	if r.off() {
		return false, nil
	}
	now := s.now()
	if le := s.refused.check(key, now); le != nil {
		return false, le
	}
	var refused *LimitError
	_, err = s.store.UpdateLimit(ctx, key, func(l *Limit) {
		refused, first = nil, false
		if r.ended(*l, now) {
			l.WindowStart, l.Count = now, 0
		}
		if refused = r.full(*l, now); refused != nil {
			if l.Count == r.N {
				l.Count++ // mark the window as refused once
				first = true
			}
			return
		}
		l.Count++
		l.Expires = l.WindowStart.Add(r.Per)
	})
	if err != nil {
		return false, fmt.Errorf("rate limit %s: %w", key, err)
	}
	if refused != nil {
		s.refused.put(key, refused, now)
		return first, refused
	}
	return false, nil
}

// rateFull reports, without counting anything, whether key's window of r
// is full at now: a *LimitError if so.
func (s *Service) rateFull(ctx context.Context, key string, r Rate) error {
	if r.off() {
		return nil
	}
	now := s.now()
	if le := s.refused.check(key, now); le != nil {
		return le
	}
	l, err := s.store.Limit(ctx, key)
	if err != nil {
		return fmt.Errorf("rate limit %s: %w", key, err)
	}
	le := r.full(l, now)
	if le != nil {
		s.refused.put(key, le, now)
		return le
	}
	return nil
}

// ended reports whether l's window of r is over at now (or never began).
func (r Rate) ended(l Limit, now time.Time) bool {
	return l.WindowStart.IsZero() || !now.Before(l.WindowStart.Add(r.Per))
}

// full is the refusal, until the window's end, if l's window of r holds
// its N events at now; nil if not, or if the window is over.
func (r Rate) full(l Limit, now time.Time) *LimitError {
	if r.ended(l, now) || l.Count < r.N {
		return nil
	}
	return &LimitError{Err: ErrRateLimited, RetryAfter: l.WindowStart.Add(r.Per).Sub(now)}
}

// spendHash counts one password hash against the address's budget
// (Limits.LoginPerAddr): every path that hashes a password a request
// sent (login, registration, setup, a password change or reset, an
// admin's new account) draws on the one budget, so no path hashes for
// free. An actor without an address (the console) is not limited.
func (s *Service) spendHash(ctx context.Context, addr string) (first bool, err error) {
	if addr == "" {
		return false, nil
	}
	return s.allowRate(ctx, hashAddrKey(addr), s.conf().Limits.LoginPerAddr)
}

// backoff is the wait after the n-th consecutive failure.
func (s *Service) backoff(n int) time.Duration {
	d := s.conf().Limits.BackoffBase
	for i := 1; i < n && d < s.conf().Limits.BackoffMax; i++ {
		d *= 2
	}
	return min(d, s.conf().Limits.BackoffMax)
}

// ownPool is a pool of one key, paced and locked out alone.
func ownPool(key string) pool { return pool{backoff: key, lockout: key} }

// pool is where one password attempt is counted: the backoff key paces
// attempts (the next waits BackoffBase, doubling to BackoffMax, after
// each failure), and the lockout key locks after LockoutAfter failures
// in a row, for LockoutFor. They are one key for a known device (its
// own pace and lockout) and two for everyone else: the name's pool
// paces all untrusted attempts on the name, and each source address
// (IPv6 /64) has its own lockout, so an attacker locks out their own
// address, never the name.
type pool struct {
	backoff, lockout string
	trusted          bool // a device that logged in to the account before
}

func (p pool) keys() []string {
	if p.backoff == p.lockout {
		return []string{p.backoff}
	}
	return []string{p.backoff, p.lockout}
}

// beginAttempt admits one password attempt in pool p, or refuses it with
// a *LimitError (backoff or lockout). It counts the attempt as a failure
// in advance, with its backoff: concurrent attempts in one pool
// therefore wait their turn, on every node. finishAttempt then settles
// it. A refusal costs no store write, and while this node remembers it,
// no store access.
func (s *Service) beginAttempt(ctx context.Context, p pool) error {
	now := s.now()
	lim := s.conf().Limits
	for _, k := range p.keys() {
		if le := s.refused.check(k, now); le != nil {
			return le
		}
	}
	if p.lockout != p.backoff {
		l, err := s.store.Limit(ctx, p.lockout)
		if err != nil {
			return fmt.Errorf("login attempt: %w", err)
		}
		if now.Before(l.LockedUntil) {
			le := &LimitError{Err: ErrLocked, RetryAfter: l.LockedUntil.Sub(now)}
			s.refused.put(p.lockout, le, now)
			return le
		}
	}
	var refused *LimitError
	same := p.lockout == p.backoff
	_, err := s.store.UpdateLimit(ctx, p.backoff, func(l *Limit) {
		refused = nil
		if same && now.Before(l.LockedUntil) {
			refused = &LimitError{Err: ErrLocked, RetryAfter: l.LockedUntil.Sub(now)}
			return
		}
		if now.Before(l.NextAt) {
			refused = &LimitError{Err: ErrRateLimited, RetryAfter: l.NextAt.Sub(now)}
			return
		}
		countFailure(l, now, lim.FailureMemory)
		l.LockedUntil = time.Time{}
		l.NextAt = now.Add(s.backoff(l.Failures))
	})
	if err != nil {
		return fmt.Errorf("login attempt: %w", err)
	}
	if refused != nil {
		s.refused.put(p.backoff, refused, now)
		return refused
	}
	if !same {
		if _, err := s.store.UpdateLimit(ctx, p.lockout, func(l *Limit) { countFailure(l, now, lim.FailureMemory) }); err != nil {
			s.finish(ctx, p.backoff, attemptAborted, false)
			return fmt.Errorf("login attempt: %w", err)
		}
	}
	return nil
}

// countFailure adds one failure to l at now, forgetting those older
// than memory.
func countFailure(l *Limit, now time.Time, memory time.Duration) {
	if !l.LastFailure.IsZero() && !now.Before(l.LastFailure.Add(memory)) {
		l.Failures = 0
	}
	l.Failures++
	l.LastFailure = now
	l.Expires = now.Add(memory)
}

// attempt outcomes for finishAttempt.
type outcome int

const (
	attemptOK      outcome = iota // right password: forget the failures
	attemptFailed                 // wrong password: keep the failure, maybe lock
	attemptAborted                // no verdict (busy, cancelled): take the failure back
)

// finishAttempt settles an attempt beginAttempt admitted. It reports
// whether this failure locked the pool's lockout key. A success from
// a known device leaves the name's untrusted pool as it is: an attacker
// elsewhere stays paced.
func (s *Service) finishAttempt(ctx context.Context, p pool, o outcome) (locked bool) {
	if p.backoff == p.lockout {
		return s.finish(ctx, p.backoff, o, true)
	}
	s.finish(ctx, p.backoff, o, false)
	return s.finish(ctx, p.lockout, o, true)
}

// finish settles an attempt on one key; lock says whether failures lock
// it.
func (s *Service) finish(ctx context.Context, key string, o outcome, lock bool) (locked bool) {
	now := s.now()
	lim := s.conf().Limits
	_, err := s.store.UpdateLimit(context.WithoutCancel(ctx), key, func(l *Limit) {
		locked = false
		switch o {
		case attemptOK:
			*l = Limit{Key: l.Key}
		case attemptAborted:
			l.Failures--
			if l.Failures <= 0 {
				*l = Limit{Key: l.Key}
			} else {
				l.NextAt = now
			}
		case attemptFailed:
			if lock && l.Failures >= lim.LockoutAfter {
				locked = true
				l.Failures = 0
				l.NextAt = time.Time{}
				l.LockedUntil = now.Add(lim.LockoutFor)
				l.Expires = l.LockedUntil
			}
		}
	})
	if o == attemptOK {
		s.refused.forget(key)
	}
	if err != nil {
		s.log.Error("settle login attempt", "key", key, "err", err)
	}
	return locked
}

// clearLogins forgets every backoff and lockout of account u's logins:
// the name's pool with every address's lockout, and every device's.
// An unlock, or an administrator's password reset.
func (s *Service) clearLogins(ctx context.Context, u User) error {
	for _, prefix := range []string{nameKey(u.Key()), devicePrefix(u.ID)} {
		s.refused.forgetPrefix(prefix)
		if _, err := s.store.DeleteLimits(ctx, prefix); err != nil {
			return err
		}
	}
	return nil
}
