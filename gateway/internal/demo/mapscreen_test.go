package demo

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/drawbridge/drawbridge/gateway/internal/telnet"
)

func cup(row, col int) string { return fmt.Sprintf("\x1b[%d;%dH", row, col) }

// keys sends raw keys, as a client in character mode does.
func (c *testClient) keys(k string) {
	c.t.Helper()
	if err := c.tc.SendKeys([]byte(k)); err != nil {
		c.t.Fatalf("send keys %q: %v", k, err)
	}
}

// TestMap drives the map over a real connection with the gateway's own
// telnet client: character mode on, the alternate screen, a border drawn
// with cursor addressing at the NAWS size, the @ moving with every kind
// of arrow key and hjkl and stopping at the border, a redraw on resize,
// and q back to line mode and the prompt.
func TestMap(t *testing.T) {
	_, addr := startServer(t, nil)
	c := login(t, addr, "Mapper", "m", telnet.Config{Cols: 60, Rows: 20, NoMXP: true}) // exits as plain text
	c.send("map")
	c.expect("<E+>") // WILL ECHO: the game echoes from now on
	screen := c.expect(cup(10, 30) + "@")
	for _, want := range []string{
		"\x1b[?1049h",        // the alternate screen
		"\x1b[2J",            // cleared
		cup(1, 1) + "+",      // the top border, with the title
		"The Castle Grounds", //
		cup(2, 1) + "|" + cup(2, 60) + "|",
		cup(17, 60) + "|",
		cup(19, 1) + "+" + strings.Repeat("-", 58) + "+", // the bottom border
		cup(20, 1) + "Arrows or h j k l",                 // the help line
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("got screen %q, want it to contain %q", screen, want)
		}
	}
	if strings.Contains(screen, "<P>") {
		t.Errorf("got a prompt mark on the map screen: %q", screen)
	}

	moves := []struct{ keys, want string }{
		{"\x1b[C", cup(10, 30) + " " + cup(10, 31) + "@"}, // right
		{"l", cup(10, 31) + " " + cup(10, 32) + "@"},
		{"\x1bOA", cup(10, 32) + " " + cup(9, 32) + "@"}, // up, application mode
		{"k", cup(9, 32) + " " + cup(8, 32) + "@"},
		{"\x1b[B", cup(8, 32) + " " + cup(9, 32) + "@"}, // down
		{"j", cup(9, 32) + " " + cup(10, 32) + "@"},
		{"\x1b[1;5D", cup(10, 32) + " " + cup(10, 31) + "@"}, // Ctrl-left
		{"h", cup(10, 31) + " " + cup(10, 30) + "@"},
	}
	for _, m := range moves {
		c.keys(m.keys)
		c.expect(m.want)
	}
	// Walk into the left border: the @ stops at column 2.
	c.keys(strings.Repeat("h", 40))
	c.expect(cup(10, 3) + " " + cup(10, 2) + "@")
	c.keys("\x1b[D") // one more: nothing moves
	c.keys("k")      // but up still does
	if got := c.expect(cup(9, 2) + "@"); got != cup(10, 2)+" "+cup(9, 2)+"@" {
		t.Errorf("got %q after walking into the border, want only the move up", got)
	}

	// Resize: the screen is drawn again at the new size, the @ inside.
	if err := c.tc.Resize(30, 8); err != nil {
		t.Fatal(err)
	}
	screen = c.expect(cup(6, 2) + "@") // from row 9: the last row inside
	for _, want := range []string{"\x1b[2J", cup(2, 30) + "|", cup(7, 1) + "+" + strings.Repeat("-", 28) + "+", cup(8, 1) + "Arrows"} {
		if !strings.Contains(screen, want) {
			t.Errorf("got resized screen %q, want it to contain %q", screen, want)
		}
	}

	c.keys("q")
	got := c.expect("You fold the map away.")
	if !strings.Contains(got, "\x1b[?1049l") || !strings.Contains(got, "<E->") {
		t.Errorf("got %q on leaving, want the main screen back and WONT ECHO", got)
	}
	c.expect("> \x1b[0m<P>")
	c.send("look")
	c.expect("Exits: north")
}

// TestMapWire checks the negotiation bytes around the map with a raw
// connection that answers as RFC 1143 says: WILL ECHO and WILL SGA on the
// way in, WONT ECHO and WONT SGA on the way out, whether the client leaves
// with q, Ctrl-C or IAC IP.
func TestMapWire(t *testing.T) {
	_, addr := startServer(t, nil)
	nc, r := dialRaw(t, addr)
	r.until(t, "What is your name? ")
	fmt.Fprint(nc, "Wired\r\n")
	r.until(t, "Password: ")
	fmt.Fprint(nc, "\xff\xfd\x01pw\r\n") // DO ECHO, the password
	r.until(t, "\xff\xfc\x01")           // WONT ECHO
	fmt.Fprint(nc, "\xff\xfe\x01")       // DONT ECHO: acknowledged
	r.until(t, "> \x1b[0m\xff\xf9")
	for _, quit := range []string{"q", "\x03", "\xff\xf4"} { // q, Ctrl-C, IAC IP
		fmt.Fprint(nc, "map\r\n")
		got := r.until(t, "\x1b[?1049h")
		if !strings.Contains(got, "\xff\xfb\x01") || !strings.Contains(got, "\xff\xfb\x03") {
			t.Errorf("got %q entering the map, want WILL ECHO and WILL SGA", got)
		}
		fmt.Fprint(nc, "\xff\xfd\x01\xff\xfd\x03") // DO ECHO, DO SGA
		fmt.Fprint(nc, "\x1b[C"+quit)
		got = r.until(t, "You fold the map away.\r\n")
		for _, want := range []string{"@", "\x1b[?1049l", "\xff\xfc\x01", "\xff\xfc\x03"} {
			if !strings.Contains(got, want) {
				t.Errorf("leaving with %q: got %q, want it to contain %q", quit, got, want)
			}
		}
		fmt.Fprint(nc, "\xff\xfe\x01\xff\xfe\x03") // DONT ECHO, DONT SGA
		r.until(t, "> \x1b[0m\xff\xf9")
	}
	// Line mode is back: a command works.
	fmt.Fprint(nc, "say done\r\n")
	r.until(t, "You say, \"done\"")
}

// TestMapHoldsRoomMessages: what is said in the room while a player is on
// the map waits for the player's return rather than landing on the map.
func TestMapHoldsRoomMessages(t *testing.T) {
	_, addr := startServer(t, nil)
	walker := login(t, addr, "Walker", "w", telnet.Config{})
	talker := login(t, addr, "Talker", "t", telnet.Config{})
	walker.expect("Talker arrives")
	walker.send("map")
	walker.expect("@")
	talker.send("say while you were away")
	talker.expect("You say")
	talker.send("say again")
	talker.expect("You say")
	walker.keys("l")
	walker.expect("@") // the move came back: the says were before it
	if strings.Contains(walker.all(), "while you were away") {
		t.Fatalf("got a say on the map screen: %q", walker.all())
	}
	walker.keys("q")
	got := walker.expect("> \x1b[0m<P>")
	i, j := strings.Index(got, "while you were away"), strings.Index(got, "says, \"again\"")
	if k := strings.Index(got, "You fold the map away."); k < 0 || i < k || j < i {
		t.Errorf("got %q on leaving the map, want the held says in order after it", got)
	}
}

func TestMapWindowSizes(t *testing.T) {
	for _, tt := range []struct {
		name       string
		cols, rows int
		want       []string
		not        string
	}{
		{"unknown size: 80 x 24", 0, 0, []string{cup(24, 1) + "Arrows", cup(12, 40) + "@"}, cup(25, 1)},
		{"huge: capped", 65535, 65535, []string{cup(100, 1) + "Arrows", cup(50, 125) + "@"}, cup(101, 1)},
		{"too small", 10, 4, []string{"\x1b[2J" + "Make the w"}, "@"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := "ann\r\npw\r\n"
			if tt.cols > 0 {
				naws := telnet.AppendNAWS(nil, tt.cols, tt.rows)
				in = "\xff\xfb\x1f" + string(naws) + in
			}
			_, out := runSession(t, [][]byte{[]byte(in + "map\r\n")})
			i := bytes.Index(out, []byte("\x1b[?1049h"))
			if i < 0 {
				t.Fatalf("got %q, want the map", out)
			}
			screen := string(out[i:])
			for _, w := range tt.want {
				if !strings.Contains(screen, w) {
					t.Errorf("got %q, want it to contain %q", screen, w)
				}
			}
			if strings.Contains(screen, tt.not) {
				t.Errorf("got %q, want no %q", screen, tt.not)
			}
		})
	}
}

// TestMapAnyBytes: on the map every byte but the ones that leave does
// nothing harmful, an endless escape sequence cannot trap the player, and
// repeated redraws of an untouched screen cost nothing.
func TestMapAnyBytes(t *testing.T) {
	var junk []byte
	for b := range 256 {
		if b != 'q' && b != 'Q' && b != 3 && b != 0xff {
			junk = append(junk, byte(b))
		}
	}
	endless := "\x1b[" + strings.Repeat("1;", 1000)
	in := "ann\r\npw\r\nmap\r\n" + string(junk) + endless + "q" + "say back\r\n"
	_, out := runSession(t, [][]byte{[]byte(in)})
	var p telnet.Parser
	d := &textOf{}
	p.Parse(out, d)
	text := d.text.String()
	if !strings.Contains(text, "You fold the map away.") || !strings.Contains(text, "You say, \"back\"") {
		t.Errorf("got %q, want the map left and line mode back", text)
	}

	_, once := runSession(t, [][]byte{[]byte("ann\r\npw\r\nmap\r\nl\x0c")})
	_, many := runSession(t, [][]byte{[]byte("ann\r\npw\r\nmap\r\nl" + strings.Repeat("\x0c", 1000))})
	if !bytes.Equal(once, many) {
		t.Errorf("got %d bytes for 1000 redraws and %d for one, want the same", len(many), len(once))
	}
	if n := bytes.Count(once, []byte("\x1b[2J")); n != 2 {
		t.Errorf("got %d screens drawn, want 2 (opening, and the redraw after a move)", n)
	}
}

func TestMapKeys(t *testing.T) {
	names := map[mapAction]string{actNone: "none", actUp: "up", actDown: "down", actLeft: "left", actRight: "right", actRedraw: "redraw", actQuit: "quit"}
	for _, tt := range []struct {
		in   string
		want string
	}{
		{"hjkl", "left down up right"},
		{"\x1b[A\x1b[B\x1b[C\x1b[D", "up down right left"},
		{"\x1bOA\x1bOB\x1bOC\x1bOD", "up down right left"},
		{"\x1b[1;2A\x1b[?5C", "up right"},
		{"\x1b[5~\x1b[H\x1bOP", ""}, // page up, home, F1: nothing
		{"\x1bq", "quit"},           // ESC then q: q counts
		{"\x1b\x1b[A", "up"},        // ESC ESC [ A: the arrow counts
		{"\x1b[1\x03", "quit"},      // a control cuts a sequence and counts
		{"\x1bO\x1b[A", "up"},       // ESC O then ESC: a new sequence
		{"Q\x03\x0c", "quit quit redraw"},
		{"\x1b[" + strings.Repeat("9", mapMaxSeq+1) + "q", "quit"},
		{"\r\n\x00\x7f\x80\xfe", ""},
	} {
		var m mapScreen
		var got []string
		for _, c := range []byte(tt.in) {
			if a := m.key(c); a != actNone {
				got = append(got, names[a])
			}
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("keys %q: got %q, want %q", tt.in, g, tt.want)
		}
	}
}
