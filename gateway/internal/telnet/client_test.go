package telnet

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// fakeSink records what a Client delivers, in order: text as is, prompts
// as "<P>", echo changes as "<E+>" and "<E->".
type fakeSink struct {
	log     strings.Builder
	invalid int // Output calls with invalid UTF-8
	empty   int // Output calls with nothing
}

func (s *fakeSink) Output(p []byte) {
	if !utf8.Valid(p) {
		s.invalid++
	}
	if len(p) == 0 {
		s.empty++
	}
	s.log.Write(p)
}
func (s *fakeSink) Prompt() { s.log.WriteString("<P>") }
func (s *fakeSink) GMCP(msg []byte) {
	s.log.WriteString("<G:")
	s.log.Write(msg)
	s.log.WriteString(">")
}
func (s *fakeSink) Echo(remote bool) {
	if remote {
		s.log.WriteString("<E+>")
	} else {
		s.log.WriteString("<E->")
	}
}

// exchange is one Receive and what it must produce.
type exchange struct {
	in     string // from the game
	sent   string // to the game, in reply
	output string // to the sink
}

func runExchanges(t *testing.T, cfg Config, steps []exchange) *Client {
	t.Helper()
	var w bytes.Buffer
	c := NewClient(cfg, &w)
	for i, st := range steps {
		s := &fakeSink{}
		if err := c.Receive([]byte(st.in), s); err != nil {
			t.Fatalf("step %d: Receive: %v", i, err)
		}
		if got := w.String(); got != st.sent {
			t.Errorf("step %d (%q): got sent %q, want %q", i, st.in, got, st.sent)
		}
		if got := s.log.String(); got != st.output {
			t.Errorf("step %d (%q): got output %q, want %q", i, st.in, got, st.output)
		}
		if s.invalid > 0 || s.empty > 0 {
			t.Errorf("step %d: got %d invalid and %d empty outputs, want none", i, s.invalid, s.empty)
		}
		w.Reset()
	}
	return c
}

const (
	iac  = "\xff"
	will = "\xfb"
	wont = "\xfc"
	do   = "\xfd"
	dont = "\xfe"
	sb   = "\xfa"
	se   = "\xf0"
	ga   = "\xf9"
	eor  = "\xef"
)

func opt(o byte) string { return string([]byte{o}) }

// clientCases are named exchange scripts; they also seed FuzzClient.
var clientCases = []struct {
	name  string
	cfg   Config
	steps []exchange
}{
	{"TTYPE cycle", Config{ClientName: "DRAWBRIDGE", TerminalType: "XTERM-256COLOR", MTTS: 137}, []exchange{
		{in: iac + sb + opt(OptTTYPE) + "\x01" + iac + se}, // before agreement: ignored
		{in: iac + do + opt(OptTTYPE), sent: iac + will + opt(OptTTYPE)},
		{in: iac + sb + opt(OptTTYPE) + "\x01" + iac + se, sent: iac + sb + opt(OptTTYPE) + "\x00DRAWBRIDGE" + iac + se},
		{in: iac + sb + opt(OptTTYPE) + "\x01" + iac + se, sent: iac + sb + opt(OptTTYPE) + "\x00XTERM-256COLOR" + iac + se},
		{in: iac + sb + opt(OptTTYPE) + "\x01" + iac + se, sent: iac + sb + opt(OptTTYPE) + "\x00MTTS 137" + iac + se},
		{in: iac + sb + opt(OptTTYPE) + "\x01" + iac + se, sent: iac + sb + opt(OptTTYPE) + "\x00MTTS 137" + iac + se},
		{in: iac + sb + opt(OptTTYPE) + "\x01" + iac + se, sent: iac + sb + opt(OptTTYPE) + "\x00DRAWBRIDGE" + iac + se},
		{in: iac + sb + opt(OptTTYPE) + "\x01" + iac + se, sent: iac + sb + opt(OptTTYPE) + "\x00XTERM-256COLOR" + iac + se},
		// DONT TTYPE (copyover) resets the cycle.
		{in: iac + dont + opt(OptTTYPE), sent: iac + wont + opt(OptTTYPE)},
		{in: iac + sb + opt(OptTTYPE) + "\x01" + iac + se},
		{in: iac + do + opt(OptTTYPE) + iac + sb + opt(OptTTYPE) + "\x01" + iac + se,
			sent: iac + will + opt(OptTTYPE) + iac + sb + opt(OptTTYPE) + "\x00DRAWBRIDGE" + iac + se},
		// TTYPE IS from the game, or junk: ignored.
		{in: iac + sb + opt(OptTTYPE) + "\x00X" + iac + se},
	}},
	{"TTYPE defaults and cleaning", Config{ClientName: "bad\xff\x01name", TerminalType: "\x1b\x00"}, []exchange{
		{in: iac + do + opt(OptTTYPE) + strings.Repeat(iac+sb+opt(OptTTYPE)+"\x01"+iac+se, 3),
			sent: iac + will + opt(OptTTYPE) + iac + sb + opt(OptTTYPE) + "\x00badname" + iac + se +
				iac + sb + opt(OptTTYPE) + "\x00XTERM-256COLOR" + iac + se +
				iac + sb + opt(OptTTYPE) + "\x00MTTS 911" + iac + se},
	}},
	{"MNES over NEW-ENVIRON", Config{ClientName: "DRAWBRIDGE", TerminalType: "XTERM-256COLOR", MTTS: 137, ClientVersion: "2.1", IPAddress: "203.0.113.7"}, []exchange{
		{in: iac + sb + opt(OptNewEnviron) + "\x01" + iac + se}, // before agreement: ignored
		{in: iac + do + opt(OptNewEnviron), sent: iac + will + opt(OptNewEnviron)},
		// SEND with no list: every variable, as VAR.
		{in: iac + sb + opt(OptNewEnviron) + "\x01" + iac + se, sent: iac + sb + opt(OptNewEnviron) + "\x00" +
			"\x00CHARSET\x01UTF-8\x00CLIENT_NAME\x01DRAWBRIDGE\x00CLIENT_VERSION\x012.1" +
			"\x00IPADDRESS\x01203.0.113.7\x00MTTS\x01137\x00TERMINAL_TYPE\x01XTERM-256COLOR" + iac + se},
		// Named ones, in the order asked; an unknown one and a USERVAR are
		// answered without a value.
		{in: iac + sb + opt(OptNewEnviron) + "\x01\x00IPADDRESS\x00NOPE\x03CLIENT_NAME" + iac + se,
			sent: iac + sb + opt(OptNewEnviron) + "\x00\x00IPADDRESS\x01203.0.113.7\x00NOPE\x03CLIENT_NAME" + iac + se},
		// Escaped names are read escaped.
		{in: iac + sb + opt(OptNewEnviron) + "\x01\x00A\x02\x01B" + iac + se,
			sent: iac + sb + opt(OptNewEnviron) + "\x00\x00A\x02\x01B" + iac + se},
		// IS from the game, and INFO: ignored.
		{in: iac + sb + opt(OptNewEnviron) + "\x00\x00IPADDRESS\x011.2.3.4" + iac + se},
		{in: iac + sb + opt(OptNewEnviron) + "\x02" + iac + se},
	}},
	{"MNES without an address", Config{}, []exchange{
		{in: iac + do + opt(OptNewEnviron) + iac + sb + opt(OptNewEnviron) + "\x01\x00IPADDRESS" + iac + se,
			sent: iac + will + opt(OptNewEnviron) + iac + sb + opt(OptNewEnviron) + "\x00\x00IPADDRESS" + iac + se},
	}},
	{"CHARSET", Config{}, []exchange{
		{in: iac + sb + opt(OptCharset) + "\x01;UTF-8" + iac + se}, // before agreement: ignored
		{in: iac + will + opt(OptCharset) + iac + do + opt(OptCharset), sent: iac + do + opt(OptCharset) + iac + will + opt(OptCharset)},
		{in: iac + sb + opt(OptCharset) + "\x01;ISO-8859-1;utf-8;US-ASCII" + iac + se, sent: iac + sb + opt(OptCharset) + "\x02utf-8" + iac + se},
		{in: iac + sb + opt(OptCharset) + "\x01 US-ASCII KOI8-U" + iac + se, sent: iac + sb + opt(OptCharset) + "\x03" + iac + se},
		{in: iac + sb + opt(OptCharset) + "\x01[TTABLE]\x01;UTF8" + iac + se, sent: iac + sb + opt(OptCharset) + "\x02UTF8" + iac + se},
		{in: iac + sb + opt(OptCharset) + "\x01" + iac + se},      // empty: nothing to answer
		{in: iac + sb + opt(OptCharset) + "\x02UTF-8" + iac + se}, // ACCEPTED from the game: no answer
		{in: iac + sb + opt(OptCharset) + "\x01;" + iac + se, sent: iac + sb + opt(OptCharset) + "\x03" + iac + se},
	}},
	{"GMCP", Config{ClientName: "DRAWBRIDGE", ClientVersion: "2", GMCPSupports: []string{"Char 1"}}, []exchange{
		{in: iac + sb + opt(OptGMCP) + `Char.Vitals {"hp":1}` + iac + se}, // before agreement: dropped
		{in: iac + will + opt(OptGMCP), sent: iac + do + opt(OptGMCP) +
			iac + sb + opt(OptGMCP) + `Core.Hello {"client":"DRAWBRIDGE","version":"2"}` + iac + se +
			iac + sb + opt(OptGMCP) + `Core.Supports.Set ["Char 1"]` + iac + se},
		{in: "hp " + iac + sb + opt(OptGMCP) + `Char.Vitals {"hp":10,"name":"Zoë"}` + iac + se + "10",
			output: `hp <G:Char.Vitals {"hp":10,"name":"Zoë"}>10`},
		{in: iac + sb + opt(OptGMCP) + `Char.Vitals {"x":"` + iac + iac + `"}` + iac + se}, // a 255 byte is not UTF-8: dropped
		{in: iac + sb + opt(OptGMCP) + "Core.Goodbye" + iac + se, output: "<G:Core.Goodbye>"},
		// Malformed: no name, a space in the name, invalid UTF-8.
		{in: iac + sb + opt(OptGMCP) + ` {"hp":1}` + iac + se},
		{in: iac + sb + opt(OptGMCP) + "Bad\x01Name {}" + iac + se},
		{in: iac + sb + opt(OptGMCP) + "Char.Name \"\xc3\"" + iac + se},
	}},
	{"NAWS", Config{Cols: 100, Rows: 30}, []exchange{
		{in: iac + do + opt(OptNAWS), sent: iac + will + opt(OptNAWS) + iac + sb + opt(OptNAWS) + "\x00\x64\x00\x1e" + iac + se},
		{in: iac + do + opt(OptNAWS)}, // no answer when nothing changes
		{in: iac + dont + opt(OptNAWS), sent: iac + wont + opt(OptNAWS)},
	}},
	{"NAWS default size", Config{}, []exchange{
		{in: iac + do + opt(OptNAWS), sent: iac + will + opt(OptNAWS) + iac + sb + opt(OptNAWS) + "\x00\x50\x00\x18" + iac + se},
	}},
	{"NAWS 255 escaped", Config{Cols: 255, Rows: 0xFF00}, []exchange{
		{in: iac + do + opt(OptNAWS), sent: iac + will + opt(OptNAWS) + iac + sb + opt(OptNAWS) + "\x00\xff\xff\xff\xff\x00" + iac + se},
	}},
	{"ECHO", Config{}, []exchange{
		{in: "Password: " + iac + will + opt(OptEcho), sent: iac + do + opt(OptEcho), output: "Password: <E+>"},
		{in: iac + will + opt(OptEcho)},
		{in: iac + wont + opt(OptEcho) + "\r\n", sent: iac + dont + opt(OptEcho), output: "<E->\r\n"},
		{in: iac + wont + opt(OptEcho)},
		{in: iac + do + opt(OptEcho), sent: iac + wont + opt(OptEcho)}, // we never echo for the game
	}},
	{"prompts", Config{}, []exchange{
		{in: "> " + iac + ga, output: "> <P>"},
		{in: iac + will + opt(OptEOR), sent: iac + do + opt(OptEOR)},
		{in: "hp 10> " + iac + eor, output: "hp 10> <P>"},
		{in: iac + ga + iac + ga, output: "<P><P>"},
	}},
	{"BINARY both ways", Config{}, []exchange{
		{in: iac + do + opt(OptBinary) + iac + will + opt(OptBinary), sent: iac + will + opt(OptBinary) + iac + do + opt(OptBinary)},
		// The game's CR NUL is no longer a CR: in BINARY mode bytes are bytes.
		{in: "a\r\x00b", output: "a\r\x00b"},
	}},
	{"SGA both ways", Config{}, []exchange{
		{in: iac + will + opt(OptSGA) + iac + do + opt(OptSGA), sent: iac + do + opt(OptSGA) + iac + will + opt(OptSGA)},
	}},
	{"refusals", Config{}, []exchange{
		{in: iac + do + opt(OptLinemode), sent: iac + wont + opt(OptLinemode)},
		{in: iac + will + opt(OptMSP), sent: iac + dont + opt(OptMSP)},
		{in: iac + will + opt(OptMCCP1), sent: iac + dont + opt(OptMCCP1)},
		{in: iac + will + opt(OptMCCP3), sent: iac + dont + opt(OptMCCP3)},
		{in: iac + do + opt(OptMCCP2), sent: iac + wont + opt(OptMCCP2)}, // we never compress
		{in: iac + do + opt(OptEnviron), sent: iac + wont + opt(OptEnviron)},
		{in: iac + do + opt(OptTimingMark), sent: iac + wont + opt(OptTimingMark)},
		{in: iac + dont + opt(OptLinemode) + iac + wont + opt(OptGMCP)}, // already off: silent
		{in: iac + will + "\xff", sent: iac + dont + "\xff"},
	}},
	{"text and CR NUL", Config{}, []exchange{
		{in: "Hello\r\x00world\r\n\x1b[31mred\x1b[0m", output: "Hello\rworld\r\n\x1b[31mred\x1b[0m"},
		{in: "IAC " + iac + iac + " byte", output: "IAC \ufffd byte"},
	}},
	{"UTF-8 split 2", Config{}, []exchange{
		{in: "caf\xc3", output: "caf"},
		{in: "\xa9!", output: "é!"},
	}},
	{"UTF-8 split 3 ways", Config{}, []exchange{
		{in: "\xe2", output: ""},
		{in: "\x82", output: ""},
		{in: "\xac", output: "€"},
	}},
	{"UTF-8 split 4 bytes", Config{}, []exchange{
		{in: "a\xf0\x9f", output: "a"},
		{in: "\x98", output: ""},
		{in: "\x80b", output: "😀b"},
	}},
	{"UTF-8 split around a command", Config{}, []exchange{
		{in: "\xc3" + iac + "\xf1", output: ""},
		{in: "\xa9", output: "é"},
	}},
	{"UTF-8 broken continuation", Config{}, []exchange{
		{in: "x\xe2\x82", output: "x"},
		{in: "y", output: "\ufffdy"},
	}},
	{"UTF-8 broken continuation is lead", Config{}, []exchange{
		{in: "\xe2", output: ""},
		{in: "\xc3\xa9", output: "\ufffdé"},
	}},
	{"UTF-8 held then prompt", Config{}, []exchange{
		{in: "> \xe2\x82" + iac + ga, output: "> \ufffd<P>"},
		{in: "\xac", output: "\ufffd"},
	}},
	{"invalid bytes", Config{}, []exchange{
		{in: "a\x80b\xc0\xafc\xed\xa0\x80d\xf8", output: "a\ufffdb\ufffd\ufffdc\ufffd\ufffd\ufffdd\ufffd"},
		{in: "\xe0\x80", output: "\ufffd\ufffd"}, // not a valid prefix: not held
	}},
	{"UTF-8 truncated in the middle", Config{}, []exchange{
		{in: "x\xe2\x82y\xf0\x9f\x98z", output: "x\ufffdy\ufffdz"},
	}},
	{"latin-1 text", Config{}, []exchange{
		{in: "caf\xe9 au lait", output: "caf\ufffd au lait"},
	}},
	{"oversized subneg", Config{MaxSubneg: 16}, []exchange{
		{in: iac + sb + opt(OptGMCP) + strings.Repeat("x", 100) + iac + se + "after", output: "after"},
	}},
	{"MXP offered", Config{}, []exchange{
		{in: "<B>before</B>" + iac + will + opt(OptMXP), sent: iac + do + opt(OptMXP), output: "<B>before</B>"},
		{in: iac + sb + opt(OptMXP) + iac + se + "<B>bold</B> &lt;", output: "\x1b[1mbold\x1b[22m <"},
		{in: "\x1b[1z<VERSION>\r\n", sent: "\x1b[1z<VERSION MXP=1.0 CLIENT=DRAWBRIDGE VERSION=1>\r\n", output: "\r\n"},
		{in: "\x1b[1z<SEND href=\"go north|look north\" hint=\"Exits|Go|Look\">north</SEND>",
			output: "\x1b]8;;mxp:send?c=go+north&c=look+north&l=Go&l=Look&t=Exits\x1b\\north\x1b]8;;\x1b\\"},
		{in: "\r\n<SEND>quit</SEND>\x1b]8;;mxp:send?c=quit\x1b\\x", output: "\r\nquitx"}, // an open line makes no command link
		// The game turns MXP off: the text is text again.
		{in: iac + wont + opt(OptMXP) + "<B>x</B>", sent: iac + dont + opt(OptMXP), output: "<B>x</B>"},
	}},
	{"MXP asked", Config{}, []exchange{
		{in: iac + do + opt(OptMXP), sent: iac + will + opt(OptMXP)},
		{in: "<I>i</I>", output: "\x1b[3mi\x1b[23m"},
		{in: iac + dont + opt(OptMXP) + "<I>i</I>", sent: iac + wont + opt(OptMXP), output: "<I>i</I>"},
	}},
	{"MXP refused", Config{NoMXP: true}, []exchange{
		{in: iac + will + opt(OptMXP) + iac + do + opt(OptMXP), sent: iac + dont + opt(OptMXP) + iac + wont + opt(OptMXP)},
		{in: iac + sb + opt(OptMXP) + iac + se + "\x1b[1z<B>x</B><VERSION>", output: "\x1b[1z<B>x</B><VERSION>"},
		// Without MXP no line is secure: a game's own command link is
		// dropped (mxp.Guard: a CAN ends the escape it started), its web
		// links pass.
		{in: "\x1b]8;;mxp:send?c=quit\x1b\\quit\x1b]8;;\x1b\\", output: "\x1b\x18quit\x1b]8;;\x1b\\"},
		{in: "\x1b]8;;https://example.org/\x07web", output: "\x1b]8;;https://example.org/\x07web"},
	}},
	{"no MXP offered: command links dropped", Config{}, []exchange{
		{in: "a\x1b", output: "a\x1b"},
		{in: "]8;;mxp:send?c=quit\x07b", output: "\x18b"}, // the terminal's escape ended with nothing done
	}},
	{"MXP subnegotiation before agreement", Config{}, []exchange{
		{in: iac + sb + opt(OptMXP) + iac + se + "<B>x</B>", output: "<B>x</B>"},
	}},
	{"MXP tag split", Config{}, []exchange{
		{in: iac + will + opt(OptMXP), sent: iac + do + opt(OptMXP)},
		{in: "a <", output: "a "},
		{in: "B", output: ""},
		{in: ">b</", output: "\x1b[1mb"},
		{in: "B> &am", output: "\x1b[22m "},
		{in: "p; caf\xc3", output: "& caf"},
		{in: "\xa9", output: "é"},
	}},
	{"MXP prompt ends a tag", Config{}, []exchange{
		{in: iac + will + opt(OptMXP) + "hp <B" + iac + ga, sent: iac + do + opt(OptMXP), output: "hp <B<P>"},
		{in: "\x1b[1z<SEND>north" + iac + eor, output: "north<P>"},
	}},
	{"MXP latin1", Config{Charset: "latin1"}, []exchange{
		{in: iac + will + opt(OptMXP), sent: iac + do + opt(OptMXP)},
		{in: "caf\xe9 <B>\xe9</B> &eacute;\x1b[1z<SEND href='say \xe9'>\xe9</SEND>",
			output: "café \x1b[1mé\x1b[22m é\x1b]8;;mxp:send?c=say+%C3%A9\x1b\\é\x1b]8;;\x1b\\"},
		{in: "\x1b[1z<VERSION>", sent: "\x1b[1z<VERSION MXP=1.0 CLIENT=DRAWBRIDGE VERSION=1>\r\n"},
	}},
	{"MXP off closes", Config{}, []exchange{
		{in: iac + will + opt(OptMXP), sent: iac + do + opt(OptMXP)},
		{in: "\x1b[1z<C red>x", output: "\x1b[38;2;255;0;0mx"},
		{in: iac + wont + opt(OptMXP), sent: iac + dont + opt(OptMXP), output: "\x1b[39m"},
	}},
}

func TestClient(t *testing.T) {
	for _, tc := range clientCases {
		t.Run(tc.name, func(t *testing.T) {
			runExchanges(t, tc.cfg, tc.steps)
		})
	}
}

func TestClientEnabled(t *testing.T) {
	c := runExchanges(t, Config{}, []exchange{
		{in: iac + will + opt(OptEcho) + iac + do + opt(OptNAWS) + iac + will + opt(OptMSP),
			sent: iac + do + opt(OptEcho) + iac + will + opt(OptNAWS) + iac + sb + opt(OptNAWS) + "\x00\x50\x00\x18" + iac + se +
				iac + dont + opt(OptMSP),
			output: "<E+>"},
	})
	tests := []struct {
		opt     byte
		us, him bool
	}{
		{OptEcho, false, true},
		{OptNAWS, true, false},
		{OptMSP, false, false},
		{OptTTYPE, false, false},
	}
	for _, tt := range tests {
		us, him := c.Enabled(tt.opt)
		if us != tt.us || him != tt.him {
			t.Errorf("%s: got us=%v him=%v, want us=%v him=%v", OptName(tt.opt), us, him, tt.us, tt.him)
		}
	}
}

func TestClientStats(t *testing.T) {
	c := runExchanges(t, Config{MaxSubneg: 4}, []exchange{
		{in: iac + sb + opt(OptGMCP) + "toolong" + iac + se + iac + sb + opt(OptGMCP) + "x" + iac + will + opt(OptEcho),
			sent: iac + do + opt(OptEcho), output: "<E+>"},
	})
	st := c.Stats()
	if st.Parser.Oversized != 1 || st.Parser.Aborted != 1 {
		t.Errorf("got parser stats %+v, want 1 oversized, 1 aborted", st.Parser)
	}
	if st.BytesOut != 3 || st.BytesIn != 19 {
		t.Errorf("got bytes in %d out %d, want 19 and 3", st.BytesIn, st.BytesOut)
	}
}

func TestClientResize(t *testing.T) {
	nawsOf := func(v string) string { return iac + sb + opt(OptNAWS) + v + iac + se }
	var w bytes.Buffer
	c := NewClient(Config{Cols: 80, Rows: 24}, &w)
	s := &fakeSink{}
	steps := []struct {
		name     string
		do       func() error
		wantSent string
	}{
		{"before NAWS: remembered only", func() error { return c.Resize(90, 30) }, ""},
		{"DO NAWS sends latest size", func() error { return c.Receive([]byte(iac+do+opt(OptNAWS)), s) },
			iac + will + opt(OptNAWS) + nawsOf("\x00\x5a\x00\x1e")},
		{"resize", func() error { return c.Resize(120, 40) }, nawsOf("\x00\x78\x00\x28")},
		{"same size: nothing", func() error { return c.Resize(120, 40) }, ""},
		{"255 escaped", func() error { return c.Resize(255, 511) }, nawsOf("\x00\xff\xff\x01\xff\xff")},
		{"clamped", func() error { return c.Resize(1<<20, 65535) }, nawsOf("\xff\xff\xff\xff\xff\xff\xff\xff")},
		{"zero keeps", func() error { return c.Resize(0, 10) }, nawsOf("\xff\xff\xff\xff\x00\x0a")},
		{"DONT NAWS", func() error { return c.Receive([]byte(iac+dont+opt(OptNAWS)), s) }, iac + wont + opt(OptNAWS)},
		{"after NAWS off", func() error { return c.Resize(50, 20) }, ""},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := w.String(); got != st.wantSent {
			t.Errorf("%s: got sent %q, want %q", st.name, got, st.wantSent)
		}
		w.Reset()
	}
}

func TestClientSendLine(t *testing.T) {
	tests := []struct {
		line string
		want string
		err  error
	}{
		{"look", "look\r\n", nil},
		{"", "\r\n", nil},
		{"say hi\n", "say hi\r\n", nil},
		{"say hi\r\n", "say hi\r\n", nil},
		{"say hi\r", "say hi\r\n", nil},
		// An attempt to inject IAC WILL ECHO, IAC IP and IAC SB: every 255
		// is doubled, so the game reads plain data bytes.
		{"say \xff\xfb\x01 \xff\xf4 \xff\xfa\x18\xff\xf0", "say \xff\xff\xfb\x01 \xff\xff\xf4 \xff\xff\xfa\x18\xff\xff\xf0\r\n", nil},
		{"\xff", "\xff\xff\r\n", nil},
		{"héllo", "héllo\r\n", nil},
		{"one\ntwo", "", ErrLineBreak},
		{"one\rtwo", "", ErrLineBreak},
		{"one\n\n", "", ErrLineBreak},
		{"\r\n\r\n", "", ErrLineBreak},
	}
	for _, tt := range tests {
		var w bytes.Buffer
		c := NewClient(Config{}, &w)
		err := c.SendLine([]byte(tt.line))
		if !errors.Is(err, tt.err) {
			t.Errorf("SendLine(%q): got error %v, want %v", tt.line, err, tt.err)
		}
		if got := w.String(); got != tt.want {
			t.Errorf("SendLine(%q): got %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestClientSendKeys(t *testing.T) {
	tests := []struct {
		keys string
		want string
	}{
		{"a", "a"},
		{"\r", "\r\x00"},
		{"\r\n", "\r\n"},
		{"a\rb", "a\r\x00b"},
		{"\r\r\n", "\r\x00\r\n"},
		{"\n", "\n"},
		{"\xff", "\xff\xff"},
		{"\x1b[A\x03", "\x1b[A\x03"},
	}
	for _, tt := range tests {
		var w bytes.Buffer
		c := NewClient(Config{}, &w)
		if err := c.SendKeys([]byte(tt.keys)); err != nil {
			t.Fatalf("SendKeys(%q): %v", tt.keys, err)
		}
		if got := w.String(); got != tt.want {
			t.Errorf("SendKeys(%q): got %q, want %q", tt.keys, got, tt.want)
		}
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	f.n++
	return 0, errors.New("connection reset")
}

func TestClientWriteErrorSticky(t *testing.T) {
	fw := &failWriter{}
	c := NewClient(Config{}, fw)
	s := &fakeSink{}
	err := c.Receive([]byte("hi"+iac+do+opt(OptNAWS)), s)
	if err == nil || !strings.Contains(err.Error(), "write to game: connection reset") {
		t.Fatalf("got %v, want write error", err)
	}
	if got := s.log.String(); got != "hi" {
		t.Errorf("got output %q, want %q", got, "hi")
	}
	for name, f := range map[string]func() error{
		"SendLine": func() error { return c.SendLine([]byte("x")) },
		"SendKeys": func() error { return c.SendKeys([]byte("x")) },
		"Resize":   func() error { return c.Resize(1, 2) },
		"Receive":  func() error { return c.Receive([]byte(iac+do+opt(OptTTYPE)), s) },
	} {
		if err := f(); err == nil {
			t.Errorf("%s: got nil, want the sticky error", name)
		}
	}
	if fw.n != 1 {
		t.Errorf("got %d writes, want 1", fw.n)
	}
}

// syncSink calls back into the Client from Echo, which must not deadlock.
type reentrantSink struct {
	fakeSink
	c *Client
}

func (s *reentrantSink) Echo(remote bool) {
	s.fakeSink.Echo(remote)
	_ = s.c.SendLine([]byte("from sink"))
}

func TestClientSinkMayCallBack(t *testing.T) {
	var w bytes.Buffer
	c := NewClient(Config{}, &w)
	s := &reentrantSink{c: c}
	if err := c.Receive([]byte(iac+will+opt(OptEcho)), s); err != nil {
		t.Fatal(err)
	}
	if got, want := w.String(), iac+do+opt(OptEcho)+"from sink\r\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestClientConcurrent runs Receive against SendLine, SendKeys and Resize
// from other goroutines; run with -race. Every write must be whole: the
// game must see each line and each NAWS intact.
func TestClientConcurrent(t *testing.T) {
	var w bytes.Buffer
	c := NewClient(Config{}, &w)
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		s := &fakeSink{}
		for i := range 200 {
			in := fmt.Sprintf("line %d\r\n%s%s%s%s%s%s", i, iac+do+opt(OptNAWS), iac+dont+opt(OptNAWS),
				iac+will+opt(OptEcho), iac+wont+opt(OptEcho), iac+do+opt(OptTTYPE), iac+sb+opt(OptTTYPE)+"\x01"+iac+se)
			if err := c.Receive([]byte(in), s); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for range 200 {
			if err := c.SendLine([]byte("say hello")); err != nil {
				t.Error(err)
				return
			}
			_, _ = c.Enabled(OptNAWS)
			_ = c.Stats()
		}
	}()
	go func() {
		defer wg.Done()
		for i := range 200 {
			if err := c.Resize(80+i%3, 24); err != nil {
				t.Error(err)
				return
			}
			if err := c.SendKeys([]byte("k")); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	wg.Wait()
	if got := strings.Count(w.String(), "say hello\r\n"); got != 200 {
		t.Errorf("got %d intact lines, want 200", got)
	}
}

func TestClientReceiveAllocs(t *testing.T) {
	c := NewClient(Config{}, &bytes.Buffer{})
	s := nopSink{}
	text := []byte("\x1b[1;33mThe Great Hall\x1b[0m\r\nA long table runs the length of the hall. \xe2\x82\xac\r\n> " + iac + ga)
	split := []byte("caf\xc3")
	rest := []byte("\xa9 au lait\r\n")
	_ = c.Receive(text, s) // warm up
	allocs := testing.AllocsPerRun(100, func() {
		_ = c.Receive(text, s)
		_ = c.Receive(split, s)
		_ = c.Receive(rest, s)
	})
	if allocs != 0 {
		t.Errorf("got %v allocs per Receive, want 0", allocs)
	}
}

type nopSink struct{}

func (nopSink) Output([]byte) {}
func (nopSink) Prompt()       {}
func (nopSink) Echo(bool)     {}
func (nopSink) GMCP([]byte)   {}

func TestFlushSendsHeldBytesAsReplacement(t *testing.T) {
	var w bytes.Buffer
	c := NewClient(Config{}, &w)
	s := &fakeSink{}
	if err := c.Receive([]byte("caf\xc3"), s); err != nil {
		t.Fatal(err)
	}
	if got := s.log.String(); got != "caf" {
		t.Fatalf("output %q before Flush, want the cut rune held", got)
	}
	c.Flush(s)
	if got := s.log.String(); got != "caf\ufffd" {
		t.Fatalf("output %q after Flush, want U+FFFD for the cut rune", got)
	}
	c.Flush(s)
	if got := s.log.String(); got != "caf\ufffd" {
		t.Fatalf("second Flush gave %q, want nothing more", got)
	}
}
