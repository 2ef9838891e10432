package ui

import (
	"image"
	"testing"
)

// pos is a text position on line 10 for tests.
func pos(col int) textPos { return textPos{10, col} }

func newGesture() *gesture { return &gesture{lineHeight: 20, touchSlop: 8} }

func TestMouseClickDoesNotSelect(t *testing.T) {
	g := newGesture()
	if a := g.down(image.Pt(5, 5), pos(1), 0, false); a.kind != actNone {
		t.Fatalf("press: %+v", a)
	}
	// A move within the same cell is not a drag.
	if a := g.move(image.Pt(7, 6), pos(1)); a.kind != actNone {
		t.Fatalf("move within the cell: %+v", a)
	}
	if a := g.up(pos(1), 2); a.kind != actClick || a.a != pos(1) || a.touch {
		t.Fatalf("release: %+v, want a mouse click at %v", a, pos(1))
	}
}

func TestMouseDragSelects(t *testing.T) {
	g := newGesture()
	g.down(image.Pt(5, 5), pos(1), 0, false)
	if a := g.move(image.Pt(40, 5), pos(4)); a.kind != actSelect || a.a != pos(1) || a.b != pos(4) {
		t.Fatalf("drag: %+v", a)
	}
	back := textPos{9, 3}
	if a := g.move(image.Pt(30, -10), back); a.kind != actSelect || a.b != back {
		t.Fatalf("drag up: %+v", a)
	}
	if a := g.up(back, 5); a.kind != actSelectDone || a.a != pos(1) || a.b != back {
		t.Fatalf("release: %+v", a)
	}
	// Dragging back onto the start cell before release still selects it.
	g.down(image.Pt(5, 5), pos(1), 10, false)
	g.move(image.Pt(40, 5), pos(4))
	g.move(image.Pt(5, 5), pos(1))
	if a := g.up(pos(1), 12); a.kind != actSelectDone {
		t.Fatalf("release on the start cell after a drag: %+v, want the selection done", a)
	}
}

func TestDoubleClickSelectsWord(t *testing.T) {
	g := newGesture()
	g.down(image.Pt(5, 5), pos(3), 0, false)
	g.up(pos(3), 3)
	if a := g.down(image.Pt(5, 5), pos(3), 10, false); a.kind != actWord || a.a != pos(3) {
		t.Fatalf("second press: %+v, want a word", a)
	}
	if a := g.up(pos(3), 12); a.kind != actNone {
		t.Fatalf("release after the double click: %+v, want nothing", a)
	}
	// Too slow, or elsewhere: two clicks.
	g.down(image.Pt(5, 5), pos(3), 100, false)
	g.up(pos(3), 101)
	if a := g.down(image.Pt(5, 5), pos(3), 101+doubleClickTicks+1, false); a.kind != actNone {
		t.Fatalf("slow second press: %+v", a)
	}
	g.up(pos(3), 200)
	if a := g.down(image.Pt(50, 5), pos(8), 201, false); a.kind != actNone {
		t.Fatalf("second press elsewhere: %+v", a)
	}
}

func TestTouchTap(t *testing.T) {
	g := newGesture()
	g.down(image.Pt(100, 100), pos(2), 0, true)
	g.move(image.Pt(103, 98), pos(2)) // within the slop
	if a := g.tick(5); a.kind != actNone {
		t.Fatalf("tick: %+v", a)
	}
	if a := g.up(pos(2), 6); a.kind != actClick || !a.touch {
		t.Fatalf("tap: %+v, want a touch click", a)
	}
}

func TestTouchDragScrolls(t *testing.T) {
	g := newGesture()
	g.down(image.Pt(100, 100), pos(2), 0, true)
	total := 0
	for y := 105; y <= 165; y += 5 {
		a := g.move(image.Pt(100, y), pos(2))
		if a.kind == actScroll {
			total += a.n
		} else if a.kind != actNone {
			t.Fatalf("move to y=%d: %+v", y, a)
		}
	}
	if total != 3 {
		t.Fatalf("65 px down scrolled %d lines, want 3 (20 px a line)", total)
	}
	if a := g.tick(100); a.kind != actNone {
		t.Fatalf("a long hold while scrolling selected: %+v", a)
	}
	if a := g.move(image.Pt(100, 100), pos(2)); a.kind != actScroll || a.n != -3 {
		t.Fatalf("back up: %+v, want -3 lines", a)
	}
	if a := g.up(pos(2), 101); a.kind != actNone {
		t.Fatalf("release after scrolling: %+v", a)
	}
}

func TestTouchLongPressSelects(t *testing.T) {
	g := newGesture()
	g.down(image.Pt(100, 100), pos(2), 0, true)
	if a := g.tick(longPressTicks - 1); a.kind != actNone {
		t.Fatalf("early tick: %+v", a)
	}
	if a := g.tick(longPressTicks); a.kind != actLongPress || a.a != pos(2) || a.b != pos(2) {
		t.Fatalf("long press: %+v", a)
	}
	if a := g.move(image.Pt(200, 100), pos(9)); a.kind != actSelect || a.b != pos(9) {
		t.Fatalf("drag after the long press: %+v", a)
	}
	if a := g.up(pos(9), 50); a.kind != actSelectDone || a.a != pos(2) || a.b != pos(9) {
		t.Fatalf("release: %+v", a)
	}
}
