package automation

import (
	"image/color"
	"strings"
)

// colorNames are the sixteen basic colour names of CSS (HTML 4's), with
// their CSS values, and grey and orange. Read-only.
var colorNames = map[string]color.RGBA{
	"black": {0, 0, 0, 255}, "silver": {0xc0, 0xc0, 0xc0, 255},
	"gray": {0x80, 0x80, 0x80, 255}, "grey": {0x80, 0x80, 0x80, 255},
	"white": {0xff, 0xff, 0xff, 255}, "maroon": {0x80, 0, 0, 255},
	"red": {0xff, 0, 0, 255}, "purple": {0x80, 0, 0x80, 255},
	"fuchsia": {0xff, 0, 0xff, 255}, "magenta": {0xff, 0, 0xff, 255},
	"green": {0, 0x80, 0, 255}, "lime": {0, 0xff, 0, 255},
	"olive": {0x80, 0x80, 0, 255}, "yellow": {0xff, 0xff, 0, 255},
	"navy": {0, 0, 0x80, 255}, "blue": {0, 0, 0xff, 255},
	"teal": {0, 0x80, 0x80, 255}, "aqua": {0, 0xff, 0xff, 255},
	"cyan": {0, 0xff, 0xff, 255}, "orange": {0xff, 0xa5, 0, 255},
}

// ParseColor reads a highlight colour: "#rrggbb", "#rgb" or a colour name
// (black, silver, gray/grey, white, maroon, red, purple, fuchsia/magenta,
// green, lime, olive, yellow, navy, blue, teal, aqua/cyan, orange), in any
// case. "" is no colour: the zero color.RGBA, whose A is 0; every colour
// it reads has A 255.
func ParseColor(s string) (color.RGBA, error) {
	if s == "" {
		return color.RGBA{}, nil
	}
	if c, ok := colorNames[strings.ToLower(s)]; ok {
		return c, nil
	}
	hex, ok := strings.CutPrefix(s, "#")
	if ok && (len(hex) == 3 || len(hex) == 6) {
		var v [6]byte
		good := true
		for i := 0; i < len(hex); i++ {
			d, ok := hexDigit(hex[i])
			good = good && ok
			v[i] = d
		}
		if good {
			if len(hex) == 3 {
				return color.RGBA{v[0] * 17, v[1] * 17, v[2] * 17, 255}, nil
			}
			return color.RGBA{v[0]<<4 | v[1], v[2]<<4 | v[3], v[4]<<4 | v[5], 255}, nil
		}
	}
	return color.RGBA{}, newError("auto.err.colour", "colour", truncate(s, 20))
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// truncate shortens s to at most n runes for an error message.
func truncate(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
}
