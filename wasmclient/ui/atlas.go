package ui

import (
	"image"
	"image/color"

	"github.com/drawbridge/drawbridge/wasmclient/term"
	"github.com/hajimehoshi/ebiten/v2"
)

// glyphKey identifies one rasterised glyph in the atlas.
type glyphKey struct {
	r     rune
	marks [term.MaxMarks]rune
	style Style
	wide  bool
}

// atlas is a texture of rasterised glyphs, filled on demand, so a frame is
// drawn with one DrawTriangles32 call that samples it. Slot (0, 0) is a
// solid white cell used for backgrounds, the cursor and underlines; the
// slot beside it holds a dotted line for OSC 8 links. Where the glyphs go
// is worked out by glyphSlots, plain Go tested natively.
type atlas struct {
	img *ebiten.Image
	glyphSlots
}

// glyphSlots places glyphs in the atlas: each glyph key is rasterised
// once (the browser's fallback glyphs included, which are the expensive
// ones) and keeps its slot until the atlas is full and starts afresh.
type glyphSlots struct {
	fonts   *Fonts
	slots   map[glyphKey]image.Point
	colour  map[image.Point]bool // slots holding colour glyphs (emoji)
	next    image.Point          // where the next glyph goes
	scratch *image.RGBA
	size    int
}

// atlasSize is the texture's side in pixels: at 30 px glyphs (15 px on a
// 2x screen) it holds some six thousand glyphs.
const atlasSize = 2048

// newAtlas makes the atlas's texture unmanaged: a texture of its own,
// never moved by Ebitengine. A managed image that is only drawn from for
// 10 frames in a row (then 20, 40, ... as it keeps being written to) is
// copied onto Ebitengine's shared source atlas, and copied off again to
// an isolated texture when it is next written to (v2.10,
// internal/atlas/image.go, baseCountToPutOnSourceBackend): for this
// atlas, a new 2048x2048 texture and a full copy each way, which held a
// keystroke's echo for 70-130 ms on SwiftShader, always the 9th or 10th
// key of make bench-client's keystrokes. The atlas is the only image
// a frame draws from, so sharing a texture would save no draw call.
func newAtlas(fonts *Fonts) *atlas {
	img := ebiten.NewImageWithOptions(image.Rect(0, 0, atlasSize, atlasSize), &ebiten.NewImageOptions{Unmanaged: true})
	a := &atlas{img: img, glyphSlots: newGlyphSlots(fonts, atlasSize)}
	a.reset()
	return a
}

func newGlyphSlots(fonts *Fonts, size int) glyphSlots {
	s := glyphSlots{
		fonts:   fonts,
		size:    size,
		scratch: image.NewRGBA(image.Rect(0, 0, 2*fonts.CellW, fonts.CellH)),
	}
	s.clear()
	return s
}

// clear forgets every glyph, keeping the white and dotted slots.
func (s *glyphSlots) clear() {
	s.slots = make(map[glyphKey]image.Point)
	s.colour = make(map[image.Point]bool)
	s.next = image.Pt(2*s.fonts.CellW, 0)
}

// reset empties the atlas, keeping only the white and dotted slots.
func (a *atlas) reset() {
	a.img.Clear()
	a.clear()
	w, h := a.fonts.CellW, a.fonts.CellH
	a.img.SubImage(image.Rect(0, 0, w, h)).(*ebiten.Image).Fill(image.White.C)
	a.img.SubImage(a.dotted()).(*ebiten.Image).WritePixels(dots(w, h, a.fonts.lineThickness()))
}

// dotted returns the dotted slot: dashes as long as the line is thick,
// with gaps as long, the whole cell high, so that a thin strip of it
// draws a dotted underline of any thickness up to the cell's.
func (s *glyphSlots) dotted() image.Rectangle {
	w, h := s.fonts.CellW, s.fonts.CellH
	return image.Rect(w, 0, 2*w, h)
}

// dots returns the pixels of the dotted slot.
func dots(w, h, thick int) []byte {
	pix := make([]byte, 4*w*h)
	for y := range h {
		for x := range w {
			if x/thick%2 == 0 {
				copy(pix[4*(y*w+x):], []byte{0xff, 0xff, 0xff, 0xff})
			}
		}
	}
	return pix
}

// white returns the solid white slot's rectangle.
func (s *glyphSlots) white() image.Rectangle {
	return image.Rect(0, 0, s.fonts.CellW, s.fonts.CellH)
}

// tint is the colour to draw the glyph in atlas rectangle src with, for
// text in colour fg: fg for glyphs that are coverage only, white (the
// glyph's own colours) for colour glyphs such as emoji.
func (s *glyphSlots) tint(src image.Rectangle, fg color.RGBA) color.RGBA {
	if len(s.colour) > 0 && s.colour[src.Min] {
		return color.RGBA{0xff, 0xff, 0xff, 0xff}
	}
	return fg
}

// glyph returns the atlas rectangle holding k, rasterising it first if
// needed. ok is false when the atlas is full; the caller resets it and
// redraws everything.
func (a *atlas) glyph(k glyphKey) (r image.Rectangle, ok bool) {
	r, pix, ok := a.place(k)
	if pix != nil {
		a.img.SubImage(r).(*ebiten.Image).WritePixels(pix)
	}
	return r, ok
}

// place returns the atlas rectangle for k, one cell wide or two for a
// wide character. A glyph placed before is where it was, and pix is nil;
// a new one is rasterised, and pix holds its pixels (premultiplied RGBA
// rows) to copy to the rectangle. ok is false when the atlas is full.
func (s *glyphSlots) place(k glyphKey) (r image.Rectangle, pix []byte, ok bool) {
	w, h := s.fonts.CellW, s.fonts.CellH
	if k.wide {
		w *= 2
	}
	if isProcedural(k.r) {
		k.style = Regular // drawn the same in every style: one slot
	}
	if p, hit := s.slots[k]; hit {
		return image.Rect(p.X, p.Y, p.X+w, p.Y+h), nil, true
	}
	if s.next.X+w > s.size {
		s.next = image.Pt(0, s.next.Y+h)
	}
	if s.next.Y+h > s.size {
		return image.Rectangle{}, nil, false
	}
	p := s.next
	s.next.X += w
	dst := s.scratch.SubImage(image.Rect(0, 0, w, h)).(*image.RGBA)
	if s.fonts.Rasterize(dst, k.r, k.style, k.marks[:]) {
		s.colour[p] = true
	}
	pix = make([]byte, 0, 4*w*h)
	for y := 0; y < h; y++ {
		off := dst.PixOffset(0, y)
		pix = append(pix, dst.Pix[off:off+4*w]...)
	}
	s.slots[k] = p
	return image.Rect(p.X, p.Y, p.X+w, p.Y+h), pix, true
}
