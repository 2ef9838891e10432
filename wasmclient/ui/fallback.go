package ui

import (
	"bytes"
	"fmt"
	"image"
	"math"
	"strings"
	"sync"
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
	mu   sync.Mutex // held while drawing: warmSystem may run beside a frame
	draw textDrawer
	size float64 // font size in device pixels
	// families are the CSS font families named after monospace, before
	// the browser's own fallback (see cjkFamilies).
	families string
	// notdef is what the drawer draws for missingRune, per font and
	// width: a glyph drawn the same is missing, and the caller draws the
	// client's own box instead of the system's.
	notdef map[notdefKey][]byte
}

type notdefKey struct {
	font string
	w    int
}

// newSystemGlyphs draws with d at size device pixels for a browser whose
// language is lang (navigator.language, a BCP 47 tag).
func newSystemGlyphs(d textDrawer, size float64, lang string) *systemGlyphs {
	if d == nil {
		return nil
	}
	return &systemGlyphs{draw: d, size: size, families: cjkFamilies(lang), notdef: make(map[notdefKey][]byte)}
}

// cssFont is the CSS font the system glyphs are drawn with: the generic
// monospace family at size pixels, then families (the usual CJK fonts),
// then the usual colour emoji fonts; the browser falls back per
// character to any system font (CSS Fonts 4, section 5, "Font Matching
// Algorithm") and synthesises bold and oblique faces a font does not
// have (section 2.6, "font-synthesis").
func cssFont(style Style, size float64, families string) string {
	var b strings.Builder
	if style&Italic != 0 {
		b.WriteString("italic ")
	}
	if style&Bold != 0 {
		b.WriteString("bold ")
	}
	fmt.Fprintf(&b, `%.2fpx monospace, %s"Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji", sans-serif`, size, families)
	return b.String()
}

// CJK fonts of the common systems, by how they write the unified
// ideographs (Unicode 16, section 18.1, "Han": one code point, shapes
// that differ by region): Linux's Noto (fonts-noto-cjk; its Mono faces
// first, they are the terminal's), macOS's and iOS's, Windows's.
var cjkFonts = map[string][]string{
	"JP": {"Noto Sans Mono CJK JP", "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "MS Gothic"},
	"SC": {"Noto Sans Mono CJK SC", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei"},
	"TC": {"Noto Sans Mono CJK TC", "Noto Sans CJK TC", "PingFang TC", "Microsoft JhengHei"},
	"HK": {"Noto Sans Mono CJK HK", "Noto Sans CJK HK", "PingFang HK", "Microsoft JhengHei"},
	"KR": {"Noto Sans Mono CJK KR", "Noto Sans CJK KR", "Apple SD Gothic Neo", "Malgun Gothic"},
}

// cjkFamilies is the CSS font families of cjkFonts, each quoted and
// followed by a comma, for a browser whose language is lang: its
// region's fonts first, then the others; Simplified Chinese first for
// other languages, as most CJK MUDs are Chinese.
//
// Naming them is for speed, and they are only the first choice: a
// character none of them has still falls back to any font the system
// has. A character that no font in the list has sends the browser to
// the system's fallback, which on Linux is a fontconfig query per
// character: about 1.1 ms for each new ideograph in headless Chromium
// here (238 of them: 270-330 ms in measureText, 20-26 ms with the
// fonts named), once per character and page, where a flood of
// CJK text met them mid-stream.
func cjkFamilies(lang string) string {
	first := "SC"
	tag := strings.ToLower(lang)
	switch {
	case strings.HasPrefix(tag, "ja"):
		first = "JP"
	case strings.HasPrefix(tag, "ko"):
		first = "KR"
	case tag == "zh-hk" || tag == "zh-mo" || strings.HasPrefix(tag, "zh-hant-hk") || strings.HasPrefix(tag, "zh-hant-mo"):
		first = "HK"
	case tag == "zh-tw" || strings.HasPrefix(tag, "zh-hant"):
		first = "TC"
	}
	var b strings.Builder
	named := map[string]bool{}
	for _, region := range []string{first, "SC", "JP", "TC", "HK", "KR"} {
		for _, f := range cjkFonts[region] {
			if !named[f] {
				named[f] = true
				fmt.Fprintf(&b, "%q, ", f)
			}
		}
	}
	return b.String()
}

// glyph draws text (a rune and its combining marks) in style into dst,
// whose bounds are the glyph's cells, as premultiplied RGBA, with the
// baseline baseline pixels below dst's top. colour is true when the
// system drew it in colour (an emoji): it is then drawn untinted. ok is
// false, and dst is left alone, when the system has no glyph for it.
func (s *systemGlyphs) glyph(dst *image.RGBA, text string, style Style, baseline int) (colour, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := dst.Bounds()
	w, h := b.Dx(), b.Dy()
	font := cssFont(style, s.size, s.families)
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

// warmSystem draws an ideograph with the system's fonts, as a glyph of
// the grid, and drops it, so that what the browser does only the first
// time is done before the game's text needs it: its first drawing on a
// 2D canvas in a page sets the canvas up (the first clearRect took
// 210-520 ms in headless Chromium on SwiftShader here, with the page's
// thread blocked), and its first ideograph loads a CJK font. The client
// calls it once the page is idle after its first frame (whenIdle), as
// the first of a CJK game's text met it mid-frame, holding up the
// frame. It does nothing where there is no system drawer.
func (f *Fonts) warmSystem() {
	if f.system == nil {
		return
	}
	dst := image.NewRGBA(image.Rect(0, 0, 2*f.CellW, f.CellH))
	f.system.glyph(dst, "中", Regular, f.Baseline)
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
