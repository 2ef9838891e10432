package ui

import (
	"image/color"
	"slices"
	"strconv"
)

// Vital is one bar of the vitals strip: hit points, mana, moves. The
// client fills them from the game's GMCP (Char.Vitals).
type Vital struct {
	// Label names the value, short: "HP", "SP", "MV".
	Label string
	// Value and Max fill the bar Value/Max full (clamped to 0-1; a Max of
	// 0 or less draws an empty bar).
	Value, Max int
	// Color fills the bar; the zero value picks a colour by position
	// (red, blue, green, yellow, magenta, cyan).
	Color color.RGBA
}

// vitalColors are the colours of bars without one of their own.
var vitalColors = [...]color.RGBA{
	{0xc0, 0x20, 0x20, 0xff}, {0x20, 0x50, 0xd0, 0xff}, {0x20, 0x90, 0x20, 0xff},
	{0xb0, 0x90, 0x10, 0xff}, {0xa0, 0x20, 0xa0, 0xff}, {0x10, 0x90, 0x90, 0xff},
}

// bar is one vital laid out in the strip.
type bar struct {
	x0, x1 int     // columns [x0, x1)
	filled float64 // share of the bar filled, 0-1
	label  string  // text centred in the bar, fits in it
	color  color.RGBA
}

// layoutBars shares cols columns among vs, one column apart, and works
// out each bar's fill and label. Bars narrower than 4 columns are
// dropped: too many vitals for the width show the first ones.
func layoutBars(vs []Vital, cols int) []bar {
	if len(vs) == 0 || cols <= 0 {
		return nil
	}
	n := len(vs)
	for n > 1 && (cols-(n-1))/n < 4 {
		n--
	}
	width := (cols - (n - 1)) / n
	if width < 1 {
		return nil
	}
	bars := make([]bar, 0, n)
	for i, v := range vs[:n] {
		b := bar{x0: i * (width + 1), color: v.Color}
		b.x1 = b.x0 + width
		if i == n-1 {
			b.x1 = cols // the last bar takes the remainder
		}
		if b.color.A == 0 {
			b.color = vitalColors[i%len(vitalColors)]
		}
		if v.Max > 0 {
			b.filled = min(1, max(0, float64(v.Value)/float64(v.Max)))
		}
		b.label = barLabel(v, b.x1-b.x0)
		bars = append(bars, b)
	}
	return bars
}

// barLabel returns "HP 45/60", or as much as fits in width columns:
// "45/60", then the label cut short.
func barLabel(v Vital, width int) string {
	nums := strconv.Itoa(v.Value) + "/" + strconv.Itoa(v.Max)
	for _, s := range []string{v.Label + " " + nums, nums} {
		if v.Label == "" && s != nums {
			continue
		}
		if len([]rune(s)) <= width {
			return s
		}
	}
	r := []rune(v.Label + " " + nums)
	return string(r[:max(0, min(len(r), width))])
}

// textOn returns black or white, whichever reads better on bg.
func textOn(bg color.RGBA) color.RGBA {
	white, black := rgb(0xffffff), rgb(0x000000)
	if contrastRatio(white, bg) >= contrastRatio(black, bg) {
		return white
	}
	return black
}

// sameVitals reports whether a and b draw the same strip.
func sameVitals(a, b []Vital) bool { return slices.Equal(a, b) }
