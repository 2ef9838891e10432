package ui

import (
	"fmt"
	"image"
	"testing"
)

// glyphImage rasterises r into a fresh cell of f.
func glyphImage(f *Fonts, r rune) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, f.CellW, f.CellH))
	f.Rasterize(img, r, Regular, nil)
	return img
}

// edge returns which pixels along one edge of img are solid: "l", "r"
// (columns) or "t", "b" (rows), as a string of '#' and '.'.
func edge(img *image.RGBA, side byte) string {
	b := img.Bounds()
	var s []byte
	at := func(x, y int) {
		if img.Pix[img.PixOffset(x, y)+3] == 0xff {
			s = append(s, '#')
		} else {
			s = append(s, '.')
		}
	}
	switch side {
	case 'l', 'r':
		x := b.Min.X
		if side == 'r' {
			x = b.Max.X - 1
		}
		for y := b.Min.Y; y < b.Max.Y; y++ {
			at(x, y)
		}
	default:
		y := b.Min.Y
		if side == 'b' {
			y = b.Max.Y - 1
		}
		for x := b.Min.X; x < b.Max.X; x++ {
			at(x, y)
		}
	}
	return string(s)
}

// TestBoxDrawingJoins checks that every box-drawing character's arms meet
// the cell edges exactly where the plain lines of the same weight do, so
// neighbouring cells join without seams, and that edges without an arm
// are empty.
func TestBoxDrawingJoins(t *testing.T) {
	for _, size := range []float64{12, 15, 16, 30, 45} {
		f, err := LoadFonts(size)
		if err != nil {
			t.Fatal(err)
		}
		// The plain lines: ─ ━ ═ and │ ┃ ║.
		horiz := map[uint8]string{armNone: edge(glyphImage(f, ' '), 'l')}
		vert := map[uint8]string{armNone: edge(glyphImage(f, ' '), 't')}
		for w, r := range map[uint8][2]rune{armLight: {'─', '│'}, armHeavy: {'━', '┃'}, armDouble: {'═', '║'}} {
			horiz[w] = edge(glyphImage(f, r[0]), 'l')
			vert[w] = edge(glyphImage(f, r[1]), 't')
			if horiz[w] == horiz[armNone] || vert[w] == vert[armNone] {
				t.Fatalf("size %v: the plain line of weight %d is empty", size, w)
			}
		}
		for i, arms := range boxArms {
			if arms == 0 {
				continue
			}
			r := rune(0x2500 + i)
			img := glyphImage(f, r)
			for _, side := range []struct {
				name byte
				dir  int
				want map[uint8]string
			}{{'l', dirLeft, horiz}, {'r', dirRight, horiz}, {'t', dirUp, vert}, {'b', dirDown, vert}} {
				w := arms >> side.dir & 3
				if got := edge(img, side.name); got != side.want[w] {
					t.Errorf("size %v: %c edge %c = %s, want %s (weight %d)", size, r, side.name, got, side.want[w], w)
				}
			}
		}
	}
}

func TestProceduralGlyphsDrawSomething(t *testing.T) {
	f, err := LoadFonts(16)
	if err != nil {
		t.Fatal(err)
	}
	for r := rune(0x2500); r <= 0x259F; r++ {
		if !f.Has(r) {
			t.Errorf("Has(%U) = false", r)
		}
		if coverage(glyphImage(f, r)) == 0 && r != '░' && r != '▒' { // light shades: below coverage's threshold
			t.Errorf("%c (%U) draws nothing", r, r)
		}
	}
	if n := coverage(glyphImage(f, 0x2800)); n != 0 {
		t.Errorf("the blank braille pattern covers %d pixels", n)
	}
	for bits := 1; bits < 256; bits++ {
		if coverage(glyphImage(f, rune(0x2800+bits))) == 0 {
			t.Errorf("braille %U draws nothing", 0x2800+bits)
		}
	}
}

func TestBlockElements(t *testing.T) {
	f, err := LoadFonts(15)
	if err != nil {
		t.Fatal(err)
	}
	cell := f.CellW * f.CellH
	full := coverage(glyphImage(f, '█'))
	if full != cell {
		t.Fatalf("█ covers %d of %d pixels", full, cell)
	}
	// Halves and opposite quadrants make the whole cell, without overlap.
	for _, pair := range []string{"▀▄", "▌▐", "▚▞", "▘▟", "▝▙", "▖▜", "▗▛"} {
		p := []rune(pair)
		a, b := glyphImage(f, p[0]), glyphImage(f, p[1])
		for i := 3; i < len(a.Pix); i += 4 {
			if (a.Pix[i] == 0xff) == (b.Pix[i] == 0xff) {
				t.Errorf("%c and %c overlap or leave a gap at pixel %d", p[0], p[1], i/4)
				break
			}
		}
	}
	// The eighths grow by about an eighth each.
	prev := 0
	for r := '▁'; r <= '█'; r++ {
		n := coverage(glyphImage(f, r))
		step := n - prev
		if step < cell/8-f.CellW || step > cell/8+f.CellW {
			t.Errorf("%c adds %d pixels, want about %d", r, step, cell/8)
		}
		prev = n
	}
	// Shades are even tints.
	for i, r := range []rune("░▒▓") {
		img := glyphImage(f, r)
		if a := img.Pix[3]; a != uint8(64*(i+1)) {
			t.Errorf("%c alpha %d, want %d", r, a, 64*(i+1))
		}
	}
}

// TestArcsJoinLines checks that the rounded corners meet straight lines
// like the square corners they stand for.
func TestArcsJoinLines(t *testing.T) {
	f, err := LoadFonts(20)
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range []struct{ arc, square rune }{{'╭', '┌'}, {'╮', '┐'}, {'╯', '┘'}, {'╰', '└'}} {
		a, s := glyphImage(f, pair.arc), glyphImage(f, pair.square)
		for _, side := range []byte("lrtb") {
			if got, want := edge(a, side), edge(s, side); got != want {
				t.Errorf("%c edge %c = %s, want %s as %c", pair.arc, side, got, want, pair.square)
			}
		}
	}
}

func ExampleFonts_Rasterize_boxDrawing() {
	f, _ := LoadFonts(10)
	img := glyphImage(f, '╬')
	for y := range f.CellH {
		for x := range f.CellW {
			if img.Pix[img.PixOffset(x, y)+3] > 0 {
				fmt.Print("#")
			} else {
				fmt.Print(".")
			}
		}
		fmt.Println()
	}
	// Output:
	// ..#.#.
	// ..#.#.
	// ..#.#.
	// ..#.#.
	// ..#.#.
	// ..#.#.
	// ###.##
	// ......
	// ###.##
	// ..#.#.
	// ..#.#.
	// ..#.#.
	// ..#.#.
	// ..#.#.
	// ..#.#.
}
