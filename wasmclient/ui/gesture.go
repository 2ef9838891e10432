package ui

import "image"

// Pointer gestures, as a state machine fed with presses, moves, releases
// and ticks, so that it is tested without Ebitengine. Positions come in
// twice: in pixels (for distances) and as the text under the pointer
// (for what is selected), mapped by the caller when the event happens.
//
// Mouse: a press and release in the same cell is a click; moving to
// another cell while pressed selects from the press to the pointer; a
// second click soon after the first, on the same cell, selects a word.
//
// Touch: a finger that moves before a long press scrolls; one held still
// for a long press starts a selection that follows the finger (or, on a
// link with a menu, opens the menu: the game decides, and cancels the
// gesture); a tap is a click.
//
// Either way, a selection dragged above the top or below the bottom of
// the grid scrolls the view, into the scrollback or toward the live
// screen, a few times a second while the pointer stays there, faster the
// further out it is, and the selection follows to the row at that edge.

// Gesture timings, in ticks (Update calls, 60 a second).
const (
	doubleClickTicks = 24 // 400 ms between the clicks of a double click
	longPressTicks   = 30 // 500 ms held still before a touch selects
	edgeScrollTicks  = 3  // a scroll step every 50 ms past the edge
	edgeScrollMax    = 8  // lines per step at most
)

type gestureState uint8

const (
	gestIdle        gestureState = iota
	gestPressed                  // mouse down, not moved off its cell
	gestSelecting                // dragging out a selection
	gestWord                     // a double click selected a word; wait for release
	gestTouchWait                // finger down, neither moved nor held long
	gestTouchScroll              // finger moving: scrolling
)

type actionKind uint8

const (
	actNone       actionKind = iota
	actSelect                // the selection is now a to b (dragging)
	actSelectDone            // the selection a to b is final: copy it
	actWord                  // select and copy the word at a
	actClick                 // a click or tap at a, without a drag
	actScroll                // scroll n lines (positive: back into history)
	actEdgeScroll            // scroll n lines and extend the selection from a to the edge row, column b.col
	actLongPress             // a finger held still at a (pixel p): select from a, or open a menu there
)

// action is what the game does in answer to an event.
type action struct {
	kind  actionKind
	a, b  textPos
	p     image.Point
	n     int
	touch bool
}

// gesture is the pointer state machine. lineHeight (pixels per text
// row) must be set before touches are fed; touchSlop is how far a finger
// may wander, in pixels, and still count as held still. grid is where
// the rows are, in pixels: a selection dragged above or below it scrolls
// (an empty grid turns that off).
type gesture struct {
	lineHeight, touchSlop int
	grid                  image.Rectangle

	state     gestureState
	touch     bool
	start     image.Point // where the press was
	startPos  textPos     // the text there
	startTick int
	lastY     int // touch scrolling: the finger's last y
	scrolled  int // touch scrolling: pixels not yet turned into lines

	// Selecting: where the pointer is, the column it is over, and when
	// the view last scrolled because it was past the edge.
	at       image.Point
	atCol    int
	edgeTick int

	// The last click, for double clicks.
	clickTick int
	clickPos  textPos
	clicked   bool
}

// down starts a gesture: a mouse button or a finger went down at p, over
// the text at pos.
func (g *gesture) down(p image.Point, pos textPos, tick int, touch bool) action {
	g.touch, g.start, g.startPos, g.startTick = touch, p, pos, tick
	g.at, g.atCol, g.edgeTick = p, pos.col, tick
	if touch {
		g.state, g.lastY, g.scrolled = gestTouchWait, p.Y, 0
		return action{}
	}
	if g.clicked && pos == g.clickPos && tick-g.clickTick <= doubleClickTicks {
		g.state, g.clicked = gestWord, false
		return action{kind: actWord, a: pos}
	}
	g.state = gestPressed
	return action{}
}

// move reports the pointer at p, over pos, while pressed.
func (g *gesture) move(p image.Point, pos textPos) action {
	if g.state == gestPressed || g.state == gestSelecting {
		g.at, g.atCol = p, pos.col
	}
	switch g.state {
	case gestPressed:
		if pos == g.startPos {
			return action{}
		}
		g.state = gestSelecting
		return action{kind: actSelect, a: g.startPos, b: pos}
	case gestSelecting:
		return action{kind: actSelect, a: g.startPos, b: pos, touch: g.touch}
	case gestTouchWait:
		d := p.Sub(g.start)
		if max(d.X, -d.X, d.Y, -d.Y) <= g.touchSlop {
			return action{}
		}
		g.state = gestTouchScroll
		return g.scroll(p.Y)
	case gestTouchScroll:
		return g.scroll(p.Y)
	}
	return action{}
}

// scroll turns the finger's vertical travel into whole lines: dragging
// down pulls older lines into view.
func (g *gesture) scroll(y int) action {
	g.scrolled += y - g.lastY
	g.lastY = y
	h := max(1, g.lineHeight)
	n := g.scrolled / h
	if n == 0 {
		return action{}
	}
	g.scrolled -= n * h
	return action{kind: actScroll, n: n, touch: true}
}

// tick lets time pass: a finger held still long enough starts selecting,
// and a selection dragged past the top or bottom edge scrolls.
func (g *gesture) tick(tick int) action {
	if g.state == gestTouchWait && tick-g.startTick >= longPressTicks {
		g.state = gestSelecting
		g.at, g.atCol, g.edgeTick = g.start, g.startPos.col, tick
		return action{kind: actLongPress, a: g.startPos, b: g.startPos, p: g.start, touch: true}
	}
	if g.state == gestSelecting && tick-g.edgeTick >= edgeScrollTicks {
		if n := g.edgeLines(); n != 0 {
			g.edgeTick = tick
			return action{kind: actEdgeScroll, a: g.startPos, b: textPos{col: g.atCol}, n: n, touch: g.touch}
		}
	}
	return action{}
}

// edgeLines returns how many lines to scroll for a pointer past the
// grid's edge: positive above it (back into history), negative below,
// one more for each two rows' height further out, and 0 on the grid.
func (g *gesture) edgeLines() int {
	if g.grid.Empty() {
		return 0
	}
	h := max(1, g.lineHeight)
	switch {
	case g.at.Y < g.grid.Min.Y:
		return min(edgeScrollMax, 1+(g.grid.Min.Y-1-g.at.Y)/(2*h))
	case g.at.Y >= g.grid.Max.Y:
		return -min(edgeScrollMax, 1+(g.at.Y-g.grid.Max.Y)/(2*h))
	}
	return 0
}

// up ends the gesture: released at pos.
func (g *gesture) up(pos textPos, tick int) action {
	state := g.state
	g.state = gestIdle
	switch state {
	case gestPressed, gestTouchWait:
		if !g.touch {
			g.clicked, g.clickPos, g.clickTick = true, pos, tick
		}
		return action{kind: actClick, a: g.startPos, touch: g.touch}
	case gestSelecting:
		return action{kind: actSelectDone, a: g.startPos, b: pos, touch: g.touch}
	}
	return action{}
}

// cancel forgets a gesture in progress, as when the view is rebuilt
// under it (a resize).
func (g *gesture) cancel() {
	g.state, g.clicked = gestIdle, false
}
