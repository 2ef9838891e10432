package bridge

import (
	"unicode/utf8"

	"github.com/drawbridge/drawbridge/shared/wire"
)

// frameSink turns what the telnet client reports into encoded wire frames,
// in order, in one reused buffer: consecutive output becomes one Output
// frame, and a prompt mark or an echo change ends it. It implements
// telnet.Sink.
type frameSink struct {
	buf  []byte // encoded frames, back to back
	ends []int  // end offset of each frame in buf
	out  [][]byte
}

// Output appends text to the current Output frame, starting a new one when
// the last frame is not Output or is full (wire.MaxPayload). A frame is cut
// between runes, never inside one.
func (s *frameSink) Output(p []byte) {
	for len(p) > 0 {
		n := len(s.ends)
		if n == 0 || s.buf[s.start(n-1)] != byte(wire.TypeOutput) {
			s.frame(wire.TypeOutput)
			n++
		}
		room := wire.MaxPayload - (s.ends[n-1] - s.start(n-1) - 1)
		chunk := p
		if len(chunk) > room {
			cut := runeBoundary(p, room)
			if cut == 0 {
				s.frame(wire.TypeOutput) // a fresh frame has room for any rune
				continue
			}
			chunk = p[:cut]
		}
		s.buf = append(s.buf, chunk...)
		s.ends[n-1] = len(s.buf)
		p = p[len(chunk):]
	}
}

// Prompt appends a prompt mark.
func (s *frameSink) Prompt() { s.frame(wire.TypePrompt) }

// Echo appends an echo-state change.
func (s *frameSink) Echo(remote bool) {
	s.frame(wire.TypeEcho)
	v := byte(0)
	if remote {
		v = 1
	}
	s.buf = append(s.buf, v)
	s.ends[len(s.ends)-1] = len(s.buf)
}

func (s *frameSink) frame(t wire.Type) {
	s.buf = append(s.buf, byte(t))
	s.ends = append(s.ends, len(s.buf))
}

func (s *frameSink) start(i int) int {
	if i == 0 {
		return 0
	}
	return s.ends[i-1]
}

// frames returns the encoded frames gathered since the last reset. The
// slices alias the sink's buffer.
func (s *frameSink) frames() [][]byte {
	s.out = s.out[:0]
	for i, end := range s.ends {
		s.out = append(s.out, s.buf[s.start(i):end])
	}
	return s.out
}

// reset empties the sink, keeping its memory for the next read.
func (s *frameSink) reset() {
	s.buf = s.buf[:0]
	s.ends = s.ends[:0]
}

// runeBoundary returns where to cut p so that p[:n], n <= max, does not end
// inside a UTF-8 sequence: the start of the rune that straddles max, or max
// itself when no rune start is within utf8.UTFMax bytes of it.
func runeBoundary(p []byte, max int) int {
	for n := max; n >= 0 && n > max-utf8.UTFMax; n-- {
		if utf8.RuneStart(p[n]) {
			return n
		}
	}
	return max
}
