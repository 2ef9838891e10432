package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/shared/wire"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func testConfig(t *testing.T) Config {
	cfg := Default()
	cfg.Web.HTTPSAddr, cfg.Web.HTTPAddr, cfg.Game.DemoAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.Admin.Addr = "127.0.0.1:0"
	cfg.StateDir = t.TempDir()
	cfg.ShutdownTimeout = 5 * time.Second
	return cfg
}

func start(t *testing.T, cfg Config) (*Gateway, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	g, err := Start(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := g.Wait(); err != nil {
			t.Errorf("Wait: %v", err)
		}
	})
	return g, cancel
}

func client(g *Gateway) *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(g.Certificate("localhost"))
	return &http.Client{
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// player registers an account and returns a client carrying its session
// cookie, as a browser would.
func player(t *testing.T, g *Gateway, name string) *http.Client {
	t.Helper()
	c := client(g)
	c.Jar, _ = cookiejar.New(nil)
	body := strings.NewReader(`{"name":"` + name + `","password":"correct horse battery staple"}`)
	resp, err := c.Post("https://localhost:"+port(g.HTTPSAddr())+"/api/register", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("register %s: %s", name, resp.Status)
	}
	return c
}

func port(a net.Addr) string {
	_, p, _ := net.SplitHostPort(a.String())
	return p
}

func TestServesHTTPSAndRedirects(t *testing.T) {
	g, _ := start(t, testConfig(t))
	c := client(g)
	defer c.CloseIdleConnections()

	resp, err := c.Get("https://localhost:" + port(g.HTTPSAddr()) + "/")
	if err != nil {
		t.Fatalf("GET over TLS: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Proto != "HTTP/2.0" || resp.TLS.Version < tls.VersionTLS12 {
		t.Fatalf("got %d %s TLS %x, want 200 over HTTP/2 and TLS 1.2+", resp.StatusCode, resp.Proto, resp.TLS.Version)
	}
	resp, err = c.Get("http://localhost:" + port(g.HTTPAddr()) + "/a/b?c=d")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := "https://localhost:" + port(g.HTTPSAddr()) + "/a/b?c=d"; resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != want {
		t.Fatalf("redirect %d to %q, want 308 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
}

// A player's session through the real gateway to the demo game, without
// a browser: login with the password masked, a command, and the goodbye
// when the gateway shuts down.
func TestSessionThroughGatewayToDemo(t *testing.T) {
	g, stop := start(t, testConfig(t))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	u := "wss://localhost:" + port(g.HTTPSAddr()) + "/ws"
	ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{
		Subprotocols: []string{wire.Subprotocol},
		HTTPClient:   player(t, g, "Wanderer"),
	})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer ws.CloseNow()

	var screen strings.Builder
	masked := false
	until := func(text string) {
		t.Helper()
		for !strings.Contains(screen.String(), text) {
			_, b, err := ws.Read(ctx)
			if err != nil {
				t.Fatalf("waiting for %q: %v\nscreen: %q", text, err, screen.String())
			}
			f, err := wire.Decode(b)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			switch f.Type {
			case wire.TypeOutput:
				screen.Write(f.Data)
			case wire.TypeEcho:
				masked = f.Echo
			}
		}
	}
	send := func(line string) {
		t.Helper()
		b, _ := wire.Append(nil, &wire.Frame{Type: wire.TypeLine, Data: []byte(line)})
		if err := ws.Write(ctx, websocket.MessageBinary, b); err != nil {
			t.Fatal(err)
		}
	}
	until("What is your name?")
	send("Wanderer")
	until("Password:")
	if !masked {
		t.Fatal("password prompt without echo frame: input would show")
	}
	send("a long enough secret")
	until("Welcome to the castle")
	if masked {
		t.Fatal("input still masked after login")
	}
	send("look")
	until("Exits:")
	if n := g.Players(); n != 1 {
		t.Fatalf("Players() = %d, want 1", n)
	}

	stop()
	for {
		_, b, err := ws.Read(ctx)
		if err != nil {
			if got := websocket.CloseStatus(err); got != websocket.StatusGoingAway {
				t.Fatalf("closed with %v, want going away", got)
			}
			break
		}
		if f, _ := wire.Decode(b); f.Type == wire.TypeStatus && f.Status != wire.StatusGatewayRestarting {
			t.Fatalf("status %v during shutdown", f.Status)
		}
	}
}

func TestStartErrorsAreClear(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cfg := testConfig(t)
	cfg.Web.HTTPSAddr = busy.Addr().String()
	_, err = Start(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "web.https_addr: listen on "+busy.Addr().String()) {
		t.Fatalf("got %v, want an error naming the https listener", err)
	}

	cfg = testConfig(t)
	cfg.StateDir = ""
	if _, err := Start(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "state_dir") {
		t.Fatalf("got %v, want the invalid setting named", err)
	}
}

// A player who takes no goodbye cannot hold the gateway past its shutdown
// timeout.
func TestShutdownTimeoutCutsStuckPlayers(t *testing.T) {
	cfg := testConfig(t)
	cfg.ShutdownTimeout = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	g, err := Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer dcancel()
	ws, _, err := websocket.Dial(dctx, "wss://localhost:"+port(g.HTTPSAddr())+"/ws", &websocket.DialOptions{
		Subprotocols: []string{wire.Subprotocol},
		HTTPClient:   player(t, g, "Stuck"),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	for g.Players() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	// The player now reads nothing: neither the goodbye nor the close.
	start := time.Now()
	cancel()
	if err := g.Wait(); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("shutdown took %v with a 300ms timeout", d)
	}
	if n := g.Players(); n != 0 {
		t.Fatalf("%d players left after shutdown", n)
	}
}

func TestACMECacheDirPerServer(t *testing.T) {
	tests := map[string]string{
		"https://acme-v02.api.letsencrypt.org/directory":         "/s/acme/acme-v02.api.letsencrypt.org_directory",
		"https://acme-staging-v02.api.letsencrypt.org/directory": "/s/acme/acme-staging-v02.api.letsencrypt.org_directory",
		"https://127.0.0.1:14000/dir":                            "/s/acme/127.0.0.1_14000_dir",
	}
	for url, want := range tests {
		if got := acmeCacheDir("/s", url); got != want {
			t.Errorf("acmeCacheDir(%q) = %q, want %q", url, got, want)
		}
	}
}
