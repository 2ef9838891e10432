package web

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/drawbridge/drawbridge/gateway/internal/peer"

	"github.com/labstack/echo/v4"
)

// Behind a reverse proxy (nginx, Apache, Caddy) the connection's peer is
// the proxy, and the player's address and the scheme the browser used
// come in headers the proxy adds: X-Forwarded-For and X-Forwarded-Proto,
// or the standard Forwarded header (RFC 7239). Anyone can send those
// headers, so they are read only from the peers Config.TrustedProxies
// lists (and from peers on a Unix socket, which only local processes can
// open), and of the addresses they list the player's is the right-most
// one that is not itself a trusted proxy: each proxy appends the address
// it received the request from, so entries left of the first untrusted
// one were written by the client and prove nothing.

// ProxyHeader names the header trusted proxies name the player in.
type ProxyHeader string

// The headers a trusted proxy can name the player in. Only one is read:
// a proxy that sets one passes the other through as the client sent it,
// so reading both would let a client forge the one the proxy does not
// write.
const (
	// HeaderXForwardedFor reads X-Forwarded-For for the address and
	// X-Forwarded-Proto for the scheme, as nginx, Apache's mod_proxy and
	// Caddy send them.
	HeaderXForwardedFor ProxyHeader = "x-forwarded-for"
	// HeaderForwarded reads RFC 7239's Forwarded header: the for= and
	// proto= parameters of its elements.
	HeaderForwarded ProxyHeader = "forwarded"
)

// ParseProxyHeader parses a web.proxy_header value; "" is
// X-Forwarded-For.
func ParseProxyHeader(s string) (ProxyHeader, error) {
	switch h := ProxyHeader(strings.ToLower(s)); h {
	case "", HeaderXForwardedFor:
		return HeaderXForwardedFor, nil
	case HeaderForwarded:
		return h, nil
	}
	return "", fmt.Errorf("%q is neither x-forwarded-for nor forwarded", s)
}

// proxies decides what a request says about its client: whom to believe
// and which header to read.
type proxies struct {
	trusted []netip.Prefix
	header  ProxyHeader
}

// newProxies parses trusted (addresses or CIDR ranges) for header.
func newProxies(trusted []string, header ProxyHeader) (*proxies, error) {
	p := &proxies{header: header}
	if p.header == "" {
		p.header = HeaderXForwardedFor
	}
	for _, s := range trusted {
		pre, err := parseTrusted(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", s, err)
		}
		p.trusted = append(p.trusted, pre)
	}
	return p, nil
}

// parseTrusted parses an address (one host) or a CIDR range, with
// IPv4-mapped IPv6 taken as the IPv4 it maps, as peers' addresses are.
func parseTrusted(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		pre, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, errors.New("neither an address nor a CIDR range")
		}
		if a := pre.Addr(); a.Is4In6() && pre.Bits() >= 96 {
			pre = netip.PrefixFrom(a.Unmap(), pre.Bits()-96)
		}
		return pre.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, errors.New("neither an address nor a CIDR range")
	}
	a = a.Unmap().WithZone("")
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// trusts reports whether ip is one of the trusted proxies.
func (p *proxies) trusts(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	for _, pre := range p.trusted {
		if pre.Contains(ip) {
			return true
		}
	}
	return false
}

// exempt reports whether a connection from addr carries many players
// (a trusted proxy's, or any on a Unix socket), so that per-address caps
// must not count it.
func (p *proxies) exempt(addr net.Addr) bool {
	if addr == nil {
		return false
	}
	if addr.Network() == "unix" {
		return true
	}
	ip, ok := peer.IP(addr.String())
	return ok && p.trusts(ip)
}

// client returns the player's address and the scheme their browser used
// for r. The address is an IP without port or zone, or "" for a peer
// that has none (a Unix socket's) and no trusted header naming one.
func (p *proxies) client(r *http.Request) (addr, scheme string) {
	scheme = "http"
	if r.TLS != nil {
		scheme = "https"
	}
	direct, ok := peer.IP(r.RemoteAddr)
	if ok {
		addr = direct.String()
	}
	switch {
	case ok && p.trusts(direct):
	case !ok && onUnixSocket(r):
	default:
		return addr, scheme // not from a proxy: headers are the client's own
	}
	var hops []hop
	if p.header == HeaderForwarded {
		var err error
		if hops, err = parseForwarded(r.Header.Values("Forwarded")); err != nil {
			return addr, scheme // a proxy would not write it: leave it
		}
	} else {
		hops = parseXFF(r.Header.Values("X-Forwarded-For"), r.Header.Values("X-Forwarded-Proto"))
	}
	// From the right: the first address that is not a trusted proxy is
	// the player's. The scheme is what the proxy that received the
	// player's connection recorded with it.
	for i := len(hops) - 1; i >= 0; i-- {
		h := hops[i]
		if !h.ok {
			// "unknown", an obfuscated name or garbage: the chain cannot
			// be followed further, and the last proxy known stands in.
			break
		}
		addr = h.ip.String()
		if h.proto != "" {
			scheme = h.proto
		}
		if !p.trusts(h.ip) {
			break
		}
	}
	return addr, scheme
}

// errNoPlayerAddress is why requirePlayerAddress refused a request.
var errNoPlayerAddress = errors.New("no player address")

// requirePlayerAddress refuses a request for which the player's address
// is unknown: one on a Unix socket whose web server sent no usable header
// naming the player. The limits, the audit log and the game all key on
// that address; without one they would not apply.
func requirePlayerAddress(p *proxies) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if addr, _ := p.client(c.Request()); addr == "" {
				return echo.NewHTTPError(http.StatusBadRequest, "the web server in front must name the player in its "+string(p.header)+" header (see deploy/nginx.conf)").
					SetInternal(errNoPlayerAddress)
			}
			return next(c)
		}
	}
}

// onUnixSocket reports whether r came in on a Unix socket listener.
func onUnixSocket(r *http.Request) bool {
	a, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	return a != nil && a.Network() == "unix"
}

// hop is one proxy's record of where a request came from.
type hop struct {
	ip    netip.Addr
	ok    bool   // ip is an address (not "unknown", "_hidden" or garbage)
	proto string // "http", "https" or "" when not recorded
}

// parseXFF reads X-Forwarded-For, every instance of the header in order,
// one hop per comma-separated address. X-Forwarded-Proto has no reliable
// correspondence to its entries (nginx and Apache overwrite it, others
// append), so its right-most value, the one the nearest proxy wrote, goes
// with the right-most hop.
func parseXFF(xff, xfp []string) []hop {
	var hops []hop
	for _, v := range xff {
		for f := range strings.SplitSeq(v, ",") {
			ip, ok := parseNode(strings.TrimSpace(f))
			hops = append(hops, hop{ip: ip, ok: ok})
		}
	}
	if len(hops) > 0 {
		var last string
		for _, v := range xfp {
			for f := range strings.SplitSeq(v, ",") {
				last = strings.TrimSpace(f)
			}
		}
		hops[len(hops)-1].proto = normProto(last)
	}
	return hops
}

// parseForwarded reads RFC 7239 Forwarded headers: elements separated
// by commas, each of parameters name=value separated by semicolons, a
// value a token or a quoted string. It returns one hop per element, and
// an error for a header that does not follow the grammar.
func parseForwarded(values []string) ([]hop, error) {
	var hops []hop
	for _, v := range values {
		s := v
		for {
			var h hop
			for {
				s = strings.TrimLeft(s, " \t")
				eq := strings.IndexByte(s, '=')
				if eq <= 0 {
					return nil, fmt.Errorf("forwarded: %q: parameter without a value", v)
				}
				name := strings.ToLower(strings.TrimSpace(s[:eq]))
				s = s[eq+1:]
				var val string
				if strings.HasPrefix(s, `"`) {
					var b strings.Builder
					i := 1
					for ; i < len(s) && s[i] != '"'; i++ {
						if s[i] == '\\' && i+1 < len(s) {
							i++
						}
						b.WriteByte(s[i])
					}
					if i >= len(s) {
						return nil, fmt.Errorf("forwarded: %q: unterminated quoted string", v)
					}
					val, s = b.String(), s[i+1:]
				} else {
					end := strings.IndexAny(s, ";, \t")
					if end < 0 {
						end = len(s)
					}
					val, s = s[:end], s[end:]
				}
				switch name {
				case "for":
					h.ip, h.ok = parseNode(val)
				case "proto":
					h.proto = normProto(val)
				}
				s = strings.TrimLeft(s, " \t")
				if !strings.HasPrefix(s, ";") {
					break
				}
				s = s[1:]
			}
			hops = append(hops, h)
			if s == "" {
				break
			}
			if !strings.HasPrefix(s, ",") {
				return nil, fmt.Errorf("forwarded: %q: expected , or ; after a parameter", v)
			}
			s = s[1:]
		}
	}
	return hops, nil
}

// parseNode parses a node as X-Forwarded-For and Forwarded's for= write
// it: an IPv4 address, an IPv6 address bare or in brackets, either with
// a port ("192.0.2.1:4711", "[2001:db8::1]:4711").
func parseNode(s string) (netip.Addr, bool) {
	if ip, err := netip.ParseAddr(s); err == nil {
		return ip.Unmap().WithZone(""), true
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if ip, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil {
			return ip.Unmap().WithZone(""), true
		}
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

// normProto keeps http and https, in lower case; anything else is "".
func normProto(s string) string {
	switch s = strings.ToLower(s); s {
	case "http", "https":
		return s
	}
	return ""
}
