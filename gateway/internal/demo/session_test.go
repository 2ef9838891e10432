package demo

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/drawbridge/drawbridge/gateway/internal/telnet"
)

// bufOutbox collects a session's output, like a connection that reads
// everything, up to a limit where it overflows.
type bufOutbox struct {
	buf     []byte
	closed  bool
	goodbye []byte
}

func (b *bufOutbox) send(msg []byte) bool {
	if b.closed || len(b.buf)+len(msg) > 4<<20 {
		b.closed = true
		return false
	}
	b.buf = append(b.buf, msg...)
	return true
}

func (b *bufOutbox) close(goodbye []byte) {
	if !b.closed {
		b.closed = true
		b.goodbye = goodbye
	}
}

// textOf decodes telnet output and returns the text and the events.
type textOf struct {
	text   bytes.Buffer
	events []string
}

func (d *textOf) Data(p []byte)  { d.text.Write(p) }
func (d *textOf) Command(c byte) { d.events = append(d.events, telnet.CmdName(c)) }
func (d *textOf) Negotiate(v, o byte) {
	d.events = append(d.events, telnet.CmdName(v)+" "+telnet.OptName(o))
}
func (d *textOf) Subnegotiation(o byte, data []byte) {
	d.events = append(d.events, "SB "+telnet.OptName(o))
}

// runSession feeds chunks to a fresh session and returns what it sent.
func runSession(t *testing.T, chunks [][]byte) (*session, []byte) {
	t.Helper()
	s := New(Config{})
	s.started = time.Unix(1700000000, 0) // MSSP's UPTIME: the same in every run
	out := &bufOutbox{}
	ss := newSession(s, out)
	ss.start()
	for _, c := range chunks {
		if !ss.feed(c) {
			break
		}
	}
	ss.leave()
	if len(ss.line) > maxLine {
		t.Fatalf("got input line of %d bytes, want at most %d", len(ss.line), maxLine)
	}
	if s.Players() != 0 {
		t.Fatalf("got %d players after leave, want 0", s.Players())
	}
	return ss, out.buf
}

var sessionSeeds = []string{
	"alice\r\n\xff\xfd\x01secret\r\nlook\r\nsay hello\r\nn\r\nn\r\nwho\r\nwhoami\r\nquit\r\n",
	"bob\nx\n'hi\n:waves\ngo east\ne\nu\nd\nhelp\nxyzzy\n",
	"\xff\xfb\x18\xff\xfa\x18\x00CLIENT\xff\xf0\xff\xfa\x18\x00XTERM\xff\xf0\xff\xfa\x18\x00MTTS 13\xff\xf0",
	"\xff\xfd\x19\xff\xfb\x1f\xff\xfa\x1f\x00\x28\x00\x18\xff\xf0carol\r\npw\r\nlook\r\n",
	"dave\r\n\xff\xfd\x01pw\r\n\xff\xfe\x01say \xff\xff\x1b[31m\r\n",
	"a\r\n1\r\nab\r\n\r\n",
	"eve\r\npw\r\n" + strings.Repeat("x", 700) + "\r\nsay ok\r\n",
	"fred\r\npw\r\nsay caf\xc3\xa9 \b\b\x7fok\r\n",
	"\xff\xf6\xff\xf4\xff\xfa\x18\x01\xff\xfb\x01\r\x00\r\n",
	"\xff\xfd\x46\xff\xfe\x46\xff\xfd\x46gina\r\npw\r\n\xff\xfe\x46\xff\xfd\x46",
	// GMCP: agreed before and after the login, pinged, vitals spent.
	"\xff\xfd\xc9hal\r\npw\r\ncast\r\nswim\r\nn\r\nrest\r\n\xff\xfa\xc9Core.Ping\xff\xf0",
	"ida\r\npw\r\n\xff\xfd\xc9\xff\xfe\xc9\xff\xfd\xc9look\r\n",
	// The map: keys of every kind, a resize, junk, and the ways out.
	"\xff\xfb\x1f\xff\xfa\x1f\x00\x28\x00\x0c\xff\xf0jo\r\npw\r\nmap\r\n\xff\xfd\x01\xff\xfd\x03" +
		"\x1b[A\x1bOBhjkl\x1b[1;5C\x0c\x0c\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0\x1b\x1b[\x00\x80q" +
		"say hi\r\nmap\r\n\x03map\r\n\xff\xf4look\r\n",
}

// FuzzSession feeds junk and hostile telnet to a session: it must never
// panic, keep its buffers bounded, send only valid UTF-8 text, and behave
// the same however the input is cut.
func FuzzSession(f *testing.F) {
	for _, s := range sessionSeeds {
		f.Add([]byte(s), []byte{3, 5, 7})
	}
	f.Fuzz(func(t *testing.T, in, cuts []byte) {
		_, out := runSession(t, [][]byte{in})
		var p telnet.Parser
		d := &textOf{}
		p.Parse(out, d)
		if !utf8.Valid(d.text.Bytes()) {
			t.Fatalf("got invalid UTF-8 text %q", d.text.Bytes())
		}
		var chunks [][]byte
		rest := in
		for _, c := range cuts {
			n := min(max(int(c), 1), len(rest))
			chunks = append(chunks, rest[:n])
			rest = rest[n:]
		}
		chunks = append(chunks, rest)
		_, out2 := runSession(t, chunks)
		if !bytes.Equal(out2, out) {
			t.Fatalf("cut input: got output %q, want %q", out2, out)
		}
	})
}

func TestSessionScript(t *testing.T) {
	_, out := runSession(t, [][]byte{[]byte(sessionSeeds[0])})
	var p telnet.Parser
	d := &textOf{}
	p.Parse(out, d)
	text := d.text.String()
	for _, want := range []string{"DRAWBRIDGE", "What is your name? ", "Password: ", "You say, \"hello\"",
		"The Courtyard", "1 player online.", "Farewell, Alice."} {
		if !strings.Contains(text, want) {
			t.Errorf("got %q, want it to contain %q", text, want)
		}
	}
	if strings.Contains(text, "secret") {
		t.Errorf("got the password echoed: %q", text)
	}
	got := strings.Join(d.events, ",")
	for _, want := range []string{"WILL EOR", "DO NAWS", "DO TTYPE", "WILL MSSP", "WILL ECHO", "WONT ECHO", "GA"} {
		if !strings.Contains(got, want) {
			t.Errorf("got events %v, want %q", got, want)
		}
	}
}
