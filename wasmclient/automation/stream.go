package automation

import (
	"bytes"
	"image/color"
	"unsafe"
)

// Stream runs an Engine's triggers on the game's output as it arrives:
// text with ANSI escape sequences, cut anywhere. It gathers each line,
// hands the line's text (without escapes) to Engine.Line, and passes the
// line on as pieces, each with the highlight to lay over it: unchanged
// and whole when no trigger coloured it, cut where a highlight begins or
// ends, or not at all when a trigger gags it. The game's bytes are passed
// on as they came: a highlight is not written into them (the terminal
// lays it over the game's colours, term.Terminal.SetHighlight), so the
// terminal reads no more than the game sent and the game's colours need
// no restoring after a highlight.
//
// A line is only complete at its line feed, but what follows the last
// line feed (a prompt, a line still on its way) must not wait: Flush
// passes it on as it is, and when the rest of that line arrives the
// triggers see the whole line; a highlight then colours the part not yet
// shown, and a gag erases the part shown (CR, then erase to the end of
// the row: a shown part that wrapped keeps its first rows). The client
// flushes when it has applied every frame it holds and at a prompt, so
// in a flood lines cut between frames are still whole. Not safe for
// concurrent use.
type Stream struct {
	// Fire is called, during Write, for each line whose triggers did
	// something besides highlighting and gagging (commands, sounds,
	// notifications, cuts); r holds until the next call into the Engine.
	Fire func(r *Result)

	e     *Engine
	line  []byte // the current line, not yet passed on
	shown []byte // the text of the start of the current line, passed on by Flush
	text  []byte // the current line's text
	res   Result // the current line's, where Fire can see it

	// What Write or Flush passes on: out, in pieces ending at marks.
	out    []byte
	marks  []mark
	pieces []Piece

	// Painting a highlighted line.
	segs    []seg // where the current line's text lies in its raw bytes
	changes []change
	cuts    []int   // the spans' ends
	paint   []Paint // per byte of text, for a line with many spans
}

// seg is a run of a line's text as it lies in the raw line: text from
// byte t on is raw from byte r on, up to the next seg.
type seg struct{ t, r int }

// Piece is part of what a Stream passes on: the game's bytes, and the
// highlight to lay over the characters among them.
type Piece struct {
	Bytes []byte
	Paint Paint
}

// Paint is a highlight as it falls on a character: On, with the colours
// of the spans over it (the last span's where they overlap; a zero
// colour, A 0, leaves that side as the game set it; On with neither, the
// character is shown inverse).
type Paint struct {
	FG, BG color.RGBA
	On     bool
}

// mark ends a piece of out.
type mark struct {
	end int
	p   Paint
}

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
func (s *Stream) Write(p []byte) []Piece {
	s.out, s.marks = s.out[:0], s.marks[:0]
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
	return s.result()
}

// Flush returns the part of a line held (what follows the last line
// feed), to show now. The result is valid until the next call.
func (s *Stream) Flush() []Piece {
	s.out, s.marks = s.out[:0], s.marks[:0]
	s.flush()
	return s.result()
}

// emit passes on b with p over it.
func (s *Stream) emit(b []byte, p Paint) {
	if len(b) == 0 {
		return
	}
	s.out = append(s.out, b...)
	if k := len(s.marks); k > 0 && s.marks[k-1].p == p {
		s.marks[k-1].end = len(s.out)
		return
	}
	s.marks = append(s.marks, mark{len(s.out), p})
}

// result returns the pieces emitted since Write or Flush began.
func (s *Stream) result() []Piece {
	s.pieces = s.pieces[:0]
	from := 0
	for _, m := range s.marks {
		s.pieces = append(s.pieces, Piece{Bytes: s.out[from:m.end:m.end], Paint: m.p})
		from = m.end
	}
	return s.pieces
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
	s.emit(show, Paint{})
	if len(s.shown) < maxHeld {
		s.shown = appendText(s.shown, show, nil)
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
		s.emit(raw, Paint{})
		return
	}
	s.segs = s.segs[:0]
	s.text = appendText(append(s.text[:0], s.shown...), raw, &s.segs)
	// The line's text is not copied into a string: Line keeps nothing of
	// it, and no string of its Result points into it (they are built
	// anew; TestStreamResultOwnsItsStrings).
	s.res = s.e.Line(unsafe.String(unsafe.SliceData(s.text), len(s.text)))
	r := &s.res
	if len(r.Commands) > 0 || len(r.Sounds) > 0 || len(r.Notifications) > 0 || len(r.Cuts) > 0 {
		if s.Fire != nil {
			s.Fire(r)
		}
	}
	switch {
	case r.Gag:
		if len(s.shown) > 0 {
			s.emit([]byte("\r\x1b[2K"), Paint{})
		}
	case len(r.Highlights) > 0:
		s.paintLine(raw, r.Highlights, len(s.shown))
	default:
		s.emit(raw, Paint{})
	}
}

// paintLine passes on raw with the spans' highlights, cut where they
// change; raw's text starts at byte skip of the line's text (what Flush
// passed on is not coloured). s.segs says where the text lies in raw, so
// raw is not read again.
func (s *Stream) paintLine(raw []byte, spans []Span, skip int) {
	s.paintChanges(spans, skip, len(s.text)-skip)
	var (
		cur  Paint // the highlight of raw[from:]
		from = 0
		k    = 0 // the seg of the change
	)
	for _, c := range s.changes {
		// A change is made just before the text byte at at: the escape
		// sequences and controls before it go with what comes before
		// (which the terminal may print with them, as the replacement
		// of a broken UTF-8 sequence), and at the end of the text, the
		// rest of raw.
		at := skip + c.at
		for k+1 < len(s.segs) && s.segs[k+1].t <= at {
			k++
		}
		r := len(raw)
		if at < len(s.text) {
			r = s.segs[k].r + at - s.segs[k].t
		}
		s.emit(raw[from:r], cur)
		from, cur = r, c.p
	}
	s.emit(raw[from:], cur)
}

// change is where the highlight changes in a line being painted: from
// byte at of the text of the part being passed on, p (p.On false: none).
type change struct {
	at int
	p  Paint
}

// maxCutSpans bounds the spans paintChanges merges by their ends; past
// it (a line many triggers colour everywhere) it paints rune by rune.
const maxCutSpans = 16

// paintChanges sets s.changes to where the highlight changes over the n
// bytes of text of the part being passed on, whose first byte is byte
// skip of the line's text: a later span over an earlier one, each colour
// of its own.
func (s *Stream) paintChanges(spans []Span, skip, n int) {
	s.changes = s.changes[:0]
	if len(spans) > maxCutSpans {
		if cap(s.paint) < n {
			s.paint = make([]Paint, n)
		}
		s.paint = s.paint[:n]
		clear(s.paint)
		for _, sp := range spans {
			for i := max(sp.Start-skip, 0); i < min(sp.End-skip, n); i++ {
				s.paint[i].add(sp)
			}
		}
		for i, p := range s.paint {
			s.addChange(i, p)
		}
		s.addChange(n, Paint{})
		return
	}
	// The ends of the spans cut the line into pieces each span covers
	// whole or not at all.
	cuts := s.cuts[:0]
	for _, sp := range spans {
		if a, b := max(sp.Start-skip, 0), min(sp.End-skip, n); a < b {
			cuts = append(cuts, a, b)
		}
	}
	for i := 1; i < len(cuts); i++ { // few: insertion sort
		for j := i; j > 0 && cuts[j] < cuts[j-1]; j-- {
			cuts[j], cuts[j-1] = cuts[j-1], cuts[j]
		}
	}
	s.cuts = cuts
	for k, a := range cuts {
		if k > 0 && a == cuts[k-1] {
			continue
		}
		var p Paint // none at the last end
		for _, sp := range spans {
			if max(sp.Start-skip, 0) <= a && a < min(sp.End-skip, n) {
				p.add(sp)
			}
		}
		s.addChange(a, p)
	}
}

// add paints a span over p.
func (p *Paint) add(sp Span) {
	p.On = true
	if sp.FG.A != 0 {
		p.FG = sp.FG
	}
	if sp.BG.A != 0 {
		p.BG = sp.BG
	}
}

// addChange adds a change to p at rune at, unless p is in force there.
func (s *Stream) addChange(at int, p Paint) {
	if k := len(s.changes); k > 0 && s.changes[k-1].p == p || k == 0 && !p.On {
		return
	}
	s.changes = append(s.changes, change{at: at, p: p})
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
// control characters (tabs kept), no line ending. With segs, it appends
// where each run of the text it appended lies in raw.
func appendText(dst, raw []byte, segs *[]seg) []byte {
	for i := 0; i < len(raw); {
		if raw[i] == 0x1b {
			i += max(escLen(raw[i:]), 1)
			continue
		}
		j := i
		for j < len(raw) && textByte[raw[j]] {
			j++
		}
		if j == i {
			i++ // a control character
			continue
		}
		if segs != nil {
			*segs = append(*segs, seg{t: len(dst), r: i})
		}
		dst = append(dst, raw[i:j]...)
		i = j
	}
	return dst
}

// textByte says which bytes are text: not ESC, not control characters
// (tabs are text).
var textByte = func() (t [256]bool) {
	for b := range t {
		t[b] = b >= ' ' && b != 0x7f || b == '\t'
	}
	return t
}()

// Held returns the part of a line held back (see Flush); it is valid
// until the next call.
func (s *Stream) Held() []byte { return s.line }
