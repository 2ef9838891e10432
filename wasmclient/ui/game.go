// Package ui draws the terminal with Ebitengine: a glyph atlas filled on
// demand, the grid drawn with one DrawTriangles32 call per frame, only the
// rows that changed, and no drawing at all when nothing did (the screen is
// not cleared between frames). It is crisp on HiDPI screens because the
// layout is in device pixels and the font is rasterised at device size.
//
// Around the grid it draws what a MUD player needs: a scrolled-back view
// split above the live screen's last rows (view.go), mouse and touch
// selection handed to the client for the clipboard (selection.go,
// gesture.go), links underlined on hover with their target shown before a
// click (links.go), themes including a high-contrast one (theme.go), a
// strip of vitals bars (vitals.go), and box drawing, block elements and
// braille drawn procedurally so they join between cells (boxdraw.go).
// Glyphs the bundled font lacks (CJK, emoji) are drawn by the browser from
// the system's fonts into the atlas (fallback.go, glyph_js.go).
// Everything but the thin Ebitengine layer (game.go, draw.go, input.go,
// atlas.go) and the browser's canvas (glyph_js.go) is plain Go, tested
// natively.
//
// Update and Draw never block: the caller's Tick hook feeds the terminal
// from channels with a bounded amount of work per frame.
package ui

import (
	"errors"
	"fmt"
	"image"
	"math"
	"sync"

	"github.com/drawbridge/drawbridge/shared/i18n"
	"github.com/drawbridge/drawbridge/wasmclient/term"
	"github.com/hajimehoshi/ebiten/v2"
)

// Config configures the terminal view.
type Config struct {
	// Messages is the catalogue of the page's language, for the words
	// the terminal draws itself (banners); nil is English.
	Messages *i18n.Catalog

	// Term is the terminal model to draw.
	Term *term.Terminal

	// Lock guards Term, which the client feeds from another goroutine.
	// The game holds it while it reads or resizes the terminal.
	Lock sync.Locker

	// Palette maps the terminal's colours; nil uses the default theme.
	// Game.SetTheme replaces it.
	Palette *term.Palette

	// FontSize is the font size in CSS pixels, MinFontSize to
	// MaxFontSize. Default 15.
	FontSize float64

	// Tick runs at the start of every Update, on the game loop, without
	// the lock. It must not block.
	Tick func()

	// OnResize is called, on the game loop, when the grid's size in cells
	// changes (the window, the font or the vitals strip changed). The
	// terminal has already been resized.
	OnResize func(cols, rows int)

	// Origin returns where the canvas's top-left corner is on the page,
	// in CSS pixels from the viewport's. Ebitengine measures pointer
	// positions from the viewport's corner and sizes the canvas to the
	// page's body; a page that puts a bar above the canvas makes the body
	// that area and says here where it starts. Called when the size
	// changes. nil: the canvas is at the corner.
	Origin func() (x, y float64)

	// OnDraw is called, on the game loop, after every frame that drew
	// something (frames with nothing new are skipped and not reported):
	// the client counts frames with it for its benchmarks.
	OnDraw func()

	// OnSelect is called, on the game loop, with the text the player
	// selected, when the drag ends (mouse button or finger released) or
	// a word is double-clicked: rows joined by "\n", trailing spaces
	// trimmed, auto-wrapped rows joined without a break, wide characters
	// once, combining marks kept. The client copies it to the clipboard.
	// It is not called for an empty selection.
	OnSelect func(text string)

	// OnOpenLink is called, on the game loop, when the player clicks a
	// link (press and release on it without dragging; on touch screens,
	// a tap on a link whose target is already shown). uri is an http,
	// https or mailto URI or a command link, as the terminal only makes
	// links of those. The client opens it, in a new tab and without opener, or for a
	// command link (term.ParseCommandLink), sends its first command.
	OnOpenLink func(uri string)

	// OnLinkMenu is called, on the game loop, when the player right-clicks
	// or long-presses a command link with more than one command (an MXP
	// menu): uri is the link, x and y where the pointer is on the page, in
	// CSS pixels from the viewport's corner. The client shows the menu.
	// nil: such gestures do what they do elsewhere.
	OnLinkMenu func(uri string, x, y float64)
}

// Font size limits for Config.FontSize and Game.SetFontSize, in CSS
// pixels.
const (
	MinFontSize = 8
	MaxFontSize = 40
)

// padding around the grid, in CSS pixels.
const padding = 4

// maxGlyphPx bounds the font size in device pixels. At a browser zoom of
// 500% on a 2x screen, devicePixelRatio is 10; rasterising at that would
// fill the glyph atlas with a few dozen glyphs, so the layout is done at
// a smaller scale and Ebitengine scales the result up.
const maxGlyphPx = 128

// Game is the Ebitengine game that shows the terminal. It implements
// ebiten.Game and ebiten.LayoutFer.
//
// Scroll, ScrollPage, ScrollToBottom, ScrolledBack and ClearSelection
// are for the game loop (Config.Tick). SetTheme, SetFontSize, FontSize,
// Theme and SetVitals may be called from any goroutine: they take effect
// on the next Update.
type Game struct {
	msg  *i18n.Catalog // cfg.Messages, or English
	cfg  Config
	term *term.Terminal
	lock sync.Locker

	// Settings from other goroutines, applied by Update.
	mu      sync.Mutex
	pending settings
	applied settings // the values in force (or requested, for FontSize)

	theme    *theme
	contrast contrastCache

	scale   float64 // device pixels per CSS pixel
	fonts   *Fonts
	atlas   *atlas
	pad     int        // padding in device pixels
	outside [2]float64 // the outside size given to LayoutF, CSS pixels
	origin  [2]float64 // the canvas's top-left on the page, CSS pixels (Config.Origin)

	cols, rows int  // the terminal grid
	strip      bool // a vitals strip below the grid
	screenSize image.Point

	// The view: offset is how many lines it is scrolled up from the
	// live screen; added, sbLen, alt and reverse are the terminal's
	// when last seen.
	offset  int
	added   uint64
	sbLen   int
	alt     bool
	reverse bool
	wheel   float64
	layout  viewLayout
	shown   []viewRow // what each row showed when last drawn
	redraw  []bool    // rows to draw next frame whatever else
	need    []bool    // rows drawn this frame
	divider string    // the divider text drawn
	banner  banner    // the banner drawn

	sel          selection
	gest         gesture
	hover        hoverLink
	hoverStale   bool // the view moved under the pointer
	spans        []term.Span
	cursorShape  ebiten.CursorShapeType
	mouse        image.Point
	pressed      bool // the left button, at the last Update
	rightPressed bool // the right button, at the last Update
	touchIDs     []ebiten.TouchID
	touchID      ebiten.TouchID
	touching     bool
	touchAt      image.Point
	ticks        int

	vitals     []Vital
	stripDirty bool

	full   bool // redraw everything on the next Draw
	vs     []ebiten.Vertex
	is     []uint32
	warmed int // the quads a frame has room for on the GPU (warm)
}

// settings are the player's choices that other goroutines may set.
type settings struct {
	theme     *theme
	fontSize  float64
	vitals    []Vital
	vitalsSet bool
}

// New returns the game. The fonts are loaded on the first layout, when
// the device scale is known. A Config.FontSize out of range is clamped.
func New(cfg Config) *Game {
	if cfg.FontSize == 0 {
		cfg.FontSize = 15
	}
	cfg.FontSize = min(max(cfg.FontSize, MinFontSize), MaxFontSize)
	th, _ := lookupTheme(ThemeDefault)
	if cfg.Palette != nil {
		th.name, th.palette = "custom", cfg.Palette
	}
	lock := cfg.Lock
	if lock == nil {
		lock = new(sync.Mutex)
	}
	msg := cfg.Messages
	if msg == nil {
		msg = i18n.For(i18n.Source)
	}
	g := &Game{cfg: cfg, msg: msg, term: cfg.Term, lock: lock, full: true, cursorShape: -1}
	g.setTheme(th)
	g.applied.theme, g.applied.fontSize = th, cfg.FontSize
	return g
}

// SetTheme switches to the named theme (one of Themes()) and redraws
// everything. An unknown name is an error and changes nothing.
func (g *Game) SetTheme(name string) error {
	th, err := lookupTheme(name)
	if err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pending.theme, g.applied.theme = th, th
	return nil
}

// Theme returns the name of the theme in use, or last set: "custom" for
// a Config.Palette.
func (g *Game) Theme() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.applied.theme.name
}

// ErrFontSize is returned by SetFontSize for a size out of range.
var ErrFontSize = errors.New("font size out of range")

// SetFontSize changes the font size, in CSS pixels (MinFontSize to
// MaxFontSize). The glyphs are rasterised anew at the device scale, the
// grid is refitted (OnResize is called when its size in cells changes)
// and the view returns to the live screen.
func (g *Game) SetFontSize(cssPx float64) error {
	if math.IsNaN(cssPx) || cssPx < MinFontSize || cssPx > MaxFontSize {
		return fmt.Errorf("set font size %g px: %w (%d-%d)", cssPx, ErrFontSize, MinFontSize, MaxFontSize)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pending.fontSize, g.applied.fontSize = cssPx, cssPx
	return nil
}

// FontSize returns the font size in CSS pixels, the last one set.
func (g *Game) FontSize() float64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.applied.fontSize
}

// SetVitals sets the bars of the vitals strip, drawn one row high below
// the terminal grid; nil or empty removes the strip. Showing or removing
// the strip takes a row from or gives it back to the grid (OnResize is
// called); otherwise the strip is redrawn only when the values change.
// v is copied.
func (g *Game) SetVitals(v []Vital) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pending.vitals, g.pending.vitalsSet = append([]Vital(nil), v...), true
}

// Stale reports whether something waits to be drawn: the terminal
// changed since the last frame, or a setting made since the last Update
// waits to be applied. Safe from any goroutine; it takes the lock.
func (g *Game) Stale() bool {
	g.mu.Lock()
	p := g.pending
	g.mu.Unlock()
	if p.theme != nil || p.fontSize != 0 || p.vitalsSet {
		return true
	}
	g.lock.Lock()
	defer g.lock.Unlock()
	return g.term.Dirty()
}

// applySettings applies what other goroutines set since the last Update.
func (g *Game) applySettings() {
	g.mu.Lock()
	p := g.pending
	g.pending = settings{}
	g.mu.Unlock()
	if p.theme != nil {
		g.setTheme(p.theme)
	}
	if p.fontSize != 0 && p.fontSize != g.cfg.FontSize {
		g.cfg.FontSize = p.fontSize
		g.fonts = nil
		if g.outside != [2]float64{} {
			g.fit()
		}
		g.ScrollToBottom()
	}
	if p.vitalsSet && !sameVitals(p.vitals, g.vitals) {
		g.vitals, g.stripDirty = p.vitals, true
		if (len(p.vitals) > 0) != g.strip {
			g.refit()
		}
	}
}

func (g *Game) setTheme(th *theme) {
	g.theme = th
	g.contrast = contrastCache{ratio: th.minContrast}
	g.full = true
}

// palette returns the palette in use.
func (g *Game) palette() *term.Palette { return g.theme.palette }

// Layout is required by ebiten.Game; LayoutF is what Ebitengine uses.
func (g *Game) Layout(outsideWidth, outsideHeight int) (int, int) {
	w, h := g.LayoutF(float64(outsideWidth), float64(outsideHeight))
	return int(w), int(h)
}

// LayoutF lays the screen out in device pixels, so one screen pixel is one
// device pixel, and fits the grid to it.
func (g *Game) LayoutF(outsideWidth, outsideHeight float64) (float64, float64) {
	if o := [2]float64{outsideWidth, outsideHeight}; o != g.outside {
		g.outside = o
		if g.cfg.Origin != nil {
			x, y := g.cfg.Origin()
			g.origin = [2]float64{x, y}
		}
	}
	g.fit()
	return math.Ceil(outsideWidth * g.scale), math.Ceil(outsideHeight * g.scale)
}

// fit loads the fonts if the device scale or the font size changed, and
// fits the grid to the screen.
func (g *Game) fit() {
	s := ebiten.Monitor().DeviceScaleFactor()
	if s <= 0 || math.IsNaN(s) {
		s = 1
	}
	s = min(s, maxGlyphPx/g.cfg.FontSize)
	if s != g.scale || g.fonts == nil {
		if err := g.setScale(s); err != nil {
			panic(err) // the embedded font failed to load: a build defect
		}
	}
	g.refit()
}

// refit fits the grid to the screen, resizing the terminal when its size
// in cells changes.
func (g *Game) refit() {
	if g.fonts == nil {
		return
	}
	w, h := math.Ceil(g.outside[0]*g.scale), math.Ceil(g.outside[1]*g.scale)
	cols := max(1, (int(w)-2*g.pad)/g.fonts.CellW)
	rows := max(1, (int(h)-2*g.pad)/g.fonts.CellH)
	strip := len(g.vitals) > 0 && rows >= 3
	if strip {
		rows--
	}
	if strip != g.strip {
		g.strip, g.stripDirty, g.full = strip, true, true
	}
	g.gest.grid = image.Rect(g.pad, g.pad, g.pad+cols*g.fonts.CellW, g.pad+rows*g.fonts.CellH)
	if cols == g.cols && rows == g.rows {
		return
	}
	g.cols, g.rows = cols, rows
	g.lock.Lock()
	g.term.Resize(cols, rows)
	g.lock.Unlock()
	// Growing the screen pulls lines back out of the scrollback, which
	// renumbers them: return to the live screen and drop the selection.
	g.offset = 0
	g.sel = selection{}
	g.hover = hoverLink{}
	g.gest.cancel()
	g.full = true
	if g.cfg.OnResize != nil {
		g.cfg.OnResize(cols, rows)
	}
}

// setScale loads the fonts for device scale s at the configured size.
func (g *Game) setScale(s float64) error {
	fonts, err := LoadFonts(g.cfg.FontSize * s)
	if err != nil {
		return fmt.Errorf("load font: %w", err)
	}
	if g.atlas != nil {
		g.atlas.img.Deallocate()
	}
	g.scale, g.fonts, g.atlas = s, fonts, newAtlas(fonts)
	g.warmAtlas()
	// Once the page is idle, which is after the frame that is laying out
	// (Layout and Draw run in one animation frame).
	whenIdle(fonts.warmSystem)
	g.pad = int(math.Round(padding * s))
	g.gest.lineHeight, g.gest.touchSlop = fonts.CellH, max(4, fonts.CellH/3)
	g.full = true
	return nil
}

// warmRanges are the characters warmAtlas puts in a fresh atlas: what
// MUDs send most, printable ASCII and Latin-1 (in regular and bold), and
// box drawing (procedural, one slot for every style).
var warmRanges = [...][2]rune{{0x21, 0x7e}, {0xa1, 0xff}, {0x2500, 0x257f}}

// warmAtlas rasterises warmRanges into a fresh atlas at once, before
// anything is drawn with it (about 500 glyphs, a few milliseconds). On
// demand alone, the glyphs of a flood's first frames go up a few at a
// time, and before each such upload Ebitengine waits for the GPU to
// finish every frame still pending (gl.finish): on SwiftShader, tens of
// milliseconds a time with the page's one thread blocked.
func (g *Game) warmAtlas() {
	for _, st := range []Style{Regular, Bold} {
		for _, rg := range warmRanges {
			for r := rg[0]; r <= rg[1]; r++ {
				if _, ok := g.atlas.glyph(glyphKey{r: r, style: st}); !ok {
					return // a huge font: the rest come on demand
				}
			}
		}
	}
}

// CellBox returns where cell (0, 0) starts and a cell's size, in CSS
// pixels of the canvas: cell (col, row) covers x+col*w to x+(col+1)*w
// and likewise down. Call it on the game loop (or while the game is not
// running); tests use it to point at text.
func (g *Game) CellBox() (x, y, w, h float64) {
	if g.fonts == nil || g.scale == 0 {
		return 0, 0, 0, 0
	}
	p := float64(g.pad) / g.scale
	return p, p, float64(g.fonts.CellW) / g.scale, float64(g.fonts.CellH) / g.scale
}

// Size returns the grid's size in cells.
func (g *Game) Size() (cols, rows int) { return g.cols, g.rows }

// Scroll moves the view n lines into the scrollback (negative: toward the
// live screen). On the alternate screen, which has no scrollback, it does
// nothing. Call it on the game loop.
func (g *Game) Scroll(n int) {
	g.lock.Lock()
	sb := g.term.ScrollbackLen()
	alt := g.term.Modes().AltScreen
	g.lock.Unlock()
	if alt {
		sb = 0
	}
	off := min(max(g.offset+n, 0), sb)
	if off != g.offset {
		g.offset = off
		g.hoverStale = true
	}
}

// ScrollPage scrolls by pages of the history part: positive is up.
func (g *Game) ScrollPage(pages int) { g.Scroll(pages * pageRows(g.rows)) }

// ScrollToBottom returns the view to the live screen.
func (g *Game) ScrollToBottom() { g.Scroll(-g.offset) }

// ScrolledBack returns how many lines the view is scrolled up.
func (g *Game) ScrolledBack() int { return g.offset }
