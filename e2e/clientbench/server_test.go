package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/shared/wire"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startServer serves a www directory laid out as `make wasm` leaves it:
// content-hashed files with brotli and gzip twins, and the manifest that
// maps the pages' logical names to them; and an xterm.js package.
func startServer(t *testing.T) (*server, string) {
	t.Helper()
	www := t.TempDir()
	mustWrite(t, filepath.Join(www, "play.html"), "<!doctype html><title>play</title>")
	mustWrite(t, filepath.Join(www, "dist", "manifest.json"),
		`{"client.wasm": "client.abc123.wasm", "wasm_exec.js": "wasm_exec.def456.js"}`)
	mustWrite(t, filepath.Join(www, "dist", "client.abc123.wasm"), "\x00asm raw")
	mustWrite(t, filepath.Join(www, "dist", "client.abc123.wasm.gz"), "gzipped")
	mustWrite(t, filepath.Join(www, "dist", "client.abc123.wasm.br"), "brotli")
	mustWrite(t, filepath.Join(www, "dist", "wasm_exec.def456.js"), "// go")
	xt := t.TempDir()
	mustWrite(t, filepath.Join(xt, "lib", "xterm.js"), "// xterm")
	return serve(t, www, xt)
}

func serve(t *testing.T, www, xt string) (*server, string) {
	t.Helper()
	srv := newServer(www, xt, slog.New(slog.NewTextHandler(io.Discard, nil)))
	base, stop, err := srv.listen()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return srv, base
}

func mustWrite(t *testing.T, name, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, url, acceptEncoding string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Set by hand, so the client does not decompress for us.
	req.Header.Set("Accept-Encoding", acceptEncoding)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestServeWWW(t *testing.T) {
	srv, base := startServer(t)
	const wasm = "application/wasm"
	for _, tc := range []struct {
		path, accept        string
		status              int
		body, ctype, encode string
	}{
		{"/play.html", "gzip", 200, "<!doctype html><title>play</title>", "text/html; charset=utf-8", ""},
		{"/dist/client.wasm", "gzip, deflate, br", 200, "brotli", wasm, "br"},
		{"/dist/client.wasm", "gzip, deflate", 200, "gzipped", wasm, "gzip"},
		{"/dist/client.wasm", "br;q=0, gzip", 200, "gzipped", wasm, "gzip"},
		{"/dist/client.wasm", "identity", 200, "\x00asm raw", wasm, ""},
		{"/dist/client.abc123.wasm", "gzip;q=0", 200, "\x00asm raw", wasm, ""},
		{"/dist/wasm_exec.js", "gzip, br", 200, "// go", "text/javascript; charset=utf-8", ""},
		{"/dist/other.wasm", "gzip", 404, "404 page not found\n", "text/plain; charset=utf-8", ""},
		{"/xterm/lib/xterm.js", "", 200, "// xterm", "text/javascript; charset=utf-8", ""},
		{"/api/session", "", 404, "{\"error\":\"this gateway has no accounts\"}\n", "application/json", ""},
		{"/../etc/passwd", "", 404, "404 page not found\n", "text/plain; charset=utf-8", ""},
	} {
		resp, body := get(t, base+tc.path, tc.accept)
		if resp.StatusCode != tc.status || body != tc.body {
			t.Errorf("%s (%s): got %d %q, want %d %q", tc.path, tc.accept, resp.StatusCode, body, tc.status, tc.body)
		}
		if got := resp.Header.Get("Content-Type"); got != tc.ctype {
			t.Errorf("%s: got Content-Type %q, want %q", tc.path, got, tc.ctype)
		}
		if got := resp.Header.Get("Content-Encoding"); got != tc.encode {
			t.Errorf("%s (%s): got Content-Encoding %q, want %q", tc.path, tc.accept, got, tc.encode)
		}
		if got := resp.Header.Get("Cache-Control"); resp.StatusCode == 200 && got != "no-store" {
			t.Errorf("%s: got Cache-Control %q, want no-store", tc.path, got)
		}
	}
	want := map[string]int{
		"/dist/client.abc123.wasm as br":       1,
		"/dist/client.abc123.wasm as gzip":     2,
		"/dist/client.abc123.wasm as identity": 2,
	}
	if got := srv.wasmServed(); !maps.Equal(got, want) {
		t.Errorf("wasm served: got %v, want %v", got, want)
	}
}

func TestServeWWWBadManifest(t *testing.T) {
	www := t.TempDir()
	mustWrite(t, filepath.Join(www, "dist", "manifest.json"), `{"client.wasm": "../../secret"}`)
	mustWrite(t, filepath.Join(www, "secret"), "secret")
	_, base := serve(t, www, t.TempDir())
	if resp, body := get(t, base+"/dist/client.wasm", ""); resp.StatusCode != 404 {
		t.Errorf("a manifest that leaves dist/: got %d %q, want 404", resp.StatusCode, body)
	}
}

func TestServeBenchPages(t *testing.T) {
	_, base := startServer(t)
	for _, p := range []string{"/bench/xterm.html", "/bench/xterm-page.js", "/bench/xterm-page.css", "/bench/watch.js",
		"/bench/keys.js", "/bench/wasmmem.js", "/bench/minimal.html", "/bench/minimal-plain.html", "/bench/minimal-plain.js", "/bench/webgl.html", "/bench/webgl.js"} {
		resp, body := get(t, base+p, "")
		if resp.StatusCode != 200 || len(body) == 0 {
			t.Errorf("%s: got %d with %d bytes", p, resp.StatusCode, len(body))
		}
	}
	// Without a minimal page built, its wasm is not found.
	if resp, _ := get(t, base+"/bench/dist/client.wasm", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the minimal page's wasm, not built: got %d, want 404", resp.StatusCode)
	}
}

func TestServeMinimalWasm(t *testing.T) {
	www := t.TempDir()
	mustWrite(t, filepath.Join(www, "play.html"), "<!doctype html>")
	wasm := filepath.Join(t.TempDir(), "minimal.wasm")
	mustWrite(t, wasm, "\x00asm minimal")
	srv := newServer(www, t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv.minimalWasm = wasm
	base, stop, err := srv.listen()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	// minimal.html's loader (www/loader.js) asks for dist/client.wasm
	// relative to the page.
	resp, body := get(t, base+"/bench/dist/client.wasm", "br, gzip")
	if resp.StatusCode != 200 || body != "\x00asm minimal" || resp.Header.Get("Content-Type") != "application/wasm" {
		t.Errorf("got %d %q as %q, want the minimal wasm as application/wasm", resp.StatusCode, body, resp.Header.Get("Content-Type"))
	}
	page, err := pageFiles.ReadFile("page/minimal.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`src="/loader.js"`, `src="/dist/wasm_exec.js"`, `id="status"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("minimal.html lacks %s", want)
		}
	}
	if loader, err := os.ReadFile(filepath.Join("..", "..", "www", "loader.js")); err != nil {
		t.Fatal(err)
	} else if !strings.Contains(string(loader), `fetch("dist/client.wasm")`) {
		t.Error(`www/loader.js no longer fetches "dist/client.wasm" relative to the page, which minimal.html relies on`)
	}
}

func dialTest(t *testing.T, ctx context.Context, url string, protos ...string) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: protos})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	c.SetReadLimit(wire.MaxFrameSize)
	return c
}

func TestWireFlood(t *testing.T) {
	srv, base := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws := "ws" + strings.TrimPrefix(base, "http")
	c := dialTest(t, ctx, ws+"/ws", wire.Subprotocol)
	hello, err := wire.Append(nil, &wire.Frame{Type: wire.TypeHello, Caps: wire.CapUTF8, Data: []byte("test")})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Write(ctx, websocket.MessageBinary, hello); err != nil {
		t.Fatal(err)
	}
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if f, err := wire.Decode(b); err != nil || f.Type != wire.TypeStatus || f.Status != wire.StatusConnected {
		t.Fatalf("first frame: got %+v (%v), want status connected", f, err)
	}
	// What the client sends meanwhile (a resize) is read and dropped.
	resize, _ := wire.Append(nil, &wire.Frame{Type: wire.TypeResize, Cols: 80, Rows: 24})
	if err := c.Write(ctx, websocket.MessageBinary, resize); err != nil {
		t.Fatal(err)
	}

	stream, err := mudStream(5, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	chunks, err := splitStream(stream, 4<<10)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := srv.session(ctx, drawbridge)
	if err != nil {
		t.Fatal(err)
	}
	sent := make(chan error, 1)
	go func() {
		_, err := sess.flood(ctx, chunks)
		sent <- err
	}()
	var got []byte
	for range chunks {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		f, err := wire.Decode(b)
		if err != nil || f.Type != wire.TypeOutput {
			t.Fatalf("got %+v (%v), want output", f, err)
		}
		got = append(got, f.Data...)
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, stream) {
		t.Fatal("the Output frames do not add up to the stream")
	}
	c.Close(websocket.StatusNormalClosure, "")
	select {
	case <-sess.done:
	case <-ctx.Done():
		t.Fatal("the server did not notice the close")
	}
}

func TestWireRefusesWithoutHello(t *testing.T) {
	_, base := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws := "ws" + strings.TrimPrefix(base, "http")

	c := dialTest(t, ctx, ws+"/ws", wire.Subprotocol)
	line, _ := wire.Append(nil, &wire.Frame{Type: wire.TypeLine, Data: []byte("look")})
	if err := c.Write(ctx, websocket.MessageBinary, line); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusProtocolError {
		t.Errorf("a line before hello: got %v, want a protocol error close", err)
	}

	c2 := dialTest(t, ctx, ws+"/ws", "other.v9")
	if _, _, err := c2.Read(ctx); websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		t.Errorf("another subprotocol: got %v, want a policy violation close", err)
	}
}

func TestBareFlood(t *testing.T) {
	srv, base := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dialTest(t, ctx, "ws"+strings.TrimPrefix(base, "http")+"/xws")
	sess, err := srv.session(ctx, xterm)
	if err != nil {
		t.Fatal(err)
	}
	chunks := [][]byte{[]byte("hello "), []byte("wörld\r\n")}
	sent := make(chan error, 1)
	go func() {
		_, err := sess.flood(ctx, chunks)
		sent <- err
	}()
	for i, want := range chunks {
		typ, b, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if typ != websocket.MessageBinary || !bytes.Equal(b, want) {
			t.Errorf("message %d: got %v %q, want binary %q", i, typ, b, want)
		}
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
}

func TestSessionTimesOut(t *testing.T) {
	srv, _ := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := srv.session(ctx, drawbridge); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want a deadline error", err)
	}
}

func TestWireEcho(t *testing.T) {
	srv, base := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dialTest(t, ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws", wire.Subprotocol)
	send := func(f *wire.Frame) {
		t.Helper()
		b, err := wire.Append(nil, f)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Write(ctx, websocket.MessageBinary, b); err != nil {
			t.Fatal(err)
		}
	}
	read := func() wire.Frame {
		t.Helper()
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		f, err := wire.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	send(&wire.Frame{Type: wire.TypeHello, Caps: wire.CapCharMode, Data: []byte("test")})
	if f := read(); f.Type != wire.TypeStatus {
		t.Fatalf("got %+v, want status", f)
	}
	sess, err := srv.session(ctx, drawbridge)
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.startEcho(ctx, []byte("\x1b[?1049h")); err != nil {
		t.Fatal(err)
	}
	if f := read(); f.Type != wire.TypeEcho || !f.Echo {
		t.Fatalf("got %+v, want echo on", f)
	}
	if f := read(); f.Type != wire.TypeOutput || string(f.Data) != "\x1b[?1049h" {
		t.Fatalf("got %+v, want the setup as output", f)
	}
	for _, k := range []string{"a", "\x1b[A", "é"} {
		send(&wire.Frame{Type: wire.TypeResize, Cols: 80, Rows: 24}) // not echoed
		send(&wire.Frame{Type: wire.TypeKeys, Data: []byte(k)})
		if f := read(); f.Type != wire.TypeOutput || string(f.Data) != k {
			t.Fatalf("key %q: got %+v, want it back as output", k, f)
		}
	}
	if n := sess.echoed.Load(); n != int64(len("a\x1b[Aé")) {
		t.Errorf("echoed %d bytes, want %d", n, len("a\x1b[Aé"))
	}
}

func TestBareEcho(t *testing.T) {
	srv, base := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := dialTest(t, ctx, "ws"+strings.TrimPrefix(base, "http")+"/xws")
	sess, err := srv.session(ctx, xterm)
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.startEcho(ctx, []byte("\x1b[?1049h")); err != nil {
		t.Fatal(err)
	}
	if _, b, err := c.Read(ctx); err != nil || string(b) != "\x1b[?1049h" {
		t.Fatalf("got %q (%v), want the setup", b, err)
	}
	for _, k := range []string{"q", "\r", "ü"} {
		if err := c.Write(ctx, websocket.MessageText, []byte(k)); err != nil {
			t.Fatal(err)
		}
		if _, b, err := c.Read(ctx); err != nil || string(b) != k {
			t.Fatalf("key %q: got %q (%v), want it back", k, b, err)
		}
	}
}
