package ui

import "github.com/drawbridge/drawbridge/wasmclient/term"

// The view and its lines.
//
// Every line of text has a number that stays with it while it scrolls
// from the live screen into the scrollback: live row y is number
// added+y and scrollback line i is added-len+i, where added is
// term.ScrollbackAdded and len term.ScrollbackLen. A line keeps its number
// when it scrolls off the top (added grows by one as it moves from row 0
// to the newest scrollback slot) and when the ring drops old lines. The
// selection and the hovered link are held as line numbers, so they stay
// on their text; the view's rows record the numbers they show, so a row
// is redrawn only when what it shows changed.

// When the player scrolls back, the view splits: history on top, a
// divider row, and the live screen's last rows below, so new output stays
// in sight. A view smaller than splitMinRows shows history on every row.
const (
	splitMinRows = 12
	liveMinRows  = 5
)

// rowKind says what a row of the view shows.
type rowKind uint8

const (
	rowLive    rowKind = iota // a row of the live screen
	rowHistory                // a line of the scrollback
	rowDivider                // the divider between history and the live part
)

// viewRow is what one row of the view shows.
type viewRow struct {
	kind  rowKind
	index int   // live row, or scrollback index
	line  int64 // the line's number; -1 for the divider
}

// viewLayout maps the rows of the view to lines for one frame.
type viewLayout struct {
	rows []viewRow
	// split is set when the view shows history above a divider at row
	// histRows and the live rows liveStart onward below it.
	split     bool
	histRows  int
	liveStart int
}

// liveRows returns how many live rows a split view of n rows keeps below
// the divider, or 0 if a view of n rows is not split.
func liveRows(n int) int {
	if n < splitMinRows {
		return 0
	}
	return max(liveMinRows, n/3)
}

// lineNumbers returns the numbers of live row 0 and of scrollback line 0.
func lineNumbers(added uint64, sbLen int) (live, oldest int64) {
	return int64(added), int64(added) - int64(sbLen)
}

// layoutView lays out a view of n rows scrolled offset lines back
// (0 <= offset <= sbLen) over a terminal with sbLen scrollback lines,
// added lines ever pushed and the cursor on row cy. It reuses dst.
//
// Scrolled back, the history rows show what an unsplit view would show at
// its top: the line offset lines above live row 0 first. The live part
// ends at the cursor row, or at the last row it fits, so a screen that
// was just cleared shows its top rows there.
func layoutView(dst []viewRow, n, offset, sbLen int, added uint64, cy int) viewLayout {
	live0, oldest := lineNumbers(added, sbLen)
	l := viewLayout{rows: dst[:0]}
	// history appends view rows for text line a, counted from the
	// oldest scrollback line as in an unsplit view.
	history := func(a int) {
		if a < sbLen {
			l.rows = append(l.rows, viewRow{kind: rowHistory, index: a, line: oldest + int64(a)})
			return
		}
		l.rows = append(l.rows, viewRow{kind: rowLive, index: a - sbLen, line: live0 + int64(a-sbLen)})
	}
	if offset <= 0 {
		for y := range n {
			l.rows = append(l.rows, viewRow{kind: rowLive, index: y, line: live0 + int64(y)})
		}
		return l
	}
	live := liveRows(n)
	if live == 0 {
		for y := range n {
			history(sbLen - offset + y)
		}
		return l
	}
	l.split, l.histRows = true, n-live-1
	for y := range l.histRows {
		history(sbLen - offset + y)
	}
	l.rows = append(l.rows, viewRow{kind: rowDivider, line: -1})
	last := min(n-1, max(cy, live-1))
	l.liveStart = last - live + 1
	for y := l.liveStart; y <= last; y++ {
		l.rows = append(l.rows, viewRow{kind: rowLive, index: y, line: live0 + int64(y)})
	}
	return l
}

// pageRows is how many rows PageUp moves a view of n rows: a page of the
// history part, less one row kept for context.
func pageRows(n int) int {
	if live := liveRows(n); live > 0 {
		return max(1, n-live-2)
	}
	return max(1, n-1)
}

// lineCells returns the cells of line number l, whether the line
// auto-wrapped onto the next one, and false if the line is gone (dropped
// from the scrollback) or not yet written. The slice is the terminal's.
func lineCells(t *term.Terminal, l int64) (cells []term.Cell, wrapped, ok bool) {
	live0, oldest := lineNumbers(t.ScrollbackAdded(), t.ScrollbackLen())
	if l >= live0 {
		y := l - live0
		if _, rows := t.Size(); y >= int64(rows) {
			return nil, false, false
		}
		return t.Line(int(y)), t.Wrapped(int(y)), true
	}
	if l < oldest {
		return nil, false, false
	}
	i := int(l - oldest)
	return t.ScrollbackLine(i), t.ScrollbackWrapped(i), true
}
