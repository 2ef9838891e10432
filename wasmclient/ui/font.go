package ui

import (
	"fmt"
	"image"
	"image/draw"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Style selects one of the four faces of the font.
type Style uint8

// Font styles; combine Bold and Italic.
const (
	Regular Style = 0
	Bold    Style = 1
	Italic  Style = 2
)

// Fonts is the monospace font at one pixel size, in four styles, with the
// cell geometry derived from it. It rasterises glyphs into alpha masks; it
// knows nothing of Ebitengine, so it is tested natively.
//
// The font is Go Mono (BSD licence, in golang.org/x/image/font/gofont):
// it covers Latin, Greek, Cyrillic and common symbols. Box drawing, block
// elements and braille are drawn procedurally (boxdraw.go), pixel-exact so
// they join between cells. Anything else Go Mono lacks, CJK and emoji
// included, is drawn by the browser from the system's fonts (fallback.go,
// glyph_js.go) into one or two cells, as the terminal's width says:
// showing CJK from a shipped font would add megabytes to the download.
// Colour emoji keep their colours. What no system font has either is
// drawn as an outlined box one or two cells wide.
type Fonts struct {
	// faces are the regular and bold faces. Italics are slanted from
	// them when rasterised: the two italic faces would add about 70 KB
	// to the compressed client for text games use rarely.
	faces [2]font.Face
	// CellW and CellH are the cell size in pixels; Baseline is the
	// baseline's distance from the cell's top.
	CellW, CellH, Baseline int
	// size is the font size in device pixels.
	size float64
	// system draws the glyphs the faces lack; nil where there is no
	// browser (native builds), so they are boxes.
	system *systemGlyphs
}

// LoadFonts returns the fonts at size pixels (device pixels: the CSS font
// size times the device scale, so glyphs are crisp on HiDPI screens).
func LoadFonts(size float64) (*Fonts, error) {
	if size < 4 || size > 256 {
		return nil, fmt.Errorf("font size %.1f px out of range 4-256", size)
	}
	f := &Fonts{size: size}
	for i, ttf := range [2][]byte{gomono.TTF, gomonobold.TTF} {
		parsed, err := opentype.Parse(ttf)
		if err != nil {
			return nil, fmt.Errorf("parse font %d: %w", i, err)
		}
		face, err := opentype.NewFace(parsed, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			return nil, fmt.Errorf("font face %d: %w", i, err)
		}
		f.faces[i] = face
	}
	m := f.faces[Regular].Metrics()
	adv, ok := f.faces[Regular].GlyphAdvance('M')
	if !ok {
		return nil, fmt.Errorf("font has no 'M'")
	}
	f.CellW = int(math.Ceil(float64(adv) / 64))
	ascent, descent := m.Ascent.Ceil(), m.Descent.Ceil()
	// A little leading keeps lines of MUD text readable; box-drawing
	// glyphs still join because they are drawn to fill the cell height.
	lead := int(math.Round(float64(ascent+descent) * 0.12))
	f.CellH = ascent + descent + lead
	f.Baseline = ascent + lead/2
	f.system = newSystemGlyphs(systemTextDrawer(), size, browserLanguage())
	return f, nil
}

// lineThickness is the thickness of underlines and strike-throughs.
func (f *Fonts) lineThickness() int { return max(1, f.CellH/16) }

// Has reports whether r is drawn from the bundled font: it has a glyph
// for it, or r is one of the box-drawing, block or braille characters
// drawn procedurally. Other runes are drawn with the system's fonts where
// there are some (in the browser), else as an outlined box.
func (f *Fonts) Has(r rune) bool {
	if isProcedural(r) {
		return true
	}
	_, ok := f.faces[Regular].GlyphAdvance(r)
	return ok
}

// Rasterize draws r and its combining marks in style into dst, an RGBA
// image of width cells (1 or 2) whose bounds are the glyph's cells, as
// premultiplied white with the glyph's coverage as alpha; colour is
// applied when drawing. A rune (or a mark) the bundled font lacks is
// drawn with the system's fonts; it may come out in colour (an emoji),
// and then colour is true and it must be drawn untinted. A rune no font
// has is drawn as an outlined box, so missing glyphs are visible rather
// than silently blank.
func (f *Fonts) Rasterize(dst *image.RGBA, r rune, style Style, marks []rune) (colour bool) {
	draw.Draw(dst, dst.Bounds(), image.Transparent, image.Point{}, draw.Src)
	face := f.faces[style&Bold]
	b := dst.Bounds()
	if isProcedural(r) {
		drawProcedural(dst, r)
		f.drawMarks(dst, face, fixed.I(b.Min.X), marks)
		return false
	}
	_, has := face.GlyphAdvance(r)
	if f.system != nil && (!has || !hasMarks(face, marks)) {
		if colour, ok := f.system.glyph(dst, cluster(r, marks), style, f.Baseline); ok {
			return colour
		}
	}
	if !has {
		box := b.Inset(max(1, f.CellW/6))
		box.Min.Y = b.Min.Y + f.CellH/6
		box.Max.Y = b.Max.Y - f.CellH/6
		outline(dst, box)
		return false
	}
	d := font.Drawer{Dst: dst, Src: image.White, Face: face}
	// Centre the glyph in its cells: Go Mono's advance is a little under
	// the cell width once rounded up.
	adv, _ := face.GlyphAdvance(r)
	x := fixed.I(b.Min.X) + (fixed.I(b.Dx())-adv)/2
	d.Dot = fixed.Point26_6{X: x, Y: fixed.I(b.Min.Y + f.Baseline)}
	d.DrawString(string(r))
	f.drawMarks(dst, face, x, marks)
	if style&Italic != 0 {
		slant(dst, b.Min.Y+f.Baseline)
	}
	return false
}

// hasMarks reports whether face has all of marks (up to the first 0).
func hasMarks(face font.Face, marks []rune) bool {
	for _, m := range marks {
		if m == 0 {
			break
		}
		if _, ok := face.GlyphAdvance(m); !ok {
			return false
		}
	}
	return true
}

// cluster is r followed by its marks (up to the first 0), as one string.
func cluster(r rune, marks []rune) string {
	s := []rune{r}
	for _, m := range marks {
		if m == 0 {
			break
		}
		s = append(s, m)
	}
	return string(s)
}

// italicSlant is the horizontal shift per pixel of height of synthetic
// italics: about 11 degrees, as Go Mono's own italic.
const italicSlant = 0.2

// slant shears the glyph in dst to the right above the baseline and to
// the left below it, with linear interpolation between pixels: a
// synthetic italic. Box drawing and blocks are never slanted (they must
// join their neighbours).
func slant(dst *image.RGBA, baseline int) {
	b := dst.Bounds()
	row := make([]uint8, b.Dx())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		shift := float64(baseline-y) * italicSlant
		whole := int(math.Floor(shift))
		frac := shift - float64(whole)
		off := dst.PixOffset(b.Min.X, y)
		for x := range row {
			row[x] = dst.Pix[off+4*x+3] // coverage: the glyph is white, premultiplied
		}
		for x := range row {
			// The pixel x takes from source x-whole (weight 1-frac) and
			// x-whole-1 (weight frac).
			a := sample(row, x-whole)*(1-frac) + sample(row, x-whole-1)*frac
			v := uint8(math.Round(a))
			p := dst.Pix[off+4*x : off+4*x+4 : off+4*x+4]
			p[0], p[1], p[2], p[3] = v, v, v, v
		}
	}
}

// sample is row[x], or 0 outside the row.
func sample(row []uint8, x int) float64 {
	if x < 0 || x >= len(row) {
		return 0
	}
	return float64(row[x])
}

// drawMarks draws combining marks over the glyph that starts at x.
func (f *Fonts) drawMarks(dst *image.RGBA, face font.Face, x fixed.Int26_6, marks []rune) {
	d := font.Drawer{Dst: dst, Src: image.White, Face: face}
	for _, m := range marks {
		if m == 0 {
			break
		}
		if _, ok := face.GlyphAdvance(m); ok {
			d.Dot = fixed.Point26_6{X: x, Y: fixed.I(dst.Bounds().Min.Y + f.Baseline)}
			d.DrawString(string(m))
		}
	}
}

func outline(dst *image.RGBA, r image.Rectangle) {
	for x := r.Min.X; x < r.Max.X; x++ {
		dst.Set(x, r.Min.Y, image.White.C)
		dst.Set(x, r.Max.Y-1, image.White.C)
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		dst.Set(r.Min.X, y, image.White.C)
		dst.Set(r.Max.X-1, y, image.White.C)
	}
}
