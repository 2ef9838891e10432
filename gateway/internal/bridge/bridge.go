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
package bridge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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

	// IdleTimeout ends a session when the player has sent nothing for this
	// long. Zero means the default of one hour; negative disables it.
	IdleTimeout time.Duration

	// MaxPlayers bounds the sessions of the whole gateway, and
	// MaxPlayersPerAddr those from one network address (players behind one
	// NAT share it, so it is not 1). Zero means the defaults, 10,000 and
	// 20; negative means no limit. Past a limit the player is told so and
	// the WebSocket closes with 1013 (try again later).
	MaxPlayers, MaxPlayersPerAddr int

	// MaxPlayersPerAccount bounds the sessions of one account (Player.Name),
	// across browsers and devices. Zero means the default, 5; negative
	// means no limit. Players without an account are not counted.
	MaxPlayersPerAccount int

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

// readBufferSize is how much of the game's output one read takes. Each
// read becomes at most a few frames, so this also bounds a frame: even if
// every byte were invalid UTF-8 and became a three-byte U+FFFD, plus a
// rune held over from the last read, an Output frame stays within
// wire.MaxPayload. The constant below fails to compile if that stops
// being true.
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
}

// Session is one player's bridge to the game. Create it with New, run it
// with Run; Shutdown may be called from any goroutine.
type Session struct {
	cfg   Config
	log   *slog.Logger
	ws    *websocket.Conn
	raw   net.Conn // may be nil
	addr  string   // the player's address
	login string   // the login session, for Hub.End

	closed  *endReason         // set once, by closePlayer
	game    net.Conn           // set before the pumps start
	telnet  *telnet.Client     // likewise
	stopped context.Context    // cancelled by Shutdown or End
	stop    context.CancelFunc // cancels stopped
	stopMu  sync.Mutex
	why     *endReason // why stopped, set before stop is called

	stalled   atomic.Bool  // a write to the player timed out
	lastInput atomic.Int64 // unix nanoseconds of the player's last frame
	bytesIn   atomic.Int64 // from the player to the game
	bytesOut  atomic.Int64 // from the game to the player
}

// New returns a session for an accepted player.
func New(p Player, cfg Config) *Session {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p.WS.SetReadLimit(wire.MaxFrameSize)
	stopped, stop := context.WithCancel(context.Background())
	if p.Name != "" {
		log = log.With("account", p.Name)
	}
	// The game may ask who the player is (MNES IPADDRESS): the address the
	// gateway sees, never one the player states.
	cfg.Telnet.IPAddress = p.Addr
	return &Session{
		cfg:     cfg,
		log:     log.With("player", p.Addr),
		ws:      p.WS,
		raw:     p.Conn,
		addr:    p.Addr,
		login:   p.Session,
		stopped: stopped,
		stop:    stop,
	}
}

// Shutdown asks the session to end because the gateway is restarting: the
// player is told so and the WebSocket closes with status 1001 (going away),
// which clients take as a cue to reconnect. It does not wait; Run returns
// when the session has ended.
func (s *Session) Shutdown() { s.stopWith(restarting()) }

// End asks the session to end because the player's login session did
// (logout, expiry, revocation): the player is told why, in an Error frame
// with code ErrorUnauthorized (clients send the player to the login page),
// and the WebSocket closes with 1008. It does not wait.
func (s *Session) End(why string) {
	s.stopWith(&endReason{
		status: websocket.StatusPolicyViolation,
		reason: "session ended",
		frame:  &wire.Frame{Type: wire.TypeError, Code: wire.ErrorUnauthorized, Data: []byte(why)},
		err:    errors.New("login session ended: " + why),
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

// endReason says why a session ended and how to tell the player.
type endReason struct {
	status websocket.StatusCode // close code for the WebSocket; 0 closes without a handshake
	reason string               // close reason, at most 123 bytes
	frame  *wire.Frame          // a last frame for the player, or nil
	err    error                // cause, for the log
}

// Run connects to the game and pumps until either side ends, then closes
// both sides. It returns nil when the session ended normally (the player
// or the game closed, the player was idle) and otherwise an error that says
// why. Run closes the WebSocket in every case.
func (s *Session) Run(ctx context.Context) error {
	start := time.Now()
	s.lastInput.Store(start.UnixNano())
	s.log.Info("session started")
	defer s.stop()
	// Cancelling ctx cuts the session at once, even in the middle of a
	// goodbye the player does not take (only closing the connection under
	// the WebSocket interrupts its close handshake).
	defer context.AfterFunc(ctx, func() {
		if s.raw != nil {
			s.raw.Close()
		}
		s.ws.CloseNow()
	})()

	end := s.run(ctx)

	s.closePlayer(end)
	if s.game != nil {
		s.game.Close()
	}
	level := slog.LevelInfo
	if end.err != nil && !errors.Is(end.err, errPlayerClosed) {
		level = slog.LevelWarn
	}
	attrs := []any{"reason", end.reason, "err", end.err,
		"duration", time.Since(start).Round(time.Millisecond),
		"bytes_in", s.bytesIn.Load(), "bytes_out", s.bytesOut.Load()}
	if s.telnet != nil {
		attrs = append(attrs, "telnet", s.telnetSummary())
	}
	s.log.Log(context.Background(), level, "session ended", attrs...)
	if end.err == nil || errors.Is(end.err, errPlayerClosed) {
		return nil
	}
	return fmt.Errorf("%s: %w", end.reason, end.err)
}

var errPlayerClosed = errors.New("player closed the connection")

// telnetSummary says what the game and the gateway agreed on, and how much
// junk was dropped, for the session's last log line.
func (s *Session) telnetSummary() string {
	var b []byte
	for _, opt := range []byte{telnet.OptEcho, telnet.OptSGA, telnet.OptEOR, telnet.OptNAWS, telnet.OptTTYPE} {
		us, him := s.telnet.Enabled(opt)
		if us || him {
			b = append(b, telnet.OptName(opt)...)
			b = append(b, ' ')
		}
	}
	if st := s.telnet.Stats().Parser; st.Oversized+st.Aborted > 0 {
		b = fmt.Appendf(b, "dropped_subneg=%d ", st.Oversized+st.Aborted)
	}
	if len(b) == 0 {
		return "none"
	}
	return string(b[:len(b)-1])
}

func (s *Session) run(ctx context.Context) *endReason {
	if err := s.send(ctx, &wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnecting, Data: []byte("connecting to the game")}); err != nil {
		return &endReason{reason: "player gone", err: err}
	}
	// A shutdown while the game is slow to answer must not wait for the
	// dial timeout.
	dctx, cancel := context.WithTimeout(ctx, s.cfg.dialTimeout())
	stopDial := context.AfterFunc(s.stopped, cancel)
	game, err := s.cfg.Dial(dctx, s.addr)
	stopDial()
	cancel()
	if err != nil {
		if s.stopped.Err() != nil {
			return s.stopReason()
		}
		if ctx.Err() != nil {
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
	s.log.Info("connected to game", "game", game.RemoteAddr().String())
	if err := s.send(ctx, &wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnected, Data: []byte("connected")}); err != nil {
		return &endReason{reason: "player gone", err: err}
	}

	tc := telnet.NewClient(s.cfg.Telnet, &deadlineWriter{conn: game, timeout: s.cfg.writeTimeout(), n: &s.bytesIn})
	s.telnet = tc

	// Two pumps and a keepalive timer, one owner: the first to end records
	// why and closes both connections, which unblocks the others; then
	// all are waited for.
	var (
		wg    sync.WaitGroup
		first = make(chan *endReason, 3)
	)
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	run := func(f func(context.Context) *endReason) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first <- f(pctx)
		}()
	}
	run(func(ctx context.Context) *endReason { return s.gameToPlayer(ctx, tc) })
	run(func(ctx context.Context) *endReason { return s.playerToGame(ctx, tc) })
	stopKeepalive := s.keepalive(pctx, func(end *endReason) {
		select {
		case first <- end:
		default: // the pumps' ends are already there
		}
	})

	var end *endReason
	select {
	case end = <-first:
	case <-s.stopped.Done():
		end = s.stopReason()
	case <-ctx.Done():
		end = restarting()
	}
	if s.stalled.Load() {
		// The stall closed the WebSocket, so either pump may have noticed
		// first; the stall is the reason.
		end = s.stalledEnd()
	}
	// Unblock the others: the game pump blocks in game.Read, the player
	// pump in ws.Read, a keepalive ping waits for its pong. The player is
	// told first, while the player pump still reads: the close handshake
	// needs a reader.
	game.Close()
	s.closePlayer(end)
	stop()
	stopKeepalive()
	wg.Wait()
	return end
}

func restarting() *endReason {
	return &endReason{
		status: websocket.StatusGoingAway,
		reason: "gateway restarting",
		frame:  &wire.Frame{Type: wire.TypeStatus, Status: wire.StatusGatewayRestarting, Data: []byte("The gateway is restarting. Reconnecting shortly...")},
	}
}

// closePlayer tells the player why the session ends and closes the
// WebSocket. It runs at most once per session; later calls do nothing.
func (s *Session) closePlayer(end *endReason) {
	if s.closed != nil {
		return
	}
	s.closed = end
	if end.status == 0 {
		s.ws.CloseNow()
		return
	}
	if end.frame != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		// Best effort: a player who cannot take the frame gets the close code.
		_ = s.send(ctx, end.frame)
		cancel()
	}
	s.ws.Close(end.status, end.reason)
}

// send encodes f and writes it to the player within WriteTimeout.
func (s *Session) send(ctx context.Context, f *wire.Frame) error {
	b, err := wire.Append(make([]byte, 0, 64), f)
	if err != nil {
		return fmt.Errorf("encode %s frame: %w", f.Type, err)
	}
	return s.write(ctx, b)
}

func (s *Session) write(ctx context.Context, b []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.writeTimeout())
	defer cancel()
	return s.ws.Write(ctx, websocket.MessageBinary, b)
}

// gameToPlayer reads the game, lets the telnet client digest it, and writes
// the resulting frames to the player, one read at a time.
//
// The write timeout is one timer reset per frame rather than a context per
// write, which would allocate on the hot path: when it fires, the player
// has taken nothing for WriteTimeout, and the WebSocket is closed.
func (s *Session) gameToPlayer(ctx context.Context, tc *telnet.Client) *endReason {
	wait := readableWaiter(s.game)
	var own *readState // without a waiter, this player's own
	if wait == nil {
		own = readStates.New().(*readState)
	}
	stall := time.AfterFunc(time.Hour, func() {
		s.stalled.Store(true)
		s.ws.CloseNow()
	})
	stall.Stop()
	defer stall.Stop()
	for {
		st := own
		var (
			n    int
			rerr error
		)
		if st == nil {
			// The wait's error (a reset, a closed socket) is what the
			// read would have met: it ends the loop below like one.
			rerr = wait()
			st = readStates.Get().(*readState)
		}
		buf, out := st.buf, &st.out
		if rerr == nil {
			n, rerr = s.game.Read(buf)
		}
		var recvErr error
		if n > 0 {
			// Receive fails only when answering the game failed; what it
			// decoded is still delivered below, so a game's last words
			// before it hangs up are not lost to a failed reply.
			recvErr = tc.Receive(buf[:n], out)
		}
		if rerr != nil {
			tc.Flush(out)
		}
		for _, f := range out.frames() {
			stall.Reset(s.cfg.writeTimeout())
			err := s.ws.Write(context.Background(), websocket.MessageBinary, f)
			stall.Stop()
			if err != nil {
				return s.playerWriteEnd(ctx, err)
			}
			s.bytesOut.Add(int64(len(f)))
		}
		out.reset()
		if own == nil {
			readStates.Put(st)
		}
		switch {
		case rerr != nil:
			if ctx.Err() != nil {
				return &endReason{reason: "stopped", err: ctx.Err()}
			}
			detail, cause := "The game closed the connection.", error(nil)
			if !errors.Is(rerr, io.EOF) {
				detail, cause = "The connection to the game was lost.", fmt.Errorf("read game: %w", rerr)
			}
			return &endReason{
				status: websocket.StatusNormalClosure,
				reason: "game closed the connection",
				frame:  &wire.Frame{Type: wire.TypeStatus, Status: wire.StatusGameClosed, Data: []byte(detail)},
				err:    cause,
			}
		case recvErr != nil:
			return gameWriteEnd(fmt.Errorf("answer game: %w", recvErr))
		}
	}
}

// playerWriteEnd explains a failed write to the player.
func (s *Session) playerWriteEnd(ctx context.Context, err error) *endReason {
	switch {
	case s.stalled.Load():
		return s.stalledEnd()
	case ctx.Err() != nil:
		return &endReason{reason: "stopped", err: ctx.Err()}
	}
	return &endReason{reason: "player gone", err: fmt.Errorf("write to player: %w", err)}
}

func (s *Session) stalledEnd() *endReason {
	return &endReason{reason: "player too slow",
		err: fmt.Errorf("write to player: nothing accepted for %s", s.cfg.writeTimeout())}
}

// playerToGame reads frames from the player and acts on them.
func (s *Session) playerToGame(ctx context.Context, tc *telnet.Client) *endReason {
	for {
		typ, b, err := s.ws.Read(ctx)
		if err != nil {
			return s.playerReadEnd(ctx, err)
		}
		s.lastInput.Store(time.Now().UnixNano())
		if typ != websocket.MessageBinary {
			return &endReason{status: websocket.StatusUnsupportedData, reason: "binary frames only",
				err: errors.New("player sent a text message")}
		}
		f, err := wire.Decode(b)
		if err == nil && !f.Type.FromPlayer() {
			err = fmt.Errorf("%w: %s frames travel from the gateway", wire.ErrMalformed, f.Type)
		}
		if err != nil {
			return &endReason{
				status: websocket.StatusProtocolError,
				reason: "malformed frame",
				frame:  &wire.Frame{Type: wire.TypeError, Code: wire.ErrorProtocol, Data: []byte("The gateway received a frame it cannot read: " + err.Error())},
				err:    fmt.Errorf("player frame: %w", err),
			}
		}
		if err := s.handle(tc, &f); err != nil {
			return gameWriteEnd(fmt.Errorf("write game: %w", err))
		}
	}
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

// handle applies one frame from the player.
func (s *Session) handle(tc *telnet.Client, f *wire.Frame) error {
	switch f.Type {
	case wire.TypeLine:
		return tc.SendLine(f.Data)
	case wire.TypeKeys:
		return tc.SendKeys(f.Data)
	case wire.TypeResize:
		return tc.Resize(f.Cols, f.Rows)
	case wire.TypeHello:
		s.log.Debug("client hello", "client", string(f.Data), "caps", uint32(f.Caps))
	case wire.TypeGMCPIn:
		pkg, ok := telnet.GMCPPackage(f.Data)
		if !ok || !gmcpAllowed(pkg) {
			s.log.Debug("dropped GMCP from player", "package", pkg, "bytes", len(f.Data))
			return nil
		}
		return tc.SendGMCP(f.Data)
	}
	return nil
}

// gmcpFromPlayers are the GMCP packages a player's client may send to the
// game: requests for data and the client's own capabilities. Everything
// else is dropped; above all Core.Hello, which would let a player tell
// the game it is some other client.
var gmcpFromPlayers = []string{"Core.Ping", "Core.Supports.Set", "Core.Supports.Add", "Core.Supports.Remove",
	"Char.Items.Inv", "Char.Items.Contents", "Char.Skills.Get", "Comm.Channel.Players"}

func gmcpAllowed(pkg string) bool {
	return slices.ContainsFunc(gmcpFromPlayers, func(p string) bool { return strings.EqualFold(pkg, p) })
}

// playerReadEnd explains a failed read from the player.
func (s *Session) playerReadEnd(ctx context.Context, err error) *endReason {
	switch st := websocket.CloseStatus(err); {
	case st == websocket.StatusNormalClosure || st == websocket.StatusGoingAway:
		return &endReason{reason: "player closed", err: errPlayerClosed}
	case st == websocket.StatusMessageTooBig:
		// The library has already closed with 1009.
		return &endReason{reason: "frame too large", err: fmt.Errorf("read player: %w", err)}
	case st != -1:
		return &endReason{reason: "player closed", err: fmt.Errorf("%w: %s", errPlayerClosed, st)}
	}
	if ctx.Err() != nil {
		return &endReason{reason: "stopped", err: ctx.Err()}
	}
	if errors.Is(err, websocket.ErrMessageTooBig) {
		return &endReason{reason: "frame too large", err: fmt.Errorf("read player: %w", err)}
	}
	return &endReason{reason: "player gone", err: fmt.Errorf("read player: %w", err)}
}

// keepalive pings the player every PingInterval and reports, once, an
// end when a ping goes unanswered or the player has sent nothing for
// IdleTimeout. It runs on a timer rather than in a goroutine of its own,
// so an idle player costs no goroutine stack for it; the returned stop
// cancels it and waits for a ping in flight (ctx's end aborts that).
func (s *Session) keepalive(ctx context.Context, report func(*endReason)) (stop func()) {
	interval, idle := s.cfg.pingInterval(), s.cfg.idleTimeout()
	var (
		mu      sync.Mutex
		stopped bool
		running sync.WaitGroup
		t       *time.Timer
	)
	tick := func() {
		mu.Lock()
		if stopped {
			mu.Unlock()
			return
		}
		running.Add(1)
		mu.Unlock()
		defer running.Done()
		if end := s.keepaliveCheck(ctx, interval, idle); end != nil {
			report(end)
			return
		}
		mu.Lock()
		if !stopped {
			t.Reset(interval)
		}
		mu.Unlock()
	}
	mu.Lock()
	t = time.AfterFunc(interval, tick)
	mu.Unlock()
	return func() {
		mu.Lock()
		stopped = true
		t.Stop()
		mu.Unlock()
		running.Wait()
	}
}

// keepaliveCheck is one tick of keepalive: nil while the player is there.
func (s *Session) keepaliveCheck(ctx context.Context, interval, idle time.Duration) *endReason {
	if idle > 0 && time.Since(time.Unix(0, s.lastInput.Load())) > idle {
		return &endReason{
			status: websocket.StatusNormalClosure,
			reason: "idle timeout",
			frame:  &wire.Frame{Type: wire.TypeError, Code: wire.ErrorIdle, Data: []byte(fmt.Sprintf("Disconnected after %s without input.", idle))},
		}
	}
	pctx, cancel := context.WithTimeout(ctx, interval)
	err := s.ws.Ping(pctx)
	cancel()
	if err == nil || ctx.Err() != nil {
		return nil // an end already under way reports itself
	}
	return &endReason{reason: "player not answering pings", err: fmt.Errorf("ping player: %w", err)}
}

// deadlineWriter writes to the game with a deadline on every write, so a
// game that stops reading cannot block a pump forever.
type deadlineWriter struct {
	conn    net.Conn
	timeout time.Duration
	n       *atomic.Int64
}

func (w *deadlineWriter) Write(p []byte) (int, error) {
	if err := w.conn.SetWriteDeadline(time.Now().Add(w.timeout)); err != nil {
		return 0, err
	}
	n, err := w.conn.Write(p)
	w.n.Add(int64(n))
	return n, err
}
