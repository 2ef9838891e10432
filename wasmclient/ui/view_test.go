package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/drawbridge/drawbridge/wasmclient/term"
)

// newTerm returns a terminal cols x rows with lines "line 0" to
// "line n-1" written, one per row.
func newTerm(t *testing.T, cols, rows, n int) *term.Terminal {
	t.Helper()
	tm := term.New(cols, rows, 100)
	for i := range n {
		if i > 0 {
			tm.WriteString("\r\n")
		}
		fmt.Fprintf(tm, "line %d", i)
	}
	return tm
}

// rowText returns the text a view row shows.
func rowText(t *testing.T, tm *term.Terminal, r viewRow) string {
	t.Helper()
	if r.kind == rowDivider {
		return "--"
	}
	cells, _, ok := lineCells(tm, r.line)
	if !ok {
		t.Fatalf("line %d of row %+v is gone", r.line, r)
	}
	return term.RowText(cells)
}

func viewText(t *testing.T, tm *term.Terminal, l viewLayout) string {
	var s []string
	for _, r := range l.rows {
		s = append(s, rowText(t, tm, r))
	}
	return strings.Join(s, "|")
}

func layoutOf(tm *term.Terminal, offset int) viewLayout {
	_, rows := tm.Size()
	_, cy, _ := tm.Cursor()
	return layoutView(nil, rows, offset, tm.ScrollbackLen(), tm.ScrollbackAdded(), cy)
}

func TestLayoutLive(t *testing.T) {
	tm := newTerm(t, 20, 4, 6) // lines 0-1 in the scrollback
	l := layoutOf(tm, 0)
	if l.split {
		t.Fatal("live view is split")
	}
	if got, want := viewText(t, tm, l), "line 2|line 3|line 4|line 5"; got != want {
		t.Fatalf("live view %q, want %q", got, want)
	}
}

func TestLayoutSmallScrolledBack(t *testing.T) {
	tm := newTerm(t, 20, 4, 6)
	l := layoutOf(tm, 1)
	if l.split {
		t.Fatal("a 4-row view is split")
	}
	if got, want := viewText(t, tm, l), "line 1|line 2|line 3|line 4"; got != want {
		t.Fatalf("view %q, want %q", got, want)
	}
}

func TestLayoutSplit(t *testing.T) {
	tm := newTerm(t, 20, 15, 40) // 25 lines of history
	l := layoutOf(tm, 20)
	if !l.split || l.histRows != 15-5-1 {
		t.Fatalf("split %v with %d history rows, want split with 9", l.split, l.histRows)
	}
	want := "line 5|line 6|line 7|line 8|line 9|line 10|line 11|line 12|line 13|--|line 35|line 36|line 37|line 38|line 39"
	if got := viewText(t, tm, l); got != want {
		t.Fatalf("view\n%q, want\n%q", got, want)
	}
	// New output: the history part stays on its text when the offset grows
	// by the lines added, and the live part follows the output.
	before := l.rows[0].line
	added := tm.ScrollbackAdded()
	tm.WriteString("\r\nline 40\r\nline 41")
	l = layoutOf(tm, 20+int(tm.ScrollbackAdded()-added))
	if l.rows[0].line != before || rowText(t, tm, l.rows[0]) != "line 5" {
		t.Fatalf("history moved: top row now %q", rowText(t, tm, l.rows[0]))
	}
	if got := rowText(t, tm, l.rows[len(l.rows)-1]); got != "line 41" {
		t.Fatalf("live part ends with %q, want line 41", got)
	}
}

func TestLayoutSplitFollowsCursor(t *testing.T) {
	tm := newTerm(t, 20, 15, 40)
	tm.WriteString("\x1b[H\x1b[2Jtop\r\nsecond") // cleared: output at the top
	l := layoutOf(tm, 3)
	if l.liveStart != 0 {
		t.Fatalf("live part starts at row %d, want 0 (the cursor is on row 1)", l.liveStart)
	}
	if got := rowText(t, tm, l.rows[l.histRows+1]); got != "top" {
		t.Fatalf("live part starts with %q, want top", got)
	}
}

func TestPageRows(t *testing.T) {
	for _, tc := range []struct{ n, want int }{{1, 1}, {4, 3}, {11, 10}, {12, 5}, {40, 25}} {
		if got := pageRows(tc.n); got != tc.want {
			t.Errorf("pageRows(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
}

func TestLineCellsGone(t *testing.T) {
	tm := term.New(20, 3, 2) // a scrollback of 2 lines
	for i := range 10 {
		fmt.Fprintf(tm, "line %d\r\n", i)
	}
	live0, oldest := lineNumbers(tm.ScrollbackAdded(), tm.ScrollbackLen())
	if _, _, ok := lineCells(tm, oldest-1); ok {
		t.Error("a line dropped from the scrollback is still found")
	}
	if _, _, ok := lineCells(tm, live0+3); ok {
		t.Error("a line below the screen is found")
	}
	if c, _, ok := lineCells(tm, oldest); !ok || term.RowText(c) != "line 6" {
		t.Errorf("oldest line %q, %v, want line 6", term.RowText(c), ok)
	}
}
