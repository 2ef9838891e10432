package ui

import (
	"image"
	"image/color"
	"math"
	"slices"

	"github.com/drawbridge/drawbridge/shared/i18n"
	"github.com/drawbridge/drawbridge/wasmclient/term"
	"github.com/hajimehoshi/ebiten/v2"
)

// banner is a line of text drawn right-aligned over a row of the view:
// the scrolled-back hint, or a hovered link's target.
type banner struct {
	text string
	row  int // view row, -1 for none
}

// Draw draws what changed since the last frame, or nothing.
func (g *Game) Draw(screen *ebiten.Image) {
	if g.fonts == nil {
		return
	}
	g.lock.Lock()
	defer g.lock.Unlock()
	if size := screen.Bounds().Size(); size != g.screenSize {
		g.screenSize, g.full = size, true
	}
	g.syncTerm()
	_, cy, _ := g.term.Cursor()
	g.layout = layoutView(g.layout.rows, g.rows, g.offset, g.sbLen, g.added, cy)
	if len(g.shown) != g.rows {
		g.shown, g.redraw, g.need = make([]viewRow, g.rows), make([]bool, g.rows), make([]bool, g.rows)
		g.full = true
	}
	want := g.wantBanner()
	if !g.plan(want) {
		g.term.ClearDirty()
		return // nothing changed: the last frame is still on screen
	}
	g.vs, g.is = g.vs[:0], g.is[:0]
	if g.full {
		screen.Fill(g.screenBG())
	}
	ok := g.drawRows()
	if want.row >= 0 && g.need[want.row] {
		ok = g.drawText(want.row, rightAlign(want.text, g.cols), want.text, g.screenBG(), g.palette().Foreground) && ok
	}
	g.banner = want
	if g.strip && (g.full || g.stripDirty) {
		ok = g.drawStrip() && ok
	}
	g.warm(screen)
	screen.DrawTriangles32(g.vs, g.is, g.atlas.img, nil)
	copy(g.shown, g.layout.rows)
	clear(g.redraw)
	g.term.ClearDirty()
	g.full, g.stripDirty = false, false
	if g.cfg.OnDraw != nil {
		g.cfg.OnDraw()
	}
	if !ok {
		// The atlas filled up mid-frame: start it afresh and draw again.
		g.atlas.reset()
		g.full = true
	}
}

// warm gives Ebitengine's vertex and index buffers on the GPU room for a
// frame that redraws the whole grid, before the first frame that does.
// Ebitengine grows those buffers to the next power of two in bytes when a
// frame needs more, and deletes the old ones after asking WebGL whether
// they are buffers (isBuffer, for a lost context): a query the page's
// thread must wait on until the GPU has done everything sent before it.
// On SwiftShader that held frames of a flood for up to 100 ms, several
// times as the screen filled with text on each page load (a DevTools CPU
// profile of make bench-client's flood at 1280x800: 271 ms in isBuffer
// under setVertices, of 2.6 s). So the first frame, and the first after
// the grid grows, also queues quads of nothing (zero area: no pixel is
// touched), while the GPU is not busy: the fewest that the rounding up to
// a power of two turns into buffers that fit a frame with a glyph in
// every cell, between half and all of that frame's. The fewest, because
// every vertex queued also takes room in Ebitengine's own copies of them
// in the page's memory, which never shrinks (a warm-up of two quads a
// cell took 12 MB more, of one 4 MB).
func (g *Game) warm(screen *ebiten.Image) {
	full := (g.cols + 1) * (g.rows + 2) // quads: a glyph per cell, the rows' backgrounds, the strip
	if full <= g.warmed {
		return
	}
	g.warmed = full
	quads := warmQuads(full)
	n, m := len(g.vs), len(g.is)
	g.vs = slices.Grow(g.vs, 4*quads)[:n+4*quads]
	g.is = slices.Grow(g.is, 6*quads)[:m+6*quads]
	clear(g.vs[n:])
	clear(g.is[m:])
	screen.DrawTriangles32(g.vs[n:], g.is[m:], g.atlas.img, nil)
	g.vs, g.is = g.vs[:n], g.is[:m]
}

// quadBytes is what a quad takes in Ebitengine's vertex buffer: four
// vertices of twelve float32s (internal/graphics.VertexFloatCount in
// Ebitengine v2.10). Its index buffer takes 24 bytes a quad, an eighth of
// that, so one power of two serves both.
const quadBytes = 4 * 12 * 4

// warmQuads returns the fewest quads whose vertex buffer, rounded up to a
// power of two in bytes, holds full quads.
func warmQuads(full int) int {
	size := 1
	for size < full*quadBytes {
		size *= 2
	}
	return size/2/quadBytes + 1
}

// syncTerm catches up with the terminal: the alternate screen (which has
// no scrollback to show), reverse video, and new history, which moves a
// scrolled-back view up by as many lines so it stays on the same text.
func (g *Game) syncTerm() {
	m := g.term.Modes()
	if m.AltScreen != g.alt {
		g.alt, g.offset, g.full = m.AltScreen, 0, true
		g.sel, g.hover = selection{}, hoverLink{}
	}
	if m.ReverseVideo != g.reverse {
		g.reverse, g.full = m.ReverseVideo, true
	}
	added, sbLen := g.term.ScrollbackAdded(), g.term.ScrollbackLen()
	if g.offset > 0 {
		g.offset += int(added - g.added)
	}
	if sbLen < g.sbLen {
		g.full = true // cleared (ED 3) or pulled back by a resize
	}
	g.offset = min(g.offset, sbLen)
	if g.alt {
		g.offset = 0
	}
	g.added, g.sbLen = added, sbLen
}

// screenBG is the colour of the empty screen.
func (g *Game) screenBG() color.RGBA {
	if g.reverse {
		return g.palette().Foreground
	}
	return g.palette().Background
}

// wantBanner returns the banner this frame should show: a hovered link's
// target (on the last row, or the first if the link is on the last), or
// on a scrolled-back view too small to split, how to get back.
func (g *Game) wantBanner() banner {
	if g.hover.ok {
		for y, r := range g.layout.rows {
			if r.kind != rowDivider && r.line == g.hover.line {
				row := g.rows - 1
				if y == row {
					row = 0
				}
				return banner{text: linkBanner(g.msg, g.hover.span.URI, g.cols), row: row}
			}
		}
	}
	if g.offset > 0 && !g.layout.split {
		return banner{text: " " + g.msg.T("client.scroll.more", "n", g.offset) + " ", row: g.rows - 1}
	}
	return banner{row: -1}
}

// dividerText is the text on the divider of a split view.
func dividerText(msg *i18n.Catalog, offset int) string {
	return " " + msg.T("client.scroll.divider", "n", offset) + " "
}

// plan works out which rows to draw, in g.need, and reports whether
// there is anything to draw at all.
func (g *Game) plan(want banner) bool {
	any := g.full || g.strip && g.stripDirty
	for y, r := range g.layout.rows {
		n := g.full || g.redraw[y] || r != g.shown[y] ||
			r.kind == rowLive && g.term.RowDirty(r.index)
		if r.kind == rowDivider && dividerText(g.msg, g.offset) != g.divider {
			n = true
		}
		g.need[y] = n
		any = any || n
	}
	if want != g.banner {
		for _, row := range []int{g.banner.row, want.row} {
			if row >= 0 && row < len(g.need) {
				g.need[row], any = true, true
			}
		}
	}
	return any
}

// drawRows queues the rows in g.need and the cursor. It returns false if
// the atlas ran out of room.
func (g *Game) drawRows() bool {
	ok := true
	for y, r := range g.layout.rows {
		if !g.need[y] {
			continue
		}
		switch r.kind {
		case rowDivider:
			ok = g.drawDivider(y) && ok
		case rowHistory:
			ok = g.drawRow(y, r, g.term.ScrollbackLine(r.index)) && ok
		default:
			ok = g.drawRow(y, r, g.term.Line(r.index)) && ok
		}
	}
	cx, cy, visible := g.term.Cursor()
	if !visible {
		return ok
	}
	// The cursor shows on the live screen, or in the live part of a
	// split view; not on live rows shown as part of the history.
	first := 0
	if g.layout.split {
		first = g.layout.histRows + 1
	} else if g.offset > 0 {
		return ok
	}
	for y := first; y < len(g.layout.rows); y++ {
		if r := g.layout.rows[y]; r.kind == rowLive && r.index == cy && g.need[y] {
			g.drawCursor(cx, y)
		}
	}
	return ok
}

// drawRow queues the backgrounds, glyphs and lines of view row y showing
// cells. It returns false if the atlas ran out of room.
func (g *Game) drawRow(y int, r viewRow, cells []term.Cell) bool {
	cw, ch := g.fonts.CellW, g.fonts.CellH
	top := g.pad + y*ch
	screenBG := g.screenBG()
	// Clear the whole row, margin included, so a row that got shorter
	// leaves nothing behind.
	g.quad(image.Rect(0, top, g.screenSize.X, top+ch), g.atlas.white(), screenBG)
	sx0, sx1, selected := g.sel.cols(r.line, g.cols)
	hovered := g.hover.ok && g.hover.line == r.line
	thick := g.fonts.lineThickness()
	ok := true
	for x := 0; x < len(cells) && x < g.cols; x++ {
		c := cells[x]
		if c.Width == 0 {
			continue // the right half of a wide character
		}
		if g.reverse {
			c.Attr ^= term.Inverse
		}
		fg, bg := g.palette().CellColors(c)
		if selected && sx0 <= x && x < sx1 {
			fg, bg = g.theme.selFG, g.theme.selBG
		}
		fg = g.contrast.fix(fg, bg)
		w := cw * max(1, int(c.Width))
		cell := image.Rect(g.pad+x*cw, top, g.pad+x*cw+w, top+ch)
		if bg != screenBG {
			g.quad(cell, g.atlas.white(), bg)
		}
		if fg == bg {
			continue
		}
		if c.Rune != ' ' && c.Rune != 0 {
			src, fits := g.atlas.glyph(glyphKey{r: c.Rune, marks: c.Marks, style: styleOf(c.Attr), wide: c.Width == 2})
			if !fits {
				ok = false
				continue
			}
			g.quad(cell, src, g.atlas.tint(src, fg)) // emoji keep their colours
		}
		uy := top + g.fonts.Baseline + thick
		switch {
		case hovered && g.hover.span.X0 <= x && x < g.hover.span.X1:
			g.quad(image.Rect(cell.Min.X, uy, cell.Max.X, uy+thick), g.atlas.white(), fg)
		case c.Attr&(term.Underline|term.DoubleUnderline) != 0:
			g.quad(image.Rect(cell.Min.X, uy, cell.Max.X, uy+thick), g.atlas.white(), fg)
			if c.Attr&term.DoubleUnderline != 0 {
				g.quad(image.Rect(cell.Min.X, uy+2*thick, cell.Max.X, uy+3*thick), g.atlas.white(), fg)
			}
		case c.Link != 0 && g.term.LinkURI(c) != "":
			dots := g.atlas.dotted()
			dots.Max = dots.Min.Add(image.Pt(min(w, dots.Dx()), thick))
			g.quad(image.Rect(cell.Min.X, uy, cell.Min.X+dots.Dx(), uy+thick), dots, fg)
		}
		if c.Attr&term.Strike != 0 {
			sy := top + ch/2
			g.quad(image.Rect(cell.Min.X, sy, cell.Max.X, sy+thick), g.atlas.white(), fg)
		}
	}
	// A selection carries on past the end of a short line.
	if selected && sx1 > len(cells) {
		x0 := max(sx0, len(cells))
		g.quad(image.Rect(g.pad+x0*cw, top, g.pad+sx1*cw, top+ch), g.atlas.white(), g.theme.selBG)
	}
	return ok
}

// drawDivider queues the divider row of a split view: a rule across, and
// how to get back to the live screen.
func (g *Game) drawDivider(y int) bool {
	ch := g.fonts.CellH
	top := g.pad + y*ch
	g.quad(image.Rect(0, top, g.screenSize.X, top+ch), g.atlas.white(), g.screenBG())
	thick := max(1, ch/10)
	mid := top + ch/2 - thick/2
	g.quad(image.Rect(0, mid, g.screenSize.X, mid+thick), g.atlas.white(), g.theme.divider)
	g.divider = dividerText(g.msg, g.offset)
	return g.drawText(y, rightAlign(g.divider, g.cols), g.divider, g.screenBG(), g.palette().Foreground)
}

// rightAlign returns the column where text starts when right-aligned in
// cols columns; text too wide starts at 0 and is cut on the right, so its
// start, which says the most, stays in view.
func rightAlign(text string, cols int) int {
	return max(0, cols-len([]rune(text)))
}

// drawCursor queues a bar under the cursor's cell on view row y: the
// player types in the command line, so the terminal's cursor only shows
// where the game's output will continue.
func (g *Game) drawCursor(x, y int) {
	cw, ch := g.fonts.CellW, g.fonts.CellH
	thick := max(2, ch/8)
	left, bottom := g.pad+x*cw, g.pad+(y+1)*ch
	g.quad(image.Rect(left, bottom-thick, left+cw, bottom), g.atlas.white(), g.palette().Cursor)
}

// drawText queues text on view row y from column x0 (cut at the grid's
// edges), fg on bg. It returns false if the atlas ran out of room.
func (g *Game) drawText(y, x0 int, text string, fg, bg color.RGBA) bool {
	cw, ch := g.fonts.CellW, g.fonts.CellH
	top := g.pad + y*ch
	ok := true
	x := x0
	for _, r := range text {
		if x >= g.cols {
			break
		}
		if x >= 0 {
			cell := image.Rect(g.pad+x*cw, top, g.pad+(x+1)*cw, top+ch)
			g.quad(cell, g.atlas.white(), bg)
			if r != ' ' {
				src, fits := g.atlas.glyph(glyphKey{r: r})
				if fits {
					g.quad(cell, src, g.atlas.tint(src, fg))
				}
				ok = ok && fits
			}
		}
		x++
	}
	return ok
}

// drawStrip queues the vitals strip below the grid: each bar a dim track
// filled in its colour, its label on it in black or white, whichever
// reads better on the part of the bar under each letter.
func (g *Game) drawStrip() bool {
	cw, ch := g.fonts.CellW, g.fonts.CellH
	top := g.pad + g.rows*ch
	bgc := g.screenBG()
	g.quad(image.Rect(0, top, g.screenSize.X, top+ch), g.atlas.white(), bgc)
	inset := max(1, ch/12)
	ok := true
	for _, b := range layoutBars(g.vitals, g.cols) {
		x0, x1 := g.pad+b.x0*cw, g.pad+b.x1*cw
		fillX := x0 + int(math.Round(float64(x1-x0)*b.filled))
		track := mix(b.color, bgc, 0.7)
		g.quad(image.Rect(x0, top+inset, x1, top+ch-inset), g.atlas.white(), track)
		g.quad(image.Rect(x0, top+inset, fillX, top+ch-inset), g.atlas.white(), b.color)
		lx := b.x0 + (b.x1-b.x0-len([]rune(b.label)))/2
		for i, r := range []rune(b.label) {
			if r == ' ' {
				continue
			}
			cell := image.Rect(g.pad+(lx+i)*cw, top, g.pad+(lx+i+1)*cw, top+ch)
			under := track
			if (cell.Min.X+cell.Max.X)/2 < fillX {
				under = b.color
			}
			src, fits := g.atlas.glyph(glyphKey{r: r, style: Bold})
			if !fits {
				ok = false
				continue
			}
			g.quad(cell, src, textOn(under))
		}
	}
	return ok
}

func styleOf(a term.Attr) Style {
	var s Style
	if a&term.Bold != 0 {
		s |= Bold
	}
	if a&term.Italic != 0 {
		s |= Italic
	}
	return s
}

// quad queues a rectangle of the screen filled from src in the atlas,
// tinted with c.
func (g *Game) quad(dst, src image.Rectangle, c color.RGBA) {
	r, gr, b := float32(c.R)/255, float32(c.G)/255, float32(c.B)/255
	base := uint32(len(g.vs))
	for _, p := range [4][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
		g.vs = append(g.vs, ebiten.Vertex{
			DstX:   float32(dst.Min.X + p[0]*dst.Dx()),
			DstY:   float32(dst.Min.Y + p[1]*dst.Dy()),
			SrcX:   float32(src.Min.X + p[0]*src.Dx()),
			SrcY:   float32(src.Min.Y + p[1]*src.Dy()),
			ColorR: r, ColorG: gr, ColorB: b, ColorA: 1,
		})
	}
	g.is = append(g.is, base, base+1, base+2, base+1, base+3, base+2)
}
