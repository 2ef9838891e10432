package app

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// Proxied mode's settings are checked with messages that name the
// setting and say what to do instead.
func TestValidateProxied(t *testing.T) {
	proxied := func(c *Config) {
		c.Web.Mode = "proxied"
		c.Web.TrustedProxies = []string{"127.0.0.1"}
	}
	checkValidate(t, []validateCase{
		{"defaults", proxied, ""},
		{"under a base path, with domains for the log", func(c *Config) {
			proxied(c)
			c.Web.BasePath, c.Web.Domains = "/play/", []string{"play.example.org"}
		}, ""},
		{"unix socket", func(c *Config) {
			c.Web.Mode, c.Web.HTTPAddr, c.Web.SocketGroup = "proxied", "unix:/run/drawbridge/http.sock", "0"
		}, ""},
		{"unix socket without its group", func(c *Config) {
			c.Web.Mode, c.Web.HTTPAddr = "proxied", "unix:/run/drawbridge/http.sock"
		}, "web.socket_group: must name the web server's group"},
		{"unix socket, no such group", func(c *Config) {
			c.Web.Mode, c.Web.HTTPAddr, c.Web.SocketGroup = "proxied", "unix:/run/drawbridge/http.sock", "no-such-group-here"
		}, `web.socket_group: no group "no-such-group-here" on this host`},
		{"socket group over TCP", func(c *Config) { proxied(c); c.Web.SocketGroup = "0" }, "web.socket_group: is only for a Unix socket"},
		{"relative unix socket", func(c *Config) { proxied(c); c.Web.HTTPAddr = "unix:http.sock" }, "web.http_addr: \"unix:http.sock\": the Unix socket's path must be absolute"},
		{"private address", func(c *Config) { proxied(c); c.Web.HTTPAddr = "10.0.0.2:8080" }, ""},
		{"every interface", func(c *Config) { proxied(c); c.Web.HTTPAddr = ":8080" }, "web.http_addr: \":8080\" needs an IP address"},
		{"unspecified", func(c *Config) { proxied(c); c.Web.HTTPAddr = "0.0.0.0:8080" }, "listens on every interface"},
		{"public", func(c *Config) { proxied(c); c.Web.HTTPAddr = "192.0.2.10:8080" }, "is a public address"},
		{"off", func(c *Config) { proxied(c); c.Web.HTTPAddr = "off" }, "web.http_addr: cannot be off in proxied mode"},
		{"no trusted proxy over TCP", func(c *Config) { c.Web.Mode = "proxied" }, "web.trusted_proxies: must list the web server's address"},
		{"https_addr", func(c *Config) { proxied(c); c.Web.HTTPSAddr = ":443" }, "web.https_addr: is not used in proxied mode"},
		{"acme", func(c *Config) { proxied(c); c.TLS.Mode = "acme"; c.Web.Domains = []string{"play.example.org"} }, "tls.mode: acme is not available in proxied mode"},
		{"PROXY protocol", func(c *Config) { proxied(c); c.Web.ProxyProtocolFrom = []string{"127.0.0.1"} }, "web.proxy_protocol_from: is not used in proxied mode"},
		{"telnets without a certificate", func(c *Config) { proxied(c); c.Telnets.Addr = "127.0.0.1:0" }, "telnets.addr: needs a certificate"},
		{"telnets with a self-signed one", func(c *Config) {
			proxied(c)
			c.Telnets.Addr, c.TLS.Mode = "127.0.0.1:0", "self-signed"
		}, ""},
		{"bad mode", func(c *Config) { c.Web.Mode = "behind" }, `web.mode: "behind" is not one of direct, proxied`},
		{"bad base path", func(c *Config) { c.Web.BasePath = "/play" }, `web.base_path: "/play" must start and end with /`},
		{"bad proxy header", func(c *Config) { c.Web.ProxyHeader = "x-real-ip" }, "web.proxy_header:"},
		{"forwarded", func(c *Config) { proxied(c); c.Web.ProxyHeader = "forwarded" }, ""},
	})
}

// TestProxiedOnUnixSocket runs the real gateway behind a "web server"
// that reaches it on a Unix socket under /play/: no HTTPS listener and no
// certificate, the site in plain HTTP under the prefix, the player's
// address from X-Forwarded-For in the audit trail and at the game (the
// PROXY header the gateway sends it), the https page's WebSocket
// accepted on the scheme the proxy reports, and the socket file gone
// after shutdown.
func TestProxiedOnUnixSocket(t *testing.T) {
	caFile, cert := gameCA(t)
	game := proxyTLSGame(t, cert)
	cfg := testConfig(t)
	cfg.Web.Mode, cfg.Web.BasePath, cfg.Web.HTTPSAddr = "proxied", "/play/", ""
	sock := filepath.Join(t.TempDir(), "http.sock")
	cfg.Web.HTTPAddr, cfg.Web.SocketGroup = "unix:"+sock, strconv.Itoa(os.Getgid())
	cfg.Game.Backend, cfg.Game.ProxyProtocol, cfg.Game.TLS, cfg.Game.TLSCAFile = game.Addr().String(), "v2", true, caFile
	logs := &syncBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	g, cancel := start(t, cfg)
	if g.HTTPSAddr() != nil || g.Certificate("localhost") != nil {
		t.Fatalf("proxied mode opened HTTPS on %v or has a certificate", g.HTTPSAddr())
	}
	waitLog(t, logs, "gateway ready", "mode=proxied", "certificates=off")
	// SIGHUP and logrotate reach a proxied gateway too: there are no
	// certificates to read again, and the reload must still work.
	if _, err := g.Reload(); err != nil {
		t.Fatalf("reload in proxied mode: %v", err)
	}

	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	c.Jar, _ = cookiejar.New(nil)
	do := func(method, path, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, "http://play.example"+path, strings.NewReader(body))
		req.Header.Set("X-Forwarded-For", "6.6.6.6, 203.0.113.7")
		req.Header.Set("X-Forwarded-Proto", "https")
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if resp := do("GET", "/play/", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /play/: %s", resp.Status)
	}
	if resp := do("GET", "/", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET / outside the base path: %s, want 404", resp.Status)
	}
	resp := do("POST", "/play/api/register", `{"name":"Proxied","password":"correct horse battery staple"}`)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %s", resp.Status)
	}
	// The cookie is the browser's: Secure, __Host-, Path=/.
	if sc := resp.Header.Values("Set-Cookie"); len(sc) == 0 || !strings.Contains(sc[0], "Path=/;") || !strings.Contains(sc[0], "Secure") {
		t.Errorf("session cookie %q, want Path=/ and Secure", sc)
	}
	waitLog(t, logs, "component=audit", "name=Proxied", "addr=203.0.113.7")

	ctx, stop := context.WithTimeout(context.Background(), 20*time.Second)
	defer stop()
	// The jar holds the Secure cookie for https only: send it by hand, as
	// the web server passes the browser's on.
	u, _ := http.NewRequest("GET", "https://play.example/", nil)
	hdr := http.Header{"Origin": {"https://play.example"}, "X-Forwarded-For": {"203.0.113.7"}, "X-Forwarded-Proto": {"https"}}
	for _, ck := range c.Jar.Cookies(u.URL) {
		hdr.Add("Cookie", ck.Name+"="+ck.Value)
	}
	ws, _, err := websocket.Dial(ctx, "ws://play.example/play/ws", &websocket.DialOptions{
		HTTPClient: c, Subprotocols: []string{wire.Subprotocol}, HTTPHeader: hdr,
	})
	if err != nil {
		t.Fatalf("websocket through the socket: %v\n%s", err, logs)
	}
	defer ws.CloseNow()
	screen := readOutput(ctx, t, ws, "\r\n")
	if got := screen; !strings.HasPrefix(got, "Hello PROXY 203.0.113.7:") {
		t.Errorf("the game greeted the web player with %q, want their address 203.0.113.7", got)
	}
	ws.Close(websocket.StatusNormalClosure, "")

	cancel()
	if err := g.Wait(); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("socket %s left behind after shutdown: %v", sock, err)
	}
}

// A socket file left by a gateway that did not stop cleanly is replaced;
// one that another process listens on, or a file that is not a socket,
// is refused with the path named.
func TestListenWebUnix(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "stale.sock")
	ln, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	group := strconv.Itoa(os.Getgid())
	ln, err = listenWeb("web.http_addr", "unix:"+stale, group)
	if err != nil {
		t.Fatalf("over a stale socket: %v", err)
	}
	defer ln.Close()
	// Only the web server's group may connect: whoever does is believed
	// about the player's address.
	fi, err := os.Stat(stale)
	if err != nil || fi.Mode().Perm() != 0o660 {
		t.Errorf("socket mode %v (%v), want 0660", fi.Mode(), err)
	} else if gid := fi.Sys().(*syscall.Stat_t).Gid; int(gid) != os.Getgid() {
		t.Errorf("socket group %d, want %s", gid, group)
	}
	if _, err := listenWeb("web.http_addr", "unix:"+stale, group); err == nil || !strings.Contains(err.Error(), "another process listens on "+stale) {
		t.Errorf("over a live socket: %v", err)
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := listenWeb("web.http_addr", "unix:"+file, group); err == nil || !strings.Contains(err.Error(), file+" exists and is not a socket") {
		t.Errorf("over a regular file: %v", err)
	}
}
