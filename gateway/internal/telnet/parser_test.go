package telnet

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// event is one Handler call, in a form tests can compare.
type event struct {
	kind byte // 'D' data, 'C' command, 'N' negotiate, 'S' subnegotiation
	a, b byte
	data string
}

func (e event) String() string {
	switch e.kind {
	case 'D':
		return fmt.Sprintf("D(%q)", e.data)
	case 'C':
		return "C(" + CmdName(e.a) + ")"
	case 'N':
		return "N(" + CmdName(e.a) + " " + OptName(e.b) + ")"
	case 'S':
		return fmt.Sprintf("S(%s %q)", OptName(e.a), e.data)
	}
	return "?"
}

// recorder is a Handler that records events, merging adjacent Data calls
// (their cut points carry no meaning).
type recorder struct {
	events []event
	stopOn func(e event) bool // call Stop after this event
	p      *Parser
}

func (r *recorder) add(e event) {
	if e.kind == 'D' && len(r.events) > 0 && r.events[len(r.events)-1].kind == 'D' {
		r.events[len(r.events)-1].data += e.data
	} else {
		r.events = append(r.events, e)
	}
	if r.stopOn != nil && r.stopOn(e) {
		r.p.Stop()
	}
}

func (r *recorder) Data(p []byte) {
	if len(p) == 0 {
		panic("empty Data")
	}
	r.add(event{kind: 'D', data: string(p)})
}
func (r *recorder) Command(c byte)      { r.add(event{kind: 'C', a: c}) }
func (r *recorder) Negotiate(v, o byte) { r.add(event{kind: 'N', a: v, b: o}) }
func (r *recorder) Subnegotiation(o byte, d []byte) {
	r.add(event{kind: 'S', a: o, data: string(d)})
}

func fmtEvents(es []event) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.String()
	}
	return "[" + strings.Join(s, " ") + "]"
}

// parseChunks feeds chunks to a fresh parser and returns the events.
func parseChunks(max int, binary bool, chunks ...[]byte) ([]event, *Parser) {
	p := &Parser{MaxSubneg: max, Binary: binary}
	r := &recorder{p: p}
	for _, c := range chunks {
		if n := p.Parse(c, r); n != len(c) {
			panic("Parse consumed less without Stop")
		}
	}
	return r.events, p
}

func d(s string) event           { return event{kind: 'D', data: s} }
func cmd(c byte) event           { return event{kind: 'C', a: c} }
func neg(v, o byte) event        { return event{kind: 'N', a: v, b: o} }
func sub(o byte, s string) event { return event{kind: 'S', a: o, data: s} }

type parserCase struct {
	name      string
	in        string
	max       int
	binary    bool
	want      []event
	oversized int
	aborted   int
}

// parserCases also seed FuzzParser.
var parserCases = []parserCase{
	{name: "plain", in: "hello\r\n", want: []event{d("hello\r\n")}},
	{name: "ansi", in: "\x1b[1;31mred\x1b[0m", want: []event{d("\x1b[1;31mred\x1b[0m")}},
	{name: "IAC IAC", in: "\xff\xff", want: []event{d("\xff")}},
	{name: "IAC IAC inside", in: "a\xff\xffb", want: []event{d("a\xffb")}},
	{name: "IAC IAC twice", in: "\xff\xff\xff\xff", want: []event{d("\xff\xff")}},
	{name: "CR NUL", in: "a\r\x00b", want: []event{d("a\rb")}},
	{name: "CR LF", in: "a\r\nb", want: []event{d("a\r\nb")}},
	{name: "CR other", in: "a\rb", want: []event{d("a\rb")}},
	{name: "CR NUL NUL", in: "\r\x00\x00", want: []event{d("\r\x00")}},
	{name: "CR NUL at start", in: "\r\x00", want: []event{d("\r")}},
	{name: "NUL alone", in: "a\x00b", want: []event{d("a\x00b")}},
	{name: "CR CR NUL", in: "\r\r\x00x", want: []event{d("\r\rx")}},
	{name: "CR NUL binary", in: "a\r\x00b", binary: true, want: []event{d("a\r\x00b")}},
	{name: "CR command NUL", in: "\r\xff\xf1\x00", want: []event{d("\r"), cmd(NOP), d("\x00")}},
	{name: "IAC IAC then NUL", in: "\r\xff\xff\x00", want: []event{d("\r\xff\x00")}},
	{name: "GA", in: "> \xff\xf9", want: []event{d("> "), cmd(GA)}},
	{name: "EOR", in: "> \xff\xef", want: []event{d("> "), cmd(EOR)}},
	{name: "NOP AYT", in: "\xff\xf1\xff\xf6", want: []event{cmd(NOP), cmd(AYT)}},
	{name: "unknown command", in: "a\xff\x01b", want: []event{d("a"), cmd(1), d("b")}},
	{name: "SE outside SB", in: "a\xff\xf0b", want: []event{d("ab")}},
	{name: "will echo", in: "\xff\xfb\x01", want: []event{neg(WILL, OptEcho)}},
	{name: "all verbs", in: "\xff\xfb\x18\xff\xfc\x18\xff\xfd\x1f\xff\xfe\x1f",
		want: []event{neg(WILL, OptTTYPE), neg(WONT, OptTTYPE), neg(DO, OptNAWS), neg(DONT, OptNAWS)}},
	{name: "verb option 255", in: "\xff\xfd\xff", want: []event{neg(DO, 255)}},
	{name: "ttype send", in: "\xff\xfa\x18\x01\xff\xf0", want: []event{sub(OptTTYPE, "\x01")}},
	{name: "empty SB", in: "\xff\xfa\x56\xff\xf0x", want: []event{sub(OptMCCP2, ""), d("x")}},
	{name: "SB with IAC IAC", in: "\xff\xfa\xc9a\xff\xffb\xff\xf0", want: []event{sub(OptGMCP, "a\xffb")}},
	{name: "SB with CR NUL kept", in: "\xff\xfa\xc9\r\x00\xff\xf0", want: []event{sub(OptGMCP, "\r\x00")}},
	{name: "SB option 255", in: "\xff\xfa\xff\xff\xf0", want: []event{sub(255, "")}},
	{name: "SB between text", in: "ab\xff\xfa\xc9x\xff\xf0cd", want: []event{d("ab"), sub(OptGMCP, "x"), d("cd")}},
	{name: "SB at max", in: "\xff\xfa\xc9abcd\xff\xf0", max: 4, want: []event{sub(OptGMCP, "abcd")}},
	{name: "SB escaped at max", in: "\xff\xfa\xc9abc\xff\xff\xff\xf0", max: 4, want: []event{sub(OptGMCP, "abc\xff")}},
	{name: "SB oversized", in: "\xff\xfa\xc9abcde\xff\xf0ok\xff\xf9", max: 4,
		want: []event{d("ok"), cmd(GA)}, oversized: 1},
	{name: "SB oversized by IAC IAC", in: "\xff\xfa\xc9abcd\xff\xff\xff\xf0ok", max: 4,
		want: []event{d("ok")}, oversized: 1},
	{name: "SB oversized then fine", in: "\xff\xfa\xc9abcdefgh\xff\xf0\xff\xfa\xc9ab\xff\xf0", max: 4,
		want: []event{sub(OptGMCP, "ab")}, oversized: 1},
	{name: "SB aborted by WILL", in: "\xff\xfa\x18\x01\xff\xfb\x01x", want: []event{neg(WILL, OptEcho), d("x")}, aborted: 1},
	{name: "SB aborted by SB", in: "\xff\xfa\x18\x01\xff\xfa\xc9y\xff\xf0", want: []event{sub(OptGMCP, "y")}, aborted: 1},
	{name: "SB aborted by GA", in: "\xff\xfa\x18zz\xff\xf9", want: []event{cmd(GA)}, aborted: 1},
	{name: "SB never ended", in: "\xff\xfa\x18abc", want: nil},
	{name: "IAC at end", in: "abc\xff", want: []event{d("abc")}},
	{name: "verb at end", in: "abc\xff\xfd", want: []event{d("abc")}},
	{name: "high bytes", in: "h\xc3\xa9llo \xe2\x82\xac", want: []event{d("h\xc3\xa9llo \xe2\x82\xac")}},
}

func TestParser(t *testing.T) {
	for _, tc := range parserCases {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in)
			check := func(how string, got []event, p *Parser) {
				t.Helper()
				if fmtEvents(got) != fmtEvents(tc.want) {
					t.Errorf("%s: got %v, want %v", how, fmtEvents(got), fmtEvents(tc.want))
				}
				if st := p.Stats(); st.Oversized != tc.oversized || st.Aborted != tc.aborted {
					t.Errorf("%s: got stats %+v, want oversized %d aborted %d", how, st, tc.oversized, tc.aborted)
				}
			}
			got, p := parseChunks(tc.max, tc.binary, in)
			check("all at once", got, p)

			var chunks [][]byte
			for i := range in {
				chunks = append(chunks, in[i:i+1])
			}
			got, p = parseChunks(tc.max, tc.binary, chunks...)
			check("byte at a time", got, p)

			for i := 0; i <= len(in); i++ {
				got, p = parseChunks(tc.max, tc.binary, in[:i], in[i:])
				check(fmt.Sprintf("split at %d", i), got, p)
			}
		})
	}
}

func TestParserStop(t *testing.T) {
	// After IAC SB MCCP2 IAC SE the rest would be zlib: Parse must stop
	// right after the SE and report how much it consumed.
	in := []byte("hi\xff\xfa\x56\xff\xf0COMPRESSED")
	p := &Parser{}
	r := &recorder{p: p, stopOn: func(e event) bool { return e.kind == 'S' && e.a == OptMCCP2 }}
	n := p.Parse(in, r)
	if want := len("hi\xff\xfa\x56\xff\xf0"); n != want {
		t.Fatalf("got consumed %d, want %d", n, want)
	}
	if got, want := fmtEvents(r.events), fmtEvents([]event{d("hi"), sub(OptMCCP2, "")}); got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
	r.stopOn = nil
	if n := p.Parse(in[n:], r); n != len("COMPRESSED") {
		t.Fatalf("got consumed %d, want %d", n, len("COMPRESSED"))
	}
	if got, want := fmtEvents(r.events), fmtEvents([]event{d("hi"), sub(OptMCCP2, ""), d("COMPRESSED")}); got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// TestParserStopAnywhere stops after every event and resumes: the events
// must match an uninterrupted parse.
func TestParserStopAnywhere(t *testing.T) {
	for _, tc := range parserCases {
		t.Run(tc.name, func(t *testing.T) {
			want, _ := parseChunks(tc.max, tc.binary, []byte(tc.in))
			got := parseStopping(tc.max, tc.binary, []byte(tc.in))
			if fmtEvents(got) != fmtEvents(want) {
				t.Errorf("got %v, want %v", fmtEvents(got), fmtEvents(want))
			}
		})
	}
}

// parseStopping parses b, stopping after every event and resuming with
// the rest.
func parseStopping(max int, binary bool, b []byte) []event {
	p := &Parser{MaxSubneg: max, Binary: binary}
	r := &recorder{p: p, stopOn: func(event) bool { return true }}
	for guard := 0; len(b) > 0; guard++ {
		if guard > 4*len(b)+16 {
			panic("parseStopping does not progress")
		}
		n := p.Parse(b, r)
		if n < 0 || n > len(b) {
			panic("Parse returned out of range")
		}
		b = b[n:]
	}
	return r.events
}

func TestParserSubnegMemoryBounded(t *testing.T) {
	p := &Parser{MaxSubneg: 100}
	r := &recorder{p: p}
	p.Parse([]byte("\xff\xfa\xc9"), r)
	chunk := bytes.Repeat([]byte("x\xff\xff"), 1000)
	for range 100 {
		p.Parse(chunk, r)
		if cap(p.sb) > 100 {
			t.Fatalf("got subneg buffer cap %d, want <= 100", cap(p.sb))
		}
	}
	p.Parse([]byte("\xff\xf0"), r)
	if len(r.events) != 0 {
		t.Errorf("got %v, want no events", fmtEvents(r.events))
	}
	if got := p.Stats().Oversized; got != 1 {
		t.Errorf("got oversized %d, want 1", got)
	}
}

func TestParserDataNoCopy(t *testing.T) {
	// Plain text must come out as a sub-slice of the input.
	in := []byte("some text \x1b[32mgreen\x1b[0m\r\n")
	var p Parser
	h := &sliceCheck{}
	p.Parse(in, h)
	if len(h.got) != 1 || &h.got[0][0] != &in[0] || len(h.got[0]) != len(in) {
		t.Errorf("got %d data calls, want 1 aliasing the input", len(h.got))
	}
}

type sliceCheck struct{ got [][]byte }

func (s *sliceCheck) Data(p []byte)               { s.got = append(s.got, p) }
func (s *sliceCheck) Command(byte)                {}
func (s *sliceCheck) Negotiate(byte, byte)        {}
func (s *sliceCheck) Subnegotiation(byte, []byte) {}

func TestParserReset(t *testing.T) {
	var p Parser
	r := &recorder{p: &p}
	p.Parse([]byte("\xff\xfa\xc9half"), r)
	p.Reset()
	p.Parse([]byte("text\xff\xf0"), r)
	if got, want := fmtEvents(r.events), fmtEvents([]event{d("text")}); got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{CmdName(IAC), "IAC"},
		{CmdName(GA), "GA"},
		{CmdName(EOR), "EOR"},
		{CmdName(WILL), "WILL"},
		{CmdName(7), "7"},
		{OptName(OptNAWS), "NAWS"},
		{OptName(OptGMCP), "GMCP"},
		{OptName(OptMCCP2), "MCCP2"},
		{OptName(OptTimingMark), "TIMING-MARK"},
		{OptName(OptNewEnviron), "NEW-ENVIRON"},
		{OptName(150), "150"},
		{QWantYes.String(), "WANTYES"},
		{Him.String(), "him"},
		{TurnedOn.String(), "on"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %v, want %v", tt.got, tt.want)
		}
	}
}
