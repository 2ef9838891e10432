package telnet

import (
	"bytes"
	"compress/zlib"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

// stream builds what a game sends: plain telnet and MCCP2 sections.
type stream struct {
	buf bytes.Buffer
	zw  *zlib.Writer
}

// plain appends bytes as they are; it must not be called while a
// compressed section is open.
func (s *stream) plain(b string) *stream {
	if s.zw != nil {
		panic("plain inside a compressed section")
	}
	s.buf.WriteString(b)
	return s
}

// start appends IAC SB COMPRESS2 IAC SE and opens a zlib stream.
func (s *stream) start() *stream {
	s.plain(iac + sb + opt(OptMCCP2) + iac + se)
	s.zw = zlib.NewWriter(&s.buf)
	return s
}

// z appends b compressed, flushed as MUD servers do after each write.
func (s *stream) z(b string) *stream {
	if _, err := s.zw.Write([]byte(b)); err != nil {
		panic(err)
	}
	if err := s.zw.Flush(); err != nil {
		panic(err)
	}
	return s
}

// end closes the zlib stream: the game stops compressing.
func (s *stream) end() *stream {
	if err := s.zw.Close(); err != nil {
		panic(err)
	}
	s.zw = nil
	return s
}

// raw appends b while a compressed section is open, for corrupt streams.
func (s *stream) raw(b string) *stream {
	s.buf.WriteString(b)
	return s
}

func (s *stream) bytes() []byte { return bytes.Clone(s.buf.Bytes()) }

// zlibOf is b compressed as one whole zlib stream.
func zlibOf(b []byte) []byte {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

var willMCCP = iac + will + opt(OptMCCP2)
var doMCCP = iac + do + opt(OptMCCP2)

// mccpCases are game streams with compressed sections and what the
// player and the game must get, however the stream is cut.
var mccpCases = []struct {
	name    string
	in      []byte
	output  string
	sent    string
	corrupt bool // Receive fails with ErrCompression
}{
	{
		name:   "start mid-buffer, end, plain again",
		in:     new(stream).plain(willMCCP + "plain ").start().z("squeezed " + iac + ga + "text").end().plain("after " + iac + ga).bytes(),
		output: "plain squeezed <P>textafter <P>",
		sent:   doMCCP,
	},
	{
		name: "negotiation inside the compressed stream",
		in: new(stream).plain(willMCCP).start().
			z("Password: " + iac + will + opt(OptEcho)).z("\r\n" + iac + wont + opt(OptEcho)).bytes(),
		output: "Password: <E+>\r\n<E->",
		sent:   doMCCP + iac + do + opt(OptEcho) + iac + dont + opt(OptEcho),
	},
	{
		name:   "sequences cut across sections",
		in:     new(stream).plain(willMCCP + "caf\xc3").start().z("\xa9 " + iac).end().plain(ga + "ok ").start().z(iac).z(ga).bytes(),
		output: "café <P>ok <P>",
		sent:   doMCCP,
	},
	{
		name:   "compression restarted",
		in:     new(stream).plain(willMCCP).start().z("one ").end().start().z("two ").end().plain("three ").start().z("four").bytes(),
		output: "one two three four",
		sent:   doMCCP,
	},
	{
		name:   "COMPRESS2 inside the compressed stream is ignored",
		in:     new(stream).plain(willMCCP).start().z("a" + iac + sb + opt(OptMCCP2) + iac + se + "b").end().plain("c").bytes(),
		output: "abc",
		sent:   doMCCP,
	},
	{
		name:   "COMPRESS2 without WILL is ignored",
		in:     []byte(iac + sb + opt(OptMCCP2) + iac + se + "plain"),
		output: "plain",
	},
	{
		name:   "COMPRESS2 with data is ignored",
		in:     []byte(willMCCP + iac + sb + opt(OptMCCP2) + "x" + iac + se + "plain"),
		output: "plain",
		sent:   doMCCP,
	},
	{
		name:   "COMPRESS2 after WONT is ignored",
		in:     []byte(willMCCP + iac + wont + opt(OptMCCP2) + iac + sb + opt(OptMCCP2) + iac + se + "plain"),
		output: "plain",
		sent:   doMCCP + iac + dont + opt(OptMCCP2),
	},
	{
		name:   "WONT inside the compressed stream: still compressed until its end",
		in:     new(stream).plain(willMCCP).start().z("a" + iac + wont + opt(OptMCCP2) + "b").end().plain("c").bytes(),
		output: "abc",
		sent:   doMCCP + iac + dont + opt(OptMCCP2),
	},
	{
		name:    "not zlib at all",
		in:      new(stream).plain(willMCCP + "before ").start().raw("this is not zlib").bytes(),
		output:  "before ",
		sent:    doMCCP,
		corrupt: true,
	},
	{
		name:    "truncated, then garbage",
		in:      append(new(stream).plain(willMCCP).start().z("first part ").bytes(), []byte("\x05\xff\xff\x00garbage garbage")...),
		output:  "first part ",
		sent:    doMCCP,
		corrupt: true,
	},
	{
		name: "bad checksum",
		in: func() []byte {
			b := new(stream).plain(willMCCP).start().z("all of it").end().bytes()
			b[len(b)-1] ^= 1
			return b
		}(),
		output:  "all of it",
		sent:    doMCCP,
		corrupt: true,
	},
	{
		name: "preset dictionary",
		in: func() []byte {
			var buf bytes.Buffer
			zw, _ := zlib.NewWriterLevelDict(&buf, zlib.DefaultCompression, []byte("dictionary"))
			zw.Write([]byte("text"))
			zw.Close()
			return append([]byte(willMCCP+iac+sb+opt(OptMCCP2)+iac+se), buf.Bytes()...)
		}(),
		sent:    doMCCP,
		corrupt: true,
	},
}

// mccpRun feeds chunks to a fresh Client, stopping at the first error, and
// returns what the player and the game got.
func mccpRun(t *testing.T, cfg Config, chunks [][]byte) (out, sent string, err error) {
	t.Helper()
	var w bytes.Buffer
	c := NewClient(cfg, &w)
	s := &fakeSink{}
	for _, ch := range chunks {
		if err = c.Receive(ch, s); err != nil {
			break
		}
	}
	if s.invalid > 0 || s.empty > 0 {
		t.Fatalf("got %d invalid and %d empty outputs, want none", s.invalid, s.empty)
	}
	return s.log.String(), w.String(), err
}

func bytewise(b []byte) [][]byte {
	var out [][]byte
	for i := range b {
		out = append(out, b[i:i+1])
	}
	return out
}

func TestMCCP2(t *testing.T) {
	for _, tc := range mccpCases {
		t.Run(tc.name, func(t *testing.T) {
			cuts := map[string][][]byte{
				"all at once":     {tc.in},
				"byte at a time":  bytewise(tc.in),
				"cut in 2s and 5": chunksOf(tc.in, []byte{2, 5, 2, 5, 2, 5, 2, 5, 2, 5, 2, 5}),
				"cut in 7s":       chunksOf(tc.in, bytes.Repeat([]byte{7}, len(tc.in))),
			}
			for how, chunks := range cuts {
				out, sent, err := mccpRun(t, Config{}, chunks)
				if out != tc.output {
					t.Errorf("%s: got output %q, want %q", how, out, tc.output)
				}
				if sent != tc.sent {
					t.Errorf("%s: got sent %q, want %q", how, sent, tc.sent)
				}
				if got := errors.Is(err, ErrCompression); got != tc.corrupt || (err != nil && !got) {
					t.Errorf("%s: got error %v, want ErrCompression %v", how, err, tc.corrupt)
				}
			}
		})
	}
}

func TestMCCP2ErrorSticky(t *testing.T) {
	c := NewClient(Config{}, &bytes.Buffer{})
	s := &fakeSink{}
	in := new(stream).plain(willMCCP).start().raw("garbage").bytes()
	err := c.Receive(in, s)
	if !errors.Is(err, ErrCompression) {
		t.Fatalf("got %v, want ErrCompression", err)
	}
	if !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("got %q, want it to say the stream is corrupt", err)
	}
	if err2 := c.Receive([]byte("more"), s); !errors.Is(err2, ErrCompression) {
		t.Errorf("next Receive: got %v, want the same ErrCompression", err2)
	}
	if got := s.log.String(); got != "" {
		t.Errorf("got output %q after the failure, want none", got)
	}
	if c.z != nil {
		t.Error("inflater kept after the failure")
	}
}

// maxSink records the largest Output and the total.
type maxSink struct {
	nopSink
	max, total, calls int
}

func (s *maxSink) Output(p []byte) {
	s.max = max(s.max, len(p))
	s.total += len(p)
	s.calls++
}

// A zlib bomb inflates in bounded chunks, and past MaxInflate in one
// Receive the session fails instead of buffering without end.
func TestMCCP2Bomb(t *testing.T) {
	head := []byte(willMCCP + iac + sb + opt(OptMCCP2) + iac + se)
	tests := []struct {
		name       string
		size       int
		maxInflate int
		corrupt    bool
	}{
		{"within the limit", 3 << 20, 0, false},
		{"past the limit", 8 << 20, 0, true},
		{"past a small limit", 1 << 20, 100 << 10, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bomb := zlibOf(bytes.Repeat([]byte("a"), tt.size))
			c := NewClient(Config{MaxInflate: tt.maxInflate}, &bytes.Buffer{})
			s := &maxSink{}
			err := c.Receive(append(bytes.Clone(head), bomb...), s)
			if got := errors.Is(err, ErrCompression); got != tt.corrupt {
				t.Fatalf("got error %v, want ErrCompression %v", err, tt.corrupt)
			}
			if s.max > inflateChunk {
				t.Errorf("got an Output of %d bytes, want at most %d", s.max, inflateChunk)
			}
			limit := tt.maxInflate
			if limit == 0 {
				limit = DefaultMaxInflate
			}
			if s.total > limit {
				t.Errorf("got %d bytes of output from one Receive, want at most %d", s.total, limit)
			}
			if !tt.corrupt && s.total != tt.size {
				t.Errorf("got %d bytes of output, want %d", s.total, tt.size)
			}
			if st := c.Stats(); st.Inflated != int64(s.total) {
				t.Errorf("got Stats.Inflated %d, want %d", st.Inflated, s.total)
			}
		})
	}
}

func TestMCCP2Stats(t *testing.T) {
	c := NewClient(Config{}, &bytes.Buffer{})
	s := &fakeSink{}
	st := new(stream).plain(willMCCP).start()
	head := st.bytes()
	body := st.z("hello hello hello hello").bytes()[len(head):]
	if err := c.Receive(head, s); err != nil {
		t.Fatal(err)
	}
	if got := c.Stats(); !got.Compressing || got.CompressedIn != 0 {
		t.Errorf("after COMPRESS2: got %+v, want compressing, nothing compressed yet", got)
	}
	if err := c.Receive(body, s); err != nil {
		t.Fatal(err)
	}
	got := c.Stats()
	if !got.Compressing || got.CompressedIn != int64(len(body)) || got.Inflated != 23 {
		t.Errorf("got %+v, want compressing, %d compressed in, 23 inflated", got, len(body))
	}
	if got.BytesIn != int64(len(head)+len(body)) {
		t.Errorf("got BytesIn %d, want %d", got.BytesIn, len(head)+len(body))
	}
	tail := st.end().plain("plain").bytes()[len(head)+len(body):]
	if err := c.Receive(tail, s); err != nil {
		t.Fatal(err)
	}
	got = c.Stats()
	if got.Compressing || got.CompressedIn != int64(len(body)+len(tail)-len("plain")) {
		t.Errorf("after the end: got %+v, want not compressing, %d compressed in", got, len(body)+len(tail)-5)
	}
	if c.z != nil {
		t.Error("inflater kept after the stream ended")
	}
	if out := s.log.String(); out != "hello hello hello helloplain" {
		t.Errorf("got output %q", out)
	}
}

// waitGoroutines waits until at most n goroutines run, collecting garbage
// so that cleanups run.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			t.Fatalf("got %d goroutines, want at most %d", runtime.NumGoroutine(), n)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

// The inflater runs as a coroutine: it must not outlive the stream, a
// Flush, or a Client dropped mid-stream.
func TestMCCP2Release(t *testing.T) {
	midStream := new(stream).plain(willMCCP).start().z("text").bytes()

	t.Run("Flush", func(t *testing.T) {
		base := runtime.NumGoroutine()
		c := NewClient(Config{}, &bytes.Buffer{})
		s := &fakeSink{}
		if err := c.Receive(midStream, s); err != nil {
			t.Fatal(err)
		}
		if runtime.NumGoroutine() <= base {
			t.Skip("the inflater's coroutine is not counted as a goroutine")
		}
		c.Flush(s)
		waitGoroutines(t, base)
		if err := c.Receive([]byte("x"), s); err == nil {
			t.Error("Receive after a Flush that cut the stream: got nil, want an error")
		}
		if c.Stats().Compressing {
			t.Error("Stats says compressing after Flush")
		}
	})
	t.Run("dropped", func(t *testing.T) {
		base := runtime.NumGoroutine()
		for range 10 {
			c := NewClient(Config{}, &bytes.Buffer{})
			if err := c.Receive(midStream, &fakeSink{}); err != nil {
				t.Fatal(err)
			}
		}
		waitGoroutines(t, base)
	})
}

// Compression is transparent: a stream compressed from any point on gives
// what the plain stream gives.
func TestMCCP2Transparent(t *testing.T) {
	for _, tc := range clientCases {
		var plain []byte
		for _, st := range tc.steps {
			plain = append(plain, st.in...)
		}
		if bytes.Contains(plain, []byte(iac+sb+opt(OptMCCP2))) {
			continue
		}
		wantOut, wantSent, wantErr := mccpRun(t, Config{}, [][]byte{[]byte(willMCCP), plain})
		compressed := append([]byte(willMCCP+iac+sb+opt(OptMCCP2)+iac+se), zlibOf(plain)...)
		for how, chunks := range map[string][][]byte{"all at once": {compressed}, "byte at a time": bytewise(compressed)} {
			out, sent, err := mccpRun(t, Config{}, chunks)
			if out != wantOut || sent != wantSent || (err == nil) != (wantErr == nil) {
				t.Errorf("%s, %s: got %q, sent %q, %v; want %q, sent %q, %v", tc.name, how, out, sent, err, wantOut, wantSent, wantErr)
			}
		}
	}
}
