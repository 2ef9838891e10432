// Package app wires the gateway together: it owns the configuration, the
// listeners, the sessions and the order in which they start and stop.
// gateway/main parses flags into a Config and calls Run; end-to-end tests
// start a Gateway directly.
package app

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/edge"
)

// Config is everything the gateway needs to run. Default returns working
// values for a developer's machine; Validate says which setting is wrong.
type Config struct {
	// HTTPSAddr is where the web client and its WebSocket are served.
	HTTPSAddr string

	// HTTPAddr serves plain HTTP only to redirect browsers to HTTPS.
	// Empty turns it off.
	HTTPAddr string

	// Backend is the game's telnet address, host:port. Players never
	// choose where the gateway connects: this is the only game there is.
	// Empty starts the built-in demo game on DemoAddr and uses that.
	Backend string

	// DemoAddr is where the built-in demo game listens when Backend is
	// empty. Classic telnet clients can connect to it too.
	DemoAddr string

	// StateDir holds what the gateway keeps between runs (its self-signed
	// certificate). It is created with mode 0700.
	StateDir string

	// TLSHosts are the names the self-signed certificate covers.
	TLSHosts []string

	// DialTimeout bounds connecting to the game.
	DialTimeout time.Duration

	// IdleTimeout disconnects a player who sends nothing for this long;
	// negative turns it off.
	IdleTimeout time.Duration

	// WriteTimeout disconnects a player (or gives up on the game) when a
	// write makes no progress for this long.
	WriteTimeout time.Duration

	// MaxPlayers and MaxPlayersPerAddr bound connected players, in all
	// and from one network address. Negative means no limit.
	MaxPlayers, MaxPlayersPerAddr int

	// ShutdownTimeout bounds a graceful shutdown: how long players get to
	// receive the goodbye before connections are cut.
	ShutdownTimeout time.Duration

	// Static overrides the embedded web client files; nil serves the
	// embedded ones. Tests use it to serve a freshly built client.
	Static fs.FS

	// Logger receives the gateway's logs. nil discards them.
	Logger *slog.Logger
}

// Default returns the configuration `drawbridge serve` starts from: HTTPS on
// :8443 with a self-signed certificate for localhost, redirects on :8080,
// and the demo game on 127.0.0.1:4000. StateDir has no default here; the
// command picks one.
func Default() Config {
	return Config{
		HTTPSAddr:         ":8443",
		HTTPAddr:          ":8080",
		DemoAddr:          "127.0.0.1:4000",
		TLSHosts:          edge.DefaultSelfSignedHosts(),
		DialTimeout:       10 * time.Second,
		IdleTimeout:       time.Hour,
		WriteTimeout:      30 * time.Second,
		MaxPlayers:        10000,
		MaxPlayersPerAddr: 20,
		ShutdownTimeout:   10 * time.Second,
	}
}

// Validate reports every setting that cannot work, naming each.
func (c *Config) Validate() error {
	var errs []error
	bad := func(setting, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", setting, fmt.Sprintf(format, args...)))
	}
	checkAddr := func(setting, addr string, needHost bool) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			bad(setting, "%q is not host:port: %v", addr, err)
			return
		}
		if needHost && host == "" {
			bad(setting, "%q has no host", addr)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			bad(setting, "%q has no valid port", addr)
		}
	}
	checkAddr("https-addr", c.HTTPSAddr, false)
	if c.HTTPAddr != "" {
		checkAddr("http-addr", c.HTTPAddr, false)
	}
	if c.Backend != "" {
		checkAddr("backend", c.Backend, true)
	} else {
		checkAddr("demo-addr", c.DemoAddr, false)
	}
	if c.StateDir == "" {
		bad("state-dir", "must be set")
	}
	if c.MaxPlayers == 0 {
		bad("max-players", "must not be 0 (negative means no limit)")
	}
	if c.MaxPlayersPerAddr == 0 {
		bad("max-players-per-addr", "must not be 0 (negative means no limit)")
	}
	if len(c.TLSHosts) == 0 {
		bad("tls-host", "at least one name is needed for the certificate")
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"dial-timeout", c.DialTimeout}, {"write-timeout", c.WriteTimeout}, {"shutdown-timeout", c.ShutdownTimeout}} {
		if d.v <= 0 {
			bad(d.name, "must be positive, got %s", d.v)
		}
	}
	return errors.Join(errs...)
}
