package ui

import (
	"bytes"
	"image"
	"image/color"
	"strconv"
	"strings"
	"testing"
)

// fakeDrawer stands in for the browser's canvas: it draws each text as a
// block of its own, the emoji in colour, and for runes in lacks the same
// box as for missingRune, as a browser draws its .notdef glyph.
type fakeDrawer struct {
	calls []drawCall
	lacks string
}

type drawCall struct {
	text, font     string
	w, h, baseline int
}

func (d *fakeDrawer) drawText(text, font string, w, h, baseline int) []byte {
	d.calls = append(d.calls, drawCall{text, font, w, h, baseline})
	pix := make([]byte, 4*w*h)
	set := func(x, y int, c color.NRGBA) {
		copy(pix[4*(y*w+x):], []byte{c.R, c.G, c.B, c.A})
	}
	switch {
	case text == string(missingRune) || strings.ContainsAny(text, d.lacks):
		for x := 1; x < w-1; x++ { // the .notdef: a frame
			set(x, 1, color.NRGBA{255, 255, 255, 255})
			set(x, h-2, color.NRGBA{255, 255, 255, 255})
		}
	case strings.Contains(text, "🐉"):
		for y := 2; y < h-2; y++ {
			for x := 2; x < w-2; x++ {
				set(x, y, color.NRGBA{200, 40, 20, 128}) // half-transparent red
			}
		}
	default:
		// White ink across the whole width, with an antialiased edge
		// a little off white as canvases give back.
		for y := h / 4; y < baseline; y++ {
			for x := 1; x < w-1; x++ {
				set(x, y, color.NRGBA{255, 255, 255, 255})
			}
			set(0, y, color.NRGBA{250, 250, 250, 60})
		}
	}
	return pix
}

// fallbackFonts returns fonts at 20 px drawing their missing glyphs with
// a fake drawer.
func fallbackFonts(t *testing.T, lacks string) (*Fonts, *fakeDrawer) {
	t.Helper()
	f, err := LoadFonts(20)
	if err != nil {
		t.Fatal(err)
	}
	if f.system != nil {
		t.Fatal("native fonts have a system drawer; want none outside the browser")
	}
	d := &fakeDrawer{lacks: lacks}
	f.system = newSystemGlyphs(d, 20, "")
	return f, d
}

// textCalls are the drawer's calls but those drawing the .notdef reference.
func (d *fakeDrawer) textCalls() []drawCall {
	var out []drawCall
	for _, c := range d.calls {
		if c.text != string(missingRune) {
			out = append(out, c)
		}
	}
	return out
}

func TestSystemGlyphOnlyForMissingRunes(t *testing.T) {
	f, d := fallbackFonts(t, "")
	plain, err := LoadFonts(20)
	if err != nil {
		t.Fatal(err)
	}
	got := image.NewRGBA(image.Rect(0, 0, f.CellW, f.CellH))
	want := image.NewRGBA(got.Rect)
	for _, r := range []rune{'M', 'é', 'Ж', '─', '⣿'} {
		if !f.Has(r) {
			t.Fatalf("Has(%q) false; the test needs a rune of the bundled font", r)
		}
		f.Rasterize(got, r, Bold, nil)
		plain.Rasterize(want, r, Bold, nil)
		if !bytes.Equal(got.Pix, want.Pix) {
			t.Errorf("%q drawn differently with a system drawer", r)
		}
	}
	if len(d.calls) != 0 {
		t.Fatalf("drawer called for runes the font has: %+v", d.calls)
	}

	// 界 is not in Go Mono: the system draws it, over both cells.
	if f.Has('界') {
		t.Fatal("font has 界; pick a rune it lacks")
	}
	wide := image.NewRGBA(image.Rect(0, 0, 2*f.CellW, f.CellH))
	if colour := f.Rasterize(wide, '界', Bold|Italic, nil); colour {
		t.Error("界 reported as a colour glyph")
	}
	calls := d.textCalls()
	if len(calls) != 1 {
		t.Fatalf("drawer calls %+v, want one for 界", calls)
	}
	c := calls[0]
	if c.text != "界" || c.w != 2*f.CellW || c.h != f.CellH || c.baseline != f.Baseline {
		t.Errorf("drawer asked for %+v, want 界 in %dx%d with the baseline at %d", c, 2*f.CellW, f.CellH, f.Baseline)
	}
	if !strings.HasPrefix(c.font, "italic bold 20.00px monospace") {
		t.Errorf("font %q, want the browser's bold italic at 20 px", c.font)
	}
	// Coverage, premultiplied white, no synthetic slant of ours on top
	// (the browser slanted it): the fake's block is upright.
	y := f.Baseline - 1
	for x := 1; x < 2*f.CellW-1; x++ {
		if p := wide.RGBAAt(x, y); p != (color.RGBA{255, 255, 255, 255}) {
			t.Fatalf("pixel (%d, %d) = %v, want the system glyph's opaque white", x, y, p)
		}
	}
	if p := wide.RGBAAt(0, y); p != (color.RGBA{60, 60, 60, 60}) {
		t.Errorf("edge pixel %v, want premultiplied coverage 60", p)
	}
}

// Go Mono has no combining marks: a letter with one (a decomposed é, as
// some games send) is drawn by the system as one cluster, where before
// the mark was dropped.
func TestSystemGlyphForMissingMark(t *testing.T) {
	f, d := fallbackFonts(t, "")
	const mark = '\u0301'
	if hasMarks(f.faces[Regular], []rune{mark}) {
		t.Fatal("font has the combining acute; the test needs a mark it lacks")
	}
	img := image.NewRGBA(image.Rect(0, 0, f.CellW, f.CellH))
	f.Rasterize(img, 'e', Regular, []rune{mark, 0, 0})
	if calls := d.textCalls(); len(calls) != 1 || calls[0].text != "e\u0301" || calls[0].w != f.CellW {
		t.Fatalf("drawer calls %+v, want the cluster e+U+0301 in one cell", calls)
	}
}

func TestSystemLacksGlyphDrawsBox(t *testing.T) {
	const lacking = '\U000F0041' // private use: the fake draws its .notdef
	f, _ := fallbackFonts(t, string(lacking))
	plain, err := LoadFonts(20)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{f.CellW, 2 * f.CellW} {
		got := image.NewRGBA(image.Rect(0, 0, w, f.CellH))
		want := image.NewRGBA(got.Rect)
		f.Rasterize(got, lacking, Regular, nil)
		plain.Rasterize(want, lacking, Regular, nil)
		if !bytes.Equal(got.Pix, want.Pix) {
			t.Errorf("a rune the system lacks, %d px wide: not the client's own box", w)
		}
		if coverage(got) < f.CellH {
			t.Errorf("box covers %d pixels", coverage(got))
		}
	}
}

func TestAtlasWideAndColourGlyphs(t *testing.T) {
	f, d := fallbackFonts(t, "")
	s := newGlyphSlots(f, 512)
	fg := color.RGBA{10, 200, 30, 255}

	wide, pix, ok := s.place(glyphKey{r: '界', wide: true})
	if !ok || pix == nil {
		t.Fatalf("place 界: ok %v, pixels %v", ok, pix != nil)
	}
	if wide.Dx() != 2*f.CellW || wide.Dy() != f.CellH {
		t.Fatalf("wide glyph slot %v, want two cells, %dx%d", wide, 2*f.CellW, f.CellH)
	}
	if len(pix) != 4*wide.Dx()*wide.Dy() {
		t.Fatalf("%d bytes of pixels for a %v slot", len(pix), wide)
	}
	// Ink in both cells.
	y := f.Baseline - 1
	for _, x := range []int{f.CellW / 2, f.CellW + f.CellW/2} {
		if pix[4*(y*wide.Dx()+x)+3] == 0 {
			t.Errorf("no ink at x=%d of the wide glyph", x)
		}
	}
	if got := s.tint(wide, fg); got != fg {
		t.Errorf("CJK glyph tinted %v, want the text colour %v", got, fg)
	}

	// The emoji is a colour glyph: drawn untinted, premultiplied.
	emoji, pix, ok := s.place(glyphKey{r: '🐉', wide: true})
	if !ok {
		t.Fatal("place 🐉: atlas full")
	}
	if emoji.Min.X != wide.Max.X || emoji.Dx() != 2*f.CellW {
		t.Errorf("emoji slot %v after %v, want the next two cells", emoji, wide)
	}
	if got := s.tint(emoji, fg); got != (color.RGBA{255, 255, 255, 255}) {
		t.Errorf("emoji tinted %v, want white: its own colours", got)
	}
	p := pix[4*(5*emoji.Dx()+5):][:4]
	if want := []byte{200 * 128 / 255, 40 * 128 / 255, 20 * 128 / 255, 128}; !bytes.Equal(p, want) {
		t.Errorf("emoji pixel %v, want premultiplied %v", p, want)
	}

	// Each glyph is drawn by the system once.
	n := len(d.calls)
	for range 3 {
		if r, pix, _ := s.place(glyphKey{r: '🐉', wide: true}); r != emoji || pix != nil {
			t.Fatalf("second place of 🐉: %v, new pixels %v", r, pix != nil)
		}
	}
	if len(d.calls) != n {
		t.Errorf("drawer called %d more times for a glyph in the atlas", len(d.calls)-n)
	}

	// The bundled font's glyphs are tinted; so is whatever takes a
	// colour glyph's place once the atlas starts afresh.
	m, _, _ := s.place(glyphKey{r: 'M'})
	if got := s.tint(m, fg); got != fg {
		t.Errorf("M tinted %v, want %v", got, fg)
	}
	s.clear()
	again, _, _ := s.place(glyphKey{r: 'M', wide: true})
	if got := s.tint(again, fg); again.Min != wide.Min || got != fg {
		t.Errorf("after a reset, slot %v tinted %v, want %v tinted %v", again, got, wide.Min, fg)
	}
}

func TestIsColour(t *testing.T) {
	for _, c := range []struct {
		px   []byte
		want bool
	}{
		{[]byte{255, 255, 255, 255}, false},
		{[]byte{240, 250, 255, 200}, false}, // antialiasing, not colour
		{[]byte{10, 10, 10, 100}, false},    // dark but faint: an edge
		{[]byte{128, 128, 128, 255}, true},  // grey emoji parts count
		{[]byte{255, 0, 0, 255}, true},
	} {
		px := append([]byte{0, 0, 0, 0}, c.px...)
		if got := isColour(px); got != c.want {
			t.Errorf("isColour(%v) = %v, want %v", c.px, got, c.want)
		}
	}
}

func TestFitScale(t *testing.T) {
	for _, c := range []struct {
		width, ascent, descent float64
		w, h, base             int
		want                   float64
	}{
		{20, 15, 4, 24, 27, 20, 1},         // fits
		{20, 21, 4, 24, 27, 20, 1},         // a pixel too tall: left to the clip
		{25, 15, 4, 24, 27, 20, 24.0 / 25}, // too wide: always fitted
		{48, 15, 4, 24, 27, 20, 0.5},       // twice too wide
		{20, 40, 0, 24, 27, 20, 0.5},       // twice too tall
		{20, 10, 14, 24, 27, 20, 0.5},      // descends twice too far
		{0, 0, 0, 24, 27, 20, 1},           // nothing to draw
		{30, 15, 4, 12, 27, 20, 12.0 / 30}, // narrow cell
	} {
		if got := fitScale(c.width, c.ascent, c.descent, c.w, c.h, c.base); got != c.want {
			t.Errorf("fitScale(%v, %v, %v, %d, %d, %d) = %v, want %v", c.width, c.ascent, c.descent, c.w, c.h, c.base, got, c.want)
		}
	}
}

func TestCJKFamilies(t *testing.T) {
	for _, tc := range []struct{ lang, first string }{
		{"", "Noto Sans Mono CJK SC"},
		{"en-US", "Noto Sans Mono CJK SC"},
		{"zh-CN", "Noto Sans Mono CJK SC"},
		{"zh", "Noto Sans Mono CJK SC"},
		{"zh-TW", "Noto Sans Mono CJK TC"},
		{"zh-Hant", "Noto Sans Mono CJK TC"},
		{"zh-HK", "Noto Sans Mono CJK HK"},
		{"zh-Hant-HK", "Noto Sans Mono CJK HK"},
		{"ja", "Noto Sans Mono CJK JP"},
		{"ja-JP", "Noto Sans Mono CJK JP"},
		{"ko-KR", "Noto Sans Mono CJK KR"},
	} {
		got := cjkFamilies(tc.lang)
		if !strings.HasPrefix(got, strconv.Quote(tc.first)+", ") {
			t.Errorf("cjkFamilies(%q) = %s, want %q first", tc.lang, got, tc.first)
		}
		// Every region's fonts, each once: a player whose language is
		// not the game's still gets its characters from a named font.
		for _, fonts := range cjkFonts {
			for _, f := range fonts {
				if n := strings.Count(got, strconv.Quote(f)+","); n != 1 {
					t.Errorf("cjkFamilies(%q) names %q %d times, want once", tc.lang, f, n)
				}
			}
		}
	}
	// Named after monospace (the terminal's own choice for what it has)
	// and before the emoji fonts and the system's fallback.
	font := cssFont(Regular, 20, cjkFamilies("ja"))
	if !strings.HasPrefix(font, `20.00px monospace, "Noto Sans Mono CJK JP", `) || !strings.HasSuffix(font, `"Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji", sans-serif`) {
		t.Errorf("cssFont = %s", font)
	}
}

// TestWarmSystem checks that warming draws an ideograph in the grid's
// wide cell with the system's fonts once, with the font the glyphs are
// drawn with, so that the browser sets up what it draws them with.
func TestWarmSystem(t *testing.T) {
	f, d := fallbackFonts(t, "")
	f.warmSystem()
	calls := d.textCalls()
	if len(calls) != 1 || calls[0].text != "中" || calls[0].w != 2*f.CellW || calls[0].h != f.CellH || calls[0].baseline != f.Baseline {
		t.Fatalf("warming drew %+v, want 中 once in %dx%d", calls, 2*f.CellW, f.CellH)
	}
	if want := cssFont(Regular, 20, cjkFamilies("")); calls[0].font != want {
		t.Errorf("warming used font %q, want the glyphs' %q", calls[0].font, want)
	}
	// Natively there is no system drawer: nothing to warm, no panic.
	plain, err := LoadFonts(20)
	if err != nil {
		t.Fatal(err)
	}
	plain.warmSystem()
}
