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
