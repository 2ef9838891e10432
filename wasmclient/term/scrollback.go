package term

import (
	"encoding/binary"
	"unicode/utf8"
)

// scrollback is a ring of at most max lines that scrolled off the top of
// the main screen.
//
// A line is stored compactly, not as Cells: its text in UTF-8 with the
// style (colours, attributes, link) written only where it changes, so a
// line of 80 plain characters takes about 80 bytes rather than the
// 80 x 28 bytes of its Cells, and 10,000 lines of MUD output about a
// megabyte. Trailing blank cells are dropped (unless the line wrapped
// onto the next). See encodeLine for the format; every Cell round-trips
// exactly.
//
// The encoded lines lie one after another in chunks of chunkSize bytes,
// oldest first; a chunk is reused once the ring has dropped every line in
// it. So pushing a line allocates nothing once the ring is full, and the
// ring holds no pointers for the garbage collector to follow but the few
// chunks'.
//
// Reading a line (at) decodes it into a small cache of recently read
// lines, so drawing the same scrolled-back rows frame after frame decodes
// each once.
type scrollback struct {
	buf   []sbLine // grows up to max, then is reused
	start int      // index of the oldest line in buf
	n     int      // number of lines held
	max   int
	added uint64 // lines ever pushed

	// first is the serial number of the oldest line held; line i has
	// serial first+i. Serials are never reused (clear moves first past
	// the lines it forgets, popNewest evicts the line from the cache), so
	// they key the cache.
	first uint64

	chunks [][]byte // the chunks holding lines, oldest first
	chunk0 uint32   // the number of chunks[0]; chunks are numbered in order
	free   [][]byte // chunks no line uses, for reuse (at most maxFree)

	enc   []byte   // scratch for encoding
	cache *sbCache // decoded lines, made on first read
}

// chunkSize is the size of the chunks lines are stored in; a longer line
// gets a chunk of its own size. maxFree is how many free chunks are kept.
const (
	chunkSize = 64 << 10
	maxFree   = 4
)

// sbLine is where one stored line is: its chunk's number, and its offset
// and length there; and whether it auto-wrapped onto the next line.
type sbLine struct {
	chunk     uint32
	off, size uint32
	wrapped   bool
}

// sbCacheSize is the number of decoded lines the cache keeps: more than
// the rows of any screen, so that drawing a scrolled-back screen decodes
// each row once.
const sbCacheSize = 128

// sbCache holds the last sbCacheSize lines decoded, replaced round robin.
type sbCache struct {
	serial [sbCacheSize]uint64 // serial+1 of the line in each slot, 0 if none
	lines  [sbCacheSize]line
	next   int // the slot to fill next
	last   int // the slot last returned, checked first
}

// push appends a copy of cells as the newest line, dropping the oldest
// when full.
func (s *scrollback) push(cells []Cell, wrapped bool) {
	if s.max == 0 {
		return
	}
	s.added++
	// Trailing blanks are dropped, except from a line that wrapped: its
	// spaces run on into the next line, and copying or finding a URL
	// across the two needs them.
	end := len(cells)
	for !wrapped && end > 0 && cells[end-1].isBlank() {
		end--
	}
	s.enc = encodeLine(s.enc[:0], cells[:end])
	var slot *sbLine
	full := s.n == s.max
	if !full {
		i := s.start + s.n
		if i >= s.max {
			i -= s.max
		}
		if i == len(s.buf) {
			s.buf = append(s.buf, sbLine{})
		}
		slot = &s.buf[i]
		s.n++
	} else {
		slot = &s.buf[s.start]
		s.start++
		if s.start == s.max {
			s.start = 0
		}
		s.first++
	}
	*slot = s.store(s.enc)
	slot.wrapped = wrapped
	if full {
		s.release(s.buf[s.start].chunk)
	}
}

// store appends enc to the newest chunk, or to a new one if it does not
// fit, and returns where it is.
func (s *scrollback) store(enc []byte) sbLine {
	k := len(s.chunks) - 1
	if k < 0 || len(s.chunks[k])+len(enc) > cap(s.chunks[k]) {
		var c []byte
		if f := len(s.free) - 1; f >= 0 && cap(s.free[f]) >= len(enc) {
			c = s.free[f][:0]
			s.free[f] = nil
			s.free = s.free[:f]
		} else {
			c = make([]byte, 0, max(chunkSize, len(enc)))
		}
		s.chunks = append(s.chunks, c)
		k++
	}
	off := len(s.chunks[k])
	s.chunks[k] = append(s.chunks[k], enc...)
	return sbLine{chunk: s.chunk0 + uint32(k), off: uint32(off), size: uint32(len(enc))}
}

// release frees the chunks before chunk number c, which no line uses.
func (s *scrollback) release(c uint32) {
	k := int(c - s.chunk0)
	if k <= 0 {
		return
	}
	for _, ch := range s.chunks[:k] {
		s.freeChunk(ch)
	}
	m := copy(s.chunks, s.chunks[k:])
	clear(s.chunks[m:])
	s.chunks = s.chunks[:m]
	s.chunk0 = c
}

// freeChunk keeps ch for reuse, if there is room in the free list and it
// is not an outsize chunk.
func (s *scrollback) freeChunk(ch []byte) {
	if len(s.free) < maxFree && cap(ch) == chunkSize {
		s.free = append(s.free, ch[:0])
	}
}

// data returns the encoded bytes of a stored line.
func (s *scrollback) data(l sbLine) []byte {
	return s.chunks[l.chunk-s.chunk0][l.off : l.off+l.size]
}

// slot returns the index in buf of line i, 0 being the oldest.
func (s *scrollback) slot(i int) int {
	i += s.start
	if i >= s.max {
		i -= s.max
	}
	return i
}

// at returns line i, 0 being the oldest; i must be in [0, n). The line is
// decoded into the cache: read it, do not change it (use replace), and do
// not keep it past the next push, popNewest, clear or replace, nor past
// sbCacheSize-1 further calls of at for other lines.
func (s *scrollback) at(i int) *line {
	serial := s.first + uint64(i) + 1
	c := s.cache
	if c == nil {
		c = new(sbCache)
		s.cache = c
	}
	if c.serial[c.last] == serial {
		return &c.lines[c.last]
	}
	for k := range c.serial {
		if c.serial[k] == serial {
			c.last = k
			return &c.lines[k]
		}
	}
	k := c.next
	c.next = (k + 1) % sbCacheSize
	c.last = k
	c.serial[k] = serial
	sl := s.buf[s.slot(i)]
	l := &c.lines[k]
	l.cells = decodeLine(l.cells[:0], s.data(sl))
	l.wrapped = sl.wrapped
	return l
}

// cellsAt returns the cells of line i, as at does.
func (s *scrollback) cellsAt(i int) []Cell { return s.at(i).cells }

// wrappedAt reports whether line i auto-wrapped onto the next line.
func (s *scrollback) wrappedAt(i int) bool { return s.buf[s.slot(i)].wrapped }

// replace stores cells as the new content of line i, which must be in
// [0, n). Trailing blanks are kept as given. It is for rare changes (the
// link sweep, which only shortens lines): a line that grows makes the
// whole ring be copied.
func (s *scrollback) replace(i int, cells []Cell) {
	s.forget(s.first + uint64(i) + 1)
	s.enc = encodeLine(s.enc[:0], cells)
	sl := &s.buf[s.slot(i)]
	if len(s.enc) <= int(sl.size) {
		sl.size = uint32(copy(s.data(*sl)[:len(s.enc)], s.enc))
		return
	}
	// Copy every line into new chunks, line i as now encoded.
	old, old0 := s.chunks, s.chunk0
	s.chunks, s.chunk0 = nil, old0+uint32(len(old))
	for j := range s.n {
		l := &s.buf[s.slot(j)]
		data := s.enc
		if j != i {
			data = old[l.chunk-old0][l.off : l.off+l.size]
		}
		w := l.wrapped
		*l = s.store(data)
		l.wrapped = w
	}
}

// forget drops the line with the given serial+1 from the cache.
func (s *scrollback) forget(serial uint64) {
	if s.cache == nil {
		return
	}
	for k := range s.cache.serial {
		if s.cache.serial[k] == serial {
			s.cache.serial[k] = 0
		}
	}
}

// popNewest removes the newest line and returns a copy of its cells.
func (s *scrollback) popNewest() (cells []Cell, wrapped bool) {
	if s.n == 0 {
		return nil, false
	}
	sl := s.buf[s.slot(s.n-1)]
	cells = decodeLine(nil, s.data(sl))
	wrapped = sl.wrapped
	s.forget(s.first + uint64(s.n-1) + 1)
	s.n--
	// The newest line is the last in the newest chunk.
	k := int(sl.chunk - s.chunk0)
	s.chunks[k] = s.chunks[k][:sl.off]
	if s.n == 0 {
		s.start = 0
		s.release(s.chunk0 + uint32(len(s.chunks)))
	}
	return cells, wrapped
}

// clear forgets every line but keeps chunks for reuse.
func (s *scrollback) clear() {
	s.first += uint64(s.n)
	s.n = 0
	s.start = 0
	s.release(s.chunk0 + uint32(len(s.chunks)))
}

// heldBytes returns the bytes the ring holds for lines (the capacity of
// every chunk, free ones included), for tests of the memory bound.
func (s *scrollback) heldBytes() int {
	n := 0
	for _, c := range s.chunks {
		n += cap(c)
	}
	for _, c := range s.free {
		n += cap(c)
	}
	return n
}

// The line encoding. A line is a sequence of items, each starting with
// one byte:
//
//   - a UTF-8 lead byte (0x00-0xF4): a valid rune in UTF-8, one cell of
//     Width 1 with no marks in the current style;
//   - opWide then a rune in UTF-8: a cell of Width 2 with no marks
//     followed by its right half, a cell with Rune 0, Width 0 and no
//     marks, both in the current style;
//   - opCell then uvarints Width, uint32(Rune), the number of marks kept
//     (up to the last non-zero one) and each mark as uint32: any other
//     cell, in the current style;
//   - opStyle, a byte of flags saying which of FG, BG, Attr and Link
//     follow, and those as uvarints: the style of the cells after it.
//
// The style starts as the default (zero) one. Bytes 0xF5-0xFF never begin
// a valid UTF-8 sequence, so the ops cannot be mistaken for text.
const (
	opWide  = 0xFD
	opCell  = 0xFE
	opStyle = 0xFF

	styleFG   = 1
	styleBG   = 2
	styleAttr = 4
	styleLink = 8
)

// encodeLine appends the encoding of cells to dst.
func encodeLine(dst []byte, cells []Cell) []byte {
	var fg, bg Color
	var attr Attr
	var link uint16
	for k := 0; k < len(cells); k++ {
		c := &cells[k]
		if c.FG != fg || c.BG != bg || c.Attr != attr || c.Link != link {
			var flags byte
			if c.FG != fg {
				flags |= styleFG
			}
			if c.BG != bg {
				flags |= styleBG
			}
			if c.Attr != attr {
				flags |= styleAttr
			}
			if c.Link != link {
				flags |= styleLink
			}
			dst = append(dst, opStyle, flags)
			if flags&styleFG != 0 {
				dst = binary.AppendUvarint(dst, uint64(c.FG))
			}
			if flags&styleBG != 0 {
				dst = binary.AppendUvarint(dst, uint64(c.BG))
			}
			if flags&styleAttr != 0 {
				dst = binary.AppendUvarint(dst, uint64(c.Attr))
			}
			if flags&styleLink != 0 {
				dst = binary.AppendUvarint(dst, uint64(c.Link))
			}
			fg, bg, attr, link = c.FG, c.BG, c.Attr, c.Link
		}
		if c.Marks[0] == 0 && c.Marks[1] == 0 {
			r := c.Rune
			switch {
			case c.Width == 1 && r >= 0 && r < utf8.RuneSelf:
				dst = append(dst, byte(r))
				continue
			case c.Width == 1 && utf8.ValidRune(r):
				dst = utf8.AppendRune(dst, r)
				continue
			case c.Width == 2 && utf8.ValidRune(r) && k+1 < len(cells) &&
				cells[k+1] == Cell{FG: fg, BG: bg, Attr: attr, Link: link}:
				dst = append(dst, opWide)
				dst = utf8.AppendRune(dst, r)
				k++
				continue
			}
		}
		dst = append(dst, opCell)
		dst = binary.AppendUvarint(dst, uint64(c.Width))
		dst = binary.AppendUvarint(dst, uint64(uint32(c.Rune)))
		nm := len(c.Marks)
		for nm > 0 && c.Marks[nm-1] == 0 {
			nm--
		}
		dst = append(dst, byte(nm))
		for _, m := range c.Marks[:nm] {
			dst = binary.AppendUvarint(dst, uint64(uint32(m)))
		}
	}
	return dst
}

// decodeLine appends the cells encoded in data (by encodeLine) to dst.
func decodeLine(dst []Cell, data []byte) []Cell {
	var st Cell // the current style; Rune, Width and Marks unused
	for p := 0; p < len(data); {
		b := data[p]
		if b < utf8.RuneSelf {
			dst = append(dst, Cell{Rune: rune(b), FG: st.FG, BG: st.BG, Attr: st.Attr, Link: st.Link, Width: 1})
			p++
			continue
		}
		switch b {
		case opStyle:
			flags := data[p+1]
			p += 2
			if flags&styleFG != 0 {
				v, n := binary.Uvarint(data[p:])
				st.FG, p = Color(v), p+n
			}
			if flags&styleBG != 0 {
				v, n := binary.Uvarint(data[p:])
				st.BG, p = Color(v), p+n
			}
			if flags&styleAttr != 0 {
				v, n := binary.Uvarint(data[p:])
				st.Attr, p = Attr(v), p+n
			}
			if flags&styleLink != 0 {
				v, n := binary.Uvarint(data[p:])
				st.Link, p = uint16(v), p+n
			}
		case opWide:
			r, n := utf8.DecodeRune(data[p+1:])
			p += 1 + n
			dst = append(dst,
				Cell{Rune: r, FG: st.FG, BG: st.BG, Attr: st.Attr, Link: st.Link, Width: 2},
				Cell{FG: st.FG, BG: st.BG, Attr: st.Attr, Link: st.Link})
		case opCell:
			c := Cell{FG: st.FG, BG: st.BG, Attr: st.Attr, Link: st.Link}
			p++
			v, n := binary.Uvarint(data[p:])
			c.Width, p = uint8(v), p+n
			v, n = binary.Uvarint(data[p:])
			c.Rune, p = rune(uint32(v)), p+n
			nm := int(data[p])
			p++
			for m := range nm {
				v, n = binary.Uvarint(data[p:])
				c.Marks[m], p = rune(uint32(v)), p+n
			}
			dst = append(dst, c)
		default:
			r, n := utf8.DecodeRune(data[p:])
			dst = append(dst, Cell{Rune: r, FG: st.FG, BG: st.BG, Attr: st.Attr, Link: st.Link, Width: 1})
			p += n
		}
	}
	return dst
}
