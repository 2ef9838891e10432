package ui

import (
	"testing"

	"github.com/drawbridge/drawbridge/wasmclient/term"
)

func TestSelectionText(t *testing.T) {
	tm := term.New(10, 4, 100)
	// Row 0 wraps into row 1; "界" is wide; "é" is e + a combining acute.
	tm.WriteString("0123456789abc\r\nx 界 e\u0301   \r\nlast")
	live0, _ := lineNumbers(tm.ScrollbackAdded(), tm.ScrollbackLen())
	pos := func(row, col int) textPos { return textPos{live0 + int64(row), col} }
	for _, tc := range []struct {
		name string
		a, b textPos
		want string
	}{
		{"within a row", pos(0, 2), pos(0, 4), "234"},
		{"wrapped rows join", pos(0, 8), pos(1, 1), "89ab"},
		{"rows joined by newline, trailing spaces trimmed", pos(1, 0), pos(3, 1), "abc\nx 界 e\u0301\nla"},
		{"wide character once", pos(2, 2), pos(2, 3), "界"},
		{"start on the right half", pos(2, 3), pos(2, 3), "界"},
		{"past the end of the row", pos(3, 2), pos(3, 9), "st"},
	} {
		if got := selectionText(tm, tc.a, tc.b); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestSelectionTextScrollback(t *testing.T) {
	tm := newTerm(t, 20, 3, 6) // lines 0-2 in the scrollback
	_, oldest := lineNumbers(tm.ScrollbackAdded(), tm.ScrollbackLen())
	a, b := textPos{oldest + 1, 5}, textPos{oldest + 4, 3}
	if got, want := selectionText(tm, a, b), "1\nline 2\nline 3\nline"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	// The selection stays on its text as more output scrolls it.
	tm.WriteString("\r\nline 6\r\nline 7")
	if got, want := selectionText(tm, a, b), "1\nline 2\nline 3\nline"; got != want {
		t.Fatalf("after scrolling: got %q, want %q", got, want)
	}
}

func TestSelectionCols(t *testing.T) {
	s := selection{anchor: textPos{5, 7}, head: textPos{3, 2}, active: true}
	for _, tc := range []struct {
		line   int64
		x0, x1 int
		ok     bool
	}{
		{2, 0, 0, false}, {3, 2, 10, true}, {4, 0, 10, true}, {5, 0, 8, true}, {6, 0, 0, false},
	} {
		x0, x1, ok := s.cols(tc.line, 10)
		if ok != tc.ok || ok && (x0 != tc.x0 || x1 != tc.x1) {
			t.Errorf("cols(%d) = %d, %d, %v, want %d, %d, %v", tc.line, x0, x1, ok, tc.x0, tc.x1, tc.ok)
		}
	}
	if _, _, ok := (selection{}).cols(0, 10); ok {
		t.Error("an inactive selection selects")
	}
}

func TestWordAt(t *testing.T) {
	tm := term.New(60, 2, 0)
	tm.WriteString("You see Gandalf, and http://x.org/a?b=1. 界界 it's")
	row := tm.Line(0)
	for _, tc := range []struct {
		col  int
		want string
	}{
		{9, "Gandalf"},
		{15, ","},
		{23, "http://x.org/a?b=1"},
		{3, " "},
		{43, "界界"},
		{44, "界界"},
		{48, "it's"},
	} {
		x0, x1 := wordAt(row, tc.col)
		if got := term.RowText(row[x0:x1]); got != tc.want && !(tc.want == " " && x1-x0 == 1) {
			t.Errorf("wordAt(%d) = [%d, %d) %q, want %q", tc.col, x0, x1, got, tc.want)
		}
	}
	if x0, x1 := wordAt(row, 99); x0 != x1 {
		t.Errorf("wordAt past the row = [%d, %d), want empty", x0, x1)
	}
}
