package ui

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/drawbridge/drawbridge/wasmclient/term"
)

// testGame returns a game over tm laid out in a 800x600 CSS pixel window
// at scale 1, without Ebitengine: fonts loaded, no atlas, nothing drawn.
func testGame(t *testing.T, tm *term.Terminal, cfg Config) *Game {
	t.Helper()
	cfg.Term = tm
	g := New(cfg)
	fonts, err := LoadFonts(g.cfg.FontSize)
	if err != nil {
		t.Fatal(err)
	}
	g.fonts, g.scale, g.pad = fonts, 1, padding
	g.outside = [2]float64{800, 600}
	g.refit()
	g.relayout()
	return g
}

// relayout does what Draw does before drawing: catch up with the
// terminal and lay the view out.
func (g *Game) relayout() {
	g.syncTerm()
	_, cy, _ := g.term.Cursor()
	g.layout = layoutView(g.layout.rows, g.rows, g.offset, g.sbLen, g.added, cy)
	if len(g.redraw) != g.rows {
		g.shown, g.redraw, g.need = make([]viewRow, g.rows), make([]bool, g.rows), make([]bool, g.rows)
	}
}

func TestSetFontSizeRange(t *testing.T) {
	g := New(Config{Term: term.New(80, 24, 0)})
	for _, px := range []float64{7.9, 40.1, 0, -3, math.NaN(), math.Inf(1)} {
		if err := g.SetFontSize(px); !errors.Is(err, ErrFontSize) {
			t.Errorf("SetFontSize(%v) = %v, want ErrFontSize", px, err)
		}
	}
	if g.FontSize() != 15 {
		t.Errorf("FontSize() = %v after bad sizes, want 15", g.FontSize())
	}
	for _, px := range []float64{8, 20.5, 40} {
		if err := g.SetFontSize(px); err != nil || g.FontSize() != px {
			t.Errorf("SetFontSize(%v) = %v, FontSize() = %v", px, err, g.FontSize())
		}
	}
}

func TestSetTheme(t *testing.T) {
	g := New(Config{Term: term.New(80, 24, 0)})
	if g.Theme() != ThemeDefault {
		t.Fatalf("Theme() = %q, want default", g.Theme())
	}
	if err := g.SetTheme("neon"); err == nil || g.Theme() != ThemeDefault {
		t.Fatalf("SetTheme(neon) = %v, theme %q", err, g.Theme())
	}
	if err := g.SetTheme(ThemeHighContrast); err != nil || g.Theme() != ThemeHighContrast {
		t.Fatalf("SetTheme(high-contrast) = %v, theme %q", err, g.Theme())
	}
	g.full = false
	g.applySettings()
	if g.palette().Background != rgb(0) || g.contrast.ratio != wcagAA || !g.full {
		t.Fatal("the high-contrast theme was not applied with a full redraw")
	}
	if p := New(Config{Term: term.New(80, 24, 0), Palette: term.HighContrastPalette()}); p.Theme() != "custom" {
		t.Fatalf("a Config.Palette gives theme %q, want custom", p.Theme())
	}
}

func TestVitalsStripTakesARow(t *testing.T) {
	var sizes []string
	g := testGame(t, term.New(80, 24, 100), Config{OnResize: func(c, r int) { sizes = append(sizes, fmt.Sprintf("%dx%d", c, r)) }})
	cols, rows := g.Size()
	vs := []Vital{{Label: "HP", Value: 1, Max: 2}}
	g.SetVitals(vs)
	g.applySettings()
	if c, r := g.Size(); c != cols || r != rows-1 || !g.strip {
		t.Fatalf("with vitals: %dx%d strip %v, want %dx%d with a strip", c, r, g.strip, cols, rows-1)
	}
	g.stripDirty = false
	vs[0].Value = 99 // SetVitals copied: this changes nothing
	g.SetVitals([]Vital{{Label: "HP", Value: 1, Max: 2}})
	g.applySettings()
	if g.stripDirty {
		t.Error("the same vitals again marked the strip for redrawing")
	}
	g.SetVitals([]Vital{{Label: "HP", Value: 2, Max: 2}})
	g.applySettings()
	if !g.stripDirty || len(sizes) != 2 {
		t.Errorf("new values: strip dirty %v, resizes %v", g.stripDirty, sizes)
	}
	g.SetVitals(nil)
	g.applySettings()
	if _, r := g.Size(); r != rows || g.strip {
		t.Fatalf("without vitals: %d rows, strip %v", r, g.strip)
	}
	want := []string{fmt.Sprintf("%dx%d", cols, rows), fmt.Sprintf("%dx%d", cols, rows-1), fmt.Sprintf("%dx%d", cols, rows)}
	if fmt.Sprint(sizes) != fmt.Sprint(want) {
		t.Fatalf("OnResize calls %v, want %v", sizes, want)
	}
}

func TestScrollAnchorsAndAltScreen(t *testing.T) {
	tm := term.New(80, 24, 1000)
	g := testGame(t, tm, Config{})
	for i := range 100 {
		fmt.Fprintf(tm, "line %d\r\n", i)
	}
	g.relayout()
	g.Scroll(1 << 20)
	if g.ScrolledBack() != tm.ScrollbackLen() {
		t.Fatalf("scrolled back %d, want the whole scrollback %d", g.ScrolledBack(), tm.ScrollbackLen())
	}
	g.ScrollToBottom()
	g.ScrollPage(1)
	g.relayout()
	if !g.layout.split || g.ScrolledBack() != pageRows(g.rows) {
		t.Fatalf("after PageUp: split %v, offset %d", g.layout.split, g.ScrolledBack())
	}
	top := rowText(t, tm, g.layout.rows[0])
	fmt.Fprintf(tm, "more\r\nand more\r\n")
	g.relayout()
	if got := rowText(t, tm, g.layout.rows[0]); got != top {
		t.Fatalf("history top moved from %q to %q with new output", top, got)
	}
	tm.WriteString("\x1b[?1049h") // a full-screen program
	g.relayout()
	if g.ScrolledBack() != 0 {
		t.Fatal("the alternate screen kept a scrolled-back view")
	}
	g.Scroll(5)
	if g.ScrolledBack() != 0 {
		t.Fatal("the alternate screen scrolled back")
	}
}

func TestSelectCopiesAndClickClears(t *testing.T) {
	tm := term.New(80, 24, 100)
	var copied []string
	g := testGame(t, tm, Config{OnSelect: func(s string) { copied = append(copied, s) }})
	tm.WriteString("first line\r\nsecond line")
	g.relayout()
	live0 := g.layout.rows[0].line
	g.do(action{kind: actSelect, a: textPos{live0, 6}, b: textPos{live0 + 1, 5}})
	if len(copied) != 0 || !g.sel.active || !g.redraw[0] || !g.redraw[1] || g.redraw[2] {
		t.Fatalf("dragging: copied %q, selection %+v, redraw %v", copied, g.sel, g.redraw[:3])
	}
	g.do(action{kind: actSelectDone, a: textPos{live0, 6}, b: textPos{live0 + 1, 5}})
	if len(copied) != 1 || copied[0] != "line\nsecond" {
		t.Fatalf("copied %q, want [\"line\\nsecond\"]", copied)
	}
	g.do(action{kind: actWord, a: textPos{live0 + 1, 9}})
	if len(copied) != 2 || copied[1] != "line" {
		t.Fatalf("double click copied %q", copied)
	}
	g.do(action{kind: actClick, a: textPos{live0 + 5, 0}})
	if g.sel.active {
		t.Fatal("a click kept the selection")
	}
}

func TestClickOpensOnlyAShownLink(t *testing.T) {
	tm := term.New(80, 24, 100)
	var opened []string
	g := testGame(t, tm, Config{OnOpenLink: func(u string) { opened = append(opened, u) }})
	tm.WriteString("go to https://one.example/ or https://two.example/")
	g.relayout()
	l := g.layout.rows[0].line
	// A tap (no hover first) shows the target; a second tap opens it.
	g.do(action{kind: actClick, a: textPos{l, 8}, touch: true})
	if len(opened) != 0 || !g.hover.ok || g.hover.span.URI != "https://one.example/" {
		t.Fatalf("first tap: opened %v, hover %+v", opened, g.hover)
	}
	if b := g.wantBanner(); b.row != g.rows-1 || b.text != " → https://one.example/ " {
		t.Fatalf("banner %+v", b)
	}
	g.do(action{kind: actClick, a: textPos{l, 10}, touch: true})
	if len(opened) != 1 || opened[0] != "https://one.example/" {
		t.Fatalf("second tap opened %v", opened)
	}
	// A click on another link than the one shown shows it instead.
	g.do(action{kind: actClick, a: textPos{l, 35}})
	if len(opened) != 1 || g.hover.span.URI != "https://two.example/" {
		t.Fatalf("click on another link: opened %v, hover %+v", opened, g.hover)
	}
	// Off any link, the hover goes.
	g.do(action{kind: actClick, a: textPos{l, 2}})
	if g.hover.ok || g.wantBanner().row != -1 {
		t.Fatalf("click off the links kept %+v", g.hover)
	}
}

// TestClickSendsACommandLink: a command link (MXP) clicked with the
// mouse sends at once, even when no hover showed its banner first (a busy
// machine may not have drawn one); tapped, it shows its banner first;
// right-clicked or long-pressed with several commands, it opens its menu.
func TestClickSendsACommandLink(t *testing.T) {
	tm := term.New(80, 24, 100)
	var opened []string
	var menus []string
	g := testGame(t, tm, Config{
		OnOpenLink: func(u string) { opened = append(opened, u) },
		OnLinkMenu: func(u string, x, y float64) { menus = append(menus, u) },
	})
	tm.WriteString("Exits: \x1b]8;;mxp:send?c=north\x1b\\north\x1b]8;;\x1b\\ \x1b]8;;mxp:send?c=look+well&c=emote+points&t=The+well\x1b\\well\x1b]8;;\x1b\\")
	g.relayout()
	l := g.layout.rows[0].line
	g.do(action{kind: actClick, a: textPos{l, 8}})
	if len(opened) != 1 || opened[0] != "mxp:send?c=north" {
		t.Fatalf("a click without a hover sent %v", opened)
	}
	g.setHover(hoverLink{})
	g.do(action{kind: actClick, a: textPos{l, 8}, touch: true})
	if len(opened) != 1 || !g.hover.ok {
		t.Fatalf("a first tap sent %v (hover %+v), want its banner first", opened, g.hover)
	}
	g.do(action{kind: actLongPress, a: textPos{l, 14}, b: textPos{l, 14}, touch: true})
	if len(menus) != 1 || g.sel.active {
		t.Fatalf("a long press on a menu opened %v, selection %+v", menus, g.sel)
	}
	g.do(action{kind: actLongPress, a: textPos{l, 8}, b: textPos{l, 8}, touch: true})
	if len(menus) != 1 || !g.sel.active {
		t.Fatalf("a long press on a single command opened %v, or selected nothing", menus)
	}
}

// TestStale checks Stale reports a change waiting to be drawn, and
// nothing once it was: the heartbeat asks for frames only then.
func TestStale(t *testing.T) {
	tm := term.New(80, 24, 0)
	g := testGame(t, tm, Config{})
	tm.ClearDirty()
	if g.Stale() {
		t.Fatal("Stale() with nothing changed")
	}
	tm.WriteString("hello")
	if !g.Stale() {
		t.Fatal("not Stale() after output")
	}
	tm.ClearDirty() // as Draw does
	if g.Stale() {
		t.Fatal("Stale() after the change was drawn")
	}
	if err := g.SetTheme(ThemeHighContrast); err != nil {
		t.Fatal(err)
	}
	if !g.Stale() {
		t.Fatal("not Stale() with a theme waiting")
	}
	g.applySettings()
	if g.Stale() {
		t.Fatal("Stale() after the theme was applied")
	}
	g.SetVitals([]Vital{{Label: "HP", Value: 1, Max: 2}})
	if !g.Stale() {
		t.Fatal("not Stale() with vitals waiting")
	}
	g.applySettings()
	tm.ClearDirty() // the strip took a row: the terminal was resized
	if g.Stale() {
		t.Fatal("Stale() after the vitals were applied")
	}
	if err := g.SetFontSize(20); err != nil {
		t.Fatal(err)
	}
	if !g.Stale() {
		t.Fatal("not Stale() with a font size waiting")
	}
}

// TestWarmAtlas checks a fresh atlas already holds printable ASCII and
// Latin-1 in the regular and bold styles, and box drawing, so a flood's
// first frames upload few glyphs (each upload makes Ebitengine wait for
// the GPU).
func TestWarmAtlas(t *testing.T) {
	g := New(Config{Term: term.New(80, 24, 0)})
	if err := g.setScale(1); err != nil {
		t.Fatal(err)
	}
	for _, st := range []Style{Regular, Bold} {
		for _, r := range "az AZ09~é€ÿ¡" {
			if r == ' ' || r == '€' { // a space is never drawn; the euro sign is not Latin-1
				continue
			}
			if _, ok := g.atlas.slots[glyphKey{r: r, style: st}]; !ok {
				t.Fatalf("%q in style %v not in a fresh atlas", r, st)
			}
		}
	}
	if _, ok := g.atlas.slots[glyphKey{r: '─'}]; !ok {
		t.Fatal("box drawing not in a fresh atlas")
	}
}
