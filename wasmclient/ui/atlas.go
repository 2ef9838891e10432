package ui

import (
	"image"

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
// slot beside it holds a dotted line for OSC 8 links.
type atlas struct {
	img     *ebiten.Image
	fonts   *Fonts
	slots   map[glyphKey]image.Point
	next    image.Point // where the next glyph goes
	scratch *image.RGBA
	size    int
}

// atlasSize is the texture's side in pixels: at 30 px glyphs (15 px on a
// 2x screen) it holds some six thousand glyphs.
const atlasSize = 2048

func newAtlas(fonts *Fonts) *atlas {
	a := &atlas{
		img:     ebiten.NewImage(atlasSize, atlasSize),
		fonts:   fonts,
		size:    atlasSize,
		scratch: image.NewRGBA(image.Rect(0, 0, 2*fonts.CellW, fonts.CellH)),
	}
	a.reset()
	return a
}

// reset empties the atlas, keeping only the white and dotted slots.
func (a *atlas) reset() {
	a.img.Clear()
	a.slots = make(map[glyphKey]image.Point)
	w, h := a.fonts.CellW, a.fonts.CellH
	a.img.SubImage(image.Rect(0, 0, w, h)).(*ebiten.Image).Fill(image.White.C)
	a.img.SubImage(a.dotted()).(*ebiten.Image).WritePixels(dots(w, h, a.fonts.lineThickness()))
	a.next = image.Pt(2*w, 0)
}

// dotted returns the dotted slot: dashes as long as the line is thick,
// with gaps as long, the whole cell high, so that a thin strip of it
// draws a dotted underline of any thickness up to the cell's.
func (a *atlas) dotted() image.Rectangle {
	w, h := a.fonts.CellW, a.fonts.CellH
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
func (a *atlas) white() image.Rectangle {
	return image.Rect(0, 0, a.fonts.CellW, a.fonts.CellH)
}

// glyph returns the atlas rectangle holding k, rasterising it first if
// needed. ok is false when the atlas is full; the caller resets it and
// redraws everything.
func (a *atlas) glyph(k glyphKey) (r image.Rectangle, ok bool) {
	w, h := a.fonts.CellW, a.fonts.CellH
	if k.wide {
		w *= 2
	}
	if isProcedural(k.r) {
		k.style = Regular // drawn the same in every style: one slot
	}
	if p, hit := a.slots[k]; hit {
		return image.Rect(p.X, p.Y, p.X+w, p.Y+h), true
	}
	if a.next.X+w > a.size {
		a.next = image.Pt(0, a.next.Y+h)
	}
	if a.next.Y+h > a.size {
		return image.Rectangle{}, false
	}
	p := a.next
	a.next.X += w
	dst := a.scratch.SubImage(image.Rect(0, 0, w, h)).(*image.RGBA)
	a.fonts.Rasterize(dst, k.r, k.style, k.marks[:])
	pix := make([]byte, 0, 4*w*h)
	for y := 0; y < h; y++ {
		off := dst.PixOffset(0, y)
		pix = append(pix, dst.Pix[off:off+4*w]...)
	}
	a.img.SubImage(image.Rect(p.X, p.Y, p.X+w, p.Y+h)).(*ebiten.Image).WritePixels(pix)
	a.slots[k] = p
	return image.Rect(p.X, p.Y, p.X+w, p.Y+h), true
}
