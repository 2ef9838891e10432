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
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/drawbridge/drawbridge/gateway/internal/backend"
	"github.com/drawbridge/drawbridge/gateway/internal/bridge"
	"github.com/drawbridge/drawbridge/gateway/internal/demo"
	"github.com/drawbridge/drawbridge/gateway/internal/edge"
	"github.com/drawbridge/drawbridge/gateway/internal/status"
	"github.com/drawbridge/drawbridge/gateway/internal/telnet"
	"github.com/drawbridge/drawbridge/gateway/internal/telnets"
	"github.com/drawbridge/drawbridge/gateway/internal/web"
	"github.com/drawbridge/drawbridge/www"
)

// Server timeouts, and why each has its value.
const (
	// readHeaderTimeout stops slowloris clients that trickle headers.
	readHeaderTimeout = 10 * time.Second
	// readTimeout bounds reading a whole request; bodies here are small.
	// A WebSocket upgrade's hijack clears it.
	readTimeout = 30 * time.Second
	// writeTimeout bounds writing a response. It is long because the
	// client download is megabytes and phones can be slow; a WebSocket
	// upgrade's hijack clears it.
	writeTimeout = 5 * time.Minute
	// idleTimeout closes keep-alive connections nobody uses.
	idleTimeout = 2 * time.Minute
)

// Gateway is a running gateway. Start it with Start, stop it by cancelling
// the context given to Start and calling Wait.
type Gateway struct {
	cfg Config
	log *slog.Logger

	httpsLn, httpLn, demoLn, telnetsLn, adminLn net.Listener
	https, http, admin                          *http.Server
	edge                                        *edge.Edge
	hub                                         *bridge.Hub
	web                                         *web.Server
	acc                                         *Accounts
	accounts                                    *account.Service
	telnets                                     *telnets.Server
	prober                                      *status.Prober
	ready                                       atomic.Bool

	// What a configuration reload (reload.go) changes: the configuration
	// in force, the dialer behind every connection to the game, the
	// admin listener's names; reloadMu serializes reloads.
	cur       atomic.Pointer[Config]
	dialer    atomic.Pointer[backend.Dialer]
	dial      func(ctx context.Context, player string) (net.Conn, error) // through dialer
	stopping  atomic.Bool                                                // shutdown has begun
	adminLive adminLive
	reloadMu  sync.Mutex
	controlLn net.Listener
	control   *http.Server

	stopSessions context.CancelFunc // ends sessions without a goodbye
	stopBack     context.CancelFunc // stops the demo game, telnets and the certificate work
	fail         context.CancelFunc // starts shutdown when a server fails
	wg           sync.WaitGroup     // every goroutine Start started
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
	g := &Gateway{cfg: cfg, log: log, errs: make(chan error, 8)}
	g.cur.Store(&cfg)
	// A server that fails takes the gateway down with it, rather than
	// leaving a process that runs but serves nothing.
	ctx, g.fail = context.WithCancel(ctx)
	if err := g.start(ctx); err != nil {
		g.fail()
		if g.stopBack != nil {
			g.stopBack()
		}
		g.closeListeners()
		g.wg.Wait()
		g.closeFiles()
		return nil, err
	}
	return g, nil
}

func (g *Gateway) start(ctx context.Context) error {
	cfg := &g.cfg
	// Background work (certificates, telnets, the demo game) outlives the
	// players' goodbye: it stops after the sessions.
	backCtx, stopBack := context.WithCancel(context.WithoutCancel(ctx))
	g.stopBack = stopBack

	// Nothing is opened on a state directory another gateway runs on.
	if err := g.listenControl(); err != nil {
		return err
	}
	// The store first: on PostgreSQL, the certificates live there too.
	if err := g.openAccounts(ctx); err != nil {
		return err
	}
	// Behind a web server (proxied.go) there are no certificates, unless
	// the TLS telnet port needs one.
	ecfg := edge.Config{Mode: "off"}
	var err error
	if cfg.TLSMode() != "off" {
		if ecfg, err = g.edgeConfig(); err != nil {
			return err
		}
		if g.edge, err = edge.New(ecfg); err != nil {
			return fmt.Errorf("certificates: %w", err)
		}
		g.goBack("certificates", func() error { return g.edge.Run(backCtx) })
	}

	backend := cfg.Game.Backend
	if backend == "" {
		if g.demoLn, err = listen("game.demo_addr", cfg.Game.DemoAddr); err != nil {
			return err
		}
		backend = g.demoLn.Addr().String()
	}
	// Behind a load balancer in TCP mode the player's address comes in a
	// PROXY header from the balancers listed (proxy.go); TLS goes on top
	// of these listeners, after the header.
	// Behind a web server, only the plain-HTTP listener it reaches the
	// site on.
	if cfg.Proxied() {
		if g.httpLn, err = listenWeb("web.http_addr", cfg.HTTPAddress(), cfg.Web.SocketGroup); err != nil {
			return err
		}
	} else {
		if g.httpsLn, err = g.listenProxied("web.https_addr", cfg.HTTPSAddress(), "web.proxy_protocol_from", cfg.Web.ProxyProtocolFrom); err != nil {
			return err
		}
		if a := cfg.HTTPAddress(); a != "" {
			if g.httpLn, err = g.listenProxied("web.http_addr", a, "web.proxy_protocol_from", cfg.Web.ProxyProtocolFrom); err != nil {
				return err
			}
		}
	}
	if cfg.Telnets.Addr != "" {
		if g.telnetsLn, err = g.listenProxied("telnets.addr", cfg.Telnets.Addr, "telnets.proxy_protocol_from", cfg.Telnets.ProxyProtocolFrom); err != nil {
			return err
		}
	}
	if a := cfg.Admin.Addr; a != "" && a != "off" {
		if g.adminLn, err = listen("admin.addr", a); err != nil {
			return err
		}
	}

	// One dialer for every connection to the game: the PROXY header and
	// TLS are the game's settings, whoever the player is. A reload may
	// replace it; connections already made keep theirs.
	gameDialer, err := g.gameDialer(&cfg.Game, backend)
	if err != nil {
		return err
	}
	g.dialer.Store(gameDialer)
	g.dial = func(ctx context.Context, player string) (net.Conn, error) {
		return g.dialer.Load().Dial(ctx, player)
	}

	// The front page's status line: the game's MSSP answer, checked as
	// the gateway's own connection every game.status_interval, and the
	// players bridged now. Players' connections to the game go through
	// it too (g.prober.Dial), so each dial that fails or works says at
	// once whether the game is reachable.
	g.prober = status.New(status.Config{
		Dial:     g.dial,
		Interval: cfg.Game.StatusInterval,
		Timeout:  cfg.Game.StatusTimeout,
		Players:  func() int { return g.hub.Len() },
		Logger:   g.log.With("component", "status"),
	})
	dial := g.prober.Dial

	// Sessions run under their own context, not ctx: on shutdown they get
	// a goodbye first, and are only cut when that takes too long.
	sessCtx, stopSessions := context.WithCancel(context.WithoutCancel(ctx))
	g.stopSessions = stopSessions
	g.hub = bridge.NewHub(sessCtx, g.bridgeConfig(cfg, dial))

	static := cfg.Static
	if static == nil {
		static = www.FS()
	}
	g.web, err = web.New(web.Config{
		Static:          static,
		Bridge:          g.hub,
		Accounts:        g.accounts,
		GameName:        cfg.Game.Name,
		Status:          g.prober.Snapshot,
		OriginPatterns:  cfg.Web.Origins,
		TrustedProxies:  cfg.Web.TrustedProxies,
		ProxyHeader:     web.ProxyHeader(cfg.Web.ProxyHeader),
		BasePath:        cfg.Web.BasePath,
		MaxConnsPerAddr: cfg.Web.MaxConnsPerAddr,
		CheckEvery:      cfg.Players.SessionCheckInterval,
		LastInputs:      g.hub.LastInputs,
		Live:            g.hub.Live,
		Stats:           g.hub.Stats,
		HSTS:            true,
		HSTSSubdomains:  cfg.Web.HSTSSubdomains,
		Compression:     compressionMode(cfg.Web.Compression),
		Logger:          g.log.With("component", "web"),
	})
	if err != nil {
		return err
	}
	errLog := serverErrorLog(g.log.With("component", "http"))
	site := &http.Server{
		Handler:           g.web,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          errLog,
	}
	// Connections before login count against web.max_conns_per_addr on
	// both listeners; a player's WebSocket leaves the count once the
	// player is authenticated. The web server in front is exempt.
	var httpsLn, httpLn net.Listener
	if cfg.Proxied() {
		g.http = site
		httpLn = g.web.LimitConns(g.http, g.httpLn)
	} else {
		g.https = site
		g.https.TLSConfig = g.edge.TLSConfig("h2", "http/1.1")
		httpsLn = g.web.LimitConns(g.https, g.httpsLn)
		if g.httpLn != nil {
			g.http = &http.Server{
				Handler:           g.edge.HTTPHandler(edge.RedirectHandler(g.redirectPort())),
				ReadHeaderTimeout: readHeaderTimeout,
				ReadTimeout:       readTimeout,
				WriteTimeout:      readTimeout,
				IdleTimeout:       idleTimeout,
				ErrorLog:          errLog,
			}
			httpLn = g.web.LimitConns(g.http, g.httpLn)
		}
	}
	if g.telnetsLn != nil {
		tlsCfg, err := g.telnetsTLS()
		if err != nil {
			return err
		}
		g.telnets = telnets.New(telnets.Config{
			TLS:             tlsCfg,
			Dial:            dial,
			MaxConns:        cfg.Telnets.MaxConns,
			MaxConnsPerAddr: cfg.Telnets.MaxConnsPerAddr,
			IdleTimeout:     cfg.Telnets.IdleTimeout,
			DialTimeout:     cfg.Game.DialTimeout,
			Logger:          g.log.With("component", "telnets"),
		})
	}
	if g.adminLn != nil {
		src := adminSources{players: g.hub.Stats, certs: g.certStates, ready: g.Ready, webConns: g.web.ConnStats}
		if ecfg.Mode == edge.ModeACME {
			src.acmeFailures = g.edge.ACMEFailures
		}
		if cfg.Game.StatusInterval > 0 {
			src.game = g.prober.Snapshot
		}
		if g.telnets != nil {
			src.telnetsConns = g.telnets.Conns
		}
		if g.acc.Cluster() {
			src.cluster = g.acc.clusterStats
		}
		g.admin = &http.Server{
			Handler: adminHandler(src, adminOptions{
				addr: cfg.Admin.Addr, hosts: cfg.Admin.Hosts, pprof: cfg.Admin.PProf,
				log: g.log.With("component", "admin"), live: &g.adminLive,
			}),
			ReadHeaderTimeout: readHeaderTimeout,
			ReadTimeout:       readTimeout,
			WriteTimeout:      readTimeout,
			ErrorLog:          errLog,
		}
	}

	g.goBack("accounts", func() error { return g.acc.Run(backCtx, g.log.With("component", "cluster")) })
	g.goBack("live sessions", func() error { return g.web.Run(backCtx) })
	if g.demoLn != nil {
		game := demo.New(demo.Config{Name: cfg.Game.Name, Logger: g.log.With("component", "demo")})
		g.goBack("demo game", func() error { return game.Serve(backCtx, g.demoLn) })
		g.log.Info("demo game listening", "addr", g.demoLn.Addr().String(), "try", "telnet "+hostPort(g.demoLn.Addr()))
	}
	if g.telnets != nil {
		g.goBack("telnets", func() error { return g.telnets.Serve(backCtx, g.telnetsLn) })
	}
	if cfg.Game.StatusInterval > 0 {
		// Under ctx: checks stop as soon as the shutdown starts.
		g.goBack("game status", func() error { return g.prober.Run(ctx) })
	}
	if g.https != nil {
		g.goServe("https", func() error { return g.https.ServeTLS(httpsLn, "", "") })
	}
	if g.http != nil {
		g.goServe("http", func() error { return g.http.Serve(httpLn) })
	}
	if g.admin != nil {
		g.goServe("admin", func() error { return g.admin.Serve(g.adminLn) })
	}
	if g.controlLn != nil {
		g.goServe("control", func() error { return g.control.Serve(g.controlLn) })
	}
	g.ready.Store(true)

	serving := []any{"url", g.publicURL(),
		"https", addrString(g.httpsLn), "http", addrString(g.httpLn), "mode", cfg.Web.Mode,
		"telnets", addrString(g.telnetsLn), "admin", addrString(g.adminLn),
		"certificates", string(ecfg.Mode), "game", backend, "store", g.acc.String()}
	if ok, why := g.Ready(); ok {
		g.log.Info("gateway ready", serving...)
	} else {
		// In ACME mode the listeners serve (challenges, redirects) before
		// the certificates come: "ready" waits for them.
		g.log.Info("gateway serving; waiting for certificates before it is ready", append(serving, "waiting_for", why)...)
		g.goBack("readiness", func() error {
			if g.WaitReady(backCtx) == nil {
				g.log.Info("gateway ready", serving...)
			}
			return nil
		})
	}

	if tok, err := g.accounts.SetupToken(ctx); err != nil {
		g.log.Error("could not issue a setup token", "err", err)
	} else if tok != "" {
		g.log.Warn("no superuser yet: open the site and use this one-time setup token within the hour, "+
			"or run 'drawbridge user add -role superuser NAME'", "url", g.publicURL(), "setup_token", tok)
	}

	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		<-ctx.Done()
		g.shutdown()
	}()
	return nil
}

// openAccounts opens the database and the account service. A revocation
// the service reports (logout, expiry, an admin's kick) ends the player's
// bridges through the web server.
func (g *Gateway) openAccounts(ctx context.Context) error {
	a, err := OpenAccounts(ctx, g.cfg, AccountHooks{
		OnRevoke: func(r account.Revocation) { g.web.Revoked(r) },
		Resync:   func() { g.web.Recheck() },
	})
	if err != nil {
		return err
	}
	g.acc = a
	g.accounts = a.Service
	return nil
}

// edgeConfig turns the configuration into the certificate source's,
// reading the files it names.
func (g *Gateway) edgeConfig() (edge.Config, error) {
	cfg := &g.cfg
	minVersion, err := edge.ParseTLSVersion(cfg.TLS.MinVersion)
	if err != nil {
		return edge.Config{}, fmt.Errorf("tls.min_version: %w", err)
	}
	suites, err := edge.ParseCipherSuites(cfg.TLS.CipherSuites)
	if err != nil {
		return edge.Config{}, fmt.Errorf("tls.cipher_suites: %w", err)
	}
	profile, err := edge.ParseProfile(cfg.TLS.Profile)
	if err != nil {
		return edge.Config{}, fmt.Errorf("tls.profile: %w", err)
	}
	ec := edge.Config{
		Mode:            edge.Mode(cfg.TLSMode()),
		Domains:         cfg.Web.Domains,
		StateDir:        cfg.StateDir,
		CertFile:        cfg.TLS.CertFile,
		KeyFile:         cfg.TLS.KeyFile,
		SelfSignedHosts: cfg.TLS.SelfSignedHosts,
		MinVersion:      minVersion,
		Profile:         profile,
		CipherSuites:    suites,
		Logger:          g.log.With("component", "edge"),
	}
	if ec.KeyPassword, err = readSecret("tls.key_password_file", cfg.TLS.KeyPasswordFile); err != nil {
		return ec, err
	}
	if cfg.Web.ClientCAFile != "" {
		if ec.ClientCAs, err = edge.LoadClientCAs(cfg.Web.ClientCAFile); err != nil {
			return ec, fmt.Errorf("web.client_ca_file: %w", err)
		}
	}
	if ec.Mode == edge.ModeACME {
		ec.Email, ec.DirectoryURL, ec.RenewBefore = cfg.ACME.Email, cfg.ACME.DirectoryURL, cfg.ACME.RenewBefore
		if pg := g.acc.pg; pg != nil {
			// Every node shares the account, the certificates and the
			// challenge tokens, and one orders while the others wait.
			ec.Cache, ec.Lock = pg.AutocertCache(acmeServerName(cfg.ACME.DirectoryURL)), pg.Lock
		} else {
			ec.CacheDir = acmeCacheDir(cfg.StateDir, cfg.ACME.DirectoryURL)
		}
		if cfg.ACME.CAFile != "" && cfg.ACMEHTTPClient == nil {
			if ec.DirectoryRoots, err = edge.LoadClientCAs(cfg.ACME.CAFile); err != nil {
				return ec, fmt.Errorf("acme.ca_file: %w", err)
			}
		}
		ec.EABKeyID = cfg.ACME.EABKeyID
		hmac, err := readSecret("acme.eab_hmac_file", cfg.ACME.EABHMACFile)
		if err != nil {
			return ec, err
		}
		ec.EABHMACKey = string(hmac)
		ec.HTTPClient = cfg.ACMEHTTPClient
		ec.ChallengeTypes = challengeTypes(cfg.HTTPSAddress(), cfg.HTTPAddress())
	}
	return ec, nil
}

// challengeTypes are the ACME challenge types the listeners can answer,
// the likelier first: the CA validates TLS-ALPN-01 on port 443 and
// HTTP-01 on port 80, so a listener on that port comes first; one on
// another port (behind a port forward, say) may still be reached there.
// The HTTP-01 handler is only served when the HTTP listener is on.
func challengeTypes(httpsAddr, httpAddr string) []string {
	var likely, maybe []string
	add := func(typ, addr, port string) {
		if _, p, err := net.SplitHostPort(addr); err == nil && p == port {
			likely = append(likely, typ)
		} else {
			maybe = append(maybe, typ)
		}
	}
	add(edge.ChallengeTLSALPN01, httpsAddr, "443")
	if httpAddr != "" {
		add(edge.ChallengeHTTP01, httpAddr, "80")
	}
	return append(likely, maybe...)
}

// acmeCacheDir keeps each ACME server's account and certificates apart
// (state_dir/acme/<server>), so that moving from Let's Encrypt's staging
// directory to production orders real certificates at once instead of
// serving the cached staging ones until they are due for renewal.
func acmeCacheDir(stateDir, directoryURL string) string {
	return filepath.Join(stateDir, "acme", acmeServerName(directoryURL))
}

// acmeServerName names an ACME server for the cache's directory or, on
// PostgreSQL, its namespace: the directory URL's host and path, with
// anything but letters, digits, dots and dashes turned into _.
func acmeServerName(directoryURL string) string {
	name := directoryURL
	if u, err := url.Parse(directoryURL); err == nil && u.Host != "" {
		name = u.Host + u.Path
	}
	name = strings.Trim(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, name), "_")
	return name
}

// telnetsTLS is the TLS profile for the telnets port: the web's
// certificates, no HTTP protocols, no ACME challenges (and so no
// exemption from client certificates), its own client CA, and for
// classic clients that send no server name, the first domain's
// certificate.
func (g *Gateway) telnetsTLS() (*tls.Config, error) {
	var pool *x509.CertPool
	if f := g.cfg.Telnets.ClientCAFile; f != "" {
		var err error
		if pool, err = edge.LoadClientCAs(f); err != nil {
			return nil, fmt.Errorf("telnets.client_ca_file: %w", err)
		}
	}
	c := g.edge.TLSConfigNoACME(pool)
	if len(g.cfg.Web.Domains) > 0 {
		get := c.GetCertificate
		c.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			if hello.ServerName == "" {
				h := *hello
				h.ServerName = g.cur.Load().Web.Domains[0] // a reload may change them
				return get(&h)
			}
			return get(hello)
		}
	}
	return c, nil
}

// redirectPort is the port HTTP redirects send browsers to (httpsPort).
func (g *Gateway) redirectPort() string { return g.cfg.httpsPort(g.httpsLn.Addr().String()) }

// publicURL is where players go, for the start-up log line: siteURL with
// the listeners' own addresses.
func (g *Gateway) publicURL() string {
	var httpsAddr, httpAddr string
	if g.httpsLn != nil {
		httpsAddr = g.httpsLn.Addr().String()
	}
	if g.httpLn != nil && g.httpLn.Addr().Network() != "unix" {
		httpAddr = g.httpLn.Addr().String()
	}
	if u := g.cfg.siteURL(httpsAddr, httpAddr); u != "" {
		return u
	}
	base := g.cfg.Web.BasePath
	if base == "" {
		base = "/"
	}
	return base + " on the web server in front (web.domains names it)"
}

// certStates is what the admin listener reports of the certificates.
func (g *Gateway) certStates() []certState {
	var out []certState
	if g.edge == nil {
		return nil // behind a web server: it has the certificates
	}
	for _, s := range g.edge.Status() {
		c := certState{Name: s.Name, NotAfter: s.NotAfter, LastError: s.LastError, NextAttempt: s.NextAttempt}
		if s.Problem != nil {
			c.ProblemType = s.Problem.Type
		}
		out = append(out, c)
	}
	return out
}

// bridgeConfig is the web players' bridge configuration from cfg.
func (g *Gateway) bridgeConfig(cfg *Config, dial func(context.Context, string) (net.Conn, error)) bridge.Config {
	return bridge.Config{
		Dial:                 dial,
		DialTimeout:          cfg.Game.DialTimeout,
		WriteTimeout:         cfg.Players.WriteTimeout,
		IdleTimeout:          cfg.Players.IdleTimeout,
		MaxPlayers:           cfg.Players.Max,
		MaxPlayersPerAddr:    cfg.Players.MaxPerAddr,
		MaxPlayersPerAccount: cfg.Players.MaxPerAccount,
		GMCPFromPlayers:      cfg.Game.GMCPFromPlayers,
		ResumeGrace:          cfg.Players.ResumeGrace,
		ResumeBuffer:         cfg.Players.ResumeBuffer,
		Telnet:               telnet.Config{Charset: cfg.Game.Charset, NoMXP: !cfg.Game.MXP},
		Logger:               g.log.With("component", "bridge"),
	}
}

// Ready reports whether the gateway is ready to serve players and, when
// it is not, why: it is starting or shutting down, or (in ACME mode) a
// configured name has no certificate yet, with the CA's reason
// ("certificate for play.example.org: acme dns: ..."), or a certificate
// has expired. /readyz answers with it; it is what "ready" means for a
// service manager (systemd's READY=1) too. WaitReady waits for it.
func (g *Gateway) Ready() (bool, string) {
	if !g.ready.Load() {
		return false, "starting or shutting down"
	}
	if g.edge == nil { // proxied: the web server in front holds the certificates
		return true, ""
	}
	if ok, why := g.edge.Ready(); !ok {
		return false, why
	}
	now := time.Now()
	for _, c := range g.edge.Status() {
		// A name without a certificate yet is the edge's to judge
		// (above): one a reload added does not make the node unready.
		if !c.NotAfter.IsZero() && now.After(c.NotAfter) {
			return false, "the certificate for " + c.Name + " expired at " + c.NotAfter.UTC().Format(time.RFC3339)
		}
	}
	return true, ""
}

// WaitReady blocks until the gateway has a certificate for every name
// (see Ready) or ctx ends, and returns ctx's error then. Ready may still
// say no afterwards: while shutting down, or when a certificate expired.
func (g *Gateway) WaitReady(ctx context.Context) error {
	if g.edge == nil {
		if ok, why := g.Ready(); !ok {
			return errors.New("not ready: " + why)
		}
		return nil
	}
	if err := g.edge.WaitReady(ctx); err != nil {
		return err
	}
	if ok, why := g.Ready(); !ok {
		return errors.New("not ready: " + why)
	}
	return nil
}

func listen(setting, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: listen on %s: %w", setting, addr, err)
	}
	return ln, nil
}

// goServe runs serve in a goroutine that Wait waits for; an error other
// than the one a normal shutdown gives is reported by Wait and starts the
// shutdown.
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

// goBack runs background work that stops with stopBack.
func (g *Gateway) goBack(name string, run func() error) { g.goServe(name, run) }

// shutdown stops the gateway in order: stop taking connections and tell
// every player the gateway is restarting, wait for the sessions to end (cut
// them when ShutdownTimeout passes), then stop telnets, the certificate
// work and the demo game, so the last thing players see is the goodbye and
// not a dead game.
func (g *Gateway) shutdown() {
	g.ready.Store(false)
	g.stopping.Store(true)
	timeout := g.cur.Load().ShutdownTimeout
	g.log.Info("shutting down", "players", g.hub.Len(), "timeout", timeout)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
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
	// A server whose graceful shutdown runs out of time is closed hard:
	// http.Server.Shutdown leaves the connections it waited for open.
	hard := func(srv *http.Server) func(context.Context) error {
		return func(ctx context.Context) error {
			err := srv.Shutdown(ctx)
			if err != nil {
				srv.Close()
			}
			return err
		}
	}
	stop("bridges", g.hub.Shutdown)
	if g.https != nil {
		stop("https", hard(g.https))
	}
	if g.http != nil {
		stop("http", hard(g.http))
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
	g.stopBack()
	if g.admin != nil {
		hard(g.admin)(ctx)
	}
	if g.control != nil {
		hard(g.control)(ctx)
	}
}

// Wait blocks until the gateway has shut down and returns the first error
// a server failed with, if any.
func (g *Gateway) Wait() error {
	g.wg.Wait()
	g.closeFiles()
	select {
	case err := <-g.errs:
		return err
	default:
		g.log.Info("gateway stopped")
		return nil
	}
}

// HTTPSAddr returns the address the HTTPS listener is bound to, or nil
// behind a web server (proxied mode), where there is none.
func (g *Gateway) HTTPSAddr() net.Addr { return lnAddr(g.httpsLn) }

// HTTPAddr returns the address of the plain-HTTP listener (the site
// itself in proxied mode, else the redirects), or nil.
func (g *Gateway) HTTPAddr() net.Addr { return lnAddr(g.httpLn) }

// TelnetsAddr returns the address of the TLS telnet listener, or nil.
func (g *Gateway) TelnetsAddr() net.Addr { return lnAddr(g.telnetsLn) }

// AdminAddr returns the address of the admin listener, or nil.
func (g *Gateway) AdminAddr() net.Addr { return lnAddr(g.adminLn) }

// DemoAddr returns the address of the built-in demo game, or nil when a
// backend is configured.
func (g *Gateway) DemoAddr() net.Addr { return lnAddr(g.demoLn) }

// Certificate returns the certificate the HTTPS listener serves for name
// ("" for the default), or nil when there is none yet.
func (g *Gateway) Certificate(name string) *x509.Certificate {
	if g.edge == nil {
		return nil
	}
	c, err := g.edge.TLSConfig().GetCertificate(&tls.ClientHelloInfo{
		ServerName:        name,
		SupportedVersions: []uint16{tls.VersionTLS13, tls.VersionTLS12},
		SignatureSchemes:  []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256},
		CipherSuites:      []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
	})
	if err != nil || c == nil {
		return nil
	}
	if c.Leaf != nil {
		return c.Leaf
	}
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		return nil
	}
	return leaf
}

// Players returns the number of connected web players.
func (g *Gateway) Players() int { return g.hub.Len() }

// closeFiles closes the database and the audit file, once every goroutine
// that uses them has ended.
func (g *Gateway) closeFiles() {
	if g.acc != nil {
		if err := g.acc.Close(); err != nil {
			g.log.Warn("closing the database", "err", err)
		}
		g.acc = nil
	}
}

func (g *Gateway) closeListeners() {
	for _, ln := range []net.Listener{g.httpsLn, g.httpLn, g.demoLn, g.telnetsLn, g.adminLn, g.controlLn} {
		if ln != nil {
			ln.Close()
		}
	}
}

func lnAddr(ln net.Listener) net.Addr {
	if ln == nil {
		return nil
	}
	return ln.Addr()
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

// compressionMode maps web.compression to the WebSocket library's mode.
func compressionMode(s string) websocket.CompressionMode {
	switch s {
	case "frame":
		return websocket.CompressionNoContextTakeover
	case "stream":
		return websocket.CompressionContextTakeover
	}
	return websocket.CompressionDisabled
}
