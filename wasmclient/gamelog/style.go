package gamelog

import "github.com/drawbridge/drawbridge/wasmclient/term"

// color is a foreground or background colour, as the terminal keeps one:
// 0 is the default colour, 1<<24|n palette index n (0-255) and
// 2<<24|0xRRGGBB a 24-bit colour. The encoding of runs below stores its
// kind and bytes.
type color = term.Color

func indexed(n uint8) color { return term.Indexed(n) }

func rgb(r, g, b int32) color {
	return term.RGB(uint8(min(r, 255)), uint8(min(g, 255)), uint8(min(b, 255)))
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

// termAttr returns the terminal's attributes for a, for resolving its
// colours as the terminal does.
func (a attr) termAttr() term.Attr {
	var t term.Attr
	for _, m := range [...]struct {
		a attr
		t term.Attr
	}{{attrBold, term.Bold}, {attrFaint, term.Faint}, {attrItalic, term.Italic}, {attrUnderline, term.Underline},
		{attrInverse, term.Inverse}, {attrHidden, term.Hidden}, {attrStrike, term.Strike}} {
		if a&m.a != 0 {
			t |= m.t
		}
	}
	return t
}

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
	h := byte(st.fg.Kind()) | byte(st.bg.Kind())<<2
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
	switch c.Kind() {
	case term.KindIndexed:
		return append(dst, byte(c))
	case term.KindRGB:
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
	case byte(term.KindIndexed):
		return term.Indexed(s[i]), i + 1
	case byte(term.KindRGB):
		return term.RGB(s[i], s[i+1], s[i+2]), i + 3
	}
	return 0, i
}
