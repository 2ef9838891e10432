package term

// scrollback is a ring of at most max lines that scrolled off the top of
// the main screen. Lines are stored without their trailing blank cells
// (unless they wrapped onto the next line), in slots with room for a
// whole screen width that are reused once the ring is full: a terminal
// that has filled its scrollback allocates nothing more for it, and the
// memory it holds is about max x cols x 28 bytes.
type scrollback struct {
	buf   []line // grows up to max, then is reused
	start int    // index of the oldest line in buf
	n     int    // number of lines held
	max   int
	added uint64 // lines ever pushed
}

// push appends a copy of cells as the newest line, dropping the oldest
// when full.
func (s *scrollback) push(cells []Cell, wrapped bool) {
	width := len(cells)
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
	cells = cells[:end]
	var slot *line
	if s.n < s.max {
		i := s.start + s.n
		if i >= s.max {
			i -= s.max
		}
		if i == len(s.buf) {
			s.buf = append(s.buf, line{})
		}
		slot = &s.buf[i]
		s.n++
	} else {
		slot = &s.buf[s.start]
		s.start++
		if s.start == s.max {
			s.start = 0
		}
	}
	if cap(slot.cells) < len(cells) {
		slot.cells = make([]Cell, 0, width)
	}
	slot.cells = append(slot.cells[:0], cells...)
	slot.wrapped = wrapped
}

// at returns line i, 0 being the oldest. i must be in [0, n).
func (s *scrollback) at(i int) *line {
	i += s.start
	if i >= s.max {
		i -= s.max
	}
	return &s.buf[i]
}

// popNewest removes the newest line and returns a copy of its cells.
func (s *scrollback) popNewest() (cells []Cell, wrapped bool) {
	if s.n == 0 {
		return nil, false
	}
	l := s.at(s.n - 1)
	cells = append([]Cell(nil), l.cells...)
	wrapped = l.wrapped
	s.n--
	if s.n == 0 {
		s.start = 0
	}
	return cells, wrapped
}

// clear forgets every line but keeps the slots for reuse.
func (s *scrollback) clear() {
	s.n = 0
	s.start = 0
}
