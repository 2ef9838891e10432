package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/shared/wire"
	"github.com/drawbridge/drawbridge/wasmclient/dom"
	"github.com/drawbridge/drawbridge/wasmclient/gmcp"
	"github.com/drawbridge/drawbridge/wasmclient/link"
	"github.com/drawbridge/drawbridge/wasmclient/term"
)

type fakePage struct {
	state, status string
	masked        bool
	enabled       bool
	mirror        string
	login         string // the reason the page was sent to the login
	charMode      bool
	announced     []string
	settings      dom.Settings
	room          string // name, area and exits joined with |
}

func (p *fakePage) ToLogin(reason string) { p.login = reason }

func (p *fakePage) SetStatus(state, text string) { p.state, p.status = state, text }
func (p *fakePage) SetMasked(on bool)            { p.masked = on }
func (p *fakePage) Masked() bool                 { return p.masked }
func (p *fakePage) SetInputEnabled(on bool)      { p.enabled = on }
func (p *fakePage) SetMirror(text string)        { p.mirror = text }
func (p *fakePage) SetCharMode(on bool)          { p.charMode = on }
func (p *fakePage) Announce(text string)         { p.announced = append(p.announced, text) }
func (p *fakePage) Settings() dom.Settings       { return p.settings }
func (p *fakePage) SetRoom(name, area string, exits []string) {
	p.room = name + "|" + area + "|" + strings.Join(exits, ",")
}

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
	r := &rig{page: &fakePage{settings: dom.DefaultSettings()}, link: &fakeLink{}, events: make(chan link.Event, 16), lines: make(chan string, 4), now: time.Unix(1000, 0)}
	r.c = newClient(new(sync.Mutex), term.New(80, 6, 100), r.page, r.link, r.events, r.lines)
	r.c.now = func() time.Time { return r.now }
	return r
}

func (r *rig) frame(f wire.Frame) { r.events <- link.Event{Frame: &f} }
func (r *rig) output(s string)    { r.frame(wire.Frame{Type: wire.TypeOutput, Data: []byte(s)}) }

// sentLines returns the data of the frames of type typ sent so far.
func (r *rig) sent(typ wire.Type) []string {
	var out []string
	for _, f := range r.link.sent {
		if f.Type == typ {
			out = append(out, string(f.Data))
		}
	}
	return out
}
func (r *rig) state(s link.State, reason string, retryIn time.Duration) {
	r.events <- link.Event{State: s, Reason: reason, RetryAt: r.now.Add(retryIn)}
}

// step applies everything queued, then runs the timers, as Run would
// (which also shows a line the triggers hold once no frame waits).
func (r *rig) step() {
	for {
		select {
		case ev := <-r.events:
			r.c.handle(ev)
			if len(r.events) == 0 {
				r.c.flushHeld()
			}
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
	r.state(link.Waiting, link.ReasonRestarting, 5*time.Second)
	r.step()
	if r.page.masked {
		t.Fatal("input still masked after the connection dropped")
	}
	if !strings.Contains(r.page.status, "Reconnecting in 5 seconds") || r.page.state != "closed" {
		t.Fatalf("status %q %q, want a countdown from 5s", r.page.state, r.page.status)
	}
	r.now = r.now.Add(2 * time.Second)
	r.step()
	if !strings.Contains(r.page.status, "Reconnecting in 3 seconds") {
		t.Fatalf("status %q, want the countdown at 3s", r.page.status)
	}
	r.lines <- "look"
	r.step()
	if r.link.reconnects != 1 || len(r.link.sent) != 0 {
		t.Fatalf("reconnects %d, sent %v: want Enter to reconnect and send nothing", r.link.reconnects, r.link.sent)
	}
	r.state(link.Closed, link.ReasonGameClosed, 0)
	r.tick()
	if !strings.Contains(r.page.status, "Press Enter to reconnect") {
		t.Fatalf("status %q, want the reconnect hint", r.page.status)
	}
	if !strings.Contains(r.c.ScreenText(), "*** Disconnected: The game closed the connection.") {
		t.Fatalf("screen %q, want the notice", r.c.ScreenText())
	}
}

func TestClientSaysWhyOnce(t *testing.T) {
	r := newRig()
	r.state(link.Connected, "", 0)
	r.frame(wire.Frame{Type: wire.TypeStatus, Status: wire.StatusGatewayRestarting, Data: []byte("The gateway is restarting.")})
	r.state(link.Waiting, link.ReasonRestarting, time.Second)
	r.tick()
	if n := strings.Count(r.c.ScreenText(), "restarting"); n != 1 {
		t.Fatalf("screen %q says it %d times, want once", r.c.ScreenText(), n)
	}
	r.state(link.Connected, "", 0)
	r.state(link.Waiting, link.ReasonLost, time.Second)
	r.tick()
	if !strings.Contains(r.c.ScreenText(), "*** Disconnected: Connection lost.") {
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

func TestClientStacksCommands(t *testing.T) {
	r := newRig()
	r.state(link.Connected, "", 0)
	r.step() // events and lines are taken in any order within a step
	r.lines <- "n;;e;;look"
	r.tick()
	if got := r.sent(wire.TypeLine); strings.Join(got, "|") != "n|e|look" {
		t.Fatalf("sent %q, want three commands", got)
	}
	if !strings.Contains(r.c.ScreenText(), "n;;e;;look") {
		t.Fatalf("screen %q, want the typed line echoed once", r.c.ScreenText())
	}
	// A password is never split, nor echoed.
	r.link.sent = nil
	r.frame(wire.Frame{Type: wire.TypeEcho, Echo: true})
	r.step()
	r.lines <- "pa;;ss"
	r.tick()
	if got := r.sent(wire.TypeLine); len(got) != 1 || got[0] != "pa;;ss" {
		t.Fatalf("sent %q, want the password whole", got)
	}
	// Local echo off: nothing written.
	r.frame(wire.Frame{Type: wire.TypeEcho, Echo: false})
	r.step()
	r.page.settings.LocalEcho = false
	r.lines <- "quietly"
	r.tick()
	if strings.Contains(r.c.ScreenText(), "quietly") {
		t.Fatalf("screen %q, want no local echo", r.c.ScreenText())
	}
}

func TestClientCharacterMode(t *testing.T) {
	r := newRig()
	r.state(link.Connected, "", 0)
	// A password prompt: echo without a full-screen program stays a line.
	r.frame(wire.Frame{Type: wire.TypeEcho, Echo: true})
	r.tick()
	if r.page.charMode || !r.page.masked {
		t.Fatalf("char mode %v masked %v, want a masked line for a password", r.page.charMode, r.page.masked)
	}
	// The game switches to the alternate screen while it echoes: keys.
	r.output("\x1b[?1049h\x1b[?1h\x1b[2;2H@")
	r.tick()
	if !r.page.charMode || r.page.masked {
		t.Fatalf("char mode %v masked %v, want character mode, not masked", r.page.charMode, r.page.masked)
	}
	keys := make(chan dom.KeyEvent, 4)
	r.c.keys = keys
	r.c.key(dom.KeyEvent{Key: "ArrowUp"})
	r.c.key(dom.KeyEvent{Text: "q"})
	if got := r.sent(wire.TypeKeys); strings.Join(got, "|") != "\x1bOA|q" {
		t.Fatalf("sent keys %q, want the application-mode arrow then q", got)
	}
	// Leaving the alternate screen ends it, even before the echo does.
	r.output("\x1b[?1049l")
	r.frame(wire.Frame{Type: wire.TypeEcho, Echo: false})
	r.tick()
	if r.page.charMode || r.page.masked {
		t.Fatalf("char mode %v masked %v after the program ended", r.page.charMode, r.page.masked)
	}
	r.c.key(dom.KeyEvent{Key: "a"})
	if got := r.sent(wire.TypeKeys); len(got) != 2 {
		t.Fatalf("a key after character mode ended was sent: %q", got)
	}
	// A drop ends character mode too.
	r.frame(wire.Frame{Type: wire.TypeEcho, Echo: true})
	r.output("\x1b[?1049h")
	r.tick()
	r.state(link.Waiting, link.ReasonLost, time.Second)
	r.tick()
	if r.page.charMode {
		t.Fatal("still in character mode after the connection dropped")
	}
}

func TestClientAnnouncesOutputOnce(t *testing.T) {
	r := newRig()
	r.page.settings.Announce = true
	r.state(link.Connected, "", 0)
	r.output("You are in a room.\r\n> ")
	r.frame(wire.Frame{Type: wire.TypePrompt})
	r.tick()
	r.lines <- "look"
	r.tick()
	r.output("A quiet room.\r\n")
	r.tick()
	r.tick()
	got := strings.Join(r.page.announced, "|")
	if got != "You are in a room.\n>|A quiet room." {
		t.Fatalf("announced %q, want each line once and not the player's own command", got)
	}
	// Off: nothing is read, and turning it back on does not read the past.
	r.page.settings.Announce = false
	r.output("missed\r\n")
	r.tick()
	r.page.settings.Announce = true
	r.output("heard\r\n")
	r.tick()
	if last := r.page.announced[len(r.page.announced)-1]; last != "heard" || len(r.page.announced) != 3 {
		t.Fatalf("announced %q, want only heard after turning it back on", r.page.announced)
	}
}

func TestClientShowsGMCP(t *testing.T) {
	r := newRig()
	var vitals []gmcp.Vital
	r.c.vitals = func(v []gmcp.Vital) { vitals = v }
	r.state(link.Connected, "", 0)
	r.frame(wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnecting})
	r.frame(wire.Frame{Type: wire.TypeGMCP, Data: []byte(`Char.Vitals {"hp":"45","maxhp":"60"}`)})
	r.frame(wire.Frame{Type: wire.TypeGMCP, Data: []byte(`Room.Info {"num":1,"name":"The Gatehouse","area":"Castle","exits":{"s":0,"n":2}}`)})
	r.frame(wire.Frame{Type: wire.TypeGMCP, Data: []byte(`Room.Info {"name":`)}) // malformed: ignored
	r.frame(wire.Frame{Type: wire.TypeGMCP, Data: []byte(`Some.Unknown {"x":1}`)})
	r.tick()
	if len(vitals) != 1 || vitals[0].Name != "HP" || vitals[0].Value != 45 || vitals[0].Max != 60 {
		t.Fatalf("vitals %+v, want HP 45/60", vitals)
	}
	if r.page.room != "The Gatehouse|Castle|n,s" {
		t.Fatalf("room panel %q", r.page.room)
	}
	if got := r.sent(wire.TypeGMCPIn); len(got) != 1 || !strings.HasPrefix(got[0], "Core.Supports.Add") {
		t.Fatalf("sent GMCP %q, want the client's supports once", got)
	}
	// A fresh game connection clears both and asks again.
	r.frame(wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnecting})
	r.tick()
	if vitals != nil || r.page.room != "||" {
		t.Fatalf("after a new game connection vitals %+v, room %q; want both cleared", vitals, r.page.room)
	}
	r.frame(wire.Frame{Type: wire.TypeGMCP, Data: []byte(`Char.Vitals {"hp":1,"maxhp":2}`)})
	r.tick()
	if got := r.sent(wire.TypeGMCPIn); len(got) != 2 {
		t.Fatalf("sent GMCP %q, want the supports again on the new connection", got)
	}
}

func TestClientLeavesAFullScreenProgramWhenTheGameConnectionEnds(t *testing.T) {
	r := newRig()
	r.state(link.Connected, "", 0)
	r.output("line one\r\n\x1b[?1049h\x1b[?1h\x1b[?25l\x1b[5;5Hmap")
	r.tick()
	r.state(link.Waiting, link.ReasonLost, time.Second)
	r.tick()
	if !r.c.term.Modes().AltScreen {
		t.Fatal("left the program's screen on a drop that may still resume")
	}
	r.state(link.Closed, link.ReasonGameClosed, 0)
	r.tick()
	m := r.c.term.Modes()
	if m.AltScreen || m.AppCursor {
		t.Fatalf("modes %+v after the game connection ended, want the main screen and normal keys", m)
	}
	if _, _, visible := r.c.term.Cursor(); !visible {
		t.Fatal("the cursor stayed hidden")
	}
	if s := r.c.ScreenText(); !strings.Contains(s, "line one") || !strings.Contains(s, "Disconnected: The game closed the connection.") {
		t.Fatalf("screen %q, want the main screen with the notice", s)
	}
}

func TestClientYieldsAfterItsTimeSlice(t *testing.T) {
	r := newRig()
	events := make(chan link.Event, 64)
	r.c.event = events
	// Each 4 KiB takes 3 ms here: a slow machine. The client must let
	// the page draw every sliceTime, long before sliceBytes.
	r.c.now = func() time.Time { r.now = r.now.Add(3 * time.Millisecond); return r.now }
	yields, wakes := 0, 0
	r.c.yield = func() { yields++ }
	r.c.wake = func() { wakes++ }
	chunk := []byte(strings.Repeat("y", 4<<10))
	for range 30 {
		events <- link.Event{Frame: &wire.Frame{Type: wire.TypeOutput, Data: chunk}}
	}
	close(events)
	r.c.Run(context.Background())
	if yields < 8 || yields > 15 {
		t.Fatalf("yielded %d times for 30 chunks of 3 ms, want about one every %v", yields, sliceTime)
	}
	if wakes != 30 {
		t.Fatalf("asked for a frame %d times, want once per output frame", wakes)
	}
}

// chanLink records sent frames on a channel, for tests that run Run.
type chanLink struct{ sent chan wire.Frame }

func (l chanLink) Send(f *wire.Frame) error { l.sent <- *f; return nil }
func (l chanLink) Reconnect()               {}

func TestClientRunSendsADebouncedResize(t *testing.T) {
	r := newRig()
	l := chanLink{sent: make(chan wire.Frame, 4)}
	r.c.link = l
	r.c.now = time.Now
	r.c.state = link.Connected
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		r.c.Run(ctx)
		close(done)
	}()
	defer func() {
		cancel()
		<-done
	}()
	// The timer has stopped by now (nothing due); a resize must start it.
	time.Sleep(3 * timerInterval)
	r.c.Resized(100, 40)
	select {
	case f := <-l.sent:
		if f.Type != wire.TypeResize || f.Cols != 100 || f.Rows != 40 {
			t.Fatalf("sent %+v, want the new size", f)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the resize was never sent")
	}
}

// TestClientSaysWhenTheGameConnectionWasLost: back after a drop to a
// gateway that could not resume (the node holding the game connection
// is gone), the player is told the game starts anew.
func TestClientSaysWhenTheGameConnectionWasLost(t *testing.T) {
	r := newRig()
	r.state(link.Connected, "", 0)
	r.frame(wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnecting})
	r.output("Welcome\r\n")
	r.tick()
	if strings.Contains(r.c.ScreenText(), "could not be kept") {
		t.Fatalf("a first connection says the game connection was lost: %q", r.c.ScreenText())
	}
	f := wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnecting}
	r.events <- link.Event{Frame: &f, Lost: true}
	r.tick()
	if !strings.Contains(r.c.ScreenText(), "*** Your game connection could not be kept") {
		t.Fatalf("screen %q, want the notice that the game starts anew", r.c.ScreenText())
	}
}
