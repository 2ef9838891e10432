package ui

import (
	"image"
	"math"
	"slices"

	"github.com/drawbridge/drawbridge/wasmclient/term"
	"github.com/hajimehoshi/ebiten/v2"
)

// Update feeds the terminal, applies settings made since the last one,
// and handles the wheel, the mouse and touches.
func (g *Game) Update() error {
	if g.cfg.Tick != nil {
		g.cfg.Tick()
	}
	g.ticks++
	g.applySettings()
	if g.fonts == nil || len(g.layout.rows) == 0 {
		return nil // not laid out and drawn yet: nothing to point at
	}
	if _, dy := ebiten.Wheel(); dy != 0 {
		g.wheel += dy * 3
		if n := int(g.wheel); n != 0 {
			g.wheel -= float64(n)
			g.Scroll(n)
		}
	}
	g.updateMouse()
	g.updateTouch()
	g.do(g.gest.tick(g.ticks))
	return nil
}

// updateMouse feeds the left button to the gesture machine, and finds
// the link under the pointer when it moved.
func (g *Game) updateMouse() {
	p := g.onCanvas(ebiten.CursorPosition())
	moved := p != g.mouse
	g.mouse = p
	// Presses and releases are told apart from the last tick's state
	// rather than with inpututil, which adds 34 KB to the wasm.
	pressed := ebiten.IsMouseButtonPressed(ebiten.MouseButtonLeft)
	justPressed, justReleased := pressed && !g.pressed, !pressed && g.pressed
	g.pressed = pressed
	if justPressed {
		// Presses on the padding or the vitals strip start nothing.
		if pos, in := g.posAt(p); in {
			g.do(g.gest.down(p, pos, g.ticks, false))
		}
	} else if moved && pressed {
		pos, _ := g.posAt(p)
		g.do(g.gest.move(p, pos))
	}
	if justReleased {
		pos, _ := g.posAt(p)
		g.do(g.gest.up(pos, g.ticks))
	}
	right := ebiten.IsMouseButtonPressed(ebiten.MouseButtonRight)
	if right && !g.rightPressed && !pressed {
		if pos, in := g.posAt(p); in {
			g.openMenu(pos, p)
		}
	}
	g.rightPressed = right
	if (moved || g.hoverStale) && !pressed {
		g.updateHover(p)
	}
}

// Busy reports whether the player is in the middle of something that
// needs frames without further input: a mouse button or a finger is down
// (a long press selects when it has lasted long enough, a drag scrolls).
// A caller that runs frames only on demand keeps asking while it is.
func (g *Game) Busy() bool { return g.pressed || g.touching }

// onCanvas turns a pointer position from Ebitengine, which measures from
// the page's top-left corner (it assumes the canvas is there), into one
// on the canvas, which Config.Origin says is elsewhere.
func (g *Game) onCanvas(x, y int) image.Point {
	return image.Pt(x-int(math.Round(g.origin[0]*g.scale)), y-int(math.Round(g.origin[1]*g.scale)))
}

// updateTouch follows the first finger down until it lifts; others are
// ignored.
func (g *Game) updateTouch() {
	g.touchIDs = ebiten.AppendTouchIDs(g.touchIDs[:0])
	if !g.touching {
		if len(g.touchIDs) == 0 {
			return
		}
		id := g.touchIDs[0]
		p := g.onCanvas(ebiten.TouchPosition(id))
		pos, in := g.posAt(p)
		if !in {
			return
		}
		g.touching, g.touchID, g.touchAt = true, id, p
		g.do(g.gest.down(p, pos, g.ticks, true))
		return
	}
	if !slices.Contains(g.touchIDs, g.touchID) {
		g.touching = false
		pos, _ := g.posAt(g.touchAt)
		g.do(g.gest.up(pos, g.ticks))
		return
	}
	if p := g.onCanvas(ebiten.TouchPosition(g.touchID)); p != g.touchAt {
		g.touchAt = p
		pos, _ := g.posAt(p)
		g.do(g.gest.move(p, pos))
	}
}

// cellAt returns the grid cell at screen pixel p, clamped to the grid,
// and whether p is on the grid.
func (g *Game) cellAt(p image.Point) (col, row int, in bool) {
	cw, ch := g.fonts.CellW, g.fonts.CellH
	dx, dy := p.X-g.pad, p.Y-g.pad
	in = dx >= 0 && dy >= 0 && dx/cw < g.cols && dy/ch < g.rows
	col = min(max(dx, 0)/cw, g.cols-1)
	row = min(max(dy, 0)/ch, g.rows-1)
	return col, row, in
}

// posAt returns the text shown at screen pixel p, as last drawn, and
// whether p is on the grid. On the divider it is the end of the history
// part's last row.
func (g *Game) posAt(p image.Point) (textPos, bool) {
	col, row, in := g.cellAt(p)
	if row >= len(g.layout.rows) {
		return textPos{}, false
	}
	r := g.layout.rows[row]
	if r.kind == rowDivider && row > 0 {
		r, col = g.layout.rows[row-1], g.cols-1
	}
	return textPos{line: r.line, col: col}, in
}

// do carries out what the gesture machine asked for.
func (g *Game) do(a action) {
	switch a.kind {
	case actSelect:
		g.setSelection(selection{anchor: a.a, head: a.b, active: true})
	case actLongPress:
		if g.openMenu(a.a, a.p) {
			g.gest.cancel()
			return
		}
		g.setSelection(selection{anchor: a.a, head: a.b, active: true})
	case actSelectDone:
		g.setSelection(selection{anchor: a.a, head: a.b, active: true})
		g.copySelection()
	case actWord:
		g.lock.Lock()
		cells, _, ok := lineCells(g.term, a.a.line)
		x0, x1 := wordAt(cells, a.a.col)
		g.lock.Unlock()
		if ok && x1 > x0 {
			g.setSelection(selection{anchor: textPos{a.a.line, x0}, head: textPos{a.a.line, x1 - 1}, active: true})
			g.copySelection()
		}
	case actClick:
		g.click(a.a, a.touch)
	case actScroll:
		g.Scroll(a.n)
	case actEdgeScroll:
		g.edgeScroll(a)
	}
}

// click clears the selection and opens the link clicked, if its target
// is the one the banner shows; otherwise it shows that link's target
// first, so a player never opens a link whose target they have not seen
// (on touch screens there is no hover, and text can scroll under a
// still mouse). A command link (MXP) clicked with a mouse sends at once,
// as MUD clients do: it goes only to the game that made it, and on a
// busy machine the hover that shows its banner may not have been drawn
// before the click; a tap still shows it first.
func (g *Game) click(pos textPos, touch bool) {
	g.setSelection(selection{})
	h := g.linkAt(pos)
	if !h.ok {
		g.setHover(h)
		return
	}
	_, command := term.ParseCommandLink(h.span.URI)
	if h.same(g.hover) || command && !touch {
		g.setHover(h)
		if g.cfg.OnOpenLink != nil {
			g.cfg.OnOpenLink(h.span.URI)
		}
		return
	}
	g.setHover(h)
}

// openMenu opens the menu of the command link at pos, if there is one
// there with more than one command, at pixel p on the canvas, and
// reports whether it did. The link becomes the hovered one, so its
// banner says what the menu is for.
func (g *Game) openMenu(pos textPos, p image.Point) bool {
	h := g.linkAt(pos)
	if !h.ok || g.cfg.OnLinkMenu == nil {
		return false
	}
	c, ok := term.ParseCommandLink(h.span.URI)
	if !ok || len(c.Commands) < 2 {
		return false
	}
	g.setSelection(selection{})
	g.setHover(h)
	g.cfg.OnLinkMenu(h.span.URI, float64(p.X)/g.scale+g.origin[0], float64(p.Y)/g.scale+g.origin[1])
	return true
}

// linkAt returns the link at pos, if any.
func (g *Game) linkAt(pos textPos) hoverLink {
	g.lock.Lock()
	defer g.lock.Unlock()
	if _, _, ok := lineCells(g.term, pos.line); !ok {
		return hoverLink{}
	}
	_, oldest := lineNumbers(g.term.ScrollbackAdded(), g.term.ScrollbackLen())
	var s term.Span
	var ok bool
	s, g.spans, ok = linkAt(g.term, int(pos.line-oldest), pos.col, g.spans)
	return hoverLink{ok: ok, line: pos.line, span: s}
}

// updateHover underlines the link under the mouse at p, shows its
// target, and sets the mouse cursor's shape to match.
func (g *Game) updateHover(p image.Point) {
	g.hoverStale = false
	col, row, in := g.cellAt(p)
	var h hoverLink
	if in && row < len(g.layout.rows) && g.layout.rows[row].kind != rowDivider {
		h = g.linkAt(textPos{line: g.layout.rows[row].line, col: col})
	}
	g.setHover(h)
	shape := ebiten.CursorShapeDefault
	switch {
	case h.ok:
		shape = ebiten.CursorShapePointer
	case in:
		shape = ebiten.CursorShapeText
	}
	if shape != g.cursorShape {
		ebiten.SetCursorShape(shape)
		g.cursorShape = shape
	}
}

// setHover makes h the hovered link, redrawing the rows it changes.
func (g *Game) setHover(h hoverLink) {
	if h.same(g.hover) {
		return
	}
	if g.hover.ok {
		g.markLines(g.hover.line, g.hover.line)
	}
	if h.ok {
		g.markLines(h.line, h.line)
	}
	g.hover = h
}

// setSelection makes s the selection, redrawing the rows it changes.
func (g *Game) setSelection(s selection) {
	if s == g.sel {
		return
	}
	if g.sel.active {
		g.markLines(g.sel.lines())
	}
	if s.active {
		g.markLines(s.lines())
	}
	g.sel = s
}

// ClearSelection removes the selection's highlight; what was copied
// stays on the clipboard. A click does it too. Call it on the game loop
// (Config.Tick), as when the player presses Escape.
func (g *Game) ClearSelection() { g.setSelection(selection{}) }

// copySelection hands the selected text to Config.OnSelect.
func (g *Game) copySelection() {
	if !g.sel.active || g.cfg.OnSelect == nil {
		return
	}
	a, b := g.sel.ordered()
	g.lock.Lock()
	text := selectionText(g.term, a, b)
	g.lock.Unlock()
	if text != "" {
		g.cfg.OnSelect(text)
	}
}

// markLines marks the view rows showing lines first to last for
// redrawing.
func (g *Game) markLines(first, last int64) {
	if len(g.redraw) != len(g.layout.rows) {
		return // the next frame redraws everything
	}
	for y, r := range g.layout.rows {
		if r.kind != rowDivider && first <= r.line && r.line <= last {
			g.redraw[y] = true
		}
	}
}
