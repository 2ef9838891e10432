package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/shared/wire"
	"github.com/drawbridge/drawbridge/wasmclient/link"
	"github.com/drawbridge/drawbridge/wasmclient/term"
)

type fakePage struct {
	state, status string
	masked        bool
	enabled       bool
	mirror        string
	login         string // the reason the page was sent to the login
}

func (p *fakePage) ToLogin(reason string) { p.login = reason }

func (p *fakePage) SetStatus(state, text string) { p.state, p.status = state, text }
func (p *fakePage) SetMasked(on bool)            { p.masked = on }
func (p *fakePage) Masked() bool                 { return p.masked }
func (p *fakePage) SetInputEnabled(on bool)      { p.enabled = on }
func (p *fakePage) SetMirror(text string)        { p.mirror = text }

type fakeLink struct {
	sent       []wire.Frame
	reconnects int
}

func (l *fakeLink) Send(f *wire.Frame) error { l.sent = append(l.sent, *f); return nil }
func (l *fakeLink) Reconnect()               { l.reconnects++ }

type rig struct {
	c      *client
	page   *fakePage
	link   *fakeLink
	events chan link.Event
	lines  chan string
	now    time.Time
}

func newRig() *rig {
	r := &rig{page: &fakePage{}, link: &fakeLink{}, events: make(chan link.Event, 16), lines: make(chan string, 4), now: time.Unix(1000, 0)}
	r.c = newClient(new(sync.Mutex), term.New(80, 6, 100), r.page, r.link, r.events, r.lines)
	r.c.now = func() time.Time { return r.now }
	return r
}

func (r *rig) frame(f wire.Frame) { r.events <- link.Event{Frame: &f} }
func (r *rig) state(s link.State, reason string, retryIn time.Duration) {
	r.events <- link.Event{State: s, Reason: reason, RetryAt: r.now.Add(retryIn)}
}

// step applies everything queued, then runs the timers, as Run would.
func (r *rig) step() {
	for {
		select {
		case ev := <-r.events:
			r.c.handle(ev)
			continue
		case line := <-r.lines:
			r.c.submit(line)
			continue
		default:
		}
		break
	}
	r.c.timers()
}

// tick is a step after the mirror interval, so the mirror is current.
func (r *rig) tick() {
	r.now = r.now.Add(time.Second)
	r.step()
}

func TestClientPlaysASession(t *testing.T) {
	r := newRig()
	r.state(link.Connecting, "", 0)
	r.state(link.Connected, "", 0)
	r.frame(wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnecting})
	r.tick()
	if r.page.state != "connecting" || !r.page.enabled {
		t.Fatalf("status %q %q, input enabled %v: want connecting to the game, input enabled", r.page.state, r.page.status, r.page.enabled)
	}
	r.frame(wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnected})
	r.frame(wire.Frame{Type: wire.TypeOutput, Data: []byte("\x1b[1;36mWelcome\x1b[0m\r\nName? ")})
	r.frame(wire.Frame{Type: wire.TypePrompt})
	r.tick()
	if r.page.state != "connected" {
		t.Fatalf("status %q, want connected", r.page.state)
	}
	if !strings.Contains(r.c.ScreenText(), "Welcome\nName?") || r.page.mirror != r.c.ScreenText() {
		t.Fatalf("screen %q, mirror %q: want the output on both", r.c.ScreenText(), r.page.mirror)
	}

	r.lines <- "Alice"
	r.tick()
	if n := len(r.link.sent); n != 1 || string(r.link.sent[0].Data) != "Alice" || r.link.sent[0].Type != wire.TypeLine {
		t.Fatalf("sent %+v, want one line Alice", r.link.sent)
	}
	if !strings.Contains(r.c.ScreenText(), "Name? Alice") {
		t.Fatalf("screen %q, want the line echoed locally", r.c.ScreenText())
	}

	// The game asks for a password: input is masked and not echoed.
	r.frame(wire.Frame{Type: wire.TypeEcho, Echo: true})
	r.frame(wire.Frame{Type: wire.TypeOutput, Data: []byte("Password: ")})
	r.tick()
	if !r.page.masked {
		t.Fatal("input not masked after echo on")
	}
	r.lines <- "hunter22"
	r.tick()
	if strings.Contains(r.c.ScreenText(), "hunter22") {
		t.Fatalf("screen %q shows the password", r.c.ScreenText())
	}
	r.frame(wire.Frame{Type: wire.TypeEcho, Echo: false})
	r.tick()
	if r.page.masked {
		t.Fatal("input still masked after echo off")
	}
}

func TestClientDisconnectAndReconnect(t *testing.T) {
	r := newRig()
	r.state(link.Connected, "", 0)
	r.frame(wire.Frame{Type: wire.TypeEcho, Echo: true})
	r.state(link.Waiting, "the gateway is restarting", 5*time.Second)
	r.step()
	if r.page.masked {
		t.Fatal("input still masked after the connection dropped")
	}
	if !strings.Contains(r.page.status, "Reconnecting in 5s") || r.page.state != "closed" {
		t.Fatalf("status %q %q, want a countdown from 5s", r.page.state, r.page.status)
	}
	r.now = r.now.Add(2 * time.Second)
	r.step()
	if !strings.Contains(r.page.status, "Reconnecting in 3s") {
		t.Fatalf("status %q, want the countdown at 3s", r.page.status)
	}
	r.lines <- "look"
	r.step()
	if r.link.reconnects != 1 || len(r.link.sent) != 0 {
		t.Fatalf("reconnects %d, sent %v: want Enter to reconnect and send nothing", r.link.reconnects, r.link.sent)
	}
	r.state(link.Closed, "the game closed the connection", 0)
	r.tick()
	if !strings.Contains(r.page.status, "Press Enter to reconnect") {
		t.Fatalf("status %q, want the reconnect hint", r.page.status)
	}
	if !strings.Contains(r.c.ScreenText(), "*** Disconnected: the game closed the connection.") {
		t.Fatalf("screen %q, want the notice", r.c.ScreenText())
	}
}

func TestClientSaysWhyOnce(t *testing.T) {
	r := newRig()
	r.state(link.Connected, "", 0)
	r.frame(wire.Frame{Type: wire.TypeStatus, Status: wire.StatusGatewayRestarting, Data: []byte("The gateway is restarting.")})
	r.state(link.Waiting, "The gateway is restarting.", time.Second)
	r.tick()
	if n := strings.Count(r.c.ScreenText(), "restarting"); n != 1 {
		t.Fatalf("screen %q says it %d times, want once", r.c.ScreenText(), n)
	}
	r.state(link.Connected, "", 0)
	r.state(link.Waiting, "connection lost", time.Second)
	r.tick()
	if !strings.Contains(r.c.ScreenText(), "*** Disconnected: connection lost.") {
		t.Fatalf("screen %q, want the link's own reason when the gateway gave none", r.c.ScreenText())
	}
}

func TestClientErrorFrameShown(t *testing.T) {
	r := newRig()
	r.state(link.Connected, "", 0)
	r.frame(wire.Frame{Type: wire.TypeOutput, Data: []byte("partial line")})
	r.frame(wire.Frame{Type: wire.TypeError, Code: wire.ErrorGameUnreachable, Data: []byte("The game is not answering.")})
	r.tick()
	want := "partial line\n*** The game is not answering."
	if !strings.Contains(r.c.ScreenText(), want) {
		t.Fatalf("screen %q, want %q on its own line", r.c.ScreenText(), want)
	}
}

func TestClientResizeDebounced(t *testing.T) {
	r := newRig()
	r.state(link.Connected, "", 0)
	r.step()
	r.c.Resized(100, 30)
	r.c.Resized(120, 40)
	r.step()
	if len(r.link.sent) != 0 {
		t.Fatalf("sent %+v at once, want the resize debounced", r.link.sent)
	}
	r.now = r.now.Add(resizeDebounce + time.Millisecond)
	r.step()
	if len(r.link.sent) != 1 || r.link.sent[0].Cols != 120 || r.link.sent[0].Rows != 40 {
		t.Fatalf("sent %+v, want one resize to 120x40", r.link.sent)
	}
	if f := r.c.OnConnect(); len(f) != 1 || f[0].Cols != 120 {
		t.Fatalf("OnConnect %+v, want the current size", f)
	}
}

func TestClientYieldsDuringAFlood(t *testing.T) {
	r := newRig()
	events := make(chan link.Event, 64)
	r.c.event = events
	yields := 0
	r.c.yield = func() { yields++ }
	chunk := []byte(strings.Repeat("x", 64<<10))
	for range 8 {
		events <- link.Event{Frame: &wire.Frame{Type: wire.TypeOutput, Data: chunk}}
	}
	close(events)
	r.c.Run(context.Background()) // returns when the events close
	if yields != 2 {
		t.Fatalf("yielded %d times for 512 KiB, want 2 (every 256 KiB)", yields)
	}
}

func TestClientLocalEchoKeepsGameColours(t *testing.T) {
	r := newRig()
	r.state(link.Connected, "", 0)
	r.frame(wire.Frame{Type: wire.TypeOutput, Data: []byte("\x1b[32m> ")})
	r.tick()
	r.lines <- "look\x1b[2J"
	r.tick()
	r.frame(wire.Frame{Type: wire.TypeOutput, Data: []byte("green")})
	r.tick()
	if !strings.Contains(r.c.ScreenText(), "> look[2J") {
		t.Fatalf("screen %q, want the echo after the prompt with control characters dropped", r.c.ScreenText())
	}
	var g term.Cell
	for x := range 80 {
		if c := r.c.term.Cell(x, 1); c.Rune == 'g' {
			g = c
			break
		}
	}
	if g.FG != term.Green || g.Attr != 0 {
		t.Fatalf("game text after the echo is %v %v, want the game's green kept", g.FG, g.Attr)
	}
}

func TestClientLineWhileConnecting(t *testing.T) {
	r := newRig()
	r.state(link.Connecting, "", 0)
	r.lines <- "north"
	r.tick()
	if len(r.link.sent) != 0 || !strings.Contains(r.c.ScreenText(), "Not connected yet") {
		t.Fatalf("sent %v, screen %q: want nothing sent and the player told", r.link.sent, r.c.ScreenText())
	}
}

func TestClientSendsEndedSessionsToLogin(t *testing.T) {
	r := newRig()
	r.state(link.Connected, "", 0)
	r.events <- link.Event{State: link.Closed, Reason: "You logged out.", Login: true}
	r.tick()
	if r.page.login != "You logged out." {
		t.Fatalf("sent to login with %q, want the reason", r.page.login)
	}
}
