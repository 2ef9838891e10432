package term

import (
	"image/color"
	"strconv"
)

// Color is a foreground or background colour packed in 32 bits, so that a
// Cell stays small and comparable.
//
// The top byte says what kind of colour it is, the low 24 bits its value:
//
//	0x00000000            the default foreground or background (the zero value)
//	0x01000000 | n        palette index n: 0-7 the ANSI colours, 8-15 their
//	                      bright forms, 16-231 the 6x6x6 cube, 232-255 greys
//	0x02000000 | 0xRRGGBB 24-bit colour
//
// Whether the default means the foreground or the background colour
// depends on where it is used, so resolving it takes that as an argument.
type Color uint32

// ColorKind tells how a Color is encoded.
type ColorKind uint8

// The kinds of Color.
const (
	// KindDefault is the terminal's default foreground or background.
	KindDefault ColorKind = iota
	// KindIndexed is an index into the 256-entry palette.
	KindIndexed
	// KindRGB is a 24-bit colour.
	KindRGB
)

const (
	colorKindShift       = 24
	colorIndexed   Color = Color(KindIndexed) << colorKindShift
	colorRGB       Color = Color(KindRGB) << colorKindShift
)

// DefaultColor is the default foreground or background colour; it is the
// zero Color.
const DefaultColor Color = 0

// The 16 ANSI colours as palette indexes, for SGR 30-37/90-97 and 40-47/100-107.
const (
	Black Color = colorIndexed | iota
	Red
	Green
	Yellow
	Blue
	Magenta
	Cyan
	White
	BrightBlack
	BrightRed
	BrightGreen
	BrightYellow
	BrightBlue
	BrightMagenta
	BrightCyan
	BrightWhite
)

// Indexed returns palette colour n (0-255).
func Indexed(n uint8) Color { return colorIndexed | Color(n) }

// RGB returns the 24-bit colour r, g, b.
func RGB(r, g, b uint8) Color {
	return colorRGB | Color(r)<<16 | Color(g)<<8 | Color(b)
}

// Kind tells how c is encoded.
func (c Color) Kind() ColorKind {
	switch k := ColorKind(c >> colorKindShift); k {
	case KindIndexed, KindRGB:
		return k
	}
	return KindDefault
}

// IsDefault reports whether c is the default colour.
func (c Color) IsDefault() bool { return c.Kind() == KindDefault }

// Index returns c's palette index and true if c is an indexed colour.
func (c Color) Index() (n uint8, ok bool) {
	if c.Kind() != KindIndexed {
		return 0, false
	}
	return uint8(c), true
}

// Truecolor returns c's components and true if c is a 24-bit colour.
func (c Color) Truecolor() (r, g, b uint8, ok bool) {
	if c.Kind() != KindRGB {
		return 0, 0, 0, false
	}
	return uint8(c >> 16), uint8(c >> 8), uint8(c), true
}

// Bright returns the bright form (8-15) of an ANSI colour 0-7, and c
// itself for any other colour. Renderers that show bold as bright use it.
func (c Color) Bright() Color {
	if n, ok := c.Index(); ok && n < 8 {
		return Indexed(n + 8)
	}
	return c
}

// Resolve returns the colour to draw c with, using palette p. fg says
// whether c is a foreground colour, which picks p's default foreground or
// background for the default colour. A nil p means DefaultPalette(), built
// anew on each call: renderers pass their palette.
func (c Color) Resolve(p *Palette, fg bool) color.RGBA {
	if p == nil {
		p = DefaultPalette()
	}
	switch c.Kind() {
	case KindIndexed:
		return p.Colors[uint8(c)]
	case KindRGB:
		return color.RGBA{R: uint8(c >> 16), G: uint8(c >> 8), B: uint8(c), A: 0xff}
	}
	if fg {
		return p.Foreground
	}
	return p.Background
}

// String returns "default", "idx(N)" or "#rrggbb"; golden files and test
// failures use it.
func (c Color) String() string {
	switch c.Kind() {
	case KindIndexed:
		return "idx(" + strconv.Itoa(int(uint8(c))) + ")"
	case KindRGB:
		const hex = "0123456789abcdef"
		v := uint32(c) & 0xffffff
		b := [7]byte{'#'}
		for i := 6; i >= 1; i-- {
			b[i] = hex[v&0xf]
			v >>= 4
		}
		return string(b[:])
	}
	return "default"
}

// Palette maps colours to what is drawn: the 256 indexed colours, the
// default foreground and background, and the cursor. It also holds the
// drawing choices that depend on the palette. Callers may change their
// copy freely; the terminal never reads a palette.
type Palette struct {
	// Colors are the indexed colours: 0-15 ANSI, 16-231 cube, 232-255 greys.
	Colors [256]color.RGBA
	// Foreground and Background are the default colours.
	Foreground, Background color.RGBA
	// Cursor is the colour of the cursor block.
	Cursor color.RGBA
	// BoldBright draws bold text in ANSI colours 0-7 with their bright
	// forms 8-15, as many MUDs expect.
	BoldBright bool
}

func rgba(v uint32) color.RGBA {
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// newPalette fills colours 16-255 the xterm way around the given ANSI 16.
func newPalette(ansi *[16]uint32, fg, bg, cursor uint32) *Palette {
	p := &Palette{Foreground: rgba(fg), Background: rgba(bg), Cursor: rgba(cursor), BoldBright: true}
	for i, v := range ansi {
		p.Colors[i] = rgba(v)
	}
	levels := [6]uint8{0, 95, 135, 175, 215, 255}
	for i := range 216 {
		p.Colors[16+i] = color.RGBA{R: levels[i/36], G: levels[i/6%6], B: levels[i%6], A: 0xff}
	}
	for i := range 24 {
		v := uint8(8 + 10*i)
		p.Colors[232+i] = color.RGBA{R: v, G: v, B: v, A: 0xff}
	}
	return p
}

// DefaultPalette returns a new xterm-like palette: xterm's ANSI colours,
// its 6x6x6 cube and grey ramp, light grey on black, bold as bright.
func DefaultPalette() *Palette {
	// xterm's 16 ANSI colours, as in its default resources.
	ansi := [16]uint32{
		0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
		0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
	}
	return newPalette(&ansi, 0xe5e5e5, 0x000000, 0xe5e5e5)
}

// HighContrastPalette returns a new palette for players who need more
// contrast: white on black and ANSI colours that all read well on black.
func HighContrastPalette() *Palette {
	// The dark blue, red and magenta that are hard to see on black are
	// lightened; bright black is a light grey.
	ansi := [16]uint32{
		0x000000, 0xff5f5f, 0x5fff5f, 0xffff5f, 0x87afff, 0xff87ff, 0x5fffff, 0xffffff,
		0xbcbcbc, 0xff8787, 0x87ff87, 0xffff87, 0xafd7ff, 0xffafff, 0x87ffff, 0xffffff,
	}
	return newPalette(&ansi, 0xffffff, 0x000000, 0xffff00)
}

// CellColors returns the foreground and background to draw c with. It
// applies, in order: bold-is-bright (if p.BoldBright), Inverse (swap),
// Faint (foreground halfway to the background) and Hidden (foreground =
// background). For the screen-wide reverse video mode (Modes.ReverseVideo)
// flip Inverse on the cell before calling. A nil p means DefaultPalette(),
// built anew on each call.
func (p *Palette) CellColors(c Cell) (fg, bg color.RGBA) {
	if p == nil {
		p = DefaultPalette()
	}
	f := c.FG
	if p.BoldBright && c.Attr&Bold != 0 {
		f = f.Bright()
	}
	fg = f.Resolve(p, true)
	bg = c.BG.Resolve(p, false)
	if c.Attr&Inverse != 0 {
		fg, bg = bg, fg
	}
	if c.Attr&Faint != 0 {
		fg = color.RGBA{
			R: uint8((uint16(fg.R) + uint16(bg.R)) / 2),
			G: uint8((uint16(fg.G) + uint16(bg.G)) / 2),
			B: uint8((uint16(fg.B) + uint16(bg.B)) / 2),
			A: 0xff,
		}
	}
	if c.Attr&Hidden != 0 {
		fg = bg
	}
	return fg, bg
}
