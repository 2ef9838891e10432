package ui

import (
	"image/color"
	"math"
	"slices"
	"testing"

	"github.com/drawbridge/drawbridge/wasmclient/term"
)

func TestContrastRatio(t *testing.T) {
	for _, tc := range []struct {
		a, b color.RGBA
		want float64
	}{
		{rgb(0xffffff), rgb(0x000000), 21},
		{rgb(0x000000), rgb(0xffffff), 21},
		{rgb(0x777777), rgb(0x777777), 1},
		// WebAIM's checker: #767676 on white is 4.54:1.
		{rgb(0x767676), rgb(0xffffff), 4.54},
		{rgb(0x0000ee), rgb(0x000000), 2.23},
	} {
		if got := contrastRatio(tc.a, tc.b); math.Abs(got-tc.want) > 0.01 {
			t.Errorf("contrastRatio(%v, %v) = %.3f, want %.2f", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestHighContrastThemeReachesAA(t *testing.T) {
	th, err := lookupTheme(ThemeHighContrast)
	if err != nil {
		t.Fatal(err)
	}
	p := th.palette
	if p.Background != rgb(0x000000) || p.Foreground != rgb(0xffffff) {
		t.Fatalf("background %v, foreground %v, want pure black and white", p.Background, p.Foreground)
	}
	// Colours 1-15 reach AA as they are; colour 0 is the background
	// colour and is lifted when drawn on it.
	for i := 1; i < 16; i++ {
		if r := contrastRatio(p.Colors[i], p.Background); r < wcagAA {
			t.Errorf("colour %d %v: contrast %.2f on the background, want >= %.1f", i, p.Colors[i], r, wcagAA)
		}
	}
	cache := contrastCache{ratio: th.minContrast}
	for i := range 256 {
		// Every indexed colour as the renderer draws it, including faint.
		for _, attr := range []term.Attr{0, term.Faint} {
			fg, bg := p.CellColors(term.Cell{Rune: 'x', FG: term.Indexed(uint8(i)), Attr: attr, Width: 1})
			fg = cache.fix(fg, bg)
			if r := contrastRatio(fg, bg); r < wcagAA {
				t.Errorf("colour %d attr %v drawn as %v: contrast %.2f, want >= %.1f", i, attr, fg, r, wcagAA)
			}
		}
	}
	if r := contrastRatio(th.selFG, th.selBG); r < wcagAA {
		t.Errorf("selection contrast %.2f, want >= %.1f", r, wcagAA)
	}
}

func TestEnsureContrast(t *testing.T) {
	for _, tc := range []struct{ fg, bg color.RGBA }{
		{rgb(0x0000ee), rgb(0x000000)}, // dark blue on black: lightened
		{rgb(0xffff00), rgb(0xffffff)}, // yellow on white: darkened
		{rgb(0x777777), rgb(0x767676)}, // grey on grey
		{rgb(0x000000), rgb(0x000000)}, // black on black
		{rgb(0xe5e5e5), rgb(0x000000)}, // already fine: unchanged
	} {
		got := ensureContrast(tc.fg, tc.bg, wcagAA)
		if r := contrastRatio(got, tc.bg); r < wcagAA {
			t.Errorf("ensureContrast(%v, %v) = %v with contrast %.2f, want >= %.1f", tc.fg, tc.bg, got, r, wcagAA)
		}
		if contrastRatio(tc.fg, tc.bg) >= wcagAA && got != tc.fg {
			t.Errorf("ensureContrast(%v, %v) = %v, want it unchanged", tc.fg, tc.bg, got)
		}
	}
	// Mid grey reaches 4.5:1 against neither white nor black by much, and
	// 7:1 against neither: the best reachable is returned, not a panic.
	if got := ensureContrast(rgb(0x808080), rgb(0x808080), 7); got != rgb(0x000000) && got != rgb(0xffffff) {
		t.Errorf("unreachable ratio gave %v, want black or white", got)
	}
}

func TestLookupTheme(t *testing.T) {
	if !slices.Equal(Themes(), []string{"default", "high-contrast"}) {
		t.Fatalf("Themes() = %v", Themes())
	}
	for _, name := range Themes() {
		th, err := lookupTheme(name)
		if err != nil || th.name != name {
			t.Fatalf("lookupTheme(%q) = %v, %v", name, th, err)
		}
	}
	def, _ := lookupTheme(ThemeDefault)
	if *def.palette != *term.DefaultPalette() {
		t.Error("the default theme's palette is not term.DefaultPalette")
	}
	if _, err := lookupTheme("solarized"); err == nil {
		t.Error("lookupTheme(solarized) succeeded, want an error")
	}
}
