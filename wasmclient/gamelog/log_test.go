package gamelog

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// writeTests are pieces of output and the lines they log, as dump shows
// them. Each piece is one Write.
var writeTests = []struct {
	name string
	in   []string
	want []string
}{
	{"crlf", []string{"hello\r\nworld\r\n"}, []string{"o:hello", "o:world"}},
	{"bare lf", []string{"a\nb\n\n"}, []string{"o:a", "o:b", "o:"}},
	{"vt ff ind nel", []string{"a\vb\fc\x1bDd\x1bEe"}, []string{"o:a", "o:b", "o:c", "o:d", "~:e"}},
	{"partial", []string{"abc"}, []string{"~:abc"}},
	{"cr overwrites", []string{"10%\r20%\r\n"}, []string{"o:20%"}},
	{"cr overwrites part", []string{"100%\r5%\n"}, []string{"o:5%0%"}},
	{"cr lf keeps", []string{"abc\r\r\n"}, []string{"o:abc"}},
	{"bs", []string{"abd\bc\n"}, []string{"o:abc"}},
	{"bs at start", []string{"a\b\b\bb\n"}, []string{"o:b"}},
	{"bs then append", []string{"ab\bcd\n"}, []string{"o:acd"}},
	{"tab", []string{"a\tb\n"}, []string{"o:a       b"}},
	{"tab at stop", []string{"12345678\tx\n"}, []string{"o:12345678        x"}},
	{"trailing tab", []string{"a\t\n"}, []string{"o:a"}},
	{"tab over text", []string{"abcdefghij\r\tX\n"}, []string{"o:abcdefghXj"}},
	{"el to end", []string{"100%\r\x1b[K5%\n"}, []string{"o:5%"}},
	{"el 0 explicit", []string{"abcdef\r\x1b[0Kx\n"}, []string{"o:x"}},
	{"el all", []string{"hello\x1b[2Kab\n"}, []string{"o:     ab"}},
	{"el all alone", []string{"hello\x1b[2K\n"}, []string{"o:"}},
	{"el start", []string{"abcdef\r\bb\x1b[1K\n"}, []string{"o:  cdef"}},
	{"el start repeated", []string{"abcdefgh\r\x1b[1KX\x1b[1K\x1b[1K\bZ\x1b[1K\tY\n"}, []string{"o:  cdefghY"}},
	{"el start whole", []string{"abc\x1b[1K\n"}, []string{"o:"}},
	{"el at end", []string{"abc\x1b[K\n"}, []string{"o:abc"}},
	{"el keeps colour", []string{"\x1b[31mab\x1b[32mcd\r\x1b[Kx\n"}, []string{"o:{fg=2}x"}},
	{"overwrite colour", []string{"\x1b[31mabc\r\x1b[32mX\n"}, []string{"o:{fg=2}X{fg=1}bc"}},
	{"overwrite wide", []string{"日本\rx\n"}, []string{"o:x本"}},
	{"sgr", []string{"\x1b[31mred\x1b[0m plain\n"}, []string{"o:{fg=1}red{} plain"}},
	{"sgr empty resets", []string{"\x1b[1;31mA\x1b[mB\x1b[;mC\n"}, []string{"o:{fg=1 bold}A{}BC"}},
	{"sgr persists", []string{"\x1b[32mgreen\r\nstill\x1b[m\r\nnot\n"}, []string{"o:{fg=2}green", "o:{fg=2}still", "o:not"}},
	{"sgr without text", []string{"\x1b[31m\x1b[32m\x1b[0mx\x1b[33m\n"}, []string{"o:x"}},
	{"bright", []string{"\x1b[91;102mx\x1b[39;49my\n"}, []string{"o:{fg=9 bg=10}x{}y"}},
	{"256", []string{"\x1b[38;5;196mX\x1b[48;5;232mY\x1b[38:5:17mZ\n"}, []string{"o:{fg=196}X{fg=196 bg=232}Y{fg=17 bg=232}Z"}},
	{"truecolour", []string{"\x1b[38;2;1;2;3mA\x1b[38:2::10:20:30mB\x1b[48:2:300:0:255mC\n"},
		[]string{"o:{fg=#010203}A{fg=#0a141e}B{fg=#0a141e bg=#ff00ff}C"}},
	{"bad extended colour", []string{"\x1b[38;5m\x1b[38;2;1;2;1mA\x1b[1;38;9;1mB\n"}, []string{"o:{fg=#010201}A{fg=#010201 bold}B"}},
	{"underline colour", []string{"\x1b[58;5;1;3mA\n"}, []string{"o:{italic}A"}},
	{"attrs", []string{"\x1b[1;2;3;4;5;7;8;9mA\x1b[22;23mB\x1b[24;27;28;29mC\n"},
		[]string{"o:{bold faint italic underline inverse hidden strike}A{underline inverse hidden strike}B{}C"}},
	{"underline kinds", []string{"\x1b[4:3mA\x1b[4:0mB\x1b[21mC\n"}, []string{"o:{underline}A{}B{underline}C"}},
	{"csi dropped", []string{"\x1b[2J\x1b[1;1Hhi\x1b[?25l\x1b[>c\x1b[5A!\n"}, []string{"o:hi!"}},
	{"csi with sub-params ignored", []string{"ab\x1b[1:2K\n"}, []string{"o:ab"}},
	{"private el ignored", []string{"ab\r\x1b[?2K\n"}, []string{"o:ab"}},
	{"osc 8 link text", []string{"\x1b]8;;http://x.test/\x1b\\link\x1b]8;;\x07 after\n"}, []string{"o:link after"}},
	{"osc title", []string{"\x1b]0;title\x07text\n"}, []string{"o:text"}},
	{"osc ends at esc", []string{"\x1b]0;abc\ntext\x1b[31mmore\n"}, []string{"o:{fg=1}more"}},
	{"dcs skipped", []string{"\x1bPq#0;2;0;0;0\x07\nx\x1b\\after\n"}, []string{"o:after"}},
	{"apc skipped", []string{"\x1b_Gf=1;AAA\x1b\\ok\n"}, []string{"o:ok"}},
	{"can aborts", []string{"\x1b[31\x18x\x1b]0;t\x1ay\n"}, []string{"o:xy"}},
	{"charset designation", []string{"\x1b(0q\x1b(Bq\x1b#8\n"}, []string{"o:qq"}},
	{"controls dropped", []string{"a\x07b\x00c\x7fd\x0e\x0fe\n"}, []string{"o:abcde"}},
	{"c1 dropped", []string{"a\u0085b\u009bc\n"}, []string{"o:abc"}},
	{"invalid utf-8", []string{"a\xffb\xe2\x82c\xed\xa0\x80d\xc0\n"}, []string{"o:a\ufffdb\ufffdc\ufffd\ufffd\ufffdd\ufffd"}},
	{"split sequences", []string{"\x1b", "[3", "1mred\xe2", "\x82", "\xac\n"}, []string{"o:{fg=1}red€"}},
	{"split utf-8 broken", []string{"a\xe2\x82", "b\n"}, []string{"o:a\ufffdb"}},
	{"lf inside csi", []string{"a\x1b[3\n1mX\n"}, []string{"o:a", "o:{fg=1}X"}},
	{"push pop sgr", []string{"\x1b[31m\x1b[#{\x1b[32mg\x1b[#}r\n"}, []string{"o:{fg=2}g{fg=1}r"}},
	{"decstr", []string{"\x1b[31m\x1b[!pX\n"}, []string{"o:X"}},
	{"ris", []string{"\x1b[31m\x1bcX\n"}, []string{"o:X"}},
	{"multibyte", []string{"héllo 日本語 🎉\n"}, []string{"o:héllo 日本語 🎉"}},
}

func writeAll(l *Log, in []string) {
	for _, p := range in {
		l.Write([]byte(p))
	}
}

func TestWrite(t *testing.T) {
	for _, tt := range writeTests {
		t.Run(tt.name, func(t *testing.T) {
			l := newTestLog()
			writeAll(l, tt.in)
			if got := dump(l); !slices.Equal(got, tt.want) {
				t.Errorf("Write(%q):\n got %q\nwant %q", tt.in, got, tt.want)
			}
			checkBounds(t, l)
		})
	}
}

// TestWriteByteAtATime checks that the output, fed a byte at a time,
// logs what it logs all at once.
func TestWriteByteAtATime(t *testing.T) {
	for _, tt := range writeTests {
		whole := newTestLog()
		whole.Write([]byte(strings.Join(tt.in, "")))
		bytewise := newTestLog()
		for _, b := range []byte(strings.Join(tt.in, "")) {
			bytewise.Write([]byte{b})
		}
		if got, want := dump(bytewise), dump(whole); !slices.Equal(got, want) {
			t.Errorf("%s: byte at a time got %q, all at once %q", tt.name, got, want)
		}
	}
}

func TestLongLines(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []int // the lengths of the lines
	}{
		{"ascii", strings.Repeat("a", MaxLine+10) + "\n", []int{MaxLine, 10}},
		{"exact", strings.Repeat("a", MaxLine) + "\n", []int{MaxLine}},
		{"two byte", strings.Repeat("é", MaxLine/2+1) + "\n", []int{MaxLine, 2}},
		{"three byte", strings.Repeat("日", MaxLine/3+1) + "\n", []int{MaxLine / 3 * 3, 3}},
		{"overwritten", strings.Repeat("a", MaxLine) + "\r" + strings.Repeat("é", MaxLine/2+1) + "\n", []int{MaxLine, MaxLine, 2}},
		{"tabs", strings.Repeat("\t", MaxLine) + "x\n", []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newTestLog()
			l.Write([]byte(tt.in))
			var got []int
			for _, ln := range l.TakeNew() {
				got = append(got, len(ln.Text))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got lines of %v bytes, want %v", got, tt.want)
			}
			checkBounds(t, l)
			checkText(t, textOf(t, l))
		})
	}
}

func TestPromptAndInput(t *testing.T) {
	l := newTestLog()
	l.Prompt() // nothing to mark
	l.Write([]byte("Welcome\r\n\x1b[32m<100hp> \x1b[0m"))
	l.Prompt()
	l.Prompt()
	l.Input("look")
	l.Write([]byte("The Square\r\nWhat now? "))
	l.Input("say \x1b[31mhi\tthere\xff\r\n")
	l.Input("")
	want := []string{"o:Welcome", "p:{fg=2}<100hp> ", "i:look", "o:The Square", "p:What now? ", "i:say [31mhithere\ufffd", "i:"}
	if got := dump(l); !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got, want := l.Lines(), len(want); got != want {
		t.Errorf("Lines() = %d, want %d", got, want)
	}
	long := strings.Repeat("é", MaxLine)
	l.Input(long)
	if got := l.TakeNew(); len(got[len(got)-1].Text) != MaxLine {
		t.Errorf("a long command kept %d bytes, want %d", len(got[len(got)-1].Text), MaxLine)
	}
}

func TestTimes(t *testing.T) {
	c := &clock{t: testStart} // New reads testStart
	l := New(Config{Now: c.now})
	// Each line has the time of the Write that brought its first
	// character; an empty line, of the one that ended it. A Write reads
	// the clock at most once.
	l.Write([]byte("first "))        // reads +1s
	l.Write([]byte("line\r\n\r\nx")) // reads +2s, for the empty line and "x"
	l.Write([]byte("\r\n"))          // does not read it
	l.Input("cmd")                   // reads +3s
	got := l.TakeNew()
	want := []time.Duration{1, 2, 2, 3}
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d", len(got), len(want))
	}
	for i, ln := range got {
		if w := testStart.Add(want[i] * time.Second); !ln.Time.Equal(w) {
			t.Errorf("line %d (%q): got time %v, want %v", i, ln.Text, ln.Time, w)
		}
	}
}

func TestTakeNew(t *testing.T) {
	l := newTestLog()
	if got := l.TakeNew(); got != nil {
		t.Errorf("empty log: got %v", got)
	}
	l.Write([]byte("a\r\nb\r\npartial"))
	got := l.TakeNew()
	if len(got) != 2 || got[0].Text != "a" || got[1].Text != "b" || got[0].Kind != Output {
		t.Errorf("got %+v, want a and b", got)
	}
	if got := l.TakeNew(); got != nil {
		t.Errorf("second call: got %+v, want nothing", got)
	}
	l.Prompt()
	l.Input("go")
	got = l.TakeNew()
	if len(got) != 2 || got[0].Text != "partial" || got[0].Kind != Prompt || got[1].Text != "go" || got[1].Kind != Input {
		t.Errorf("got %+v, want the prompt and the command", got)
	}
}

func TestDrop(t *testing.T) {
	l := newTestLog()
	l.max = 10 * (lineCost + 4) // in-package: below MinMaxBytes
	for i := range 25 {
		l.Write([]byte("l" + string(rune('a'+i)) + "\x1b[31m!\x1b[m\r\n"))
		checkBounds(t, l)
	}
	if got := l.Lines(); got >= 25 || got < 5 {
		t.Fatalf("kept %d lines", got)
	}
	if l.dropped+l.Lines() != 25 {
		t.Fatalf("dropped %d and kept %d of 25", l.dropped, l.Lines())
	}
	got := l.TakeNew()
	if len(got) != l.Lines() || got[len(got)-1].Text != "ly!" {
		t.Fatalf("TakeNew after drops: got %+v", got)
	}
	first := got[0].Time.Format(headerTime)
	text := textOf(t, l)
	wantHead := "-- Log started 2025-03-01 20:15:04 +0100; " + strconv.Itoa(l.dropped) + " earlier lines dropped, kept from " + first + " --\n"
	if !strings.HasPrefix(text, wantHead) {
		t.Errorf("got header %q, want %q", text[:strings.IndexByte(text, '\n')+1], wantHead)
	}
	// The newest line is kept even alone over the bound.
	l.Write([]byte(strings.Repeat("x", 2*l.max) + "\n"))
	if l.Lines() != 1 {
		t.Errorf("kept %d lines after a long one", l.Lines())
	}
}

// TestChunks writes lines enough to fill several chunks, taking them now
// and then, with and without dropping: TakeNew must give every line kept,
// in order, once.
func TestChunks(t *testing.T) {
	for _, maxBytes := range []int{DefaultMaxBytes, MinMaxBytes} {
		l := New(Config{MaxBytes: maxBytes})
		next := 0 // the number of the next line TakeNew should give
		for i := range 20000 {
			l.Write([]byte("\x1b[3" + strconv.Itoa(i%8) + "mline " + strconv.Itoa(i) + "\r\n"))
			if i%1500 == 0 || i == 19999 {
				for _, ln := range l.TakeNew() {
					n, err := strconv.Atoi(strings.TrimPrefix(ln.Text, "line "))
					if err != nil || n < next || (maxBytes == DefaultMaxBytes && n != next) {
						t.Fatalf("MaxBytes %d: got %q, want line %d", maxBytes, ln.Text, next)
					}
					next = n + 1
				}
				checkBounds(t, l)
			}
		}
		if next != 20000 {
			t.Errorf("MaxBytes %d: took lines up to %d", maxBytes, next-1)
		}
		if maxBytes == MinMaxBytes && l.dropped == 0 {
			t.Errorf("MaxBytes %d: nothing dropped", maxBytes)
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	for _, tt := range []struct{ in, want int }{{0, DefaultMaxBytes}, {-5, MinMaxBytes}, {1, MinMaxBytes}, {MinMaxBytes + 1, MinMaxBytes + 1}} {
		if got := New(Config{MaxBytes: tt.in}).max; got != tt.want {
			t.Errorf("MaxBytes %d: got bound %d, want %d", tt.in, got, tt.want)
		}
	}
	before := time.Now()
	if l := New(Config{}); l.start.Before(before) {
		t.Errorf("a nil Now did not use time.Now")
	}
}

func TestPlain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a\r\n", "a\n"},
		{"a\r\nb", "a\nb"},
		{"\x1b[1;31mHP\x1b[0m: 10\r\n\x1b]8;;https://x.test\x07here\x1b]8;;\x07", "HP: 10\nhere"},
		{"10%\r50%\r100%", "100%"},
		{"a\tb", "a       b"},
	}
	for _, tt := range tests {
		if got := Plain([]byte(tt.in)); got != tt.want {
			t.Errorf("Plain(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Output: "output", Prompt: "prompt", Input: "input", 7: "kind(7)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
}

// errWriter fails after n writes.
type errWriter struct{ n int }

var errTest = errors.New("disk full")

func (w *errWriter) Write(p []byte) (int, error) {
	if w.n == 0 {
		return 0, errTest
	}
	w.n--
	return len(p), nil
}

func TestWriteErrors(t *testing.T) {
	l := newTestLog()
	for range 5000 {
		l.Write([]byte("\x1b[32mThe quick brown fox jumps over the lazy dog.\x1b[0m\r\n"))
	}
	for n := range 3 {
		if err := l.WriteText(&errWriter{n: n}); !errors.Is(err, errTest) {
			t.Errorf("WriteText after %d writes: got %v, want %v", n, err, errTest)
		}
		if err := l.WriteHTML(&errWriter{n: n}, "t"); !errors.Is(err, errTest) {
			t.Errorf("WriteHTML after %d writes: got %v, want %v", n, err, errTest)
		}
	}
}
