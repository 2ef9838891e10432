package term

import (
	"fmt"
	"slices"
	"testing"
)

// checkInvariants fails t if the terminal breaks a promise the renderer
// relies on.
func checkInvariants(t testing.TB, tm *Terminal) {
	t.Helper()
	cols, rows := tm.Size()
	if cols < 1 || rows < 1 || cols > MaxCols || rows > MaxRows {
		t.Fatalf("Size() = %d, %d: out of range", cols, rows)
	}
	x, y, _ := tm.Cursor()
	if x < 0 || x >= cols || y < 0 || y >= rows {
		t.Fatalf("Cursor() = %d, %d: off a %dx%d screen", x, y, cols, rows)
	}
	if tm.wrapNext && x != cols-1 {
		t.Fatalf("pending wrap with the cursor at column %d of %d", x, cols)
	}
	if tm.top < 0 || tm.top >= tm.bot && rows > 1 || tm.bot >= rows {
		t.Fatalf("scroll region %d-%d on %d rows", tm.top, tm.bot, rows)
	}
	if len(tm.tabs) != cols || len(tm.dirty) != rows {
		t.Fatalf("len(tabs) = %d, len(dirty) = %d for %dx%d", len(tm.tabs), len(tm.dirty), cols, rows)
	}
	for s, lines := range tm.screens {
		if len(lines) != rows {
			t.Fatalf("screen %d has %d rows, want %d", s, len(lines), rows)
		}
		for i, l := range lines {
			if len(l.cells) != cols {
				t.Fatalf("screen %d row %d has %d cells, want %d", s, i, len(l.cells), cols)
			}
			checkRow(t, fmt.Sprintf("screen %d row %d", s, i), l.cells)
		}
	}
	if n := tm.ScrollbackLen(); n > tm.sb.max || len(tm.sb.buf) > tm.sb.max {
		t.Fatalf("ScrollbackLen() = %d with %d slots, max %d", n, len(tm.sb.buf), tm.sb.max)
	}
	for i := range tm.ScrollbackLen() {
		checkRow(t, fmt.Sprintf("scrollback line %d", i), tm.ScrollbackLine(i))
	}
	if len(tm.osc) > maxOSC || len(tm.title) > maxTitle {
		t.Fatalf("len(osc) = %d, len(title) = %d: over the bounds", len(tm.osc), len(tm.title))
	}
	if len(tm.blankRow) != cols {
		t.Fatalf("len(blankRow) = %d, want %d", len(tm.blankRow), cols)
	}
	for _, c := range tm.blankRow {
		if c != blankCell(DefaultColor) {
			t.Fatalf("blankRow holds %+v", c)
		}
	}
	if len(tm.links.entries) > maxLinks {
		t.Fatalf("link table has %d entries, max %d", len(tm.links.entries), maxLinks)
	}
	if tm.link != 0 && tm.links.uri(tm.link) == "" {
		t.Fatalf("open link %d resolves to nothing", tm.link)
	}
	checkLinks(t, tm)
}

// checkRow checks the wide-character pairing of one row.
func checkRow(t testing.TB, where string, row []Cell) {
	t.Helper()
	for x, c := range row {
		switch c.Width {
		case 0:
			if x == 0 || row[x-1].Width != 2 {
				t.Fatalf("%s: cell %d is a right half without a left half: %+v", where, x, row)
			}
		case 1:
		case 2:
			if x+1 >= len(row) || row[x+1].Width != 0 {
				t.Fatalf("%s: cell %d is a left half without a right half", where, x)
			}
		default:
			t.Fatalf("%s: cell %d has width %d", where, x, c.Width)
		}
		if c.Width != 0 && c.Rune == 0 {
			t.Fatalf("%s: cell %d has no rune", where, x)
		}
	}
}

// state is everything Write can change that the terminal shows or keeps,
// for comparing two terminals.
type state struct {
	Screens    [2][][]Cell
	Wrapped    [2][]bool
	Scrollback [][]Cell
	SBWrapped  []bool
	Tabs       []bool
	Links      []linkEntry
	Scalars    scalars
}

// scalars is the comparable part of state.
type scalars struct {
	SBAdded  uint64
	Active   int
	X, Y     int
	WrapNext bool
	Pen      pen
	Charsets [4]charset
	GL       int
	Saved    [2]savedCursor
	Top, Bot int
	LastRune rune
	Flags    [4]bool
	Modes    Modes
	Title    string
	Bells    int
	Parser   uint8
	Link     uint16
	LinkNext int
	LinkLast uint16
}

func snapshot(tm *Terminal) state {
	s := state{
		Tabs:  slices.Clone(tm.tabs),
		Links: slices.Clone(tm.links.entries),
		Scalars: scalars{
			SBAdded: tm.sb.added, Active: tm.active, X: tm.x, Y: tm.y, WrapNext: tm.wrapNext,
			Pen: tm.pen, Charsets: tm.charsets, GL: tm.gl, Saved: tm.saved, Top: tm.top, Bot: tm.bot,
			LastRune: tm.lastRune, Flags: [4]bool{tm.autowrap, tm.origin, tm.insert, tm.visible},
			Modes: tm.modes, Title: tm.title, Bells: tm.bells, Parser: tm.state,
			Link: tm.link, LinkNext: tm.links.next, LinkLast: tm.links.last,
		},
	}
	for i, lines := range tm.screens {
		for _, l := range lines {
			s.Screens[i] = append(s.Screens[i], slices.Clone(l.cells))
			s.Wrapped[i] = append(s.Wrapped[i], l.wrapped)
		}
	}
	for i := range tm.ScrollbackLen() {
		s.Scrollback = append(s.Scrollback, slices.Clone(tm.ScrollbackLine(i)))
		s.SBWrapped = append(s.SBWrapped, tm.ScrollbackWrapped(i))
	}
	return s
}

// diffState describes the first difference between two snapshots, or "".
func diffState(a, b state) string {
	if a.Scalars != b.Scalars {
		return fmt.Sprintf("state\n%+v\nvs\n%+v", a.Scalars, b.Scalars)
	}
	for s := range a.Screens {
		for y := range a.Screens[s] {
			if !slices.Equal(a.Screens[s][y], b.Screens[s][y]) {
				return fmt.Sprintf("screen %d row %d:\n%+v\nvs\n%+v", s, y, a.Screens[s][y], b.Screens[s][y])
			}
		}
		if !slices.Equal(a.Wrapped[s], b.Wrapped[s]) {
			return fmt.Sprintf("screen %d wrapped %v vs %v", s, a.Wrapped[s], b.Wrapped[s])
		}
	}
	if len(a.Scrollback) != len(b.Scrollback) {
		return fmt.Sprintf("scrollback %d lines vs %d", len(a.Scrollback), len(b.Scrollback))
	}
	for i := range a.Scrollback {
		if !slices.Equal(a.Scrollback[i], b.Scrollback[i]) {
			return fmt.Sprintf("scrollback line %d: %q vs %q", i, RowText(a.Scrollback[i]), RowText(b.Scrollback[i]))
		}
	}
	if !slices.Equal(a.Links, b.Links) {
		return fmt.Sprintf("link table %+v vs %+v", a.Links, b.Links)
	}
	if !slices.Equal(a.SBWrapped, b.SBWrapped) || !slices.Equal(a.Tabs, b.Tabs) {
		return fmt.Sprintf("wrapped or tabs: %v %v vs %v %v", a.SBWrapped, a.Tabs, b.SBWrapped, b.Tabs)
	}
	return ""
}

// cursorOf returns the cursor position.
func cursorOf(tm *Terminal) [2]int {
	x, y, _ := tm.Cursor()
	return [2]int{x, y}
}
