package automation

import "time"

// The rate limit on commands that triggers send: two token buckets, both
// of which a firing must pass. The first holds RatePerSecond tokens and
// refills at RatePerSecond a second; the second holds RatePer10Seconds
// and refills at a tenth of that a second. So triggers may send a burst
// of 10 commands, 10 in any second, and 30 in any 10 seconds (with
// RatePer10Seconds refilling, at most 30 + 3 a second over longer runs).
const (
	RatePerSecond    = 10
	RatePer10Seconds = 30
)

// unit is one token, in the buckets' integer accounting: the fast bucket
// refills RatePerSecond units a nanosecond, the slow one RatePer10Seconds/10.
const unit = int64(time.Second)

// Limiter limits the commands triggers send. It is shared by the engines
// the client builds one after another (Options.Limiter), so that editing
// the triggers does not refill it. It is not safe for concurrent use.
type Limiter struct {
	now        func() time.Time
	last       time.Time
	started    bool
	fast, slow int64 // tokens, in units
}

// NewLimiter returns a full limiter that reads the time from now (nil:
// time.Now).
func NewLimiter(now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{now: now}
}

// Allow takes n tokens from both buckets and reports true, or takes none
// and reports false when either has fewer than n: a firing's commands go
// together or not at all.
func (l *Limiter) Allow(n int) bool {
	t := l.now()
	if !l.started {
		l.started, l.last = true, t
		l.fast, l.slow = RatePerSecond*unit, RatePer10Seconds*unit
	}
	if d := t.Sub(l.last); d > 0 { // a clock that goes back refills nothing
		d = min(d, time.Minute) // both are full by then; keeps the products in range
		l.fast = min(RatePerSecond*unit, l.fast+int64(d)*RatePerSecond)
		l.slow = min(RatePer10Seconds*unit, l.slow+int64(d)*RatePer10Seconds/10)
		l.last = t
	}
	if n < 0 || n > RatePer10Seconds {
		return false
	}
	need := int64(n) * unit
	if need > l.fast || need > l.slow {
		return false
	}
	l.fast -= need
	l.slow -= need
	return true
}
