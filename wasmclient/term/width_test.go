package term

import (
	"testing"
	"unicode"
)

func TestRuneWidth(t *testing.T) {
	tests := []struct {
		r    rune
		want int
	}{
		{'a', 1}, {'~', 1}, {'é', 1}, {'ß', 1}, {'Ж', 1}, {'א', 1}, {'─', 1}, {'£', 1},
		{0x00ad, 1},   // soft hyphen prints, as in wcwidth
		{0x0301, 0},   // combining acute
		{0x20dd, 0},   // combining enclosing circle (Me)
		{0x200b, 0},   // zero-width space
		{0x200d, 0},   // ZWJ
		{0xfe0f, 0},   // variation selector 16
		{0xfeff, 0},   // BOM
		{0x1160, 0},   // Hangul medial vowel
		{0xe0061, 0},  // tag
		{0x0600, 1},   // prepended concatenation mark
		{0x1100, 2},   // Hangul initial
		{'世', 2},      // CJK
		{'か', 2},      // Hiragana
		{'カ', 2},      // Katakana
		{'한', 2},      // Hangul syllable
		{0x3000, 2},   // ideographic space
		{'Ａ', 2},      // fullwidth A
		{'ｶ', 1},      // halfwidth katakana
		{'🐉', 2},      // emoji
		{'😀', 2},      // emoji
		{0x1f3fb, 2},  // skin tone modifier
		{'⌚', 2},      // watch, emoji presentation
		{'☺', 1},      // text presentation by default
		{0x20000, 2},  // CJK extension B
		{0x10ffff, 1}, // last code point
		{0xfffd, 1},   // replacement character
	}
	for _, tt := range tests {
		if got := runeWidth(tt.r); got != tt.want {
			t.Errorf("runeWidth(%U) = %d, want %d", tt.r, got, tt.want)
		}
	}
}

// TestWideTableSorted checks the table that isWide searches.
func TestWideTableSorted(t *testing.T) {
	for i, r := range wideTable {
		if r.lo > r.hi {
			t.Errorf("wideTable[%d] = %U-%U is reversed", i, r.lo, r.hi)
		}
		if i > 0 && wideTable[i-1].hi >= r.lo {
			t.Errorf("wideTable[%d] = %U-%U overlaps or is out of order", i, r.lo, r.hi)
		}
	}
}

// TestWideFast checks that the fast path agrees with the tables for
// every code point: wide by wideTable and not zero-width.
func TestWideFast(t *testing.T) {
	n := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !wideFast(r) {
			continue
		}
		n++
		if isZeroWidth(r) || !isWide(r) || unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) {
			t.Errorf("%U is in the fast path but the tables say zero-width %v, wide %v", r, isZeroWidth(r), isWide(r))
		}
	}
	if n < 0x5200+0x2ba4 {
		t.Errorf("the fast path holds %d code points, fewer than the ideographs and Hangul syllables", n)
	}
}

func BenchmarkRuneWidth(b *testing.B) {
	runes := []rune{'a', 'é', '世', '🐉', '\u0301', '한', 'Ａ', '─', 'か', '「'}
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range runes {
			_ = runeWidth(r)
		}
	}
}
