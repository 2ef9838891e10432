package term

// reflowMain lays the main screen and the scrollback out again cols
// wide, word wrapped (see wordwrap.go), keeping the main screen's rows
// and the cursor on the character it was on. cx, cy is the main
// screen's cursor (the live one, or the one saved when the alternate
// screen is shown) and pending whether a wrap was pending there; it
// returns them updated. cols must be at least 2, so that a wide
// character fits on a row.
//
// Which rows are on the screen afterwards: if the old screen was filled
// to its bottom row (the usual case in line mode), the new one is too,
// with its last text at the bottom, lines coming back from the
// scrollback when the text got shorter. Otherwise the text keeps to the
// top as before, with blank rows below, unless it no longer fits. Either
// way the cursor's row stays on the screen; rows below it that no longer
// fit are dropped, as Resize drops them.
func (t *Terminal) reflowMain(cols, cx, cy int, pending bool) (int, int, bool) {
	screen := t.screens[0]
	rows := len(screen)
	y := max(0, min(cy, rows-1))
	last := y
	for i := rows - 1; i > last; i-- {
		if screen[i].wrapped || !allBlank(screen[i].cells) {
			last = i
		}
	}
	full := last == rows-1

	// The source rows, oldest first: the scrollback, then the screen
	// down to the last one with text or the cursor.
	old := t.sb
	nsb := old.n
	src := func(i int) *line {
		if i < nsb {
			return old.at(i)
		}
		return &screen[i-nsb]
	}
	total := nsb + last + 1
	curRow := nsb + y
	curOff := cx
	if pending {
		curOff++
	}

	t.sb = scrollback{max: old.max, added: old.added}
	var tail []line // rows of the lines that reach the screen
	tailCur := -1   // the cursor's row in tail, and its column there
	curCol := 0
	var buf []Cell
	for i := 0; i < total; {
		// Gather one logical line, rows i through j, without padding;
		// off is the cursor's place in it, if it is on it.
		buf = buf[:0]
		off := -1
		j := i
		for ; ; j++ {
			l := src(j)
			cells := l.cells
			if !l.wrapped {
				end := len(cells)
				for end > 0 && cells[end-1].isBlank() {
					end--
				}
				cells = cells[:end]
			}
			if j == curRow {
				off = len(buf) + max(0, curOff-len(cells))
				for k := range cells[:min(curOff, len(cells))] {
					if cells[k].Attr&WrapPad == 0 {
						off++
					}
				}
			}
			for k := range cells {
				if cells[k].Attr&WrapPad == 0 {
					buf = append(buf, cells[k])
				}
			}
			if !l.wrapped || j == total-1 {
				break
			}
		}
		onScreen := j >= nsb
		// Lay it out.
		pos := 0
		for first := true; first || pos < len(buf); first = false {
			end := breakRow(buf, pos, cols, true)
			wrapped := end < len(buf)
			if !onScreen {
				t.sb.push(buf[pos:end], wrapped)
				pos = end
				continue
			}
			if off >= 0 && tailCur < 0 && (off < end || !wrapped) {
				tailCur, curCol = len(tail), off-pos
			}
			tail = append(tail, line{cells: padRow(buf[pos:end], cols, wrapped), wrapped: wrapped})
			pos = end
		}
		i = j + 1
	}
	if tailCur < 0 {
		tailCur = max(0, len(tail)-1)
	}

	start := max(0, len(tail)-rows)
	if full {
		start = len(tail) - rows // negative: take lines back from the scrollback
	}
	start = max(min(start, tailCur), tailCur-rows+1)
	for i := 0; i < start; i++ {
		t.sb.push(tail[i].cells, tail[i].wrapped)
	}
	out := make([]line, 0, rows)
	if start < 0 {
		k := min(-start, t.sb.n)
		for i := t.sb.n - k; i < t.sb.n; i++ {
			l := t.sb.at(i)
			out = append(out, line{cells: padRow(l.cells, cols, l.wrapped), wrapped: l.wrapped})
		}
		for range k {
			t.sb.popNewest()
		}
		start = 0
	}
	tailCur += len(out) - start
	for i := start; i < len(tail) && len(out) < rows; i++ {
		out = append(out, tail[i])
	}
	for len(out) < rows {
		out = append(out, line{cells: newBlankRow(cols)})
	}
	t.screens[0] = out

	// Line numbers: the cursor's row keeps its number if it can, so that
	// what was numbered before it stays numbered before it.
	curNum := old.added + uint64(y)
	if curNum >= uint64(t.sb.n)+uint64(tailCur) {
		t.sb.added = curNum - uint64(tailCur)
	} else {
		t.sb.added = uint64(t.sb.n)
	}
	if curCol >= cols {
		return cols - 1, tailCur, curCol == cols && pending
	}
	return curCol, tailCur, false
}

// padRow returns cells in a new row cols wide: a row that wraps is
// padded with WrapPad cells, others with blanks.
func padRow(cells []Cell, cols int, wrapped bool) []Cell {
	out := make([]Cell, cols)
	n := copy(out, cells)
	if !wrapped {
		fill(out[n:], blankCell(DefaultColor))
		return out
	}
	bg := DefaultColor
	if n > 0 {
		bg = out[n-1].BG
	}
	fill(out[n:], padCell(bg))
	return out
}

// reflowResize reflows the main screen cols wide for Resize, moving its
// cursor (the live one, or the saved one while the alternate screen is
// shown) with the text. It reports whether a wrap is pending at the live
// cursor.
func (t *Terminal) reflowResize(cols int) bool {
	if t.active == 0 {
		var pending bool
		t.x, t.y, pending = t.reflowMain(cols, t.x, t.y, t.wrapNext)
		return pending
	}
	s := &t.saved[0]
	if !s.valid {
		// No saved cursor (mode 47): keep the bottom row on screen.
		t.reflowMain(cols, 0, len(t.screens[0])-1, false)
		return false
	}
	s.x, s.y, s.wrapNext = t.reflowMain(cols, s.x, s.y, s.wrapNext)
	return false
}
