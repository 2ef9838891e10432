package main

import (
	"context"
	"fmt"
	"image/color"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/drawbridge/drawbridge/shared/i18n"
	"github.com/drawbridge/drawbridge/shared/wire"
	"github.com/drawbridge/drawbridge/wasmclient/automation"
	"github.com/drawbridge/drawbridge/wasmclient/dom"
	"github.com/drawbridge/drawbridge/wasmclient/gamelog"
	"github.com/drawbridge/drawbridge/wasmclient/gmcp"
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
	// ToLogin sends the player to the front door, saying why.
	ToLogin(reason string)
	// SetCharMode switches the command line to sending keys as they are
	// pressed (and shows the key bar), or back to lines.
	SetCharMode(on bool)
	// Announce has screen readers speak text (the live region).
	Announce(text string)
	// Settings returns the player's current settings.
	Settings() dom.Settings
	// SetRoom shows the room panel (GMCP Room.Info); an empty name
	// hides it.
	SetRoom(name, area string, exits []string)
}

// linker is what the client needs of the link to the gateway.
type linker interface {
	Send(f *wire.Frame) error
	Reconnect()
}

const (
	// A flood is applied a slice at a time, then the client lets the
	// page draw (yield): a slice ends after sliceTime of work or
	// sliceBytes of output, whichever comes first. The time bound keeps
	// frames coming on a slow machine (a browser gives the page about
	// 16 ms a frame); the byte bound keeps a slice small where the clock
	// is coarse.
	sliceBytes     = 256 << 10
	sliceTime      = 8 * time.Millisecond
	timerInterval  = 100 * time.Millisecond // status countdown, resize and mirror checks, while any is due
	resizeDebounce = 150 * time.Millisecond // let a window drag settle before telling the game
	mirrorInterval = 250 * time.Millisecond // how often the text mirror follows the screen
)

// client is the controller between the link, the terminal and the page.
//
// Run applies the gateway's frames to the terminal in its own goroutine,
// not in Ebitengine's frame callback: browsers stop animation frames in
// background tabs, and output must still be consumed there (a phone in a
// pocket keeps its game going), with memory bounded by the scrollback
// rather than by a queue. The terminal is shared with the drawing under
// termMu.
type client struct {
	// msg is the catalogue of the page's language: every word the client
	// shows comes from it.
	msg *i18n.Catalog

	termMu *sync.Mutex
	term   *term.Terminal
	page   page
	link   linker
	now    func() time.Time
	yield  func()        // lets the page draw between slices of a flood
	wake   func()        // asks for a frame: the terminal changed
	poke   chan struct{} // wakes Run from another goroutine (a resize)
	event  <-chan link.Event
	lines  <-chan string
	keys   <-chan dom.KeyEvent // keys pressed in character mode; nil when none come
	// vitals receives the character's gauges (GMCP Char.Vitals) whenever
	// they change, nil when a new game connection starts; it must not
	// block. nil: not shown.
	vitals func([]gmcp.Vital)

	// The player's automation (package automation) and log (package
	// gamelog); all optional.
	//
	// auto returns the engine in force (nil: none), on Run's goroutine.
	auto func() *automation.Engine
	// macros are the key combinations pressed in the command line that
	// a macro takes (automation.Combo form).
	macros <-chan string
	// commands are what the game's links and buttons send (dom's
	// Commands): each one line, as it is.
	commands <-chan string
	// played plays a trigger's sound; notified shows a trigger's
	// notification (when the page is hidden). Must not block.
	played, notified func(string)
	// log keeps what was shown of the game's output, the prompt marks
	// and the commands sent (never while the game masks input).
	log *sessionLog
	// stream runs the triggers on the output; made by Run.
	stream *automation.Stream

	// Owned by Run's goroutine.
	state       link.State
	reason      string // a link.Reason* key (or a login reason code)
	reasonArgs  []any
	lastReason  string // the link.Reason* of the last frame that explained an end, told already
	retryAt     time.Time
	lastNotice  string // the last notice written into the terminal
	mirrorAt    time.Time
	mirrorDirty bool
	echo        bool // the game echoes (it asked for a password, or runs a full-screen program)
	charMode    bool // keys go to the game as they are pressed
	ann         announcer
	annDirty    bool // output arrived since the last announcement
	prompt      bool // a prompt arrived since the last announcement
	gmcp        gmcp.State
	gmcpAsked   bool // the client told this game connection what GMCP it shows

	applied  atomic.Uint64 // bytes of game output written to the terminal
	parseNs  atomic.Int64  // time spent writing game output to the terminal
	size     atomic.Uint32 // cols<<16 | rows
	resizeAt atomic.Int64  // unix nanoseconds when a pending resize is sent; 0 when none

	statusMu    sync.Mutex
	statusState string // what the status line shows, to skip redundant updates
	statusText  string

	textMu sync.Mutex
	text   string // the screen's text as of the last mirror update
}

func newClient(mu *sync.Mutex, t *term.Terminal, p page, l linker, events <-chan link.Event, lines <-chan string) *client {
	c := &client{msg: i18n.For(i18n.Source), termMu: mu, term: t, page: p, link: l, now: time.Now, yield: func() {}, wake: func() {}, poke: make(chan struct{}, 1), event: events, lines: lines}
	cols, rows := t.Size()
	c.size.Store(uint32(cols)<<16 | uint32(rows))
	return c
}

// Run applies events and lines until ctx ends or the link's events close.
func (c *client) Run(ctx context.Context) {
	// The timer runs only while something is due (a countdown, a
	// resize, the mirror, an announcement): an idle client wakes nothing.
	t := time.NewTimer(timerInterval)
	defer t.Stop()
	armed := true
	arm := func() {
		if !armed && c.pending() {
			t.Reset(timerInterval)
			armed = true
		}
	}
	var (
		applied int       // bytes in the current slice
		started time.Time // when the current slice started
	)
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-c.event:
			if !ok {
				return
			}
			if applied == 0 {
				started = c.now()
			}
			applied += c.handle(ev)
			if len(c.event) == 0 {
				c.flushHeld() // every frame held is applied: a line cut between frames shows now
			}
			if applied >= sliceBytes || (applied > 0 && c.now().Sub(started) >= sliceTime) {
				applied = 0
				c.flushHeld()
				c.yield()
			}
		case line := <-c.lines:
			c.submit(line)
		case combo := <-c.macros:
			c.macro(combo)
		case cmd := <-c.commands:
			c.command(cmd)
		case k := <-c.keys:
			c.key(k)
		case <-c.poke:
		case <-t.C:
			armed = false
			c.timers()
		}
		arm()
	}
}

// pending reports whether timers has something to do now or soon.
func (c *client) pending() bool {
	return c.state == link.Waiting || c.resizeAt.Load() != 0 || c.mirrorDirty || c.annDirty || c.prompt
}

// timers does what is due: a debounced resize, the reconnect countdown,
// the text mirror.
func (c *client) timers() {
	now := c.now()
	if at := c.resizeAt.Load(); at != 0 && now.UnixNano() >= at {
		c.resizeAt.Store(0)
		c.mirrorDirty = true // the screen was laid out anew (reflowed)
		f := c.sizeFrame()
		c.link.Send(&f) // fails only while disconnected; OnConnect resends
	}
	if c.state == link.Waiting {
		c.showStatus()
	}
	if c.annDirty || c.prompt {
		c.announce()
	}
	if c.mirrorDirty && !now.Before(c.mirrorAt) {
		c.mirrorDirty = false
		c.mirrorAt = now.Add(mirrorInterval)
		c.termMu.Lock()
		text := c.term.Text()
		c.termMu.Unlock()
		c.textMu.Lock()
		c.text = text
		c.textMu.Unlock()
		c.page.SetMirror(text)
	}
}

// handle applies one event and returns the bytes of output it wrote.
func (c *client) handle(ev link.Event) int {
	if ev.Frame == nil {
		c.state, c.reason, c.reasonArgs, c.retryAt = ev.State, ev.Reason, ev.ReasonArgs, ev.RetryAt
		if ev.Detail != "" && c.lastReason == "" {
			fmt.Println("drawbridge client: the gateway said:", ev.Detail)
		}
		switch ev.State {
		case link.Connected:
			c.page.SetInputEnabled(true)
		case link.Waiting, link.Closed:
			c.echo = false
			c.setMode(false)
			if ev.State == link.Closed {
				c.resetScreen() // no resume will continue a full-screen program
			}
			if ev.Login {
				c.page.ToLogin(ev.Reason)
				return 0
			}
			if ev.Reason != c.lastReason { // the gateway may have said it already
				c.notice(c.msg.T("client.disconnected", "reason", c.msg.T(ev.Reason, ev.ReasonArgs...)))
			}
			c.lastReason = ""
		}
		c.showStatus()
		return 0
	}
	f := ev.Frame
	switch f.Type {
	case wire.TypeOutput:
		t0 := time.Now()
		c.output(f.Data)
		c.parseNs.Add(int64(time.Since(t0)))
		c.applied.Add(uint64(len(f.Data)))
		return len(f.Data)
	case wire.TypeEcho:
		c.echo = f.Echo
		c.termMu.Lock()
		alt := c.term.Modes().AltScreen
		c.termMu.Unlock()
		c.setMode(alt)
	case wire.TypeStatus:
		switch f.Status {
		case wire.StatusConnecting:
			c.setStatus("connecting", c.msg.T("client.status.connecting_game"))
			c.resetGMCP() // a fresh game connection: what the last one said is over
			c.resetScreen()
			if ev.Lost {
				c.notice(c.msg.T("client.notice.session_lost"))
			}
		case wire.StatusConnected:
			c.setStatus("connected", c.msg.T("client.status.connected"))
		default:
			c.frameNotice(f)
		}
	case wire.TypeResumed:
		c.setStatus("connected", c.msg.T("client.status.connected"))
		if ev.Missed > 0 {
			c.notice(c.msg.T("client.notice.resumed_lost"))
		} else {
			c.notice(c.msg.T("client.notice.resumed"))
		}
	case wire.TypeError:
		c.frameNotice(f)
	case wire.TypeGMCP:
		c.applyGMCP(f.Data)
	case wire.TypePrompt:
		// The output before it is already on screen; the prompt is read
		// out while its line is still open.
		c.flushHeld()
		if c.log != nil {
			c.log.Prompt()
		}
		c.prompt = true
	}
	return 0
}

// output shows the game's output: through the triggers, into the log
// and onto the terminal.
func (c *client) output(p []byte) {
	var e *automation.Engine
	if c.auto != nil {
		e = c.auto()
	}
	if e == nil && (c.stream == nil || len(c.stream.Held()) == 0) {
		c.show(p) // no triggers: the stream's work is skipped
		return
	}
	if c.stream == nil {
		c.stream = automation.NewStream(e)
		c.stream.Fire = c.fired
	}
	c.stream.SetEngine(e)
	c.showPieces(c.stream.Write(p))
}

// flushHeld shows the part of a line the triggers hold (see
// automation.Stream).
func (c *client) flushHeld() {
	if c.stream == nil {
		return
	}
	c.showPieces(c.stream.Flush())
}

// show writes output to the log and the terminal.
func (c *client) show(p []byte) {
	if c.log != nil {
		c.log.Write(p)
	}
	c.termMu.Lock()
	c.term.Write(p)
	alt := c.term.Modes().AltScreen
	c.termMu.Unlock()
	c.shown(alt)
}

// showPieces writes what the triggers passed on to the log and the
// terminal, each piece under its highlight.
func (c *client) showPieces(ps []automation.Piece) {
	if len(ps) == 0 {
		return
	}
	if c.log != nil {
		c.log.WritePieces(ps)
	}
	c.termMu.Lock()
	for _, p := range ps {
		c.term.SetHighlight(highlightOf(p.Paint))
		c.term.Write(p.Bytes)
	}
	c.term.SetHighlight(term.Highlight{})
	alt := c.term.Modes().AltScreen
	c.termMu.Unlock()
	c.shown(alt)
}

// highlightOf is a trigger's highlight as the terminal lays it.
func highlightOf(p automation.Paint) term.Highlight {
	side := func(c color.RGBA) term.Color {
		if c.A == 0 {
			return term.DefaultColor
		}
		return term.RGB(c.R, c.G, c.B)
	}
	return term.Highlight{On: p.On, FG: side(p.FG), BG: side(p.BG)}
}

// fired does what a line's triggers asked besides colouring and hiding
// it: send commands (never while the game masks input: a trigger must
// not type into a password prompt), play sounds, notify, and say on
// screen when commands were cut.
func (c *client) fired(r *automation.Result) {
	if !c.page.Masked() && !c.charMode {
		for _, cmd := range r.Commands {
			c.send(cmd, false)
		}
	}
	for _, s := range r.Sounds {
		if c.played != nil {
			c.played(s)
		}
	}
	for _, n := range r.Notifications {
		if c.notified != nil {
			c.notified(n)
		}
	}
	for _, cut := range r.Cuts {
		c.notice(c.msg.T("client.notice.trigger_cut", "trigger", cut.Trigger, "n", cut.Commands, "why", automation.Localize(c.msg, cut.Reason)))
	}
}

// macro sends the commands of the macro on a key combination.
func (c *client) macro(combo string) {
	if c.auto == nil || c.page.Masked() || c.charMode {
		return
	}
	e := c.auto()
	if e == nil {
		return
	}
	cmds, ok, err := e.Key(combo)
	if !ok {
		return
	}
	if err != nil {
		c.notice(c.msg.T("client.notice.key_failed", "key", combo, "why", why(c.msg, err)))
		return
	}
	if c.state != link.Connected {
		c.notice(c.msg.T("client.notice.key_not_connected"))
		return
	}
	for _, cmd := range cmds {
		if !c.send(cmd, true) {
			return
		}
	}
}

// command sends one command from the game's links or buttons, as it is:
// never split or expanded (text the game put in it cannot add
// commands), never while the game masks input.
func (c *client) command(cmd string) {
	if c.page.Masked() || c.charMode {
		return
	}
	if c.state != link.Connected {
		c.notice(c.msg.T("client.notice.command_not_connected"))
		return
	}
	c.send(cmd, true)
}

// send sends one command to the game, and echoes it locally (dimmed)
// when the player's settings say so and echo is true.
func (c *client) send(cmd string, echo bool) bool {
	if err := c.link.Send(&wire.Frame{Type: wire.TypeLine, Data: []byte(cmd)}); err != nil {
		c.notice(c.msg.T("client.notice.send_failed", "why", why(c.msg, err)))
		return false
	}
	if echo && c.log != nil {
		c.log.Input(dom.HideSecret(cmd))
	}
	if echo && c.page.Settings().LocalEcho {
		c.aside("\x1b[0;2m", dom.HideSecret(cmd), false)
	}
	return true
}

// shown follows what was written to the terminal: the mirror and the
// announcements are redrawn, and the command line follows the game's
// screen mode (alt: the alternate screen is on).
func (c *client) shown(alt bool) {
	c.mirrorDirty, c.annDirty = true, true
	c.wake()
	if alt != c.charMode && (c.echo || c.charMode) {
		c.setMode(alt)
	}
}

// setMode puts the command line in the state the game asks for. A game
// that echoes wants a password in line mode (masked), or keys as they
// are pressed when it also runs a full-screen program (the alternate
// screen): that is how real games drive telnet clients into character
// mode (WILL ECHO, WILL SGA, then cursor addressing), and a password
// prompt never switches screens.
func (c *client) setMode(altScreen bool) {
	char := c.echo && altScreen
	if char != c.charMode {
		c.charMode = char
		c.page.SetCharMode(char)
	}
	c.page.SetMasked(c.echo && !char)
}

// resetScreen puts the terminal back in its normal state after a game
// connection ended, in case it ended inside a full-screen program: the
// main screen with its history, the cursor shown, colours and modes reset
// (DECSTR). The text stays.
func (c *client) resetScreen() {
	c.termMu.Lock()
	alt := c.term.Modes().AltScreen
	c.term.WriteString("\x1b[?1049l\x1b[!p")
	c.termMu.Unlock()
	if alt {
		c.mirrorDirty, c.annDirty = true, true
		c.wake()
	}
}

// applyGMCP takes a GMCP message from the game into the vitals bars and
// the room panel. The first one on a game connection shows the game has
// GMCP on, so the client then asks for what it shows.
func (c *client) applyGMCP(msg []byte) {
	if !c.gmcpAsked {
		c.gmcpAsked = true
		for _, m := range gmcp.Hello() {
			c.link.Send(&wire.Frame{Type: wire.TypeGMCPIn, Data: m}) // lost only with the connection
		}
	}
	changed, err := c.gmcp.Apply(msg)
	if err != nil {
		return // a game's malformed message costs only itself; the panels keep what they had
	}
	if changed.Vitals && c.vitals != nil {
		c.vitals(c.gmcp.Vitals())
	}
	if changed.Room {
		if r, ok := c.gmcp.Room(); ok {
			c.page.SetRoom(r.Name, r.Area, r.Exits)
		}
	}
}

// resetGMCP forgets what the last game connection said over GMCP.
func (c *client) resetGMCP() {
	had := c.gmcpAsked
	c.gmcp, c.gmcpAsked = gmcp.State{}, false
	if had {
		if c.vitals != nil {
			c.vitals(nil)
		}
		c.page.SetRoom("", "", nil)
	}
}

// key sends a key pressed in character mode to the game.
func (c *client) key(k dom.KeyEvent) {
	if !c.charMode {
		return // the mode ended while the key was on its way
	}
	c.termMu.Lock()
	modes := c.term.Modes()
	c.termMu.Unlock()
	b := keyBytes(k, modes)
	if len(b) == 0 {
		return
	}
	if err := c.link.Send(&wire.Frame{Type: wire.TypeKeys, Data: b}); err != nil {
		c.notice(c.msg.T("client.notice.key_send_failed", "why", why(c.msg, err)))
	}
}

// announce hands what is new on screen to the live region when the
// player has it on; otherwise it only keeps up, so turning it on later
// does not read out the past.
func (c *client) announce() {
	c.termMu.Lock()
	var text string
	if c.page.Settings().Announce {
		text = c.ann.collect(c.term, c.prompt)
	} else {
		c.ann.skipCurrent(c.term)
	}
	c.termMu.Unlock()
	c.annDirty, c.prompt = false, false
	if text != "" {
		c.page.Announce(text)
	}
}

// aside writes a line that is not the game's (a notice, the local echo)
// in its own style, leaving the game's colours as they were (XTPUSHSGR
// and XTPOPSGR around it). ownLine starts it on a fresh line; otherwise it
// continues the current one (an echo after the prompt).
func (c *client) aside(sgr, text string, ownLine bool) {
	c.termMu.Lock()
	if x, _, _ := c.term.Cursor(); ownLine && x > 0 {
		c.term.WriteString("\r\n")
	}
	c.term.WriteString("\x1b[#{" + sgr + printable(text) + "\x1b[#}\r\n")
	c.termMu.Unlock()
	c.mirrorDirty, c.annDirty = true, true
	c.wake()
}

// printable drops control characters, so text the player typed or the
// gateway sent cannot move the cursor or change modes.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return -1
		}
		return r
	}, s)
}

// frameNotice tells the player what an Error frame, or a Status frame
// that ends the game connection, means, in the client's words (the
// frame's own text is the gateway's English detail, for the console).
func (c *client) frameNotice(f *wire.Frame) {
	if f.Type == wire.TypeError && f.Code == wire.ErrorUnauthorized {
		return // the front door says why (ToLogin)
	}
	key := link.FrameReason(f)
	if len(f.Data) > 0 {
		fmt.Println("drawbridge client: the gateway said:", string(f.Data))
	}
	c.notice(c.msg.T(key))
	c.lastReason = key
}

// notice writes a message from the gateway or the client into the
// terminal, in a colour the game does not use for itself.
func (c *client) notice(msg string) {
	if msg == "" {
		return
	}
	c.lastNotice = msg
	c.aside("\x1b[0;1;33m", "*** "+msg, true)
}

// showStatus shows the link's state in the status line.
func (c *client) showStatus() {
	state, text := "connecting", c.msg.T("client.status.connecting_gateway")
	switch c.state {
	case link.Connected:
		state, text = "connecting", c.msg.T("client.status.connected_gateway")
	case link.Waiting:
		secs := int(c.retryAt.Sub(c.now()).Seconds() + 0.999)
		state, text = "closed", c.msg.T("client.status.waiting", "reason", c.msg.T(c.reason, c.reasonArgs...), "n", max(secs, 0))
	case link.Closed:
		state, text = "closed", c.msg.T("client.status.closed", "reason", c.msg.T(c.reason, c.reasonArgs...))
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
	switch c.state {
	case link.Closed, link.Waiting:
		c.link.Reconnect()
		return
	case link.Connecting:
		c.notice(c.msg.T("client.notice.line_not_connected"))
		return
	}
	masked, set := c.page.Masked(), c.page.Settings()
	cmds := []string{line}
	if !masked { // a password may contain the separator, and aliases must not see it
		cmds = dom.SplitCommands(line, set.Separator)
		if c.auto != nil {
			if e := c.auto(); e != nil {
				var err error
				if cmds, err = e.Expand(line); err != nil {
					c.notice(c.msg.T("client.notice.not_sent", "why", why(c.msg, err)))
					return
				}
			}
		}
	}
	for _, cmd := range cmds {
		if err := c.link.Send(&wire.Frame{Type: wire.TypeLine, Data: []byte(cmd)}); err != nil {
			c.notice(c.msg.T("client.notice.send_failed", "why", why(c.msg, err)))
			return
		}
	}
	if c.log != nil && !masked {
		c.log.Input(dom.HideSecrets(line, set.Separator)) // as the local echo shows it
	}
	if !masked && set.LocalEcho {
		// Local echo, dimmed, as MUD clients do: in line mode the game
		// does not echo what the player typed. The player knows what
		// they typed: it is not read out again. A login command's
		// password is shown as asterisks (the game gets it whole).
		c.announce()
		c.aside("\x1b[0;2m", dom.HideSecrets(line, set.Separator), false)
		c.termMu.Lock()
		c.ann.skipCurrent(c.term)
		c.termMu.Unlock()
		c.annDirty = false
	}
}

// Resized records the grid's new size and schedules telling the game. It
// is called from the drawing side, with the terminal already resized.
func (c *client) Resized(cols, rows int) {
	c.size.Store(uint32(cols)<<16 | uint32(rows))
	c.resizeAt.Store(c.now().Add(resizeDebounce).UnixNano())
	select {
	case c.poke <- struct{}{}:
	default:
	}
}

// Applied returns how many bytes of game output the terminal has taken;
// safe from any goroutine.
func (c *client) Applied() uint64 { return c.applied.Load() }

// ParseTime returns the time spent writing game output to the terminal;
// safe from any goroutine.
func (c *client) ParseTime() time.Duration { return time.Duration(c.parseNs.Load()) }

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
	c.textMu.Lock()
	defer c.textMu.Unlock()
	return c.text
}

// sessionLog is the session's log (package gamelog), shared by the
// client, which writes it, and the page, which downloads it. Writing only
// copies the output aside with the time it came: the log's own parsing
// runs later, when the page is idle or the log is read (or when 4 MiB are
// waiting), so a flood of output costs the player nothing more than the
// terminal's work.
type sessionLog struct {
	mu  sync.Mutex
	log *gamelog.Log
	at  time.Time // what the log's clock reads while it replays
	buf []byte    // output, prompts and commands not yet in the log
	evs []logEvent
}

// logEvent is a stretch of buf: output (under a trigger's highlight,
// or none), a prompt mark or a command.
type logEvent struct {
	at   time.Time
	kind gamelog.Kind
	hl   term.Highlight
	end  int // where it ends in buf
}

// maxLogPending bounds what waits to be replayed into the log: a flood
// is replayed a slice at a time.
const maxLogPending = 1 << 20

// maxLogEvents bounds the prompts, commands and highlighted pieces
// waiting to be replayed (a game may mark a prompt after every few
// bytes; a trigger may colour a word in every line).
const maxLogEvents = 16384

// logBytes bounds the session's log (gamelog.Config.MaxBytes): about
// 50,000 lines of MUD text.
const logBytes = 4 << 20

func newSessionLog() *sessionLog {
	l := &sessionLog{at: time.Now()}
	l.log = gamelog.New(gamelog.Config{MaxBytes: logBytes, Now: func() time.Time { return l.at }})
	return l
}

// add records an event that happened at now; the caller holds mu.
func (l *sessionLog) add(kind gamelog.Kind, p []byte, hl term.Highlight, now time.Time) {
	l.buf = append(l.buf, p...)
	if n := len(l.evs); n > 0 && kind == gamelog.Output && l.evs[n-1].kind == kind && l.evs[n-1].hl == hl && now.Sub(l.evs[n-1].at) < time.Second {
		l.evs[n-1].end = len(l.buf) // output within a second of the last: one event
	} else {
		l.evs = append(l.evs, logEvent{at: now, kind: kind, hl: hl, end: len(l.buf)})
	}
	if len(l.buf) > maxLogPending || len(l.evs) > maxLogEvents {
		l.replay()
	}
}

// replay hands what waits to the log; the caller holds mu.
func (l *sessionLog) replay() {
	from := 0
	for _, ev := range l.evs {
		l.at = ev.at
		switch ev.kind {
		case gamelog.Output:
			l.log.SetHighlight(ev.hl)
			l.log.Write(l.buf[from:ev.end])
			l.log.SetHighlight(term.Highlight{})
		case gamelog.Prompt:
			l.log.Prompt()
		case gamelog.Input:
			l.log.Input(string(l.buf[from:ev.end]))
		}
		from = ev.end
	}
	l.buf, l.evs = l.buf[:0], l.evs[:0]
	if cap(l.buf) > maxLogPending {
		l.buf = nil // do not pin a buffer sized for one flood
	}
}

func (l *sessionLog) Write(p []byte) {
	now := time.Now()
	l.mu.Lock()
	l.add(gamelog.Output, p, term.Highlight{}, now)
	l.mu.Unlock()
}

// WritePieces logs what the triggers passed on as the terminal showed
// it: each piece under its highlight. The clock is read once (in
// WebAssembly a call out to JavaScript).
func (l *sessionLog) WritePieces(ps []automation.Piece) {
	now := time.Now()
	l.mu.Lock()
	for _, p := range ps {
		l.add(gamelog.Output, p.Bytes, highlightOf(p.Paint), now)
	}
	l.mu.Unlock()
}

func (l *sessionLog) Prompt() {
	now := time.Now()
	l.mu.Lock()
	l.add(gamelog.Prompt, nil, term.Highlight{}, now)
	l.mu.Unlock()
}

func (l *sessionLog) Input(cmd string) {
	now := time.Now()
	l.mu.Lock()
	l.add(gamelog.Input, []byte(cmd), term.Highlight{}, now)
	l.mu.Unlock()
}

// TakeNew returns the lines finished since the last call.
func (l *sessionLog) TakeNew() []gamelog.Line {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.replay()
	return l.log.TakeNew()
}

// Render returns the log as plain text or, for html, as an HTML page.
func (l *sessionLog) Render(html bool, title string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.replay()
	var b strings.Builder
	if html {
		l.log.WriteHTML(&b, title) // a strings.Builder does not fail
	} else {
		l.log.WriteText(&b)
	}
	return b.String()
}
