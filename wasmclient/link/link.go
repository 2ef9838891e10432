// Package link is the client's connection to the gateway: it dials the
// WebSocket with the drawbridge.v1 subprotocol, decodes wire frames into
// events, sends the player's frames, and reconnects with backoff and jitter
// when the connection drops for a reason that a retry can fix.
//
// It also resumes: it tells the gateway it can (wire.CapResume), counts the
// numbered frames it receives, acknowledges them now and then, and after a
// drop reconnects with the gateway's resume token, so the player goes back
// to the same game connection and gets what they missed. The token and
// the count are the link's own business; the UI only sees a Resumed frame.
// A Keeper (Config.Keep) keeps them across pages: the browser client keeps
// them in the tab's sessionStorage, so a reloaded page, or a discarded
// tab the browser restores, resumes the game connection too.
//
// In the browser it uses the page's WebSocket through syscall/js; natively
// (tests, tools) coder/websocket. Both sit behind one small interface, so
// the logic here is tested natively against a real server and the browser
// transport by the end-to-end tests. The UI consumes Events from a
// channel and never blocks on the network: Send only queues.
package link

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/drawbridge/drawbridge/shared/wire"
)

// State is the link's connection state, shown in the client's status line.
type State int

// Link states.
const (
	Connecting State = iota // dialling the gateway
	Connected               // the WebSocket is open
	Waiting                 // dropped; a retry is scheduled (see Event.RetryAt)
	Closed                  // ended; no automatic retry (call Reconnect)
)

// String returns the state's name.
func (s State) String() string {
	switch s {
	case Connecting:
		return "connecting"
	case Connected:
		return "connected"
	case Waiting:
		return "waiting"
	case Closed:
		return "closed"
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// Event is what the link reports, in order: either a frame from the gateway
// or a change of state.
type Event struct {
	// Frame is a decoded frame from the gateway, or nil for a state change.
	// Its Data is owned by the receiver.
	Frame *wire.Frame

	State State // the new state, when Frame is nil
	// Reason says why the state changed: a Reason* message key of the
	// client's catalogue (shared/i18n, client.json), with ReasonArgs for
	// its placeholders; when Login, the gateway's wire.LoginReason code.
	Reason     string
	ReasonArgs []any
	// Detail is the gateway's own sentence about it, in English, if it
	// gave one: for the console, not for the player.
	Detail  string
	Login   bool      // when Closed: the login session ended; the player must log in again
	RetryAt time.Time // when Waiting: when the next attempt starts
	Attempt int       // when Connecting or Waiting: consecutive failed attempts so far

	// Missed is, with a Resumed frame, how many frames of the game's
	// output the gateway could no longer replay (its buffer overflowed
	// while the player was away).
	Missed uint64

	// Lost is, with the first frame of a connection that asked to
	// resume, true when the gateway could not: the old game connection
	// is gone (its grace ran out, or the gateway node that held it is),
	// and a new one starts. That first frame is then the new game
	// connection's Connecting status, which the gateway always sends
	// first.
	Lost bool
}

// Config configures a Link.
type Config struct {
	// URL is the gateway's WebSocket endpoint, e.g. wss://game.example/ws.
	URL string

	// Hello is sent first on every connection, so the gateway knows the
	// client; nil sends none.
	Hello *wire.Frame

	// OnConnect returns frames to send right after Hello on every
	// connection (the current terminal size, say). nil sends none.
	OnConnect func() []wire.Frame

	// MinBackoff and MaxBackoff bound the delay between reconnects.
	// Defaults 1 s and 30 s.
	MinBackoff, MaxBackoff time.Duration

	// ProbeTimeout is how long a Probe waits for the gateway's Pong
	// before it gives the connection up. Default 4 s.
	ProbeTimeout time.Duration

	// Keep, if not nil, keeps the resume token and the count of frames
	// received beyond this Link, for the next page: New starts from what
	// it loads, so the first connection resumes that game connection.
	Keep Keeper
}

// Keeper keeps a link's resume token and its count of numbered frames,
// for a page that replaces this one (a reload, a restored tab).
//
// The link saves every new token with the count at that point, the count
// again before each acknowledgement it sends (so the count kept is never
// below what the gateway still holds, and a resume from it loses nothing),
// and an empty token when the game connection is over. Save is called
// from the link's goroutines and must not block.
type Keeper interface {
	// Load returns the token and count saved last; an empty token when
	// there is none.
	Load() (token string, seq uint64)
	// Save replaces what is kept; an empty token means nothing to resume.
	Save(token string, seq uint64)
}

// Link is one client's connection to the gateway, across reconnects.
type Link struct {
	cfg    Config
	events chan Event
	sendq  chan []byte
	retry  chan struct{}

	mu        sync.Mutex
	connected bool

	// Resuming. token is under mu: Run's goroutine sets it, the writer
	// reads it to keep it with the count; seq, the numbered frames
	// received on the current game connection, is also read by the
	// writer, which acknowledges it.
	token  string
	seq    atomic.Uint64
	ackNow chan struct{}
	// numbered is set once the connection's first frame has said how
	// its frames are counted (Resumed: on from the count asked for;
	// anything else: a new game connection, from 0). Until then seq is
	// the count a reloaded page brought, which the gateway may not have:
	// nothing is acknowledged.
	numbered atomic.Bool

	// Probing. probe asks the writer to send a Ping; pong is the number
	// of the last Pong read; stale is set when a probe went unanswered
	// and the writer closed the socket, so the reader reports a lost
	// connection (and retries) rather than the close it sees.
	probe chan struct{}
	pong  atomic.Uint64
	stale atomic.Bool
}

// Acknowledgements: the writer tells the gateway what arrived every
// ackInterval, or sooner once ackFrames frames are unacknowledged, so the
// gateway can drop them from its replay buffer.
const (
	ackInterval = time.Second
	ackFrames   = 64
)

// sendQueue bounds frames queued while the socket is busy or down: a human
// cannot type this many commands between two reconnect attempts.
const sendQueue = 256

// New returns a link; Run starts it.
func New(cfg Config) *Link {
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	l := &Link{
		cfg:    cfg,
		events: make(chan Event, 256),
		sendq:  make(chan []byte, sendQueue),
		retry:  make(chan struct{}, 1),
		ackNow: make(chan struct{}, 1),
		probe:  make(chan struct{}, 1),
	}
	if cfg.Keep != nil {
		if token, seq := cfg.Keep.Load(); token != "" {
			l.token = token
			l.seq.Store(seq)
		}
	}
	return l
}

// resumeToken returns the current resume token, "" when there is none.
func (l *Link) resumeToken() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.token
}

// setToken replaces the resume token and keeps it (Config.Keep) with the
// count of frames received so far. It saves under mu, as keepCount does,
// so a count saved with an old token cannot overwrite a new token.
func (l *Link) setToken(token string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.token = token
	if l.cfg.Keep != nil {
		var seq uint64
		if token != "" {
			seq = l.seq.Load()
		}
		l.cfg.Keep.Save(token, seq)
	}
}

// keepCount keeps the count of frames received with the current token,
// if there is one, and returns the count. Both are read under mu, as
// setToken reads them, so a count is never kept with a token of another
// game connection (one the reader has switched to meanwhile).
func (l *Link) keepCount() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.seq.Load()
	if l.cfg.Keep != nil && l.token != "" {
		l.cfg.Keep.Save(l.token, n)
	}
	return n
}

// Events returns the channel the link reports on. The consumer must keep
// draining it: the link stops reading the socket while it is full, which is
// the client's backpressure toward the gateway.
func (l *Link) Events() <-chan Event { return l.events }

// ErrQueueFull is returned by Send when frames cannot be queued.
var ErrQueueFull = errors.New("link: send queue full")

// ErrNotConnected is returned by Send while the link is not connected.
var ErrNotConnected = errors.New("link: not connected")

// Send queues a frame for the gateway without blocking. It fails when the
// link is not connected (input typed while disconnected is not replayed
// into a later session) or when the queue is full.
func (l *Link) Send(f *wire.Frame) error {
	b, err := wire.Append(nil, f)
	if err != nil {
		return err
	}
	l.mu.Lock()
	up := l.connected
	l.mu.Unlock()
	if !up {
		return ErrNotConnected
	}
	select {
	case l.sendq <- b:
		return nil
	default:
		return ErrQueueFull
	}
}

// Reconnect asks a Closed or Waiting link to try again now.
func (l *Link) Reconnect() {
	select {
	case l.retry <- struct{}{}:
	default:
	}
}

// Probe checks that the connection still reaches the gateway: it sends a
// Ping, and when no Pong comes back within Config.ProbeTimeout it drops
// the connection, which reconnects (and resumes) at once. Call it when a
// phone returns from the background or the network comes back: a socket
// can look open for minutes after the network under it changed. It does
// nothing while the link is not connected, and never blocks.
func (l *Link) Probe() {
	select {
	case l.probe <- struct{}{}:
	default:
	}
}

// Run connects and reconnects until ctx is cancelled. It closes the events
// channel when it returns.
func (l *Link) Run(ctx context.Context) {
	defer close(l.events)
	attempt := 0
	for ctx.Err() == nil {
		l.emit(ctx, Event{State: Connecting, Attempt: attempt})
		end := l.session(ctx)
		if ctx.Err() != nil {
			return
		}
		if end.played {
			attempt = 0
		}
		attempt++
		if !end.retry {
			l.setToken("") // the game connection is over
			l.emit(ctx, Event{State: Closed, Reason: end.reason, ReasonArgs: end.args, Detail: end.detail, Login: end.login})
			select {
			case <-ctx.Done():
				return
			case <-l.retry:
				attempt = 0
				continue
			}
		}
		delay := Backoff(attempt, l.cfg.MinBackoff, l.cfg.MaxBackoff, rand.Float64())
		at := time.Now().Add(delay)
		l.emit(ctx, Event{State: Waiting, Reason: end.reason, ReasonArgs: end.args, Detail: end.detail, RetryAt: at, Attempt: attempt})
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-l.retry:
			t.Stop()
		case <-t.C:
		}
	}
}

// Backoff returns the delay before reconnect attempt n (1 = first retry):
// exponential from min, capped at max, with "equal jitter" (half fixed,
// half random) so a gateway restart does not bring every client back in
// the same second. r is a random number in [0, 1).
func Backoff(n int, min, max time.Duration, r float64) time.Duration {
	d := min
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d/2 + time.Duration(r*float64(d/2))
}

// sessionEnd says how one connection ended.
type sessionEnd struct {
	reason string // a Reason* key, or a wire.LoginReason when login
	args   []any  // the reason's placeholders
	detail string // the gateway's text, if any
	retry  bool   // reconnect automatically
	played bool   // the gateway reached the game, so the next retry starts the backoff over
	login  bool   // the login session is over: only logging in again helps
}

func (l *Link) emit(ctx context.Context, ev Event) {
	select {
	case l.events <- ev:
	case <-ctx.Done():
	}
}

// session runs one connection: dial, say hello, then read frames until the
// socket closes; a writer goroutine drains the send queue meanwhile.
func (l *Link) session(ctx context.Context) sessionEnd {
	// A Reconnect that raced with the timer belongs to the attempt that
	// is starting now, not to a later Closed state.
	select {
	case <-l.retry:
	default:
	}
	target := l.dialURL()
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	ws, err := dial(dctx, target)
	cancel()
	if err != nil {
		return sessionEnd{reason: ReasonUnreachable, retry: true}
	}
	defer func() {
		if l.stale.Load() {
			// Dropped to reconnect: the gateway keeps the game for us.
			ws.Close(wire.CloseReconnecting, "reconnecting")
			return
		}
		ws.Close(closeNormal, "")
	}()
	if ws.Subprotocol() != wire.Subprotocol {
		return sessionEnd{reason: ReasonVersion}
	}

	// Drop frames queued for a previous connection, and a probe meant
	// for it; they belonged to it.
	for len(l.sendq) > 0 {
		<-l.sendq
	}
	select {
	case <-l.probe:
	default:
	}
	l.stale.Store(false)
	l.numbered.Store(false)
	var first [][]byte
	if hello := l.hello(); hello != nil {
		if b, err := wire.Append(nil, hello); err == nil {
			first = append(first, b)
		}
	}
	if l.cfg.OnConnect != nil {
		for _, f := range l.cfg.OnConnect() {
			if b, err := wire.Append(nil, &f); err == nil {
				first = append(first, b)
			}
		}
	}
	for _, b := range first {
		if err := ws.Write(ctx, b); err != nil {
			return sessionEnd{reason: ReasonLost, retry: true}
		}
	}
	l.setConnected(true)
	defer l.setConnected(false)
	l.emit(ctx, Event{State: Connected})

	// The reader's context is cancelled when a probe goes unanswered: a
	// dead socket may take minutes to report its close.
	rctx, abandon := context.WithCancel(ctx)
	defer abandon()
	wctx, stopWriter := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		l.writer(wctx, ws, abandon)
	}()
	defer func() {
		stopWriter()
		wg.Wait()
	}()

	var (
		last   *wire.Frame // the last Error or closing Status frame, which explains a close
		played bool
		opened bool // a frame arrived on this connection
	)
	for {
		b, err := ws.Read(rctx)
		if err != nil {
			end := closeReason(err, last)
			if l.stale.Load() && ctx.Err() == nil {
				end = sessionEnd{reason: ReasonNotAnswering, retry: true}
			}
			end.played = played
			return end
		}
		f, err := wire.Decode(b)
		if errors.Is(err, wire.ErrUnknownType) {
			continue // a newer gateway; ignore what we do not know
		}
		if err != nil {
			ws.Close(closeNormal, "malformed frame")
			return sessionEnd{reason: ReasonBadFrame, played: played}
		}
		ev := Event{Frame: &f}
		if !opened {
			opened = true
			// The first frame says whether this is the old game
			// connection (Resumed) or a new one, numbered from 0.
			if f.Type == wire.TypeResumed {
				played = true
				if have := l.seq.Load(); f.Seq > have {
					ev.Missed = f.Seq - have
				}
				l.seq.Store(f.Seq)
			} else {
				ev.Lost = l.resumeToken() != ""
				l.seq.Store(0)
				if ev.Lost {
					l.setToken("")
				}
			}
			l.numbered.Store(true)
		}
		switch {
		case f.Type == wire.TypeResume:
			// The first after the Hello or a resume, or, at any time, a
			// new one because a copy of ours was spent (wire: a
			// duplicated tab).
			l.setToken(string(f.Data))
			continue // the link's business, not the player's
		case f.Type == wire.TypePong:
			l.pong.Store(f.Seq)
			continue
		case f.Type.Numbered():
			if n := l.seq.Add(1); n%ackFrames == 0 {
				select {
				case l.ackNow <- struct{}{}:
				default:
				}
			}
		}
		switch {
		case f.Type == wire.TypeError:
			last = &f
		case f.Type == wire.TypeStatus && f.Status == wire.StatusConnected:
			played = true
		case f.Type == wire.TypeStatus && f.Status != wire.StatusConnecting:
			last = &f
			if f.Status == wire.StatusGameClosed {
				l.setToken("")
			}
		}
		l.emit(ctx, ev)
	}
}

// hello is the Hello frame the link sends, with CapResume added, or nil.
func (l *Link) hello() *wire.Frame {
	if l.cfg.Hello == nil {
		return nil
	}
	h := *l.cfg.Hello
	h.Caps |= wire.CapResume
	return &h
}

// dialURL is the gateway's WebSocket URL with the client's capabilities
// (the gateway tells the game about them before the Hello frame arrives)
// and, after a drop, the resume token and the count of frames received.
func (l *Link) dialURL() string {
	u, err := url.Parse(l.cfg.URL)
	if err != nil {
		return l.cfg.URL
	}
	q := u.Query()
	if h := l.hello(); h != nil {
		q.Set(wire.CapsParam, strconv.FormatUint(uint64(h.Caps), 10))
	}
	if token := l.resumeToken(); token != "" {
		q.Set(wire.ResumeParam, token)
		q.Set(wire.SeqParam, strconv.FormatUint(l.seq.Load(), 10))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func (l *Link) probeTimeout() time.Duration {
	if l.cfg.ProbeTimeout > 0 {
		return l.cfg.ProbeTimeout
	}
	return 4 * time.Second
}

func (l *Link) setConnected(up bool) {
	l.mu.Lock()
	l.connected = up
	l.mu.Unlock()
}

// writer sends the player's frames, acknowledgements of the game's, and
// probes; when a probe goes unanswered it calls abandon, which stops the
// reader.
func (l *Link) writer(ctx context.Context, ws conn, abandon func()) {
	tick := time.NewTicker(ackInterval)
	defer tick.Stop()
	probeTimer := time.NewTimer(time.Hour)
	probeTimer.Stop()
	defer probeTimer.Stop()
	var (
		acked    uint64
		probeSeq uint64
		deadline <-chan time.Time // probeTimer's channel while a probe is pending
	)
	for {
		var b []byte
		select {
		case <-ctx.Done():
			return
		case b = <-l.sendq:
		case <-tick.C:
		case <-l.ackNow:
		case <-l.probe:
			if deadline != nil {
				continue // one probe at a time
			}
			probeSeq = l.pong.Load() + 1
			b, _ = wire.Append(nil, &wire.Frame{Type: wire.TypePing, Seq: probeSeq})
			probeTimer.Reset(l.probeTimeout())
			deadline = probeTimer.C
		case <-deadline:
			deadline = nil
			if l.pong.Load() < probeSeq {
				l.stale.Store(true)
				abandon() // the session ends and closes the socket
				return
			}
			continue
		}
		if b == nil {
			if !l.numbered.Load() || l.seq.Load() == acked {
				continue
			}
			// Kept before it is acknowledged: the gateway forgets what
			// is acknowledged, so a page that resumes from a count below
			// it would find a gap.
			n := l.keepCount()
			acked = n
			b, _ = wire.Append(nil, &wire.Frame{Type: wire.TypeAck, Seq: n})
		}
		if err := ws.Write(ctx, b); err != nil {
			return // the reader sees the failure and reports it
		}
	}
}

// closeReason turns how the socket closed, and the last frame the gateway
// sent before it, into what the player is told and whether to retry. The
// gateway explains every close it makes with a frame first, so the frame
// decides; the close code is the fallback.
func closeReason(err error, last *wire.Frame) sessionEnd {
	if last != nil {
		end := sessionEnd{reason: FrameReason(last), detail: string(last.Data)}
		switch {
		case last.Type == wire.TypeStatus && last.Status == wire.StatusGatewayRestarting:
			end.retry = true
		case last.Code == wire.ErrorGameUnreachable || last.Code == wire.ErrorLimit:
			end.retry = true
		case last.Code == wire.ErrorInternal:
			end.retry = true
		case last.Type == wire.TypeError && last.Code == wire.ErrorUnauthorized:
			end.login = true
			end.reason, end.detail = string(last.Data), ""
		}
		return end
	}
	var ce *CloseError
	if !errors.As(err, &ce) {
		return sessionEnd{reason: ReasonLost, retry: true}
	}
	switch ce.Code {
	case closeNormal:
		return sessionEnd{reason: ReasonClosed}
	case closeGoingAway:
		return sessionEnd{reason: ReasonRestarting, retry: true}
	case closeTryAgainLater:
		return sessionEnd{reason: ReasonGameUnreachable, retry: true}
	case closePolicy, closeProtocolError, closeUnsupported, closeTooBig:
		return sessionEnd{reason: ReasonRefused, args: []any{"code", ce.Code}, detail: ce.Reason}
	}
	return sessionEnd{reason: ReasonLost, retry: true}
}

// FrameReason returns the Reason* key that explains an Error frame, or a
// Status frame that ends the game connection. The gateway's text in the
// frame is English detail; the player is told the client's own sentence,
// in their language.
func FrameReason(f *wire.Frame) string {
	if f.Type == wire.TypeStatus {
		if f.Status == wire.StatusGatewayRestarting {
			return ReasonRestarting
		}
		return ReasonGameClosed
	}
	switch f.Code {
	case wire.ErrorProtocol:
		return ReasonProtocol
	case wire.ErrorGameUnreachable:
		return ReasonGameUnreachable
	case wire.ErrorIdle:
		return ReasonIdle
	case wire.ErrorLimit:
		return ReasonLimit
	case wire.ErrorUnauthorized:
		return ReasonLogin
	}
	return ReasonInternal
}

// Why a connection ended: keys of the client's message catalogue
// (shared/i18n, client.json), which holds every one of [Reasons].
const (
	ReasonUnreachable     = "client.reason.unreachable"      // the gateway could not be reached
	ReasonVersion         = "client.reason.version"          // the gateway speaks another protocol version
	ReasonLost            = "client.reason.lost"             // the connection broke
	ReasonNotAnswering    = "client.reason.not_answering"    // a probe went unanswered
	ReasonBadFrame        = "client.reason.bad_frame"        // the gateway sent a frame this client cannot read
	ReasonClosed          = "client.reason.closed"           // the gateway closed without a reason
	ReasonRestarting      = "client.reason.restarting"       // the gateway is restarting
	ReasonGameClosed      = "client.reason.game_closed"      // the game ended the connection
	ReasonGameUnreachable = "client.reason.game_unreachable" // the game is not answering
	ReasonRefused         = "client.reason.refused"          // the gateway refused this client; {code} is the close code
	ReasonProtocol        = "client.reason.protocol"         // the gateway could not read what this client sent
	ReasonIdle            = "client.reason.idle"             // no input for too long
	ReasonLimit           = "client.reason.limit"            // a limit of the gateway was reached
	ReasonInternal        = "client.reason.internal"         // something failed inside the gateway
	ReasonLogin           = "client.reason.login"            // the login session is over
)

// Reasons returns every Reason* key, for a test that the catalogue holds
// them.
func Reasons() []string {
	return []string{ReasonUnreachable, ReasonVersion, ReasonLost, ReasonNotAnswering, ReasonBadFrame, ReasonClosed,
		ReasonRestarting, ReasonGameClosed, ReasonGameUnreachable, ReasonRefused, ReasonProtocol, ReasonIdle,
		ReasonLimit, ReasonInternal, ReasonLogin}
}
