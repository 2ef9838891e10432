package term

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Attr is a set of character attributes chosen by SGR.
type Attr uint16

// The attributes. Renderers may draw Blink as steady; Hidden text is
// stored (copy and paste still see it) but drawn in the background colour.
const (
	Bold            Attr = 1 << iota // SGR 1
	Faint                            // SGR 2, dim
	Italic                           // SGR 3
	Underline                        // SGR 4 (also 4:1, 4:3 curly, 4:4, 4:5)
	Blink                            // SGR 5 and 6
	Inverse                          // SGR 7, foreground and background swapped
	Hidden                           // SGR 8, concealed
	Strike                           // SGR 9, crossed out
	DoubleUnderline                  // SGR 21 and 4:2
	// WrapPad is not an SGR attribute: it marks the blank cells at the
	// end of a row that word wrap (see [Terminal.SetWordWrap]) left when
	// it moved a word whole to the next row, and the blank left in the
	// last column when a wide character did not fit there. They are not
	// part of the text: copying, [RowText] and reflow skip them.
	WrapPad
)

// String lists the attributes joined by '|', or "none"; golden files use it.
func (a Attr) String() string {
	if a == 0 {
		return "none"
	}
	names := [...]string{"bold", "faint", "italic", "underline", "blink", "inverse", "hidden", "strike", "dunderline", "wrappad"}
	var b strings.Builder
	for i, n := range names {
		if a&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(n)
		}
	}
	if rest := a &^ (1<<len(names) - 1); rest != 0 {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		b.WriteString("0x")
		b.WriteString(strconv.FormatUint(uint64(rest), 16))
	}
	return b.String()
}

// MaxMarks is the number of combining marks a cell keeps; further marks
// on the same cell are dropped.
const MaxMarks = 2

// Cell is one character cell of the screen.
//
// Width is 1 for an ordinary character, 2 for the left half of a wide
// character and 0 for the right half, which carries the same colours and
// attributes but no rune and is not drawn. Erased cells hold ' ' with
// Width 1 and the background colour that was current when they were
// erased (xterm's background colour erase). A Rune of 0 never appears on
// the screen except in right halves; draw it as a space.
//
// A Cell is 28 bytes (a test checks it). It was 24 with one byte of
// padding; Link needs two, and alignment makes that four more. The
// scrollback does not hold Cells but a compact encoding of them (see
// scrollback.go).
type Cell struct {
	// Rune is the base character.
	Rune rune
	// FG and BG are the foreground and background colours.
	FG, BG Color
	// Attr holds bold, underline and the rest.
	Attr Attr
	// Link is the cell's hyperlink (OSC 8), 0 for none. It is an id that
	// only the terminal that made the cell can resolve: use
	// [Terminal.LinkURI] or [Terminal.RowLinks].
	Link uint16
	// Width is 1, 2 for a wide character, 0 for its right half.
	Width uint8
	// Marks are the combining marks (accents, ZWJ, variation selectors)
	// drawn over the base, in order; unused entries are 0.
	Marks [MaxMarks]rune
}

// AppendUTF8 appends the cell's text (the base rune and its marks) to dst.
// A right half and a [WrapPad] cell append nothing; a zero rune appends
// a space.
func (c Cell) AppendUTF8(dst []byte) []byte {
	if c.Width == 0 || c.Attr&WrapPad != 0 {
		return dst
	}
	r := c.Rune
	if r == 0 {
		r = ' '
	}
	dst = utf8.AppendRune(dst, r)
	for _, m := range c.Marks {
		if m == 0 {
			break
		}
		dst = utf8.AppendRune(dst, m)
	}
	return dst
}

// String returns the cell's text, as AppendUTF8 does.
func (c Cell) String() string { return string(c.AppendUTF8(nil)) }

// blankCell is an erased cell with background bg.
func blankCell(bg Color) Cell { return Cell{Rune: ' ', BG: bg, Width: 1} }

// padCell is a WrapPad cell with background bg.
func padCell(bg Color) Cell { return Cell{Rune: ' ', BG: bg, Attr: WrapPad, Width: 1} }

// visibleAttrs are the attributes that show on a space.
const visibleAttrs = Inverse | Underline | DoubleUnderline | Strike

// isBlank reports whether c draws as nothing on the default background
// and links nowhere, so that it may be trimmed from the end of a line.
func (c *Cell) isBlank() bool {
	return (c.Rune == ' ' || c.Rune == 0) && c.Width == 1 && c.BG == DefaultColor &&
		c.Attr&visibleAttrs == 0 && c.Marks[0] == 0 && c.Link == 0
}

// RowText returns a row's text: right halves skipped, marks kept, trailing
// spaces trimmed. The accessible mirror uses it for scrollback lines.
func RowText(row []Cell) string {
	return string(appendRowText(nil, row))
}

func appendRowText(dst []byte, row []Cell) []byte {
	start := len(dst)
	for i := range row {
		dst = row[i].AppendUTF8(dst)
	}
	end := len(dst)
	for end > start && dst[end-1] == ' ' {
		end--
	}
	return dst[:end]
}
