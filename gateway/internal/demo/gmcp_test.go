package demo

import (
	"bytes"
	"fmt"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/telnet"
	"github.com/drawbridge/drawbridge/wasmclient/gmcp"
)

// expectGMCP waits for the next GMCP message after the previous match
// that starts with pkg and a space, and returns its JSON.
func (c *testClient) expectGMCP(pkg string) string {
	c.t.Helper()
	deadline := time.After(waitFor)
	for {
		c.mu.Lock()
		for c.gmcpPos < len(c.gmcp) {
			m := c.gmcp[c.gmcpPos]
			c.gmcpPos++
			if body, ok := strings.CutPrefix(m, pkg+" "); ok {
				c.mu.Unlock()
				return body
			}
		}
		got := c.gmcp
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-c.done:
			c.t.Fatalf("connection closed before GMCP %s; got %q", pkg, got)
		case <-deadline:
			c.t.Fatalf("timed out waiting for GMCP %s; got %q", pkg, got)
		}
	}
}

// gmcpCount returns how many GMCP messages arrived.
func (c *testClient) gmcpCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.gmcp)
}

// msdpVitals is the MSDP the demo sends for its gauges, as the gateway's
// client hands it on (MSDP over GMCP).
func msdpVitals(hp, maxhp, mp, maxmp int) string {
	return fmt.Sprintf(`{"HEALTH":"%d","HEALTH_MAX":"%d","MANA":"%d","MANA_MAX":"%d"}`, hp, maxhp, mp, maxmp)
}

// TestGMCP: with GMCP and MSDP agreed (the gateway's client agrees to the
// game's WILL GMCP and WILL MSDP, and asks MSDP to report the vitals),
// the login brings the vitals over MSDP and Room.Info over GMCP, every
// move a new Room.Info, and every change to the gauges the vitals again:
// each once, never both ways.
func TestGMCP(t *testing.T) {
	_, addr := startServer(t, nil)
	c := login(t, addr, "Gina", "g", telnet.Config{})
	if got, want := c.expectGMCP("MSDP"), msdpVitals(100, 100, 50, 50); got != want {
		t.Errorf("got MSDP %s, want %s", got, want)
	}
	if got, want := c.expectGMCP("Room.Info"), `{"num":1,"name":"On the Drawbridge","area":"Drawbridge Castle","exits":{"n":2}}`; got != want {
		t.Errorf("got Room.Info %s, want %s", got, want)
	}

	steps := []struct {
		cmd, text, pkg, json string
	}{
		{"n", "The Gatehouse", "Room.Info", `{"num":2,"name":"The Gatehouse","area":"Drawbridge Castle","exits":{"n":3,"s":1}}`},
		{"cast", "a small light dances", "MSDP", msdpVitals(100, 100, 40, 50)},
		{"swim", "no water to swim in here", "", ""},
		{"s", "On the Drawbridge", "Room.Info", `{"num":1,"name":"On the Drawbridge","area":"Drawbridge Castle","exits":{"n":2}}`},
		{"swim", "bites!", "MSDP", msdpVitals(85, 100, 40, 50)},
		{"rest", "You feel whole again.", "MSDP", msdpVitals(100, 100, 50, 50)},
		{"rest", "already fully rested", "", ""},
		{"whoami", "GMCP:          on (Room.Info); MSDP on (HEALTH, MANA)", "", ""},
	}
	for _, st := range steps {
		before := c.gmcpCount()
		c.send(st.cmd)
		c.expect(st.text)
		c.expect("<P>")
		if st.pkg == "" {
			if n := c.gmcpCount(); n != before {
				t.Errorf("%s: got %d GMCP messages, want none", st.cmd, n-before)
			}
			continue
		}
		if got := c.expectGMCP(st.pkg); got != st.json {
			t.Errorf("%s: got %s %s, want %s", st.cmd, st.pkg, got, st.json)
		}
	}
	// Five casts spend all 50 mp; a sixth fails and changes nothing.
	for mp := 40; mp >= 0; mp -= 10 {
		c.send("cast")
		c.expect("<P>")
		if got, want := c.expectGMCP("MSDP"), msdpVitals(100, 100, mp, 50); got != want {
			t.Errorf("got MSDP %s, want %s", got, want)
		}
	}
	before := c.gmcpCount()
	c.send("cast")
	c.expect("too weary to cast")
	c.expect("<P>")
	if n := c.gmcpCount(); n != before {
		t.Errorf("got %d GMCP messages for a failed cast, want none", n-before)
	}
}

// TestGMCPReadByClient feeds what the demo sends to the browser client's
// GMCP package: the two agree on the format.
func TestGMCPReadByClient(t *testing.T) {
	_, addr := startServer(t, nil)
	c := login(t, addr, "Quinn", "q", telnet.Config{})
	c.send("n")
	c.expect("The Gatehouse")
	c.send("cast")
	c.expect("<P>")
	c.expectGMCP("MSDP")
	c.expectGMCP("MSDP") // the one after the cast

	var st gmcp.State
	c.mu.Lock()
	msgs := append([]string(nil), c.gmcp...)
	c.mu.Unlock()
	for _, m := range msgs {
		if _, err := st.Apply([]byte(m)); err != nil {
			t.Errorf("client package refused %q: %v", m, err)
		}
	}
	if got, want := st.Vitals(), []gmcp.Vital{{Name: "Health", Value: 100, Max: 100}, {Name: "Mana", Value: 40, Max: 50}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got vitals %v, want %v", got, want)
	}
	room, ok := st.Room()
	if want := (gmcp.Room{Num: "2", Name: "The Gatehouse", Area: "Drawbridge Castle", Exits: []string{"n", "s"}}); !ok || !reflect.DeepEqual(room, want) {
		t.Errorf("got room %#v, want %#v", room, want)
	}
}

// rawLogin logs in over a raw connection that answers no negotiation, as
// a plain telnet client that knows none of the options would, sending
// first whatever answers says; it returns everything read up to the game
// prompt.
func rawLogin(t *testing.T, addr, name, answers string) (net.Conn, *rawReader, string) {
	t.Helper()
	nc, r := dialRaw(t, addr)
	got := r.until(t, "What is your name? ")
	fmt.Fprint(nc, answers+name+"\r\n")
	got += r.until(t, "Password: ")
	fmt.Fprint(nc, "pw\r\n")
	got += r.until(t, "> \x1b[0m\xff\xf9")
	return nc, r, got
}

var gmcpSB = string([]byte{telnet.IAC, telnet.SB, telnet.OptGMCP})

// TestNoGMCPWithoutAgreement: a client that ignores or refuses WILL GMCP
// gets no GMCP, and sees the game as before.
func TestNoGMCPWithoutAgreement(t *testing.T) {
	_, addr := startServer(t, nil)
	for _, answers := range []string{"", "\xff\xfe\xc9"} { // nothing; DONT GMCP
		nc, r, got := rawLogin(t, addr, "Plain", answers)
		if !strings.Contains(got, "\xff\xfb\xc9") {
			t.Errorf("got %q, want WILL GMCP offered", got)
		}
		fmt.Fprint(nc, "n\r\ncast\r\nrest\r\n")
		got += r.until(t, "You feel whole again.")
		if strings.Contains(got, gmcpSB) {
			t.Errorf("answers %q: got GMCP %q, want none", answers, got)
		}
		fmt.Fprint(nc, "quit\r\n")
		r.until(t, "Farewell")
	}
}

// TestGMCPAgreedAfterLogin: a client that agrees to GMCP late gets the
// vitals and the room at once; Core.Ping is answered.
func TestGMCPAgreedAfterLogin(t *testing.T) {
	_, addr := startServer(t, nil)
	nc, r, _ := rawLogin(t, addr, "Late", "")
	fmt.Fprint(nc, "\xff\xfd\xc9") // DO GMCP
	want := gmcpSB + `Char.Vitals {"hp":100,"maxhp":100,"mp":50,"maxmp":50}` + "\xff\xf0" +
		gmcpSB + `Room.Info {"num":1,"name":"On the Drawbridge","area":"Drawbridge Castle","exits":{"n":2}}` + "\xff\xf0"
	if got := r.until(t, "\xff\xf0"+gmcpSB+"Room.Info") + r.until(t, "\xff\xf0"); got != want {
		t.Errorf("got %q, want %q right after DO GMCP", got, want)
	}
	fmt.Fprint(nc, gmcpSB+`Core.Hello {"client":"x"}`+"\xff\xf0"+gmcpSB+"Core.Ping\xff\xf0")
	if got := r.until(t, "\xff\xf0"); got != gmcpSB+"Core.Ping\xff\xf0" {
		t.Errorf("got %q, want Core.Ping answered", got)
	}
	// DO GMCP again changes nothing and sends nothing.
	fmt.Fprint(nc, "\xff\xfd\xc9\xff\xf6") // DO GMCP, AYT
	if got := r.until(t, "yes]"); strings.Contains(got, gmcpSB) {
		t.Errorf("got %q, want no GMCP for a repeated DO", got)
	}
}

// TestGMCPSession checks the exact bytes of a session that agrees to
// GMCP before logging in: nothing before the login, then the vitals and
// the room before the room's text.
func TestGMCPSession(t *testing.T) {
	_, out := runSession(t, [][]byte{[]byte("\xff\xfd\xc9ann\r\npw\r\n")})
	login := bytes.Index(out, []byte("Welcome to the castle"))
	first := bytes.Index(out, []byte(gmcpSB))
	room := bytes.Index(out, []byte(gmcpSB+"Room.Info"))
	text := bytes.Index(out, []byte("On the Drawbridge\x1b[0m"))
	if login < 0 || first < login || room < first || text < room {
		t.Errorf("got login at %d, first GMCP at %d, Room.Info at %d, room text at %d: want them in that order in %q", login, first, room, text, out)
	}
}

// TestGMCPVitalsWithoutMSDP: a client that agrees to GMCP but refuses
// MSDP (Mudlet with MSDP off, say) gets the vitals as Char.Vitals.
func TestGMCPVitalsWithoutMSDP(t *testing.T) {
	_, addr := startServer(t, nil)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	iac := func(b ...byte) string { return string(append([]byte{telnet.IAC}, b...)) }
	// The answers to the game's WILL GMCP and WILL MSDP, then the login.
	if _, err := conn.Write([]byte(iac(telnet.DO, telnet.OptGMCP) + iac(telnet.DONT, telnet.OptMSDP) + "Mira\r\nm\r\n")); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(waitFor))
	var got []byte
	buf := make([]byte, 4096)
	want := iac(telnet.SB, telnet.OptGMCP) + `Char.Vitals {"hp":100,"maxhp":100,"mp":50,"maxmp":50}` + iac(telnet.SE)
	for !bytes.Contains(got, []byte(want)) {
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("reading for Char.Vitals: %v; got %q", err, got)
		}
		got = append(got, buf[:n]...)
	}
	if bytes.Contains(got, []byte(iac(telnet.SB, telnet.OptMSDP))) {
		t.Errorf("MSDP sent to a client that refused it: %q", got)
	}
}
