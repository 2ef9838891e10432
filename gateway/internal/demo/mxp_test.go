package demo

import (
	"strings"
	"testing"
)

// TestMXPWire: the game offers MXP; a client that agrees (DO MXP) gets
// IAC SB MXP IAC SE and a <VERSION> request, its answer is taken (not
// read as a name, nor as a command) and shown by whoami, and the exits
// and things of a room come as <SEND> links on secure lines. A client
// that refuses MXP sees plain text.
func TestMXPWire(t *testing.T) {
	_, addr := startServer(t, nil)
	nc, r := dialRaw(t, addr)
	r.until(t, "\xff\xfb\x5b") // IAC WILL MXP
	if _, err := nc.Write([]byte("\xff\xfd\x5b")); err != nil {
		t.Fatal(err)
	}
	r.until(t, "What is your name? ")
	r.until(t, "\xff\xfa\x5b\xff\xf0"+"\x1b[1z<VERSION>\x1b[0z")
	// The answer comes before the name, as it would from a client that
	// answers at once: it must not be taken as the name.
	if _, err := nc.Write([]byte("\x1b[1z<VERSION MXP=1.0 CLIENT=Tester VERSION=2>\r\nMia\r\nm\r\nm\r\n")); err != nil {
		t.Fatal(err)
	}
	r.until(t, "Welcome to the castle, Mia")
	if _, err := nc.Write([]byte("look\r\n")); err != nil {
		t.Fatal(err)
	}
	got := r.until(t, "</SEND>")
	if !strings.Contains(got, "\x1b[1z\x1b[32mExits: <SEND href=\"north\" hint=\"Go north\">north</SEND>") {
		t.Errorf("the exits line is not a secure line of SEND links: %q", got)
	}
	if _, err := nc.Write([]byte("n\r\nn\r\n")); err != nil {
		t.Fatal(err)
	}
	got = r.until(t, "You notice: ")
	got += r.until(t, ".\r\n")
	if !strings.Contains(got, "\x1b[1zYou notice: <SEND href=\"look well|emote points at the well.\" hint=\"The well|Look at it|Point at it\">well</SEND>.") {
		t.Errorf("the well is not a SEND menu: %q", got)
	}
	if _, err := nc.Write([]byte("look well\r\nwhoami\r\n")); err != nil {
		t.Fatal(err)
	}
	r.until(t, "The well is old and deep.")
	if got := r.until(t, "Prompt mark:"); !strings.Contains(got, "MXP:           on (MXP=1.0 CLIENT=Tester VERSION=2)") {
		t.Errorf("whoami does not report the client's MXP version: %q", got)
	}
}

// TestMXPRefused: a client that says DONT MXP gets plain exits.
func TestMXPRefused(t *testing.T) {
	_, addr := startServer(t, nil)
	nc, r := dialRaw(t, addr)
	r.until(t, "\xff\xfb\x5b")
	if _, err := nc.Write([]byte("\xff\xfe\x5bMo\r\nm\r\nm\r\nlook\r\nwhoami\r\n")); err != nil {
		t.Fatal(err)
	}
	got := r.until(t, "Prompt mark:")
	if strings.Contains(got, "<SEND") || strings.Contains(got, "\x1b[1z") {
		t.Errorf("MXP sent to a client that refused it: %q", got)
	}
	if !strings.Contains(got, "Exits: north") || !strings.Contains(got, "MXP:           off") {
		t.Errorf("got %q", got)
	}
}
