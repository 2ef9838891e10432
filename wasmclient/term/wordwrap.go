package term

// Word wrap and reflow for the main screen (line mode).
//
// MUDs send lines of about 80 columns, and a phone shows about 45. With
// word wrap on (SetWordWrap), a line that auto-wraps on the main screen
// breaks after the last space rather than in the middle of a word, and
// Resize reflows the main screen and the scrollback to the new width, as
// xterm.js, kitty, foot and VTE reflow: the terminal keeps rows with a
// soft-wrap mark (line.wrapped), a run of marked rows and the row that
// ends it are one logical line, and a resize lays the logical lines out
// again at the new width. The alternate screen, where full-screen
// programs draw at the positions they choose, is never word wrapped nor
// reflowed.
//
// A soft wrap is moved back to just after the last space of the row when
// it would split a word, that is when both the last character of the row
// and the next one are narrow and not spaces; the cells after that space
// become WrapPad cells, blanks that are not text. A word longer than the
// row still breaks at the edge, and so does text of wide characters
// (East Asian text has no spaces and may break between any two). A wide
// character that does not fit in the last column moves whole to the next
// row and leaves a WrapPad cell. The space at which a line breaks stays
// at the end of the first row, so copying joins the rows back into the
// original line, and links (OSC 8 ids are in the cells; plain URLs have
// no spaces to break at) keep working across the break.
//
// Output breaks words as it arrives, and Resize lays lines out with the
// same rule (breakRow), so a reflow to the width text was written at
// gives the rows it was written as. At write time a word is only moved
// when the row it moves to is blank (it is, in line mode: the cursor is
// on the bottom row, and the new row scrolls in) and scrolling keeps the
// row it leaves on the screen; otherwise the wrap breaks at the edge as
// in xterm.

// SetWordWrap turns word wrap and reflow on or off for the main screen.
// Off (the default, as in xterm) lines wrap at the last column and
// Resize clips and pads them. Turning it on changes nothing already on
// the screen until the next wrap or resize.
func (t *Terminal) SetWordWrap(on bool) { t.wordWrap = on }

// WordWrap reports whether word wrap and reflow are on.
func (t *Terminal) WordWrap() bool { return t.wordWrap }

// wordCell reports whether c is part of a word that word wrap keeps
// whole: a narrow character that is not a space.
func wordCell(c *Cell) bool {
	return c.Width == 1 && c.Rune != ' ' && c.Rune != 0 && c.Attr&WrapPad == 0
}

// wordRune reports whether r, about to be printed, goes on a word.
func wordRune(r rune) bool { return r != ' ' && runeWidth(r) == 1 }

// wordBreak returns where the row under the cursor should break if the
// auto-wrap about to happen (next is the character that wraps) is to
// keep a word whole: the column just after the row's last space, or -1
// to wrap at the edge.
func (t *Terminal) wordBreak(next rune) int {
	if !t.wordWrap || t.active != 0 || t.insert || !wordRune(next) {
		return -1
	}
	lines := t.screens[0]
	switch {
	case t.y == t.bot:
		if t.top == t.bot {
			return -1 // the row would scroll away
		}
	case t.y < t.rows-1:
		if next := &lines[t.y+1]; next.wrapped || !allBlank(next.cells) {
			return -1
		}
	default:
		return -1 // below the scroll region at the bottom: no new row
	}
	row := lines[t.y].cells
	x := len(row) - 1
	if !wordCell(&row[x]) {
		return -1
	}
	for x >= 0 && wordCell(&row[x]) {
		x--
	}
	if x < 0 {
		return -1 // one word fills the row: break it
	}
	return x + 1
}

// allBlank reports whether every cell of row is blank.
func allBlank(row []Cell) bool {
	for i := range row {
		if !row[i].isBlank() {
			return false
		}
	}
	return true
}

// moveWord finishes a word wrap: cells b onward of the cursor row go to
// the start of the next row (which wordBreak found blank, or which
// scrolls in), WrapPad cells take their place, and the cursor goes after
// them.
func (t *Terminal) moveWord(b int) {
	row := t.screens[0][t.y].cells
	t.wordBuf = append(t.wordBuf[:0], row[b:]...)
	bg := row[b-1].BG
	for i := b; i < len(row); i++ {
		row[i] = padCell(bg)
	}
	t.dirty[t.y] = true
	t.index()
	dst := t.screens[0][t.y].cells
	n := copy(dst, t.wordBuf)
	t.x = n
	t.dirty[t.y] = true
	t.anyDirty = true
}

// breakRow returns where the row that starts at cells[pos] ends when the
// logical line cells is laid out cols wide: cells[pos:end] go on the
// row, the rest of it is padding, and the next row starts at end. With
// word, a word the edge would split moves to the next row, by the rule
// wordBreak follows at write time.
func breakRow(cells []Cell, pos, cols int, word bool) (end int) {
	end = pos + cols
	if end >= len(cells) {
		return len(cells)
	}
	if cells[end].Width == 0 && end-1 > pos {
		return end - 1 // a wide character at the edge moves whole
	}
	if !word || !wordCell(&cells[end-1]) || !wordCell(&cells[end]) {
		return end
	}
	x := end - 1
	for x >= pos && wordCell(&cells[x]) {
		x--
	}
	if x < pos {
		return end // a word longer than the row
	}
	return x + 1
}
