// Package bridge joins one player's WebSocket to one telnet connection to
// the game. A Session owns both connections and the goroutines that pump
// between them; a Hub tracks the live sessions so the gateway can tell them
// all it is restarting and wait for them to end.
//
// The browser never sees telnet: the game's bytes go through a
// telnet.Client, which answers negotiation and hands back clean terminal
// text, prompt marks and echo changes, and those become wire frames. What
// the player sends arrives as wire frames and reaches the game only through
// the telnet.Client, which escapes it, so a player cannot inject telnet
// commands.
//
// Backpressure: the game pump writes each frame to the player before it
// reads more from the game, so a player who stops reading stops the pump
// (and, through TCP, the game's writes to this connection) instead of
// growing a queue. A player who stays stalled past WriteTimeout is
// disconnected.
//
// Resume: a client that says it can (wire.CapResume in its Hello) gets a
// resume token. When its WebSocket then drops without a goodbye (a phone
// asleep, a network switch), the session keeps the game
// connection for ResumeGrace, still reading the game and keeping its
// output (up to ResumeBuffer, frames the client has not acknowledged), and
// a client that comes back with the token gets the missed frames replayed
// in order; the game notices nothing. A browser page that is reloaded,
// discarded or closed goes away the same way (its WebSocket closes with
// 1001), so a reloaded or restored page resumes too; only a normal
// closure (Quit), the end of the login session (Log out) or the grace
// period end the game connection. A token is good for one resume, only
// for the same login session, and never takes the game from a player
// connection that still answers (a copied token: a duplicated tab).
// Past the grace period the game connection closes.
//
// Goroutines: a session runs its game pump in a goroutine of its own, which
// lives as long as the game connection; each player connection is served
// in the goroutine that accepted it (Hub.Serve), which reads the player's
// frames. Keepalive pings run on a timer.
package bridge

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/gateway/internal/telnet"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// Config holds what every session needs. The zero value of each duration
// means its default.
type Config struct {
	// Dial connects to the game for the player at address player (as in
	// Player.Addr: host or host:port), which the dialer may forward (PROXY
	// protocol). The game's address is fixed by the operator's
	// configuration; nothing the player sends chooses it.
	Dial func(ctx context.Context, player string) (net.Conn, error)

	// DialTimeout bounds connecting to the game. Default 10 s.
	DialTimeout time.Duration

	// WriteTimeout bounds one write to the player or to the game. A peer
	// that accepts nothing for this long is disconnected, which is what
	// keeps a stalled player from holding the game's output in memory.
	// Default 30 s.
	WriteTimeout time.Duration

	// PingInterval is how often the player's WebSocket is pinged; a pong
	// that does not come back within the next interval ends the session as
	// a dead peer. Zero or negative means the default, 30 s.
	PingInterval time.Duration

	// IdleTimeout ends a session when the player has done nothing for this
	// long: only what a player does counts (a line, keys, a resize, GMCP
	// the game is sent), not what the client sends by itself (Hello, Acks
	// of the game's output, Pings), so a tab left open on a talking game
	// still times out. Zero means the default of one hour; negative
	// disables it.
	IdleTimeout time.Duration

	// MaxPlayers bounds the sessions of the whole gateway, and
	// MaxPlayersPerAddr those from one network address (players behind one
	// NAT share it, so it is not 1), counted per peer.Group: an IPv4
	// address or an IPv6 /64, since one subscriber usually holds a whole
	// /64 and could otherwise take a slot per address. Zero means the
	// defaults, 10,000 and 20; negative means no limit. Past a limit the
	// player is told so and the WebSocket closes with 1013 (try again
	// later).
	MaxPlayers, MaxPlayersPerAddr int

	// MaxPlayersPerAccount bounds the sessions of one account (Player.Name),
	// across browsers and devices. Zero means the default, 5; negative
	// means no limit. Players without an account are not counted.
	MaxPlayersPerAccount int

	// ResumeGrace is how long a session keeps the game connection after a
	// resumable player's WebSocket dropped, waiting for the client to come
	// back with its resume token. Zero means the default, 60 s; negative
	// turns resuming off.
	ResumeGrace time.Duration

	// ResumeBuffer bounds the game output a resumable session keeps for
	// its player: frames sent but not yet acknowledged, and everything
	// while the player is away. Past it the oldest frames are dropped and a
	// resume reports the gap. Zero means the default, 256 KiB; the least is
	// two frames, 128 KiB.
	ResumeBuffer int

	// GMCPFromPlayers lists the GMCP messages ("Package.Message") a
	// player's client may send to the game; others are dropped, and so is
	// Core.Hello always. nil means DefaultGMCPFromPlayers; empty, none.
	GMCPFromPlayers []string

	// Telnet configures the telnet client toward the game.
	Telnet telnet.Config

	// Logger receives one line per session start and end, and errors.
	// nil discards.
	Logger *slog.Logger
}

func (c *Config) dialTimeout() time.Duration  { return orDefault(c.DialTimeout, 10*time.Second) }
func (c *Config) writeTimeout() time.Duration { return orDefault(c.WriteTimeout, 30*time.Second) }
func (c *Config) pingInterval() time.Duration {
	return orDefault(max(c.PingInterval, 0), 30*time.Second)
}
func (c *Config) idleTimeout() time.Duration { return orDefault(c.IdleTimeout, time.Hour) }
func (c *Config) maxPlayers() int            { return limit(c.MaxPlayers, 10000) }
func (c *Config) maxPlayersPerAddr() int     { return limit(c.MaxPlayersPerAddr, 20) }
func (c *Config) maxPlayersPerAccount() int  { return limit(c.MaxPlayersPerAccount, 5) }
func (c *Config) resumeGrace() time.Duration { return orDefault(c.ResumeGrace, time.Minute) }
func (c *Config) resumeBuffer() int {
	if c.ResumeBuffer == 0 {
		return 256 << 10
	}
	return max(c.ResumeBuffer, 2*wire.MaxFrameSize)
}

func limit(n, def int) int {
	switch {
	case n == 0:
		return def
	case n < 0:
		return int(^uint(0) >> 1)
	}
	return n
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// readBufferSize is how much of the game's output one read takes. It also
// bounds one Output call of the telnet client for an uncompressed read:
// even if every byte were invalid UTF-8 and became a three-byte U+FFFD (or
// a CP437 byte a three-byte rune), plus a rune held over from the last
// read, it stays within wire.MaxPayload, so the sink can always place it.
// The constant below fails to compile if that stops being true. (A
// compressed read inflates to many calls; the sink splits frames.)
const readBufferSize = 16 << 10

const _ = uint(wire.MaxPayload - (3*readBufferSize + utf8.UTFMax))

// Player is one accepted player connection.
type Player struct {
	// WS is the accepted WebSocket.
	WS *websocket.Conn
	// Conn is the network connection under WS (the hijacked one), or nil.
	// Closing it is the only way to cut a WebSocket whose close handshake
	// is under way, so a shutdown past its timeout uses it.
	Conn net.Conn
	// Addr is the player's network address, for logs and per-address
	// limits.
	Addr string
	// Session is the player's login session, which Hub.End closes; ""
	// when the gateway has no accounts.
	Session string
	// Name is the player's account name, for logs and the per-account
	// limit; "" when the gateway has no accounts.
	Name string
	// Resume is the resume token the client came back with (the
	// wire.ResumeParam query parameter), and Seq the count of numbered
	// frames it holds (wire.SeqParam); "" for a new game connection.
	Resume string
	Seq    uint64
	// Caps are the client's capabilities as it stated them when it
	// connected (the wire.CapsParam query parameter); zero when it did
	// not. They shape what the game is told of the terminal (MTTS).
	Caps wire.Caps
}

// Session is one player's bridge to the game: one game connection, and
// the player's WebSocket, or, while a resumable player is away, none.
// Create it with New, run it with Run; Shutdown and End may be called from
// any goroutine. Sessions made by a Hub can be resumed; one made by New
// cannot.
type Session struct {
	cfg   Config
	log   *slog.Logger
	hub   *Hub   // holds resume tokens; nil: the session cannot be resumed
	login string // the login session, for Hub.End and resume
	name  string // the account
	addr  string // the player's address when the session started
	ctx   context.Context
	first *attachment // the player who started it

	game   net.Conn       // set before the game pump starts
	telnet *telnet.Client // likewise
	done   chan struct{}  // closed when the session has ended
	end    *endReason     // why; set before done is closed

	stopped context.Context    // cancelled by stopWith
	stop    context.CancelFunc // cancels stopped
	stopMu  sync.Mutex
	why     *endReason // why stopped, set before stop is called

	// wmu serialises writes to the player, so that numbered frames reach
	// the player in the order they are numbered, and guards the fields
	// below. It is held across a write: never take it where waiting for a
	// slow player is wrong.
	wmu       sync.Mutex
	att       atomic.Pointer[attachment] // the player now; nil while away
	grace     *time.Timer                // runs while a resumable player is away
	resumable bool                       // the client can resume, and resuming is on
	token     string                     // the current resume token, "" when none
	over      bool                       // the session has ended: no attaching

	rmu    sync.Mutex // guards replay (Acks arrive without wmu)
	replay replay

	started   time.Time
	lastInput atomic.Int64 // unix nanoseconds of the player's last input (see noteInput); 0 before the first
	bytesIn   atomic.Int64 // from the player to the game
	bytesOut  atomic.Int64 // from the game to the player
	resumes   atomic.Int64
}

// New returns a session for an accepted player. It cannot be resumed: use
// a Hub for that.
func New(p Player, cfg Config) *Session { return newSession(p, cfg, nil, context.Background()) }

// Run connects to the game and pumps until the session ends, then closes
// both sides. It returns nil when the session ended normally (the player
// or the game closed, the player was idle) and otherwise an error that says
// why. Run closes the WebSocket in every case. Cancelling ctx cuts the
// session at once.
func (s *Session) Run(ctx context.Context) error {
	s.ctx = ctx
	return s.serveNew()
}

func newSession(p Player, cfg Config, hub *Hub, ctx context.Context) *Session {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	stopped, stop := context.WithCancel(context.Background())
	if p.Name != "" {
		log = log.With("account", p.Name)
	}
	// The game may ask who the player is (MNES IPADDRESS): the address the
	// gateway sees, never one the player states.
	cfg.Telnet.IPAddress = p.Addr
	cfg.Telnet.MTTS = mtts(cfg.Telnet.MTTS, p.Caps)
	s := &Session{
		cfg:     cfg,
		log:     log.With("player", p.Addr),
		hub:     hub,
		login:   p.Session,
		name:    p.Name,
		addr:    p.Addr,
		ctx:     ctx,
		done:    make(chan struct{}),
		stopped: stopped,
		stop:    stop,
		first:   newAttachment(p),
		started: time.Now(), // here, before the hub shares the session (Hub.Live reads it)
	}
	s.replay.max = cfg.resumeBuffer()
	return s
}

// dialResult classifies the outcome of a connection attempt to the game,
// for metrics: "ok", "refused" (nothing listens), "timeout", "tls" (the
// TLS handshake with the game failed) or "error".
func dialResult(err error) string {
	var (
		ne   net.Error
		cert *tls.CertificateVerificationError
		rec  tls.RecordHeaderError
		alrt tls.AlertError
	)
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.As(err, &cert), errors.As(err, &rec), errors.As(err, &alrt):
		return "tls"
	}
	return "error"
}

// mtts is what the game is told of a web player's terminal in the MTTS
// cycle: the configured bits (zero: telnet.DefaultMTTS), plus SSL, since
// the player's connection to the gateway is always TLS, plus screen
// reader when the player turned it on, and without truecolour when the
// client does not draw it.
func mtts(base int, caps wire.Caps) int {
	if base <= 0 {
		base = telnet.DefaultMTTS
	}
	base |= telnet.MTTSSSL
	if caps == 0 {
		return base // the client did not say: the defaults stand
	}
	if caps&wire.CapScreenReader != 0 {
		base |= telnet.MTTSScreenReader
	}
	if caps&wire.CapTruecolor == 0 {
		base &^= telnet.MTTSTrueColor
	}
	return base
}

// Shutdown asks the session to end because the gateway is restarting: the
// player is told so and the WebSocket closes with status 1001 (going away),
// which clients take as a cue to reconnect. It does not wait; Run returns
// when the session has ended.
func (s *Session) Shutdown() { s.stopWith(restarting()) }

// End asks the session to end because the player's login session did
// (logout, expiry, revocation): the player is told why, in an Error frame
// with code ErrorUnauthorized and the reason's code (clients send the
// player to the login page, which says why in its own words), and the
// WebSocket closes with 1008. It does not wait.
func (s *Session) End(why wire.LoginReason) {
	s.stopWith(&endReason{
		status: websocket.StatusPolicyViolation,
		reason: "session ended",
		frame:  &wire.Frame{Type: wire.TypeError, Code: wire.ErrorUnauthorized, Data: []byte(why)},
		err:    fmt.Errorf("%w: %s", errLoginEnded, why),
	})
}

// stopWith records the first reason to stop and stops the session.
func (s *Session) stopWith(why *endReason) {
	s.stopMu.Lock()
	if s.why == nil {
		s.why = why
	}
	s.stopMu.Unlock()
	s.stop()
}

// stopReason is why the session was stopped from outside.
func (s *Session) stopReason() *endReason {
	s.stopMu.Lock()
	defer s.stopMu.Unlock()
	if s.why == nil {
		return restarting()
	}
	return s.why
}

// endReason says why a session, or one player connection of it, ended and
// how to tell the player.
type endReason struct {
	status websocket.StatusCode // close code for the WebSocket; 0 closes without a handshake
	reason string               // close reason, at most 123 bytes
	frame  *wire.Frame          // a last frame for the player, or nil
	err    error                // cause, for the log
	// away is set when the player vanished rather than left (no close
	// handshake, unanswered pings, a stalled socket): a resumable session
	// then waits for the player instead of ending.
	away bool
}

// serveNew starts the session for its first player, then serves that
// player until it leaves. It returns when the session has ended, or nil
// when the player went away and the session waits for a resume.
func (s *Session) serveNew() error {
	a := s.first
	s.log.Info("session started")
	// Cancelling ctx cuts the session at once, even in the middle of a
	// goodbye the player does not take (only closing the connection under
	// the WebSocket interrupts its close handshake).
	stopCut := context.AfterFunc(s.ctx, s.cut)
	if end := s.begin(a); end != nil {
		s.att.Store(a)
		s.finish(end)
		stopCut()
		return s.result()
	}
	go func() {
		defer stopCut()
		s.finish(s.gameToPlayer())
	}()
	return s.serve(a)
}

// cut closes everything at once: the game connection (stopping closes
// it) and the player's.
func (s *Session) cut() {
	s.stopWith(restarting())
	if a := s.att.Load(); a != nil {
		a.cutNow()
	}
}

// begin tells the player the gateway is connecting, dials the game, and
// says so when it answered. It returns why the session cannot go on, or
// nil.
func (s *Session) begin(a *attachment) *endReason {
	s.wmu.Lock()
	s.att.Store(a)
	s.wmu.Unlock()
	if err := s.send(a, &wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnecting, Data: []byte("connecting to the game")}); err != nil {
		return &endReason{reason: "player gone", err: err}
	}
	// A shutdown while the game is slow to answer must not wait for the
	// dial timeout.
	dctx, cancel := context.WithTimeout(s.ctx, s.cfg.dialTimeout())
	stopDial := context.AfterFunc(s.stopped, cancel)
	game, err := s.cfg.Dial(dctx, s.addr)
	stopDial()
	cancel()
	if s.hub != nil && s.stopped.Err() == nil && s.ctx.Err() == nil {
		s.hub.dialed(dialResult(err))
	}
	if err != nil {
		if s.stopped.Err() != nil {
			return s.stopReason()
		}
		if s.ctx.Err() != nil {
			return restarting()
		}
		return &endReason{
			status: websocket.StatusTryAgainLater,
			reason: "game unreachable",
			frame:  &wire.Frame{Type: wire.TypeError, Code: wire.ErrorGameUnreachable, Data: []byte("The game is not answering right now. Try again in a moment.")},
			err:    fmt.Errorf("dial game: %w", err),
		}
	}
	s.game = game
	s.telnet = telnet.NewClient(s.cfg.Telnet, &deadlineWriter{conn: game, timeout: s.cfg.writeTimeout(), n: &s.bytesIn})
	// From here on, stopping the session closes the game connection, which
	// ends the game pump, which ends the session.
	context.AfterFunc(s.stopped, func() { game.Close() })
	s.log.Info("connected to game", "game", game.RemoteAddr().String())
	if err := s.send(a, &wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnected, Data: []byte("connected")}); err != nil {
		game.Close()
		return &endReason{reason: "player gone", err: err}
	}
	return nil
}

// finish ends the session: the game connection closes, the player (if
// there is one) is told why, the resume token dies, and the hub forgets
// the session. It runs once, in the goroutine that owned the game pump.
func (s *Session) finish(end *endReason) {
	runHook(&testHookFinish, s)
	s.wmu.Lock()
	s.over = true
	// a stays in att while it is told goodbye, so that cutting the
	// session (cut) can interrupt a goodbye the player does not take.
	a := s.att.Load()
	if s.grace != nil {
		s.grace.Stop()
	}
	token := s.token
	s.token = ""
	s.wmu.Unlock()
	if token != "" {
		s.hub.forget(token)
	}
	if s.game != nil {
		s.game.Close()
	}
	if a != nil {
		s.closePlayer(a, end)
		s.att.Store(nil)
	}
	s.rmu.Lock()
	s.replay.release()
	s.rmu.Unlock()

	level := slog.LevelInfo
	if end.err != nil && !errors.Is(end.err, errPlayerClosed) && !errors.Is(end.err, errLoginEnded) {
		level = slog.LevelWarn
	}
	attrs := []any{"reason", end.reason, "err", end.err,
		"duration", time.Since(s.started).Round(time.Millisecond),
		"bytes_in", s.bytesIn.Load(), "bytes_out", s.bytesOut.Load()}
	if n := s.resumes.Load(); n > 0 {
		attrs = append(attrs, "resumes", n)
	}
	if s.telnet != nil {
		attrs = append(attrs, "telnet", s.telnetSummary())
	}
	s.log.Log(context.Background(), level, "session ended", attrs...)
	s.end = end
	if s.hub != nil {
		s.hub.remove(s, end, s.negotiated())
	}
	s.stop()
	close(s.done)
}

// result is what Run and Hub.Serve return for an ended session.
func (s *Session) result() error {
	end := s.end
	if end.err == nil || errors.Is(end.err, errPlayerClosed) {
		return nil
	}
	return fmt.Errorf("%s: %w", end.reason, end.err)
}

var errPlayerClosed = errors.New("player closed the connection")

// errLoginEnded is why a bridge ends when its login session did: a
// logout, an expiry, an operator's revocation. Routine, so logged at INFO.
var errLoginEnded = errors.New("login session ended")

// detach lets go of player connection a and starts the grace period,
// when the session is resumable and end says the player vanished. It
// reports whether the session goes on without a (true also when a was
// already replaced by a resume).
func (s *Session) detach(a *attachment, end *endReason) bool {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	switch {
	case s.over:
		return false
	case s.att.Load() != a:
		return true // already detached, or a resume took over
	case !end.away || !s.resumable:
		return false
	}
	s.att.Store(nil)
	a.cutNow()
	grace := s.cfg.resumeGrace()
	s.grace = time.AfterFunc(grace, func() {
		s.stopWith(&endReason{reason: "player did not come back",
			err: fmt.Errorf("no resume within %s", grace)})
	})
	s.rmu.Lock()
	kept := s.replay.size()
	s.rmu.Unlock()
	s.log.Info("player away; holding the game connection", "why", end.reason, "err", end.err, "grace", grace, "buffered_bytes", kept)
	return true
}

// enableResume makes the session resumable, once the client said it can
// resume, and sends the client its first token.
func (s *Session) enableResume(a *attachment) error {
	if s.hub == nil || s.cfg.resumeGrace() < 0 {
		return nil
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.resumable || s.over || s.att.Load() != a {
		return nil
	}
	s.resumable = true
	return s.sendTokenLocked(a)
}

// sendTokenLocked makes a new resume token, registers it with the hub and
// sends it to a, with the number of the next numbered frame. wmu is held,
// so no numbered frame can slip in between.
func (s *Session) sendTokenLocked(a *attachment) error {
	if s.token != "" {
		s.hub.forget(s.token)
	}
	s.token = s.hub.newToken(s)
	s.rmu.Lock()
	next := s.replay.next()
	s.rmu.Unlock()
	return s.send(a, &wire.Frame{Type: wire.TypeResume, Seq: next, Data: []byte(s.token)})
}

// ending reports whether the session has ended or been stopped (finish,
// which sets over, follows a stop). wmu is held.
func (s *Session) ending() bool { return s.over || s.stopped.Err() != nil }

// Test hooks, set only by tests: testHookLiveChecked runs in resume after
// the session's player connection answered the live check, and
// testHookFinish when finish starts, before it takes wmu.
var testHookLiveChecked, testHookFinish atomic.Pointer[func(*Session)]

// runHook runs a test hook, if one is set.
func runHook(h *atomic.Pointer[func(*Session)], s *Session) {
	if f := h.Load(); f != nil {
		(*f)(s)
	}
}

// liveCheck bounds how long a resume waits for the connection it would
// take over to answer a ping. A browser answers pings in its network
// stack, even for a page that is frozen or busy, so a live connection
// answers in a round trip; one that does not within this is taken over.
const liveCheck = 3 * time.Second

// resume attaches player connection a to the session (whose token it
// presented), replays what the player missed, and serves a. It reports
// false, having done nothing, when the session has ended meanwhile, or
// when the session's player connection is still alive: then the token
// was a copy (a duplicated browser tab copies the page's sessionStorage,
// token included), and a second page must not take the first one's game.
// The live connection gets a new token, since this one is spent, and the
// newcomer a game connection of its own.
func (s *Session) resume(a *attachment, seq uint64) (error, bool) {
	// A player coming back before the gateway noticed the old connection
	// died (a network switch leaves it half open) takes over: the old one
	// is cut first, so a write blocked on it returns.
	if old := s.att.Load(); old != nil {
		if s.answers(old) {
			runHook(&testHookLiveChecked, s)
			s.wmu.Lock()
			switch cur := s.att.Load(); {
			case s.ending() || (cur != nil && cur != old):
				// Ended, or another resume took it meanwhile, with a
				// token of its own.
				s.wmu.Unlock()
				return nil, false
			case cur == old:
				if err := s.sendTokenLocked(old); err != nil {
					old.cutWith(&endReason{reason: "player gone", err: fmt.Errorf("write to player: %w", err), away: true})
				}
				s.wmu.Unlock()
				s.log.Info("resume refused: the game connection's player is still connected", "from", a.addr)
				return nil, false
			}
			// The live connection went away while it was asked (a page
			// reloaded just then): the token, spent now, is the only one
			// that could bring the player back, so this resume takes it.
			s.wmu.Unlock()
		} else {
			old.cutNow()
		}
	}
	s.wmu.Lock()
	// Stopped (a logout, a shutdown, a grace that ran out a moment ago)
	// and about to finish, or finished: attached now, the player would
	// be cut at once.
	if s.ending() || (s.grace != nil && !s.grace.Stop()) {
		s.wmu.Unlock()
		return nil, false
	}
	s.grace = nil
	s.att.Store(a)
	s.hub.moved(s, a.addr)
	s.rmu.Lock()
	first, missed := s.replay.since(nil, seq)
	s.rmu.Unlock()
	n := 0
	err := s.send(a, &wire.Frame{Type: wire.TypeResumed, Seq: first})
	if err == nil {
		err = records(missed, func(f []byte) error {
			n++
			return s.write(a, f)
		})
	}
	if err == nil {
		err = s.sendTokenLocked(a)
	}
	s.wmu.Unlock()
	s.resumes.Add(1)
	s.hub.resumed.Add(1)
	attrs := []any{"from", a.addr, "replayed_frames", n, "replayed_bytes", len(missed) - 4*n}
	if first > seq {
		attrs = append(attrs, "lost_frames", first-seq)
	}
	s.log.Info("player resumed", attrs...)
	if err != nil {
		// As for any failed write: the reader, which hears of it at
		// once, decides between waiting for the player and ending.
		a.cutWith(&endReason{reason: "player gone", err: fmt.Errorf("replay to player: %w", err), away: true})
	}
	return s.serve(a), true
}

// answers reports whether player connection a answers a ping within
// liveCheck.
func (s *Session) answers(a *attachment) bool {
	ctx, cancel := context.WithTimeout(s.ctx, liveCheck)
	defer cancel()
	return a.ws.Ping(ctx) == nil
}

// serve reads the frames of player connection a until it ends, then
// either lets the session wait for a resume or ends it. It returns the
// session's result, or nil when the session goes on without a.
func (s *Session) serve(a *attachment) error {
	stopKeepalive := s.keepalive(a)
	end := s.readPlayer(a)
	stopKeepalive()
	if cut := a.cutReason(); cut != nil && !errors.Is(end.err, errPlayerClosed) {
		end = cut // the gateway cut it, or a write had failed: that is why
	}
	if s.detach(a, end) {
		return nil
	}
	s.stopWith(end)
	<-s.done
	return s.result()
}

func restarting() *endReason {
	return &endReason{
		status: websocket.StatusGoingAway,
		reason: "gateway restarting",
		frame:  &wire.Frame{Type: wire.TypeStatus, Status: wire.StatusGatewayRestarting, Data: []byte("The gateway is restarting. Reconnecting shortly...")},
	}
}

// closePlayer tells player connection a why the session ends and closes
// its WebSocket.
func (s *Session) closePlayer(a *attachment, end *endReason) {
	if end.status == 0 {
		a.cutNow()
		return
	}
	if end.frame != nil {
		// Best effort: a player who cannot take the frame gets the close code.
		_ = s.send(a, end.frame)
	}
	a.ws.Close(end.status, end.reason)
}

// send encodes f and writes it to a within WriteTimeout.
func (s *Session) send(a *attachment, f *wire.Frame) error {
	b, err := wire.Append(make([]byte, 0, 64), f)
	if err != nil {
		return fmt.Errorf("encode %s frame: %w", f.Type, err)
	}
	return s.write(a, b)
}

func (s *Session) write(a *attachment, b []byte) error {
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.writeTimeout())
	defer cancel()
	return a.ws.Write(ctx, websocket.MessageBinary, b)
}

// summaryOptions are the telnet options a session's last log line and the
// negotiation metrics report.
var summaryOptions = []byte{telnet.OptBinary, telnet.OptEcho, telnet.OptSGA, telnet.OptEOR, telnet.OptNAWS,
	telnet.OptTTYPE, telnet.OptNewEnviron, telnet.OptCharset, telnet.OptGMCP, telnet.OptMSDP, telnet.OptMXP, telnet.OptMCCP2}

// negotiated names the options the game and the gateway agreed on (either
// side); none before the game answered.
func (s *Session) negotiated() []string {
	if s.telnet == nil {
		return nil
	}
	var names []string
	for _, opt := range summaryOptions {
		if us, him := s.telnet.Enabled(opt); us || him {
			names = append(names, telnet.OptName(opt))
		}
	}
	return names
}

// telnetSummary says what the game and the gateway agreed on, and how much
// junk was dropped, for the session's last log line.
func (s *Session) telnetSummary() string {
	var b []byte
	for _, name := range s.negotiated() {
		b = append(b, name...)
		b = append(b, ' ')
	}
	if st := s.telnet.Stats().Parser; st.Oversized+st.Aborted > 0 {
		b = fmt.Appendf(b, "dropped_subneg=%d ", st.Oversized+st.Aborted)
	}
	if len(b) == 0 {
		return "none"
	}
	return string(b[:len(b)-1])
}

// gameWriteEnd explains a failed write to the game: it stopped reading
// (WriteTimeout) or the connection broke.
func gameWriteEnd(err error) *endReason {
	return &endReason{
		status: websocket.StatusNormalClosure,
		reason: "game connection lost",
		frame:  &wire.Frame{Type: wire.TypeStatus, Status: wire.StatusGameClosed, Data: []byte("The connection to the game was lost.")},
		err:    err,
	}
}
