package app

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/e2e/haproxy"
	"github.com/drawbridge/drawbridge/gateway/internal/proxyproto"
	"github.com/drawbridge/drawbridge/shared/wire"

	"github.com/drawbridge/drawbridge/e2e/netport"
)

// proxyGatewayConfig is a gateway in front of a game that reads a PROXY
// header and greets each connection with the address it names
// (proxyTLSGame), with telnets on, logging at debug into logs.
func proxyGatewayConfig(t *testing.T, from ...string) (Config, *syncBuffer) {
	t.Helper()
	caFile, cert := gameCA(t)
	game := proxyTLSGame(t, cert)
	cfg := testConfig(t)
	cfg.Game.Backend = game.Addr().String()
	cfg.Game.ProxyProtocol = "v2"
	cfg.Game.TLS = true
	cfg.Game.TLSCAFile = caFile
	cfg.Telnets.Addr = "127.0.0.1:0"
	cfg.Web.ProxyProtocolFrom = from
	cfg.Telnets.ProxyProtocolFrom = from
	logs := &syncBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return cfg, logs
}

// tcpAddr builds a *net.TCPAddr from "ip:port".
func tcpAddr(s string) *net.TCPAddr {
	return net.TCPAddrFromAddrPort(netip.MustParseAddrPort(s))
}

// writeHeader writes a version 2 PROXY header to c: a PROXY one from src
// to the address c is connected to, or a LOCAL one when src is nil.
func writeHeader(t *testing.T, c net.Conn, src net.Addr) {
	t.Helper()
	h := proxyproto.Header{Version: proxyproto.V2, Command: proxyproto.Local}
	if src != nil {
		h = proxyproto.Header{Version: proxyproto.V2, Command: proxyproto.Proxy, Source: src, Destination: c.RemoteAddr()}
	}
	b, err := h.Append(nil)
	if err != nil {
		t.Fatalf("encode header: %v", err)
	}
	if _, err := c.Write(b); err != nil {
		t.Fatalf("write header: %v", err)
	}
}

// headerClient is client(g) whose connections start with a version 2
// PROXY header naming src (LOCAL when src is nil), as a load balancer's
// do, and then TLS.
func headerClient(t *testing.T, g *Gateway, src net.Addr) *http.Client {
	c := client(g)
	c.Transport.(*http.Transport).DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		writeHeader(t, conn, src)
		return conn, nil
	}
	return c
}

// register creates an account through c, which then carries its session
// cookie.
func register(t *testing.T, g *Gateway, c *http.Client, name string) {
	t.Helper()
	c.Jar, _ = cookiejar.New(nil)
	body := strings.NewReader(`{"name":"` + name + `","password":"correct horse battery staple"}`)
	resp, err := c.Post("https://localhost:"+port(g.HTTPSAddr())+"/api/register", "application/json", body)
	if err != nil {
		t.Fatalf("register %s: %v", name, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("register %s: %s", name, resp.Status)
	}
}

// webGreeting opens the WebSocket as c's player and returns the first line
// the game sends: proxyTLSGame's "Hello PROXY <address>".
func webGreeting(t *testing.T, g *Gateway, c *http.Client) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "wss://localhost:"+port(g.HTTPSAddr())+"/ws", &websocket.DialOptions{
		Subprotocols: []string{wire.Subprotocol},
		HTTPClient:   c,
	})
	if err != nil {
		t.Fatalf("websocket: %v", err)
	}
	defer ws.CloseNow()
	line, _, _ := strings.Cut(readOutput(ctx, t, ws, "\r\n"), "\r\n")
	return line
}

// telnetsVia connects a classic client to the TLS telnet port at addr,
// sending a version 2 header naming src first unless hdr is false, and
// returns the TLS connection or the handshake's error.
func telnetsVia(t *testing.T, g *Gateway, addr string, hdr bool, src net.Addr) (*tls.Conn, error) {
	t.Helper()
	raw, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial telnets: %v", err)
	}
	t.Cleanup(func() { raw.Close() })
	if hdr {
		writeHeader(t, raw, src)
	}
	pool := x509.NewCertPool()
	pool.AddCert(g.Certificate("localhost"))
	tc := tls.Client(raw, &tls.Config{RootCAs: pool, ServerName: "localhost"})
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	if err := tc.Handshake(); err != nil {
		return nil, err
	}
	return tc, nil
}

// readLine reads one CRLF-terminated line.
func readLine(t *testing.T, c net.Conn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("read line: %v (got %q)", err, line)
	}
	return strings.TrimRight(line, "\r\n")
}

// waitLog waits for a log line that contains every one of parts.
func waitLog(t *testing.T, logs *syncBuffer, parts ...string) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		for _, line := range strings.Split(logs.String(), "\n") {
			if containsAll(line, parts...) {
				return line
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q in:\n%s", parts, logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// rawExchange connects to addr, writes what, and returns all the gateway
// answers before it closes the connection.
func rawExchange(t *testing.T, addr string, what ...[]byte) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, b := range what {
		if _, err := c.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	c.SetReadDeadline(time.Now().Add(15 * time.Second))
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("read from %s: %v (got %q)", addr, err, b)
	}
	return string(b)
}

// TestProxyProtocolFromTrustedBalancer runs the real gateway behind a
// "balancer" at 127.0.0.1 that sends version 2 headers, then TLS: the web
// (requests, the audit trail, the address the bridge forwards) and the
// telnets port see the player's address from the header, the plain-HTTP
// port takes the header too, a LOCAL header (a health check) is served as
// the balancer's own connection, and a connection that does not start
// with a valid header is refused and logged.
func TestProxyProtocolFromTrustedBalancer(t *testing.T) {
	cfg, logs := proxyGatewayConfig(t, "127.0.0.1")
	g, _ := start(t, cfg)
	waitLog(t, logs, "listener takes the player's address from PROXY headers", "listener=web.https_addr", "from=127.0.0.1")

	// A web player at 203.0.113.7, through the balancer.
	web := headerClient(t, g, tcpAddr("203.0.113.7:40000"))
	defer web.CloseIdleConnections()
	register(t, g, web, "Balanced")
	waitLog(t, logs, "component=audit", "name=Balanced", "addr=203.0.113.7")
	waitLog(t, logs, `msg="PROXY header"`, "listener=web.https_addr", "proxy=127.0.0.1:", "client=203.0.113.7:40000")
	if got := webGreeting(t, g, web); !strings.HasPrefix(got, "Hello PROXY 203.0.113.7:") {
		t.Errorf("the game greeted the web player with %q, want their address 203.0.113.7", got)
	}

	// A classic client at 203.0.113.8 on the telnets port.
	tc, err := telnetsVia(t, g, g.TelnetsAddr().String(), true, tcpAddr("203.0.113.8:40001"))
	if err != nil {
		t.Fatalf("telnets after a header: %v", err)
	}
	if got, want := readLine(t, tc), "Hello PROXY 203.0.113.8:40001"; got != want {
		t.Errorf("the game greeted the telnets client with %q, want %q", got, want)
	}

	// The plain-HTTP port: a version 1 header, then the request.
	resp := rawExchange(t, g.HTTPAddr().String(),
		proxyproto.AppendV1(nil, tcpAddr("203.0.113.9:40002"), g.HTTPAddr()),
		[]byte("GET /x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))
	if !strings.HasPrefix(resp, "HTTP/1.1 308") {
		t.Errorf("plain HTTP after a v1 header answered %q, want a 308 redirect", firstLine(resp))
	}
	waitLog(t, logs, `msg="PROXY header"`, "listener=web.http_addr", "client=203.0.113.9:40002")

	// A LOCAL header is the balancer's own connection (a health check):
	// served, under the balancer's address.
	local := headerClient(t, g, nil)
	defer local.CloseIdleConnections()
	r, err := local.Get("https://localhost:" + port(g.HTTPSAddr()) + "/")
	if err != nil {
		t.Fatalf("GET after a LOCAL header: %v", err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusOK {
		t.Errorf("GET after a LOCAL header: %s, want 200", r.Status)
	}
	waitLog(t, logs, "PROXY header: LOCAL", "listener=web.https_addr", "proxy=127.0.0.1:")
	tc, err = telnetsVia(t, g, g.TelnetsAddr().String(), true, nil)
	if err != nil {
		t.Fatalf("telnets after a LOCAL header: %v", err)
	}
	if got := readLine(t, tc); got != "Hello PROXY "+tc.LocalAddr().String() {
		t.Errorf("after a LOCAL header the game greeted %q, want the connection's own address %s", got, tc.LocalAddr())
	}

	// A header with a bad signature, and no header at all, from the
	// trusted address: refused, with a warning that says why.
	bad, _ := (proxyproto.Header{Version: proxyproto.V2, Command: proxyproto.Proxy,
		Source: tcpAddr("198.51.100.1:1"), Destination: g.HTTPSAddr()}).Append(nil)
	bad[5] ^= 0xff
	if got := rawExchange(t, g.HTTPSAddr().String(), bad, []byte("\x16\x03\x01")); got != "" {
		t.Errorf("after a bad signature the gateway answered %q, want the connection closed", got)
	}
	line := waitLog(t, logs, "level=WARN", "refused a connection from a trusted proxy", "listener=web.https_addr", "no PROXY protocol header")
	if strings.Contains(logs.String(), "198.51.100.1") {
		t.Errorf("the address in a bad header was used:\n%s", logs)
	}
	t.Logf("logged: %s", line)
	if _, err := telnetsVia(t, g, g.TelnetsAddr().String(), false, nil); err == nil {
		t.Error("telnets without a header from a trusted address: handshake succeeded, want it refused")
	}
	waitLog(t, logs, "level=WARN", "refused a connection from a trusted proxy", "listener=telnets.addr")
	// net/http answers a request it cannot read with a bare 400.
	if got := rawExchange(t, g.HTTPAddr().String(), []byte("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")); !strings.HasPrefix(got, "HTTP/1.1 400") {
		t.Errorf("plain HTTP without a header from a trusted address answered %q, want 400 and the connection closed", firstLine(got))
	}
	waitLog(t, logs, "level=WARN", "refused a connection from a trusted proxy", "listener=web.http_addr")
}

// TestProxyProtocolUntrustedPeerCannotSpoof checks that a peer not in
// proxy_protocol_from is served as before and that a header it sends is
// never believed: it is the start of the TLS handshake or of the HTTP
// request, and breaks them.
func TestProxyProtocolUntrustedPeerCannotSpoof(t *testing.T) {
	cfg, logs := proxyGatewayConfig(t, "10.0.0.5", "192.0.2.0/24")
	g, _ := start(t, cfg)
	spoof := tcpAddr("203.0.113.66:4242")

	c := headerClient(t, g, spoof)
	if resp, err := c.Get("https://localhost:" + port(g.HTTPSAddr()) + "/"); err == nil {
		resp.Body.Close()
		t.Fatalf("HTTPS after a header from an untrusted peer: %s, want the handshake to fail", resp.Status)
	}
	if _, err := telnetsVia(t, g, g.TelnetsAddr().String(), true, spoof); err == nil {
		t.Fatal("telnets after a header from an untrusted peer: handshake succeeded, want it to fail")
	}
	resp := rawExchange(t, g.HTTPAddr().String(),
		proxyproto.AppendV1(nil, spoof, g.HTTPAddr()),
		[]byte("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n"))
	if !strings.HasPrefix(resp, "HTTP/1.1 400") {
		t.Errorf("plain HTTP after a header from an untrusted peer answered %q, want 400", firstLine(resp))
	}

	// Without a header, as before: the connection's own address.
	web := player(t, g, "Direct")
	defer web.CloseIdleConnections()
	waitLog(t, logs, "component=audit", "name=Direct", "addr=127.0.0.1")
	if got := webGreeting(t, g, web); !strings.HasPrefix(got, "Hello PROXY 127.0.0.1:") {
		t.Errorf("the game greeted the web player with %q, want 127.0.0.1", got)
	}
	tc, err := telnetsVia(t, g, g.TelnetsAddr().String(), false, nil)
	if err != nil {
		t.Fatalf("telnets without a header: %v", err)
	}
	if got, want := readLine(t, tc), "Hello PROXY "+tc.LocalAddr().String(); got != want {
		t.Errorf("the game greeted the telnets client with %q, want %q", got, want)
	}
	if strings.Contains(logs.String(), "203.0.113.66") {
		t.Errorf("the spoofed address reached the logs:\n%s", logs)
	}
}

// TestProxyProtocolThroughHAProxy puts real HAProxy in front of the
// gateway, as deploy/multi-node.md does: TCP mode, TLS passed through,
// send-proxy-v2, health checks on the admin listener's /readyz for the web
// and TCP checks (which carry a LOCAL header) for telnets. The gateway
// must see each client's own address and source port, not HAProxy's.
func TestProxyProtocolThroughHAProxy(t *testing.T) {
	cfg, logs := proxyGatewayConfig(t, "127.0.0.1")
	g, _ := start(t, cfg)

	webFront, telnetsFront := freePort(t), freePort(t)
	conf := fmt.Sprintf(`global
    maxconn 256

defaults
    mode tcp
    timeout connect 5s
    timeout client 1m
    timeout server 1m
    timeout tunnel 1h

frontend web
    bind 127.0.0.1:%d
    default_backend web

backend web
    option httpchk GET /readyz
    server s1 127.0.0.1:%s send-proxy-v2 check port %s inter 200ms

frontend telnets
    bind 127.0.0.1:%d
    default_backend telnets

backend telnets
    server s1 127.0.0.1:%s send-proxy-v2 check inter 200ms
`, webFront, port(g.HTTPSAddr()), port(g.AdminAddr()), telnetsFront, port(g.TelnetsAddr()))
	haproxy.Start(t, conf)

	// HAProxy's TCP checks on the telnets port carry a LOCAL header: the
	// first one also says HAProxy is up.
	waitLog(t, logs, "PROXY header: LOCAL", "listener=telnets.addr")

	// A classic client through HAProxy: the game is told its address and
	// port, and the gateway logged HAProxy's connection under another port.
	telnetsAddr := fmt.Sprintf("127.0.0.1:%d", telnetsFront)
	tc, err := telnetsVia(t, g, telnetsAddr, false, nil)
	if err != nil {
		t.Fatalf("telnets through haproxy: %v", err)
	}
	me := tc.LocalAddr().String()
	if got := readLine(t, tc); got != "Hello PROXY "+me {
		t.Errorf("through haproxy the game greeted %q, want the client's own %s", got, me)
	}
	checkProxiedPort(t, waitLog(t, logs, `msg="PROXY header"`, "listener=telnets.addr", "client="+me+" "), me)

	// A web player through HAProxy, from 127.0.0.2 so that the address
	// too differs from HAProxy's 127.0.0.1.
	var mu sync.Mutex
	var mine []string
	web := client(g)
	web.Transport.(*http.Transport).DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
		c, err := d.DialContext(ctx, network, fmt.Sprintf("127.0.0.1:%d", webFront))
		if err == nil {
			mu.Lock()
			mine = append(mine, c.LocalAddr().String())
			mu.Unlock()
		}
		return c, err
	}
	defer web.CloseIdleConnections()
	register(t, g, web, "Balanced")
	waitLog(t, logs, "component=audit", "name=Balanced", "addr=127.0.0.2")
	mu.Lock()
	first := mine[0]
	mu.Unlock()
	checkProxiedPort(t, waitLog(t, logs, `msg="PROXY header"`, "listener=web.https_addr", "client="+first+" "), first)
	if got := webGreeting(t, g, web); !strings.HasPrefix(got, "Hello PROXY 127.0.0.2:") {
		t.Errorf("through haproxy the game greeted the web player with %q, want 127.0.0.2", got)
	}
	if strings.Contains(logs.String(), "level=WARN") && strings.Contains(logs.String(), "refused a connection from a trusted proxy") {
		t.Errorf("HAProxy's connections were refused:\n%s", logs)
	}
}

// TestExampleHAProxyConfig keeps deploy/haproxy.cfg, the example in
// deploy/multi-node.md, one that HAProxy accepts, with every node behind
// a PROXY header and health-checked, and the HTTPS nodes listed again as
// unchecked backups (for the first certificate, when no node is ready).
func TestExampleHAProxyConfig(t *testing.T) {
	path := filepath.Join("..", "..", "deploy", "haproxy.cfg")
	out, err := exec.Command(haproxy.Path(t), "-c", "-f", path).CombinedOutput()
	if err != nil {
		t.Fatalf("haproxy -c -f %s: %v\n%s", path, err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	servers, backups := 0, 0
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == "server" {
			if strings.HasSuffix(line, " backup") && containsAll(line, ":443 ", " send-proxy-v2") {
				backups++
				continue
			}
			servers++
			if !containsAll(line, " send-proxy-v2", " check port 6060") {
				t.Errorf("server line without send-proxy-v2 and the health check: %q", line)
			}
		}
	}
	if servers != 6 || backups != 2 {
		t.Errorf("%d checked server lines and %d backups, want two nodes in each of three backends and two HTTPS backups", servers, backups)
	}
}

// checkProxiedPort checks that a "PROXY header" log line names client as
// the client and a proxy connection with another source port.
func checkProxiedPort(t *testing.T, line, client string) {
	t.Helper()
	var proxy string
	for _, f := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(f, "proxy="); ok {
			proxy = v
		}
	}
	p, err := netip.ParseAddrPort(proxy)
	if err != nil {
		t.Fatalf("log line %q: proxy %q: %v", line, proxy, err)
	}
	c := netip.MustParseAddrPort(client)
	if p.Port() == c.Port() {
		t.Errorf("the gateway saw port %d from haproxy and the client alike: %s", p.Port(), line)
	}
	t.Logf("haproxy connected from %s for client %s", p, c)
}

// freePort returns a loopback TCP port nobody listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	p, err := netport.Free()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}

// TestProxyProtocolFromSettings loads the settings from a file and the
// environment and checks that Validate names every entry it cannot use.
func TestProxyProtocolFromSettings(t *testing.T) {
	path := writeFile(t, "p.toml", `
state_dir = "/srv/db"
[web]
proxy_protocol_from = ["10.0.0.5", "10.0.1.0/24"]
`)
	env := map[string]string{"DRAWBRIDGE_TELNETS_PROXY_PROTOCOL_FROM": "10.0.0.5, fd00:1::/64"}
	cfg, _, err := Load(path, environ(env))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := cfg.Web.ProxyProtocolFrom, []string{"10.0.0.5", "10.0.1.0/24"}; !slices.Equal(got, want) {
		t.Errorf("web.proxy_protocol_from = %q, want %q", got, want)
	}
	if got, want := cfg.Telnets.ProxyProtocolFrom, []string{"10.0.0.5", "fd00:1::/64"}; !slices.Equal(got, want) {
		t.Errorf("telnets.proxy_protocol_from = %q, want %q", got, want)
	}
	if !slices.Contains(Env(), "DRAWBRIDGE_WEB_PROXY_PROTOCOL_FROM") || !slices.Contains(Env(), "DRAWBRIDGE_TELNETS_PROXY_PROTOCOL_FROM") {
		t.Error("Env() lacks the proxy_protocol_from variables")
	}
	cfg.StateDir = t.TempDir()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}

	bad := Default()
	bad.StateDir = t.TempDir()
	bad.Web.ProxyProtocolFrom = []string{"10.0.0.5", "lb.internal", "10.0.0.0/33"}
	bad.Telnets.ProxyProtocolFrom = []string{"fe80::1%eth0", ""}
	err = bad.Validate()
	for _, want := range []string{
		`web.proxy_protocol_from: "lb.internal" is neither an IP address nor a CIDR range (host names are not resolved)`,
		`web.proxy_protocol_from: "10.0.0.0/33" is neither an IP address nor a CIDR range`,
		`telnets.proxy_protocol_from: "fe80::1%eth0" has a zone`,
		`telnets.proxy_protocol_from: "" is neither`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: got %v, want it to say %q", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), `"10.0.0.5"`) {
		t.Errorf("Validate refused a good entry: %v", err)
	}
}

func TestParseProxyEntry(t *testing.T) {
	tests := []struct{ in, want string }{
		{"10.0.0.5", "10.0.0.5/32"},
		{"10.0.1.7/24", "10.0.1.0/24"},
		{"2001:db8::1", "2001:db8::1/128"},
		{"2001:db8::/48", "2001:db8::/48"},
		{"::ffff:10.0.0.5", "10.0.0.5/32"},
		{"::ffff:10.0.0.0/104", "10.0.0.0/8"},
		{"0.0.0.0/0", "0.0.0.0/0"},
	}
	for _, tc := range tests {
		got, err := parseProxyEntry(tc.in)
		if err != nil || got.String() != tc.want {
			t.Errorf("parseProxyEntry(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "lb.internal", "10.0.0.5:80", "10.0.0.0/33", "fe80::1%eth0", "::ffff:0:0/64", "10.0.0.5/"} {
		if p, err := parseProxyEntry(in); err == nil {
			t.Errorf("parseProxyEntry(%q) = %v, want an error", in, p)
		}
	}
	// A peer trusted by an entry is trusted by the listener, in either
	// address form.
	p, _ := parseProxyEntry("10.0.1.0/24")
	trusted := proxyproto.TrustPrefixes(p)
	for addr, want := range map[string]bool{"10.0.1.9:1": true, "[::ffff:10.0.1.9]:1": true, "10.0.2.9:1": false} {
		if got := trusted(tcpAddr(addr)); got != want {
			t.Errorf("trusted(%s) = %v, want %v", addr, got, want)
		}
	}
}
