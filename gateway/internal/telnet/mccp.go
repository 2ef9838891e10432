package telnet

import (
	"compress/zlib"
	"errors"
	"io"
	"iter"
)

// ErrCompression is wrapped by the error Receive returns when the game's
// compressed stream (MCCP2) is corrupt, or inflates to more than
// Config.MaxInflate from one Receive (a decompression bomb). The session
// cannot go on: nothing after that point can be read.
var ErrCompression = errors.New("telnet: the game's compressed stream (MCCP2) is corrupt")

// DefaultMaxInflate bounds the bytes one Receive may inflate from the
// game's compressed stream when Config.MaxInflate is zero. A gateway
// read of 16 KiB would have to compress better than 256 to 1 to reach it,
// which game text does not; a zlib bomb (about 1000 to 1) does.
const DefaultMaxInflate = 4 << 20

// inflateChunk bounds the inflated bytes parsed, and so given to the
// Sink, at a time.
const inflateChunk = 16 << 10

// errInflaterStopped ends the zlib reader when the inflater is released
// while it waits for input.
var errInflaterStopped = errors.New("telnet: inflater released")

// inflater decompresses one MCCP2 stream: the zlib data from the end of
// IAC SB COMPRESS2 IAC SE to the end of the zlib stream.
//
// compress/zlib pulls its input, and a read that fails for want of input
// breaks it for good; Receive, though, is handed bytes as they arrive. So
// the zlib reader runs as a coroutine (iter.Pull): it reads from in and,
// when in runs dry, yields "hungry" and waits to be resumed with more.
// Each resume runs it, on the caller's goroutine's behalf and never
// concurrently with it, until it has up to inflateChunk bytes of output,
// needs input, fails, or reaches the end of the stream (then next
// reports false and the bytes it did not read are left in in).
//
// The coroutine references only the inflater, never the Client, so that
// a Client dropped mid-stream can be collected; a cleanup on the Client
// then stops the coroutine.
type inflater struct {
	in   []byte // compressed bytes not yet read by zlib
	next func() (inflated, bool)
	stop func()
}

// inflated is one step of an inflater.
type inflated struct {
	out    []byte // inflated bytes, valid until the next resume
	hungry bool   // in is used up: resume once there is more
	err    error  // the stream is corrupt
}

func newInflater() *inflater {
	z := &inflater{}
	z.next, z.stop = iter.Pull(z.run)
	return z
}

// run is the coroutine.
func (z *inflater) run(yield func(inflated) bool) {
	src := &zsource{z: z, yield: yield}
	zr, err := zlib.NewReader(src)
	if err != nil {
		if !src.stopped {
			yield(inflated{err: err})
		}
		return
	}
	buf := make([]byte, inflateChunk)
	for {
		n, err := zr.Read(buf)
		if src.stopped {
			return
		}
		if n > 0 && !yield(inflated{out: buf[:n]}) {
			return
		}
		if err == io.EOF {
			return // the stream ended cleanly, checksum and all
		}
		if err != nil {
			yield(inflated{err: err})
			return
		}
	}
}

// zsource feeds the zlib reader from inflater.in. It is an io.ByteReader,
// so neither zlib nor flate reads a byte beyond the end of the stream:
// what follows it is plain telnet again.
type zsource struct {
	z       *inflater
	yield   func(inflated) bool
	stopped bool
}

// fill waits until there is input, reporting false once the inflater is
// being released.
func (s *zsource) fill() bool {
	for len(s.z.in) == 0 {
		if s.stopped || !s.yield(inflated{hungry: true}) {
			s.stopped = true
			return false
		}
	}
	return true
}

func (s *zsource) ReadByte() (byte, error) {
	if !s.fill() {
		return 0, errInflaterStopped
	}
	b := s.z.in[0]
	s.z.in = s.z.in[1:]
	return b, nil
}

func (s *zsource) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if !s.fill() {
		return 0, errInflaterStopped
	}
	n := copy(p, s.z.in)
	s.z.in = s.z.in[n:]
	return n, nil
}
