package automation

import (
	"bytes"
	"image/color"
	"strconv"
	"unicode/utf8"
)

// Stream runs an Engine's triggers on the game's output as it arrives:
// text with ANSI escape sequences, cut anywhere. It gathers each line,
// hands the line's text (without escapes) to Engine.Line, and passes the
// line on as the terminal should show it: unchanged, with the
// highlights' colours set around the spans (and the game's own colours
// put back after them), or not at all when a trigger gags it.
//
// A line is only complete at its line feed, but what follows the last
// line feed (a prompt, a line still on its way) must not wait: Flush
// passes it on as it is, and when the rest of that line arrives the
// triggers see the whole line; a highlight then colours the part not yet
// shown, and a gag erases the part shown (CR, then erase to the end of
// the row: a shown part that wrapped keeps its first rows). The client
// flushes when it has applied every frame it holds and at a prompt, so
// in a flood lines cut between frames are still whole.
//
// The colours to put back after a highlight are the SGR sequences since
// the game's last reset (ESC [ m or ESC [ 0 ... m), replayed; past 512
// bytes of them only the latest are kept. Not safe for concurrent use.
type Stream struct {
	// Fire is called, during Write, for each line whose triggers did
	// something besides highlighting and gagging (commands, sounds,
	// notifications, cuts); r holds until the next call into the Engine.
	Fire func(r *Result)

	e     *Engine
	line  []byte // the current line, not yet passed on
	shown []byte // the text of the start of the current line, passed on by Flush
	text  []byte // the current line's text
	sgr   []byte // the SGR sequences since the game's last reset
	out   []byte
	paint []paint // per rune of a highlighted line
}

type paint struct {
	on     bool
	fg, bg color.RGBA
}

// maxSGRState bounds the SGR sequences kept to restore the game's
// colours after a highlight.
const maxSGRState = 512

// maxHeld bounds a line held without a line feed: past it the line is
// passed on as it is (Flush).
const maxHeld = 64 << 10

// NewStream returns a Stream running e's triggers (nil: none).
func NewStream(e *Engine) *Stream { return &Stream{e: e} }

// SetEngine makes the Stream run e's triggers from the next line on.
func (s *Stream) SetEngine(e *Engine) { s.e = e }

// Write takes output and returns what to show of it: the lines it
// completed, as the triggers left them. The result is valid until the
// next call.
func (s *Stream) Write(p []byte) []byte {
	s.out = s.out[:0]
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.line = append(s.line, p...)
			if len(s.line) > maxHeld {
				s.flush()
			}
			break
		}
		if len(s.line) == 0 {
			s.endLine(p[:i+1])
		} else {
			s.line = append(s.line, p[:i+1]...)
			s.endLine(s.line)
		}
		s.line, s.shown = s.line[:0], s.shown[:0]
		p = p[i+1:]
	}
	if cap(s.line) > 2*maxHeld {
		s.line = nil
	}
	return s.out
}

// Flush returns the part of a line held (what follows the last line
// feed), to show now. The result is valid until the next call.
func (s *Stream) Flush() []byte {
	s.out = s.out[:0]
	s.flush()
	return s.out
}

func (s *Stream) flush() {
	if len(s.line) == 0 {
		return
	}
	// An escape sequence still on its way stays held: passed on now, its
	// rest would arrive as the next line's text.
	keep := 0
	if i := bytes.LastIndexByte(s.line, 0x1b); i >= 0 && len(s.line)-i <= maxHeldEsc && unfinished(s.line[i:]) {
		keep = len(s.line) - i
	}
	show := s.line[:len(s.line)-keep]
	s.track(show)
	s.out = append(s.out, show...)
	if len(s.shown) < maxHeld {
		s.shown = appendText(s.shown, show)
	}
	s.line = append(s.line[:0], s.line[len(s.line)-keep:]...)
}

// maxHeldEsc bounds an unfinished escape sequence Flush holds back.
const maxHeldEsc = 4 << 10

// unfinished reports whether p, which begins with ESC, is an escape
// sequence that has not ended yet.
func unfinished(p []byte) bool {
	if len(p) < 2 {
		return true
	}
	l := escLen(p)
	if l < len(p) {
		return false
	}
	switch p[1] {
	case '[':
		b := p[len(p)-1]
		return len(p) == 2 || b < 0x40 || b > 0x7e
	case ']', 'P', '_', '^', 'X':
		return p[len(p)-1] != 0x07 && !(len(p) >= 2 && p[len(p)-2] == 0x1b && p[len(p)-1] == '\\')
	}
	return false
}

// endLine passes on one complete line, raw (ending in LF).
func (s *Stream) endLine(raw []byte) {
	if s.e == nil || len(s.e.triggers) == 0 {
		s.track(raw)
		s.out = append(s.out, raw...)
		return
	}
	s.text = appendText(append(s.text[:0], s.shown...), raw)
	r := s.e.Line(string(s.text))
	if len(r.Commands) > 0 || len(r.Sounds) > 0 || len(r.Notifications) > 0 || len(r.Cuts) > 0 {
		if s.Fire != nil {
			s.Fire(&r)
		}
	}
	switch {
	case r.Gag:
		s.track(raw)
		if len(s.shown) > 0 {
			s.out = append(s.out, "\r\x1b[2K"...)
		}
	case len(r.Highlights) > 0:
		s.paintLine(raw, r.Highlights, utf8.RuneCount(s.shown))
	default:
		s.track(raw)
		s.out = append(s.out, raw...)
	}
}

// paintLine passes on raw with the spans coloured; raw's text starts at
// rune skip of the line (what Flush passed on is not coloured).
func (s *Stream) paintLine(raw []byte, spans []Span, skip int) {
	n := utf8.RuneCount(s.text) - skip
	if cap(s.paint) < n {
		s.paint = make([]paint, n)
	}
	s.paint = s.paint[:n]
	clear(s.paint)
	for _, sp := range spans {
		for i := max(sp.Start-skip, 0); i < min(sp.End-skip, n); i++ {
			p := &s.paint[i]
			p.on = true
			if sp.FG.A != 0 {
				p.fg = sp.FG
			}
			if sp.BG.A != 0 {
				p.bg = sp.BG
			}
		}
	}
	var cur paint // the highlight in force in what was passed on
	ri := 0       // runes of text passed
	from := 0     // raw[from:i] is still to be copied out
	for i := 0; i < len(raw); {
		b := raw[i]
		if b == 0x1b {
			if l := escLen(raw[i:]); l > 0 {
				seq := raw[i : i+l]
				s.out = append(s.out, raw[from:i+l]...)
				i += l
				from = i
				if isSGR(seq) {
					s.trackSGR(seq)
					if cur.on {
						s.out = appendPaint(s.out, cur) // the game's colour inside a span: the span wins
					}
				}
				continue
			}
		}
		size := 1
		if b >= utf8.RuneSelf {
			_, size = utf8.DecodeRune(raw[i:])
		}
		switch {
		case b >= ' ' && b != 0x7f || b == '\t':
			want := paint{}
			if ri < n {
				want = s.paint[ri]
			}
			if want != cur {
				s.out = append(s.out, raw[from:i]...)
				from = i
				if cur.on {
					s.out = append(s.out, "\x1b[0m"...)
					s.out = append(s.out, s.sgr...)
				}
				if want.on {
					s.out = appendPaint(s.out, want)
				}
				cur = want
			}
			ri++
		case cur.on && (b == '\r' || b == '\n'):
			s.out = append(s.out, raw[from:i]...)
			from = i
			s.out = append(s.out, "\x1b[0m"...)
			s.out = append(s.out, s.sgr...)
			cur = paint{}
		}
		i += size
	}
	s.out = append(s.out, raw[from:]...)
	if cur.on {
		s.out = append(s.out, "\x1b[0m"...)
		s.out = append(s.out, s.sgr...)
	}
}

// appendPaint appends the SGR sequence of a highlight.
func appendPaint(dst []byte, p paint) []byte {
	dst = append(dst, "\x1b["...)
	sep := false
	for _, c := range []struct {
		base string
		c    color.RGBA
	}{{"38;2;", p.fg}, {"48;2;", p.bg}} {
		if c.c.A == 0 {
			continue
		}
		if sep {
			dst = append(dst, ';')
		}
		dst = append(dst, c.base...)
		dst = strconv.AppendUint(dst, uint64(c.c.R), 10)
		dst = append(dst, ';')
		dst = strconv.AppendUint(dst, uint64(c.c.G), 10)
		dst = append(dst, ';')
		dst = strconv.AppendUint(dst, uint64(c.c.B), 10)
		sep = true
	}
	if !sep {
		dst = append(dst, '7') // a highlight with no colour: inverse
	}
	return append(dst, 'm')
}

// track follows the SGR sequences of raw, passed on unchanged.
func (s *Stream) track(raw []byte) {
	for i := 0; ; {
		j := bytes.IndexByte(raw[i:], 0x1b)
		if j < 0 {
			return
		}
		i += j
		l := escLen(raw[i:])
		if l == 0 {
			i++
			continue
		}
		if seq := raw[i : i+l]; isSGR(seq) {
			s.trackSGR(seq)
		}
		i += l
	}
}

// trackSGR adds one SGR sequence to the state to restore.
func (s *Stream) trackSGR(seq []byte) {
	params := seq[2 : len(seq)-1]
	if len(params) == 0 || params[0] == '0' && (len(params) == 1 || params[1] == ';') {
		s.sgr = s.sgr[:0]
		if len(params) <= 1 {
			return
		}
	}
	s.sgr = append(s.sgr, seq...)
	if len(s.sgr) > maxSGRState {
		// Keep the latest sequences, whole.
		cut := len(s.sgr) - maxSGRState/2
		if k := bytes.IndexByte(s.sgr[cut:], 0x1b); k >= 0 {
			s.sgr = append(s.sgr[:0], s.sgr[cut+k:]...)
		} else {
			s.sgr = s.sgr[:0]
		}
	}
}

// isSGR reports whether an escape sequence is an SGR (ESC [ digits and
// semicolons m).
func isSGR(seq []byte) bool {
	if len(seq) < 3 || seq[1] != '[' || seq[len(seq)-1] != 'm' {
		return false
	}
	for _, b := range seq[2 : len(seq)-1] {
		if (b < '0' || b > '9') && b != ';' && b != ':' {
			return false
		}
	}
	return true
}

// escLen returns the length of the escape sequence at the start of p (p
// begins with ESC), or 0 if p does not begin with one. An unfinished
// sequence runs to the end of p.
func escLen(p []byte) int {
	if len(p) == 0 || p[0] != 0x1b {
		return 0
	}
	if len(p) < 2 {
		return 1
	}
	switch p[1] {
	case '[': // CSI: parameters and intermediates, then a final byte
		for i := 2; i < len(p); i++ {
			if b := p[i]; b >= 0x40 && b <= 0x7e {
				return i + 1
			} else if b < 0x20 {
				return i // broken off by a control character
			}
		}
		return len(p)
	case ']', 'P', '_', '^', 'X': // strings, to BEL or ST
		for i := 2; i < len(p); i++ {
			switch p[i] {
			case 0x07:
				return i + 1
			case 0x1b:
				if i+1 < len(p) && p[i+1] == '\\' {
					return i + 2
				}
				return i
			case '\n':
				return i
			}
		}
		return len(p)
	}
	return 2
}

// appendText appends the text of a raw line: no escape sequences, no
// control characters (tabs kept), no line ending.
func appendText(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		if raw[i] == 0x1b {
			i += max(escLen(raw[i:]), 1)
			continue
		}
		j := i
		for j < len(raw) && raw[j] != 0x1b && (raw[j] >= ' ' && raw[j] != 0x7f || raw[j] == '\t') {
			j++
		}
		dst = append(dst, raw[i:j]...)
		if j == i {
			j++ // a control character
		}
		i = j
	}
	return dst
}

// Held returns the part of a line held back (see Flush); it is valid
// until the next call.
func (s *Stream) Held() []byte { return s.line }
