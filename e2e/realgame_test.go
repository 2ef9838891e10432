package e2e

import (
	"context"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/gateway/app"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// startTinyMUX runs Debian's TinyMUX (package tinymux, a MUSH server nobody
// here wrote) on a loopback port, from a fresh copy of its stock game,
// and returns its address.
func startTinyMUX(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/games/tinymux-install"); err != nil {
		t.Fatal("TinyMUX is not installed: apt-get install tinymux (.ci/run does)")
	}
	dir := t.TempDir()
	install := exec.Command("/usr/games/tinymux-install")
	install.Dir = dir
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("tinymux-install: %v\n%s", err, out)
	}
	game := filepath.Join(dir, "tinymux", "game")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	conf := filepath.Join(game, "netmux.conf")
	b, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	b = regexp.MustCompile(`(?m)^port \d+`).ReplaceAll(b, []byte("port "+port))
	if err := os.WriteFile(conf, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("./bin/netmux", "-c", "netmux.conf", "-p", "netmux.pid", "-e", ".")
	cmd.Dir = game
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH=./bin")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("TinyMUX did not listen on %s: %v", addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// wsPlayer is a player speaking the wire to the gateway from Go.
type wsPlayer struct {
	t      *testing.T
	ws     *websocket.Conn
	text   strings.Builder
	echo   []bool        // the Echo frames received, in order
	status []wire.Status // the Status frames received, in order
}

// guestPlayer gets a guest session and opens /ws with it.
func guestPlayer(t *testing.T, gw *gateway) *wsPlayer {
	t.Helper()
	return guestPlayerWith(t, gw, nil)
}

// guestPlayerWith is guestPlayer with extra headers on both requests, such
// as the X-Forwarded-For of a trusted proxy.
func guestPlayerWith(t *testing.T, gw *gateway, header http.Header) *wsPlayer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	jar, _ := cookiejar.New(nil)
	origin := strings.TrimSuffix(gw.URL("/"), "/")
	hc := &http.Client{Jar: jar, Transport: &http.Transport{TLSClientConfig: gw.tlsConfig(t)}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, origin+"/api/guest", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", origin)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST /api/guest: %d", resp.StatusCode)
	}
	wsHeader := http.Header{"Origin": {origin}}
	for k, v := range header {
		wsHeader[k] = v
	}
	ws, _, err := websocket.Dial(ctx, strings.Replace(gw.URL("/ws"), "https://", "wss://", 1), &websocket.DialOptions{
		HTTPClient:   hc,
		Subprotocols: []string{wire.Subprotocol},
		HTTPHeader:   wsHeader,
	})
	if err != nil {
		t.Fatalf("dial /ws: %v", err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return &wsPlayer{t: t, ws: ws}
}

func (p *wsPlayer) send(f wire.Frame) {
	p.t.Helper()
	b, err := wire.Append(nil, &f)
	if err != nil {
		p.t.Fatal(err)
	}
	if err := p.ws.Write(context.Background(), websocket.MessageBinary, b); err != nil {
		p.t.Fatalf("send: %v", err)
	}
}

// waitFor reads output until re matches it, and returns the match.
func (p *wsPlayer) waitFor(re *regexp.Regexp) []string {
	p.t.Helper()
	var m []string
	p.until(re.String(), func() bool {
		m = re.FindStringSubmatch(p.text.String())
		return m != nil
	})
	return m
}

// until reads frames until done reports true, for at most 20 seconds.
func (p *wsPlayer) until(what string, done func() bool) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for !done() {
		_, b, err := p.ws.Read(ctx)
		if err != nil {
			p.t.Fatalf("waiting for %s: %v\noutput so far:\n%s", what, err, p.text.String())
		}
		f, err := wire.Decode(b)
		if err != nil {
			continue
		}
		switch f.Type {
		case wire.TypeOutput:
			p.text.Write(f.Data)
		case wire.TypeEcho:
			p.echo = append(p.echo, f.Echo)
		case wire.TypeStatus:
			p.status = append(p.status, f.Status)
		}
	}
}

// TestTinyMUXThroughTheGateway plays Debian's TinyMUX through the gateway:
// its negotiation completes, its output arrives, input works, and the
// game sees what the gateway told it: the window size (NAWS), the client
// (TTYPE/MTTS) and UTF-8 (CHARSET) in its own terminfo() and width()
// functions.
func TestTinyMUXThroughTheGateway(t *testing.T) {
	t.Parallel()
	mux := startTinyMUX(t)
	gw := startGateway(t, false, func(c *app.Config) {
		c.Game.Backend = mux
		c.Accounts.AllowGuests = true
	})
	p := guestPlayer(t, gw)
	p.send(wire.Frame{Type: wire.TypeResize, Cols: 132, Rows: 40})
	p.waitFor(regexp.MustCompile(`Welcome to TinyMUX`))
	p.send(wire.Frame{Type: wire.TypeLine, Data: []byte("connect wizard potrzebie")})
	p.waitFor(regexp.MustCompile(`Last connect was from`))
	p.send(wire.Frame{Type: wire.TypeLine, Data: []byte("think [setq(0,terminfo(me))]T<%q0> W<[width(me)]> H<[height(me)]>")})
	m := p.waitFor(regexp.MustCompile(`T<([^>]*)> W<(\d+)> H<(\d+)>`))
	t.Logf("TinyMUX's terminfo(me): %q, width %s, height %s", m[1], m[2], m[3])
	if !strings.Contains(strings.ToUpper(m[1]), "DRAWBRIDGE") {
		t.Errorf("TinyMUX's terminfo(me) is %q, want the client name from TTYPE", m[1])
	}
	if !strings.Contains(m[1], "unicode") {
		t.Errorf("TinyMUX's terminfo(me) is %q, want unicode: the gateway accepted UTF-8 over CHARSET", m[1])
	}
	if m[2] != "132" || m[3] != "40" {
		t.Errorf("TinyMUX sees a %sx%s window, want the player's 132x40 from NAWS", m[2], m[3])
	}
	p.send(wire.Frame{Type: wire.TypeLine, Data: []byte("say Hello from the web")})
	// With UTF-8 agreed, TinyMUX quotes speech with curly quotes: they
	// arrive as UTF-8.
	p.waitFor(regexp.MustCompile(`You say, “Hello from the web”`))
	p.send(wire.Frame{Type: wire.TypeLine, Data: []byte("QUIT")})
	p.waitFor(regexp.MustCompile(`Disconnected`))
}
