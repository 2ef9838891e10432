package bridge

import (
	"bytes"
	"testing"

	"github.com/drawbridge/drawbridge/shared/wire"
)

func TestFrameSinkOrderAndCoalescing(t *testing.T) {
	var s frameSink
	s.Output([]byte("Hello "))
	s.Output([]byte("world\r\nName: "))
	s.Prompt()
	s.Echo(true)
	s.Output([]byte("Password: "))
	want := []wire.Frame{
		{Type: wire.TypeOutput, Data: []byte("Hello world\r\nName: ")},
		{Type: wire.TypePrompt},
		{Type: wire.TypeEcho, Echo: true},
		{Type: wire.TypeOutput, Data: []byte("Password: ")},
	}
	got := s.frames()
	if len(got) != len(want) {
		t.Fatalf("%d frames, want %d", len(got), len(want))
	}
	for i, b := range got {
		f, err := wire.Decode(b)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if f.Type != want[i].Type || string(f.Data) != string(want[i].Data) || f.Echo != want[i].Echo {
			t.Errorf("frame %d = %+v, want %+v", i, f, want[i])
		}
	}
	s.reset()
	if len(s.frames()) != 0 {
		t.Fatal("frames left after reset")
	}
}

func TestFrameSinkNoAllocsWhenWarm(t *testing.T) {
	var s frameSink
	text := []byte("\x1b[1;32mA goblin\x1b[0m hits you.\r\n")
	run := func() {
		s.Output(text)
		s.Prompt()
		s.Echo(false)
		s.Output(text)
		s.frames()
		s.reset()
	}
	run()
	if n := testing.AllocsPerRun(100, run); n != 0 {
		t.Fatalf("%v allocations per read, want 0 once warm", n)
	}
}

// Output from one read can exceed a frame (a compressed stream inflates):
// it is cut into frames of at most wire.MaxPayload, between Output calls.
func TestFrameSinkSplitsLargeOutput(t *testing.T) {
	var s frameSink
	chunk := bytes.Repeat([]byte("é"), 8<<10) // 16 KiB, whole runes
	var want []byte
	for range 20 {
		s.Output(chunk)
		want = append(want, chunk...)
	}
	var got []byte
	frames := s.frames()
	for i, b := range frames {
		f, err := wire.Decode(b)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if f.Type != wire.TypeOutput || len(f.Data) > wire.MaxPayload {
			t.Fatalf("frame %d: got %s of %d bytes, want Output within %d", i, f.Type, len(f.Data), wire.MaxPayload)
		}
		got = append(got, f.Data...)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes across %d frames, want the %d given", len(got), len(frames), len(want))
	}
	if len(frames) != 7 {
		t.Errorf("got %d frames, want 7 (20 chunks of 16 KiB, three to a frame)", len(frames))
	}
}
