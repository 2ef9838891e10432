package telnet

import (
	"bytes"
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

// clientRun feeds chunks to a fresh Client and returns the sink log and
// everything written to the game.
func clientRun(t *testing.T, chunks [][]byte) (string, []byte) {
	var w bytes.Buffer
	c := NewClient(Config{}, &w)
	s := &fakeSink{}
	for _, ch := range chunks {
		if err := c.Receive(ch, s); err != nil {
			t.Fatalf("Receive: %v", err)
		}
	}
	if s.invalid > 0 {
		t.Fatalf("got %d Output calls with invalid UTF-8", s.invalid)
	}
	if s.empty > 0 {
		t.Fatalf("got %d empty Output calls", s.empty)
	}
	return s.log.String(), w.Bytes()
}

// FuzzClient checks that Receive never panics, that Output is always
// valid UTF-8, that replies stay bounded relative to the input (no
// amplification loop), and that how TCP cuts the stream changes nothing
// the player sees or the game receives.
func FuzzClient(f *testing.F) {
	for _, tc := range clientCases {
		var in, cuts []byte
		for _, st := range tc.steps {
			in = append(in, st.in...)
			cuts = append(cuts, byte(len(st.in)))
		}
		f.Add(in, cuts)
	}
	f.Fuzz(func(t *testing.T, in, cuts []byte) {
		out, sent := clientRun(t, [][]byte{in})
		if !utf8.ValidString(out) {
			t.Fatalf("got invalid UTF-8 output %q", out)
		}
		// The largest answers per input byte are fixed-size replies to
		// short requests: WILL GMCP (3 bytes) gets DO GMCP, Core.Hello and
		// Core.Supports.Set, about 150 bytes, once per time it turns on
		// (WONT then WILL, 6 bytes); NEW-ENVIRON SEND (6 bytes) gets every
		// MNES variable, about 140. Bounded by a factor, never a loop.
		if limit := 32*len(in) + 256; len(sent) > limit {
			t.Fatalf("got %d bytes sent for %d received, want at most %d", len(sent), len(in), limit)
		}
		out2, sent2 := clientRun(t, chunksOf(in, cuts))
		if out2 != out {
			t.Fatalf("cut: got output %q, want %q", out2, out)
		}
		if !bytes.Equal(sent2, sent) {
			t.Fatalf("cut: got sent %q, want %q", sent2, sent)
		}
	})
}
