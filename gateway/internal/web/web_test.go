package web

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/gateway/internal/bridge"
	"github.com/drawbridge/drawbridge/shared/wire"
)

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// fakeBridge records the sessions it is given and echoes one frame.
type fakeBridge struct {
	served chan string
	ended  chan []string
}

func (f *fakeBridge) End(ids []string, why wire.LoginReason) int {
	if f.ended != nil {
		f.ended <- ids
	}
	return len(ids)
}

func (f *fakeBridge) Serve(p bridge.Player) error {
	ws := p.WS
	if p.Conn == nil {
		return errors.New("no hijacked connection")
	}
	f.served <- p.Addr
	b, _ := wire.Append(nil, &wire.Frame{Type: wire.TypeOutput, Data: []byte("hello")})
	ws.Write(context.Background(), websocket.MessageBinary, b)
	return ws.Close(websocket.StatusNormalClosure, "bye")
}

func newServer(t *testing.T) (*httptest.Server, *fakeBridge) {
	t.Helper()
	wasm := bytes.Repeat([]byte("\x00asm wasm"), 1000)
	files := fstest.MapFS{
		"index.html":          {Data: []byte("<!doctype html><title>x</title>")},
		"dist/client.wasm":    {Data: wasm},
		"dist/client.wasm.gz": {Data: gz(t, wasm)},
		"dist/.gitkeep":       {Data: []byte("hidden")},
	}
	fb := &fakeBridge{served: make(chan string, 1)}
	h, err := New(Config{Static: files, Bridge: fb, HSTS: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, fb
}

func get(t *testing.T, url string, header map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	tr := &http.Transport{DisableCompression: true}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestStaticFiles(t *testing.T) {
	srv, _ := newServer(t)

	resp := get(t, srv.URL+"/", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s, want the index page", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for h, want := range map[string]string{
		"Strict-Transport-Security": "max-age=63072000",
		"X-Content-Type-Options":    "nosniff",
		"X-Frame-Options":           "DENY",
		"Referrer-Policy":           "no-referrer",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "'wasm-unsafe-eval'") || strings.Contains(csp, "'unsafe-eval'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q: want wasm allowed, eval not, no framing", csp)
	}

	// The wasm is served compressed to browsers that accept it...
	resp = get(t, srv.URL+"/dist/client.wasm", map[string]string{"Accept-Encoding": "br, gzip"})
	body, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Content-Type") != "application/wasm" {
		t.Fatalf("wasm served as %q %q, want gzip application/wasm", resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Type"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.HasPrefix(plain, []byte("\x00asm")) {
		t.Fatal("gzip body does not inflate to the wasm")
	}
	etag := resp.Header.Get("ETag")

	// ...revalidated cheaply...
	resp = get(t, srv.URL+"/dist/client.wasm", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": etag})
	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("revalidation = %d, want 304", resp.StatusCode)
	}
	// ...and plain to those that do not.
	resp = get(t, srv.URL+"/dist/client.wasm", map[string]string{"Accept-Encoding": "gzip;q=0"})
	body, _ = io.ReadAll(resp.Body)
	if resp.Header.Get("Content-Encoding") != "" || !bytes.HasPrefix(body, []byte("\x00asm")) {
		t.Fatalf("wasm without gzip: encoding %q", resp.Header.Get("Content-Encoding"))
	}
	if resp.Header.Get("ETag") == etag {
		t.Fatal("plain and gzip bodies share an ETag")
	}

	for _, path := range []string{"/dist/.gitkeep", "/nope.js", "/dist/client.wasm.gz"} {
		if resp := get(t, srv.URL+path, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
}

func dialWS(srv *httptest.Server, origin string, protocols ...string) (*websocket.Conn, *http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	return websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", &websocket.DialOptions{Subprotocols: protocols, HTTPHeader: h})
}

func TestWebSocketUpgrade(t *testing.T) {
	srv, fb := newServer(t)
	ws, _, err := dialWS(srv, srv.URL, wire.Subprotocol)
	if err != nil {
		t.Fatalf("same-origin dial: %v", err)
	}
	defer ws.CloseNow()
	if ws.Subprotocol() != wire.Subprotocol {
		t.Fatalf("subprotocol %q, want %q", ws.Subprotocol(), wire.Subprotocol)
	}
	_, b, err := ws.Read(context.Background())
	if err != nil || string(b[1:]) != "hello" {
		t.Fatalf("read %q, %v: want the bridge's frame", b, err)
	}
	if peer := <-fb.served; !strings.HasPrefix(peer, "127.0.0.1") {
		t.Fatalf("bridge got player %q, want the peer address", peer)
	}
}

func TestWebSocketRefusesForeignOrigin(t *testing.T) {
	srv, fb := newServer(t)
	_, resp, err := dialWS(srv, "https://evil.example", wire.Subprotocol)
	if err == nil {
		t.Fatal("dial from a foreign origin succeeded")
	}
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("response %v, want 403", resp)
	}
	select {
	case p := <-fb.served:
		t.Fatalf("bridge served %s from a foreign origin", p)
	default:
	}
}

func TestWebSocketRefusesOtherSubprotocol(t *testing.T) {
	for _, protos := range [][]string{nil, {"drawbridge.v0"}} {
		srv, fb := newServer(t)
		ws, _, err := dialWS(srv, srv.URL, protos...)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		_, _, err = ws.Read(context.Background())
		if got := websocket.CloseStatus(err); got != websocket.StatusPolicyViolation {
			t.Fatalf("subprotocols %v: closed with %v (%v), want policy violation", protos, got, err)
		}
		ws.CloseNow()
		select {
		case p := <-fb.served:
			t.Fatalf("bridge served %s without the subprotocol", p)
		default:
		}
	}
}

func (f *fakeBridge) Start(p bridge.Player, done func(error)) {
	go func() { done(f.Serve(p)) }()
}

// echoFirstBridge sends the first message a player sends back to them.
type echoFirstBridge struct{}

func (echoFirstBridge) Start(p bridge.Player, done func(error)) {
	go func() {
		_, b, err := p.WS.Read(context.Background())
		if err == nil {
			err = p.WS.Write(context.Background(), websocket.MessageBinary, b)
		}
		p.WS.Close(websocket.StatusNormalClosure, "")
		done(err)
	}()
}

func (echoFirstBridge) End([]string, wire.LoginReason) int { return 0 }

// A client that speaks in the same packet as its upgrade request (the
// server reads both at once) loses nothing: the bytes the HTTP server had
// buffered reach the WebSocket.
func TestWebSocketKeepsBytesSentWithTheUpgrade(t *testing.T) {
	h, err := New(Config{Static: fstest.MapFS{"index.html": {Data: []byte("x")}}, Bridge: echoFirstBridge{}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	payload := []byte("\x44\x00\x00\x00\x10hello from a hasty client")
	mask := [4]byte{1, 2, 3, 4}
	frame := []byte{0x82, 0x80 | byte(len(payload)), mask[0], mask[1], mask[2], mask[3]}
	for i, b := range payload {
		frame = append(frame, b^mask[i%4])
	}
	req := "GET /ws HTTP/1.1\r\nHost: " + strings.TrimPrefix(srv.URL, "http://") + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: " + wire.Subprotocol + "\r\n\r\n"
	if _, err := c.Write(append([]byte(req), frame...)); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	hdr := make([]byte, 2)
	if _, err := io.ReadFull(br, hdr); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, hdr[1]&0x7f)
	if _, err := io.ReadFull(br, got); err != nil {
		t.Fatal(err)
	}
	if hdr[0] != 0x82 || !bytes.Equal(got, payload) {
		t.Fatalf("echoed frame %x %q, want the client's first frame back", hdr, got)
	}
}
