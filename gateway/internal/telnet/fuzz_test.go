package telnet

import (
	"bytes"
	"compress/zlib"
	"errors"
	"sync"
	"testing"
	"unicode/utf8"
)

// chunksOf cuts b into pieces whose lengths come from cuts (each byte one
// length, 0 meaning 1), with the remainder as the last piece.
func chunksOf(b, cuts []byte) [][]byte {
	var out [][]byte
	for _, c := range cuts {
		if len(b) == 0 {
			break
		}
		n := min(max(int(c), 1), len(b))
		out = append(out, b[:n])
		b = b[n:]
	}
	if len(b) > 0 {
		out = append(out, b)
	}
	return out
}

// FuzzParser checks that the Parser never panics, keeps its memory
// bounded, and finds the same events however its input is cut: all at
// once, byte at a time, at fuzzed cut points, and when stopped after
// every event and resumed.
func FuzzParser(f *testing.F) {
	for _, tc := range parserCases {
		f.Add([]byte(tc.in), uint8(tc.max), tc.binary, []byte{1, 2, 3})
	}
	f.Add([]byte("\xff\xfa\xc9"+string(bytes.Repeat([]byte{0xff}, 40))+"\xff\xf0"), uint8(16), false, []byte{7})
	f.Fuzz(func(t *testing.T, in []byte, max uint8, binary bool, cuts []byte) {
		limit := int(max)
		whole, p := parseChunks(limit, binary, in)
		if bound := p.maxSubneg(); cap(p.sb) > bound {
			t.Fatalf("got subneg buffer cap %d, want <= %d", cap(p.sb), bound)
		}
		want := fmtEvents(whole)

		var bytewise [][]byte
		for i := range in {
			bytewise = append(bytewise, in[i:i+1])
		}
		got, p2 := parseChunks(limit, binary, bytewise...)
		if g := fmtEvents(got); g != want {
			t.Fatalf("byte at a time: got %v, want %v", g, want)
		}
		if p2.Stats() != p.Stats() {
			t.Fatalf("byte at a time: got stats %+v, want %+v", p2.Stats(), p.Stats())
		}
		got, p3 := parseChunks(limit, binary, chunksOf(in, cuts)...)
		if g := fmtEvents(got); g != want {
			t.Fatalf("cut: got %v, want %v", g, want)
		}
		if p3.Stats() != p.Stats() {
			t.Fatalf("cut: got stats %+v, want %+v", p3.Stats(), p.Stats())
		}
		if g := fmtEvents(parseStopping(limit, binary, in)); g != want {
			t.Fatalf("stopping: got %v, want %v", g, want)
		}
	})
}

// clientResult is what one run of a Client gave.
type clientResult struct {
	out    string // everything the Sink got
	sent   []byte // everything written to the game
	failed bool   // Receive failed with ErrCompression, and the run stopped
	parsed int64  // bytes the Parser saw: received, plus inflated
}

// clientRun feeds chunks to a fresh Client, stopping at the first error,
// and returns what the player and the game got.
// fuzzCharsets are the charsets FuzzClient reads the game's stream in.
var fuzzCharsets = []string{"", "latin1", "cp437", "gbk", "gb18030", "big5", "euc-kr", "shift_jis", "koi8-r"}

func clientRun(t *testing.T, charset string, chunks [][]byte) clientResult {
	var w bytes.Buffer
	// A fuzzed bomb inflates at most about 1000 times its size: the limit,
	// which depends on how the stream is cut, stays out of the way.
	c := NewClient(Config{Charset: charset, MaxInflate: 1 << 30}, &w)
	s := &fakeSink{}
	var r clientResult
	for _, ch := range chunks {
		if err := c.Receive(ch, s); err != nil {
			if !errors.Is(err, ErrCompression) {
				t.Fatalf("Receive: %v", err)
			}
			r.failed = true
			break
		}
	}
	if s.invalid > 0 {
		t.Fatalf("got %d Output calls with invalid UTF-8", s.invalid)
	}
	if s.empty > 0 {
		t.Fatalf("got %d empty Output calls", s.empty)
	}
	st := c.Stats()
	r.out, r.sent, r.parsed = s.log.String(), w.Bytes(), st.BytesIn+st.Inflated
	return r
}

// zlibWriters keeps compressors between fuzz runs: each is large. The
// fastest level is the cheapest to reset and still makes back-references.
var zlibWriters = sync.Pool{New: func() any {
	zw, _ := zlib.NewWriterLevel(nil, zlib.BestSpeed)
	return zw
}}

// compressed is in as the game sends it compressed from the start:
// WILL COMPRESS2, IAC SB COMPRESS2 IAC SE, then in as one zlib stream.
func compressed(in []byte) []byte {
	var buf bytes.Buffer
	buf.WriteString(willMCCP + iac + sb + opt(OptMCCP2) + iac + se)
	zw := zlibWriters.Get().(*zlib.Writer)
	zw.Reset(&buf)
	zw.Write(in)
	zw.Close()
	zlibWriters.Put(zw)
	return buf.Bytes()
}

// FuzzClient checks that Receive never panics, that Output is always
// valid UTF-8, that replies stay bounded relative to the input (no
// amplification loop), and that how TCP cuts the stream changes nothing
// the player sees or the game receives, compressed (MCCP2) or not. A
// corrupt compressed stream must fail the same way however it is cut.
// Compression must be transparent: in compressed gives what in gives.
func FuzzClient(f *testing.F) {
	for _, tc := range clientCases {
		var in, cuts []byte
		for _, st := range tc.steps {
			in = append(in, st.in...)
			cuts = append(cuts, byte(len(st.in)))
		}
		f.Add(in, cuts)
	}
	for _, tc := range mccpCases {
		f.Add(tc.in, []byte{3, 1, 4, 1, 5, 9, 2, 6})
	}
	for _, tc := range charsetCases {
		var in []byte
		for _, st := range tc.steps {
			in = append(in, st.in...)
		}
		f.Add(in, []byte{7})                                                                               // latin1
		f.Add(append(in, iac+will+opt(OptCharset)+charsetRequest(";CP437;UTF-8")+"\xe9"...), []byte{9, 9}) // cp437
	}
	for i, tc := range mbText {
		// The charset is the cuts' length modulo len(fuzzCharsets).
		cuts := make([]byte, 3+i)
		for j := range cuts {
			cuts[j] = byte(j + 1)
		}
		f.Add([]byte(mbGame(tc.bytes)+iac+ga+tc.bytes[:1]), cuts)
	}
	f.Fuzz(func(t *testing.T, in, cuts []byte) {
		// The game's charset, UTF-8 or legacy, comes from the cuts.
		charset := fuzzCharsets[len(cuts)%len(fuzzCharsets)]
		whole := clientRun(t, charset, [][]byte{in})
		if !utf8.ValidString(whole.out) {
			t.Fatalf("got invalid UTF-8 output %q", whole.out)
		}
		// The largest answers per input byte are fixed-size replies to
		// short requests: WILL GMCP (3 bytes) gets DO GMCP, Core.Hello and
		// Core.Supports.Set, about 150 bytes, once per time it turns on
		// (WONT then WILL, 6 bytes); NEW-ENVIRON SEND (6 bytes) gets every
		// MNES variable, about 140. Bounded by a factor of what was parsed
		// (inflated bytes count: a compressed request is still one), never
		// a loop.
		if limit := 32*whole.parsed + 256; int64(len(whole.sent)) > limit {
			t.Fatalf("got %d bytes sent for %d parsed, want at most %d", len(whole.sent), whole.parsed, limit)
		}
		same := func(how string, got, want clientResult) {
			t.Helper()
			if got.out != want.out {
				t.Fatalf("%s: got output %q, want %q", how, got.out, want.out)
			}
			if !bytes.Equal(got.sent, want.sent) {
				t.Fatalf("%s: got sent %q, want %q", how, got.sent, want.sent)
			}
			if got.failed != want.failed {
				t.Fatalf("%s: got failed %v, want %v", how, got.failed, want.failed)
			}
		}
		same("cut", clientRun(t, charset, chunksOf(in, cuts)), whole)

		// Inside a compressed stream COMPRESS2 is ignored, outside it is
		// not: such input is not expected to give the same.
		if bytes.Contains(in, []byte(iac+sb+opt(OptMCCP2))) {
			return
		}
		plain := clientRun(t, charset, [][]byte{[]byte(willMCCP), in})
		z := compressed(in)
		same("compressed", clientRun(t, charset, [][]byte{z}), plain)
		same("compressed and cut", clientRun(t, charset, chunksOf(z, cuts)), plain)
	})
}
