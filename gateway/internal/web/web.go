// Package web is the gateway's HTTPS side: the echo router, security
// headers, the embedded web client and the /ws endpoint that upgrades a
// player's connection and hands it to the bridge.
package web

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/gateway/internal/bridge"
	"github.com/drawbridge/drawbridge/shared/wire"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Bridger runs one player's session until it ends. *bridge.Hub
// implements it.
type Bridger interface {
	Serve(p bridge.Player) error
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

	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// whose X-Forwarded-For header is believed. Empty: the peer address of
	// the connection is the player's, whatever headers say.
	TrustedProxies []string

	// HSTS sends Strict-Transport-Security (two years) on every response.
	// Turn it off only for plain-HTTP tests.
	HSTS bool

	// HSTSSubdomains adds includeSubDomains to it: only when every host
	// under the domain serves HTTPS.
	HSTSSubdomains bool

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
	if len(cfg.TrustedProxies) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, p := range cfg.TrustedProxies {
			n, err := parsePrefix(p)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: %w", p, err)
			}
			opts = append(opts, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	}
	// Client mistakes (404s from scanners, wrong methods) are routine and
	// logged at debug; server errors at error, once.
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		level := slog.LevelDebug
		var he *echo.HTTPError
		var p *panicError
		switch {
		case errors.As(err, &p):
			// Logged with its stack by the recover middleware.
		case errors.As(err, &he) && he.Code < 500:
		default:
			level = slog.LevelError
		}
		log.Log(c.Request().Context(), level, "request failed", "method", c.Request().Method,
			"path", c.Request().URL.Path, "peer", c.RealIP(), "err", err)
		e.DefaultHTTPErrorHandler(err, c)
	}
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			log.Error("handler panic", "path", c.Request().URL.Path, "err", err, "stack", string(stack))
			return &panicError{err}
		},
	}))
	e.Use(securityHeaders(cfg.HSTS, cfg.HSTSSubdomains))

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

func securityHeaders(hsts, subdomains bool) echo.MiddlewareFunc {
	sts := "max-age=63072000"
	if subdomains {
		sts += "; includeSubDomains"
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			if hsts {
				h.Set("Strict-Transport-Security", sts)
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

// panicError marks an error the recover middleware has already logged.
type panicError struct{ err error }

func (p *panicError) Error() string { return p.err.Error() }
func (p *panicError) Unwrap() error { return p.err }

type handlers struct {
	cfg Config
	log *slog.Logger
}

// websocket upgrades /ws and runs the player's session on it. The session
// runs under the hub's context, not the request's; the hijack clears the
// server's per-request deadlines, and the bridge sets its own.
func (h *handlers) websocket(c echo.Context) error {
	w, r := c.Response(), c.Request()
	peer := c.RealIP()
	hj := &hijackRecorder{ResponseWriter: w}
	ws, err := websocket.Accept(hj, r, &websocket.AcceptOptions{
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
	if err := h.cfg.Bridge.Serve(bridge.Player{WS: ws, Conn: hj.conn, Addr: peer}); err != nil {
		h.log.Debug("session ended", "peer", peer, "err", err)
	}
	return nil
}

// hijackRecorder keeps the connection that the WebSocket upgrade hijacks,
// so the bridge can cut it when a shutdown runs out of time.
type hijackRecorder struct {
	http.ResponseWriter
	conn net.Conn
}

func (h *hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	h.conn = c
	return c, brw, err
}

func (h *hijackRecorder) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// parsePrefix parses a CIDR range or a single address.
func parsePrefix(s string) (*net.IPNet, error) {
	if _, n, err := net.ParseCIDR(s); err == nil {
		return n, nil
	}
	ip := net.ParseIP(s)
	if ip == nil {
		return nil, errors.New("neither an address nor a CIDR range")
	}
	bits := 128
	if ip.To4() != nil {
		ip, bits = ip.To4(), 32
	}
	return &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}, nil
}
