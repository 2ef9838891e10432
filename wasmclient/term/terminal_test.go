package term

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// screenCase is one table case: input on a fresh cols x rows terminal,
// the screen text and cursor wanted.
type screenCase struct {
	name       string
	cols, rows int
	in         string
	want       string
	cursor     [2]int
	scrollback int // lines wanted in the scrollback
}

// screenCases are the table cases; the fuzz test is seeded with them.
func screenCases() []screenCase {
	return []screenCase{
		// C0 controls.
		{name: "plain", cols: 10, rows: 3, in: "hello", want: "hello\n\n", cursor: [2]int{5, 0}},
		{name: "CR LF", cols: 10, rows: 3, in: "a\r\nb", want: "a\nb\n", cursor: [2]int{1, 1}},
		{name: "LF keeps the column", cols: 10, rows: 3, in: "ab\ncd", want: "ab\n  cd\n", cursor: [2]int{4, 1}},
		{name: "VT and FF act as LF", cols: 10, rows: 3, in: "a\vb\fc", want: "a\n b\n  c", cursor: [2]int{3, 2}},
		{name: "CR overwrites", cols: 10, rows: 3, in: "hello\rJ", want: "Jello\n\n", cursor: [2]int{1, 0}},
		{name: "BS", cols: 10, rows: 3, in: "abc\b\bX", want: "aXc\n\n", cursor: [2]int{2, 0}},
		{name: "BS at column 0", cols: 10, rows: 3, in: "\b\bX", want: "X\n\n", cursor: [2]int{1, 0}},
		{name: "NUL and DEL ignored", cols: 10, rows: 3, in: "a\x00b\x7fc\x01", want: "abc\n\n", cursor: [2]int{3, 0}},
		{name: "BEL prints nothing", cols: 10, rows: 3, in: "a\ab", want: "ab\n\n", cursor: [2]int{2, 0}},
		{name: "LNM makes LF return", cols: 10, rows: 3, in: "\x1b[20ha\nb", want: "a\nb\n", cursor: [2]int{1, 1}},

		// Tabs.
		{name: "HT", cols: 20, rows: 2, in: "a\tb", want: "a       b\n", cursor: [2]int{9, 0}},
		{name: "HT stops at the last column", cols: 10, rows: 2, in: "\t\t\tX", want: "         X\n", cursor: [2]int{9, 0}},
		{name: "HT keeps the pending wrap", cols: 5, rows: 2, in: "abcde\tX", want: "abcde\nX", cursor: [2]int{1, 1}},
		{name: "TBC 3 clears all stops", cols: 10, rows: 2, in: "\x1b[3g\tX", want: "         X\n", cursor: [2]int{9, 0}},
		{name: "HTS sets a stop", cols: 10, rows: 2, in: "   \x1bH\r\tX", want: "   X\n", cursor: [2]int{4, 0}},
		{name: "TBC 0 clears one stop", cols: 20, rows: 2, in: "\t\x1b[g\r\tX", want: "                X\n", cursor: [2]int{17, 0}},
		{name: "CHT and CBT", cols: 20, rows: 2, in: "\x1b[2IX\x1b[Z\x1b[ZY", want: "        Y       X\n", cursor: [2]int{9, 0}},

		// Auto-wrap and the pending wrap.
		{name: "last column leaves a wrap pending", cols: 5, rows: 3, in: "abcde", want: "abcde\n\n", cursor: [2]int{4, 0}},
		{name: "the next character wraps", cols: 5, rows: 3, in: "abcdef", want: "abcde\nf\n", cursor: [2]int{1, 1}},
		{name: "CR LF after a full line adds no blank line", cols: 5, rows: 3, in: "abcde\r\nf", want: "abcde\nf\n", cursor: [2]int{1, 1}},
		{name: "LF cancels the pending wrap", cols: 5, rows: 3, in: "abcde\nX", want: "abcde\n    X\n", cursor: [2]int{4, 1}},
		{name: "CUP cancels the pending wrap", cols: 5, rows: 3, in: "abcde\x1b[1;5HX", want: "abcdX\n\n", cursor: [2]int{4, 0}},
		{name: "BS cancels the pending wrap and moves", cols: 5, rows: 3, in: "abcde\bX", want: "abcXe\n\n", cursor: [2]int{4, 0}},
		{name: "DECAWM off overwrites the last column", cols: 5, rows: 3, in: "\x1b[?7labcdefg", want: "abcdg\n\n", cursor: [2]int{4, 0}},
		{name: "DECAWM back on", cols: 5, rows: 3, in: "\x1b[?7labcdefg\x1b[?7hhi", want: "abcdh\ni\n", cursor: [2]int{1, 1}},
		{name: "wrap scrolls", cols: 3, rows: 2, in: "abcdefg", want: "def\ng", cursor: [2]int{1, 1}, scrollback: 1},
		{name: "wrap in slow path", cols: 3, rows: 2, in: "\x1b[4habcd", want: "abc\nd", cursor: [2]int{1, 1}},

		// Cursor movement.
		{name: "CUP", cols: 10, rows: 5, in: "\x1b[2;3HX", want: "\n  X\n\n\n", cursor: [2]int{3, 1}},
		{name: "CUP home", cols: 10, rows: 5, in: "abc\x1b[HX", want: "Xbc\n\n\n\n", cursor: [2]int{1, 0}},
		{name: "CUP clamps", cols: 5, rows: 3, in: "\x1b[99;99HX", want: "\n\n    X", cursor: [2]int{4, 2}},
		{name: "CUP 0 is 1", cols: 5, rows: 3, in: "ab\x1b[0;0HX", want: "Xb\n\n", cursor: [2]int{1, 0}},
		{name: "HVP", cols: 5, rows: 3, in: "\x1b[2;2fX", want: "\n X\n", cursor: [2]int{2, 1}},
		{name: "CUU CUD CUF CUB", cols: 10, rows: 5, in: "\x1b[3;5H\x1b[2A1\x1b[3B2\x1b[10D3\x1b[20C4", want: "    1\n\n\n3    2   4\n", cursor: [2]int{9, 3}},
		{name: "CUU CUD default 1", cols: 5, rows: 3, in: "\x1b[2;2H\x1b[A1\x1b[B\x1b[B2", want: " 1\n\n  2", cursor: [2]int{3, 2}},
		{name: "CNL CPL", cols: 5, rows: 4, in: "ab\x1b[2Ec\x1b[Fd", want: "ab\nd\nc\n", cursor: [2]int{1, 1}},
		{name: "CHA HPA VPA", cols: 5, rows: 3, in: "\x1b[5GX\x1b[2`Y\x1b[3dZ", want: " Y  X\n\n  Z", cursor: [2]int{3, 2}},
		{name: "HPR VPR", cols: 10, rows: 3, in: "\x1b[3aX\x1b[eY", want: "   X\n    Y\n", cursor: [2]int{5, 1}},
		{name: "CUU stops at the top margin", cols: 5, rows: 5, in: "\x1b[2;4r\x1b[4;1H\x1b[9AX", want: "\nX\n\n\n", cursor: [2]int{1, 1}},
		{name: "CUD stops at the bottom margin", cols: 5, rows: 5, in: "\x1b[2;4r\x1b[2;1H\x1b[9BX", want: "\n\n\nX\n", cursor: [2]int{1, 3}},
		{name: "CUD below the region goes to the last row", cols: 5, rows: 5, in: "\x1b[1;2r\x1b[3;1H\x1b[9BX", want: "\n\n\n\nX", cursor: [2]int{1, 4}},
		{name: "DECSC DECRC", cols: 5, rows: 3, in: "\x1b[2;3H\x1b7\x1b[HX\x1b8Y", want: "X\n  Y\n", cursor: [2]int{3, 1}},
		{name: "SCOSC SCORC", cols: 5, rows: 3, in: "\x1b[2;3H\x1b[s\x1b[HX\x1b[uY", want: "X\n  Y\n", cursor: [2]int{3, 1}},
		{name: "DECRC without DECSC homes", cols: 5, rows: 3, in: "\x1b[3;3H\x1b8X", want: "X\n\n", cursor: [2]int{1, 0}},
		{name: "origin mode", cols: 5, rows: 5, in: "\x1b[2;4r\x1b[?6h\x1b[1;1HX\x1b[9;1HY", want: "\nX\n\nY\n", cursor: [2]int{1, 3}},
		{name: "origin mode off homes to the screen", cols: 5, rows: 5, in: "\x1b[2;4r\x1b[?6h\x1b[?6lX", want: "X\n\n\n\n", cursor: [2]int{1, 0}},

		// Erasing.
		{name: "ED 0", cols: 5, rows: 3, in: "aaaaa\r\nbbbbb\r\nccccc\x1b[2;3H\x1b[J", want: "aaaaa\nbb\n", cursor: [2]int{2, 1}},
		{name: "ED 1", cols: 5, rows: 3, in: "aaaaa\r\nbbbbb\r\nccccc\x1b[2;3H\x1b[1J", want: "\n   bb\nccccc", cursor: [2]int{2, 1}},
		{name: "ED 2", cols: 5, rows: 3, in: "aaaaa\r\nbbbbb\r\nccccc\x1b[2;3H\x1b[2J", want: "\n\n", cursor: [2]int{2, 1}},
		{name: "ED 3 keeps the screen", cols: 5, rows: 2, in: "a\r\nb\r\nc\x1b[3J", want: "b\nc", cursor: [2]int{1, 1}},
		{name: "EL 0", cols: 5, rows: 2, in: "abcde\x1b[3G\x1b[K", want: "ab\n", cursor: [2]int{2, 0}},
		{name: "EL 1", cols: 5, rows: 2, in: "abcde\x1b[3G\x1b[1K", want: "   de\n", cursor: [2]int{2, 0}},
		{name: "EL 2", cols: 5, rows: 2, in: "abcde\x1b[3G\x1b[2K", want: "\n", cursor: [2]int{2, 0}},
		{name: "EL after a pending wrap", cols: 5, rows: 2, in: "abcde\x1b[KX", want: "abcdX\n", cursor: [2]int{4, 0}},
		{name: "ECH", cols: 5, rows: 2, in: "abcde\x1b[2G\x1b[2X", want: "a  de\n", cursor: [2]int{1, 0}},
		{name: "ECH past the end", cols: 5, rows: 2, in: "abcde\x1b[2G\x1b[99X", want: "a\n", cursor: [2]int{1, 0}},
		{name: "DECSED as ED", cols: 5, rows: 2, in: "abcde\x1b[2G\x1b[?J", want: "a\n", cursor: [2]int{1, 0}},

		// Inserting and deleting.
		{name: "ICH", cols: 5, rows: 2, in: "abcde\x1b[2G\x1b[2@", want: "a  bc\n", cursor: [2]int{1, 0}},
		{name: "ICH past the end", cols: 5, rows: 2, in: "abcde\x1b[2G\x1b[99@", want: "a\n", cursor: [2]int{1, 0}},
		{name: "DCH", cols: 5, rows: 2, in: "abcde\x1b[2G\x1b[2P", want: "ade\n", cursor: [2]int{1, 0}},
		{name: "DCH past the end", cols: 5, rows: 2, in: "abcde\x1b[2G\x1b[99P", want: "a\n", cursor: [2]int{1, 0}},
		{name: "IRM", cols: 5, rows: 2, in: "abc\x1b[4h\x1b[1GX\x1b[4lY", want: "XYbc\n", cursor: [2]int{2, 0}},
		{name: "IL", cols: 5, rows: 4, in: "1\r\n2\r\n3\r\n4\x1b[2;2H\x1b[L", want: "1\n\n2\n3", cursor: [2]int{0, 1}},
		{name: "DL", cols: 5, rows: 4, in: "1\r\n2\r\n3\r\n4\x1b[2;2H\x1b[M", want: "1\n3\n4\n", cursor: [2]int{0, 1}},
		{name: "DL keeps no history", cols: 5, rows: 4, in: "1\r\n2\r\n3\r\n4\x1b[H\x1b[2M", want: "3\n4\n\n", cursor: [2]int{0, 0}},
		{name: "IL outside the region does nothing", cols: 5, rows: 4, in: "1\r\n2\r\n3\r\n4\x1b[1;2r\x1b[4;1H\x1b[L", want: "1\n2\n3\n4", cursor: [2]int{0, 3}},
		{name: "IL within the region", cols: 5, rows: 4, in: "1\r\n2\r\n3\r\n4\x1b[1;3r\x1b[2;1H\x1b[L", want: "1\n\n2\n4", cursor: [2]int{0, 1}},
		{name: "REP", cols: 10, rows: 2, in: "ab\x1b[3b", want: "abbbb\n", cursor: [2]int{5, 0}},
		{name: "REP bounded by the screen", cols: 3, rows: 2, in: "a\x1b[65535b", want: "aaa\na", cursor: [2]int{1, 1}, scrollback: 1},

		// Scrolling.
		{name: "SU", cols: 5, rows: 3, in: "1\r\n2\r\n3\x1b[S", want: "2\n3\n", cursor: [2]int{1, 2}, scrollback: 1},
		{name: "SU many", cols: 5, rows: 3, in: "1\r\n2\r\n3\x1b[9S", want: "\n\n", cursor: [2]int{1, 2}, scrollback: 3},
		{name: "SD", cols: 5, rows: 3, in: "1\r\n2\r\n3\x1b[T", want: "\n1\n2", cursor: [2]int{1, 2}},
		{name: "LF at the bottom scrolls into history", cols: 5, rows: 2, in: "1\r\n2\r\n3\r\n4", want: "3\n4", cursor: [2]int{1, 1}, scrollback: 2},
		{name: "DECSTBM region scrolls alone", cols: 5, rows: 5, in: "1\r\n2\r\n3\r\n4\r\n5\x1b[2;4r\x1b[4;1H\n", want: "1\n3\n4\n\n5", cursor: [2]int{0, 3}},
		{name: "a region at the top keeps history", cols: 5, rows: 5, in: "1\r\n2\r\n3\r\n4\r\n5\x1b[1;4r\x1b[4;1H\n", want: "2\n3\n4\n\n5", cursor: [2]int{0, 3}, scrollback: 1},
		{name: "DECSTBM homes the cursor", cols: 5, rows: 5, in: "abc\x1b[2;4rX", want: "Xbc\n\n\n\n", cursor: [2]int{1, 0}},
		{name: "bad DECSTBM ignored", cols: 5, rows: 5, in: "abc\x1b[4;2rX", want: "abcX\n\n\n\n", cursor: [2]int{4, 0}},
		{name: "SU in a region", cols: 5, rows: 4, in: "1\r\n2\r\n3\r\n4\x1b[2;3r\x1b[S", want: "1\n3\n\n4", cursor: [2]int{0, 0}},
		{name: "RI at the top scrolls down", cols: 5, rows: 3, in: "a\r\nb\x1b[H\x1bM", want: "\na\nb", cursor: [2]int{0, 0}},
		{name: "RI moves up", cols: 5, rows: 3, in: "\x1b[3;1H\x1bMX", want: "\nX\n", cursor: [2]int{1, 1}},
		{name: "RI at the region top", cols: 5, rows: 4, in: "1\r\n2\r\n3\r\n4\x1b[2;3r\x1b[2;1H\x1bM", want: "1\n\n2\n4", cursor: [2]int{0, 1}},
		{name: "IND NEL", cols: 5, rows: 3, in: "a\x1bDb\x1bEc", want: "a\n b\nc", cursor: [2]int{1, 2}},

		// Modes and resets.
		{name: "RIS", cols: 5, rows: 2, in: "abc\x1b[31m\x1b[?7l\x1bcX", want: "X\n", cursor: [2]int{1, 0}},
		{name: "DECSTR keeps the screen", cols: 5, rows: 2, in: "abc\x1b[?7l\x1b[4h\x1b[!pdefgh", want: "abcde\nfgh", cursor: [2]int{3, 1}},
		{name: "DECALN", cols: 3, rows: 2, in: "\x1b#8", want: "EEE\nEEE", cursor: [2]int{0, 0}},

		// Alternate screen.
		{name: "1049 restores the main screen and cursor", cols: 10, rows: 3, in: "main\x1b[?1049halt\r\nscreen\x1b[?1049l", want: "main\n\n", cursor: [2]int{4, 0}},
		{name: "1049 clears the alternate screen", cols: 10, rows: 3, in: "\x1b[?1049hold\x1b[?1049l\x1b[?1049h", want: "\n\n", cursor: [2]int{0, 0}},
		{name: "47 switches without clearing", cols: 10, rows: 3, in: "main\x1b[?47hX\x1b[?47l\x1b[?47h", want: "    X\n\n", cursor: [2]int{5, 0}},
		{name: "1047 clears on leaving", cols: 10, rows: 3, in: "\x1b[?1047hX\x1b[?1047l\x1b[?1047h", want: "\n\n", cursor: [2]int{1, 0}},
		{name: "alternate screen keeps no history", cols: 3, rows: 2, in: "\x1b[?1049h1\r\n2\r\n3\r\n4", want: "3\n4", cursor: [2]int{1, 1}},
		{name: "1048 saves the cursor", cols: 5, rows: 3, in: "\x1b[2;2H\x1b[?1048h\x1b[H\x1b[?1048lX", want: "\n X\n", cursor: [2]int{2, 1}},

		// Character sets.
		{name: "DEC special graphics", cols: 10, rows: 2, in: "\x1b(0lqk\x1b(Bq", want: "┌─┐q\n", cursor: [2]int{4, 0}},
		{name: "SO and SI", cols: 10, rows: 2, in: "\x1b)0\x0eqx\x0fq", want: "─│q\n", cursor: [2]int{3, 0}},
		{name: "UK set", cols: 10, rows: 2, in: "\x1b(A#1", want: "£1\n", cursor: [2]int{2, 0}},
		{name: "DECSC saves the charset", cols: 10, rows: 2, in: "\x1b(0\x1b7\x1b(Bq\x1b8q", want: "─\n", cursor: [2]int{1, 0}},

		// Unicode.
		{name: "UTF-8", cols: 10, rows: 2, in: "héllo ©", want: "héllo ©\n", cursor: [2]int{7, 0}},
		{name: "wide", cols: 10, rows: 2, in: "世界!", want: "世界!\n", cursor: [2]int{5, 0}},
		{name: "emoji are wide", cols: 10, rows: 2, in: "🐉x", want: "🐉x\n", cursor: [2]int{3, 0}},
		{name: "wide at the last column wraps", cols: 5, rows: 2, in: "abcd世", want: "abcd\n世", cursor: [2]int{2, 1}},
		{name: "wide fills the last two columns", cols: 5, rows: 2, in: "abc世", want: "abc世\n", cursor: [2]int{4, 0}},
		{name: "wide at the last column without autowrap", cols: 5, rows: 2, in: "\x1b[?7labcd世", want: "abc世\n", cursor: [2]int{4, 0}},
		{name: "overwriting a left half", cols: 5, rows: 2, in: "世\x1b[1GX", want: "X\n", cursor: [2]int{1, 0}},
		{name: "overwriting a right half", cols: 5, rows: 2, in: "世\x1b[2GX", want: " X\n", cursor: [2]int{2, 0}},
		{name: "wide over wide shifted", cols: 6, rows: 2, in: "世界\x1b[2G中", want: " 中\n", cursor: [2]int{3, 0}},
		{name: "ICH splits a wide character", cols: 5, rows: 2, in: "世界\x1b[2G\x1b[@", want: "   界\n", cursor: [2]int{1, 0}},
		{name: "DCH of a right half", cols: 5, rows: 2, in: "a世b\x1b[3G\x1b[P", want: "a b\n", cursor: [2]int{2, 0}},
		{name: "EL through a wide character", cols: 5, rows: 2, in: "a世b\x1b[3G\x1b[K", want: "a\n", cursor: [2]int{2, 0}},
		{name: "ICH pushes a wide character off", cols: 4, rows: 2, in: "ab世\x1b[1G\x1b[@", want: " ab\n", cursor: [2]int{0, 0}},
		{name: "wide on a one-column screen", cols: 1, rows: 2, in: "世a", want: "世\na", cursor: [2]int{0, 1}},
		{name: "combining mark", cols: 5, rows: 2, in: "e\u0301x", want: "e\u0301x\n", cursor: [2]int{2, 0}},
		{name: "combining on a wide character", cols: 5, rows: 2, in: "世\u0301", want: "世\u0301\n", cursor: [2]int{2, 0}},
		{name: "combining at the pending wrap", cols: 3, rows: 2, in: "abc\u0301", want: "abc\u0301\n", cursor: [2]int{2, 0}},
		{name: "combining at the line start is dropped", cols: 5, rows: 2, in: "\u0301a", want: "a\n", cursor: [2]int{1, 0}},
		{name: "at most MaxMarks marks", cols: 5, rows: 2, in: "e\u0301\u0302\u0303", want: "e\u0301\u0302\n", cursor: [2]int{1, 0}},
		{name: "ZWJ and VS16 attach", cols: 10, rows: 2, in: "👨\u200d👩\ufe0f", want: "👨\u200d👩\ufe0f\n", cursor: [2]int{4, 0}},
		{name: "invalid byte", cols: 10, rows: 2, in: "a\xffb", want: "a\ufffdb\n", cursor: [2]int{3, 0}},
		{name: "truncated sequence", cols: 10, rows: 2, in: "\xe4\xb8x", want: "\ufffdx\n", cursor: [2]int{2, 0}},
		{name: "overlong", cols: 10, rows: 2, in: "\xc0\xaf", want: "\ufffd\ufffd\n", cursor: [2]int{2, 0}},
		{name: "overlong three bytes", cols: 10, rows: 2, in: "\xe0\x80\x80", want: "\ufffd\ufffd\ufffd\n", cursor: [2]int{3, 0}},
		{name: "surrogate", cols: 10, rows: 2, in: "\xed\xa0\x80", want: "\ufffd\ufffd\ufffd\n", cursor: [2]int{3, 0}},
		{name: "above U+10FFFF", cols: 10, rows: 2, in: "\xf4\x90\x80\x80", want: "\ufffd\ufffd\ufffd\ufffd\n", cursor: [2]int{4, 0}},
		{name: "stray continuation", cols: 10, rows: 2, in: "\x80a", want: "\ufffda\n", cursor: [2]int{2, 0}},
		{name: "UTF-8 broken by ESC", cols: 10, rows: 2, in: "\xe4\xb8\x1b[2Cx", want: "\ufffd  x\n", cursor: [2]int{4, 0}},
		{name: "C1 code points print nothing", cols: 10, rows: 2, in: "a\u0085\u009b\u0080b\u00a0", want: "ab\u00a0\n", cursor: [2]int{3, 0}},

		// The parser.
		{name: "CAN aborts a sequence", cols: 10, rows: 2, in: "\x1b[2\x18Cx", want: "Cx\n", cursor: [2]int{2, 0}},
		{name: "SUB aborts a sequence", cols: 10, rows: 2, in: "\x1b[2\x1aCx", want: "Cx\n", cursor: [2]int{2, 0}},
		{name: "ESC restarts a sequence", cols: 10, rows: 2, in: "\x1b[5\x1b[2Cx", want: "  x\n", cursor: [2]int{3, 0}},
		{name: "C0 inside CSI executes", cols: 10, rows: 2, in: "abc\x1b[\r2Cx", want: "abx\n", cursor: [2]int{3, 0}},
		{name: "unknown CSI ignored", cols: 10, rows: 2, in: "\x1b[999zab", want: "ab\n", cursor: [2]int{2, 0}},
		{name: "unknown private mode ignored", cols: 10, rows: 2, in: "\x1b[?999;12hab", want: "ab\n", cursor: [2]int{2, 0}},
		{name: "second private marker ignores", cols: 10, rows: 2, in: "\x1b[1?2Cab", want: "ab\n", cursor: [2]int{2, 0}},
		{name: "too many intermediates ignore", cols: 10, rows: 2, in: "\x1b[1 !\"Cab", want: "ab\n", cursor: [2]int{2, 0}},
		{name: "sub-parameters outside SGR ignore", cols: 10, rows: 2, in: "\x1b[2:3Cx", want: "x\n", cursor: [2]int{1, 0}},
		{name: "many parameters", cols: 10, rows: 2, in: "\x1b[" + strings.Repeat("1;", 100) + "mx", want: "x\n", cursor: [2]int{1, 0}},
		{name: "huge parameter", cols: 10, rows: 2, in: "\x1b[99999999999999999999Cx", want: "         x\n", cursor: [2]int{9, 0}},
		{name: "DCS ignored", cols: 10, rows: 2, in: "\x1bPq#0;2;0;0;0#0~~\x1b\\d", want: "d\n", cursor: [2]int{1, 0}},
		{name: "APC PM SOS ignored", cols: 10, rows: 2, in: "\x1b_a\x1b\\\x1b^b\x1b\\\x1bXc\x1b\\d", want: "d\n", cursor: [2]int{1, 0}},
		{name: "OSC prints nothing", cols: 10, rows: 2, in: "\x1b]0;title\x07a\x1b]2;t\x1b\\b", want: "ab\n", cursor: [2]int{2, 0}},
		{name: "OSC hyperlink keeps its text", cols: 10, rows: 2, in: "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", want: "link\n", cursor: [2]int{4, 0}},
		{name: "unknown ESC ignored", cols: 10, rows: 2, in: "\x1b%Ga\x1bnb", want: "ab\n", cursor: [2]int{2, 0}},
	}
}

func TestScreen(t *testing.T) {
	for _, tc := range screenCases() {
		t.Run(tc.name, func(t *testing.T) {
			tm := New(tc.cols, tc.rows, 100)
			tm.Write([]byte(tc.in))
			checkInvariants(t, tm)
			if got := tm.Text(); got != tc.want {
				t.Errorf("Text() = %q, want %q", got, tc.want)
			}
			if got := cursorOf(tm); got != tc.cursor {
				t.Errorf("cursor = %v, want %v", got, tc.cursor)
			}
			if got := tm.ScrollbackLen(); got != tc.scrollback {
				t.Errorf("ScrollbackLen() = %d, want %d", got, tc.scrollback)
			}
		})
	}
}

// TestSplitWrites checks that output split anywhere, even byte by byte,
// gives what it gives in one piece, through Write and WriteString.
func TestSplitWrites(t *testing.T) {
	for _, tc := range screenCases() {
		t.Run(tc.name, func(t *testing.T) {
			whole := New(tc.cols, tc.rows, 100)
			whole.Write([]byte(tc.in))
			want := snapshot(whole)

			bytewise := New(tc.cols, tc.rows, 100)
			for i := range len(tc.in) {
				bytewise.Write([]byte(tc.in[i : i+1]))
			}
			if d := diffState(snapshot(bytewise), want); d != "" {
				t.Errorf("byte at a time differs: %s", d)
			}

			for cut := range len(tc.in) {
				split := New(tc.cols, tc.rows, 100)
				split.Write([]byte(tc.in[:cut]))
				split.Write([]byte(tc.in[cut:]))
				if d := diffState(snapshot(split), want); d != "" {
					t.Fatalf("split at %d differs: %s", cut, d)
				}
			}

			str := New(tc.cols, tc.rows, 100)
			str.WriteString(tc.in)
			if d := diffState(snapshot(str), want); d != "" {
				t.Errorf("WriteString differs: %s", d)
			}
		})
	}
}

func TestWriteReturnsLength(t *testing.T) {
	tm := New(10, 2, 0)
	for _, in := range []string{"", "abc", "\x1b[", "\xff\xfe"} {
		n, err := tm.Write([]byte(in))
		if n != len(in) || err != nil {
			t.Errorf("Write(%q) = %d, %v, want %d, nil", in, n, err, len(in))
		}
		n, err = tm.WriteString(in)
		if n != len(in) || err != nil {
			t.Errorf("WriteString(%q) = %d, %v, want %d, nil", in, n, err, len(in))
		}
	}
}

// sgrCase is the pen wanted on a character printed after in.
type sgrCase struct {
	name   string
	in     string
	fg, bg Color
	attr   Attr
}

func sgrCases() []sgrCase {
	return []sgrCase{
		{name: "none", in: ""},
		{name: "bold", in: "\x1b[1m", attr: Bold},
		{name: "faint", in: "\x1b[2m", attr: Faint},
		{name: "italic", in: "\x1b[3m", attr: Italic},
		{name: "underline", in: "\x1b[4m", attr: Underline},
		{name: "underline off by 4:0", in: "\x1b[4m\x1b[4:0m"},
		{name: "double underline 4:2", in: "\x1b[4:2m", attr: DoubleUnderline},
		{name: "curly underline 4:3", in: "\x1b[4:3m", attr: Underline},
		{name: "double underline 21", in: "\x1b[4;21m", attr: DoubleUnderline},
		{name: "blink", in: "\x1b[5m", attr: Blink},
		{name: "rapid blink", in: "\x1b[6m", attr: Blink},
		{name: "inverse", in: "\x1b[7m", attr: Inverse},
		{name: "hidden", in: "\x1b[8m", attr: Hidden},
		{name: "strike", in: "\x1b[9m", attr: Strike},
		{name: "22 ends bold and faint", in: "\x1b[1;2;3m\x1b[22m", attr: Italic},
		{name: "23-29 end each", in: "\x1b[1;3;4;5;7;8;9m\x1b[23;24;25;27;28;29m", attr: Bold},
		{name: "24 ends double underline", in: "\x1b[21;24m"},
		{name: "0 resets", in: "\x1b[1;31;42m\x1b[0m"},
		{name: "empty resets", in: "\x1b[1;31;42m\x1b[m"},
		{name: "empty parameter is 0", in: "\x1b[31;;1m", attr: Bold},
		{name: "ANSI foreground", in: "\x1b[31m", fg: Red},
		{name: "ANSI background", in: "\x1b[47m", bg: White},
		{name: "bright foreground", in: "\x1b[91m", fg: BrightRed},
		{name: "bright background", in: "\x1b[107m", bg: BrightWhite},
		{name: "39 and 49", in: "\x1b[31;41m\x1b[39;49m"},
		{name: "256 foreground", in: "\x1b[38;5;208m", fg: Indexed(208)},
		{name: "256 background", in: "\x1b[48;5;17m", bg: Indexed(17)},
		{name: "256 clamped", in: "\x1b[38;5;999m", fg: Indexed(255)},
		{name: "truecolor", in: "\x1b[38;2;1;2;3;48;2;4;5;6m", fg: RGB(1, 2, 3), bg: RGB(4, 5, 6)},
		{name: "truecolor clamped", in: "\x1b[38;2;300;0;0m", fg: RGB(255, 0, 0)},
		{name: "colon 256", in: "\x1b[38:5:100m", fg: Indexed(100)},
		{name: "colon truecolor with colour space", in: "\x1b[38:2::10:20:30m", fg: RGB(10, 20, 30)},
		{name: "colon truecolor without colour space", in: "\x1b[48:2:10:20:30m", bg: RGB(10, 20, 30)},
		{name: "colon form then more", in: "\x1b[38:5:1;1m", fg: Indexed(1), attr: Bold},
		{name: "semicolon form then more", in: "\x1b[38;5;1;4m", fg: Indexed(1), attr: Underline},
		{name: "underline colour skipped", in: "\x1b[58;2;1;2;3m"},
		{name: "underline colour colon skipped", in: "\x1b[58:5:9;1m", attr: Bold},
		{name: "malformed 38 eats the rest", in: "\x1b[38;5m\x1b[38;7;1m"},
		{name: "combined", in: "\x1b[1;4;31;44m", fg: Red, bg: Blue, attr: Bold | Underline},
		{name: "unknown ignored", in: "\x1b[1;73;4m", attr: Bold | Underline},
		{name: "push then pop restores", in: "\x1b[1;31m\x1b[#{\x1b[0;2;32m\x1b[#}", fg: Red, attr: Bold},
		{name: "pop on empty stack keeps the pen", in: "\x1b[34m\x1b[#}", fg: Blue},
		{name: "nested", in: "\x1b[31m\x1b[#{\x1b[32m\x1b[#{\x1b[33m\x1b[#}\x1b[#}", fg: Red},
	}
}

func TestSGR(t *testing.T) {
	for _, tc := range sgrCases() {
		t.Run(tc.name, func(t *testing.T) {
			tm := New(10, 2, 0)
			tm.Write([]byte(tc.in + "x"))
			got := tm.Cell(0, 0)
			if got.Rune != 'x' || got.FG != tc.fg || got.BG != tc.bg || got.Attr != tc.attr {
				t.Errorf("cell = %q fg %v bg %v attr %v, want 'x' fg %v bg %v attr %v",
					got.Rune, got.FG, got.BG, got.Attr, tc.fg, tc.bg, tc.attr)
			}
		})
	}
}

func TestEraseUsesBackground(t *testing.T) {
	tm := New(5, 2, 0)
	tm.Write([]byte("abcde\x1b[44m\x1b[3G\x1b[K"))
	tests := []struct {
		x    int
		want Color
	}{{0, DefaultColor}, {1, DefaultColor}, {2, Blue}, {4, Blue}}
	for _, tt := range tests {
		if got := tm.Cell(tt.x, 0).BG; got != tt.want {
			t.Errorf("Cell(%d, 0).BG = %v, want %v", tt.x, got, tt.want)
		}
	}
	// Scrolling brings in blank lines in the current background too.
	tm.Write([]byte("\r\n\r\n"))
	if got := tm.Cell(0, 1).BG; got != Blue {
		t.Errorf("new line BG = %v, want %v", got, Blue)
	}
}

func TestWideCells(t *testing.T) {
	tm := New(6, 2, 0)
	tm.Write([]byte("a世\x1b[31m界"))
	tests := []struct {
		x     int
		rune  rune
		width uint8
		fg    Color
	}{
		{0, 'a', 1, DefaultColor},
		{1, '世', 2, DefaultColor},
		{2, 0, 0, DefaultColor},
		{3, '界', 2, Red},
		{4, 0, 0, Red},
		{5, ' ', 1, DefaultColor},
	}
	for _, tt := range tests {
		c := tm.Cell(tt.x, 0)
		if c.Rune != tt.rune || c.Width != tt.width || c.FG != tt.fg {
			t.Errorf("Cell(%d, 0) = %q width %d fg %v, want %q width %d fg %v", tt.x, c.Rune, c.Width, c.FG, tt.rune, tt.width, tt.fg)
		}
	}
}

func TestCombiningMarks(t *testing.T) {
	tm := New(6, 2, 0)
	tm.Write([]byte("e\u0301\u0323"))
	c := tm.Cell(0, 0)
	if c.Rune != 'e' || c.Marks != [MaxMarks]rune{0x301, 0x323} {
		t.Errorf("Cell(0, 0) = %q marks %U, want 'e' marks [U+0301 U+0323]", c.Rune, c.Marks)
	}
	if got, want := c.String(), "e\u0301\u0323"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	// Overwriting the cell drops its marks.
	tm.Write([]byte("\rx"))
	if got := tm.Cell(0, 0); got.Marks != [MaxMarks]rune{} {
		t.Errorf("marks after overwrite = %U, want none", got.Marks)
	}
}

func TestResponder(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"DSR 5", "\x1b[5n", "\x1b[0n"},
		{"DSR 6", "\x1b[3;7H\x1b[6n", "\x1b[3;7R"},
		{"DSR 6 at a pending wrap", "\x1b[1;10Hx\x1b[6n", "\x1b[1;10R"},
		{"DSR 6 in origin mode", "\x1b[2;5r\x1b[?6h\x1b[2;3H\x1b[6n", "\x1b[2;3R"},
		{"DECXCPR", "\x1b[2;2H\x1b[?6n", "\x1b[?2;2R"},
		{"DA", "\x1b[c", "\x1b[?62;22c"},
		{"DA 0", "\x1b[0c", "\x1b[?62;22c"},
		{"DA2", "\x1b[>c", "\x1b[>1;10;0c"},
		{"DECID", "\x1bZ", "\x1b[?62;22c"},
		{"size", "\x1b[18t", "\x1b[8;5;10t"},
		{"two answers", "\x1b[5n\x1b[6n", "\x1b[0n\x1b[1;1R"},
		{"no answer", "\x1b[7n\x1b[14t\x1b[1c", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := New(10, 5, 0)
			var got []byte
			tm.SetResponder(func(p []byte) { got = append(got, p...) })
			tm.Write([]byte(tt.in))
			if string(got) != tt.want {
				t.Errorf("answers = %q, want %q", got, tt.want)
			}
		})
	}
	// A nil responder drops answers.
	tm := New(10, 5, 0)
	tm.Write([]byte("\x1b[6n\x1b[c"))
}

func TestTitle(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want string
	}{
		{"OSC 0 with BEL", []string{"\x1b]0;Dragon MUD\x07"}, "Dragon MUD"},
		{"OSC 2 with ST", []string{"\x1b]2;Dragon MUD\x1b\\"}, "Dragon MUD"},
		{"OSC 1 is the icon name", []string{"\x1b]1;icon\x07"}, ""},
		{"UTF-8", []string{"\x1b]2;Drachenhöhle 龍\x07"}, "Drachenhöhle 龍"},
		{"split", []string{"\x1b]2;Dra", "gon\x1b", "\\"}, "Dragon"},
		{"controls dropped", []string{"\x1b]2;a\x01b\u0085c\x07"}, "abc"},
		{"invalid UTF-8 replaced", []string{"\x1b]2;a\xffb\x07"}, "a\ufffdb"},
		{"CAN aborts", []string{"\x1b]2;x\x18\x07"}, ""},
		{"ESC other than ST aborts", []string{"\x1b]2;x\x1b[m"}, ""},
		{"over 4 KiB discarded", []string{"\x1b]2;" + strings.Repeat("x", maxOSC) + "\x07"}, ""},
		{"later title wins", []string{"\x1b]2;a\x07\x1b]0;b\x07"}, "b"},
		{"no number", []string{"\x1b];a\x07"}, ""},
		{"empty clears", []string{"\x1b]2;a\x07\x1b]2;\x07"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := New(10, 2, 0)
			for _, s := range tt.in {
				tm.Write([]byte(s))
			}
			if got := tm.Title(); got != tt.want {
				t.Errorf("Title() = %q, want %q", got, tt.want)
			}
			checkInvariants(t, tm)
		})
	}
}

func TestBell(t *testing.T) {
	tm := New(10, 2, 0)
	calls := 0
	tm.SetBell(func() { calls++ })
	tm.Write([]byte("a\a\x1b]2;t\x07\x1b[\a1m\a"))
	if got, want := tm.Bells(), 3; got != want {
		t.Errorf("Bells() = %d, want %d", got, want)
	}
	if calls != 3 {
		t.Errorf("bell calls = %d, want 3", calls)
	}
	tm.SetBell(nil)
	tm.Write([]byte("\a"))
	if got := tm.Bells(); got != 4 {
		t.Errorf("Bells() = %d, want 4", got)
	}
}

func TestScrollback(t *testing.T) {
	tm := New(5, 2, 3)
	for _, s := range []string{"1", "2", "3", "4", "5", "6"} {
		tm.Write([]byte(s + "\r\n"))
	}
	// Lines 1-5 left the screen; the ring keeps the last three.
	var got []string
	for i := range tm.ScrollbackLen() {
		got = append(got, RowText(tm.ScrollbackLine(i)))
	}
	if want := []string{"3", "4", "5"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("scrollback = %q, want %q", got, want)
	}
	if got := tm.ScrollbackAdded(); got != 5 {
		t.Errorf("ScrollbackAdded() = %d, want 5", got)
	}
	if got := len(tm.ScrollbackLine(0)); got != 1 {
		t.Errorf("len(ScrollbackLine(0)) = %d, want 1 (trailing blanks trimmed)", got)
	}
	if tm.ScrollbackLine(-1) != nil || tm.ScrollbackLine(3) != nil {
		t.Errorf("ScrollbackLine out of range is not nil")
	}
	tm.Write([]byte("\x1b[3J"))
	if got := tm.ScrollbackLen(); got != 0 {
		t.Errorf("ScrollbackLen() after ED 3 = %d, want 0", got)
	}
	tm.Write([]byte("7\r\n8\r\n"))
	if got := RowText(tm.ScrollbackLine(tm.ScrollbackLen() - 1)); got != "7" {
		t.Errorf("newest after ED 3 = %q, want %q", got, "7")
	}
}

func TestScrollbackKeepsColoursAndWrap(t *testing.T) {
	tm := New(3, 1, 10)
	tm.Write([]byte("\x1b[41mabcd\x1b[m\r\n"))
	if got := tm.ScrollbackLen(); got != 2 {
		t.Fatalf("ScrollbackLen() = %d, want 2", got)
	}
	if !tm.ScrollbackWrapped(0) || tm.ScrollbackWrapped(1) {
		t.Errorf("wrapped = %v, %v, want true, false", tm.ScrollbackWrapped(0), tm.ScrollbackWrapped(1))
	}
	line := tm.ScrollbackLine(1)
	// "d" then two blanks with a red background: not trimmed, they show.
	if len(line) != 3 || line[2].BG != Red {
		t.Errorf("line 1 = %+v, want 3 cells ending in a red blank", line)
	}
}

func TestNoScrollback(t *testing.T) {
	tm := New(5, 2, 0)
	tm.Write([]byte(strings.Repeat("line\r\n", 10)))
	if got := tm.ScrollbackLen(); got != 0 {
		t.Errorf("ScrollbackLen() = %d, want 0", got)
	}
	checkInvariants(t, tm)
}

func TestResize(t *testing.T) {
	tests := []struct {
		name       string
		cols, rows int
		in         string
		newCols    int
		newRows    int
		want       string
		cursor     [2]int
		scrollback []string
	}{
		{
			name: "narrower clips", cols: 6, rows: 2, in: "abcdef\r\nxy", newCols: 3, newRows: 2,
			want: "abc\nxy", cursor: [2]int{2, 1},
		},
		{
			name: "wider pads", cols: 3, rows: 2, in: "abc", newCols: 6, newRows: 2,
			want: "abc\n", cursor: [2]int{2, 0},
		},
		{
			name: "narrower cuts a wide character", cols: 6, rows: 2, in: "ab世", newCols: 3, newRows: 2,
			want: "ab\n", cursor: [2]int{2, 0},
		},
		{
			name: "fewer rows drops blank rows under the cursor first", cols: 5, rows: 4, in: "1\r\n2", newCols: 5, newRows: 2,
			want: "1\n2", cursor: [2]int{1, 1},
		},
		{
			name: "fewer rows pushes the top into history", cols: 5, rows: 4, in: "1\r\n2\r\n3\r\n4", newCols: 5, newRows: 2,
			want: "3\n4", cursor: [2]int{1, 1}, scrollback: []string{"1", "2"},
		},
		{
			name: "fewer rows with the cursor in the middle", cols: 5, rows: 4, in: "1\r\n2\r\n3\r\n4\x1b[3;1H", newCols: 5, newRows: 2,
			want: "2\n3", cursor: [2]int{0, 1}, scrollback: []string{"1"},
		},
		{
			name: "more rows pull history back", cols: 5, rows: 2, in: "1\r\n2\r\n3\r\n4", newCols: 5, newRows: 4,
			want: "1\n2\n3\n4", cursor: [2]int{1, 3},
		},
		{
			name: "more rows than history", cols: 5, rows: 2, in: "1\r\n2\r\n3", newCols: 5, newRows: 5,
			want: "1\n2\n3\n\n", cursor: [2]int{1, 2},
		},
		{
			name: "clamped", cols: 5, rows: 2, in: "ab", newCols: -3, newRows: 0,
			want: "a", cursor: [2]int{0, 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := New(tt.cols, tt.rows, 100)
			tm.Write([]byte(tt.in))
			tm.Resize(tt.newCols, tt.newRows)
			checkInvariants(t, tm)
			if got := tm.Text(); got != tt.want {
				t.Errorf("Text() = %q, want %q", got, tt.want)
			}
			if got := cursorOf(tm); got != tt.cursor {
				t.Errorf("cursor = %v, want %v", got, tt.cursor)
			}
			var sb []string
			for i := range tm.ScrollbackLen() {
				sb = append(sb, RowText(tm.ScrollbackLine(i)))
			}
			if strings.Join(sb, ",") != strings.Join(tt.scrollback, ",") {
				t.Errorf("scrollback = %q, want %q", sb, tt.scrollback)
			}
			// It goes on working at the new size.
			tm.Write([]byte("\r\nafter\r\n世界"))
			checkInvariants(t, tm)
		})
	}
}

func TestResizeAltScreen(t *testing.T) {
	tm := New(10, 4, 100)
	tm.Write([]byte("1\r\n2\r\n3\r\n4\x1b[?1049h\x1b[4;1Halt"))
	tm.Resize(8, 2)
	checkInvariants(t, tm)
	if got, want := tm.Text(), "\nalt"; got != want {
		t.Errorf("alt Text() = %q, want %q", got, want)
	}
	if got := tm.ScrollbackLen(); got != 2 {
		t.Errorf("ScrollbackLen() = %d, want 2 (from the main screen)", got)
	}
	tm.Write([]byte("\x1b[?1049l"))
	if got, want := tm.Text(), "3\n4"; got != want {
		t.Errorf("main Text() = %q, want %q", got, want)
	}
	if got := cursorOf(tm); got != [2]int{1, 1} {
		t.Errorf("cursor = %v, want [1 1]", got)
	}
}

func TestResizeSameSizeKeepsDirty(t *testing.T) {
	tm := New(10, 4, 0)
	tm.ClearDirty()
	tm.Resize(10, 4)
	if tm.Dirty() {
		t.Errorf("Dirty() after a resize to the same size = true, want false")
	}
	tm.Resize(11, 4)
	if !tm.Dirty() || !tm.RowDirty(3) {
		t.Errorf("Dirty() after a resize = false, want true")
	}
}

func TestDirty(t *testing.T) {
	tm := New(10, 5, 10)
	if !tm.Dirty() {
		t.Errorf("new terminal is not dirty")
	}
	tm.ClearDirty()
	if tm.Dirty() {
		t.Fatalf("Dirty() after ClearDirty = true")
	}
	tests := []struct {
		name string
		in   string
		rows []int
	}{
		{"nothing", "", nil},
		{"print on row 0", "ab", []int{0}},
		{"cursor move marks both rows", "\x1b[3;1H", []int{0, 2}},
		{"write moves the cursor on its row", "x", []int{2}},
		{"scroll region", "\x1b[2;4r\x1b[4;1H\n", []int{1, 2, 3}},
		{"erase", "\x1b[4;1H\x1b[K", []int{3}},
		{"mode only", "\x1b[?1h", nil},
		{"alternate screen", "\x1b[?1049h", []int{0, 1, 2, 3, 4}},
		{"cursor hidden", "\x1b[?25l", []int{3}},
	}
	for _, tt := range tests {
		tm.ClearDirty()
		tm.Write([]byte(tt.in))
		got := tm.DirtyRows(nil)
		if !slices.Equal(got, tt.rows) {
			t.Errorf("%s: DirtyRows = %v, want %v", tt.name, got, tt.rows)
		}
		for y := range 5 {
			want := false
			for _, r := range tt.rows {
				want = want || r == y
			}
			if got := tm.RowDirty(y); got != want {
				t.Errorf("%s: RowDirty(%d) = %v, want %v", tt.name, y, got, want)
			}
		}
		if len(tt.rows) > 0 && !tm.Dirty() {
			t.Errorf("%s: Dirty() = false with dirty rows", tt.name)
		}
	}
	// A title change is a change though no row changed.
	tm.ClearDirty()
	tm.Write([]byte("\x1b]2;new\x07"))
	if !tm.Dirty() {
		t.Errorf("Dirty() after a title change = false, want true")
	}
	if tm.RowDirty(-1) || tm.RowDirty(5) {
		t.Errorf("RowDirty off the screen = true")
	}
}

func TestModes(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Modes
	}{
		{"defaults", "", Modes{}},
		{"DECCKM", "\x1b[?1h", Modes{AppCursor: true}},
		{"DECCKM off", "\x1b[?1h\x1b[?1l", Modes{}},
		{"DECKPAM", "\x1b=", Modes{AppKeypad: true}},
		{"DECKPNM", "\x1b=\x1b>", Modes{}},
		{"LNM", "\x1b[20h", Modes{NewLine: true}},
		{"bracketed paste", "\x1b[?2004h", Modes{BracketedPaste: true}},
		{"focus", "\x1b[?1004h", Modes{FocusEvents: true}},
		{"mouse", "\x1b[?1000h\x1b[?1006h", Modes{Mouse: MouseNormal, MouseSGR: true}},
		{"mouse any then off", "\x1b[?1003h\x1b[?1003l", Modes{}},
		{"mouse off of another mode keeps", "\x1b[?1002h\x1b[?1000l", Modes{Mouse: MouseButton}},
		{"several at once", "\x1b[?1;2004h", Modes{AppCursor: true, BracketedPaste: true}},
		{"alternate screen", "\x1b[?1049h", Modes{AltScreen: true}},
		{"reverse video", "\x1b[?5h", Modes{ReverseVideo: true}},
		{"cursor style", "\x1b[5 q", Modes{CursorStyle: CursorBlinkingBar}},
		{"bad cursor style", "\x1b[9 q", Modes{}},
		{"DECSTR", "\x1b[?1h\x1b=\x1b[2 q\x1b[!p", Modes{}},
		{"RIS", "\x1b[?1h\x1b[?2004h\x1b[?1049h\x1bc", Modes{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := New(10, 2, 0)
			tm.Write([]byte(tt.in))
			if got := tm.Modes(); got != tt.want {
				t.Errorf("Modes() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCursorVisible(t *testing.T) {
	tm := New(10, 2, 0)
	tests := []struct {
		in   string
		want bool
	}{{"", true}, {"\x1b[?25l", false}, {"\x1b[?25h", true}, {"\x1b[?25l\x1b[!p", true}}
	for _, tt := range tests {
		tm.Write([]byte(tt.in))
		if _, _, got := tm.Cursor(); got != tt.want {
			t.Errorf("after %q visible = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestAccessorsOutOfRange(t *testing.T) {
	tm := New(4, 2, 0)
	blank := blankCell(DefaultColor)
	for _, xy := range [][2]int{{-1, 0}, {0, -1}, {4, 0}, {0, 2}} {
		if got := tm.Cell(xy[0], xy[1]); got != blank {
			t.Errorf("Cell(%d, %d) = %+v, want a blank", xy[0], xy[1], got)
		}
	}
	if tm.Line(-1) != nil || tm.Line(2) != nil {
		t.Errorf("Line out of range is not nil")
	}
	if got := len(tm.Line(1)); got != 4 {
		t.Errorf("len(Line(1)) = %d, want 4", got)
	}
	if tm.Wrapped(-1) || tm.Wrapped(9) || tm.ScrollbackWrapped(0) {
		t.Errorf("Wrapped out of range = true")
	}
}

func TestWrappedRows(t *testing.T) {
	tm := New(3, 3, 0)
	tm.Write([]byte("abcd\r\nef"))
	tests := []struct {
		y    int
		want bool
	}{{0, true}, {1, false}, {2, false}}
	for _, tt := range tests {
		if got := tm.Wrapped(tt.y); got != tt.want {
			t.Errorf("Wrapped(%d) = %v, want %v", tt.y, got, tt.want)
		}
	}
}

func TestNewClamps(t *testing.T) {
	tests := []struct {
		cols, rows, sb     int
		wantCols, wantRows int
		wantSB             int
	}{
		{0, 0, -1, 1, 1, 0},
		{MaxCols + 1, MaxRows + 1, MaxScrollback + 1, MaxCols, MaxRows, MaxScrollback},
		{80, 24, 1000, 80, 24, 1000},
	}
	for _, tt := range tests {
		tm := New(tt.cols, tt.rows, tt.sb)
		c, r := tm.Size()
		if c != tt.wantCols || r != tt.wantRows || tm.sb.max != tt.wantSB {
			t.Errorf("New(%d, %d, %d): size %d, %d scrollback %d, want %d, %d, %d",
				tt.cols, tt.rows, tt.sb, c, r, tm.sb.max, tt.wantCols, tt.wantRows, tt.wantSB)
		}
		checkInvariants(t, tm)
	}
}

func TestRotate(t *testing.T) {
	for size := 1; size <= 6; size++ {
		for n := 0; n <= size; n++ {
			s := make([]line, size)
			for i := range s {
				s[i].cells = []Cell{{Rune: rune('a' + i)}}
			}
			rotate(s, n)
			for i := range s {
				want := rune('a' + (i+n)%size)
				if got := s[i].cells[0].Rune; got != want {
					t.Errorf("rotate(%d lines, %d)[%d] = %q, want %q", size, n, i, got, want)
				}
			}
		}
	}
}

// TestScrollbackTenThousand checks a scrollback of 10,000 lines, the
// client's: it keeps the newest lines, holds each in few more bytes than
// its text, and allocates nothing once full of lines like the new ones.
func TestScrollbackTenThousand(t *testing.T) {
	const keep, cols = 10000, 80
	tm := New(cols, 24, keep)
	var b []byte
	for i := range 25000 {
		b = fmt.Appendf(b, "line %d\r\n", i)
	}
	tm.Write(b)
	if got := tm.ScrollbackLen(); got != keep {
		t.Fatalf("ScrollbackLen() = %d, want %d", got, keep)
	}
	// 25,000 lines, 23 of them still on the screen above the cursor row.
	if got, want := tm.ScrollbackAdded(), uint64(25000-23); got != want {
		t.Errorf("ScrollbackAdded() = %d, want %d", got, want)
	}
	if got, want := RowText(tm.ScrollbackLine(0)), fmt.Sprintf("line %d", 25000-23-keep); got != want {
		t.Errorf("oldest line = %q, want %q", got, want)
	}
	if got, want := RowText(tm.ScrollbackLine(keep-1)), fmt.Sprintf("line %d", 25000-24); got != want {
		t.Errorf("newest line = %q, want %q", got, want)
	}
	if len(tm.sb.buf) != keep {
		t.Errorf("%d slots, want %d", len(tm.sb.buf), keep)
	}
	// "line 12345" is 10 bytes; a slot's array may be a quarter and 16
	// bytes bigger than its line.
	if got, limit := tm.sb.heldBytes(), keep*(10+10/4+16); got > limit {
		t.Errorf("the scrollback holds %d bytes of lines, more than %d", got, limit)
	}
	more := []byte(strings.Repeat("another line of output, coloured \x1b[31mred\x1b[m\r\n", 100))
	for range keep / 100 { // fill the ring with such lines
		tm.Write(more)
	}
	if got := testing.AllocsPerRun(10, func() { tm.Write(more) }); got != 0 {
		t.Errorf("writing into a full scrollback: %v allocations, want 0", got)
	}
}
