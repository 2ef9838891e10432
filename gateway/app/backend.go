package app

import (
	"crypto/tls"
	"fmt"
	"net"
	"strings"

	"github.com/drawbridge/drawbridge/gateway/internal/backend"
)

// gameDialer is the one dialer behind every connection the gateway makes
// to the game at addr (game.backend, or the demo game's listener): web
// players' bridges, telnets clients and status checks. Validate has
// checked the settings; the CA file is read again here, as it is at
// every start.
func (g *Gateway) gameDialer(gc *GameConfig, addr string) (*backend.Dialer, error) {
	d := &backend.Dialer{
		Addr:    addr,
		Timeout: gc.DialTimeout,
		Proxy:   gc.ProxyProtocol,
		Logger:  g.log.With("component", "backend"),
	}
	if !gc.TLS {
		return d, nil
	}
	d.TLS = &tls.Config{
		ServerName: gc.TLSServerName, // empty: the host of addr
		MinVersion: tls.VersionTLS12,
		// Resumption makes the reconnections after a gateway or network
		// blip cheap for the game.
		ClientSessionCache: tls.NewLRUClientSessionCache(0),
	}
	d.RootsName = "the system's trusted CAs (game.tls_ca_file is empty)"
	if f := gc.TLSCAFile; f != "" {
		pool, err := backend.LoadCAs(f)
		if err != nil {
			return nil, fmt.Errorf("game.tls_ca_file: %w", err)
		}
		d.TLS.RootCAs = pool
		d.RootsName = "game.tls_ca_file (" + f + ")"
	}
	return d, nil
}

// validateGameConnection checks the settings of the connection to the
// game (PROXY header, TLS) for Validate, reporting through bad.
func (c *Config) validateGameConnection(bad func(setting, format string, args ...any)) {
	gc := &c.Game
	switch gc.ProxyProtocol {
	case backend.ProxyNone, backend.ProxyV1, backend.ProxyV2:
	default:
		bad("game.proxy_protocol", `%q is not "" (none), "v1" or "v2"`, gc.ProxyProtocol)
	}
	if gc.Backend == "" {
		// The demo game is the gateway's own, on loopback: it reads no
		// header and speaks plain telnet.
		if gc.ProxyProtocol != "" {
			bad("game.proxy_protocol", "needs game.backend: the built-in demo game reads no PROXY header")
		}
		if gc.TLS {
			bad("game.tls", "needs game.backend: the built-in demo game speaks plain telnet")
		}
	}
	if !gc.TLS {
		for _, s := range []struct{ name, v string }{{"game.tls_ca_file", gc.TLSCAFile}, {"game.tls_server_name", gc.TLSServerName}} {
			if s.v != "" {
				bad(s.name, "is set but game.tls is false: the connection to the game would not use TLS")
			}
		}
		return
	}
	if gc.TLSCAFile != "" {
		if _, err := backend.LoadCAs(gc.TLSCAFile); err != nil {
			bad("game.tls_ca_file", "%v", err)
		}
	}
	if n := gc.TLSServerName; n != "" && net.ParseIP(n) == nil && strings.ContainsAny(n, " /:*[]") {
		bad("game.tls_server_name", "%q is not a host name or IP address (no scheme, port or path)", n)
	}
}
