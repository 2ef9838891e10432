package term

import "unicode"

// runeWidth returns the number of cells r takes: 0 for a combining or
// other zero-width character, 2 for an East Asian wide or fullwidth
// character or an emoji with emoji presentation, 1 otherwise. Control
// characters never reach it.
//
// The tables cover the main wide ranges of Unicode's EastAsianWidth W and
// F classes; characters of ambiguous width are narrow, as in xterm's
// default. A variation selector does not change the width of the
// character before it: the game, which decides where the cursor is,
// cannot know about it either.
func runeWidth(r rune) int {
	switch {
	case r < 0x300:
		return 1
	case wideFast(r):
		return 2
	case isZeroWidth(r):
		return 0
	case isWide(r):
		return 2
	}
	return 1
}

// wideFast reports whether r is in one of the blocks that make up the
// bulk of wide text and hold no zero-width character, so that runeWidth
// can skip the Unicode category tables for it: CJK unified ideographs,
// Hangul syllables, kana, CJK punctuation (less its tone marks) and the
// fullwidth forms. It is an excerpt of wideTable.
func wideFast(r rune) bool {
	switch {
	case r >= 0x4e00 && r <= 0x9fff, r >= 0xac00 && r <= 0xd7a3:
		return true
	case r >= 0x3000 && r <= 0x30ff:
		// CJK symbols and punctuation, Hiragana, Katakana, less the
		// ideographic tone marks and the combining (semi-)voiced sound
		// marks, and U+303F, a half-width space.
		return r <= 0x3029 || r >= 0x3030 && r <= 0x303e || r >= 0x3041 && r <= 0x3096 || r >= 0x309b
	case r >= 0xff01 && r <= 0xff60:
		return true
	}
	return false
}

// isZeroWidth reports whether r attaches to the character before it.
func isZeroWidth(r rune) bool {
	switch {
	case r >= 0x1160 && r <= 0x11ff, r >= 0xd7b0 && r <= 0xd7ff:
		// Hangul medial vowels and final consonants join the syllable.
		return true
	case r >= 0x200b && r <= 0x200f, r >= 0x2060 && r <= 0x2064, r == 0xfeff:
		// Zero-width space, (non-)joiners, direction marks, word joiner.
		return true
	}
	if unicode.In(r, unicode.Mn, unicode.Me) {
		return true
	}
	if unicode.Is(unicode.Cf, r) {
		// Prepended concatenation marks are Cf but print, as in wcwidth.
		switch r {
		case 0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06dd, 0x070f,
			0x0890, 0x0891, 0x08e2, 0x110bd, 0x110cd:
			return false
		}
		return true
	}
	return false
}

// wideTable lists ranges of wide characters, sorted, not overlapping. It
// is a constant table: nothing writes to it.
var wideTable = [...]struct{ lo, hi rune }{
	{0x1100, 0x115f}, // Hangul Jamo initial consonants
	{0x231a, 0x231b}, {0x2329, 0x232a}, {0x23e9, 0x23ec}, {0x23f0, 0x23f0},
	{0x23f3, 0x23f3}, {0x25fd, 0x25fe}, {0x2614, 0x2615}, {0x2648, 0x2653},
	{0x267f, 0x267f}, {0x2693, 0x2693}, {0x26a1, 0x26a1}, {0x26aa, 0x26ab},
	{0x26bd, 0x26be}, {0x26c4, 0x26c5}, {0x26ce, 0x26ce}, {0x26d4, 0x26d4},
	{0x26ea, 0x26ea}, {0x26f2, 0x26f3}, {0x26f5, 0x26f5}, {0x26fa, 0x26fa},
	{0x26fd, 0x26fd}, {0x2705, 0x2705}, {0x270a, 0x270b}, {0x2728, 0x2728},
	{0x274c, 0x274c}, {0x274e, 0x274e}, {0x2753, 0x2755}, {0x2757, 0x2757},
	{0x2795, 0x2797}, {0x27b0, 0x27b0}, {0x27bf, 0x27bf}, {0x2b1b, 0x2b1c},
	{0x2b50, 0x2b50}, {0x2b55, 0x2b55},
	{0x2e80, 0x2e99}, {0x2e9b, 0x2ef3}, {0x2f00, 0x2fd5}, {0x2ff0, 0x2fff}, // CJK radicals, Kangxi
	{0x3000, 0x303e},                   // CJK symbols and punctuation, ideographic space
	{0x3041, 0x3096}, {0x3099, 0x30ff}, // Hiragana, Katakana
	{0x3105, 0x312f}, {0x3131, 0x318e}, {0x3190, 0x31e3}, {0x31ef, 0x321e},
	{0x3220, 0x3247}, {0x3250, 0xa48c}, // enclosed CJK, CJK ext. A, unified ideographs, Yi
	{0xa490, 0xa4c6}, {0xa960, 0xa97c}, // Yi radicals, Hangul Jamo ext. A
	{0xac00, 0xd7a3}, // Hangul syllables
	{0xf900, 0xfaff}, // CJK compatibility ideographs
	{0xfe10, 0xfe19}, {0xfe30, 0xfe52}, {0xfe54, 0xfe66}, {0xfe68, 0xfe6b},
	{0xff01, 0xff60}, {0xffe0, 0xffe6}, // fullwidth forms
	{0x16fe0, 0x16fe4}, {0x16ff0, 0x16ff1}, {0x17000, 0x187f7}, {0x18800, 0x18cd5},
	{0x18d00, 0x18d08}, {0x1aff0, 0x1affe}, {0x1b000, 0x1b122}, {0x1b132, 0x1b132},
	{0x1b150, 0x1b152}, {0x1b155, 0x1b155}, {0x1b164, 0x1b167}, {0x1b170, 0x1b2fb},
	{0x1f004, 0x1f004}, {0x1f0cf, 0x1f0cf}, {0x1f18e, 0x1f18e}, {0x1f191, 0x1f19a},
	{0x1f200, 0x1f202}, {0x1f210, 0x1f23b}, {0x1f240, 0x1f248}, {0x1f250, 0x1f251},
	{0x1f260, 0x1f265}, {0x1f300, 0x1f320}, {0x1f32d, 0x1f335}, {0x1f337, 0x1f37c},
	{0x1f37e, 0x1f393}, {0x1f3a0, 0x1f3ca}, {0x1f3cf, 0x1f3d3}, {0x1f3e0, 0x1f3f0},
	{0x1f3f4, 0x1f3f4}, {0x1f3f8, 0x1f43e}, {0x1f440, 0x1f440}, {0x1f442, 0x1f4fc},
	{0x1f4ff, 0x1f53d}, {0x1f54b, 0x1f54e}, {0x1f550, 0x1f567}, {0x1f57a, 0x1f57a},
	{0x1f595, 0x1f596}, {0x1f5a4, 0x1f5a4}, {0x1f5fb, 0x1f64f}, {0x1f680, 0x1f6c5},
	{0x1f6cc, 0x1f6cc}, {0x1f6d0, 0x1f6d2}, {0x1f6d5, 0x1f6d7}, {0x1f6dc, 0x1f6df},
	{0x1f6eb, 0x1f6ec}, {0x1f6f4, 0x1f6fc}, {0x1f7e0, 0x1f7eb}, {0x1f7f0, 0x1f7f0},
	{0x1f90c, 0x1f93a}, {0x1f93c, 0x1f945}, {0x1f947, 0x1f9ff}, // emoji
	{0x1fa70, 0x1faff},                     // symbols and pictographs ext. A
	{0x20000, 0x2fffd}, {0x30000, 0x3fffd}, // CJK ext. B and later
}

// isWide reports whether r is in wideTable.
func isWide(r rune) bool {
	if r < wideTable[0].lo || r > wideTable[len(wideTable)-1].hi {
		return false
	}
	lo, hi := 0, len(wideTable)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch {
		case r < wideTable[m].lo:
			hi = m
		case r > wideTable[m].hi:
			lo = m + 1
		default:
			return true
		}
	}
	return false
}
