package gamelog

import (
	"strings"
	"testing"

	"github.com/drawbridge/drawbridge/wasmclient/term"
)

// termTokens is what FuzzAgainstTerm makes its output of: printable
// characters of one cell, the controls and sequences that move and
// erase within a line, CR LF, and colours.
var termTokens = []string{
	"a", "b", "c", "d", " ", "é", "ß", "€",
	"\r", "\b", "\t", "\r\n",
	"\x1b[K", "\x1b[0K", "\x1b[1K", "\x1b[2K",
	"\x1b[31m", "\x1b[1;44m", "\x1b[0m", "\x1b[22m", "\x1b[38;5;100m", "\x1b[48;2;1;2;3m", "\x1b[7m",
}

// FuzzAgainstTerm checks that, for output that stays within lines, the
// log keeps the text and colours the terminal shows: each byte of ops
// picks a token. The terminal is wide and tall enough that nothing wraps
// or scrolls.
func FuzzAgainstTerm(f *testing.F) {
	f.Add([]byte{0, 1, 8, 2, 3, 12})
	f.Add([]byte{0, 1, 2, 3, 0, 1, 8, 14, 4, 9, 9, 0, 15, 16, 1, 10, 10, 8, 13, 0, 11})
	f.Add([]byte{0, 1, 2, 3, 8, 10, 0, 10, 10, 10, 17, 14, 0, 19, 12, 3, 11})
	f.Fuzz(func(t *testing.T, ops []byte) {
		const maxTokens = 100
		if len(ops) > maxTokens {
			ops = ops[:maxTokens]
		}
		var in strings.Builder
		for _, op := range ops {
			in.WriteString(termTokens[int(op)%len(termTokens)])
		}
		// Tabs move at most 8 columns each, so no line reaches the edge.
		tm := term.New(8*maxTokens+10, maxTokens+2, 0)
		tm.WriteString(in.String())
		l := newTestLog()
		l.Write([]byte(in.String()))

		lines := dump(l) // only to get the partial line too
		all := l.TakeNew()
		if ln, ok := l.partial(); ok {
			all = append(all, Line{Text: ln.text()})
		}
		_, cy, _ := tm.Cursor()
		for y := 0; y <= cy; y++ {
			want := term.RowText(tm.Line(y))
			got := ""
			if y < len(all) {
				got = strings.TrimRight(all[y].Text, " ")
			}
			if got != want {
				t.Fatalf("%q: line %d: got %q, the terminal shows %q (log %q)", in.String(), y, got, want, lines)
			}
			if y < len(all) {
				compareStyles(t, in.String(), y, l, tm.Line(y))
			}
		}
		if len(all) > cy+1 {
			t.Fatalf("%q: logged %d lines, the terminal shows %d", in.String(), len(all), cy+1)
		}
	})
}

// compareStyles checks the colours and boldness of line y's non-blank
// characters against the terminal's cells.
func compareStyles(t *testing.T, in string, y int, l *Log, row []term.Cell) {
	t.Helper()
	l.seal()
	var ln line
	if i := l.head + y; i < len(l.lines) {
		ln = l.lines[i]
	} else {
		ln, _ = l.partial()
	}
	text := ln.text()
	rr := runReader{enc: ln.data[ln.n:]}
	nextOff, nextSt, more := rr.next()
	var st style
	col := 0
	for i, r := range text {
		for more && nextOff <= i {
			st = nextSt
			nextOff, nextSt, more = rr.next()
		}
		if r != ' ' {
			c := row[col]
			if uint32(c.FG) != uint32(st.fg) || uint32(c.BG) != uint32(st.bg) ||
				(c.Attr&term.Bold != 0) != (st.attr&attrBold != 0) || (c.Attr&term.Inverse != 0) != (st.attr&attrInverse != 0) {
				t.Fatalf("%q: line %d column %d (%q): got style %v, the terminal has fg %v bg %v %v", in, y, col, r, st, c.FG, c.BG, c.Attr)
			}
		}
		col++
	}
}
