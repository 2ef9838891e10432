package main

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/drawbridge/drawbridge/shared/wire"
	"github.com/drawbridge/drawbridge/wasmclient/link"
	"github.com/drawbridge/drawbridge/wasmclient/term"
)

// page is what the client needs of the web page (dom.Page in the browser,
// a fake in tests).
type page interface {
	SetStatus(state, text string)
	SetMasked(on bool)
	Masked() bool
	SetInputEnabled(on bool)
	SetMirror(text string)
}

// linker is what the client needs of the link to the gateway.
type linker interface {
	Send(f *wire.Frame) error
	Reconnect()
}

// Budgets that keep the page responsive: a flood of output is applied a
// slice per frame, so drawing and typing continue while it arrives.
const (
	bytesPerTick   = 256 << 10
	resizeDebounce = 150 * time.Millisecond // let a window drag settle before telling the game
	mirrorInterval = 250 * time.Millisecond // how often the text mirror follows the screen
)

// client is the controller between the link, the terminal and the page.
// Every method except Size, OnConnect, ScreenText and Status runs on the
// Ebitengine loop.
type client struct {
	term  *term.Terminal
	page  page
	link  linker
	now   func() time.Time
	event <-chan link.Event
	lines <-chan string

	state   link.State
	reason  string
	retryAt time.Time

	statusMu    sync.Mutex
	statusState string // what the status line shows, to skip redundant updates
	statusText  string

	lastNotice string // the last notice written into the terminal

	size        atomic.Uint32 // cols<<16 | rows, read by the link's goroutine
	resizeAt    time.Time     // when to send a pending resize; zero when none
	mirrorAt    time.Time
	mirrorDirty bool

	mu   sync.Mutex
	text string // the screen's text as of the last mirror update
}

func newClient(t *term.Terminal, p page, l linker, events <-chan link.Event, lines <-chan string) *client {
	c := &client{term: t, page: p, link: l, now: time.Now, event: events, lines: lines}
	cols, rows := t.Size()
	c.size.Store(uint32(cols)<<16 | uint32(rows))
	return c
}

// Tick applies what arrived since the last frame, within a budget.
func (c *client) Tick() {
	budget := bytesPerTick
	for budget > 0 {
		select {
		case ev, ok := <-c.event:
			if !ok {
				return
			}
			budget -= c.handle(ev)
			continue
		default:
		}
		break
	}
	for {
		select {
		case line := <-c.lines:
			c.submit(line)
			continue
		default:
		}
		break
	}
	now := c.now()
	if !c.resizeAt.IsZero() && now.After(c.resizeAt) {
		c.resizeAt = time.Time{}
		f := c.sizeFrame()
		c.link.Send(&f) // fails only while disconnected; OnConnect resends
	}
	if c.state == link.Waiting {
		c.showStatus() // the countdown
	}
	if c.mirrorDirty && now.After(c.mirrorAt) {
		c.mirrorDirty = false
		c.mirrorAt = now.Add(mirrorInterval)
		text := c.term.Text()
		c.mu.Lock()
		c.text = text
		c.mu.Unlock()
		c.page.SetMirror(text)
	}
}

// handle applies one event and returns the bytes of output it wrote.
func (c *client) handle(ev link.Event) int {
	if ev.Frame == nil {
		c.state, c.reason, c.retryAt = ev.State, ev.Reason, ev.RetryAt
		switch ev.State {
		case link.Connected:
			c.page.SetInputEnabled(true)
		case link.Waiting, link.Closed:
			c.page.SetMasked(false)
			if ev.Reason != c.lastNotice { // the gateway may have said it already
				c.notice("Disconnected: " + strings.TrimSuffix(ev.Reason, ".") + ".")
			}
		}
		c.showStatus()
		return 0
	}
	f := ev.Frame
	switch f.Type {
	case wire.TypeOutput:
		c.term.Write(f.Data)
		c.mirrorDirty = true
		return len(f.Data)
	case wire.TypeEcho:
		c.page.SetMasked(f.Echo)
	case wire.TypeStatus:
		switch f.Status {
		case wire.StatusConnecting:
			c.setStatus("connecting", "Connecting to the game…")
		case wire.StatusConnected:
			c.setStatus("connected", "Connected")
		default:
			c.notice(string(f.Data))
		}
	case wire.TypeError:
		c.notice(string(f.Data))
	case wire.TypePrompt:
		// The output before it is already on screen; nothing to flush.
	}
	return 0
}

// notice writes a message from the gateway or the client into the
// terminal, on a line of its own, in a colour the game does not use for
// itself.
func (c *client) notice(msg string) {
	if msg == "" {
		return
	}
	c.lastNotice = msg
	if x, _, _ := c.term.Cursor(); x > 0 {
		c.term.WriteString("\r\n")
	}
	c.term.WriteString("\x1b[0;1;33m*** " + msg + "\x1b[0m\r\n")
	c.mirrorDirty = true
}

// showStatus shows the link's state in the status line.
func (c *client) showStatus() {
	state, text := "connecting", "Connecting to the gateway…"
	switch c.state {
	case link.Connected:
		state, text = "connecting", "Connected to the gateway"
	case link.Waiting:
		secs := int(c.retryAt.Sub(c.now()).Seconds() + 0.999)
		state, text = "closed", fmt.Sprintf("Disconnected (%s). Reconnecting in %ds… press Enter to retry now", c.reason, max(secs, 0))
	case link.Closed:
		state, text = "closed", fmt.Sprintf("Disconnected (%s). Press Enter to reconnect", c.reason)
	}
	c.setStatus(state, text)
}

// setStatus updates the status line when it changes.
func (c *client) setStatus(state, text string) {
	c.statusMu.Lock()
	changed := state != c.statusState || text != c.statusText
	c.statusState, c.statusText = state, text
	c.statusMu.Unlock()
	if changed {
		c.page.SetStatus(state, text)
	}
}

// Status returns the status line's state and text; safe from any goroutine.
func (c *client) Status() (state, text string) {
	c.statusMu.Lock()
	defer c.statusMu.Unlock()
	return c.statusState, c.statusText
}

// submit sends a line the player entered, or reconnects when the link is
// down (the line itself is not kept for the next session).
func (c *client) submit(line string) {
	if c.state == link.Closed || c.state == link.Waiting {
		c.link.Reconnect()
		return
	}
	if c.state != link.Connected {
		return
	}
	if err := c.link.Send(&wire.Frame{Type: wire.TypeLine, Data: []byte(line)}); err != nil {
		c.notice("Could not send that line: " + err.Error())
		return
	}
	if !c.page.Masked() {
		// Local echo, dimmed, as MUD clients do: the game does not echo
		// what the player typed.
		c.term.WriteString("\x1b[0;2m" + line + "\x1b[0m\r\n")
		c.mirrorDirty = true
	}
}

// Resized records the grid's new size and schedules telling the game.
func (c *client) Resized(cols, rows int) {
	c.size.Store(uint32(cols)<<16 | uint32(rows))
	c.resizeAt = c.now().Add(resizeDebounce)
}

// Size returns the grid's size; safe from any goroutine.
func (c *client) Size() (cols, rows int) {
	v := c.size.Load()
	return int(v >> 16), int(v & 0xffff)
}

// OnConnect returns the frames every new connection starts with: the
// terminal's size, for NAWS. It runs on the link's goroutine.
func (c *client) OnConnect() []wire.Frame { return []wire.Frame{c.sizeFrame()} }

func (c *client) sizeFrame() wire.Frame {
	cols, rows := c.Size()
	return wire.Frame{Type: wire.TypeResize, Cols: min(cols, wire.MaxCols), Rows: min(rows, wire.MaxRows)}
}

// ScreenText returns the screen's text as of the last mirror update; safe
// from any goroutine (tests call it through JavaScript).
func (c *client) ScreenText() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.text
}
