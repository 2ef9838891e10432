package app

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/drawbridge/drawbridge/gateway/internal/web"
)

// Behind a web server (web.mode = "proxied"). Many game hosts already run
// nginx, Apache or Caddy on :443 for the game's website; the gateway then
// sits behind it instead of beside it. The web server terminates TLS and
// passes /play/ (web.base_path) to the gateway in plain HTTP on a
// loopback address or a Unix socket (web.http_addr), with the WebSocket
// upgrade and X-Forwarded-For / X-Forwarded-Proto (or RFC 7239 Forwarded,
// web.proxy_header). The gateway gets no certificates (unless the TLS
// telnet port needs them), listens on no public port and redirects
// nothing. The player's address is read only from the peers
// web.trusted_proxies lists (and from any peer on the Unix socket), so
// that the game's NEW-ENVIRON IPADDRESS, the audit log and every limit
// see the player, not the web server; the scheme the proxy reports
// keeps the WebSocket's Origin check. The session cookies stay Secure
// and __Host- (Path=/): the browser sees HTTPS. deploy/nginx.conf,
// deploy/apache.conf and deploy/Caddyfile are the tested examples.

// defaultProxiedAddr is web.http_addr's default in proxied mode: the
// port the example configs in deploy/ proxy to.
const defaultProxiedAddr = "127.0.0.1:8080"

// unixPrefix marks web.http_addr as a Unix socket's path.
const unixPrefix = "unix:"

// Proxied reports whether the gateway runs behind a web server
// (web.mode = "proxied").
func (c *Config) Proxied() bool { return c.Web.Mode == "proxied" }

// validateWebMode checks web.mode, web.base_path and web.proxy_header,
// and in proxied mode the settings that mode needs or has no use for. It
// returns whether the direct mode's listener addresses are to be checked.
func (c *Config) validateWebMode(bad func(setting, format string, args ...any)) bool {
	if err := web.CheckBasePath(c.Web.BasePath); err != nil {
		bad("web.base_path", "%q %v", c.Web.BasePath, err)
	}
	if _, err := web.ParseProxyHeader(c.Web.ProxyHeader); err != nil {
		bad("web.proxy_header", "%v", err)
	}
	switch c.Web.Mode {
	case "direct":
		return true
	case "proxied":
	default:
		bad("web.mode", "%q is not one of direct, proxied", c.Web.Mode)
		return true
	}
	if c.Web.HTTPSAddr != "" {
		bad("web.https_addr", "is not used in proxied mode: the web server in front serves HTTPS, and reaches the gateway on web.http_addr")
	}
	a := c.HTTPAddress()
	switch {
	case a == "":
		bad("web.http_addr", "cannot be off in proxied mode: it is where the web server reaches the gateway")
	case strings.HasPrefix(a, unixPrefix):
		if p := strings.TrimPrefix(a, unixPrefix); !filepath.IsAbs(p) {
			bad("web.http_addr", "%q: the Unix socket's path must be absolute", a)
		}
		if c.Web.SocketGroup == "" {
			bad("web.socket_group", "must name the web server's group for a Unix socket in web.http_addr (www-data for nginx and Apache on Debian, caddy for Caddy): "+
				"whoever can connect to the socket is believed about the player's address, so only that group may")
		} else if _, err := lookupGroup(c.Web.SocketGroup); err != nil {
			bad("web.socket_group", "%v", err)
		}
	default:
		if err := checkProxiedAddr(a); err != nil {
			bad("web.http_addr", "%q %v", a, err)
		} else if len(c.Web.TrustedProxies) == 0 {
			bad("web.trusted_proxies", "must list the web server's address in proxied mode (127.0.0.1 for one on this host): "+
				"otherwise every player would be seen as the web server, by the game, the audit log and the limits")
		}
	}
	if c.TLS.Mode == "acme" {
		bad("tls.mode", "acme is not available in proxied mode: the web server in front has the certificates")
	}
	if len(c.Web.ProxyProtocolFrom) > 0 {
		bad("web.proxy_protocol_from", "is not used in proxied mode: the web server names the player in web.proxy_header")
	}
	if c.Web.SocketGroup != "" && !strings.HasPrefix(a, unixPrefix) {
		bad("web.socket_group", "is only for a Unix socket in web.http_addr (unix:PATH)")
	}
	if c.Web.ClientCAFile != "" {
		bad("web.client_ca_file", "is not available in proxied mode: the web server in front checks client certificates")
	}
	if c.Telnets.Addr != "" && c.TLSMode() == "off" {
		bad("telnets.addr", "needs a certificate: in proxied mode set tls.mode to files (the web server's certificate and key) or self-signed")
	}
	return false
}

// checkProxiedAddr accepts host:port for proxied mode's plain-HTTP
// listener: a loopback or private address, never every interface or a
// public one, since what it serves is plain HTTP that trusts headers.
func checkProxiedAddr(a string) error {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return errors.New("is neither host:port nor unix:/path/to/socket")
	}
	if _, err := net.LookupPort("tcp", port); err != nil || port == "" {
		return errors.New("has no valid port")
	}
	if host == "localhost" {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	switch {
	case err != nil:
		return errors.New("needs an IP address (127.0.0.1) or unix:/path/to/socket")
	case ip.IsUnspecified():
		return errors.New("listens on every interface: plain HTTP behind a web server belongs on loopback (127.0.0.1), a private address or a Unix socket")
	case !ip.IsLoopback() && !ip.IsPrivate() && !ip.IsLinkLocalUnicast():
		return errors.New("is a public address: plain HTTP behind a web server belongs on loopback (127.0.0.1), a private address or a Unix socket")
	}
	return nil
}

// lookupGroup returns the gid of group, a name or a number.
func lookupGroup(group string) (int, error) {
	if gid, err := strconv.Atoi(group); err == nil && gid >= 0 {
		return gid, nil
	}
	g, err := user.LookupGroup(group)
	if err != nil {
		return 0, fmt.Errorf("no group %q on this host", group)
	}
	return strconv.Atoi(g.Gid)
}

// listenWeb opens proxied mode's listener: TCP, or a Unix socket for
// "unix:PATH". A socket file left by a gateway that did not stop cleanly
// is replaced; one another process still listens on is not. The socket
// is mode 0660 with group (web.socket_group, the web server's): whoever
// connects to it is believed about the player's address, so no other
// local user may.
func listenWeb(setting, addr, group string) (net.Listener, error) {
	path, ok := strings.CutPrefix(addr, unixPrefix)
	if !ok {
		return listen(setting, addr)
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode().Type() != fs.ModeSocket {
			return nil, fmt.Errorf("%s: %s exists and is not a socket", setting, path)
		}
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			return nil, fmt.Errorf("%s: another process listens on %s", setting, path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("%s: remove the stale socket: %w", setting, err)
		}
	}
	gid, err := lookupGroup(group)
	if err != nil {
		return nil, fmt.Errorf("web.socket_group: %w", err)
	}
	// Under the unit (UMask=0077) the socket is made 0600, and opened to
	// the group only below.
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("%s: listen on %s: %w", setting, path, err)
	}
	if err := os.Chown(path, -1, gid); err != nil {
		ln.Close()
		return nil, fmt.Errorf("web.socket_group: give %s to group %s: %w (the service must be a member: SupplementaryGroups= in the unit)", path, group, err)
	}
	if err := os.Chmod(path, 0o660); err != nil {
		ln.Close()
		return nil, fmt.Errorf("%s: %w", setting, err)
	}
	return ln, nil
}
