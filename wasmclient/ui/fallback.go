package ui

import (
	"bytes"
	"fmt"
	"image"
	"math"
	"strings"
)

// textDrawer draws text with the system's fonts. In the browser it is a
// 2D canvas (glyph_js.go); natively there is none (glyph_other.go), and
// tests use a fake. It is called once per glyph the bundled font lacks
// (the atlas keeps the result), never per frame.
type textDrawer interface {
	// drawText draws text in white on transparent into the top-left w x h
	// pixels of its surface, with the CSS font font, the baseline
	// baseline pixels from the top, centred horizontally and scaled
	// down, about the baseline, to fit w x h if it is bigger. It returns
	// the w x h pixels as canvas getImageData does (RGBA rows, not
	// premultiplied), valid until the next call, or nil when it cannot
	// draw at all.
	drawText(text, font string, w, h, baseline int) []byte
}

// missingRune is a rune no font is expected to have (the last private use
// character, U+10FFFD): what the system draws for it is what it draws for
// any rune it lacks, its .notdef glyph, usually a box of its own.
const missingRune = '\U0010FFFD'

// systemGlyphs draws the glyphs the bundled font lacks (CJK, emoji, most
// scripts beyond Latin, Greek and Cyrillic) with the fonts of the system
// the client runs on, through a textDrawer, so they cost the download
// nothing. Colour glyphs (emoji) keep their colours; the rest become
// coverage like the bundled font's glyphs, tinted when drawn.
type systemGlyphs struct {
	draw textDrawer
	size float64 // font size in device pixels
	// notdef is what the drawer draws for missingRune, per font and
	// width: a glyph drawn the same is missing, and the caller draws the
	// client's own box instead of the system's.
	notdef map[notdefKey][]byte
}

type notdefKey struct {
	font string
	w    int
}

func newSystemGlyphs(d textDrawer, size float64) *systemGlyphs {
	if d == nil {
		return nil
	}
	return &systemGlyphs{draw: d, size: size, notdef: make(map[notdefKey][]byte)}
}

// cssFont is the CSS font the system glyphs are drawn with: the generic
// monospace family at size pixels, then the usual colour emoji fonts; the
// browser falls back per character to any system font (CSS Fonts 4,
// section 5, "Font Matching Algorithm") and synthesises bold and
// oblique faces a font does not have (section 2.6, "font-synthesis").
func cssFont(style Style, size float64) string {
	var b strings.Builder
	if style&Italic != 0 {
		b.WriteString("italic ")
	}
	if style&Bold != 0 {
		b.WriteString("bold ")
	}
	fmt.Fprintf(&b, `%.2fpx monospace, "Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji", sans-serif`, size)
	return b.String()
}

// glyph draws text (a rune and its combining marks) in style into dst,
// whose bounds are the glyph's cells, as premultiplied RGBA, with the
// baseline baseline pixels below dst's top. colour is true when the
// system drew it in colour (an emoji): it is then drawn untinted. ok is
// false, and dst is left alone, when the system has no glyph for it.
func (s *systemGlyphs) glyph(dst *image.RGBA, text string, style Style, baseline int) (colour, ok bool) {
	b := dst.Bounds()
	w, h := b.Dx(), b.Dy()
	font := cssFont(style, s.size)
	k := notdefKey{font, w}
	ref, seen := s.notdef[k]
	if !seen {
		ref = bytes.Clone(s.draw.drawText(string(missingRune), font, w, h, baseline))
		if !hasInk(ref) {
			ref = nil // an invisible .notdef: nothing to tell missing glyphs by
		}
		s.notdef[k] = ref
	}
	pix := s.draw.drawText(text, font, w, h, baseline)
	if len(pix) != 4*w*h {
		return false, false
	}
	if ref != nil && bytes.Equal(pix, ref) {
		return false, false
	}
	colour = isColour(pix)
	for y := range h {
		row := pix[4*w*y : 4*w*(y+1)]
		out := dst.Pix[dst.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := 0; x < 4*w; x += 4 {
			a := uint32(row[x+3])
			if colour {
				out[x] = uint8(uint32(row[x]) * a / 255)
				out[x+1] = uint8(uint32(row[x+1]) * a / 255)
				out[x+2] = uint8(uint32(row[x+2]) * a / 255)
			} else {
				out[x], out[x+1], out[x+2] = uint8(a), uint8(a), uint8(a)
			}
			out[x+3] = uint8(a)
		}
	}
	return colour, true
}

// hasInk reports whether any pixel of RGBA pix is not transparent.
func hasInk(pix []byte) bool {
	for i := 3; i < len(pix); i += 4 {
		if pix[i] != 0 {
			return true
		}
	}
	return false
}

// isColour reports whether text drawn in white came out in other colours:
// a colour glyph. Only clearly opaque pixels count, as antialiased edges
// of white text may be a little off white once unpremultiplied.
func isColour(pix []byte) bool {
	const opaque, off = 128, 40
	for i := 0; i+3 < len(pix); i += 4 {
		if pix[i+3] >= opaque && (pix[i] < 255-off || pix[i+1] < 255-off || pix[i+2] < 255-off) {
			return true
		}
	}
	return false
}

// fitScale is how much to shrink text width wide, reaching ascent above
// and descent below its baseline, to fit a w x h cell whose baseline is
// baseline pixels down: 1 when it fits. Glyphs reaching a pixel or two
// above or below the cell are left alone: the cell clips them, and
// shrinking them would make a line of them uneven in size.
func fitScale(width, ascent, descent float64, w, h, baseline int) float64 {
	s := 1.0
	if width > float64(w) {
		s = float64(w) / width
	}
	if up := float64(baseline); ascent > up+2 {
		s = min(s, up/ascent)
	}
	if down := float64(h - baseline); descent > down+2 {
		s = min(s, down/descent)
	}
	if math.IsNaN(s) || s <= 0 {
		return 1
	}
	return s
}
