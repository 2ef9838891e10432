package term

import "testing"

// TestHighlight: a highlight colours what is printed under it, over the
// game's colours, which go on beneath it and show again after it; a side
// it leaves is the game's; with no colour it is inverse; erasing keeps
// the game's background; a reset keeps it.
func TestHighlight(t *testing.T) {
	red, blue := RGB(255, 0, 0), RGB(0, 0, 255)
	tm := New(20, 3, 0)
	tm.Write([]byte("\x1b[32;44ma"))
	tm.SetHighlight(Highlight{On: true, FG: red})
	tm.Write([]byte("b\x1b[33mc龍"))
	tm.SetHighlight(Highlight{On: true, BG: blue})
	tm.Write([]byte("d\x1b[7me"))
	tm.SetHighlight(Highlight{On: true})
	tm.Write([]byte("\x1b[27mf\x1b[K"))
	tm.SetHighlight(Highlight{})
	tm.Write([]byte("\r\ng"))
	for _, c := range []struct {
		x, y   int
		r      rune
		fg, bg Color
		attr   Attr
	}{
		{0, 0, 'a', Indexed(2), Indexed(4), 0},
		{1, 0, 'b', red, Indexed(4), 0},
		{2, 0, 'c', red, Indexed(4), 0},
		{3, 0, '龍', red, Indexed(4), 0},
		{4, 0, 0, red, Indexed(4), 0}, // the wide character's second half
		{5, 0, 'd', Indexed(3), blue, 0},
		{6, 0, 'e', Indexed(3), blue, 0}, // the game's inverse would swap the highlight's sides
		{7, 0, 'f', Indexed(3), Indexed(4), Inverse},
		{8, 0, ' ', DefaultColor, Indexed(4), 0}, // erased in the game's background
		{0, 1, 'g', Indexed(3), Indexed(4), 0},
	} {
		got := tm.Cell(c.x, c.y)
		r := got.Rune
		if r == 0 && c.r == ' ' {
			r = ' '
		}
		if r != c.r || got.FG != c.fg || got.BG != c.bg || got.Attr != c.attr {
			t.Errorf("cell %d,%d: %q %v/%v %v, want %q %v/%v %v", c.x, c.y, got.Rune, got.FG, got.BG, got.Attr, c.r, c.fg, c.bg, c.attr)
		}
	}
	tm.SetHighlight(Highlight{On: true, FG: red})
	tm.Write([]byte("\x1bch"))
	if c := tm.Cell(0, 0); c.Rune != 'h' || c.FG != red {
		t.Errorf("after RIS: %q %v, want the highlight kept", c.Rune, c.FG)
	}
}
