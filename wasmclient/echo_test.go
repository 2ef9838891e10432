package main

import (
	"strings"
	"testing"

	"github.com/drawbridge/drawbridge/shared/wire"
	"github.com/drawbridge/drawbridge/wasmclient/link"
)

// TestClientEchoHidesPasswords: the local echo of a login command shows
// its password as asterisks, also within stacked commands, while the
// game is sent the line as typed.
func TestClientEchoHidesPasswords(t *testing.T) {
	r := newRig()
	r.state(link.Connected, "", 0)
	r.step()
	r.lines <- "connect wizard potrzebie"
	r.tick()
	r.lines <- "look;;create Bob correct horse"
	r.tick()
	if got := r.sent(wire.TypeLine); strings.Join(got, "|") != "connect wizard potrzebie|look|create Bob correct horse" {
		t.Fatalf("sent %q, want the lines as typed", got)
	}
	screen := r.c.ScreenText()
	for _, secret := range []string{"potrzebie", "correct", "horse"} {
		if strings.Contains(screen, secret) {
			t.Fatalf("the echo shows the password word %q:\n%s", secret, screen)
		}
	}
	for _, want := range []string{"connect wizard ********", "look;;create Bob ********"} {
		if !strings.Contains(screen, want) {
			t.Fatalf("screen %q, want the echo %q", screen, want)
		}
	}
}
