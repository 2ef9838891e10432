package automation

import (
	"image/color"
	"testing"
)

func TestParseColor(t *testing.T) {
	cases := []struct {
		in   string
		want color.RGBA
	}{
		{"", color.RGBA{}},
		{"#ff8000", color.RGBA{0xff, 0x80, 0, 0xff}},
		{"#FF8000", color.RGBA{0xff, 0x80, 0, 0xff}},
		{"#f80", color.RGBA{0xff, 0x88, 0, 0xff}},
		{"Red", color.RGBA{0xff, 0, 0, 0xff}},
		{"grey", color.RGBA{0x80, 0x80, 0x80, 0xff}},
		{"cyan", color.RGBA{0, 0xff, 0xff, 0xff}},
	}
	for _, c := range cases {
		got, err := ParseColor(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseColor(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"#ff80", "ff8000", "#gg0000", "transparent", "darkred", "#ff80000", "#", "rgb(1,2,3)"} {
		if got, err := ParseColor(bad); err == nil {
			t.Errorf("ParseColor(%q) = %v, want an error", bad, got)
		}
	}
}
