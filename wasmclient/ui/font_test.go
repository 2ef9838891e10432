package ui

import (
	"image"
	"testing"
)

func coverage(img *image.RGBA) int {
	n := 0
	for i := 3; i < len(img.Pix); i += 4 {
		if img.Pix[i] > 0x80 {
			n++
		}
	}
	return n
}

func TestFontsCellGeometry(t *testing.T) {
	for _, size := range []float64{12, 15, 30} {
		f, err := LoadFonts(size)
		if err != nil {
			t.Fatalf("LoadFonts(%v): %v", size, err)
		}
		if f.CellW < int(size*0.5) || f.CellW > int(size*0.7)+1 {
			t.Errorf("size %v: cell width %d, want about 0.6 em", size, f.CellW)
		}
		if f.CellH < int(size) || f.CellH > int(size*1.5)+1 {
			t.Errorf("size %v: cell height %d, want 1-1.5 em", size, f.CellH)
		}
		if f.Baseline <= 0 || f.Baseline >= f.CellH {
			t.Errorf("size %v: baseline %d outside the cell of height %d", size, f.Baseline, f.CellH)
		}
	}
	if _, err := LoadFonts(1); err == nil {
		t.Error("LoadFonts(1) succeeded, want a range error")
	}
}

func TestRasterize(t *testing.T) {
	f, err := LoadFonts(20)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, f.CellW, f.CellH))
	f.Rasterize(img, ' ', Regular, nil)
	if n := coverage(img); n != 0 {
		t.Fatalf("space covers %d pixels, want 0", n)
	}
	f.Rasterize(img, 'M', Regular, nil)
	regular := coverage(img)
	if regular < 20 {
		t.Fatalf("'M' covers %d pixels, want a visible glyph", regular)
	}
	f.Rasterize(img, 'M', Bold, nil)
	if bold := coverage(img); bold <= regular {
		t.Fatalf("bold 'M' covers %d pixels, regular %d: want bold heavier", bold, regular)
	}
	// Box drawing is in the font: a line at least most of a cell wide.
	f.Rasterize(img, '─', Regular, nil)
	if n := coverage(img); n < f.CellW*3/4 {
		t.Fatalf("box-drawing line covers %d pixels, want at least %d", n, f.CellW*3/4)
	}
	// A rune the font lacks is drawn as a visible box, not blank.
	if f.Has('界') {
		t.Skip("font now has CJK; pick another missing rune")
	}
	f.Rasterize(img, '界', Regular, nil)
	if n := coverage(img); n < f.CellH {
		t.Fatalf("missing glyph covers %d pixels, want an outlined box", n)
	}
}

// centroidX is the coverage-weighted mean column of rows [y0, y1).
func centroidX(img *image.RGBA, y0, y1 int) float64 {
	var sum, n float64
	b := img.Bounds()
	for y := y0; y < y1; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			a := float64(img.Pix[img.PixOffset(x, y)+3])
			sum += a * float64(x)
			n += a
		}
	}
	if n == 0 {
		return -1
	}
	return sum / n
}

func TestSyntheticItalicSlants(t *testing.T) {
	f, err := LoadFonts(30)
	if err != nil {
		t.Fatal(err)
	}
	cell := image.Rect(0, 0, f.CellW, f.CellH)
	up, it := image.NewRGBA(cell), image.NewRGBA(cell)
	f.Rasterize(up, 'l', Regular, nil)
	f.Rasterize(it, 'l', Italic, nil)
	top, bottom := f.Baseline/3, f.Baseline // the stem of the l above the baseline
	upTop, upBottom := centroidX(up, 0, top), centroidX(up, top, bottom)
	itTop, itBottom := centroidX(it, 0, top), centroidX(it, top, bottom)
	if upTop < 0 || itTop < 0 {
		t.Fatalf("no ink in the top third: upright %v, italic %v", upTop, itTop)
	}
	// The italic's top leans right of its lower part by more than the
	// upright's does.
	if lean, uprightLean := itTop-itBottom, upTop-upBottom; lean < uprightLean+1 {
		t.Fatalf("italic leans %.2f px, upright %.2f: want a visible slant", lean, uprightLean)
	}
	if d := coverage(it) - coverage(up); d < -coverage(up)/4 || d > coverage(up)/4 {
		t.Fatalf("italic coverage %d against upright %d: the slant lost or added ink", coverage(it), coverage(up))
	}
	// Box drawing never slants: it must join its neighbours.
	boxUp, boxIt := image.NewRGBA(cell), image.NewRGBA(cell)
	f.Rasterize(boxUp, '│', Regular, nil)
	f.Rasterize(boxIt, '│', Italic, nil)
	for i := range boxUp.Pix {
		if boxUp.Pix[i] != boxIt.Pix[i] {
			t.Fatal("an italic box-drawing line differs from the upright one")
		}
	}
}
