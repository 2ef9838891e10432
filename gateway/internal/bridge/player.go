package bridge

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/gateway/internal/telnet"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// attachment is one player connection of a session: a session has one at
// a time, and none while a resumable player is away.
type attachment struct {
	ws   *websocket.Conn
	raw  net.Conn // may be nil
	addr string

	stalled atomic.Bool               // a write to the player timed out
	cut     atomic.Pointer[endReason] // why the gateway cut this connection, if it did
}

func newAttachment(p Player) *attachment {
	p.WS.SetReadLimit(wire.MaxFrameSize)
	return &attachment{ws: p.WS, raw: p.Conn, addr: p.Addr}
}

// cutWith records why the gateway drops this connection (the first reason
// wins) and drops it.
func (a *attachment) cutWith(end *endReason) {
	a.cut.CompareAndSwap(nil, end)
	a.cutNow()
}

// cutNow drops the connection without a close handshake.
func (a *attachment) cutNow() {
	if a.raw != nil {
		a.raw.Close()
	}
	a.ws.CloseNow()
}

func (a *attachment) cutReason() *endReason { return a.cut.Load() }

// readPlayer reads frames from player connection a and acts on them until
// the connection fails or the player sends something it must not; it
// returns why.
func (s *Session) readPlayer(a *attachment) *endReason {
	ctx := s.ctx
	for {
		typ, b, err := a.ws.Read(ctx)
		if err != nil {
			return playerReadEnd(ctx, err)
		}
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
		if end := s.handle(a, &f); end != nil {
			return end
		}
	}
}

// handle applies one frame from the player; a non-nil result ends the
// connection.
func (s *Session) handle(a *attachment, f *wire.Frame) *endReason {
	tc := s.telnet
	var err error
	switch f.Type {
	case wire.TypeLine:
		s.noteInput()
		err = tc.SendLine(f.Data)
	case wire.TypeKeys:
		s.noteInput()
		err = tc.SendKeys(f.Data)
	case wire.TypeResize:
		s.noteInput()
		err = tc.Resize(f.Cols, f.Rows)
	case wire.TypeHello:
		s.log.Debug("client hello", "client", string(f.Data), "caps", uint32(f.Caps))
		if f.Caps&wire.CapResume != 0 {
			if err := s.enableResume(a); err != nil {
				return &endReason{reason: "player gone", err: fmt.Errorf("write to player: %w", err), away: true}
			}
		}
	case wire.TypeAck:
		s.rmu.Lock()
		s.replay.ack(f.Seq)
		s.rmu.Unlock()
	case wire.TypePing:
		// Not numbered, so it needs no ordering with the game's stream
		// (wmu); the WebSocket orders concurrent writes itself.
		if err := s.send(a, &wire.Frame{Type: wire.TypePong, Seq: f.Seq}); err != nil {
			return &endReason{reason: "player gone", err: fmt.Errorf("write to player: %w", err), away: true}
		}
	case wire.TypeGMCPIn:
		pkg, ok := telnet.GMCPPackage(f.Data)
		if !ok || !s.cfg.gmcpAllowed(pkg) {
			s.log.Debug("dropped GMCP from player", "package", pkg, "bytes", len(f.Data))
			return nil
		}
		s.noteInput()
		err = tc.SendGMCP(f.Data)
	}
	if err != nil {
		return gameWriteEnd(fmt.Errorf("write game: %w", err))
	}
	return nil
}

// DefaultGMCPFromPlayers are the GMCP messages a player's client may send
// to the game unless Config.GMCPFromPlayers says otherwise: requests for
// data and the client's own capabilities. Everything else is dropped;
// above all Core.Hello, which would let a player tell the game it is some
// other client.
var DefaultGMCPFromPlayers = []string{"Core.Ping", "Core.Supports.Set", "Core.Supports.Add", "Core.Supports.Remove",
	"Char.Items.Inv", "Char.Items.Contents", "Char.Skills.Get", "Comm.Channel.Players"}

// gmcpAllowed reports whether players may send GMCP message pkg
// ("Package.Message", compared without regard to case). Core.Hello never
// is: the gateway speaks for the client.
func (c *Config) gmcpAllowed(pkg string) bool {
	list := c.GMCPFromPlayers
	if list == nil {
		list = DefaultGMCPFromPlayers
	}
	if strings.EqualFold(pkg, "Core.Hello") {
		return false
	}
	return slices.ContainsFunc(list, func(p string) bool { return strings.EqualFold(pkg, p) })
}

// playerReadEnd explains a failed read from the player. A normal
// closure (1000) is the player leaving: the client sends it for Quit and
// Log out. Going away (1001) is what a browser sends for a page that is
// reloaded, discarded or closed: the page may come back with its resume
// token (a reload, a restored tab), so it is a player who may come back,
// as are the client's own "reconnecting" (wire.CloseReconnecting) and a
// connection that just broke. A tab that really closed then lets the game
// connection go when the grace period ends.
func playerReadEnd(ctx context.Context, err error) *endReason {
	switch st := websocket.CloseStatus(err); {
	case st == websocket.StatusCode(wire.CloseReconnecting):
		return &endReason{reason: "player reconnecting", err: fmt.Errorf("read player: %w", err), away: true}
	case st == websocket.StatusGoingAway:
		return &endReason{reason: "player left the page", err: fmt.Errorf("read player: %w", err), away: true}
	case st == websocket.StatusNormalClosure:
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
	return &endReason{reason: "player gone", err: fmt.Errorf("read player: %w", err), away: true}
}

// keepalive pings player connection a every PingInterval; an unanswered
// ping cuts the connection (the player may come back), and a player who
// has done nothing for IdleTimeout (idleSince) ends the session. It runs on a timer
// rather than in a goroutine of its own, so an idle player costs no
// goroutine stack for it; the returned stop cancels it and waits for a
// ping in flight.
func (s *Session) keepalive(a *attachment) (stop func()) {
	interval, idle := s.cfg.pingInterval(), s.cfg.idleTimeout()
	ctx, cancel := context.WithCancel(s.ctx)
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
		if s.keepaliveCheck(ctx, a, interval, idle) {
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
		cancel()
		running.Wait()
	}
}

// keepaliveCheck is one tick of keepalive; it reports whether it ended
// the connection or the session.
func (s *Session) keepaliveCheck(ctx context.Context, a *attachment, interval, idle time.Duration) bool {
	if idle > 0 && time.Since(s.idleSince()) > idle {
		s.stopWith(&endReason{
			status: websocket.StatusNormalClosure,
			reason: "idle timeout",
			frame:  &wire.Frame{Type: wire.TypeError, Code: wire.ErrorIdle, Data: []byte(fmt.Sprintf("Disconnected after %s without input.", idle))},
		})
		return true
	}
	pctx, cancel := context.WithTimeout(ctx, interval)
	err := a.ws.Ping(pctx)
	cancel()
	if err == nil || ctx.Err() != nil {
		return false // an end already under way reports itself
	}
	a.cutWith(&endReason{reason: "player not answering pings", err: fmt.Errorf("ping player: %w", err), away: true})
	return true
}

// noteInput records that the player did something: typed a line or keys,
// resized the terminal, or sent the game GMCP. This is what keeps the
// session from idling out (IdleTimeout) and what Hub.LastInputs reports,
// which keeps the player's login session alive; frames the client sends
// by itself (Hello, Ack, Ping) and resuming do not count.
func (s *Session) noteInput() { s.lastInput.Store(time.Now().UnixNano()) }

// idleSince is when the player last did something, or when the session
// started if they have done nothing yet.
func (s *Session) idleSince() time.Time {
	if n := s.lastInput.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return s.started
}
