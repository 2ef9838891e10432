// Package ui draws the terminal with Ebitengine: a glyph atlas filled on
// demand, the grid drawn with one DrawTriangles32 call per frame, only the
// rows that changed, and no drawing at all when nothing did (the screen is
// not cleared between frames). It is crisp on HiDPI screens because the
// layout is in device pixels and the font is rasterised at device size.
//
// Update and Draw never block: the caller's Tick hook feeds the terminal
// from channels with a bounded amount of work per frame.
package ui

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"sync"

	"github.com/drawbridge/drawbridge/wasmclient/term"
	"github.com/hajimehoshi/ebiten/v2"
)

// Config configures the terminal view.
type Config struct {
	// Term is the terminal model to draw.
	Term *term.Terminal

	// Lock guards Term, which the client feeds from another goroutine.
	// The game holds it while it reads or resizes the terminal.
	Lock sync.Locker

	// Palette maps the terminal's colours; nil uses term.DefaultPalette.
	Palette *term.Palette

	// FontSize is the font size in CSS pixels. Default 15.
	FontSize float64

	// Tick runs at the start of every Update, on the game loop, without
	// the lock. It must not block.
	Tick func()

	// OnResize is called, on the game loop, when the grid's size in cells
	// changes (the window or the font changed). The terminal has already
	// been resized.
	OnResize func(cols, rows int)

	// OnDraw is called, on the game loop, after every frame that drew
	// something (frames with nothing new are skipped and not reported):
	// the client counts frames with it for its benchmarks.
	OnDraw func()
}

// padding around the grid, in CSS pixels.
const padding = 4

// Game is the Ebitengine game that shows the terminal. It implements
// ebiten.Game and ebiten.LayoutFer.
type Game struct {
	cfg     Config
	term    *term.Terminal
	lock    sync.Locker
	palette *term.Palette

	scale float64 // device pixels per CSS pixel
	fonts *Fonts
	atlas *atlas
	pad   int // padding in device pixels

	cols, rows int
	screenSize image.Point

	// Scrollback view: offset is how many lines the view is scrolled up
	// from the live screen; added is term.ScrollbackAdded when last seen.
	offset int
	added  uint64
	wheel  float64

	full bool // redraw everything on the next Draw
	vs   []ebiten.Vertex
	is   []uint32
}

// New returns the game. The fonts are loaded on the first layout, when
// the device scale is known.
func New(cfg Config) *Game {
	if cfg.FontSize == 0 {
		cfg.FontSize = 15
	}
	p := cfg.Palette
	if p == nil {
		p = term.DefaultPalette()
	}
	lock := cfg.Lock
	if lock == nil {
		lock = new(sync.Mutex)
	}
	return &Game{cfg: cfg, term: cfg.Term, lock: lock, palette: p, full: true}
}

// Layout is required by ebiten.Game; LayoutF is what Ebitengine uses.
func (g *Game) Layout(outsideWidth, outsideHeight int) (int, int) {
	w, h := g.LayoutF(float64(outsideWidth), float64(outsideHeight))
	return int(w), int(h)
}

// LayoutF lays the screen out in device pixels, so one screen pixel is one
// device pixel, and fits the grid to it.
func (g *Game) LayoutF(outsideWidth, outsideHeight float64) (float64, float64) {
	s := ebiten.Monitor().DeviceScaleFactor()
	if s <= 0 {
		s = 1
	}
	if s != g.scale || g.fonts == nil {
		if err := g.setScale(s); err != nil {
			panic(err) // the embedded font failed to load: a build defect
		}
	}
	w, h := math.Ceil(outsideWidth*s), math.Ceil(outsideHeight*s)
	cols := max(1, (int(w)-2*g.pad)/g.fonts.CellW)
	rows := max(1, (int(h)-2*g.pad)/g.fonts.CellH)
	if cols != g.cols || rows != g.rows {
		g.cols, g.rows = cols, rows
		g.lock.Lock()
		g.term.Resize(cols, rows)
		g.lock.Unlock()
		// Growing the screen pulls lines back out of the scrollback, so a
		// scrolled-back view would lose its place: return to the live screen.
		g.offset = 0
		g.full = true
		if g.cfg.OnResize != nil {
			g.cfg.OnResize(cols, rows)
		}
	}
	return w, h
}

func (g *Game) setScale(s float64) error {
	fonts, err := LoadFonts(g.cfg.FontSize * s)
	if err != nil {
		return fmt.Errorf("load font: %w", err)
	}
	if g.atlas != nil {
		g.atlas.img.Deallocate()
	}
	g.scale, g.fonts, g.atlas = s, fonts, newAtlas(fonts)
	g.pad = int(math.Round(padding * s))
	g.cols, g.rows = 0, 0 // refit the grid
	g.full = true
	return nil
}

// Size returns the grid's size in cells.
func (g *Game) Size() (cols, rows int) { return g.cols, g.rows }

// Update feeds the terminal and handles the mouse wheel.
func (g *Game) Update() error {
	if g.cfg.Tick != nil {
		g.cfg.Tick()
	}
	if _, dy := ebiten.Wheel(); dy != 0 {
		g.wheel += dy * 3
		if n := int(g.wheel); n != 0 {
			g.wheel -= float64(n)
			g.Scroll(n)
		}
	}
	return nil
}

// Scroll moves the view n lines into the scrollback (negative: toward the
// live screen). Call it on the game loop.
func (g *Game) Scroll(n int) {
	g.lock.Lock()
	sb := g.term.ScrollbackLen()
	g.lock.Unlock()
	off := min(max(g.offset+n, 0), sb)
	if off != g.offset {
		g.offset = off
		g.full = true
	}
}

// ScrollPage scrolls by pages: positive is up.
func (g *Game) ScrollPage(pages int) { g.Scroll(pages * max(1, g.rows-1)) }

// ScrollToBottom returns the view to the live screen.
func (g *Game) ScrollToBottom() { g.Scroll(-g.offset) }

// ScrolledBack returns how many lines the view is scrolled up.
func (g *Game) ScrolledBack() int { return g.offset }

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
	// Keep a scrolled-back view on the same text while output arrives.
	if added := g.term.ScrollbackAdded(); added != g.added {
		if g.offset > 0 {
			g.offset = min(g.offset+int(added-g.added), g.term.ScrollbackLen())
			g.full = true
		}
		g.added = added
	}
	if !g.full && !g.term.Dirty() {
		return // nothing changed: the last frame is still on screen
	}
	if g.offset > 0 {
		g.full = true // the view moves as a whole
	}
	g.vs, g.is = g.vs[:0], g.is[:0]
	if g.full {
		screen.Fill(g.palette.Background)
	}
	overflow := false
	for y := 0; y < g.rows; y++ {
		if g.full || g.term.RowDirty(y) {
			overflow = !g.drawRow(y, g.viewRow(y)) || overflow
		}
	}
	cx, cy, visible := g.term.Cursor()
	if visible && g.offset == 0 && (g.full || g.term.RowDirty(cy)) {
		g.drawCursor(cx, cy)
	}
	if g.offset > 0 {
		overflow = !g.drawBanner(fmt.Sprintf(" ↓ %d more lines: PageDown, or Shift+End for the live screen ", g.offset)) || overflow
	}
	screen.DrawTriangles32(g.vs, g.is, g.atlas.img, nil)
	g.term.ClearDirty()
	g.full = false
	if g.cfg.OnDraw != nil {
		g.cfg.OnDraw()
	}
	if overflow {
		// The atlas filled up mid-frame: start it afresh and draw again.
		g.atlas.reset()
		g.full = true
	}
}

// viewRow returns the cells shown on screen row y, from the scrollback
// when the view is scrolled up.
func (g *Game) viewRow(y int) []term.Cell {
	if g.offset == 0 {
		return g.term.Line(y)
	}
	i := g.term.ScrollbackLen() - g.offset + y
	if i < g.term.ScrollbackLen() {
		return g.term.ScrollbackLine(i)
	}
	return g.term.Line(i - g.term.ScrollbackLen())
}

// drawRow queues the backgrounds, glyphs and lines of one row. It returns
// false if the atlas ran out of room.
func (g *Game) drawRow(y int, cells []term.Cell) bool {
	cw, ch := g.fonts.CellW, g.fonts.CellH
	top := g.pad + y*ch
	// Clear the whole row, margin included, so a row that got shorter
	// leaves nothing behind.
	g.quad(image.Rect(0, top, g.screenSize.X, top+ch), g.atlas.white(), g.palette.Background)
	ok := true
	for x := 0; x < len(cells) && x < g.cols; x++ {
		c := cells[x]
		if c.Width == 0 {
			continue // the right half of a wide character
		}
		fg, bg := g.palette.CellColors(c)
		w := cw * max(1, int(c.Width))
		cell := image.Rect(g.pad+x*cw, top, g.pad+x*cw+w, top+ch)
		if bg != g.palette.Background {
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
			g.quad(cell, src, fg)
		}
		thick := max(1, ch/16)
		if c.Attr&(term.Underline|term.DoubleUnderline) != 0 {
			uy := top + g.fonts.Baseline + thick
			g.quad(image.Rect(cell.Min.X, uy, cell.Max.X, uy+thick), g.atlas.white(), fg)
			if c.Attr&term.DoubleUnderline != 0 {
				g.quad(image.Rect(cell.Min.X, uy+2*thick, cell.Max.X, uy+3*thick), g.atlas.white(), fg)
			}
		}
		if c.Attr&term.Strike != 0 {
			sy := top + ch/2
			g.quad(image.Rect(cell.Min.X, sy, cell.Max.X, sy+thick), g.atlas.white(), fg)
		}
	}
	return ok
}

// drawCursor queues a bar under the cursor's cell: the player types in the
// command line, so the terminal's cursor only shows where the game's
// output will continue.
func (g *Game) drawCursor(x, y int) {
	cw, ch := g.fonts.CellW, g.fonts.CellH
	thick := max(2, ch/8)
	left, bottom := g.pad+x*cw, g.pad+(y+1)*ch
	g.quad(image.Rect(left, bottom-thick, left+cw, bottom), g.atlas.white(), g.palette.Cursor)
}

// drawBanner queues a line of text in inverse colours over the last row,
// right-aligned.
func (g *Game) drawBanner(text string) bool {
	cw, ch := g.fonts.CellW, g.fonts.CellH
	runes := []rune(text)
	x0 := max(0, g.cols-len(runes))
	top := g.pad + (g.rows-1)*ch
	ok := true
	for i, r := range runes {
		if x0+i >= g.cols {
			break
		}
		cell := image.Rect(g.pad+(x0+i)*cw, top, g.pad+(x0+i+1)*cw, top+ch)
		g.quad(cell, g.atlas.white(), g.palette.Foreground)
		if r == ' ' {
			continue
		}
		src, fits := g.atlas.glyph(glyphKey{r: r})
		if !fits {
			ok = false
			continue
		}
		g.quad(cell, src, g.palette.Background)
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
