package term

import (
	"image/color"
	"testing"
)

func TestColorEncoding(t *testing.T) {
	tests := []struct {
		name   string
		c      Color
		kind   ColorKind
		str    string
		index  int // -1 if not indexed
		rgb    [3]uint8
		isRGB  bool
		bright Color
	}{
		{"zero is default", Color(0), KindDefault, "default", -1, [3]uint8{}, false, DefaultColor},
		{"ANSI red", Red, KindIndexed, "idx(1)", 1, [3]uint8{}, false, BrightRed},
		{"Indexed(1) is Red", Indexed(1), KindIndexed, "idx(1)", 1, [3]uint8{}, false, BrightRed},
		{"bright stays", BrightBlue, KindIndexed, "idx(12)", 12, [3]uint8{}, false, BrightBlue},
		{"256", Indexed(200), KindIndexed, "idx(200)", 200, [3]uint8{}, false, Indexed(200)},
		{"RGB", RGB(0x12, 0xab, 0xff), KindRGB, "#12abff", -1, [3]uint8{0x12, 0xab, 0xff}, true, RGB(0x12, 0xab, 0xff)},
		{"RGB black is not default", RGB(0, 0, 0), KindRGB, "#000000", -1, [3]uint8{}, true, RGB(0, 0, 0)},
		{"unknown kind reads as default", Color(0x7f000001), KindDefault, "default", -1, [3]uint8{}, false, Color(0x7f000001)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Kind(); got != tt.kind {
				t.Errorf("Kind() = %v, want %v", got, tt.kind)
			}
			if got := tt.c.IsDefault(); got != (tt.kind == KindDefault) {
				t.Errorf("IsDefault() = %v, want %v", got, tt.kind == KindDefault)
			}
			if got := tt.c.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			n, ok := tt.c.Index()
			if ok != (tt.index >= 0) || ok && int(n) != tt.index {
				t.Errorf("Index() = %d, %v, want %d", n, ok, tt.index)
			}
			r, g, b, ok := tt.c.Truecolor()
			if ok != tt.isRGB || [3]uint8{r, g, b} != tt.rgb {
				t.Errorf("Truecolor() = %d, %d, %d, %v, want %v, %v", r, g, b, ok, tt.rgb, tt.isRGB)
			}
			if got := tt.c.Bright(); got != tt.bright {
				t.Errorf("Bright() = %v, want %v", got, tt.bright)
			}
		})
	}
}

func TestPalettes(t *testing.T) {
	rgb := func(v uint32) color.RGBA { return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff} }
	p := DefaultPalette()
	tests := []struct {
		name string
		got  color.RGBA
		want color.RGBA
	}{
		{"red", p.Colors[1], rgb(0xcd0000)},
		{"bright blue", p.Colors[12], rgb(0x5c5cff)},
		{"cube start", p.Colors[16], rgb(0x000000)},
		{"cube 5,0,0", p.Colors[196], rgb(0xff0000)},
		{"cube 1,2,3", p.Colors[16+36+12+3], rgb(0x5f87af)},
		{"cube end", p.Colors[231], rgb(0xffffff)},
		{"grey start", p.Colors[232], rgb(0x080808)},
		{"grey end", p.Colors[255], rgb(0xeeeeee)},
		{"default fg", DefaultColor.Resolve(p, true), p.Foreground},
		{"default bg", DefaultColor.Resolve(p, false), p.Background},
		{"indexed", Indexed(9).Resolve(p, true), rgb(0xff0000)},
		{"rgb", RGB(1, 2, 3).Resolve(p, false), rgb(0x010203)},
		{"nil palette", Red.Resolve(nil, true), rgb(0xcd0000)},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	// The high-contrast palette: every ANSI colour but black reads on its
	// black background.
	hc := HighContrastPalette()
	for i := 1; i < 16; i++ {
		c := hc.Colors[i]
		if lum := 299*int(c.R) + 587*int(c.G) + 114*int(c.B); lum < 100000 {
			t.Errorf("high contrast colour %d = %v is too dark (luma %d)", i, c, lum/1000)
		}
	}
	if hc.Foreground != rgb(0xffffff) || hc.Background != rgb(0) {
		t.Errorf("high contrast fg, bg = %v, %v, want white on black", hc.Foreground, hc.Background)
	}
}

func TestCellColors(t *testing.T) {
	p := DefaultPalette()
	red, green := p.Colors[1], p.Colors[2]
	tests := []struct {
		name       string
		cell       Cell
		boldBright bool
		fg, bg     color.RGBA
	}{
		{"plain", Cell{FG: Red, BG: Green}, true, red, green},
		{"default", Cell{}, true, p.Foreground, p.Background},
		{"bold is bright", Cell{FG: Red, Attr: Bold}, true, p.Colors[9], p.Background},
		{"bold not bright", Cell{FG: Red, Attr: Bold}, false, red, p.Background},
		{"bold 256 unchanged", Cell{FG: Indexed(100), Attr: Bold}, true, p.Colors[100], p.Background},
		{"inverse", Cell{FG: Red, BG: Green, Attr: Inverse}, true, green, red},
		{"inverse default", Cell{Attr: Inverse}, true, p.Background, p.Foreground},
		{"hidden", Cell{FG: Red, BG: Green, Attr: Hidden}, true, green, green},
		{"faint", Cell{FG: RGB(200, 100, 0), BG: RGB(0, 0, 0), Attr: Faint}, true, color.RGBA{100, 50, 0, 0xff}, color.RGBA{0, 0, 0, 0xff}},
	}
	for _, tt := range tests {
		p.BoldBright = tt.boldBright
		fg, bg := p.CellColors(tt.cell)
		if fg != tt.fg || bg != tt.bg {
			t.Errorf("%s: CellColors = %v, %v, want %v, %v", tt.name, fg, bg, tt.fg, tt.bg)
		}
	}
}

func TestAttrString(t *testing.T) {
	tests := []struct {
		a    Attr
		want string
	}{
		{0, "none"},
		{Bold, "bold"},
		{Bold | Underline | Strike, "bold|underline|strike"},
		{DoubleUnderline, "dunderline"},
		{Italic | 1<<12, "italic|0x1000"},
	}
	for _, tt := range tests {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("Attr(%#x).String() = %q, want %q", uint16(tt.a), got, tt.want)
		}
	}
}

func TestCellText(t *testing.T) {
	tests := []struct {
		c    Cell
		want string
	}{
		{Cell{Rune: 'a', Width: 1}, "a"},
		{Cell{Rune: 0, Width: 1}, " "},
		{Cell{Rune: 'e', Width: 1, Marks: [MaxMarks]rune{0x301}}, "e\u0301"},
		{Cell{Width: 0}, ""},
		{Cell{Rune: '世', Width: 2}, "世"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.c, got, tt.want)
		}
	}
	row := []Cell{{Rune: 'a', Width: 1}, {Rune: '世', Width: 2}, {Width: 0}, {Rune: ' ', Width: 1}, {Rune: ' ', Width: 1}}
	if got, want := RowText(row), "a世"; got != want {
		t.Errorf("RowText = %q, want %q", got, want)
	}
}
