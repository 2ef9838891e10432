package bridge

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// pipeListener is an in-memory listener whose connections are net.Pipe
// ends, so that a hub, an HTTP server and WebSocket clients can run in a
// synctest bubble, where time moves only when everything waits.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

// dial opens a connection to the listener.
func (l *pipeListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := bufferedPipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// bufferedPipe is net.Pipe with buffers between the ends, as a kernel
// gives a TCP connection: a write returns before the other end reads it.
// Without them, two ends that both write before they read (a ping and a
// pong crossing) would wait for each other for ever.
func bufferedPipe() (net.Conn, net.Conn) {
	a, a2 := net.Pipe()
	b2, b := net.Pipe()
	go relay(a2, b2)
	go relay(b2, a2)
	return a, b
}

// relay copies from one pipe end to another through a buffer, and closes
// both when either fails.
func relay(from, to net.Conn) {
	chunks := make(chan []byte, 256)
	go func() {
		defer close(chunks)
		for {
			buf := make([]byte, 32<<10)
			n, err := from.Read(buf)
			if n > 0 {
				chunks <- buf[:n]
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range chunks {
		if _, err := to.Write(c); err != nil {
			break
		}
	}
	to.Close()
	from.Close()
	for range chunks {
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// bubbleRig is a hub served over in-memory connections, with a game that
// is the other end of a net.Pipe: everything a test in a synctest bubble
// needs, and nothing that waits on the real network.
type bubbleRig struct {
	t     *testing.T
	hub   *Hub
	ln    *pipeListener
	srv   *http.Server
	games chan net.Conn
	ended chan error // what Hub.Serve returned
}

func newBubbleRig(t *testing.T, cfg Config) *bubbleRig {
	t.Helper()
	r := &bubbleRig{t: t, ln: newPipeListener(), games: make(chan net.Conn, 4), ended: make(chan error, 4)}
	cfg.Dial = func(ctx context.Context, _ string) (net.Conn, error) {
		gw, game := bufferedPipe()
		r.games <- game
		return gw, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.hub = NewHub(ctx, cfg)
	r.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ws, err := websocket.Accept(w, req, &websocket.AcceptOptions{Subprotocols: []string{wire.Subprotocol}})
		if err != nil {
			t.Errorf("accept: %v", err)
			return
		}
		q := req.URL.Query()
		caps, _ := strconv.ParseUint(q.Get(wire.CapsParam), 10, 32)
		r.ended <- r.hub.Serve(Player{WS: ws, Addr: "192.0.2.1", Session: q.Get("session"), Name: q.Get("name"), Caps: wire.Caps(caps)})
	})}
	go r.srv.Serve(r.ln)
	t.Cleanup(func() {
		cancel()
		r.srv.Close()
		if err := r.hub.Wait(context.Background()); err != nil {
			t.Error(err)
		}
		for {
			select {
			case g := <-r.games:
				g.Close()
			default:
				return
			}
		}
	})
	return r
}

// dial opens a player's WebSocket to the hub.
func (r *bubbleRig) dial(query string) *websocket.Conn {
	r.t.Helper()
	tr := &http.Transport{DialContext: r.ln.dial}
	r.t.Cleanup(tr.CloseIdleConnections)
	ws, _, err := websocket.Dial(context.Background(), "ws://gateway/?"+query, &websocket.DialOptions{
		Subprotocols: []string{wire.Subprotocol},
		HTTPClient:   &http.Client{Transport: tr},
	})
	if err != nil {
		r.t.Fatalf("dial gateway: %v", err)
	}
	ws.SetReadLimit(wire.MaxFrameSize)
	r.t.Cleanup(func() { ws.CloseNow() })
	return ws
}

func sendFrame(ws *websocket.Conn, f wire.Frame) error {
	b, err := wire.Append(nil, &f)
	if err != nil {
		return err
	}
	return ws.Write(context.Background(), websocket.MessageBinary, b)
}

// A player whose client only acknowledges output and pings while the game
// talks on is ended by the idle timeout all the same: those frames are the
// client's, not the player's. One who types now and then stays, and only
// what they typed is reported as their login session's input.
func TestIdleTimeoutCountsOnlyThePlayersInput(t *testing.T) {
	const (
		idle  = time.Hour
		ping  = 30 * time.Second
		lines = 20 * time.Minute // how often the typing player types
	)
	for _, tc := range []struct {
		name     string
		types    bool
		wantIdle bool
	}{
		{"acks and pings only", false, true},
		{"types now and then", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newBubbleRig(t, Config{IdleTimeout: idle, PingInterval: ping})
				start := time.Now()
				ws := r.dial("session=s1&name=alice")

				// The client reads everything, acknowledges every numbered
				// frame and (below) pings every ping interval, as the real
				// one does; it reports how the connection ended.
				type ending struct {
					frames []wire.Frame // the last frames before the close
					err    error
					at     time.Time
				}
				ended := make(chan ending, 1)
				go func() {
					var seq uint64
					var last []wire.Frame
					for {
						_, b, err := ws.Read(context.Background())
						if err != nil {
							ended <- ending{last, err, time.Now()}
							return
						}
						f, err := wire.Decode(b)
						if err != nil {
							ended <- ending{last, err, time.Now()}
							return
						}
						last = append(last[max(0, len(last)-2):], f)
						if f.Type.Numbered() {
							seq++
							sendFrame(ws, wire.Frame{Type: wire.TypeAck, Seq: seq})
						}
					}
				}()
				if err := sendFrame(ws, wire.Frame{Type: wire.TypeHello, Caps: wire.CapResume, Data: []byte("test")}); err != nil {
					t.Fatal(err)
				}

				// The game reads what it is sent and talks all the time.
				game := <-r.games
				go io.Copy(io.Discard, game)
				quiet := make(chan struct{})
				defer close(quiet)
				go func() {
					defer game.Close()
					for {
						if _, err := game.Write([]byte("The wind howls.\r\n")); err != nil {
							return
						}
						select {
						case <-time.After(10 * time.Second):
						case <-quiet:
							return
						}
					}
				}()

				deadline := start.Add(3 * idle)
				nextLine := start.Add(lines)
				var e ending
			loop:
				for n := uint64(1); ; n++ {
					select {
					case e = <-ended:
						break loop
					case <-time.After(ping):
					}
					if time.Now().After(deadline) {
						if tc.wantIdle {
							t.Fatalf("still connected after %s of acks and pings with players.idle_timeout %s", time.Since(start), idle)
						}
						break
					}
					sendFrame(ws, wire.Frame{Type: wire.TypePing, Seq: n})
					if tc.types && !time.Now().Before(nextLine) {
						sendFrame(ws, wire.Frame{Type: wire.TypeLine, Data: []byte("look")})
						nextLine = nextLine.Add(lines)
					}
					synctest.Wait()
					in, ok := r.hub.LastInputs()["s1"]
					switch {
					case !tc.types && ok:
						t.Fatalf("LastInputs reports input %s for a player who only acked and pinged", in)
					case tc.types && time.Since(start) > lines+ping && (!ok || time.Since(in) > lines+ping):
						t.Fatalf("LastInputs = %v, %v: want the line typed within the last %s", in, ok, lines)
					}
				}

				if !tc.wantIdle {
					if e.err != nil {
						t.Fatalf("a player who types was disconnected after %s: %v", e.at.Sub(start), e.err)
					}
					ws.Close(websocket.StatusNormalClosure, "")
					if err := <-r.ended; err != nil {
						t.Fatalf("Serve: %v", err)
					}
					return
				}
				if got := websocket.CloseStatus(e.err); got != websocket.StatusNormalClosure {
					t.Fatalf("closed with %v (%v), want a normal closure", got, e.err)
				}
				// A Pong (not numbered, sent without the write lock) may
				// follow the goodbye; the client goes by the last Error
				// or Status frame (link.closeReason).
				last := len(e.frames) - 1
				for last > 0 && e.frames[last].Type == wire.TypePong {
					last--
				}
				if f := e.frames[last]; f.Type != wire.TypeError || f.Code != wire.ErrorIdle {
					t.Fatalf("last frame %+v (%q), want the idle error", f, f.Data)
				}
				if took := e.at.Sub(start); took < idle || took > idle+2*ping {
					t.Fatalf("ended after %s, want the idle timeout %s (checked every %s)", took, idle, ping)
				}
				if err := <-r.ended; err != nil && !errors.Is(err, errPlayerClosed) {
					t.Fatalf("Serve: %v", err)
				}
			})
		})
	}
}
