package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	stdlog "log"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/bridge"
	"github.com/drawbridge/drawbridge/gateway/internal/demo"
	"github.com/drawbridge/drawbridge/gateway/internal/edge"
	"github.com/drawbridge/drawbridge/gateway/internal/web"
	"github.com/drawbridge/drawbridge/www"
)

// Server timeouts, and why each has its value.
const (
	// readHeaderTimeout stops slowloris clients that trickle headers.
	readHeaderTimeout = 10 * time.Second
	// readTimeout bounds reading a whole request; bodies here are small.
	// The WebSocket handler clears it after the upgrade.
	readTimeout = 30 * time.Second
	// writeTimeout bounds writing a response. It is long because the
	// client download is megabytes and phones can be slow; the WebSocket
	// handler clears it after the upgrade.
	writeTimeout = 5 * time.Minute
	// idleTimeout closes keep-alive connections nobody uses.
	idleTimeout = 2 * time.Minute
)

// Gateway is a running gateway. Start it with Start, stop it by cancelling
// the context given to Start and calling Wait.
type Gateway struct {
	cfg Config
	log *slog.Logger

	httpsLn, httpLn, demoLn net.Listener
	https, http             *http.Server
	hub                     *bridge.Hub
	cert                    *tls.Certificate

	stopSessions context.CancelFunc // ends sessions without a goodbye
	stopDemo     context.CancelFunc // nil without the demo game
	fail         context.CancelFunc // starts shutdown when a server fails
	wg           sync.WaitGroup
	errs         chan error
}

// Run starts the gateway and serves until ctx is cancelled, then shuts down
// gracefully.
func Run(ctx context.Context, cfg Config) error {
	g, err := Start(ctx, cfg)
	if err != nil {
		return err
	}
	return g.Wait()
}

// Start validates cfg, opens every listener and starts serving. It returns
// once the gateway accepts connections; cancelling ctx begins a graceful
// shutdown, which Wait waits for.
func Start(ctx context.Context, cfg Config) (*Gateway, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid configuration:\n%w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	g := &Gateway{cfg: cfg, log: log, errs: make(chan error, 3)}
	// A server that fails takes the gateway down with it, rather than
	// leaving a process that runs but serves nothing.
	ctx, g.fail = context.WithCancel(ctx)
	if err := g.start(ctx); err != nil {
		g.fail()
		g.closeListeners()
		return nil, err
	}
	return g, nil
}

func (g *Gateway) start(ctx context.Context) error {
	cfg := g.cfg
	cert, err := edge.LoadOrCreateSelfSigned(cfg.StateDir, cfg.TLSHosts, time.Now(), g.log)
	if err != nil {
		return fmt.Errorf("self-signed certificate: %w", err)
	}
	g.cert = cert

	backend := cfg.Backend
	if backend == "" {
		if g.demoLn, err = net.Listen("tcp", cfg.DemoAddr); err != nil {
			return fmt.Errorf("demo game: listen on %s: %w", cfg.DemoAddr, err)
		}
		backend = g.demoLn.Addr().String()
	}
	if g.httpsLn, err = net.Listen("tcp", cfg.HTTPSAddr); err != nil {
		return fmt.Errorf("https: listen on %s: %w", cfg.HTTPSAddr, err)
	}
	if cfg.HTTPAddr != "" {
		if g.httpLn, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
			return fmt.Errorf("http: listen on %s: %w", cfg.HTTPAddr, err)
		}
	}

	// Sessions run under their own context, not ctx: on shutdown they get
	// a goodbye first, and are only cut when that takes too long.
	sessCtx, stopSessions := context.WithCancel(context.WithoutCancel(ctx))
	g.stopSessions = stopSessions
	var dialer net.Dialer
	g.hub = bridge.NewHub(sessCtx, bridge.Config{
		Dial: func(ctx context.Context) (net.Conn, error) {
			return dialer.DialContext(ctx, "tcp", backend)
		},
		DialTimeout:       cfg.DialTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxPlayers:        cfg.MaxPlayers,
		MaxPlayersPerAddr: cfg.MaxPlayersPerAddr,
		Logger:            g.log.With("component", "bridge"),
	})

	static := cfg.Static
	if static == nil {
		static = www.FS()
	}
	handler, err := web.New(web.Config{Static: static, Bridge: g.hub, HSTS: true, Logger: g.log.With("component", "web")})
	if err != nil {
		return err
	}
	errLog := serverErrorLog(g.log.With("component", "http"))
	g.https = &http.Server{
		Handler:           handler,
		TLSConfig:         edge.ServerTLSConfig(func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return cert, nil }, "h2", "http/1.1"),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          errLog,
	}
	_, httpsPort, _ := net.SplitHostPort(g.httpsLn.Addr().String())
	if g.httpLn != nil {
		g.http = &http.Server{
			Handler:           edge.RedirectHandler(httpsPort),
			ReadHeaderTimeout: readHeaderTimeout,
			ReadTimeout:       readTimeout,
			WriteTimeout:      readTimeout,
			IdleTimeout:       idleTimeout,
			ErrorLog:          errLog,
		}
	}

	if g.demoLn != nil {
		game := demo.New(demo.Config{Logger: g.log.With("component", "demo")})
		demoCtx, stopDemo := context.WithCancel(context.WithoutCancel(ctx))
		g.stopDemo = stopDemo
		g.goServe("demo game", func() error { return game.Serve(demoCtx, g.demoLn) })
		g.log.Info("demo game listening", "addr", g.demoLn.Addr().String(), "try", "telnet "+hostPort(g.demoLn.Addr()))
	}
	g.goServe("https", func() error { return g.https.ServeTLS(g.httpsLn, "", "") })
	if g.http != nil {
		g.goServe("http redirect", func() error { return g.http.Serve(g.httpLn) })
	}

	g.log.Info("gateway ready",
		"url", "https://localhost:"+httpsPort+"/",
		"https", g.httpsLn.Addr().String(), "http", addrString(g.httpLn), "game", backend)

	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		<-ctx.Done()
		g.shutdown()
	}()
	return nil
}

// goServe runs serve in a goroutine that Wait waits for; an error other
// than the one a normal shutdown gives is reported by Wait.
func (g *Gateway) goServe(name string, serve func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := serve(); err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			g.log.Error("server failed; shutting down", "server", name, "err", err)
			g.errs <- fmt.Errorf("%s: %w", name, err)
			g.fail()
		}
	}()
}

// shutdown stops the gateway in order: stop taking connections and tell
// every player the gateway is restarting, wait for the sessions to end (cut
// them when ShutdownTimeout passes), then stop the demo game, so the last
// thing players see is the goodbye and not a dead game.
func (g *Gateway) shutdown() {
	g.log.Info("shutting down", "players", g.hub.Len(), "timeout", g.cfg.ShutdownTimeout)
	ctx, cancel := context.WithTimeout(context.Background(), g.cfg.ShutdownTimeout)
	defer cancel()

	var wg sync.WaitGroup
	stop := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(ctx); err != nil {
				g.log.Warn("shutdown incomplete", "server", name, "err", err)
			}
		}()
	}
	stop("bridges", g.hub.Shutdown)
	stop("https", g.https.Shutdown)
	if g.http != nil {
		stop("http redirect", g.http.Shutdown)
	}
	wg.Wait()
	if n := g.hub.Len(); n > 0 {
		// Cut them; each session then closes both its connections at once.
		g.stopSessions()
		wait, cancel := context.WithTimeout(context.Background(), time.Second)
		if err := g.hub.Wait(wait); err != nil {
			g.log.Warn("sessions still running after being cut", "players", g.hub.Len())
		}
		cancel()
	}
	g.stopSessions()
	if g.stopDemo != nil {
		g.stopDemo()
	}
}

// Wait blocks until the gateway has shut down and returns the first error
// a server failed with, if any.
func (g *Gateway) Wait() error {
	g.wg.Wait()
	select {
	case err := <-g.errs:
		return err
	default:
		g.log.Info("gateway stopped")
		return nil
	}
}

// HTTPSAddr returns the address the HTTPS listener is bound to.
func (g *Gateway) HTTPSAddr() net.Addr { return g.httpsLn.Addr() }

// HTTPAddr returns the address of the redirect listener, or nil.
func (g *Gateway) HTTPAddr() net.Addr {
	if g.httpLn == nil {
		return nil
	}
	return g.httpLn.Addr()
}

// DemoAddr returns the address of the built-in demo game, or nil when a
// backend is configured.
func (g *Gateway) DemoAddr() net.Addr {
	if g.demoLn == nil {
		return nil
	}
	return g.demoLn.Addr()
}

// Certificate returns the certificate the HTTPS listener serves.
func (g *Gateway) Certificate() *x509.Certificate { return g.cert.Leaf }

// Players returns the number of connected players.
func (g *Gateway) Players() int { return g.hub.Len() }

func (g *Gateway) closeListeners() {
	for _, ln := range []net.Listener{g.httpsLn, g.httpLn, g.demoLn} {
		if ln != nil {
			ln.Close()
		}
	}
}

// hostPort formats a listener address as "host port", the way the telnet
// command takes it.
func hostPort(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host + " " + port
}

func addrString(ln net.Listener) string {
	if ln == nil {
		return "off"
	}
	return ln.Addr().String()
}

// serverErrorLog adapts slog for http.Server.ErrorLog. TLS handshake
// failures are what scanners and clients that distrust a certificate cause
// all day, so they go to debug; the rest (accept errors, bad requests that
// fail before the handler) to warn.
func serverErrorLog(log *slog.Logger) *stdlog.Logger {
	return stdlog.New(errorLogWriter{log}, "", 0)
}

type errorLogWriter struct{ log *slog.Logger }

func (w errorLogWriter) Write(p []byte) (int, error) {
	msg := strings.TrimSpace(string(p))
	level := slog.LevelWarn
	if strings.Contains(msg, "TLS handshake error") {
		level = slog.LevelDebug
	}
	w.log.Log(context.Background(), level, msg)
	return len(p), nil
}
