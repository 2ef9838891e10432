package telnet

import (
	"bytes"
	"strings"
	"testing"
)

// TestClientMXPCompressed runs MXP inside a compressed stream (MCCP2):
// the markup, and the answer to VERSION, come out the same.
func TestClientMXPCompressed(t *testing.T) {
	text := "\x1b[1z<!ELEMENT Ex '<SEND>'>\r\n\x1b[1zExits: <Ex>north</Ex> <B>!</B>\r\n\x1b[1z<VERSION>" + iac + ga
	in := iac + will + opt(OptMXP) + willMCCP + iac + sb + opt(OptMCCP2) + iac + se + string(zlibOf([]byte(text)))
	var w bytes.Buffer
	c := NewClient(Config{}, &w)
	s := &fakeSink{}
	for _, p := range chunksOf([]byte(in), []byte{5, 9, 3, 200, 7}) {
		if err := c.Receive(p, s); err != nil {
			t.Fatal(err)
		}
	}
	wantOut := "\r\nExits: \x1b]8;;mxp:send?c=north\x1b\\north\x1b]8;;\x1b\\ \x1b[1m!\x1b[22m\r\n<P>"
	if got := s.log.String(); got != wantOut {
		t.Errorf("got output %q, want %q", got, wantOut)
	}
	wantSent := iac + do + opt(OptMXP) + iac + do + opt(OptMCCP2) + "\x1b[1z<VERSION MXP=1.0 CLIENT=DRAWBRIDGE VERSION=1>\r\n"
	if got := w.String(); got != wantSent {
		t.Errorf("got sent %q, want %q", got, wantSent)
	}
}

// chunkSink records the size of each Output call.
type chunkSink struct {
	fakeSink
	sizes []int
}

func (s *chunkSink) Output(p []byte) {
	s.sizes = append(s.sizes, len(p))
	s.fakeSink.Output(p)
}

// TestClientMXPOutputBound checks that markup that expands much is given
// to the Sink in calls no larger than without MXP, cut between runes.
func TestClientMXPOutputBound(t *testing.T) {
	value := strings.Repeat("é", 2000)
	// Each use of the entity comes with enough text to earn its
	// expansion (see package mxp).
	filler := strings.Repeat("x", 500)
	in := iac + will + opt(OptMXP) + "\x1b[1z<!ENTITY big '" + value + "'>" + strings.Repeat("&big;"+filler, 16)
	c := NewClient(Config{}, &bytes.Buffer{})
	s := &chunkSink{}
	if err := c.Receive([]byte(in), s); err != nil {
		t.Fatal(err)
	}
	if s.invalid > 0 || s.empty > 0 {
		t.Errorf("got %d invalid and %d empty outputs", s.invalid, s.empty)
	}
	if got, want := s.log.String(), strings.Repeat(value+filler, 16); got != want {
		t.Errorf("got %d bytes out, want %d", len(got), len(want))
	}
	if len(s.sizes) < 2 {
		t.Errorf("got calls of %v bytes, want the text cut", s.sizes)
	}
	for _, n := range s.sizes {
		if n > maxMXPOutput {
			t.Errorf("got an Output call of %d bytes, more than %d", n, maxMXPOutput)
		}
	}
}

// TestClientMXPAllocs checks that plain text through MXP allocates
// nothing once warm.
func TestClientMXPAllocs(t *testing.T) {
	c := NewClient(Config{}, &bytes.Buffer{})
	s := nopSink{}
	_ = c.Receive([]byte(iac+will+opt(OptMXP)+iac+sb+opt(OptMXP)+iac+se), s)
	text := []byte("\x1b[1;33mThe Great Hall\x1b[0m\r\nA long table runs the length of the hall. \xe2\x82\xac\r\n> " + iac + ga)
	_ = c.Receive(text, s) // warm up
	allocs := testing.AllocsPerRun(100, func() {
		_ = c.Receive(text, s)
	})
	if allocs != 0 {
		t.Errorf("got %v allocs per Receive with MXP on, want 0", allocs)
	}
}
