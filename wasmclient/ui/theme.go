package ui

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"github.com/drawbridge/drawbridge/wasmclient/term"
)

// Theme names accepted by Game.SetTheme.
const (
	ThemeDefault      = "default"
	ThemeHighContrast = "high-contrast"
)

// theme is a palette and the colours the renderer adds to it.
type theme struct {
	name    string
	palette *term.Palette
	// selFG and selBG draw selected text.
	selFG, selBG color.RGBA
	// divider is the line between history and the live screen.
	divider color.RGBA
	// minContrast, when above 1, lightens or darkens any foreground
	// that has less contrast than this against its background: the
	// game's colours are its own, and some are unreadable on black.
	minContrast float64
}

// Themes returns the names of the themes, the default first.
func Themes() []string { return []string{ThemeDefault, ThemeHighContrast} }

// lookupTheme returns a fresh copy of the named theme.
func lookupTheme(name string) (*theme, error) {
	switch name {
	case ThemeDefault:
		return &theme{
			name:    name,
			palette: term.DefaultPalette(),
			selFG:   rgb(0xffffff),
			selBG:   rgb(0x2f5f9f),
			divider: rgb(0x7f7f7f),
		}, nil
	case ThemeHighContrast:
		return &theme{
			name:        name,
			palette:     highContrastPalette(),
			selFG:       rgb(0x000000),
			selBG:       rgb(0xffff00),
			divider:     rgb(0xffffff),
			minContrast: wcagAA,
		}, nil
	}
	return nil, fmt.Errorf("unknown theme %q (want one of %s)", name, strings.Join(Themes(), ", "))
}

// wcagAA is the contrast ratio WCAG 2 level AA asks of body text.
const wcagAA = 4.5

// highContrastPalette is pure white on pure black with ANSI colours that
// each reach at least wcagAA against the black. Black itself (colour 0)
// stays black, because games use it as a background; as a foreground on
// black, minContrast lifts it at draw time.
func highContrastPalette() *term.Palette {
	p := term.HighContrastPalette()
	p.Foreground, p.Background = rgb(0xffffff), rgb(0x000000)
	return p
}

func rgb(v uint32) color.RGBA {
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// luminance is the relative luminance of c as WCAG 2 defines it.
func luminance(c color.RGBA) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// contrastRatio is the WCAG 2 contrast ratio of a and b, from 1 to 21.
func contrastRatio(a, b color.RGBA) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// mix returns a moved t of the way (0-1) toward b.
func mix(a, b color.RGBA, t float64) color.RGBA {
	m := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + (float64(y)-float64(x))*t)) }
	return color.RGBA{R: m(a.R, b.R), G: m(a.G, b.G), B: m(a.B, b.B), A: 0xff}
}

// ensureContrast returns fg, or fg moved toward white or black (whichever
// way reaches further from bg) just enough to have ratio against bg. If
// neither white nor black reaches it, the better of the two is returned.
func ensureContrast(fg, bg color.RGBA, ratio float64) color.RGBA {
	if contrastRatio(fg, bg) >= ratio {
		return fg
	}
	white, black := rgb(0xffffff), rgb(0x000000)
	toward := white
	if contrastRatio(black, bg) > contrastRatio(white, bg) {
		toward = black
	}
	if contrastRatio(toward, bg) < ratio {
		return toward
	}
	// Luminance moves monotonically along the mix, so bisect for the
	// smallest change that is enough.
	lo, hi := 0.0, 1.0
	for range 12 {
		mid := (lo + hi) / 2
		if contrastRatio(mix(fg, toward, mid), bg) >= ratio {
			hi = mid
		} else {
			lo = mid
		}
	}
	return mix(fg, toward, hi)
}

// contrastCache remembers ensureContrast's answers: a screen uses few
// colour pairs, and the bisection is too slow to run for every cell.
type contrastCache struct {
	ratio float64
	m     map[[2]color.RGBA]color.RGBA
}

// maxContrastPairs bounds the cache; truecolour art can use many pairs.
const maxContrastPairs = 4096

// fix returns fg adjusted for bg.
func (c *contrastCache) fix(fg, bg color.RGBA) color.RGBA {
	if c.ratio <= 1 {
		return fg
	}
	k := [2]color.RGBA{fg, bg}
	if v, ok := c.m[k]; ok {
		return v
	}
	if c.m == nil || len(c.m) >= maxContrastPairs {
		c.m = make(map[[2]color.RGBA]color.RGBA)
	}
	v := ensureContrast(fg, bg, c.ratio)
	c.m[k] = v
	return v
}
