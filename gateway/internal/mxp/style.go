package mxp

import "strconv"

// color is a terminal colour: the default, an index of the 256-colour
// palette, or a 24-bit RGB value.
type color struct {
	kind uint8 // colorDefault, colorIndex or colorRGB
	v    uint32
}

const (
	colorDefault uint8 = iota
	colorIndex
	colorRGB
)

func rgb(v uint32) color { return color{kind: colorRGB, v: v & 0xFFFFFF} }

// Attribute bits of a style, and the mask bits of the style fields an
// element changes (the attribute bits, then fg and bg).
const (
	attrBold uint8 = 1 << iota
	attrItalic
	attrUnderline
	attrStrike
	maskFG
	maskBG
)

// style is what SGR sets that MXP changes: four attributes and the
// colours.
type style struct {
	attr   uint8
	fg, bg color
}

// merge returns s with the fields in mask taken from saved.
func merge(s, saved style, mask uint8) style {
	am := mask & (attrBold | attrItalic | attrUnderline | attrStrike)
	s.attr = s.attr&^am | saved.attr&am
	if mask&maskFG != 0 {
		s.fg = saved.fg
	}
	if mask&maskBG != 0 {
		s.bg = saved.bg
	}
	return s
}

// appendSGR appends the SGR sequence that takes the terminal from style
// from to style to, or nothing when they are the same.
func appendSGR(dst []byte, from, to style) []byte {
	if from == to {
		return dst
	}
	dst = append(dst, "\x1b["...)
	start := len(dst)
	param := func(s string) {
		if len(dst) > start {
			dst = append(dst, ';')
		}
		dst = append(dst, s...)
	}
	attrs := [...]struct {
		bit     uint8
		on, off string
	}{{attrBold, "1", "22"}, {attrItalic, "3", "23"}, {attrUnderline, "4", "24"}, {attrStrike, "9", "29"}}
	for _, a := range attrs {
		switch {
		case to.attr&a.bit != 0 && from.attr&a.bit == 0:
			param(a.on)
		case to.attr&a.bit == 0 && from.attr&a.bit != 0:
			param(a.off)
		}
	}
	if to.fg != from.fg {
		if len(dst) > start {
			dst = append(dst, ';')
		}
		dst = appendColor(dst, to.fg, 30)
	}
	if to.bg != from.bg {
		if len(dst) > start {
			dst = append(dst, ';')
		}
		dst = appendColor(dst, to.bg, 40)
	}
	return append(dst, 'm')
}

// appendColor appends the SGR parameters that set c, base being 30 for
// the foreground and 40 for the background.
func appendColor(dst []byte, c color, base int) []byte {
	switch {
	case c.kind == colorIndex && c.v < 8:
		return strconv.AppendInt(dst, int64(base)+int64(c.v), 10)
	case c.kind == colorIndex && c.v < 16:
		return strconv.AppendInt(dst, int64(base)+60+int64(c.v)-8, 10)
	case c.kind == colorIndex:
		dst = strconv.AppendInt(dst, int64(base)+8, 10)
		dst = append(dst, ";5;"...)
		return strconv.AppendInt(dst, int64(c.v&0xFF), 10)
	case c.kind == colorRGB:
		dst = strconv.AppendInt(dst, int64(base)+8, 10)
		dst = append(dst, ";2;"...)
		dst = strconv.AppendInt(dst, int64(c.v>>16&0xFF), 10)
		dst = append(dst, ';')
		dst = strconv.AppendInt(dst, int64(c.v>>8&0xFF), 10)
		dst = append(dst, ';')
		return strconv.AppendInt(dst, int64(c.v&0xFF), 10)
	}
	return strconv.AppendInt(dst, int64(base)+9, 10)
}

// applySGR follows the game's own SGR: params is what came between
// ESC [ and m. Only what MXP changes is tracked; the rest is ignored.
func (s *style) applySGR(params []byte) {
	for _, b := range params {
		if !isDigit(b) && b != ';' && b != ':' {
			return // a private or odd SGR: not ours to follow
		}
	}
	// Each ';' field is a parameter with its ':' sub-parameters (-1 for
	// an empty one). ext is 38 or 48 while its arguments come in the
	// fields after it (38;5;n, 38;2;r;g;b); step counts them.
	var sub [6]int
	n, v, have := 0, 0, false
	ext, step, mode := 0, 0, 0
	var c [3]int
	for i := 0; i <= len(params); i++ {
		if i < len(params) {
			switch b := params[i]; b {
			case ';':
			case ':':
				if n < len(sub) {
					sub[n] = value(v, have)
				}
				n, v, have = n+1, 0, false
				continue
			default:
				v, have = min(v*10+int(b-'0'), 1<<16), true
				continue
			}
		}
		if n < len(sub) {
			sub[n] = value(v, have)
		}
		f := sub[:min(n+1, len(sub))]
		n, v, have = 0, 0, false
		if ext == 0 {
			ext = s.apply(f)
			continue
		}
		switch x := clamp8(f[0]); {
		case step == 0:
			mode, step = f[0], 1
			if mode != 5 && mode != 2 {
				ext = 0
			}
		case mode == 5:
			s.setColor(ext, color{colorIndex, uint32(x)})
			ext = 0
		default:
			c[step-1] = x
			if step++; step == 4 {
				s.setColor(ext, rgb(uint32(c[0])<<16|uint32(c[1])<<8|uint32(c[2])))
				ext = 0
			}
		}
	}
}

func value(v int, have bool) int {
	if !have {
		return -1
	}
	return v
}

// apply applies one SGR parameter with its sub-parameters. It returns 38
// or 48 when the colour's arguments follow in the next fields.
func (s *style) apply(f []int) int {
	switch p := max(f[0], 0); {
	case p == 0:
		*s = style{}
	case p == 1:
		s.attr |= attrBold
	case p == 3:
		s.attr |= attrItalic
	case p == 4:
		if len(f) > 1 && f[1] == 0 {
			s.attr &^= attrUnderline
		} else {
			s.attr |= attrUnderline
		}
	case p == 9:
		s.attr |= attrStrike
	case p == 22:
		s.attr &^= attrBold
	case p == 23:
		s.attr &^= attrItalic
	case p == 24:
		s.attr &^= attrUnderline
	case p == 29:
		s.attr &^= attrStrike
	case p >= 30 && p <= 37:
		s.fg = color{colorIndex, uint32(p - 30)}
	case p >= 90 && p <= 97:
		s.fg = color{colorIndex, uint32(p - 90 + 8)}
	case p == 39:
		s.fg = color{}
	case p >= 40 && p <= 47:
		s.bg = color{colorIndex, uint32(p - 40)}
	case p >= 100 && p <= 107:
		s.bg = color{colorIndex, uint32(p - 100 + 8)}
	case p == 49:
		s.bg = color{}
	case p == 38 || p == 48:
		if len(f) == 1 {
			return p
		}
		if c, ok := extColor(f[1:]); ok {
			s.setColor(p, c)
		}
	}
	return 0
}

func (s *style) setColor(which int, c color) {
	if which == 38 {
		s.fg = c
	} else {
		s.bg = c
	}
}

// extColor reads the sub-parameters of 38:5:n, 38:2:r:g:b and
// 38:2:cs:r:g:b.
func extColor(f []int) (color, bool) {
	switch {
	case len(f) >= 2 && f[0] == 5:
		return color{colorIndex, uint32(clamp8(f[1]))}, true
	case len(f) >= 4 && f[0] == 2:
		v := f[len(f)-3:]
		return rgb(uint32(clamp8(v[0]))<<16 | uint32(clamp8(v[1]))<<8 | uint32(clamp8(v[2]))), true
	}
	return color{}, false
}

func clamp8(v int) int { return min(max(v, 0), 255) }

// brighter returns the colour HIGH asks for: a basic colour's bright
// half, an RGB colour halfway to white. ok is false for the default
// colour and the rest of the palette, which only bold can brighten.
func brighter(c color) (color, bool) {
	switch {
	case c.kind == colorIndex && c.v < 8:
		return color{colorIndex, c.v + 8}, true
	case c.kind == colorRGB:
		r, g, b := c.v>>16&0xFF, c.v>>8&0xFF, c.v&0xFF
		r, g, b = r+(255-r)/2, g+(255-g)/2, b+(255-b)/2
		return rgb(r<<16 | g<<8 | b), true
	}
	return c, false
}

// parseColor reads an MXP colour: an HTML colour name (any case), #rrggbb
// or #rgb.
func parseColor(s []byte) (color, bool) {
	if len(s) > 0 && s[0] == '#' {
		h := s[1:]
		var v uint32
		for _, b := range h {
			d, ok := hexDigit(b)
			if !ok {
				return color{}, false
			}
			v = v<<4 | uint32(d)
		}
		switch len(h) {
		case 6:
			return rgb(v), true
		case 3:
			r, g, b := v>>8&0xF, v>>4&0xF, v&0xF
			return rgb(r*0x11<<16 | g*0x11<<8 | b*0x11), true
		}
		return color{}, false
	}
	if v, ok := namedColor(s); ok {
		return rgb(v), true
	}
	return color{}, false
}

func hexDigit(b byte) (byte, bool) {
	switch {
	case b >= '0' && b <= '9':
		return b - '0', true
	case b >= 'a' && b <= 'f':
		return b - 'a' + 10, true
	case b >= 'A' && b <= 'F':
		return b - 'A' + 10, true
	}
	return 0, false
}
