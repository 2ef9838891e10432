package web

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/drawbridge/drawbridge/gateway/internal/account/accounttest"
	"github.com/drawbridge/drawbridge/gateway/internal/proxyproto"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// capRig is a web server on a real TLS listener on 127.0.0.1 under the
// cap on connections before login, with accounts and a bridge that holds
// its players.
type capRig struct {
	t      *testing.T
	web    *Server
	srv    *httptest.Server
	svc    *account.Service
	bridge *holdingBridge
	logs   *syncBuffer
	proxy  bool // the listener reads PROXY headers from 127.0.0.1
}

func newCapRig(t *testing.T, cfg Config, proxy bool) *capRig {
	t.Helper()
	r := &capRig{t: t, bridge: newHoldingBridge(t), logs: &syncBuffer{}, proxy: proxy}
	var err error
	if r.svc, err = account.New(account.Config{Store: accounttest.NewMemStore(), Hash: account.MinHashParams()}); err != nil {
		t.Fatal(err)
	}
	cfg.Static = fstest.MapFS{"index.html": {Data: []byte("door")}}
	cfg.Bridge, cfg.Accounts = r.bridge, r.svc
	cfg.Logger = slog.New(slog.NewTextHandler(r.logs, nil))
	if r.web, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	// Long enough that no refused connection is let go while a test on a
	// busy machine still counts on it.
	if r.web.conns != nil {
		r.web.conns.refuseT = 5 * time.Minute
	}
	r.srv = httptest.NewUnstartedServer(r.web)
	ln := r.srv.Listener
	if proxy {
		ln = &proxyproto.Listener{Listener: ln, Trusted: proxyproto.TrustPrefixes(netip.MustParsePrefix("127.0.0.1/32"))}
	}
	r.srv.Listener = r.web.LimitConns(r.srv.Config, ln)
	r.srv.StartTLS()
	t.Cleanup(r.srv.Close)
	return r
}

// conn opens a TLS connection from local address from (127.0.0.1,
// 127.0.0.2, ...: all loopback on Linux) and completes the handshake,
// which the server does only after it has admitted or refused the
// connection. A non-empty client is sent first in a PROXY header, as a
// balancer would. It returns the handshake's error.
func (r *capRig) conn(from, client string) (*tls.Conn, error) {
	r.t.Helper()
	d := net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	nc, err := d.Dial("tcp", r.srv.Listener.Addr().String())
	if err != nil {
		if from != "127.0.0.1" {
			r.t.Skipf("cannot connect from %s here: %v", from, err)
		}
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { nc.Close() })
	if client != "" {
		src := &net.TCPAddr{IP: net.ParseIP(client), Port: 40000}
		if _, err := nc.Write(proxyproto.AppendV1(nil, src, r.srv.Listener.Addr())); err != nil {
			r.t.Fatal(err)
		}
	}
	cfg := r.srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	cfg.ServerName, cfg.NextProtos = "127.0.0.1", []string{"http/1.1"}
	tc := tls.Client(nc, cfg)
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	return tc, tc.Handshake()
}

// idle opens a connection that is admitted and sends nothing.
func (r *capRig) idle(from, client string) *tls.Conn {
	r.t.Helper()
	c, err := r.conn(from, client)
	if err != nil {
		r.t.Fatalf("handshake from %s %s: %v", from, client, err)
	}
	return c
}

// get asks for / on a new connection and returns the status and body.
func (r *capRig) get(from, client string) (int, string) {
	r.t.Helper()
	c := r.idle(from, client)
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
		r.t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		r.t.Fatalf("GET / from %s %s: %v", from, client, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusTooManyRequests && !resp.Close {
		r.t.Errorf("a refused connection was kept open (no Connection: close)")
	}
	return resp.StatusCode, string(body)
}

// wantRefused asks for / and expects the 429 that says why.
func (r *capRig) wantRefused(from, client string) {
	r.t.Helper()
	if code, body := r.get(from, client); code != http.StatusTooManyRequests || !strings.Contains(body, MsgTooManyConns) {
		r.t.Fatalf("GET / from %s %s over the cap: %d %q, want 429 %q", from, client, code, body, MsgTooManyConns)
	}
}

func (r *capRig) wantServed(from, client string) {
	r.t.Helper()
	if code, body := r.get(from, client); code != http.StatusOK {
		r.t.Fatalf("GET / from %s %s: %d %q, want the page", from, client, code, body)
	}
}

func (r *capRig) stats(want ConnStats) {
	r.t.Helper()
	if got := r.web.ConnStats(); got != want {
		r.t.Fatalf("ConnStats %+v, want %+v", got, want)
	}
}

// From one address, connections past web.max_conns_per_addr are told why
// (429) and counted, with one log line however many there are, while
// another address still connects. A logged-in player's WebSocket does not
// count; one not yet logged in does.
func TestConnCapPerAddress(t *testing.T) {
	r := newCapRig(t, Config{MaxConnsPerAddr: 2}, false)

	g, err := r.svc.Register(context.Background(), account.RegisterRequest{Client: account.Client{Addr: "127.0.0.1"}, Name: "Ann", Password: "correct horse battery staple"})
	if err != nil {
		t.Fatal(err)
	}
	openWS(t, r.srv, g.Token, r.bridge)
	r.stats(ConnStats{}) // the player's WebSocket left the count when it was handed to the bridge

	r.idle("127.0.0.1", "")
	r.idle("127.0.0.1", "")
	r.stats(ConnStats{Open: 2})
	for range 3 {
		r.wantRefused("127.0.0.1", "")
	}
	// A WebSocket before its login is checked is such a connection too.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, "wss"+strings.TrimPrefix(r.srv.URL, "https")+"/ws", &websocket.DialOptions{
		Subprotocols: []string{wire.Subprotocol}, HTTPClient: r.srv.Client(), HTTPHeader: http.Header{"Origin": {r.srv.URL}}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a WebSocket over the cap: %v, %v; want 429", resp, err)
	}
	r.stats(ConnStats{Open: 2, AddrsRefused: 1, Told: 4})
	if n := strings.Count(r.logs.String(), "refusing connections from an address"); n != 1 {
		t.Fatalf("%d log lines about refusing 127.0.0.1, want one:\n%s", n, r.logs)
	}
	if !strings.Contains(r.logs.String(), "addr=127.0.0.1") {
		t.Fatalf("the log line does not name the address:\n%s", r.logs)
	}

	r.wantServed("127.0.0.2", "")
}

// Reverse proxies listed in TrustedProxies carry many players on their
// connections: those are not counted.
func TestConnCapExemptsTrustedProxies(t *testing.T) {
	r := newCapRig(t, Config{MaxConnsPerAddr: 1, TrustedProxies: []string{"127.0.0.1"}}, false)
	for range 3 {
		r.idle("127.0.0.1", "")
	}
	r.wantServed("127.0.0.1", "")
	r.stats(ConnStats{})
}

// Behind a load balancer that sends PROXY headers, the player's address
// the header names is what counts, grouped as everywhere (an IPv6 /64).
func TestConnCapCountsThePROXYHeadersAddress(t *testing.T) {
	r := newCapRig(t, Config{MaxConnsPerAddr: 1}, true)
	r.idle("127.0.0.1", "198.51.100.7")
	r.wantRefused("127.0.0.1", "198.51.100.7")
	r.wantServed("127.0.0.1", "198.51.100.8")

	r.idle("127.0.0.1", "2001:db8:1:2::1")
	r.wantRefused("127.0.0.1", "2001:db8:1:2::99")
	r.wantServed("127.0.0.1", "2001:db8:1:3::1")
	r.stats(ConnStats{Open: 4, AddrsRefused: 2, Told: 2}) // the served connections are kept alive
}

// In a flood, a bounded number of connections are told why; the rest are
// closed at once, and counted.
func TestConnCapDropsPastTheRefusalSlots(t *testing.T) {
	r := newCapRig(t, Config{MaxConnsPerAddr: 1}, false)
	r.idle("127.0.0.1", "")
	for range refuseSlots {
		r.idle("127.0.0.1", "") // being refused: the handshake goes through, to say why
	}
	if c, err := r.conn("127.0.0.1", ""); err == nil {
		c.Close()
		t.Fatal("a connection past the refusal slots completed its handshake")
	}
	r.stats(ConnStats{Open: 1, AddrsRefused: 1, Told: refuseSlots, Dropped: 1})
	if n := strings.Count(r.logs.String(), "refusing connections from an address"); n != 1 {
		t.Fatalf("%d log lines about refusing 127.0.0.1, want one", n)
	}
}
