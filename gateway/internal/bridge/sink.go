package bridge

import "github.com/drawbridge/drawbridge/shared/wire"

// frameSink turns what the telnet client reports into encoded wire frames,
// in order, in one reused buffer: consecutive output becomes one Output
// frame, and a prompt mark or an echo change ends it, as does output that
// would take it past wire.MaxPayload (one read of compressed data, MCCP2,
// can inflate to many frames' worth). It implements telnet.Sink, whose
// Output calls are whole runes, each well within wire.MaxPayload.
type frameSink struct {
	buf    []byte // encoded frames, back to back
	starts []int  // where each frame starts in buf
	out    [][]byte
}

// Output appends text to the current Output frame, or starts one.
func (s *frameSink) Output(p []byte) {
	if n := len(s.starts); n > 0 && s.buf[s.starts[n-1]] == byte(wire.TypeOutput) &&
		len(s.buf)-s.starts[n-1]-1+len(p) <= wire.MaxPayload {
		s.buf = append(s.buf, p...)
		return
	}
	s.starts = append(s.starts, len(s.buf))
	s.buf = wire.AppendOutput(s.buf, p)
}

// Prompt appends a prompt mark.
func (s *frameSink) Prompt() { s.add(&wire.Frame{Type: wire.TypePrompt}) }

// GMCP appends a GMCP message from the game.
func (s *frameSink) GMCP(msg []byte) {
	s.starts = append(s.starts, len(s.buf))
	s.buf = append(s.buf, byte(wire.TypeGMCP))
	s.buf = append(s.buf, msg...)
}

// Echo appends an echo-state change.
func (s *frameSink) Echo(remote bool) { s.add(&wire.Frame{Type: wire.TypeEcho, Echo: remote}) }

func (s *frameSink) add(f *wire.Frame) {
	s.starts = append(s.starts, len(s.buf))
	s.buf, _ = wire.Append(s.buf, f) // fixed frames: they always encode
}

// frames returns the encoded frames gathered since the last reset. The
// slices alias the sink's buffer.
func (s *frameSink) frames() [][]byte {
	s.out = s.out[:0]
	for i, start := range s.starts {
		end := len(s.buf)
		if i+1 < len(s.starts) {
			end = s.starts[i+1]
		}
		s.out = append(s.out, s.buf[start:end])
	}
	return s.out
}

// reset empties the sink, keeping its memory for the next read, unless
// one read made it large (a compressed burst inflates to megabytes): the
// pool should not keep that for every later read.
func (s *frameSink) reset() {
	if cap(s.buf) > maxKeptSink {
		s.buf, s.starts = nil, nil
		return
	}
	s.buf = s.buf[:0]
	s.starts = s.starts[:0]
}

// maxKeptSink is the most encoded output a sink keeps between reads: four
// full frames.
const maxKeptSink = 4 * wire.MaxFrameSize
