package ui

import "testing"

// TestWarmQuads checks that the warm-up's quads, once Ebitengine rounds
// its buffer up to a power of two, hold a frame of full quads, and that
// they are never more than that frame's.
func TestWarmQuads(t *testing.T) {
	pow2 := func(n int) int {
		p := 1
		for p < n {
			p *= 2
		}
		return p
	}
	for _, full := range []int{1, 2, 3, 42 * 39, 142 * 36, 1000, 1 << 10, 1<<10 + 1, 300 * 100} {
		w := warmQuads(full)
		if got := pow2(w * quadBytes); got < full*quadBytes {
			t.Errorf("full %d: %d quads make a buffer of %d bytes, which does not hold %d", full, w, got, full*quadBytes)
		}
		if w > full {
			t.Errorf("full %d: %d quads, more than the frame's", full, w)
		}
		if pow2(w*quadBytes) != pow2(full*quadBytes) {
			t.Errorf("full %d: %d quads make a bigger buffer than the full frame's", full, w)
		}
	}
}
