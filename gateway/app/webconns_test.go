package app

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/drawbridge/drawbridge/gateway/internal/web"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// getFrom asks the gateway for / on a new TLS connection from local
// address from, and leaves the connection open. It returns the status and
// the body.
func getFrom(t *testing.T, g *Gateway, from string) (int, string) {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(g.Certificate("localhost"))
	d := &net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := tls.DialWithDialer(d, "tcp", g.HTTPSAddr().String(), &tls.Config{RootCAs: pool, ServerName: "localhost", NextProtos: []string{"http/1.1"}})
	if err != nil {
		if from != "127.0.0.1" {
			t.Skipf("cannot connect from %s here: %v", from, err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET / from %s: %v", from, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if len(body) > 120 {
		body = append(body[:120], "..."...) // a page, in a failure message
	}
	return resp.StatusCode, string(body)
}

// web.max_conns_per_addr through the whole gateway: a logged-in player's
// WebSocket does not count, the connection past the cap is told why, the
// admin listener counts it, and another address still gets in.
func TestWebConnCap(t *testing.T) {
	cfg := testConfig(t)
	cfg.Web.MaxConnsPerAddr = 1
	logs := &syncBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	g, _ := start(t, cfg)

	grant, err := g.accounts.Register(context.Background(), account.RegisterRequest{
		Client: account.Client{Addr: "127.0.0.1"}, Name: "Capped", Password: "correct horse battery staple"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "wss://localhost:"+port(g.HTTPSAddr())+"/ws", &websocket.DialOptions{
		Subprotocols: []string{wire.Subprotocol},
		HTTPClient:   client(g),
		HTTPHeader:   http.Header{"Cookie": {web.CookieName + "=" + grant.Token}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	readUntil(ctx, t, ws, "What is your name?")

	if code, body := getFrom(t, g, "127.0.0.1"); code != http.StatusOK {
		t.Fatalf("first page load beside a playing player: %d %q, want the page (the player's WebSocket must not count)", code, body)
	}
	if code, body := getFrom(t, g, "127.0.0.1"); code != http.StatusTooManyRequests || !strings.Contains(body, web.MsgTooManyConns) {
		t.Fatalf("a connection past web.max_conns_per_addr: %d %q, want 429 %q", code, body, web.MsgTooManyConns)
	}

	resp, err := http.Get("http://" + g.AdminAddr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`drawbridge_web_connections_refused_total{how="told"} 1`,
		`drawbridge_web_connections_refused_total{how="dropped"} 0`,
		"drawbridge_web_preauth_connections 1",
		"drawbridge_web_addresses_refused 1",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if !strings.Contains(logs.String(), "refusing connections from an address") {
		t.Errorf("no log line about refusing 127.0.0.1:\n%s", logs)
	}
	if code, body := getFrom(t, g, "127.0.0.2"); code != http.StatusOK {
		t.Fatalf("another address: %d %q, want the page", code, body)
	}
}
