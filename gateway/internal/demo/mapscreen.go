package demo

import (
	"strconv"
	"strings"

	"github.com/drawbridge/drawbridge/gateway/internal/telnet"
)

// The map is a full-screen program in character mode, the way games run
// editors and maps: the game echoes (WILL ECHO) and goes without GA (WILL
// SGA), so the client sends each key as it is pressed; the screen is the
// terminal's alternate one, drawn with cursor addressing, and the player
// walks an @ about with the arrow keys or hjkl until q or Ctrl-C.

// Limits of the map screen. A window outside them is drawn at the limit
// (larger) or replaced by a note (smaller): a NAWS of 65535 x 65535 must
// not make the game draw a border of that size.
const (
	mapMinCols, mapMinRows = 20, 6
	mapMaxCols, mapMaxRows = 250, 100
	// mapMaxSeq bounds the parameter bytes of one key's escape sequence:
	// past it the sequence is dropped, so an endless one cannot swallow
	// the q that leaves.
	mapMaxSeq = 16
	// maxHeld bounds the room messages kept for a player on the map.
	maxHeld = 20
)

const (
	mapTitle = "The Castle Grounds"
	mapHelp  = "Arrows or h j k l move the @, Ctrl-L redraws, q leaves."
	mapSmall = "Make the window bigger (20 x 6), or press q."
)

// Terminal control sequences of the map.
const (
	enterAltScreen = "\x1b[?1049h\x1b[?25l" // alternate screen, cursor hidden
	leaveAltScreen = "\x1b[0m\x1b[?25h\x1b[?1049l"
	clearScreen    = "\x1b[0m\x1b[H\x1b[2J"
)

// keyState is where the map's key decoder is in an escape sequence.
type keyState uint8

const (
	keyGround keyState = iota
	keyEsc             // after ESC
	keyCSI             // after ESC [
	keySS3             // after ESC O
)

// mapAction is what one key asks of the map.
type mapAction uint8

const (
	actNone mapAction = iota
	actUp
	actDown
	actLeft
	actRight
	actRedraw
	actQuit
)

// mapScreen is the state of the map for one session. Screen rows and
// columns count from 1, as in cursor addressing: the border takes row 1,
// row rows-1 and columns 1 and cols, the help line row rows, and the @
// walks the rest.
type mapScreen struct {
	cols, rows int  // the screen drawn, within the limits
	x, y       int  // the @
	fresh      bool // the whole screen was drawn and nothing since
	keys       keyState
	seqLen     int // parameter bytes of the escape sequence so far
}

// fit sets the screen to the window's size (0 for unknown: 80 x 24),
// keeping the @ inside, and reports whether the size changed.
func (m *mapScreen) fit(cols, rows int) bool {
	if cols <= 0 {
		cols = 80
	}
	if rows <= 0 {
		rows = 24
	}
	cols, rows = min(cols, mapMaxCols), min(rows, mapMaxRows)
	if cols == m.cols && rows == m.rows {
		return false
	}
	if m.cols == 0 {
		m.x, m.y = (cols+1)/2, rows/2 // first fit: the middle
	}
	m.cols, m.rows = cols, rows
	m.x, m.y = max(2, min(m.x, cols-1)), max(2, min(m.y, rows-2))
	return true
}

func (m *mapScreen) small() bool { return m.cols < mapMinCols || m.rows < mapMinRows }

// appendCUP appends cursor addressing to row, col.
func appendCUP(dst []byte, row, col int) []byte {
	dst = append(dst, "\x1b["...)
	dst = strconv.AppendInt(dst, int64(row), 10)
	dst = append(dst, ';')
	dst = strconv.AppendInt(dst, int64(col), 10)
	return append(dst, 'H')
}

// draw appends the whole screen.
func (m *mapScreen) draw(dst []byte) []byte {
	m.fresh = true
	dst = append(dst, clearScreen...)
	if m.small() {
		return append(dst, mapSmall[:min(len(mapSmall), m.cols)]...)
	}
	inner := m.cols - 2
	top := "- " + mapTitle + " "
	if len(top)+1 > inner {
		top = ""
	}
	dst = appendCUP(dst, 1, 1)
	dst = append(dst, '+')
	dst = append(dst, ansiTitle...)
	dst = append(dst, top...)
	dst = append(dst, ansiReset...)
	dst = append(dst, strings.Repeat("-", inner-len(top))...)
	dst = append(dst, '+')
	for r := 2; r <= m.rows-2; r++ {
		dst = appendCUP(dst, r, 1)
		dst = append(dst, '|')
		dst = appendCUP(dst, r, m.cols)
		dst = append(dst, '|')
	}
	dst = appendCUP(dst, m.rows-1, 1)
	dst = append(dst, '+')
	dst = append(dst, strings.Repeat("-", inner)...)
	dst = append(dst, '+')
	// The help line stops short of the last column: writing there makes
	// some terminals scroll.
	dst = appendCUP(dst, m.rows, 1)
	dst = append(dst, mapHelp[:min(len(mapHelp), m.cols-1)]...)
	dst = appendCUP(dst, m.y, m.x)
	return append(dst, '@')
}

// move appends what moves the @ by dx, dy; nothing at the border.
func (m *mapScreen) move(dst []byte, dx, dy int) []byte {
	if m.small() {
		return dst
	}
	x, y := max(2, min(m.x+dx, m.cols-1)), max(2, min(m.y+dy, m.rows-2))
	if x == m.x && y == m.y {
		return dst
	}
	dst = appendCUP(dst, m.y, m.x)
	dst = append(dst, ' ')
	m.x, m.y, m.fresh = x, y, false
	dst = appendCUP(dst, y, x)
	return append(dst, '@')
}

// key decodes one byte the player sent: arrows as ESC [ A..D (with any
// parameters, as modified keys send) or ESC O A..D, h j k l, q or Ctrl-C
// to leave, Ctrl-L to redraw. Other bytes and sequences do nothing. A
// byte that cuts a sequence short (ESC x, a control inside ESC [) counts
// as a key of its own, so ESC then q still leaves.
func (m *mapScreen) key(c byte) mapAction {
	switch m.keys {
	case keyEsc:
		switch c {
		case '[':
			m.keys, m.seqLen = keyCSI, 0
			return actNone
		case 'O':
			m.keys = keySS3
			return actNone
		case 0x1b:
			return actNone
		}
		m.keys = keyGround
	case keyCSI:
		switch {
		case c >= 0x20 && c <= 0x3f: // parameters and intermediates
			if m.seqLen++; m.seqLen > mapMaxSeq {
				m.keys = keyGround
			}
			return actNone
		case c >= 0x40 && c <= 0x7e:
			m.keys = keyGround
			return arrow(c)
		}
		m.keys = keyGround
	case keySS3:
		m.keys = keyGround
		if c >= 0x40 && c <= 0x7e {
			return arrow(c)
		}
	}
	switch c {
	case 0x1b:
		m.keys = keyEsc
	case 'k':
		return actUp
	case 'j':
		return actDown
	case 'h':
		return actLeft
	case 'l':
		return actRight
	case 'q', 'Q', 0x03: // 0x03: Ctrl-C
		return actQuit
	case 0x0c: // Ctrl-L
		return actRedraw
	}
	return actNone
}

// arrow maps the final byte of an arrow key's sequence to its action.
func arrow(final byte) mapAction {
	switch final {
	case 'A':
		return actUp
	case 'B':
		return actDown
	case 'C':
		return actRight
	case 'D':
		return actLeft
	}
	return actNone
}

// openMap switches to character mode and draws the map.
func (ss *session) openMap() {
	s := ss.s
	s.mu.Lock()
	if ss.currentLocked() {
		ss.me.busy = true
	}
	s.mu.Unlock()
	ss.pend = ss.neg.Enable(ss.pend, telnet.Us, telnet.OptEcho)
	ss.pend = ss.neg.Enable(ss.pend, telnet.Us, telnet.OptSGA)
	ss.fs = &mapScreen{}
	ss.fs.fit(ss.cols, ss.rows)
	ss.pend = append(ss.pend, enterAltScreen...)
	ss.pend = ss.fs.draw(ss.pend)
}

// mapKey hands one byte the player sent to the map.
func (ss *session) mapKey(c byte) {
	m := ss.fs
	switch m.key(c) {
	case actUp:
		ss.pend = m.move(ss.pend, 0, -1)
	case actDown:
		ss.pend = m.move(ss.pend, 0, 1)
	case actLeft:
		ss.pend = m.move(ss.pend, -1, 0)
	case actRight:
		ss.pend = m.move(ss.pend, 1, 0)
	case actRedraw:
		// Repeated redraws of an untouched screen change nothing: one
		// byte each must not buy a screenful of output each.
		if !m.fresh {
			ss.pend = m.draw(ss.pend)
		}
	case actQuit:
		ss.closeMap()
	}
	ss.flushIfFull()
}

// resizeMap redraws the map for a new window size.
func (ss *session) resizeMap() {
	if ss.fs.fit(ss.cols, ss.rows) {
		ss.pend = ss.fs.draw(ss.pend)
		ss.flushIfFull()
	}
}

// closeMap leaves the alternate screen, goes back to line mode (WONT
// ECHO, WONT SGA) and to the prompt, with what was said in the room
// meanwhile.
func (ss *session) closeMap() {
	ss.fs = nil
	ss.lastCR = false
	ss.pend = append(ss.pend, leaveAltScreen...)
	ss.pend, _ = ss.neg.Disable(ss.pend, telnet.Us, telnet.OptEcho)
	ss.pend, _ = ss.neg.Disable(ss.pend, telnet.Us, telnet.OptSGA)
	s := ss.s
	s.mu.Lock()
	var held []string
	if ss.currentLocked() {
		held = ss.me.held
		ss.me.held, ss.me.busy = nil, false
	}
	s.mu.Unlock()
	ss.say("You fold the map away.")
	for _, h := range held {
		ss.say(h)
	}
	ss.gamePrompt()
}
