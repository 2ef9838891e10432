package automation

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	c := &clock{t: time.Unix(1e9, 0)}
	l := NewLimiter(c.now)
	if !l.Allow(10) || l.Allow(1) {
		t.Fatalf("a burst of 10, then none")
	}
	c.advance(99 * time.Millisecond)
	if l.Allow(1) {
		t.Errorf("a token after 99ms")
	}
	c.advance(time.Millisecond)
	if !l.Allow(1) || l.Allow(1) {
		t.Errorf("one token after 100ms")
	}
	// The 10-second bucket: 30 at most, 3 a second back.
	c.advance(time.Second)
	sent := 11
	for range 40 {
		c.advance(100 * time.Millisecond)
		if l.Allow(1) {
			sent++
		}
	}
	// 5.1 s in: at most 30 + 3 a second.
	if max := 30 + 15; sent > max || sent < 25 {
		t.Errorf("%d sent in 5.1 s, want at most %d", sent, max)
	}
	// All or nothing: 3 asked with 2 left takes none.
	c.advance(time.Minute)
	l.Allow(8)
	if l.Allow(3) || !l.Allow(2) {
		t.Errorf("all or nothing")
	}
	// A clock that goes back refills nothing; odd counts are refused.
	c.advance(-time.Hour)
	if l.Allow(1) || l.Allow(-1) || l.Allow(1<<40) {
		t.Errorf("clock back, or odd counts")
	}
	c.advance(2 * time.Hour)
	if !l.Allow(10) {
		t.Errorf("full after an hour")
	}
	if NewLimiter(nil).now == nil {
		t.Errorf("nil clock")
	}
}
