package bridge

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// Errors Hub.Serve returns when it does not run a session.
var (
	ErrShuttingDown = errors.New("bridge: gateway shutting down")
	ErrFull         = errors.New("bridge: player limit reached")
)

// Hub tracks the live sessions of one gateway. Its zero value is not
// usable; create it with NewHub.
//
// http.Server.Shutdown does not wait for hijacked connections such as
// WebSockets, so the gateway waits for them here: Shutdown tells every
// session the gateway is restarting and waits until their Run has returned.
type Hub struct {
	ctx context.Context
	cfg Config

	mu       sync.Mutex
	sessions map[*Session]struct{}
	perAddr  map[string]int
	perName  map[string]int // by account name
	closing  bool
	wg       sync.WaitGroup
}

// NewHub returns a hub whose sessions use cfg. Sessions run under ctx (the
// server's context, not a request's): cancelling it ends them all at once,
// without waiting for the goodbye Shutdown sends.
func NewHub(ctx context.Context, cfg Config) *Hub {
	return &Hub{ctx: ctx, cfg: cfg, sessions: make(map[*Session]struct{}), perAddr: make(map[string]int), perName: make(map[string]int)}
}

// Serve runs a session for an accepted player until it ends. The
// per-address limit counts p.Addr, the per-account limit p.Name. It returns ErrShuttingDown, after
// closing with 1001, if the hub is shutting down, and ErrFull, after
// telling the player, when a limit is reached.
func (h *Hub) Serve(p Player) error {
	s := New(p, h.cfg)
	ws, player := p.WS, p.Addr
	h.mu.Lock()
	switch {
	case h.closing:
		h.mu.Unlock()
		ws.Close(websocket.StatusGoingAway, "gateway restarting")
		return ErrShuttingDown
	case len(h.sessions) >= h.cfg.maxPlayers():
		h.mu.Unlock()
		refuse(ws, "The gateway is full. Try again in a few minutes.")
		return fmt.Errorf("%w: %d players", ErrFull, h.cfg.maxPlayers())
	case h.perAddr[player] >= h.cfg.maxPlayersPerAddr():
		h.mu.Unlock()
		refuse(ws, "Too many connections from your network address.")
		return fmt.Errorf("%w: %d players from %s", ErrFull, h.cfg.maxPlayersPerAddr(), player)
	case p.Name != "" && h.perName[p.Name] >= h.cfg.maxPlayersPerAccount():
		h.mu.Unlock()
		refuse(ws, fmt.Sprintf("%s is already playing in %d places. Close one of them, then reconnect.", p.Name, h.cfg.maxPlayersPerAccount()))
		return fmt.Errorf("%w: %d players of account %s", ErrFull, h.cfg.maxPlayersPerAccount(), p.Name)
	}
	h.sessions[s] = struct{}{}
	h.perAddr[player]++
	if p.Name != "" {
		h.perName[p.Name]++
	}
	h.wg.Add(1)
	h.mu.Unlock()

	defer func() {
		h.mu.Lock()
		delete(h.sessions, s)
		if h.perAddr[player]--; h.perAddr[player] <= 0 {
			delete(h.perAddr, player)
		}
		if p.Name != "" {
			if h.perName[p.Name]--; h.perName[p.Name] <= 0 {
				delete(h.perName, p.Name)
			}
		}
		h.mu.Unlock()
		h.wg.Done()
	}()
	return s.Run(h.ctx)
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
func (h *Hub) End(sessionIDs []string, why string) int {
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

// Len returns the number of live sessions.
func (h *Hub) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.sessions)
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
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
