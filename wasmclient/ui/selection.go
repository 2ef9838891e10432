package ui

import (
	"strings"
	"unicode"

	"github.com/drawbridge/drawbridge/wasmclient/term"
)

// textPos is a place in the text: a line number (see view.go) and a
// column.
type textPos struct {
	line int64
	col  int
}

// before reports whether p comes before q in reading order.
func (p textPos) before(q textPos) bool {
	return p.line < q.line || p.line == q.line && p.col < q.col
}

// selection is the text between two positions, both included, in
// reading order: the rest of the first line, whole lines, the start of
// the last, as terminals select. The zero value selects nothing.
//
// It is held as line numbers, so it moves with its text as output
// scrolls it up, into the scrollback and out of a scrolled-back view;
// lines that fall off the end of the scrollback take their part of the
// highlight with them. A click clears it, and so do a resize and a
// switch to or from the alternate screen, which renumber or replace the
// lines. Text rewritten in place under it (a prompt line) stays
// highlighted: what was copied was copied on release.
type selection struct {
	anchor, head textPos
	active       bool
}

// ordered returns the selection's ends, first first.
func (s selection) ordered() (a, b textPos) {
	if s.head.before(s.anchor) {
		return s.head, s.anchor
	}
	return s.anchor, s.head
}

// cols returns the selected columns [x0, x1) of line l in a view width
// columns wide, and false if none are.
func (s selection) cols(l int64, width int) (x0, x1 int, ok bool) {
	if !s.active {
		return 0, 0, false
	}
	a, b := s.ordered()
	if l < a.line || l > b.line {
		return 0, 0, false
	}
	x0, x1 = 0, width
	if l == a.line {
		x0 = a.col
	}
	if l == b.line {
		x1 = b.col + 1
	}
	x0, x1 = max(0, x0), min(width, x1)
	return x0, x1, x0 < x1
}

// lines returns the first and last line numbers of the selection.
func (s selection) lines() (first, last int64) {
	a, b := s.ordered()
	return a.line, b.line
}

// selectionText returns the text from a to b (a first) in t: lines
// joined by "\n" with trailing spaces trimmed, except that a line that
// auto-wrapped joins the next without a break, so a wrapped URL or
// sentence copies whole. Wide characters appear once, combining marks are
// kept, and lines since dropped from the scrollback are skipped.
func selectionText(t *term.Terminal, a, b textPos) string {
	var buf []byte
	for l := a.line; l <= b.line; l++ {
		cells, wrapped, ok := lineCells(t, l)
		if !ok {
			continue
		}
		x0, x1 := 0, len(cells)
		if l == a.line {
			x0 = min(max(0, a.col), len(cells))
		}
		if l == b.line {
			x1 = min(max(0, b.col+1), len(cells))
		}
		if x0 > 0 && x0 < len(cells) && cells[x0].Width == 0 {
			x0-- // started on the right half of a wide character
		}
		start := len(buf)
		for x := x0; x < x1; x++ {
			buf = cells[x].AppendUTF8(buf)
		}
		if wrapped && l < b.line && x1 == len(cells) {
			continue // the line goes on in the next
		}
		for len(buf) > start && buf[len(buf)-1] == ' ' {
			buf = buf[:len(buf)-1]
		}
		if l < b.line {
			buf = append(buf, '\n')
		}
	}
	return string(buf)
}

// wordAt returns the word around column col of cells as columns
// [x0, x1): letters, digits and the punctuation of names, paths, URLs and
// addresses, without the punctuation that ends a sentence. On a space or
// other punctuation it returns that one character.
func wordAt(cells []term.Cell, col int) (x0, x1 int) {
	if col < 0 || col >= len(cells) {
		return col, col
	}
	if cells[col].Width == 0 && col > 0 {
		col-- // the right half of a wide character
	}
	word := func(x int) bool {
		if x > 0 && cells[x].Width == 0 {
			x--
		}
		return isWordRune(cells[x].Rune)
	}
	if !word(col) {
		return col, col + max(1, int(cells[col].Width))
	}
	x0, x1 = col, col+1
	for x0 > 0 && word(x0-1) {
		x0--
	}
	for x1 < len(cells) && word(x1) {
		x1++
	}
	for x1 > col+1 && strings.ContainsRune(".,:;!?'", cells[x1-1].Rune) {
		x1--
	}
	for x0 < col && cells[x0].Rune == '\'' {
		x0++
	}
	return x0, x1
}

// isWordRune reports whether r belongs in a word for double-click.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) ||
		strings.ContainsRune("_-.~/:@#%&+=?'", r)
}

// edgeScroll carries out actEdgeScroll: the view scrolls a.n lines (into
// the scrollback when positive) and the selection, from a.a, reaches to
// column a.b.col of the row now at the edge the pointer is past: the top
// row when scrolling back, the bottom row when scrolling forward. At the
// end of the scrollback or on the live screen the view stays put and the
// selection still reaches that row.
func (g *Game) edgeScroll(a action) {
	g.Scroll(a.n)
	g.lock.Lock()
	_, cy, _ := g.term.Cursor()
	l := layoutView(nil, g.rows, min(g.offset, g.sbLen), g.sbLen, g.added, cy)
	g.lock.Unlock()
	if len(l.rows) == 0 {
		return
	}
	r := l.rows[len(l.rows)-1]
	if a.n > 0 {
		r = l.rows[0]
	}
	col := min(max(a.b.col, 0), g.cols-1)
	g.setSelection(selection{anchor: a.a, head: textPos{line: r.line, col: col}, active: true})
}
