// Package app wires the gateway together: it owns the configuration, the
// listeners, the sessions and the order in which they start and stop.
// gateway/main turns the config file, the environment and the flags into a
// Config and calls Run; end-to-end tests call Start directly.
package app

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/drawbridge/drawbridge/gateway/internal/bridge"
	"github.com/drawbridge/drawbridge/gateway/internal/edge"
	"github.com/drawbridge/drawbridge/gateway/internal/store/postgres"
	"github.com/drawbridge/drawbridge/gateway/internal/telnet"
	"github.com/drawbridge/drawbridge/gateway/internal/web"
)

// Config is everything the gateway needs to run. Its sections and keys are
// the TOML config file's (deploy/drawbridge.toml documents every one);
// each can also come from the environment as DRAWBRIDGE_<SECTION>_<KEY>
// (see Env). Default returns working values for a developer's machine;
// Validate names every setting that cannot work.
type Config struct {
	// StateDir holds what the gateway keeps between runs: certificates,
	// the ACME account. Created with mode 0700.
	StateDir string `toml:"state_dir"`

	// ShutdownTimeout bounds a graceful shutdown: how long players get to
	// receive the goodbye before connections are cut.
	ShutdownTimeout time.Duration `toml:"shutdown_timeout"`

	Game     GameConfig     `toml:"game"`
	Web      WebConfig      `toml:"web"`
	TLS      TLSConfig      `toml:"tls"`
	ACME     ACMEConfig     `toml:"acme"`
	Telnets  TelnetsConfig  `toml:"telnets"`
	Players  PlayersConfig  `toml:"players"`
	Accounts account.Config `toml:"accounts"`
	Store    StoreConfig    `toml:"store"`
	Log      LogConfig      `toml:"log"`
	Admin    AdminConfig    `toml:"admin"`

	// Static overrides the embedded web client files; nil serves the
	// embedded ones. Tests use it to serve a freshly built client.
	Static fs.FS `toml:"-"`

	// Logger receives the gateway's logs. nil discards them; the command
	// builds one from Log.
	Logger *slog.Logger `toml:"-"`

	// ACMEHTTPClient overrides the HTTP client that talks to the ACME
	// server; nil builds one trusting acme.ca_file. Tests use it to count
	// orders.
	ACMEHTTPClient *http.Client `toml:"-"`

	// Reread reads the configuration again, from the same sources as at
	// start, for Gateway.Reload; the command sets it. nil: a reload keeps
	// the configuration and only reopens files.
	Reread func() (Config, error) `toml:"-"`
}

// GameConfig is where the game is.
type GameConfig struct {
	// Name is the game's name, shown on the front door and kept out of
	// players' passwords.
	Name string `toml:"name"`

	// Backend is the game's telnet address, host:port. Players never
	// choose where the gateway connects: this is the only game there is.
	// Empty starts the built-in demo game on DemoAddr and uses that.
	Backend string `toml:"backend"`

	// DemoAddr is where the built-in demo game listens when Backend is
	// empty. Classic telnet clients can connect to it too.
	DemoAddr string `toml:"demo_addr"`

	// DialTimeout bounds connecting to the game: TCP, the PROXY header
	// and the TLS handshake.
	DialTimeout time.Duration `toml:"dial_timeout"`

	// Charset is the character set the game speaks: "" or "utf-8" (the
	// default), "latin1" (ISO-8859-1, also "iso-8859-1"), "cp437" (the
	// IBM PC's, for DOS-era BBS art), "koi8-r" (Russian), "gbk" (also
	// for GB2312) or "gb18030" (Simplified Chinese), "big5" (Traditional
	// Chinese), "euc-kr" (Korean) or "shift_jis" (also "sjis",
	// Japanese); case does not matter. With a legacy charset the gateway
	// transcodes the game's text to UTF-8 for players and their input
	// back, sending '?' for what the charset cannot hold. A game that
	// offers UTF-8 over the telnet CHARSET option gets UTF-8 instead.
	Charset string `toml:"charset"`

	// MXP agrees to the MUD eXtension Protocol (telnet option 91) when
	// the game offers it: the gateway turns the game's MXP into styled
	// text and clickable commands and menus for the web client, links
	// and commands only from what the game marks secure. False refuses
	// it, and the game sends plain text.
	MXP bool `toml:"mxp"`

	// StatusInterval is how often the gateway checks the game for the
	// front page's status line: one short telnet connection that asks
	// for MSSP (name, players online, uptime) and hangs up. A game that
	// does not answer is shown as not answering; one without MSSP as
	// reachable, with only the gateway's own players. Negative turns the
	// checks off (the front page then shows only the gateway's players).
	StatusInterval time.Duration `toml:"status_interval"`

	// StatusTimeout bounds one status check, from connecting to the MSSP
	// answer. A game that never answers MSSP costs each check this long.
	StatusTimeout time.Duration `toml:"status_timeout"`

	// ProxyProtocol sends a PROXY protocol header ("v1" or "v2") to the
	// game before anything else on every connection, so the game sees
	// each player's address (web and telnets alike) instead of the
	// gateway's; the gateway's own connections (status checks) send a
	// LOCAL / UNKNOWN header. Empty: none. Needs Backend.
	ProxyProtocol string `toml:"proxy_protocol"`

	// TLS connects to the game over TLS (after the PROXY header, as
	// HAProxy does), for a game on another host. Needs Backend.
	TLS bool `toml:"tls"`

	// TLSCAFile is a PEM file of the CAs (or the game's own self-signed
	// certificate) trusted for the game's certificate: when set, only
	// these, a pinned CA. Empty: the system's roots. Needs TLS.
	TLSCAFile string `toml:"tls_ca_file"`

	// TLSServerName is the name the game's certificate must carry, sent as
	// SNI. Empty: the host of Backend. Needs TLS.
	TLSServerName string `toml:"tls_server_name"`

	// GMCPFromPlayers lists the GMCP messages ("Package.Message") players'
	// clients may send to the game; others are dropped. Core.Hello never
	// passes: the gateway speaks for the client.
	GMCPFromPlayers []string `toml:"gmcp_from_players"`
}

// WebConfig is the HTTPS side players use.
type WebConfig struct {
	// Mode is "direct" (the gateway is the site's web server: TLS and
	// its certificates on HTTPSAddr, redirects on HTTPAddr) or "proxied"
	// (behind nginx, Apache or Caddy, which terminate TLS: the site in
	// plain HTTP on HTTPAddr, a loopback address or "unix:PATH", with no
	// certificates and no redirect; the player's address and scheme come
	// from TrustedProxies' headers). See proxied.go.
	Mode string `toml:"mode"`

	// BasePath is the path the site lives under, such as "/play/", so
	// that the client can sit beside the game's own site on one host:
	// the web server passes the path on unchanged. "/": the whole host.
	BasePath string `toml:"base_path"`

	// ProxyHeader is the header TrustedProxies name the player in:
	// "x-forwarded-for" (with X-Forwarded-Proto; nginx, Apache, Caddy)
	// or "forwarded" (RFC 7239). Only that one is read.
	ProxyHeader string `toml:"proxy_header"`

	// SocketGroup is the group that may connect to a Unix socket
	// HTTPAddr ("unix:PATH"): the web server's (www-data for nginx and
	// Apache on Debian, caddy for Caddy), a name or a number. The
	// socket is made mode 0660 with that group, since whoever connects
	// to it is believed about the player's address.
	SocketGroup string `toml:"socket_group"`

	// Domains are the site's public names. With TLS mode "auto" they turn
	// on certificates from ACME (Let's Encrypt) for exactly these names.
	Domains []string `toml:"domains"`

	// HTTPSAddr is where the web client and its WebSocket are served.
	// Empty: ":443" when Domains are set, else ":8443".
	HTTPSAddr string `toml:"https_addr"`

	// HTTPAddr serves ACME HTTP-01 challenges and redirects everything
	// else to HTTPS. Empty: ":80" when Domains are set, else ":8080".
	// "off" turns it off (TLS-ALPN-01 on the HTTPS port still works).
	HTTPAddr string `toml:"http_addr"`

	// HSTSSubdomains adds includeSubDomains to Strict-Transport-Security:
	// only when every host under the domain serves HTTPS.
	HSTSSubdomains bool `toml:"hsts_subdomains"`

	// Origins are extra origins (host patterns) allowed to open the
	// WebSocket; the page's own origin always is. Either way the page
	// must be https.
	Origins []string `toml:"origins"`

	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// whose ProxyHeader is believed: the player is the right-most address
	// in it that is not a trusted proxy. Empty: logs and limits use the
	// connection's own peer address, whatever headers say (peers on a
	// Unix socket are always believed).
	TrustedProxies []string `toml:"trusted_proxies"`

	// MaxConnsPerAddr caps the connections from one address (an IPv4
	// address or an IPv6 /64) that are not a logged-in player's
	// WebSocket: page loads, API calls, a WebSocket until its login is
	// checked. Past it the connection is answered 429 (or, in a flood,
	// closed). Connections from TrustedProxies are not counted; behind a
	// ProxyProtocolFrom balancer the player's address counts. Negative:
	// no cap.
	MaxConnsPerAddr int `toml:"max_conns_per_addr"`

	// ProxyProtocolFrom are the addresses or CIDR ranges of load balancers
	// in TCP mode (HAProxy's send-proxy-v2) in front of the HTTPS and HTTP
	// listeners. Their connections must start with a PROXY protocol
	// header, version 1 or 2, read before the TLS handshake, and the
	// player's address it names is the connection's from then on (logs,
	// limits, the address sent to the game). Other peers are served as
	// before, with no header looked for. Empty: no header is read from
	// anyone.
	ProxyProtocolFrom []string `toml:"proxy_protocol_from"`

	// ClientCAFile, when set, requires every browser to present a client
	// certificate signed by one of these CAs (mutual TLS).
	ClientCAFile string `toml:"client_ca_file"`

	// Compression is WebSocket permessage-deflate toward browsers: "off",
	// "frame" (each frame compressed on its own) or "stream" (a 32 KiB
	// window per player: better ratios, more memory).
	Compression string `toml:"compression"`
}

// TLSConfig is where certificates come from and the TLS profile.
type TLSConfig struct {
	// Mode is "auto" (ACME when web.domains is set, else self-signed),
	// "acme", "files" or "self-signed".
	Mode string `toml:"mode"`

	// MinVersion is the oldest TLS version accepted: "1.2" or "1.3".
	MinVersion string `toml:"min_version"`

	// Profile is which TLS 1.2 cipher suites are offered: "modern" (ECDHE
	// with AES-GCM or ChaCha20-Poly1305 only) or "compatible" (Go's
	// defaults, which add ECDHE with AES-CBC-SHA for old clients). TLS 1.3
	// suites are not configurable.
	Profile string `toml:"profile"`

	// CipherSuites restricts TLS 1.2 cipher suites further, by Go's names
	// (TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, ...), for compliance.
	// Empty keeps all the profile allows. TLS 1.3 suites are not
	// configurable.
	CipherSuites []string `toml:"cipher_suites"`

	// CertFile and KeyFile are the certificate chain and key in PEM, for
	// mode "files". They are reloaded when they change.
	CertFile string `toml:"cert_file"`
	KeyFile  string `toml:"key_file"`

	// KeyPasswordFile holds the password of an encrypted KeyFile.
	KeyPasswordFile string `toml:"key_password_file"`

	// SelfSignedHosts are the names the self-signed certificate covers.
	SelfSignedHosts []string `toml:"self_signed_hosts"`
}

// ACMEConfig configures automatic certificates.
type ACMEConfig struct {
	// Email is the contact address the CA writes to about problems.
	Email string `toml:"email"`

	// DirectoryURL is the ACME server. Let's Encrypt production by
	// default; its staging directory is
	// https://acme-staging-v02.api.letsencrypt.org/directory.
	DirectoryURL string `toml:"directory_url"`

	// CAFile is extra trust for the ACME server's own HTTPS (a private
	// CA such as step-ca, or Pebble in tests).
	CAFile string `toml:"ca_file"`

	// EABKeyID and EABHMACFile are the External Account Binding some CAs
	// require (ZeroSSL, Google, Sectigo); the HMAC key file holds the
	// base64url key the CA gave.
	EABKeyID    string `toml:"eab_key_id"`
	EABHMACFile string `toml:"eab_hmac_file"`

	// RenewBefore is how long before expiry a certificate is renewed.
	// Zero: 30 days, or a third of a short certificate's life.
	RenewBefore time.Duration `toml:"renew_before"`
}

// TelnetsConfig is the TLS telnet port for classic MUD clients.
type TelnetsConfig struct {
	// Addr is where it listens, e.g. ":4001". Empty turns it off.
	Addr string `toml:"addr"`

	// ClientCAFile, when set, requires client certificates signed by one
	// of these CAs.
	ClientCAFile string `toml:"client_ca_file"`

	// ProxyProtocolFrom is web.proxy_protocol_from for this listener: the
	// load balancers whose connections must start with a PROXY header.
	// A setting of its own, as the client CA is, because the telnets port
	// is often reached directly while the web goes through a balancer,
	// or the other way round.
	ProxyProtocolFrom []string `toml:"proxy_protocol_from"`

	// MaxConns and MaxConnsPerAddr bound its connections, in all and
	// from one address (an IPv4 address, or an IPv6 /64). Negative: no
	// limit.
	MaxConns        int `toml:"max_conns"`
	MaxConnsPerAddr int `toml:"max_conns_per_addr"`

	// IdleTimeout closes a connection silent both ways this long.
	IdleTimeout time.Duration `toml:"idle_timeout"`
}

// PlayersConfig bounds web players.
type PlayersConfig struct {
	// Max and MaxPerAddr bound connected players, in all and from one
	// network address (players behind one NAT share it). Negative: no
	// limit.
	Max        int `toml:"max"`
	MaxPerAddr int `toml:"max_per_addr"`
	// MaxPerAccount bounds the players of one account at once (tabs,
	// devices). Negative: no limit.
	MaxPerAccount int `toml:"max_per_account"`

	// IdleTimeout disconnects a player who does nothing (types nothing,
	// resizes nothing, sends no GMCP) for this long, whatever the client
	// sends by itself; negative turns it off.
	IdleTimeout time.Duration `toml:"idle_timeout"`

	// WriteTimeout disconnects a player (or gives up on the game) when a
	// write makes no progress for this long.
	WriteTimeout time.Duration `toml:"write_timeout"`

	// ResumeGrace keeps a player's game connection this long after their
	// WebSocket dropped without a goodbye (a phone asleep, a network
	// switch) or their page went away (a reload, a discarded or closed
	// tab), for the client to come back to it; negative turns resuming
	// off.
	ResumeGrace time.Duration `toml:"resume_grace"`

	// ResumeBuffer bounds, in bytes, the game output kept per player for a
	// resume: what the client has not acknowledged yet, and what arrives
	// while it is away. Past it the oldest output is dropped, and the
	// player is told some was lost.
	ResumeBuffer int `toml:"resume_buffer"`

	// SessionCheckInterval is how often the login sessions of the live
	// bridges are checked against the store, so that a session revoked
	// or an account disabled where no notice reached this node (the
	// command line on SQLite, a lost database connection) still ends
	// its bridges. Each check reads every live session.
	SessionCheckInterval time.Duration `toml:"session_check_interval"`
}

// StoreConfig is where accounts and sessions are kept.
type StoreConfig struct {
	// SQLitePath is the SQLite database file. Empty: drawbridge.db in
	// state_dir. Created with mode 0600.
	SQLitePath string `toml:"sqlite_path"`

	// PostgresURL, when set, keeps accounts, sessions, rate limits, the
	// audit trail and the ACME certificates in PostgreSQL instead of
	// SQLite, so that several gateway nodes behind one load balancer share
	// them (deploy/multi-node.md). A URL or key=value string as libpq
	// takes, e.g. "postgres://drawbridge@db.internal/drawbridge"; it must
	// not hold the password (config check prints it): use
	// PostgresPasswordFile, or libpq's ~/.pgpass. Empty: SQLite.
	PostgresURL string `toml:"postgres_url"`
	// PostgresPasswordFile holds the database password.
	PostgresPasswordFile string `toml:"postgres_password_file"`
	// PostgresMaxConns caps this node's connections to PostgreSQL; the
	// server's max_connections must exceed nodes x this. 0: 10.
	PostgresMaxConns int `toml:"postgres_max_conns"`
	// PostgresStatementTimeout ends any statement that runs longer, so a
	// stuck database fails requests instead of piling them up. 0: 5s.
	PostgresStatementTimeout time.Duration `toml:"postgres_statement_timeout"`
}

// LogConfig is what the gateway logs, and how.
type LogConfig struct {
	// Format is "text" or "json".
	Format string `toml:"format"`
	// Level is "debug", "info", "warn" or "error".
	Level string `toml:"level"`
	// AuditFile receives the audit trail of security events (logins,
	// lockouts, sessions, admin actions) as JSON lines, mode 0600. Empty:
	// the events go to the main log. They are also kept in the database.
	AuditFile string `toml:"audit_file"`
}

// AdminConfig is the operators' listener: health checks and metrics.
type AdminConfig struct {
	// Addr serves /healthz, /readyz and /metrics. Keep it on loopback or a
	// private network. "off" (or empty) turns it off.
	Addr string `toml:"addr"`

	// Hosts are more names (or addresses) the listener answers requests
	// for, besides localhost, loopback addresses and its own address:
	// the name monitoring uses for it. A request for any other Host gets
	// 421, so that a web page that points a name of its own at the
	// listener (DNS rebinding) reads nothing.
	Hosts []string `toml:"hosts"`

	// PProf serves Go's profiler under /debug/pprof/ (404 when off).
	PProf bool `toml:"pprof"`
}

// minStatusInterval is the shortest game.status_interval: each check is
// a connection to the game, which games log and count.
const minStatusInterval = 30 * time.Second

// DefaultDirectoryURL is Let's Encrypt's production ACME directory.
const DefaultDirectoryURL = "https://acme-v02.api.letsencrypt.org/directory"

// Default returns the configuration the gateway starts from: on a
// developer's machine HTTPS on :8443 with a self-signed certificate for
// localhost, redirects on :8080 and the demo game on 127.0.0.1:4000; with
// web.domains set, :443 and :80 with ACME certificates. StateDir has no
// default here; the command picks one.
func Default() Config {
	return Config{
		ShutdownTimeout: 10 * time.Second,
		Game:            GameConfig{Name: "Drawbridge Demo", DemoAddr: "127.0.0.1:4000", DialTimeout: 10 * time.Second, StatusInterval: 5 * time.Minute, StatusTimeout: 10 * time.Second, MXP: true, GMCPFromPlayers: slices.Clone(bridge.DefaultGMCPFromPlayers)},
		Web:             WebConfig{Mode: "direct", BasePath: "/", ProxyHeader: string(web.HeaderXForwardedFor), Compression: "off", MaxConnsPerAddr: web.DefaultMaxConnsPerAddr},
		TLS:             TLSConfig{Mode: "auto", MinVersion: "1.2", Profile: string(edge.ProfileModern), SelfSignedHosts: edge.DefaultSelfSignedHosts()},
		ACME:            ACMEConfig{DirectoryURL: DefaultDirectoryURL},
		Telnets:         TelnetsConfig{MaxConns: 1000, MaxConnsPerAddr: 20, IdleTimeout: time.Hour},
		Players:         PlayersConfig{Max: 10000, MaxPerAddr: 20, MaxPerAccount: 5, IdleTimeout: time.Hour, WriteTimeout: 30 * time.Second, ResumeGrace: time.Minute, ResumeBuffer: 256 << 10, SessionCheckInterval: 10 * time.Second},
		Accounts:        accountDefaults(),
		Log:             LogConfig{Format: "text", Level: "info"},
		Admin:           AdminConfig{Addr: "127.0.0.1:6060"},
	}
}

// accountDefaults are the account service's defaults, spelt out so that
// `config check` shows what will apply.
func accountDefaults() account.Config {
	c := account.Config{}.WithDefaults()
	c.Log, c.Audit, c.Now = nil, nil, nil // set by the app, not configured
	return c
}

// SQLitePath returns the database file, resolving the default.
func (c *Config) SQLitePath() string {
	if c.Store.SQLitePath != "" {
		return c.Store.SQLitePath
	}
	return filepath.Join(c.StateDir, "drawbridge.db")
}

// HTTPSAddress returns the HTTPS listener's address, resolving the default.
func (c *Config) HTTPSAddress() string {
	switch {
	case c.Web.HTTPSAddr != "":
		return c.Web.HTTPSAddr
	case len(c.Web.Domains) > 0:
		return ":443"
	}
	return ":8443"
}

// SiteURL returns where players reach the site by this configuration,
// ending in "/" (siteURL with the configured listener addresses), or ""
// when it does not say (proxied on a Unix socket with no web.domains).
// Commands that do not listen (drawbridge user reset) read it here; the
// running gateway asks siteURL with its listeners' real addresses.
func (c *Config) SiteURL() string { return c.siteURL(c.HTTPSAddress(), c.HTTPAddress()) }

// siteURL is where players reach the site, given the HTTPS listener's
// address (direct mode) or the plain-HTTP one (proxied): the first of
// web.domains (else localhost) over HTTPS, with the listener's port
// unless the site is a public name on the default port; behind a web
// server, https:// the first domain and the base path, or the plain-HTTP
// address when no domain is set, or "" when that is a Unix socket.
func (c *Config) siteURL(httpsAddr, httpAddr string) string {
	if c.Proxied() {
		base := c.Web.BasePath
		if base == "" {
			base = "/"
		}
		switch {
		case len(c.Web.Domains) > 0:
			return "https://" + c.Web.Domains[0] + base
		case httpAddr != "" && !strings.HasPrefix(httpAddr, "unix:"):
			return "http://" + httpAddr + base
		}
		return ""
	}
	host := "localhost"
	if len(c.Web.Domains) > 0 {
		host = c.Web.Domains[0]
	}
	if port := c.httpsPort(httpsAddr); port != "443" {
		host = net.JoinHostPort(host, port)
	}
	return "https://" + host + "/"
}

// httpsPort is the port browsers reach the site on, given the HTTPS
// listener's address: the default HTTPS port for a public site with
// domains and no https_addr (a port mapping in front may differ from the
// listener's), else the listener's port.
func (c *Config) httpsPort(httpsAddr string) string {
	if len(c.Web.Domains) > 0 && c.Web.HTTPSAddr == "" {
		return "443"
	}
	_, port, _ := net.SplitHostPort(httpsAddr)
	return port
}

// HTTPAddress returns the plain-HTTP listener's address, resolving the
// default, or "" when it is off.
func (c *Config) HTTPAddress() string {
	switch {
	case c.Web.HTTPAddr == "off":
		return ""
	case c.Web.HTTPAddr != "":
		return c.Web.HTTPAddr
	case c.Proxied():
		return defaultProxiedAddr
	case len(c.Web.Domains) > 0:
		return ":80"
	}
	return ":8080"
}

// TLSMode returns the certificate source, resolving "auto".
func (c *Config) TLSMode() string {
	if c.TLS.Mode == "auto" && c.Proxied() {
		return "off" // the web server in front has the certificates
	}
	if c.TLS.Mode == "auto" {
		if len(c.Web.Domains) > 0 {
			return "acme"
		}
		return "self-signed"
	}
	return c.TLS.Mode
}

// Validate reports every setting that cannot work, each named as in the
// config file.
func (c *Config) Validate() error {
	var errs []error
	bad := func(setting, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", setting, fmt.Sprintf(format, args...)))
	}
	addr := func(setting, a string, needHost bool) {
		host, port, err := net.SplitHostPort(a)
		if err != nil {
			bad(setting, "%q is not host:port", a)
			return
		}
		if needHost && host == "" {
			bad(setting, "%q has no host", a)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			bad(setting, "%q has no valid port", a)
		}
	}
	file := func(setting, path string) {
		if path == "" {
			return
		}
		f, err := os.Open(path)
		if err != nil {
			bad(setting, "%v", unwrapPath(err))
			return
		}
		f.Close()
	}
	positive := func(setting string, d time.Duration) {
		if d <= 0 {
			bad(setting, "must be positive, got %s", d)
		}
	}
	oneOf := func(setting, v string, allowed ...string) bool {
		if !slices.Contains(allowed, v) {
			bad(setting, "%q is not one of %s", v, strings.Join(allowed, ", "))
			return false
		}
		return true
	}

	if c.StateDir == "" {
		bad("state_dir", "must be set")
	}
	positive("shutdown_timeout", c.ShutdownTimeout)

	if c.Game.Backend != "" {
		addr("game.backend", c.Game.Backend, true)
	} else {
		addr("game.demo_addr", c.Game.DemoAddr, false)
	}
	positive("game.dial_timeout", c.Game.DialTimeout)
	for _, m := range c.Game.GMCPFromPlayers {
		if pkg, ok := telnet.GMCPPackage([]byte(m)); !ok || pkg != m {
			bad("game.gmcp_from_players", "%q is not a GMCP message name such as Char.Items.Inv", m)
		} else if strings.EqualFold(m, "Core.Hello") {
			bad("game.gmcp_from_players", "Core.Hello cannot be allowed: the gateway sends it for the client")
		}
	}
	if !telnet.KnownCharset(c.Game.Charset) {
		bad("game.charset", "%q is not one of utf-8, %s", c.Game.Charset, strings.Join(telnet.Charsets, ", "))
	}
	positive("game.status_timeout", c.Game.StatusTimeout)
	if d := c.Game.StatusInterval; d > 0 && c.Game.StatusTimeout > d/2 {
		bad("game.status_timeout", "%s is more than half of game.status_interval (%s)", c.Game.StatusTimeout, d)
	}
	if d := c.Game.StatusInterval; d >= 0 && d < minStatusInterval {
		bad("game.status_interval", "must be at least %s, got %s (a negative value turns the checks off)", minStatusInterval, d)
	}
	c.validateGameConnection(bad)

	for _, d := range c.Web.Domains {
		if err := checkDomain(d); err != nil {
			bad("web.domains", "%q: %v", d, err)
		}
	}
	if c.validateWebMode(bad) {
		addr("web.https_addr", c.HTTPSAddress(), false)
		if a := c.HTTPAddress(); a != "" {
			addr("web.http_addr", a, false)
		}
	}
	for _, p := range c.Web.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			bad("web.trusted_proxies", "%q is neither an address nor a CIDR range", p)
		}
	}
	for _, p := range c.Web.ProxyProtocolFrom {
		if _, err := parseProxyEntry(p); err != nil {
			bad("web.proxy_protocol_from", "%v", err)
		}
	}
	for _, o := range c.Web.Origins {
		if scheme, _, ok := strings.Cut(o, "://"); ok && scheme != "https" {
			bad("web.origins", "%q can never match: only https pages may open the WebSocket (list the host alone)", o)
		}
	}
	if c.Web.MaxConnsPerAddr == 0 {
		bad("web.max_conns_per_addr", "must not be 0 (negative means no cap)")
	}
	file("web.client_ca_file", c.Web.ClientCAFile)
	oneOf("web.compression", c.Web.Compression, "off", "frame", "stream")

	if oneOf("tls.mode", c.TLS.Mode, "auto", "acme", "files", "self-signed") {
		switch c.TLSMode() {
		case "acme":
			if len(c.Web.Domains) == 0 {
				bad("tls.mode", "acme needs web.domains: the names to get certificates for")
			}
		case "files":
			if c.TLS.CertFile == "" || c.TLS.KeyFile == "" {
				bad("tls.mode", "files needs tls.cert_file and tls.key_file")
			}
		case "self-signed":
			if len(c.TLS.SelfSignedHosts) == 0 {
				bad("tls.self_signed_hosts", "at least one name is needed for the certificate")
			}
		}
	}
	oneOf("tls.min_version", c.TLS.MinVersion, "1.2", "1.3")
	profileOK := oneOf("tls.profile", c.TLS.Profile, string(edge.ProfileModern), string(edge.ProfileCompatible))
	if suites, err := edge.ParseCipherSuites(c.TLS.CipherSuites); err != nil {
		bad("tls.cipher_suites", "%v", err)
	} else if profileOK {
		if err := edge.Profile(c.TLS.Profile).CheckSuites(suites); err != nil {
			bad("tls.cipher_suites", "%v", err)
		}
	}
	file("tls.cert_file", c.TLS.CertFile)
	file("tls.key_file", c.TLS.KeyFile)
	file("tls.key_password_file", c.TLS.KeyPasswordFile)

	if c.TLSMode() == "acme" {
		if u, err := url.Parse(c.ACME.DirectoryURL); err != nil || u.Scheme != "https" || u.Host == "" {
			bad("acme.directory_url", "%q is not an https URL", c.ACME.DirectoryURL)
		}
		if (c.ACME.EABKeyID == "") != (c.ACME.EABHMACFile == "") {
			bad("acme.eab_key_id", "external account binding needs both acme.eab_key_id and acme.eab_hmac_file")
		}
		file("acme.ca_file", c.ACME.CAFile)
		file("acme.eab_hmac_file", c.ACME.EABHMACFile)
		if c.ACME.RenewBefore < 0 {
			bad("acme.renew_before", "must not be negative")
		}
	}

	for _, p := range c.Telnets.ProxyProtocolFrom {
		if _, err := parseProxyEntry(p); err != nil {
			bad("telnets.proxy_protocol_from", "%v", err)
		}
	}
	if c.Telnets.Addr != "" {
		addr("telnets.addr", c.Telnets.Addr, false)
		file("telnets.client_ca_file", c.Telnets.ClientCAFile)
		positive("telnets.idle_timeout", c.Telnets.IdleTimeout)
		if c.Telnets.MaxConns == 0 || c.Telnets.MaxConnsPerAddr == 0 {
			bad("telnets.max_conns", "limits must not be 0 (negative means no limit)")
		}
	}

	if c.Players.Max == 0 {
		bad("players.max", "must not be 0 (negative means no limit)")
	}
	if c.Players.MaxPerAddr == 0 {
		bad("players.max_per_addr", "must not be 0 (negative means no limit)")
	}
	if c.Players.MaxPerAccount == 0 {
		bad("players.max_per_account", "must not be 0 (negative means no limit)")
	}
	positive("players.write_timeout", c.Players.WriteTimeout)
	if c.Players.IdleTimeout == 0 {
		bad("players.idle_timeout", "must not be 0 (a negative value turns the idle timeout off)")
	}
	if c.Players.ResumeGrace == 0 {
		bad("players.resume_grace", "must not be 0 (a negative value turns resuming off)")
	}
	if d := c.Players.SessionCheckInterval; d < time.Second || d > 24*time.Hour {
		bad("players.session_check_interval", "%s is outside 1s to 24h", d)
	}
	if c.Players.ResumeBuffer < 128<<10 || c.Players.ResumeBuffer > 64<<20 {
		bad("players.resume_buffer", "%d bytes is outside 131072 (128 KiB) to 67108864 (64 MiB)", c.Players.ResumeBuffer)
	}

	if err := c.Accounts.ValidateSettings(); err != nil {
		for _, e := range joined(err) {
			key, msg, _ := strings.Cut(e.Error(), ": ")
			bad("accounts."+key, "%s", msg)
		}
	}
	c.validateStore(bad)
	oneOf("log.format", c.Log.Format, "text", "json")
	if _, err := parseLevel(c.Log.Level); err != nil {
		bad("log.level", "%v", err)
	}
	if c.Admin.Addr != "off" && c.Admin.Addr != "" {
		addr("admin.addr", c.Admin.Addr, false)
	}
	for _, h := range c.Admin.Hosts {
		if err := checkAdminHost(h); err != nil {
			bad("admin.hosts", "%q: %v", h, err)
		}
	}
	c.validateListeners(bad)
	if f := c.Log.AuditFile; f != "" {
		dir := filepath.Dir(f)
		if st, err := os.Stat(dir); err != nil {
			bad("log.audit_file", "the directory %s: %v (create it, writable by the gateway's user; systemd's LogsDirectory= makes /var/log/drawbridge at start)", dir, unwrapErr(err))
		} else if !st.IsDir() {
			bad("log.audit_file", "%s is not a directory", dir)
		}
	}
	return errors.Join(errs...)
}

// listener is one address the gateway listens on, by the setting that
// names it.
type listener struct{ setting, addr string }

// listeners are the addresses the gateway would listen on, defaults
// resolved; turned-off ones are left out.
func (c *Config) listeners() []listener {
	out := []listener{{"web.https_addr", c.HTTPSAddress()}}
	if a := c.HTTPAddress(); a != "" {
		out = append(out, listener{"web.http_addr", a})
	}
	if c.Telnets.Addr != "" {
		out = append(out, listener{"telnets.addr", c.Telnets.Addr})
	}
	if a := c.Admin.Addr; a != "" && a != "off" {
		out = append(out, listener{"admin.addr", a})
	}
	if c.Game.Backend == "" {
		out = append(out, listener{"game.demo_addr", c.Game.DemoAddr})
	}
	return out
}

// validateListeners refuses two listeners on one address: the same port
// on the same host, or on any host when either listens on all of them
// (":8443" takes 127.0.0.1:8443 too). Port 0 (any free port) never
// overlaps.
func (c *Config) validateListeners(bad func(setting, format string, args ...any)) {
	ls := c.listeners()
	for i, a := range ls {
		for _, b := range ls[:i] {
			if addrsOverlap(a.addr, b.addr) {
				bad(a.setting, "%q overlaps %s (%q): two listeners cannot share an address", a.addr, b.setting, b.addr)
			}
		}
	}
}

// addrsOverlap reports whether listening on a and on b would conflict.
func addrsOverlap(a, b string) bool {
	ha, pa, errA := net.SplitHostPort(a)
	hb, pb, errB := net.SplitHostPort(b)
	if errA != nil || errB != nil || pa != pb || pa == "0" || pa == "" {
		return false
	}
	if anyHost(ha) || anyHost(hb) {
		return true
	}
	ia, ib := net.ParseIP(ha), net.ParseIP(hb)
	if ia != nil && ib != nil {
		return ia.Equal(ib)
	}
	return strings.EqualFold(ha, hb)
}

// anyHost reports whether a listener's host means every address.
func anyHost(h string) bool {
	ip := net.ParseIP(h)
	return h == "" || ip != nil && ip.IsUnspecified()
}

// unwrapErr drops the path and operation of a *fs.PathError, for a
// message that names the path itself.
func unwrapErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// validateStore checks the [store] section.
func (c *Config) validateStore(bad func(setting, format string, args ...any)) {
	st := &c.Store
	if st.PostgresURL == "" {
		for setting, set := range map[string]bool{
			"store.postgres_password_file":     st.PostgresPasswordFile != "",
			"store.postgres_max_conns":         st.PostgresMaxConns != 0,
			"store.postgres_statement_timeout": st.PostgresStatementTimeout != 0,
		} {
			if set {
				bad(setting, "is set but store.postgres_url is not: the gateway uses SQLite")
			}
		}
		return
	}
	if st.SQLitePath != "" {
		bad("store.sqlite_path", "is set with store.postgres_url: set one of them")
	}
	if err := checkPostgresURL(st.PostgresURL); err != nil {
		bad("store.postgres_url", "%v", err)
	}
	if st.PostgresPasswordFile != "" {
		if _, err := readSecret("", st.PostgresPasswordFile); err != nil {
			bad("store.postgres_password_file", "%v", strings.TrimPrefix(err.Error(), ": "))
		}
	}
	if st.PostgresMaxConns < 0 || st.PostgresMaxConns > 1000 {
		bad("store.postgres_max_conns", "%d is outside 1 to 1000 (0 means 10)", st.PostgresMaxConns)
	}
	if st.PostgresStatementTimeout < 0 {
		bad("store.postgres_statement_timeout", "must not be negative (0 means 5s)")
	}
}

// checkPostgresURL accepts a libpq connection URL or key=value string
// without a password in it: the effective configuration is printed, and
// secrets come from files.
func checkPostgresURL(s string) error {
	if _, has := postgres.Password(s); has {
		return errors.New("holds a password: put it in store.postgres_password_file (or ~/.pgpass) instead")
	}
	if strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		if _, err := url.Parse(s); err != nil {
			return errors.New("not a valid URL (postgres://user@host:port/database)")
		}
		return nil
	}
	if !strings.Contains(s, "=") {
		return errors.New("neither a postgres:// URL nor key=value settings")
	}
	return nil
}

// checkDomain accepts a DNS name that a public CA could issue for.
func checkDomain(d string) error {
	switch {
	case d == "":
		return errors.New("empty name")
	case net.ParseIP(d) != nil:
		return errors.New("an IP address, not a name: ACME certificates are for names")
	case strings.ContainsAny(d, " /:*"):
		return errors.New("not a plain host name (no scheme, port, path or wildcard)")
	case strings.ToLower(d) != d:
		return errors.New("use lower case")
	}
	return nil
}

// checkAdminHost accepts a host name or an IP address, as a Host header
// names it without the port.
func checkAdminHost(h string) error {
	switch {
	case h == "":
		return errors.New("empty name")
	case net.ParseIP(h) != nil:
		return nil
	case strings.Contains(h, "*"):
		return errors.New("wildcards are not accepted: list each name")
	case strings.ContainsAny(h, " /:@[]?#\\"):
		return errors.New("not a plain host name or IP address (no scheme, port or path)")
	}
	return nil
}

// unwrapPath turns *fs.PathError into "open PATH: reason" without the
// operation noise when it adds nothing.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

// parseLevel parses a log level name.
func parseLevel(s string) (slog.Level, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("%q is not debug, info, warn or error", s)
	}
	return lv, nil
}

// joined splits an errors.Join result into its parts.
func joined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
