package bridge

import (
	"context"
	"errors"
	"sync"

	"github.com/coder/websocket"
)

// ErrShuttingDown is returned by Hub.Serve once Shutdown has begun.
var ErrShuttingDown = errors.New("bridge: gateway shutting down")

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
	closing  bool
	wg       sync.WaitGroup
}

// NewHub returns a hub whose sessions use cfg. Sessions run under ctx (the
// server's context, not a request's): cancelling it ends them all at once,
// without waiting for the goodbye Shutdown sends.
func NewHub(ctx context.Context, cfg Config) *Hub {
	return &Hub{ctx: ctx, cfg: cfg, sessions: make(map[*Session]struct{})}
}

// Serve runs a session for an accepted WebSocket until it ends. It returns
// ErrShuttingDown, after closing ws with 1001, if the hub is shutting down.
func (h *Hub) Serve(ws *websocket.Conn, player string) error {
	s := New(ws, player, h.cfg)
	h.mu.Lock()
	if h.closing {
		h.mu.Unlock()
		ws.Close(websocket.StatusGoingAway, "gateway restarting")
		return ErrShuttingDown
	}
	h.sessions[s] = struct{}{}
	h.wg.Add(1)
	h.mu.Unlock()

	defer func() {
		h.mu.Lock()
		delete(h.sessions, s)
		h.mu.Unlock()
		h.wg.Done()
	}()
	return s.Run(h.ctx)
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
