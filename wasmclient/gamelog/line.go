package gamelog

import (
	"time"
	"unicode/utf8"
)

// cell is a character of the current line once it is being overwritten.
type cell struct {
	r  rune
	st style
}

// curLine is the line being received. While text only ever goes on at
// its end (nearly always) it is kept as the text and its style runs,
// ready to be stored. Once a CR, BS or EL moves the cursor back and text
// is written over what was there, it becomes a slice of cells until it
// ends: a column is a character (code point), however wide it is drawn.
type curLine struct {
	buf   []byte // the text, in append mode
	runs  []run  // its style runs, in append mode
	st    style  // the style at the end of buf
	ncols int    // characters in buf

	cellMode  bool
	cells     []cell // the characters, in cell mode
	cellBytes int    // the UTF-8 length of cells
	blank     int    // cells[:blank] are known to be default spaces

	col int // the cursor's column, at most maxLine

	t    time.Time // when the first character arrived
	hasT bool
}

// empty reports whether the line has no characters.
func (c *curLine) empty() bool {
	if c.cellMode {
		return len(c.cells) == 0
	}
	return c.ncols == 0
}

// setStyle makes st the style of what is appended to buf next.
func (c *curLine) setStyle(st style) {
	if st == c.st {
		return
	}
	c.st = st
	off := int32(len(c.buf))
	if n := len(c.runs); n > 0 && c.runs[n-1].off == off {
		// Nothing was written in the previous style: replace it, or
		// drop it if st is the style before it.
		prev := style{}
		if n > 1 {
			prev = c.runs[n-2].st
		}
		if prev == st {
			c.runs = c.runs[:n-1]
		} else {
			c.runs[n-1].st = st
		}
		return
	}
	c.runs = append(c.runs, run{off: off, st: st})
}

// toCells turns an append-mode line into cells.
func (c *curLine) toCells() {
	c.cells = c.cells[:0]
	var st style
	ri := 0
	for i := 0; i < len(c.buf); {
		for ri < len(c.runs) && int(c.runs[ri].off) <= i {
			st = c.runs[ri].st
			ri++
		}
		r, size := utf8.DecodeRune(c.buf[i:])
		c.cells = append(c.cells, cell{r: r, st: st})
		i += size
	}
	c.cellBytes = len(c.buf)
	c.cellMode = true
	c.blank = 0
	c.buf, c.runs, c.st, c.ncols = c.buf[:0], c.runs[:0], style{}, 0
}

// encode returns the line's text followed by its encoded runs, and the
// length of the text, in c.buf's storage. In append mode the caller
// truncates c.buf to the text again (or resets the line); in cell mode
// c.buf is scratch space.
func (c *curLine) encode() (data []byte, n int) {
	if c.cellMode {
		c.buf, c.runs, c.st = c.buf[:0], c.runs[:0], style{}
		for _, x := range c.cells {
			c.setStyle(x.st)
			c.buf = utf8.AppendRune(c.buf, x.r)
		}
	}
	n = len(c.buf)
	prev := 0
	for _, r := range c.runs {
		c.buf = appendRun(c.buf, int(r.off)-prev, r.st)
		prev = int(r.off)
	}
	return c.buf, n
}

// reset empties the line for the next one, keeping its storage unless
// an unusual line made it large: up to 128 KiB of text and runs (a
// longest line of text), 4096 runs and 4096 cells (64 KiB each).
func (c *curLine) reset() {
	const keep = 4 << 10
	if cap(c.buf) > 2*MaxLine {
		c.buf = nil
	}
	if cap(c.cells) > keep {
		c.cells = nil
	}
	if cap(c.runs) > keep {
		c.runs = nil
	}
	*c = curLine{buf: c.buf[:0], runs: c.runs[:0], cells: c.cells[:0]}
}
