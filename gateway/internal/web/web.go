// Package web is the gateway's HTTPS side: the echo router, security
// headers, the embedded web client and the /ws endpoint that upgrades a
// player's connection and hands it to the bridge.
package web

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/drawbridge/drawbridge/gateway/internal/bridge"
	"github.com/drawbridge/drawbridge/gateway/internal/status"
	"github.com/drawbridge/drawbridge/shared/wire"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Bridger serves players, and ends the bridges of login sessions that
// ended. *bridge.Hub implements it.
type Bridger interface {
	// Start serves one player in a goroutine of its own, so the handler
	// that accepted the WebSocket can return (an idle player must not
	// hold its stack and request), and calls done when the player's
	// connection has ended.
	Start(p bridge.Player, done func(error))
	End(sessionIDs []string, why wire.LoginReason) int
}

// Config configures the HTTPS handler.
type Config struct {
	// Static holds the web client's files, served at the site root.
	Static fs.FS

	// Bridge runs the sessions of accepted WebSockets.
	Bridge Bridger

	// Accounts, when set, serves the account API (/api/...) and lets only
	// players with a valid session open /ws. nil leaves /ws open to all:
	// for tests of the rest only.
	Accounts *account.Service

	// GameName is shown on the front door.
	GameName string

	// Status, when set, serves GET /api/status, public and without a
	// session: the game's status (reachable, MSSP name, players, uptime)
	// and the gateway's player count, for the front door. nil: no
	// /api/status.
	Status func() status.Snapshot

	// CheckEvery is how often live sessions are kept alive and re-checked
	// (revoked or disabled elsewhere, say by the command line). Default
	// 10 s.
	CheckEvery time.Duration

	// LastInputs reports, for each login session with a live bridge, when
	// its player last did something (typed, resized, sent GMCP), by the
	// bridge's clock; *bridge.Hub's LastInputs does. The live check keeps
	// a login session alive (account.Service.Touch) only when its time
	// moved since the previous check: a tab left open on a game that
	// talks, with nobody at it, idles out at the account idle timeout,
	// and its bridges end. nil: bridges keep no login session alive.
	LastInputs func() map[string]time.Time

	// Live, when set, lists this gateway's game sessions for the admin
	// API (GET /api/admin/players); *bridge.Hub's Live does.
	Live func() []bridge.Live

	// Stats, when set, gives the admin API's game panel (GET
	// /api/admin/game) the bridge's counts; *bridge.Hub's Stats does.
	Stats func() bridge.Stats

	// OriginPatterns lists extra origins (host patterns, as in
	// websocket.AcceptOptions) allowed to open /ws. The page's own origin
	// is always allowed; leave this empty unless the client is served from
	// another host. For these as for the page's own, the origin's scheme
	// must be the page's: https (http only on a plain-HTTP test server).
	OriginPatterns []string

	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// whose ProxyHeader is believed: the player's address is the
	// right-most one in it that is not a trusted proxy, and the scheme
	// the browser used (for the Origin check) the one the proxy
	// recorded. Empty: the peer address of the connection is the
	// player's, whatever headers say. Peers on a Unix socket are always
	// trusted: only local processes can open one. Their connections are
	// exempt from MaxConnsPerAddr: each carries many players.
	TrustedProxies []string

	// ProxyHeader is the header TrustedProxies name the player in:
	// HeaderXForwardedFor (the zero value) or HeaderForwarded.
	ProxyHeader ProxyHeader

	// BasePath is the path the site lives under, such as "/play/", for
	// a gateway behind a web server that serves the game's own site at
	// "/": the pages, the API and /ws are all under it (the web server
	// passes the path on unchanged), requests outside it get 404, and
	// the path without its final slash redirects to it. Empty or "/":
	// the site root. It must start and end with "/".
	BasePath string

	// MaxConnsPerAddr caps the connections from one address group
	// (peer.Group: an IPv4 address or an IPv6 /64) that are not an
	// authenticated player's WebSocket: page and API requests, and a
	// WebSocket until its login is checked. Past it a connection is
	// answered 429 with MsgTooManyConns, or closed at once when many are
	// being answered. Zero means DefaultMaxConnsPerAddr; negative, no
	// cap. It applies to the servers LimitConns is given.
	MaxConnsPerAddr int

	// HSTS sends Strict-Transport-Security (two years) on every response.
	// Turn it off only for plain-HTTP tests.
	HSTS bool

	// HSTSSubdomains adds includeSubDomains to it: only when every host
	// under the domain serves HTTPS.
	HSTSSubdomains bool

	// Compression is the WebSocket permessage-deflate mode toward browsers
	// that offer it: websocket.CompressionDisabled (the zero value),
	// CompressionNoContextTakeover (each frame compressed on its own) or
	// CompressionContextTakeover (a 32 KiB window per player: better
	// ratios, more memory).
	Compression websocket.CompressionMode

	// Logger receives request errors and WebSocket refusals. nil discards.
	Logger *slog.Logger
}

// Server is the gateway's HTTPS handler. Run keeps the live sessions
// checked; Revoked is where the account service reports ended sessions.
type Server struct {
	e     *echo.Echo
	cfg   Config
	log   *slog.Logger
	auth  *auth
	live  *liveSessions
	conns *connLimit // nil: no cap on connections before login
	// proxies says which peers' forwarding headers are believed.
	proxies *proxies
	// base is Config.BasePath, cleaned: "/" or "/prefix/".
	base string
	// recheck asks Run for a check of the live sessions now.
	recheck chan struct{}
	// inputSeen is, per live login session, the player input the last
	// check acted on (LastInputs). Only checkLive uses it.
	inputSeen map[string]time.Time
}

// New returns the gateway's HTTPS handler.
func New(cfg Config) (*Server, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.CheckEvery <= 0 {
		cfg.CheckEvery = 10 * time.Second
	}
	static, err := newStatic(cfg.Static)
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Logs and limits key on the real peer, never on a header the client
	// writes, unless it came through a trusted proxy (forwarded.go).
	proxies, err := newProxies(cfg.TrustedProxies, cfg.ProxyHeader)
	if err != nil {
		return nil, err
	}
	base, err := cleanBasePath(cfg.BasePath)
	if err != nil {
		return nil, err
	}
	e.IPExtractor = func(r *http.Request) string {
		addr, _ := proxies.client(r)
		return addr
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
		if isAPI(c.Request().URL.Path) {
			apiError(c, err)
			return
		}
		e.DefaultHTTPErrorHandler(err, c)
	}
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			log.Error("handler panic", "path", c.Request().URL.Path, "err", err, "stack", string(stack))
			return &panicError{err}
		},
	}))
	e.Use(securityHeaders(cfg.HSTS, cfg.HSTSSubdomains))
	e.Use(requirePlayerAddress(proxies))

	srv := &Server{e: e, cfg: cfg, log: log, proxies: proxies, base: base,
		live: &liveSessions{sessions: map[string]*liveSession{}}, recheck: make(chan struct{}, 1)}
	srv.conns = newConnLimit(&cfg, proxies, log)
	if cfg.Accounts != nil {
		srv.auth = &auth{svc: cfg.Accounts, game: cfg.GameName, log: log, live: srv.live, players: cfg.Live, stats: cfg.Stats, status: cfg.Status}
		srv.auth.routes(e)
	}
	if cfg.Status != nil {
		e.GET("/api/status", srv.gameStatus)
	}
	e.GET("/ws", srv.websocket)
	e.GET("/play", static.serveFile("play.html"))
	e.GET("/admin", static.serveFile("admin.html"))
	e.GET("/*", static.serve)
	e.HEAD("/*", static.serve)
	return srv, nil
}

// ServeHTTP serves the site, under Config.BasePath.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.base == "/" {
		s.e.ServeHTTP(w, r)
		return
	}
	s.serveUnder(w, r)
}

// Revoked ends the bridges of sessions the account service ended. It is
// the service's OnRevoke hook: it does not block.
func (s *Server) Revoked(r account.Revocation) {
	if n := s.cfg.Bridge.End(r.SessionIDs, revokeReason(r.Reason)); n > 0 {
		s.log.Info("closed bridges of ended sessions", "account_id", r.UserID, "reason", string(r.Reason), "bridges", n)
	}
}

// Run keeps the login sessions of open bridges alive while their players
// play (Config.LastInputs: a player typing is not idle, a tab merely open
// is) and re-checks them every CheckEvery, so that a session revoked,
// expired or of an account disabled outside this process ends its
// bridges too. It returns when ctx ends.
func (s *Server) Run(ctx context.Context) error {
	if s.auth == nil {
		<-ctx.Done()
		return nil
	}
	t := time.NewTicker(s.cfg.CheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			s.checkLive(ctx)
		case <-s.recheck:
			s.checkLive(ctx)
		}
	}
}

// Recheck asks Run to check every live session now rather than at the
// next tick: for when revocations may have been missed, such as after the
// cluster's notification channel was down. It does not block.
func (s *Server) Recheck() {
	select {
	case s.recheck <- struct{}{}:
	default:
	}
}

// checkLive re-checks every login session with a live bridge, ends the
// bridges of those that ended or expired, and touches (keeps alive) those
// whose player did something since the previous check.
func (s *Server) checkLive(ctx context.Context) {
	svc := s.auth.svc
	var inputs map[string]time.Time
	if s.cfg.LastInputs != nil {
		inputs = s.cfg.LastInputs()
	}
	live := s.live.snapshot()
	seen := make(map[string]time.Time, len(live)) // sessions no longer live drop out
	for _, sess := range live {
		seen[sess.ID] = s.inputSeen[sess.ID]
		err := svc.Check(ctx, sess)
		if err == nil {
			in := inputs[sess.ID]
			if !in.After(seen[sess.ID]) {
				continue // nobody played: the session may idle out
			}
			var touched account.Session
			if touched, err = svc.Touch(ctx, sess); err == nil {
				seen[sess.ID] = in
				s.live.update(touched)
				continue
			}
		}
		if errors.Is(err, account.ErrUnauthenticated) {
			n := s.cfg.Bridge.End([]string{sess.ID}, loginReason(err))
			s.log.Info("login session of live bridges ended", "account_id", sess.UserID, "why", account.Message(err), "bridges", n)
			continue
		}
		if ctx.Err() == nil {
			s.log.Warn("checking a live session failed; will retry", "err", err)
		}
	}
	s.inputSeen = seen
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

// websocket upgrades /ws and runs the player's session on it. The session
// runs under the hub's context, not the request's; the hijack clears the
// server's per-request deadlines, and the bridge sets its own. Without a
// valid login session the socket is opened only to say so: a browser
// cannot read an HTTP status from a failed WebSocket, and the client must
// know to send the player to the login page.
func (s *Server) websocket(c echo.Context) error {
	w, r := c.Response(), c.Request()
	peer := c.RealIP()
	_, scheme := s.proxies.client(r)
	if err := originScheme(r, scheme); err != nil {
		s.log.Warn("websocket refused", "peer", peer, "origin", r.Header.Get("Origin"), "err", err)
		http.Error(w, err.Error(), http.StatusForbidden)
		return nil
	}
	var (
		user    account.User
		sess    account.Session
		authErr error
	)
	if s.auth != nil {
		user, sess, authErr = s.auth.svc.Authenticate(r.Context(), token(c))
	}
	hj := &hijackRecorder{ResponseWriter: w}
	ws, err := websocket.Accept(hj, r, &websocket.AcceptOptions{
		Subprotocols:    []string{wire.Subprotocol},
		OriginPatterns:  s.cfg.OriginPatterns,
		CompressionMode: s.cfg.Compression,
	})
	if err != nil {
		// Accept has already answered (403 for a foreign Origin, 426 or
		// 400 for a request that is not a WebSocket handshake).
		s.log.Warn("websocket refused", "peer", peer, "origin", r.Header.Get("Origin"), "err", err)
		return nil
	}
	if ws.Subprotocol() != wire.Subprotocol {
		s.log.Warn("websocket refused", "peer", peer, "err", "client did not offer subprotocol "+wire.Subprotocol,
			"offered", r.Header.Get("Sec-WebSocket-Protocol"))
		ws.Close(websocket.StatusPolicyViolation, "subprotocol "+wire.Subprotocol+" required")
		return nil
	}
	if authErr != nil {
		s.log.Info("websocket without a valid session", "peer", peer, "err", authErr)
		refuse(ws, wire.ErrorUnauthorized, string(loginReason(authErr)))
		return nil
	}
	p := bridge.Player{WS: ws, Conn: hj.conn, Addr: peer}
	q := r.URL.Query()
	if n, err := strconv.ParseUint(q.Get(wire.CapsParam), 10, 32); err == nil {
		p.Caps = wire.Caps(n)
	}
	if q.Has(wire.ResumeParam) {
		// A client back from a drop: the bridge checks the token, which
		// is only good for this login session. A bad seq is a fresh start.
		p.Resume = q.Get(wire.ResumeParam)
		if n, err := strconv.ParseUint(q.Get(wire.SeqParam), 10, 64); err == nil {
			p.Seq = n
		} else {
			p.Resume = ""
		}
	}
	if s.auth != nil {
		p.Session, p.Name = sess.ID, user.Name
		s.live.add(sess)
	}
	// A player now: the hub's per-address limit counts the connection
	// from here on, not the cap on connections before login.
	handOff(r.Context())
	s.cfg.Bridge.Start(p, func(err error) {
		if s.auth != nil {
			s.live.remove(sess.ID)
		}
		if err != nil {
			s.log.Debug("session ended", "peer", peer, "err", err)
		}
	})
	return nil
}

// originScheme refuses a WebSocket handshake whose Origin has another
// scheme than the page's own, scheme: https when the request came over
// TLS (as every request to the gateway does) or through a trusted proxy
// that says the browser used https, http only on a plain-HTTP test
// server. The WebSocket library's same-origin check and OriginPatterns
// compare hosts only, so without this a page at http://game.example
// (plain HTTP, which anyone on the path can write) could open the HTTPS
// site's /ws. A request without an Origin is not a browser's and is left
// to the library.
func originScheme(r *http.Request, scheme string) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return fmt.Errorf("origin %q is not a valid URL with a host", origin)
	}
	if u.Scheme != scheme {
		if scheme == "http" && u.Scheme == "https" && r.TLS == nil {
			return fmt.Errorf("origin %q: this request came over plain HTTP, and no trusted proxy said the browser used https "+
				"(the web server must send X-Forwarded-Proto or Forwarded proto=, and be listed in web.trusted_proxies)", origin)
		}
		return fmt.Errorf("origin %q: only %s:// pages may open the WebSocket of this %s site", origin, scheme, scheme)
	}
	return nil
}

// refuse tells the client why it cannot play and closes with 1008.
func refuse(ws *websocket.Conn, code wire.ErrorCode, msg string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if b, err := wire.Append(nil, &wire.Frame{Type: wire.TypeError, Code: code, Data: []byte(msg)}); err == nil {
		ws.Write(ctx, websocket.MessageBinary, b)
	}
	ws.Close(websocket.StatusPolicyViolation, "login required")
}

// hijackRecorder keeps the connection that the WebSocket upgrade hijacks,
// so the bridge can cut it when a shutdown runs out of time.
type hijackRecorder struct {
	http.ResponseWriter
	conn net.Conn
}

func (h *hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return c, brw, err
	}
	h.conn = c
	// The WebSocket keeps these buffers for as long as the player plays.
	// The HTTP server's are 4 KiB each; what a player sends is a few
	// bytes at a time, and a large frame bypasses a buffer anyway, so
	// smaller ones serve as well at a quarter of the memory. Bytes the
	// server had already read (the client may speak right after the
	// upgrade) carry over into the new reader's buffer, where the
	// WebSocket library looks for them (it resets the reader's source).
	if err := brw.Writer.Flush(); err != nil {
		return c, brw, err
	}
	buffered, _ := brw.Reader.Peek(brw.Reader.Buffered())
	r := bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(buffered)), c), max(hijackBufferSize, len(buffered)))
	if _, err := r.Peek(len(buffered)); err != nil {
		return c, brw, err
	}
	return c, bufio.NewReadWriter(r, bufio.NewWriterSize(c, hijackBufferSize)), nil
}

// hijackBufferSize is the size of a WebSocket's read and write buffers.
const hijackBufferSize = 1 << 10

func (h *hijackRecorder) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// loginReason is the code a player sent back to log in is told, for an
// error of the account service.
func loginReason(err error) wire.LoginReason {
	switch {
	case errors.Is(err, account.ErrSessionExpired):
		return wire.ReasonExpired
	case errors.Is(err, account.ErrSessionEnded):
		return wire.ReasonEnded
	}
	return wire.ReasonLogin
}

// revokeReason is the code for sessions the account service ended: the
// service names its reasons as the wire names its codes
// (TestEveryRevocationHasItsCode holds them to it); a reason the wire
// does not know is ReasonEnded.
func revokeReason(r account.RevokeReason) wire.LoginReason {
	if code := wire.LoginReason(r); slices.Contains(wire.LoginReasons(), code) {
		return code
	}
	return wire.ReasonEnded
}
