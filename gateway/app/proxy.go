package app

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"

	"github.com/drawbridge/drawbridge/gateway/internal/proxyproto"
)

// The PROXY protocol on the gateway's own listeners. A load balancer in
// TCP mode (HAProxy with "send-proxy-v2", TLS passed through untouched)
// opens its connection to the gateway with a PROXY header naming the
// player's address; web.proxy_protocol_from and
// telnets.proxy_protocol_from say which peers are such balancers. Their
// connections must start with a header (version 1 or 2), read before the
// TLS handshake, and the player's address then stands in for the
// balancer's everywhere the connection's address is used: the HTTP
// request's RemoteAddr, rate limits and lockouts, logs and the audit
// trail, and the address forwarded to the game (NEW-ENVIRON IPADDRESS,
// game.proxy_protocol). Peers not listed are served as before: no header
// is looked for, so they cannot claim an address.

// parseProxyFrom parses a proxy_protocol_from list into the prefixes it
// trusts. The error names the setting and the first bad entry; Validate
// reports every bad entry itself, with parseProxyEntry.
func parseProxyFrom(setting string, entries []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(entries))
	for _, e := range entries {
		p, err := parseProxyEntry(e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", setting, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// parseProxyEntry parses one proxy_protocol_from entry: an IP address,
// which trusts that one host, or a CIDR range ("10.0.1.0/24"). Host names
// are refused rather than resolved: what a name resolves to can change
// behind the operator's back, and trust should not. An IPv4-mapped IPv6
// entry counts as the IPv4 address it maps, as peers' addresses do.
func parseProxyEntry(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is neither an IP address nor a CIDR range", s)
		}
		if a := p.Addr(); a.Is4In6() {
			if p.Bits() < 96 {
				return netip.Prefix{}, fmt.Errorf("%q mixes IPv4-mapped and other IPv6 addresses: list the IPv4 range", s)
			}
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is neither an IP address nor a CIDR range (host names are not resolved)", s)
	}
	if a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q has a zone: list the address without it", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// listenProxied opens a TCP listener as listen does and, when from (the
// setting named fromSetting) lists any peers, wraps it so that those
// peers' connections must start with a PROXY header. TLS, when the
// listener serves it, goes on top of the returned listener, so the header
// is read before the handshake.
func (g *Gateway) listenProxied(setting, addr, fromSetting string, from []string) (net.Listener, error) {
	prefixes, err := parseProxyFrom(fromSetting, from)
	if err != nil {
		return nil, err
	}
	ln, err := listen(setting, addr)
	if err != nil || len(prefixes) == 0 {
		return ln, err
	}
	log := g.log.With("component", "proxy", "listener", setting)
	log.Info("listener takes the player's address from PROXY headers", "addr", ln.Addr().String(), "from", strings.Join(from, ","))
	return &proxyListener{
		Listener: &proxyproto.Listener{Listener: ln, Trusted: proxyproto.TrustPrefixes(prefixes...)},
		log:      log,
	}, nil
}

// proxyListener is a proxyproto.Listener whose connections from trusted
// proxies log their header: at debug when it is good, and as a warning
// when a trusted proxy sent none or a bad one and the connection is
// refused.
type proxyListener struct {
	*proxyproto.Listener
	log *slog.Logger
}

// Accept waits for the next connection; see proxyproto.Listener.Accept.
// It does not read from the network.
func (l *proxyListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if pc, ok := c.(*proxyproto.Conn); ok {
		return &proxiedConn{Conn: pc, log: l.log}, nil
	}
	return c, nil
}

// proxiedConn is a connection from a trusted proxy. It reads and logs the
// header on first use, as proxyproto.Conn reads it; after a bad header
// every Read fails, and the server that reads it closes the connection.
type proxiedConn struct {
	*proxyproto.Conn
	log  *slog.Logger
	once sync.Once
}

// Read reads data that follows the header.
func (c *proxiedConn) Read(p []byte) (int, error) {
	c.checkHeader()
	return c.Conn.Read(p)
}

// RemoteAddr returns the client's address from the header, or the
// proxy's for a LOCAL header (a health check).
func (c *proxiedConn) RemoteAddr() net.Addr {
	c.checkHeader()
	return c.Conn.RemoteAddr()
}

// LocalAddr returns the address the client connected to, from the header,
// or the gateway's own.
func (c *proxiedConn) LocalAddr() net.Addr {
	c.checkHeader()
	return c.Conn.LocalAddr()
}

// checkHeader reads the header once and logs what came of it.
func (c *proxiedConn) checkHeader() {
	c.once.Do(func() {
		h, err := c.Conn.Header()
		proxy := c.Conn.NetConn().RemoteAddr().String()
		switch {
		case err == nil && h.Command == proxyproto.Local:
			c.log.Debug("PROXY header: LOCAL, the proxy's own connection", "proxy", proxy, "version", h.Version)
		case err == nil:
			c.log.Debug("PROXY header", "proxy", proxy, "client", c.Conn.RemoteAddr().String(), "version", h.Version)
		case errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed):
			// Closed before sending a byte: a TCP health check, or the
			// gateway shutting down. Nothing was refused.
			c.log.Debug("closed before its PROXY header", "proxy", proxy)
		case errors.Is(err, os.ErrDeadlineExceeded):
			c.log.Warn("refused a connection from a trusted proxy: no PROXY header in time", "proxy", proxy, "err", err)
		default:
			c.log.Warn("refused a connection from a trusted proxy: no valid PROXY header", "proxy", proxy, "err", err)
		}
	})
}
