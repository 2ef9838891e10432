package gmcp

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// clean makes text from the game fit to show in the client's own widgets:
// valid UTF-8, without ANSI escape sequences (some games colour room
// names), control characters or bidirectional overrides, runs of spaces
// (tabs and line breaks included) folded into one, trimmed, and cut to at
// most n runes.
func clean(s string, n int) string {
	var b strings.Builder
	runes := 0
	space := false // a space is owed before the next visible rune
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:]) // invalid bytes: U+FFFD
		if r == 0x1b {
			i += escapeLen(s[i:])
			continue
		}
		i += size
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r) || bidiControl(r):
			continue
		}
		need := 1
		if space {
			need = 2
		}
		if runes+need > n {
			break
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
		runes += need
	}
	return b.String()
}

// escapeLen returns the length of the escape sequence at the start of s,
// which starts with ESC: a CSI sequence (ESC [ parameters final), an OSC
// string (ESC ] ... BEL or ESC \), or ESC and one more byte.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		for i := 2; i < len(s); i++ {
			if c := s[i]; c >= 0x40 && c <= 0x7e {
				return i + 1
			} else if c < 0x20 || c >= 0x7f {
				return i // not a CSI byte: the sequence ends here, unfinished
			}
		}
		return len(s)
	case ']':
		for i := 2; i < len(s); i++ {
			switch {
			case s[i] == 0x07:
				return i + 1
			case s[i] == 0x1b:
				if i+1 < len(s) && s[i+1] == '\\' {
					return i + 2
				}
				return i
			}
		}
		return len(s)
	}
	_, size := utf8.DecodeRuneInString(s[1:])
	return 1 + size
}

// bidiControl reports whether r reorders text (U+200E, U+200F, U+202A to
// U+202E, U+2066 to U+2069): a game could use one to make a name read as
// something else.
func bidiControl(r rune) bool {
	return r == 0x200e || r == 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}
