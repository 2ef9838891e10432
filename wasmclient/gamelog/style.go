package gamelog

// color is a foreground or background colour, packed as term.Color packs
// one: 0 is the default colour, 1<<24|n palette index n (0-255) and
// 2<<24|0xRRGGBB a 24-bit colour.
type color uint32

const (
	colorIndexed color = 1 << 24
	colorRGB     color = 2 << 24
)

// kind returns 0 (default), 1 (indexed) or 2 (24-bit).
func (c color) kind() byte { return byte(c >> 24) }

func indexed(n uint8) color { return colorIndexed | color(n) }

func rgb(r, g, b int32) color {
	return colorRGB | color(min(r, 255))<<16 | color(min(g, 255))<<8 | color(min(b, 255))
}

// bright returns the bright form (8-15) of ANSI colours 0-7, for bold
// drawn as bright.
func (c color) bright() color {
	if c.kind() == 1 && uint8(c) < 8 {
		return c + 8
	}
	return c
}

// attr is a set of the attributes a log shows. Blink is not kept; double
// underline is kept as underline.
type attr uint8

const (
	attrBold attr = 1 << iota
	attrFaint
	attrItalic
	attrUnderline
	attrInverse
	attrHidden
	attrStrike
)

// style is what SGR chose for a character. The zero style is the default
// colours without attributes.
type style struct {
	fg, bg color
	attr   attr
}

// run is a change of style at byte offset off of the current line's text.
type run struct {
	off int32
	st  style
}

// A kept line's style runs are encoded after its text, each as: the
// offset from the previous run's (the line's start for the first) as a
// uvarint; a header byte holding the foreground colour's kind in bits
// 0-1, the background's in bits 2-3 and, in bit 4, whether an attribute
// byte follows; the foreground's value (nothing, one index byte or three
// RGB bytes); the background's; the attributes. A change of colour among
// the 16 ANSI colours takes four bytes. Text before the first run has the
// zero style; a line without runs is stored as its text alone.

// appendRun appends a run delta bytes after the previous one.
func appendRun(dst []byte, delta int, st style) []byte {
	for delta >= 0x80 {
		dst = append(dst, byte(delta)|0x80)
		delta >>= 7
	}
	h := st.fg.kind() | st.bg.kind()<<2
	if st.attr != 0 {
		h |= 1 << 4
	}
	dst = append(dst, byte(delta), h)
	dst = appendColor(dst, st.fg)
	dst = appendColor(dst, st.bg)
	if st.attr != 0 {
		dst = append(dst, byte(st.attr))
	}
	return dst
}

func appendColor(dst []byte, c color) []byte {
	switch c.kind() {
	case 1:
		return append(dst, byte(c))
	case 2:
		return append(dst, byte(c>>16), byte(c>>8), byte(c))
	}
	return dst
}

// runReader reads the runs encoded after a line's text. The encoding is
// only ever made by appendRun, so it is not checked.
type runReader struct {
	enc string
	off int
}

// next returns the next run's offset in the text and its style, and
// false when there are no more.
func (r *runReader) next() (off int, st style, ok bool) {
	if len(r.enc) == 0 {
		return 0, style{}, false
	}
	s := r.enc
	delta, shift, i := 0, 0, 0
	for s[i] >= 0x80 {
		delta |= int(s[i]&0x7f) << shift
		shift += 7
		i++
	}
	delta |= int(s[i]) << shift
	h := s[i+1]
	i += 2
	st.fg, i = readColor(s, i, h&3)
	st.bg, i = readColor(s, i, h>>2&3)
	if h&(1<<4) != 0 {
		st.attr = attr(s[i])
		i++
	}
	r.enc = s[i:]
	r.off += delta
	return r.off, st, true
}

func readColor(s string, i int, kind byte) (color, int) {
	switch kind {
	case 1:
		return colorIndexed | color(s[i]), i + 1
	case 2:
		return colorRGB | color(s[i])<<16 | color(s[i+1])<<8 | color(s[i+2]), i + 3
	}
	return 0, i
}
