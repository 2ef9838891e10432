package bridge

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/gateway/internal/peer"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// Errors Hub.Serve returns when it does not run a session.
var (
	ErrShuttingDown = errors.New("bridge: gateway shutting down")
	ErrFull         = errors.New("bridge: player limit reached")
)

// Hub tracks the live sessions of one gateway, and the resume tokens of
// those a player may come back to. Its zero value is not usable; create it
// with NewHub.
//
// http.Server.Shutdown does not wait for hijacked connections such as
// WebSockets, so the gateway waits for them here: Shutdown tells every
// session the gateway is restarting and waits until they have ended.
type Hub struct {
	ctx context.Context
	cfg atomic.Pointer[Config] // swapped whole by SetConfig

	mu       sync.Mutex
	sessions map[*Session]string // the address group (peer.Group) each is counted under
	perAddr  map[string]int      // by address group
	perName  map[string]int      // by account name
	tokens   map[string]*Session
	closing  bool
	wg       sync.WaitGroup // live sessions
	serving  sync.WaitGroup // goroutines Start started

	resumed, resumeFailed atomic.Int64

	// Totals of ended sessions, under mu; Stats adds the live ones.
	bytesToGame, bytesToPlayers int64
	dials                       map[string]int64 // by DialResult
	ends                        map[string]int64 // by end reason
	negotiated                  map[string]int64 // sessions that agreed on an option, by name
}

// Stats is a snapshot of a Hub's counters, for metrics.
type Stats struct {
	// Players is the number of live sessions, Away those whose player is
	// away and may resume.
	Players, Away int
	// Resumed counts resumes that took a player back to their game
	// connection; ResumeFailed those whose token was unknown, used or
	// expired (the player got a new game connection).
	Resumed, ResumeFailed int64
	// BytesToGame and BytesToPlayers count what went each way, of ended
	// and live sessions: telnet bytes written to the game, wire frames
	// written to players.
	BytesToGame, BytesToPlayers int64
	// Dials counts connections to the game by result: "ok", "refused",
	// "timeout", "tls" or "error".
	Dials map[string]int64
	// Ends counts ended sessions by why they ended (as the log's reason).
	Ends map[string]int64
	// Negotiated counts ended sessions in which the game and the gateway
	// agreed on a telnet option, by the option's name.
	Negotiated map[string]int64
}

// NewHub returns a hub whose sessions use cfg. Sessions run under ctx (the
// server's context, not a request's): cancelling it ends them all at once,
// without waiting for the goodbye Shutdown sends.
func NewHub(ctx context.Context, cfg Config) *Hub {
	h := &Hub{ctx: ctx, sessions: make(map[*Session]string), perAddr: make(map[string]int),
		perName: make(map[string]int), tokens: make(map[string]*Session),
		dials: make(map[string]int64), ends: make(map[string]int64), negotiated: make(map[string]int64)}
	h.cfg.Store(&cfg)
	return h
}

// SetConfig makes sessions that start from now on use cfg, for a
// configuration reload; live sessions keep the configuration they started
// with. The limits apply at once to players who connect next; players over
// a lowered limit are not disconnected.
func (h *Hub) SetConfig(cfg Config) { h.cfg.Store(&cfg) }

// Serve serves an accepted player until their connection ends. A player
// with a valid resume token (p.Resume, for the same login session) goes
// back to their game connection; otherwise a new session starts, counted
// against the limits: in all, per address (p.Addr's group, peer.Group: an
// IPv4 address or an IPv6 /64, which one subscriber usually holds whole)
// and per account (p.Name). It returns ErrShuttingDown, after closing with 1001, if the hub
// is shutting down, and ErrFull, after telling the player, when a limit is
// reached. Otherwise it returns when the player's connection has ended:
// nil when the session waits for the player to resume, else what ended
// the session.
func (h *Hub) Serve(p Player) error {
	cfg := h.cfg.Load()
	if p.Resume != "" {
		if s := h.claim(p); s != nil {
			if err, ok := s.resume(newAttachment(p), p.Seq); ok {
				return err
			}
		}
		h.resumeFailed.Add(1)
		if cfg.Logger != nil {
			cfg.Logger.Info("resume refused: token unknown, used or expired, or its player still connected; starting a new game connection", "player", p.Addr)
		}
	}
	s := newSession(p, *cfg, h, h.ctx)
	ws, group := p.WS, peer.Group(p.Addr)
	h.mu.Lock()
	switch {
	case h.closing:
		h.mu.Unlock()
		ws.Close(websocket.StatusGoingAway, "gateway restarting")
		return ErrShuttingDown
	case len(h.sessions) >= cfg.maxPlayers():
		h.mu.Unlock()
		refuse(ws, "The gateway is full. Try again in a few minutes.")
		return fmt.Errorf("%w: %d players", ErrFull, cfg.maxPlayers())
	case h.perAddr[group] >= cfg.maxPlayersPerAddr():
		h.mu.Unlock()
		refuse(ws, "Too many connections from your network address.")
		return fmt.Errorf("%w: %d players from %s", ErrFull, cfg.maxPlayersPerAddr(), group)
	case p.Name != "" && h.perName[p.Name] >= cfg.maxPlayersPerAccount():
		h.mu.Unlock()
		refuse(ws, fmt.Sprintf("%s is already playing in %d places. Close one of them, then reconnect.", p.Name, cfg.maxPlayersPerAccount()))
		return fmt.Errorf("%w: %d players of account %s", ErrFull, cfg.maxPlayersPerAccount(), p.Name)
	}
	h.sessions[s] = group
	h.perAddr[group]++
	if p.Name != "" {
		h.perName[p.Name]++
	}
	h.wg.Add(1)
	h.mu.Unlock()
	return s.serveNew()
}

// Start serves an accepted player as Serve does, in a goroutine of its
// own, and then calls done (if not nil) with what Serve returned. The
// goroutine that accepted the connection can return at once, freeing its
// stack, grown by the TLS handshake and the HTTP handling, and the HTTP
// request, which a player who idles for hours would otherwise hold. Wait
// and Shutdown wait for these goroutines too.
func (h *Hub) Start(p Player, done func(error)) {
	h.serving.Add(1)
	go func() {
		defer h.serving.Done()
		err := h.Serve(p)
		if done != nil {
			done(err)
		}
	}()
}

// claim takes the session that token p.Resume belongs to, if it is live
// and p comes from the same login session, and retires the token: a
// token is good once.
func (h *Hub) claim(p Player) *Session {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.tokens[p.Resume]
	if s == nil || s.login != p.Session || s.name != p.Name {
		return nil
	}
	delete(h.tokens, p.Resume)
	return s
}

// moved counts session s, which a player resumed from addr, under
// addr's group from now on.
func (h *Hub) moved(s *Session, addr string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if old, ok := h.sessions[s]; ok {
		if group := peer.Group(addr); old != group {
			h.uncountAddr(old)
			h.perAddr[group]++
			h.sessions[s] = group
		}
	}
}

// newToken makes a resume token for s and registers it.
func (h *Hub) newToken(s *Session) string {
	var b [24]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	t := base64.RawURLEncoding.EncodeToString(b[:])
	h.mu.Lock()
	h.tokens[t] = s
	h.mu.Unlock()
	return t
}

// forget retires a resume token.
func (h *Hub) forget(token string) {
	h.mu.Lock()
	delete(h.tokens, token)
	h.mu.Unlock()
}

// dialed counts a connection attempt to the game.
func (h *Hub) dialed(result string) {
	h.mu.Lock()
	h.dials[result]++
	h.mu.Unlock()
}

// remove forgets a session that has ended, adding its figures to the
// totals.
func (h *Hub) remove(s *Session, end *endReason, negotiated []string) {
	h.mu.Lock()
	addr, ok := h.sessions[s]
	if ok {
		h.bytesToGame += s.bytesIn.Load()
		h.bytesToPlayers += s.bytesOut.Load()
		h.ends[end.reason]++
		for _, opt := range negotiated {
			h.negotiated[opt]++
		}
		delete(h.sessions, s)
		h.uncountAddr(addr)
		if s.name != "" {
			if h.perName[s.name]--; h.perName[s.name] <= 0 {
				delete(h.perName, s.name)
			}
		}
	}
	h.mu.Unlock()
	if ok {
		h.wg.Done()
	}
}

func (h *Hub) uncountAddr(addr string) {
	if h.perAddr[addr]--; h.perAddr[addr] <= 0 {
		delete(h.perAddr, addr)
	}
}

// refuse tells a player why they cannot play now and closes with 1013.
func refuse(ws *websocket.Conn, msg string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if b, err := wire.Append(nil, &wire.Frame{Type: wire.TypeError, Code: wire.ErrorLimit, Data: []byte(msg)}); err == nil {
		ws.Write(ctx, websocket.MessageBinary, b)
	}
	ws.Close(websocket.StatusTryAgainLater, "limit reached")
}

// End ends the bridges of the given login sessions (see Session.End) and
// returns how many it ended. It does not wait for them.
func (h *Hub) End(sessionIDs []string, why wire.LoginReason) int {
	if len(sessionIDs) == 0 {
		return 0
	}
	ids := make(map[string]bool, len(sessionIDs))
	for _, id := range sessionIDs {
		ids[id] = true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for s := range h.sessions {
		if s.login != "" && ids[s.login] {
			s.End(why)
			n++
		}
	}
	return n
}

// LastInputs reports, for each login session (Player.Session) with a live
// session on this hub whose player has done something (a line, keys, a
// resize, GMCP to the game), when that last happened, by this process's
// clock; sessions whose player has only been connected are left out.
// The web server keeps a login session alive only while its time moves,
// so that a tab left open on a talking game idles out like any other.
func (h *Hub) LastInputs() map[string]time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]time.Time)
	for s := range h.sessions {
		n := s.lastInput.Load()
		if s.login == "" || n == 0 {
			continue
		}
		if t := time.Unix(0, n); t.After(out[s.login]) {
			out[s.login] = t
		}
	}
	return out
}

// Len returns the number of live sessions, players away included.
func (h *Hub) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.sessions)
}

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	st := Stats{Players: len(h.sessions), BytesToGame: h.bytesToGame, BytesToPlayers: h.bytesToPlayers,
		Dials: maps.Clone(h.dials), Ends: maps.Clone(h.ends), Negotiated: maps.Clone(h.negotiated)}
	for s := range h.sessions {
		if s.att.Load() == nil {
			st.Away++
		}
		st.BytesToGame += s.bytesIn.Load()
		st.BytesToPlayers += s.bytesOut.Load()
	}
	h.mu.Unlock()
	st.Resumed, st.ResumeFailed = h.resumed.Load(), h.resumeFailed.Load()
	return st
}

// Live is a game session of this gateway as staff see it.
type Live struct {
	Account string `json:"account"`
	// Addr is the player's address when the session started.
	Addr string `json:"addr"`
	// LoginSession is the ID of the login session it runs under: ending
	// that session ends this one.
	LoginSession string    `json:"session"`
	Since        time.Time `json:"since"`
	// Away: the player's connection is gone and the game connection is
	// held for a resume.
	Away          bool  `json:"away"`
	BytesToGame   int64 `json:"bytes_to_game"`
	BytesToPlayer int64 `json:"bytes_to_player"`
}

// Live lists the game sessions running, oldest first.
func (h *Hub) Live() []Live {
	h.mu.Lock()
	out := make([]Live, 0, len(h.sessions))
	for s := range h.sessions {
		out = append(out, Live{Account: s.name, Addr: s.addr, LoginSession: s.login, Since: s.started,
			Away: s.att.Load() == nil, BytesToGame: s.bytesIn.Load(), BytesToPlayer: s.bytesOut.Load()})
	}
	h.mu.Unlock()
	slices.SortFunc(out, func(a, b Live) int { return a.Since.Compare(b.Since) })
	return out
}

// Shutdown refuses new sessions, tells every live session the gateway is
// restarting, and waits for them to end or for ctx to expire, whichever
// comes first. It returns ctx's error if sessions were still running.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	for s := range h.sessions {
		s.Shutdown()
	}
	h.mu.Unlock()

	return h.Wait(ctx)
}

// Wait waits until every session has ended or ctx expires.
func (h *Hub) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		h.wg.Wait()
		h.serving.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
