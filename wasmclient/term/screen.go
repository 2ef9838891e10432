package term

// This file holds the screen operations the parser calls: printing,
// cursor movement, erasing, inserting, deleting and scrolling. They keep
// the invariants the fuzz test checks: the cursor is on the screen, every
// row has cols cells, and a cell of Width 0 always follows one of Width 2.

// blank is an erased cell in the current background (BCE).
func (t *Terminal) blank() Cell { return blankCell(t.pen.bg) }

// erase blanks cells in the current background. Blanks in the default
// background, by far the most common, are copied from blankRow: a copy is
// about twice as fast as storing cell by cell, and scrolling blanks a
// whole row for every line of output.
func (t *Terminal) erase(cells []Cell) {
	if t.pen.bg == DefaultColor && len(cells) <= len(t.blankRow) {
		copy(cells, t.blankRow)
		return
	}
	fill(cells, t.blank())
}

// printASCII prints a run of bytes 0x20-0x7e.
func printASCII[S ~string | ~[]byte](t *Terminal, s S) {
	if t.insert || t.charsets[t.gl] != charsetASCII {
		for i := 0; i < len(s); i++ {
			t.printRune(t.mapCharset(s[i]))
		}
		return
	}
	lines := t.screens[t.active]
	ink := t.ink()
	c := Cell{FG: ink.fg, BG: ink.bg, Attr: ink.attr, Link: t.link, Width: 1}
	for len(s) > 0 {
		if t.wrapNext {
			t.wrap(rune(s[0]))
		}
		if !t.autowrap && t.x == t.cols-1 {
			// Everything lands on the last column; only the last one stays.
			s = s[len(s)-1:]
		}
		row := lines[t.y].cells
		n := min(len(s), t.cols-t.x)
		t.fixWide(row, t.x, t.x+n)
		dst := row[t.x : t.x+n]
		for i := range dst {
			c.Rune = rune(s[i])
			dst[i] = c
		}
		t.dirty[t.y] = true
		t.anyDirty = true
		t.lastRune = rune(s[n-1])
		s = s[n:]
		t.x += n
		if t.x >= t.cols {
			t.x = t.cols - 1
			t.wrapNext = t.autowrap
		}
	}
}

// mapCharset maps an ASCII byte through the character set in GL.
func (t *Terminal) mapCharset(b byte) rune {
	switch t.charsets[t.gl] {
	case charsetDEC:
		if b >= 0x5f && b <= 0x7e {
			return decGraphics(b)
		}
	case charsetUK:
		if b == '#' {
			return '£'
		}
	}
	return rune(b)
}

// decGraphics maps 0x5f-0x7e in the DEC special graphics set.
func decGraphics(b byte) rune {
	const table = " ◆▒␉␌␍␊°±␤␋┘┐┌└┼⎺⎻─⎼⎽├┤┴┬│≤≥π≠£·"
	i := int(b - 0x5f)
	for _, r := range table {
		if i == 0 {
			return r
		}
		i--
	}
	return rune(b)
}

// printRune prints one character of any width.
func (t *Terminal) printRune(r rune) {
	w := runeWidth(r)
	if w == 0 {
		t.combine(r)
		return
	}
	if w == 2 && t.cols < 2 {
		w = 1 // cannot fit: keep it narrow rather than lose it
	}
	if t.wrapNext {
		t.wrap(r)
	}
	lines := t.screens[t.active]
	if w == 2 && t.x == t.cols-1 {
		if t.autowrap {
			// No room for both halves: pad the last column (it is not
			// text, so copying and reflow skip it) and wrap.
			row := lines[t.y].cells
			t.fixWide(row, t.x, t.x+1)
			row[t.x] = padCell(t.pen.bg)
			t.dirty[t.y] = true
			t.wrap(r)
		} else {
			t.x = t.cols - 2
		}
	}
	if t.insert {
		t.insertBlanks(w)
	}
	row := lines[t.y].cells
	t.fixWide(row, t.x, t.x+w)
	ink := t.ink()
	row[t.x] = Cell{Rune: r, FG: ink.fg, BG: ink.bg, Attr: ink.attr, Link: t.link, Width: uint8(w)}
	if w == 2 {
		row[t.x+1] = Cell{FG: ink.fg, BG: ink.bg, Attr: ink.attr, Link: t.link}
	}
	t.dirty[t.y] = true
	t.anyDirty = true
	t.lastRune = r
	t.x += w
	if t.x >= t.cols {
		t.x = t.cols - 1
		t.wrapNext = t.autowrap
	}
}

// combine attaches a zero-width character to the cell printed last: the
// one left of the cursor, or under it if a wrap is pending. At the start
// of a line there is none, and the mark is dropped.
func (t *Terminal) combine(r rune) {
	x := t.x
	if !t.wrapNext {
		x--
	}
	row := t.screens[t.active][t.y].cells
	if x < 0 {
		return
	}
	if row[x].Width == 0 && x > 0 {
		x--
	}
	c := &row[x]
	for i := range c.Marks {
		if c.Marks[i] == 0 {
			c.Marks[i] = r
			t.dirty[t.y] = true
			t.anyDirty = true
			return
		}
	}
}

// fixWide prepares cells [x0, x1) of row to be overwritten: a wide
// character that they would cut in half is blanked whole.
func (t *Terminal) fixWide(row []Cell, x0, x1 int) {
	if x0 > 0 && x0 < len(row) && row[x0].Width == 0 {
		row[x0-1] = blankCell(row[x0-1].BG)
	}
	if x1 > 0 && x1 < len(row) && row[x1].Width == 0 {
		row[x1] = blankCell(row[x1].BG)
	}
}

// wrap moves to the start of the next line for auto-wrap, scrolling if
// needed, and marks the line as continued. next is the character about
// to be printed: with word wrap on, a word it would split moves whole to
// the new line (see wordwrap.go).
func (t *Terminal) wrap(next rune) {
	b := t.wordBreak(next)
	t.screens[t.active][t.y].wrapped = true
	t.wrapNext = false
	t.x = 0
	if b < 0 {
		t.index()
		return
	}
	t.moveWord(b)
}

// index moves the cursor down one line, scrolling the region up if it is
// on the bottom margin (IND, LF).
func (t *Terminal) index() {
	t.wrapNext = false
	switch {
	case t.y == t.bot:
		t.scrollUp(t.top, t.bot, 1, true)
	case t.y < t.rows-1:
		t.y++
	}
}

// reverseIndex moves the cursor up one line, scrolling the region down if
// it is on the top margin (RI).
func (t *Terminal) reverseIndex() {
	t.wrapNext = false
	switch {
	case t.y == t.top:
		t.scrollDown(t.top, t.bot, 1)
	case t.y > 0:
		t.y--
	}
}

// scrollUp moves rows [top, bot] up by n, blank rows entering at the
// bottom. With save, rows leaving the main screen from its top row go to
// the scrollback, as in xterm: a scroll region whose top is the top of the
// screen (a game with a status line at the bottom) still keeps history.
func (t *Terminal) scrollUp(top, bot, n int, save bool) {
	n = min(n, bot-top+1)
	if n <= 0 {
		return
	}
	lines := t.screens[t.active]
	save = save && top == 0 && t.active == 0
	for i := top; i < top+n; i++ {
		if save {
			t.sb.push(lines[i].cells, lines[i].wrapped)
		}
		t.erase(lines[i].cells)
		lines[i].wrapped = false
	}
	rotate(lines[top:bot+1], n)
	t.markRows(top, bot)
}

// scrollDown moves rows [top, bot] down by n, blank rows entering at the
// top.
func (t *Terminal) scrollDown(top, bot, n int) {
	n = min(n, bot-top+1)
	if n <= 0 {
		return
	}
	lines := t.screens[t.active]
	for i := bot - n + 1; i <= bot; i++ {
		t.erase(lines[i].cells)
		lines[i].wrapped = false
	}
	rotate(lines[top:bot+1], bot-top+1-n)
	t.markRows(top, bot)
}

// rotate moves s[n:] to the front of s, without allocating. Scrolling by
// one line, by far the most common case, is a single copy.
func rotate(s []line, n int) {
	switch {
	case n == 0 || n == len(s):
	case n == 1:
		first := s[0]
		copy(s, s[1:])
		s[len(s)-1] = first
	case n == len(s)-1:
		last := s[len(s)-1]
		copy(s[1:], s)
		s[0] = last
	default:
		reverse(s[:n])
		reverse(s[n:])
		reverse(s)
	}
}

func reverse(s []line) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// eraseCells blanks cells [x0, x1) of row y.
func (t *Terminal) eraseCells(y, x0, x1 int) {
	x0, x1 = max(x0, 0), min(x1, t.cols)
	if x0 >= x1 {
		return
	}
	row := t.screens[t.active][y].cells
	t.fixWide(row, x0, x1)
	t.erase(row[x0:x1])
	t.dirty[y] = true
	t.anyDirty = true
}

// eraseRows blanks rows [y0, y1).
func (t *Terminal) eraseRows(y0, y1 int) {
	for y := y0; y < y1; y++ {
		t.eraseCells(y, 0, t.cols)
		t.screens[t.active][y].wrapped = false
	}
}

// eraseDisplay is ED: 0 below, 1 above, 2 all, 3 the scrollback.
func (t *Terminal) eraseDisplay(mode int) {
	t.wrapNext = false
	switch mode {
	case 0:
		t.eraseCells(t.y, t.x, t.cols)
		t.screens[t.active][t.y].wrapped = false
		t.eraseRows(t.y+1, t.rows)
	case 1:
		t.eraseRows(0, t.y)
		t.eraseCells(t.y, 0, t.x+1)
	case 2:
		t.eraseRows(0, t.rows)
	case 3:
		t.sb.clear()
		t.anyDirty = true
	}
}

// eraseLine is EL: 0 right of the cursor, 1 left of it, 2 the whole line.
func (t *Terminal) eraseLine(mode int) {
	t.wrapNext = false
	switch mode {
	case 0:
		t.eraseCells(t.y, t.x, t.cols)
		t.screens[t.active][t.y].wrapped = false
	case 1:
		t.eraseCells(t.y, 0, t.x+1)
	case 2:
		t.eraseCells(t.y, 0, t.cols)
		t.screens[t.active][t.y].wrapped = false
	}
}

// insertBlanks inserts n blank cells at the cursor, shifting the rest of
// the line right (ICH, and printing in insert mode).
func (t *Terminal) insertBlanks(n int) {
	t.wrapNext = false
	n = min(n, t.cols-t.x)
	if n <= 0 {
		return
	}
	row := t.screens[t.active][t.y].cells
	if row[t.x].Width == 0 {
		// The cursor is on a right half: the wide character is split.
		row[t.x-1] = blankCell(row[t.x-1].BG)
		row[t.x] = blankCell(row[t.x].BG)
	}
	copy(row[t.x+n:], row[t.x:t.cols-n])
	t.erase(row[t.x : t.x+n])
	if last := &row[t.cols-1]; last.Width == 2 {
		*last = blankCell(last.BG) // its right half was pushed off
	}
	t.dirty[t.y] = true
	t.anyDirty = true
}

// deleteChars deletes n cells at the cursor, shifting the rest of the line
// left and filling blanks at its end (DCH).
func (t *Terminal) deleteChars(n int) {
	t.wrapNext = false
	n = min(n, t.cols-t.x)
	if n <= 0 {
		return
	}
	row := t.screens[t.active][t.y].cells
	t.fixWide(row, t.x, t.x+n)
	copy(row[t.x:], row[t.x+n:])
	t.erase(row[t.cols-n:])
	t.dirty[t.y] = true
	t.anyDirty = true
}

// insertLines inserts n blank lines at the cursor row, within the scroll
// region (IL). Outside the region it does nothing.
func (t *Terminal) insertLines(n int) {
	if t.y < t.top || t.y > t.bot {
		return
	}
	t.scrollDown(t.y, t.bot, n)
	t.x = 0
	t.wrapNext = false
}

// deleteLines deletes n lines at the cursor row, within the scroll region
// (DL). Deleted lines do not go to the scrollback.
func (t *Terminal) deleteLines(n int) {
	if t.y < t.top || t.y > t.bot {
		return
	}
	t.scrollUp(t.y, t.bot, n, false)
	t.x = 0
	t.wrapNext = false
}

// moveTo puts the cursor at x, y, clamped to the screen, or to the scroll
// region in origin mode. y is absolute.
func (t *Terminal) moveTo(x, y int) {
	lo, hi := 0, t.rows-1
	if t.origin {
		lo, hi = t.top, t.bot
	}
	t.x = max(0, min(x, t.cols-1))
	t.y = max(lo, min(y, hi))
	t.wrapNext = false
}

// moveRel moves the cursor by dx, dy. Vertical moves stop at the scroll
// margins when they start inside them (CUU, CUD), as in xterm.
func (t *Terminal) moveRel(dx, dy int) {
	y := t.y + dy
	switch {
	case dy < 0 && t.y >= t.top:
		y = max(y, t.top)
	case dy > 0 && t.y <= t.bot:
		y = min(y, t.bot)
	}
	t.x = max(0, min(t.x+dx, t.cols-1))
	t.y = max(0, min(y, t.rows-1))
	t.wrapNext = false
}

// tab moves to the n-th next tab stop, or the last column (HT, CHT). As
// in xterm it leaves a pending wrap alone: a wrap is only pending in the
// last column, where a tab does not move.
func (t *Terminal) tab(n int) {
	for ; n > 0 && t.x < t.cols-1; n-- {
		t.x++
		for t.x < t.cols-1 && !t.tabs[t.x] {
			t.x++
		}
	}
}

// backTab moves to the n-th previous tab stop, or the first column (CBT).
func (t *Terminal) backTab(n int) {
	t.wrapNext = false
	for ; n > 0 && t.x > 0; n-- {
		t.x--
		for t.x > 0 && !t.tabs[t.x] {
			t.x--
		}
	}
}

// saveCursor is DECSC.
func (t *Terminal) saveCursor() {
	t.saved[t.active] = savedCursor{
		x: t.x, y: t.y, pen: t.pen, wrapNext: t.wrapNext, origin: t.origin,
		charsets: t.charsets, gl: t.gl, valid: true,
	}
}

// restoreCursor is DECRC; with nothing saved it homes the cursor and
// resets the pen, as xterm does.
func (t *Terminal) restoreCursor() {
	s := t.saved[t.active]
	if !s.valid {
		s = savedCursor{}
	}
	t.x = max(0, min(s.x, t.cols-1))
	t.y = max(0, min(s.y, t.rows-1))
	t.pen = s.pen
	t.wrapNext = s.wrapNext && t.autowrap && t.x == t.cols-1
	t.origin = s.origin
	t.charsets = s.charsets
	t.gl = s.gl
}

// setAltScreen shows the alternate screen (on) or the main one.
func (t *Terminal) setAltScreen(on bool) {
	want := 0
	if on {
		want = 1
	}
	if t.active == want {
		return
	}
	t.active = want
	t.wrapNext = false
	t.link = 0 // a link left open on one screen does not go on on the other
	t.markAll()
}

// clearScreen blanks the whole shown screen with the current background.
func (t *Terminal) clearScreen() {
	for i := range t.screens[t.active] {
		l := &t.screens[t.active][i]
		t.erase(l.cells)
		l.wrapped = false
	}
	t.markAll()
}

// alignmentTest is DECALN: fill the screen with 'E'.
func (t *Terminal) alignmentTest() {
	t.top, t.bot = 0, t.rows-1
	t.origin = false
	for i := range t.screens[t.active] {
		l := &t.screens[t.active][i]
		fill(l.cells, Cell{Rune: 'E', Width: 1})
		l.wrapped = false
	}
	t.moveTo(0, 0)
	t.markAll()
}
