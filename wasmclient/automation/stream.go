package automation

import (
	"bytes"
	"image/color"
	"strconv"
	"unicode/utf8"
	"unsafe"
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
	res   Result // the current line's, where Fire can see it

	// Painting a highlighted line.
	changes []change
	cuts    []int // the spans' ends
	sgrs    []paintSGR
	paint   []paint // per rune, for a line with many spans
}

// paint is the highlight of a rune: on or not, and its colours packed
// (rgba, so that paints compare as three words; 0 leaves that side as it
// is).
type paint struct {
	fg, bg uint32
	on     bool
}

func pack(c color.RGBA) uint32 {
	return uint32(c.R)<<24 | uint32(c.G)<<16 | uint32(c.B)<<8 | uint32(c.A)
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
//
// It writes no more than it must: the terminal reads every byte. A
// highlight's sequence is written before the first character it colours
// and again after a colour of the game's inside it, but only once a
// character (or anything other than a colour) follows; the game's
// colours are restored (reset, then its sequences since its last reset)
// where a highlight ends, unless the game reset them itself.
func (s *Stream) paintLine(raw []byte, spans []Span, skip int) {
	n := utf8.RuneCount(s.text) - skip
	s.paintChanges(spans, skip, n)
	if len(s.changes) == 0 { // every span is in the part already shown
		s.track(raw)
		s.out = append(s.out, raw...)
		return
	}
	var (
		ci              = 0               // the next change
		nextAt          = s.changes[0].at // the rune it is at
		want            paint             // the highlight of the current rune
		wantSGR, curSGR []byte            // their sequences
		cur             paint             // the highlight in force (since the last character)
		applied         bool              // cur's sequence was written, and the game has not reset since
		stale           bool              // a colour of the game's came after cur's sequence
		synced          = true            // cur == want and !stale
		ri              = 0               // runes of text passed
		from            = 0               // raw[from:i] is still to be copied out
	)
	restore := func() {
		s.out = append(s.out, "\x1b[0m"...)
		s.out = append(s.out, s.sgr...)
	}
	for i := 0; i < len(raw); {
		b := raw[i]
		if b == 0x1b {
			if l := escLen(raw[i:]); l > 0 {
				seq := raw[i : i+l]
				if isSGR(seq) {
					reset, pruned := s.trackSGR(seq)
					if cur.on {
						// The game's colour inside a span: the span wins,
						// from the next character on.
						stale, synced = true, false
						if reset {
							applied = false // the colours are the game's again, as s.sgr replays them
						} else if pruned {
							applied = true // s.sgr no longer replays them: restore as ever
						}
					}
				} else if cur.on {
					// Anything else, which the terminal may read
					// otherwise than the Stream does: the colours in
					// force as if each were written at once.
					if stale {
						s.out = append(s.out, raw[from:i]...)
						from = i
						s.out = append(s.out, curSGR...)
						stale, synced = false, want == cur
					}
					applied = true
				}
				i += l
				continue
			}
		}
		switch {
		case b >= ' ' && b != 0x7f || b == '\t':
			if ri == nextAt {
				c := &s.changes[ci]
				want, wantSGR = c.p, c.seq
				ci++
				nextAt = -1
				if ci < len(s.changes) {
					nextAt = s.changes[ci].at
				}
				synced = want == cur && !stale
			}
			if !synced {
				s.out = append(s.out, raw[from:i]...)
				from = i
				switch {
				case want == cur: // stale
					s.out = append(s.out, curSGR...)
				default:
					if applied {
						restore()
					}
					if want.on {
						s.out = append(s.out, wantSGR...)
					}
				}
				cur, curSGR, applied, stale, synced = want, wantSGR, want.on, false, true
				if !cur.on && nextAt < 0 {
					// No highlight from here on: the rest as it is.
					s.out = append(s.out, raw[from:]...)
					s.track(raw[i:])
					return
				}
			}
			ri++
			size := 1
			if b >= utf8.RuneSelf {
				_, size = utf8.DecodeRune(raw[i:])
			}
			i += size
			// The printable ASCII before the next change is passed on as
			// it is.
			lim := len(raw)
			if nextAt >= 0 && nextAt-ri < lim-i {
				lim = i + nextAt - ri
			}
			j := i
			for j < lim && raw[j] >= ' ' && raw[j] < 0x7f {
				j++
			}
			ri += j - i
			i = j
			continue
		case cur.on && (b == '\r' || b == '\n'):
			s.out = append(s.out, raw[from:i]...)
			from = i
			if applied {
				restore()
			}
			cur, curSGR, applied, stale = paint{}, nil, false, false
			synced = !want.on
		case cur.on:
			// A control character: as for an escape sequence.
			if stale {
				s.out = append(s.out, raw[from:i]...)
				from = i
				s.out = append(s.out, curSGR...)
				stale, synced = false, want == cur
			}
			applied = true
		}
		i++ // a control character or an ESC that begins nothing: one byte
	}
	s.out = append(s.out, raw[from:]...)
	if applied {
		restore()
	}
}

// change is where the highlight changes in a line being painted: from
// rune at of the part being passed on, p (p.on false: none), whose SGR
// sequence is seq (sgrOf's).
type change struct {
	at  int
	p   paint
	seq []byte
}

// maxCutSpans bounds the spans paintChanges merges by their ends; past
// it (a line many triggers colour everywhere) it paints rune by rune.
const maxCutSpans = 16

// paintChanges sets s.changes to where the highlight changes over the n
// runes of the part being passed on, whose first rune is rune skip of
// the line: a later span over an earlier one, each colour of its own.
func (s *Stream) paintChanges(spans []Span, skip, n int) {
	s.changes = s.changes[:0]
	if len(spans) > maxCutSpans {
		if cap(s.paint) < n {
			s.paint = make([]paint, n)
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
		s.addChange(n, paint{})
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
		var p paint // none at the last end
		for _, sp := range spans {
			if max(sp.Start-skip, 0) <= a && a < min(sp.End-skip, n) {
				p.add(sp)
			}
		}
		s.addChange(a, p)
	}
}

// add paints a span over p.
func (p *paint) add(sp Span) {
	p.on = true
	if sp.FG.A != 0 {
		p.fg = pack(sp.FG)
	}
	if sp.BG.A != 0 {
		p.bg = pack(sp.BG)
	}
}

// addChange adds a change to p at rune at, unless p is in force there.
func (s *Stream) addChange(at int, p paint) {
	if k := len(s.changes); k > 0 && s.changes[k-1].p == p || k == 0 && !p.on {
		return
	}
	c := change{at: at, p: p}
	if p.on {
		c.seq = s.sgrOf(p)
	}
	s.changes = append(s.changes, c)
}

// sgrOf returns the SGR sequence of a highlight, from a few remembered:
// highlights are the triggers' few colours. The sequence is never
// changed.
func (s *Stream) sgrOf(p paint) []byte {
	for i := range s.sgrs {
		if s.sgrs[i].p == p {
			return s.sgrs[i].seq
		}
	}
	if len(s.sgrs) == maxSGRs {
		s.sgrs = s.sgrs[:0]
	}
	seq := appendPaint(nil, p)
	s.sgrs = append(s.sgrs, paintSGR{p, seq})
	return seq
}

// maxSGRs bounds the highlights' SGR sequences a Stream remembers.
const maxSGRs = 16

type paintSGR struct {
	p   paint
	seq []byte
}

// appendPaint appends the SGR sequence of a highlight.
func appendPaint(dst []byte, p paint) []byte {
	dst = append(dst, "\x1b["...)
	sep := false
	for _, c := range []struct {
		base string
		c    uint32
	}{{"38;2;", p.fg}, {"48;2;", p.bg}} {
		if c.c == 0 {
			continue
		}
		if sep {
			dst = append(dst, ';')
		}
		dst = append(dst, c.base...)
		dst = strconv.AppendUint(dst, uint64(c.c>>24), 10)
		dst = append(dst, ';')
		dst = strconv.AppendUint(dst, uint64(c.c>>16&0xff), 10)
		dst = append(dst, ';')
		dst = strconv.AppendUint(dst, uint64(c.c>>8&0xff), 10)
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

// trackSGR adds one SGR sequence to the state to restore. It reports
// whether the sequence reset the colours (s.sgr then replays exactly
// what is in force) and whether it made s.sgr drop old sequences.
func (s *Stream) trackSGR(seq []byte) (reset, pruned bool) {
	params := seq[2 : len(seq)-1]
	if len(params) == 0 || params[0] == '0' && (len(params) == 1 || params[1] == ';') {
		s.sgr = s.sgr[:0]
		if len(params) <= 1 {
			return true, false
		}
		reset = true
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
		return false, true
	}
	return reset, false
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
		for j < len(raw) && textByte[raw[j]] {
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
