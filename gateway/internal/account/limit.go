package account

import (
	"context"
	"fmt"
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

// limitAddr is the part of a peer address rate limits count: the IPv4
// address, or the IPv6 /64, which one subscriber usually holds whole.
func limitAddr(addr string) string { return peer.Group(addr) }

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string { return peer.Truncate(s, n) }

// Keys of the rate-limit state.
func loginAddrKey(addr string) string    { return "login/addr/" + limitAddr(addr) }
func registerAddrKey(addr string) string { return "register/addr/" + limitAddr(addr) }
func guestAddrKey(addr string) string    { return "guest/addr/" + limitAddr(addr) }
func accountKey(name string) string      { return "login/name/" + NameKey(name) }

// allowRate counts one event against r on key and refuses it with a
// *LimitError once the window is full. first reports the first refusal of
// a window, which is worth an audit event (the later ones are not: a
// flood must not flood the audit trail too).
func (s *Service) allowRate(ctx context.Context, key string, r Rate) (first bool, err error) {
	if r.off() {
		return false, nil
	}
	now := s.now()
	var refused *LimitError
	_, err = s.store.UpdateLimit(ctx, key, func(l *Limit) {
		refused, first = nil, false
		if l.WindowStart.IsZero() || !now.Before(l.WindowStart.Add(r.Per)) {
			l.WindowStart, l.Count = now, 0
		}
		end := l.WindowStart.Add(r.Per)
		if l.Count >= r.N {
			refused = &LimitError{Err: ErrRateLimited, RetryAfter: end.Sub(now)}
			if l.Count == r.N {
				l.Count++ // mark the window as refused once
				first = true
			}
			return
		}
		l.Count++
		l.Expires = end
	})
	if err != nil {
		return false, fmt.Errorf("rate limit %s: %w", key, err)
	}
	if refused != nil {
		return first, refused
	}
	return false, nil
}

// backoff is the wait after the n-th consecutive failure.
func (s *Service) backoff(n int) time.Duration {
	d := s.cfg.Limits.BackoffBase
	for i := 1; i < n && d < s.cfg.Limits.BackoffMax; i++ {
		d *= 2
	}
	return min(d, s.cfg.Limits.BackoffMax)
}

// beginAttempt admits one password attempt on an account name, or
// refuses it with a *LimitError (backoff or lockout). It counts the
// attempt as a failure in advance, with its backoff: concurrent attempts
// on one name therefore wait their turn, on every node. finishAttempt
// then settles it.
func (s *Service) beginAttempt(ctx context.Context, key string) error {
	now := s.now()
	lim := s.cfg.Limits
	var refused *LimitError
	_, err := s.store.UpdateLimit(ctx, key, func(l *Limit) {
		refused = nil
		if now.Before(l.LockedUntil) {
			refused = &LimitError{Err: ErrLocked, RetryAfter: l.LockedUntil.Sub(now)}
			return
		}
		if now.Before(l.NextAt) {
			refused = &LimitError{Err: ErrRateLimited, RetryAfter: l.NextAt.Sub(now)}
			return
		}
		if !l.LastFailure.IsZero() && !now.Before(l.LastFailure.Add(lim.FailureMemory)) {
			l.Failures = 0
		}
		l.LockedUntil = time.Time{}
		l.Failures++
		l.LastFailure = now
		l.NextAt = now.Add(s.backoff(l.Failures))
		l.Expires = now.Add(lim.FailureMemory)
	})
	if err != nil {
		return fmt.Errorf("login attempt %s: %w", key, err)
	}
	if refused != nil {
		return refused
	}
	return nil
}

// attempt outcomes for finishAttempt.
type outcome int

const (
	attemptOK      outcome = iota // right password: forget the failures
	attemptFailed                 // wrong password: keep the failure, maybe lock
	attemptAborted                // no verdict (busy, cancelled): take the failure back
)

// finishAttempt settles an attempt beginAttempt admitted. It reports
// whether this failure locked the name.
func (s *Service) finishAttempt(ctx context.Context, key string, o outcome) (locked bool) {
	now := s.now()
	lim := s.cfg.Limits
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
			if l.Failures >= lim.LockoutAfter {
				locked = true
				l.Failures = 0
				l.NextAt = time.Time{}
				l.LockedUntil = now.Add(lim.LockoutFor)
				l.Expires = l.LockedUntil
			}
		}
	})
	if err != nil {
		s.log.Error("settle login attempt", "key", key, "err", err)
	}
	return locked
}
