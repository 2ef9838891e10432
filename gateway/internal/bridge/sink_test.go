package bridge

import (
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
