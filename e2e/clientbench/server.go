package main

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// pageFiles are the benchmark's own pages: xterm.js's, and the script
// that watches a client during a flood.
//
//go:embed page
var pageFiles embed.FS

// client names one of the two clients under test.
type client string

const (
	drawbridge client = "drawbridge"
	xterm      client = "xterm.js"
)

// helloTimeout bounds the wait for a client's first frame after the
// WebSocket opens; the Drawbridge client sends Hello at once.
const helloTimeout = 10 * time.Second

// server serves both clients on loopback: the Drawbridge page from the www
// directory on disk (whatever names `make wasm` gave its files), the
// xterm.js page with xterm.js from node_modules, and a WebSocket for each
// (/ws speaks the drawbridge.v1 wire, /xws sends the bare stream). It
// hands every connection that is ready for a flood to the benchmark
// through Session.
type server struct {
	www   string // the web client's directory
	xterm string // the @xterm/xterm package directory
	// minimalWasm is the minimal Ebitengine page's wasm, which
	// page/minimal.html's loader fetches as dist/client.wasm.
	minimalWasm string
	log         *slog.Logger

	sessions map[client]chan *session

	// ctx ends every WebSocket when the server closes: http.Server's
	// Shutdown does not wait for hijacked connections, so the handlers
	// are counted in conns and waited for.
	ctx    context.Context
	cancel context.CancelFunc
	conns  sync.WaitGroup

	mu     sync.Mutex
	wasm   map[string]int // the .wasm files served ("path as coding") and how often
	closed bool
}

// session is one client connection, ready for a flood.
type session struct {
	conn   *websocket.Conn
	framed bool          // Output frames of the drawbridge.v1 wire; else the bare stream
	done   chan struct{} // closed when the connection has ended
	echo   atomic.Bool   // echo what the client types (see startEcho)
	echoed atomic.Int64  // bytes echoed so far
}

func newServer(www, xtermDir string, log *slog.Logger) *server {
	ctx, cancel := context.WithCancel(context.Background())
	return &server{
		www:      www,
		xterm:    xtermDir,
		log:      log,
		sessions: map[client]chan *session{drawbridge: make(chan *session, 4), xterm: make(chan *session, 4)},
		ctx:      ctx,
		cancel:   cancel,
		wasm:     make(map[string]int),
	}
}

// handler routes the benchmark's requests.
func (s *server) handler() (http.Handler, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", s.serveWire)
	mux.HandleFunc("/xws", s.serveBare)
	// A gateway without accounts: the page hides its Log out button.
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintln(w, `{"error":"this gateway has no accounts"}`)
	})
	page, err := fs.Sub(pageFiles, "page")
	if err != nil {
		return nil, fmt.Errorf("benchmark pages: %w", err)
	}
	mux.HandleFunc("/bench/dist/client.wasm", func(w http.ResponseWriter, r *http.Request) {
		if s.minimalWasm == "" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/wasm")
		http.ServeFile(w, r, s.minimalWasm)
	})
	mux.Handle("/bench/", http.StripPrefix("/bench/", http.FileServerFS(page)))
	mux.Handle("/xterm/", http.StripPrefix("/xterm/", http.FileServer(http.Dir(s.xterm))))
	mux.HandleFunc("/", s.serveWWW)
	return noStore(mux), nil
}

// noStore keeps the browser from caching anything, so that every page
// load of every repetition fetches and compiles the client afresh, as a
// player's first visit does.
func noStore(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// serveWWW serves the web client's files from disk as the gateway does,
// without importing it (its handler is internal to it):
//
//   - dist/manifest.json, written by `make wasm` (www/build), maps the
//     logical names the pages use (/dist/client.wasm) to the
//     content-hashed files; the gateway rewrites the pages to the hashed
//     names, this resolves them per request, which puts the same bytes
//     in the browser with no extra round trip;
//   - a file's precompressed twin (.br, else .gz) goes to a browser that
//     accepts it, so the download and its decompression are what a
//     player gets (Chromium offers brotli to http://127.0.0.1, a secure
//     context, as to https).
func (s *server) serveWWW(w http.ResponseWriter, r *http.Request) {
	name := path.Clean("/" + r.URL.Path)
	if dir, base := path.Split(name); dir == "/dist/" {
		if hashed, ok := s.manifest()[base]; ok {
			name = dir + hashed
		}
	}
	file := filepath.Join(s.www, filepath.FromSlash(name))
	f, coding, err := openCoded(file, r.Header.Get("Accept-Encoding"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	if strings.HasSuffix(name, ".wasm") {
		s.mu.Lock()
		s.wasm[name+" as "+coding]++
		s.mu.Unlock()
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Vary", "Accept-Encoding")
	if coding != "identity" {
		w.Header().Set("Content-Encoding", coding)
	}
	http.ServeContent(w, r, name, st.ModTime(), f)
}

// manifest reads dist/manifest.json, or returns nil without one (a
// client built before content-hashed names, served as it is).
func (s *server) manifest() map[string]string {
	b, err := os.ReadFile(filepath.Join(s.www, "dist", "manifest.json"))
	if err != nil {
		return nil
	}
	var names map[string]string
	if err := json.Unmarshal(b, &names); err != nil {
		s.log.Warn("dist/manifest.json", "err", err)
		return nil
	}
	for logical, hashed := range names {
		if strings.ContainsAny(logical+hashed, "/\\") || strings.HasPrefix(hashed, ".") {
			s.log.Warn("dist/manifest.json: want plain file names", "logical", logical, "hashed", hashed)
			return nil
		}
	}
	return names
}

// openCoded opens the best representation of file that accept allows:
// its .br twin, its .gz twin, or itself; and returns its coding.
func openCoded(file, accept string) (*os.File, string, error) {
	for _, c := range []struct{ coding, suffix string }{{"br", ".br"}, {"gzip", ".gz"}} {
		if !accepts(accept, c.coding) {
			continue
		}
		if f, err := os.Open(file + c.suffix); err == nil {
			return f, c.coding, nil
		}
	}
	f, err := os.Open(file)
	return f, "identity", err
}

// accepts reports whether an Accept-Encoding header allows a coding.
func accepts(header, coding string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), coding) {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// wasmServed returns the .wasm files served so far, as "path as coding"
// (/dist/client.<hash>.wasm as gzip), and how many times each was.
func (s *server) wasmServed() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.wasm))
	for k, v := range s.wasm {
		out[k] = v
	}
	return out
}

// serveWire is the gateway's /ws as far as the Drawbridge client needs it:
// the drawbridge.v1 subprotocol, the client's Hello, Status connected, and
// then Output frames when the benchmark floods.
func (s *server) serveWire(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		Subprotocols:    []string{wire.Subprotocol},
		CompressionMode: websocket.CompressionDisabled, // the gateway's default
	})
	if err != nil {
		s.log.Warn("accept /ws", "err", err)
		return
	}
	defer c.CloseNow()
	if c.Subprotocol() != wire.Subprotocol {
		c.Close(websocket.StatusPolicyViolation, "subprotocol "+wire.Subprotocol+" required")
		return
	}
	c.SetReadLimit(wire.MaxFrameSize)
	if err := s.greet(c); err != nil {
		s.log.Warn("drawbridge client connection", "err", err)
		c.Close(websocket.StatusProtocolError, "expected a Hello frame")
		return
	}
	s.serve(c, drawbridge, true)
}

// greet reads the client's Hello and says the game is connected.
func (s *server) greet(c *websocket.Conn) error {
	ctx, cancel := context.WithTimeout(s.ctx, helloTimeout)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		return fmt.Errorf("read hello: %w", err)
	}
	f, err := wire.Decode(b)
	if err != nil {
		return fmt.Errorf("decode hello: %w", err)
	}
	if f.Type != wire.TypeHello {
		return fmt.Errorf("first frame is %s, not hello", f.Type)
	}
	msg, err := wire.Append(nil, &wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnected, Data: []byte("benchmark")})
	if err != nil {
		return fmt.Errorf("encode status: %w", err)
	}
	if err := c.Write(ctx, websocket.MessageBinary, msg); err != nil {
		return fmt.Errorf("send status: %w", err)
	}
	return nil
}

// serveBare is the xterm.js page's WebSocket: the stream's bytes, one
// message per chunk, nothing else.
func (s *server) serveBare(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		s.log.Warn("accept /xws", "err", err)
		return
	}
	defer c.CloseNow()
	s.serve(c, xterm, false)
}

// serve offers the connection to the benchmark and reads what the client
// sends until the connection ends: Resize and Ack frames from the
// Drawbridge client, nothing from xterm.js until the session echoes, then
// the keys it types, which go back at once (see startEcho); anything else
// is dropped. Reading is what notices the close when the page goes away.
func (s *server) serve(c *websocket.Conn, who client, framed bool) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.Close(websocket.StatusGoingAway, "benchmark over")
		return
	}
	s.conns.Add(1)
	s.mu.Unlock()
	defer s.conns.Done()

	sess := &session{conn: c, framed: framed, done: make(chan struct{})}
	defer close(sess.done)
	select {
	case s.sessions[who] <- sess:
	default:
		c.Close(websocket.StatusTryAgainLater, "too many connections waiting for the benchmark")
		return
	}
	for {
		_, b, err := c.Read(s.ctx)
		if err != nil {
			return
		}
		if !sess.echo.Load() {
			continue
		}
		if err := sess.echoBack(s.ctx, b); err != nil {
			s.log.Warn("echo", "client", who, "err", err)
			return
		}
	}
}

// echoBack answers one message from the client while the session
// echoes: on the drawbridge.v1 wire a Keys frame comes back as an Output
// frame with the same bytes, as a game in character mode echoes what it
// reads (other frames are dropped); on the bare stream (xterm.js's
// onData) every message comes back as it is.
func (sess *session) echoBack(ctx context.Context, msg []byte) error {
	data := msg
	if sess.framed {
		f, err := wire.Decode(msg)
		if err != nil {
			return fmt.Errorf("decode a frame from the client: %w", err)
		}
		if f.Type != wire.TypeKeys {
			return nil
		}
		if len(f.Data) > wire.MaxPayload {
			return fmt.Errorf("%d bytes of keys exceed the wire's %d", len(f.Data), wire.MaxPayload)
		}
		data = f.Data
		msg = wire.AppendOutput(nil, f.Data)
	}
	// Counted before the write: whoever reads the echo sees it counted.
	sess.echoed.Add(int64(len(data)))
	return sess.conn.Write(ctx, websocket.MessageBinary, msg)
}

// startEcho puts the client in character mode, as a game running a
// full-screen program does, and echoes every key it sends from then on.
// On the drawbridge.v1 wire that is an Echo frame (the game echoes) and
// then setup as Output; the Drawbridge client goes to character mode
// when the game echoes and the alternate screen is on (see its
// client.setMode), so setup should switch to it. On the bare stream it
// is setup alone: xterm.js sends every key through onData anyway.
func (sess *session) startEcho(ctx context.Context, setup []byte) error {
	sess.echo.Store(true)
	if sess.framed {
		echo, err := wire.Append(nil, &wire.Frame{Type: wire.TypeEcho, Echo: true})
		if err != nil {
			return fmt.Errorf("encode echo: %w", err)
		}
		if err := sess.conn.Write(ctx, websocket.MessageBinary, echo); err != nil {
			return fmt.Errorf("send echo: %w", err)
		}
		if len(setup) > wire.MaxPayload {
			return fmt.Errorf("setup: %d bytes exceed the wire's %d", len(setup), wire.MaxPayload)
		}
		setup = wire.AppendOutput(nil, setup)
	}
	if err := sess.conn.Write(ctx, websocket.MessageBinary, setup); err != nil {
		return fmt.Errorf("send the setup: %w", err)
	}
	return nil
}

// session waits for the next connection of a client, until ctx ends.
func (s *server) session(ctx context.Context, who client) (*session, error) {
	select {
	case sess := <-s.sessions[who]:
		return sess, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for the %s page to connect: %w", who, ctx.Err())
	}
}

// close ends every WebSocket and waits for their handlers.
func (s *server) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.conns.Wait()
}

// flood sends the chunks as fast as the connection takes them and returns
// how long that took.
func (sess *session) flood(ctx context.Context, chunks [][]byte) (time.Duration, error) {
	start := time.Now()
	buf := make([]byte, 0, wire.MaxFrameSize)
	for i, chunk := range chunks {
		msg := chunk
		if sess.framed {
			if len(chunk) > wire.MaxPayload {
				return 0, fmt.Errorf("chunk %d: %d bytes exceed the wire's %d", i, len(chunk), wire.MaxPayload)
			}
			buf = wire.AppendOutput(buf[:0], chunk)
			msg = buf
		}
		if err := sess.conn.Write(ctx, websocket.MessageBinary, msg); err != nil {
			return 0, fmt.Errorf("send message %d of %d: %w", i+1, len(chunks), err)
		}
	}
	return time.Since(start), nil
}

// listen starts serving on a free loopback port and returns its base URL
// and a function that stops the server and waits for its connections.
func (s *server) listen() (string, func(), error) {
	h, err := s.handler()
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen on loopback: %w", err)
	}
	hs := &http.Server{
		Handler: h,
		// Loopback and one browser: the timeouts only keep a stuck
		// request from outliving the benchmark.
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return s.ctx },
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := hs.Shutdown(ctx); err != nil {
			s.log.Warn("shut the server down", "err", err)
		}
		s.close()
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Warn("serve", "err", err)
		}
	}
	return "http://" + ln.Addr().String(), stop, nil
}
