// Package web is the gateway's HTTPS side: the echo router, security
// headers, the embedded web client and the /ws endpoint that upgrades a
// player's connection and hands it to the bridge.
package web

import (
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/shared/wire"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Bridger runs one player's session on an accepted WebSocket until it ends.
// *bridge.Hub implements it.
type Bridger interface {
	Serve(ws *websocket.Conn, player string) error
}

// Config configures the HTTPS handler.
type Config struct {
	// Static holds the web client's files, served at the site root.
	Static fs.FS

	// Bridge runs the sessions of accepted WebSockets.
	Bridge Bridger

	// OriginPatterns lists extra origins (host patterns, as in
	// websocket.AcceptOptions) allowed to open /ws. The page's own origin
	// is always allowed; leave this empty unless the client is served from
	// another host.
	OriginPatterns []string

	// HSTS sends Strict-Transport-Security on every response. Turn it off
	// only for plain-HTTP tests.
	HSTS bool

	// Logger receives request errors and WebSocket refusals. nil discards.
	Logger *slog.Logger
}

// New returns the gateway's HTTPS handler.
func New(cfg Config) (http.Handler, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	static, err := newStatic(cfg.Static)
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Logs and limits key on the real peer, never on a header the client
	// writes, until a trusted proxy is configured.
	e.IPExtractor = echo.ExtractIPDirect()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		log.Warn("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "peer", c.RealIP(), "err", err)
		e.DefaultHTTPErrorHandler(err, c)
	}
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			log.Error("handler panic", "path", c.Request().URL.Path, "err", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(securityHeaders(cfg.HSTS))

	h := &handlers{cfg: cfg, log: log}
	e.GET("/ws", h.websocket)
	e.GET("/*", static.serve)
	e.HEAD("/*", static.serve)
	return e, nil
}

// contentSecurityPolicy lets the page run its own scripts and WebAssembly
// ('wasm-unsafe-eval' is what WebAssembly compilation needs, not eval) and
// talk only to its own origin, over HTTPS and WSS.
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
	"style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"

func securityHeaders(hsts bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			if hsts {
				h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			}
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			return next(c)
		}
	}
}

type handlers struct {
	cfg Config
	log *slog.Logger
}

// websocket upgrades /ws and runs the player's session on it. The session
// outlives the request in the sense that matters: it runs under the hub's
// context, and the connection is hijacked, so the server's per-request
// deadlines are cleared first.
func (h *handlers) websocket(c echo.Context) error {
	w, r := c.Response(), c.Request()
	peer := c.RealIP()
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Time{}); err != nil {
		h.log.Debug("clear read deadline", "err", err)
	}
	if err := rc.SetWriteDeadline(time.Time{}); err != nil {
		h.log.Debug("clear write deadline", "err", err)
	}
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		Subprotocols:   []string{wire.Subprotocol},
		OriginPatterns: h.cfg.OriginPatterns,
	})
	if err != nil {
		// Accept has already answered (403 for a foreign Origin, 426 or
		// 400 for a request that is not a WebSocket handshake).
		h.log.Warn("websocket refused", "peer", peer, "origin", r.Header.Get("Origin"), "err", err)
		return nil
	}
	if ws.Subprotocol() != wire.Subprotocol {
		h.log.Warn("websocket refused", "peer", peer, "err", "client did not offer subprotocol "+wire.Subprotocol,
			"offered", r.Header.Get("Sec-WebSocket-Protocol"))
		ws.Close(websocket.StatusPolicyViolation, "subprotocol "+wire.Subprotocol+" required")
		return nil
	}
	if err := h.cfg.Bridge.Serve(ws, peer); err != nil {
		h.log.Debug("session ended", "peer", peer, "err", err)
	}
	return nil
}
