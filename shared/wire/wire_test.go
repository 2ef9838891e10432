package wire

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// validFrames are frames Append must accept, with their exact encodings.
var validFrames = []struct {
	name string
	f    Frame
	enc  []byte
}{
	{"output", Frame{Type: TypeOutput, Data: []byte("\x1b[1;31mHello\x1b[0m\r\n")}, append([]byte{0x01}, "\x1b[1;31mHello\x1b[0m\r\n"...)},
	{"output empty", Frame{Type: TypeOutput}, []byte{0x01}},
	{"prompt", Frame{Type: TypePrompt}, []byte{0x02}},
	{"echo on", Frame{Type: TypeEcho, Echo: true}, []byte{0x03, 1}},
	{"echo off", Frame{Type: TypeEcho}, []byte{0x03, 0}},
	{"status connecting", Frame{Type: TypeStatus, Status: StatusConnecting, Data: []byte("dialling game")}, append([]byte{0x04, 1}, "dialling game"...)},
	{"status restarting", Frame{Type: TypeStatus, Status: StatusGatewayRestarting}, []byte{0x04, 4}},
	{"error", Frame{Type: TypeError, Code: ErrorGameUnreachable, Data: []byte("the game is down")}, append([]byte{0x05, 0, 2}, "the game is down"...)},
	{"gmcp", Frame{Type: TypeGMCP, Data: []byte(`Char.Vitals {"hp":10}`)}, append([]byte{0x06}, `Char.Vitals {"hp":10}`...)},
	{"line", Frame{Type: TypeLine, Data: []byte("say héllo")}, append([]byte{0x41}, "say héllo"...)},
	{"line empty", Frame{Type: TypeLine}, []byte{0x41}},
	{"keys", Frame{Type: TypeKeys, Data: []byte("\x1b[A\xff\x03")}, append([]byte{0x42}, "\x1b[A\xff\x03"...)},
	{"resize", Frame{Type: TypeResize, Cols: 120, Rows: 40}, []byte{0x43, 0, 120, 0, 40}},
	{"resize max", Frame{Type: TypeResize, Cols: MaxCols, Rows: MaxRows}, []byte{0x43, 0x03, 0xe8, 0x03, 0xe8}},
	{"hello", Frame{Type: TypeHello, Caps: CapUTF8 | CapTruecolor, Data: []byte("drawbridge-wasm/1")}, append([]byte{0x44, 0, 0, 0, 3}, "drawbridge-wasm/1"...)},
	{"gmcp in", Frame{Type: TypeGMCPIn, Data: []byte("Core.Ping")}, append([]byte{0x45}, "Core.Ping"...)},
	{"resume", Frame{Type: TypeResume, Seq: 258, Data: []byte("tok-EN_1")}, append([]byte{0x07, 0, 0, 0, 0, 0, 0, 1, 2}, "tok-EN_1"...)},
	{"resumed", Frame{Type: TypeResumed, Seq: 1 << 40}, []byte{0x08, 0, 0, 1, 0, 0, 0, 0, 0}},
	{"ack", Frame{Type: TypeAck, Seq: 7}, []byte{0x46, 0, 0, 0, 0, 0, 0, 0, 7}},
	{"ping", Frame{Type: TypePing, Seq: 258}, []byte{0x47, 0, 0, 0, 0, 0, 0, 1, 2}},
	{"pong", Frame{Type: TypePong, Seq: 258}, []byte{0x09, 0, 0, 0, 0, 0, 0, 1, 2}},
}

func TestAppendDecode(t *testing.T) {
	for _, tc := range validFrames {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Append(nil, &tc.f)
			if err != nil {
				t.Fatalf("Append: %v", err)
			}
			if !bytes.Equal(got, tc.enc) {
				t.Fatalf("Append = % x, want % x", got, tc.enc)
			}
			f, err := Decode(tc.enc)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(f, tc.f) {
				t.Fatalf("Decode = %+v, want %+v", f, tc.f)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	long := make([]byte, MaxFrameSize+1)
	long[0] = byte(TypeOutput)
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrEmpty},
		{"too large", long, ErrTooLarge},
		{"unknown type", []byte{0x7f}, ErrUnknownType},
		{"zero type", []byte{0x00, 1}, ErrUnknownType},
		{"prompt with payload", []byte{0x02, 'x'}, ErrMalformed},
		{"echo missing flag", []byte{0x03}, ErrMalformed},
		{"echo flag 2", []byte{0x03, 2}, ErrMalformed},
		{"echo extra", []byte{0x03, 1, 1}, ErrMalformed},
		{"status missing", []byte{0x04}, ErrMalformed},
		{"status unknown", []byte{0x04, 9}, ErrMalformed},
		{"status bad utf8", []byte{0x04, 1, 0xff}, ErrMalformed},
		{"error short", []byte{0x05, 0}, ErrMalformed},
		{"line with LF", []byte{0x41, 'a', '\n', 'b'}, ErrMalformed},
		{"line with CR", []byte{0x41, 'a', '\r'}, ErrMalformed},
		{"line with NUL", []byte{0x41, 0}, ErrMalformed},
		{"line bad utf8", []byte{0x41, 0xc3}, ErrMalformed},
		{"resize short", []byte{0x43, 0, 80, 0}, ErrMalformed},
		{"resize zero cols", []byte{0x43, 0, 0, 0, 24}, ErrMalformed},
		{"resize huge", []byte{0x43, 0xff, 0xff, 0, 24}, ErrMalformed},
		{"hello short", []byte{0x44, 0, 0}, ErrMalformed},
		{"gmcp empty", []byte{0x06}, ErrMalformed},
		{"gmcp no package", []byte{0x45, ' ', '{', '}'}, ErrMalformed},
		{"resume no token", []byte{0x07, 0, 0, 0, 0, 0, 0, 0, 1}, ErrMalformed},
		{"resume token with space", append([]byte{0x07, 0, 0, 0, 0, 0, 0, 0, 1}, "a b"...), ErrMalformed},
		{"resume short", []byte{0x07, 0, 0, 0}, ErrMalformed},
		{"resumed with data", []byte{0x08, 0, 0, 0, 0, 0, 0, 0, 1, 'x'}, ErrMalformed},
		{"ack short", []byte{0x46, 1}, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Decode(% x) error = %v, want %v", tc.in, err, tc.want)
			}
		})
	}
}

func TestAppendRejects(t *testing.T) {
	tests := []struct {
		name string
		f    Frame
		want error
	}{
		{"line too long", Frame{Type: TypeLine, Data: []byte(strings.Repeat("a", MaxPayload+1))}, ErrTooLarge},
		{"hello too long", Frame{Type: TypeHello, Data: []byte(strings.Repeat("a", MaxPayload-3))}, ErrTooLarge},
		{"resize too big", Frame{Type: TypeResize, Cols: MaxCols + 1, Rows: 24}, ErrMalformed},
		{"resize with data", Frame{Type: TypeResize, Cols: 80, Rows: 24, Data: []byte("x")}, ErrMalformed},
		{"unknown type", Frame{Type: 0x30}, ErrUnknownType},
		{"status zero", Frame{Type: TypeStatus}, ErrMalformed},
		{"resume token too long", Frame{Type: TypeResume, Data: []byte(strings.Repeat("a", MaxTokenLen+1))}, ErrMalformed},
		{"ack with data", Frame{Type: TypeAck, Data: []byte("x")}, ErrMalformed},
		{"ping with data", Frame{Type: TypePing, Data: []byte("x")}, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst := []byte("keep")
			got, err := Append(dst, &tc.f)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Append error = %v, want %v", err, tc.want)
			}
			if string(got) != "keep" {
				t.Fatalf("Append changed dst to %q on error", got)
			}
		})
	}
}

func TestMaxPayloadFits(t *testing.T) {
	f := Frame{Type: TypeLine, Data: []byte(strings.Repeat("a", MaxPayload))}
	b, err := Append(nil, &f)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	if len(b) != MaxFrameSize {
		t.Fatalf("len = %d, want %d", len(b), MaxFrameSize)
	}
	if _, err := Decode(b); err != nil {
		t.Fatalf("Decode: %v", err)
	}
}

func TestAppendOutputMatchesAppend(t *testing.T) {
	text := []byte("\x1b[32mThe courtyard\x1b[0m\r\n")
	want, err := Append(nil, &Frame{Type: TypeOutput, Data: text})
	if err != nil {
		t.Fatal(err)
	}
	if got := AppendOutput(nil, text); !bytes.Equal(got, want) {
		t.Fatalf("AppendOutput = % x, want % x", got, want)
	}
}

func TestTypeDirections(t *testing.T) {
	for _, tc := range validFrames {
		gw, pl := tc.f.Type.FromGateway(), tc.f.Type.FromPlayer()
		if gw == pl {
			t.Errorf("%s: FromGateway %v, FromPlayer %v: want exactly one", tc.f.Type, gw, pl)
		}
		if strings.HasPrefix(tc.f.Type.String(), "type(") {
			t.Errorf("%s has no name", tc.f.Type)
		}
	}
}

func TestNoAllocs(t *testing.T) {
	text := bytes.Repeat([]byte("\x1b[33mgold\x1b[0m "), 200)
	buf := make([]byte, 0, MaxFrameSize)
	out := Frame{Type: TypeOutput, Data: text}
	enc, _ := Append(nil, &out)
	allocs := testing.AllocsPerRun(100, func() {
		buf, _ = Append(buf[:0], &out)
		buf = AppendOutput(buf[:0], text)
		if _, err := Decode(enc); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("allocs per encode+decode = %v, want 0", allocs)
	}
}

func FuzzDecode(f *testing.F) {
	for _, tc := range validFrames {
		f.Add(tc.enc)
	}
	f.Add([]byte{0x43, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0x05})
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := Decode(b)
		if err != nil {
			return
		}
		if len(fr.Data) > MaxPayload {
			t.Fatalf("decoded %d bytes of data, more than MaxPayload", len(fr.Data))
		}
		enc, err := Append(nil, &fr)
		if err != nil {
			t.Fatalf("Append(Decode(% x)) failed: %v", b, err)
		}
		if !bytes.Equal(enc, b) {
			t.Fatalf("round trip: Decode then Append gave % x, want % x", enc, b)
		}
	})
}

func FuzzAppend(f *testing.F) {
	for _, tc := range validFrames {
		f.Add(byte(tc.f.Type), tc.f.Data, uint16(tc.f.Cols), uint16(tc.f.Rows), uint32(tc.f.Caps), byte(tc.f.Status))
	}
	f.Fuzz(func(t *testing.T, typ byte, data []byte, cols, rows uint16, caps uint32, status byte) {
		in := Frame{Type: Type(typ), Data: data, Cols: int(cols), Rows: int(rows), Caps: Caps(caps), Status: Status(status), Code: ErrorCode(cols), Echo: rows&1 == 1,
			Seq: uint64(caps)<<32 | uint64(cols)<<16 | uint64(rows)}
		enc, err := Append(nil, &in)
		if err != nil {
			return
		}
		if len(enc) > MaxFrameSize {
			t.Fatalf("Append produced %d bytes, more than MaxFrameSize", len(enc))
		}
		out, err := Decode(enc)
		if err != nil {
			t.Fatalf("Decode(Append(%+v)) failed: %v", in, err)
		}
		again, err := Append(nil, &out)
		if err != nil || !bytes.Equal(again, enc) {
			t.Fatalf("re-encoding %+v gave % x, %v; want % x", out, again, err, enc)
		}
	})
}

func BenchmarkAppendOutput(b *testing.B) {
	text := bytes.Repeat([]byte("\x1b[1;32mA goblin\x1b[0m hits you. "), 150) // ~4 KiB, a typical read
	buf := make([]byte, 0, MaxFrameSize)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendOutput(buf[:0], text)
	}
}

func BenchmarkDecodeOutput(b *testing.B) {
	enc := AppendOutput(nil, bytes.Repeat([]byte("\x1b[1;32mA goblin\x1b[0m hits you. "), 150))
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeLine(b *testing.B) {
	enc, _ := Append(nil, &Frame{Type: TypeLine, Data: []byte("say Hello everyone, how goes the quest?")})
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(enc); err != nil {
			b.Fatal(err)
		}
	}
}
