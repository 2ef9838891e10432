package ui

import (
	"fmt"
	"image"
	"strings"
	"testing"

	"github.com/drawbridge/drawbridge/wasmclient/term"
)

func TestGestureEdgeScroll(t *testing.T) {
	g := newGesture()
	g.grid = image.Rect(10, 10, 810, 410) // 20 rows of 20 pixels
	g.down(image.Pt(50, 50), pos(2), 0, false)
	// Pressed but not dragging: nothing to scroll.
	if a := g.tick(10); a.kind != actNone {
		t.Fatalf("tick while pressed: %+v", a)
	}
	// Dragging above the top: a step every edgeScrollTicks, back into history.
	back := textPos{0, 7}
	if a := g.move(image.Pt(150, 5), back); a.kind != actSelect {
		t.Fatalf("drag above: %+v", a)
	}
	if a := g.tick(11); a.kind != actEdgeScroll || a.n != 1 || a.a != pos(2) || a.b.col != 7 || a.touch {
		t.Fatalf("first tick above the top: %+v, want a one-line edge scroll from %v at column 7", a, pos(2))
	}
	if a := g.tick(12); a.kind != actNone {
		t.Fatalf("tick too soon after a step: %+v", a)
	}
	if a := g.tick(11 + edgeScrollTicks); a.kind != actEdgeScroll || a.n != 1 {
		t.Fatalf("next step: %+v", a)
	}
	// Further out is faster, up to edgeScrollMax.
	g.move(image.Pt(150, 10-1-4*20), back)
	if a := g.tick(100); a.kind != actEdgeScroll || a.n != 3 {
		t.Fatalf("four rows above: %+v, want 3 lines", a)
	}
	g.move(image.Pt(150, -5000), back)
	if a := g.tick(200); a.n != edgeScrollMax {
		t.Fatalf("far above: %+v, want %d lines", a, edgeScrollMax)
	}
	// Below the bottom: toward the live screen.
	g.move(image.Pt(150, 410), pos(3))
	if a := g.tick(300); a.kind != actEdgeScroll || a.n != -1 || a.b.col != 3 {
		t.Fatalf("below the bottom: %+v", a)
	}
	// Back on the grid: no more scrolling.
	g.move(image.Pt(150, 409), pos(4))
	if a := g.tick(400); a.kind != actNone {
		t.Fatalf("on the grid: %+v", a)
	}
	if a := g.up(pos(4), 401); a.kind != actSelectDone {
		t.Fatalf("release: %+v", a)
	}
	if a := g.tick(500); a.kind != actNone {
		t.Fatalf("after release: %+v", a)
	}
	// A long-pressed touch selection scrolls too; a scrolling finger does not.
	g.down(image.Pt(50, 50), pos(2), 1000, true)
	g.tick(1000 + longPressTicks)
	g.move(image.Pt(50, 500), pos(5))
	if a := g.tick(1000 + longPressTicks + edgeScrollTicks); a.kind != actEdgeScroll || a.n != -3 || !a.touch {
		t.Fatalf("touch selection below the bottom: %+v", a)
	}
	g.up(pos(5), 2000)
	g.down(image.Pt(50, 50), pos(2), 3000, true)
	g.move(image.Pt(50, 500), pos(5))
	if a := g.tick(3001); a.kind != actNone {
		t.Fatalf("touch scrolling past the bottom: %+v", a)
	}
	// No grid known: no edge scrolling.
	g = newGesture()
	g.down(image.Pt(50, 50), pos(2), 0, false)
	g.move(image.Pt(150, -100), back)
	if a := g.tick(100); a.kind != actNone {
		t.Fatalf("without a grid: %+v", a)
	}
}

// TestDragPastTheEdgeScrollsAndSelects drives the game as the mouse
// would: a drag from a live row to above the grid scrolls into the
// scrollback and the copied selection reaches the lines scrolled into
// view; dragging below the grid comes back.
func TestDragPastTheEdgeScrollsAndSelects(t *testing.T) {
	tm := term.New(80, 24, 1000)
	var copied []string
	g := testGame(t, tm, Config{OnSelect: func(s string) { copied = append(copied, s) }})
	for i := range 200 {
		fmt.Fprintf(tm, "line %d\r\n", i)
	}
	tm.WriteString("> ")
	g.relayout()
	_, cy, _ := tm.Cursor()
	ch, cw := g.fonts.CellH, g.fonts.CellW
	g.gest.lineHeight = ch // as setScale sets it
	at := func(col, row int) image.Point { return image.Pt(g.pad+col*cw+cw/2, g.pad+row*ch+ch/2) }
	press := at(3, cy-1) // on "line 199"
	pos0, _ := g.posAt(press)
	tick := 100
	g.do(g.gest.down(press, pos0, tick, false))
	above := image.Pt(press.X, g.pad-ch) // half a row above the grid
	p, _ := g.posAt(above)
	g.do(g.gest.move(above, p))
	for range 10 {
		tick += edgeScrollTicks
		g.do(g.gest.tick(tick))
		g.relayout()
	}
	if g.ScrolledBack() != 10 {
		t.Fatalf("scrolled back %d lines after 10 steps, want 10", g.ScrolledBack())
	}
	if g.sel.head.line != g.layout.rows[0].line {
		t.Fatalf("selection head on line %d, want the top row's %d", g.sel.head.line, g.layout.rows[0].line)
	}
	p, _ = g.posAt(above)
	g.do(g.gest.up(p, tick+1))
	if len(copied) != 1 {
		t.Fatalf("copied %d times", len(copied))
	}
	lines := strings.Split(copied[0], "\n")
	if lines[len(lines)-1] != "line" || lines[0] != fmt.Sprintf("e %d", 200-cy-10) {
		t.Fatalf("copied %q", copied[0])
	}
	if n := len(lines); n != cy+10 {
		t.Fatalf("copied %d lines, want %d (the %d rows above the press and 10 scrolled in)", n, cy+10, cy-1)
	}

	// Dragging below the bottom returns toward the live screen.
	g.do(g.gest.down(at(0, 2), textPos{g.layout.rows[2].line, 0}, tick+100, false))
	below := image.Pt(press.X, g.pad+g.rows*ch+1)
	p, _ = g.posAt(below)
	g.do(g.gest.move(below, p))
	for i := range 20 {
		g.do(g.gest.tick(tick + 100 + (i+1)*edgeScrollTicks))
		g.relayout()
	}
	if g.ScrolledBack() != 0 {
		t.Fatalf("scrolled back %d after dragging below, want 0", g.ScrolledBack())
	}
	if last := g.layout.rows[len(g.layout.rows)-1].line; g.sel.head.line != last {
		t.Fatalf("selection head on line %d, want the bottom row's %d", g.sel.head.line, last)
	}
}

// TestSelectionOfAWordWrappedLine: copying a line that word wrap broke
// over rows gives the line as the game sent it.
func TestSelectionOfAWordWrappedLine(t *testing.T) {
	tm := term.New(20, 6, 100)
	tm.SetWordWrap(true)
	const line = "The innkeeper has reserved a room for the Phoneplayer, 漢字 and all."
	tm.WriteString(line + "\r\nnext")
	live0, _ := lineNumbers(tm.ScrollbackAdded(), tm.ScrollbackLen())
	var rows []string
	for y := range 6 {
		rows = append(rows, term.RowText(tm.Line(y)))
	}
	if rows[0] != "The innkeeper has" || rows[1] != "reserved a room for" {
		t.Fatalf("rows %q: not word wrapped", rows)
	}
	if got := selectionText(tm, textPos{live0, 0}, textPos{live0 + 4, 3}); got != line+"\nnext" {
		t.Fatalf("copied %q, want %q", got, line+"\nnext")
	}
	tm.Resize(33, 6)
	live0, _ = lineNumbers(tm.ScrollbackAdded(), tm.ScrollbackLen())
	if got := selectionText(tm, textPos{live0, 0}, textPos{live0 + 3, 32}); got != line+"\nnext" {
		t.Fatalf("after a reflow, copied %q", got)
	}
}
