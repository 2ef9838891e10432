package link

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/shared/wire"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// gateway is a scripted stand-in for the gateway's /ws endpoint: each
// connection runs the next script.
type gateway struct {
	t       *testing.T
	scripts []func(ws *websocket.Conn)
	n       atomic.Int32
	queries chan string // each connection's URL query, if not nil
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{wire.Subprotocol}})
	if err != nil {
		g.t.Errorf("accept: %v", err)
		return
	}
	defer ws.CloseNow()
	if g.queries != nil {
		g.queries <- r.URL.RawQuery
	}
	i := int(g.n.Add(1)) - 1
	if i >= len(g.scripts) {
		ws.Close(websocket.StatusTryAgainLater, "no more scripts")
		return
	}
	g.scripts[i](ws)
}

func send(t *testing.T, ws *websocket.Conn, f wire.Frame) {
	t.Helper()
	b, err := wire.Append(nil, &f)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Write(context.Background(), websocket.MessageBinary, b); err != nil {
		t.Errorf("server write: %v", err)
	}
}

func recv(t *testing.T, ws *websocket.Conn) wire.Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := ws.Read(ctx)
	if err != nil {
		t.Errorf("server read: %v", err)
		return wire.Frame{}
	}
	f, err := wire.Decode(b)
	if err != nil {
		t.Errorf("server decode: %v", err)
	}
	return f
}

// next returns the next event, failing the test after a timeout.
func next(t *testing.T, l *Link) Event {
	t.Helper()
	select {
	case ev, ok := <-l.Events():
		if !ok {
			t.Fatal("events channel closed")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
	}
	return Event{}
}

func wantState(t *testing.T, ev Event, s State) {
	t.Helper()
	if ev.Frame != nil || ev.State != s {
		t.Fatalf("got event %+v, want state %s", ev, s)
	}
}

func start(t *testing.T, g *gateway, cfg Config) (*Link, func()) {
	srv := httptest.NewServer(g)
	cfg.URL = "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
	cfg.MinBackoff, cfg.MaxBackoff = 10*time.Millisecond, 20*time.Millisecond
	l := New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		l.Run(ctx)
		close(done)
	}()
	return l, func() {
		cancel()
		for range l.Events() {
		}
		<-done
		srv.Close()
	}
}

func TestSessionHelloFramesAndGameClosed(t *testing.T) {
	g := &gateway{t: t}
	lineSeen := make(chan string, 1)
	g.scripts = append(g.scripts, func(ws *websocket.Conn) {
		if f := recv(t, ws); f.Type != wire.TypeHello || string(f.Data) != "test/1" {
			t.Errorf("first frame %+v, want hello", f)
		}
		if f := recv(t, ws); f.Type != wire.TypeResize || f.Cols != 100 || f.Rows != 30 {
			t.Errorf("second frame %+v, want resize 100x30", f)
		}
		send(t, ws, wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnected})
		send(t, ws, wire.Frame{Type: wire.TypeOutput, Data: []byte("Welcome\r\n")})
		f := recv(t, ws)
		lineSeen <- string(f.Data)
		send(t, ws, wire.Frame{Type: wire.TypeStatus, Status: wire.StatusGameClosed, Data: []byte("Bye.")})
		ws.Close(websocket.StatusNormalClosure, "game closed the connection")
	})
	if err := New(Config{}).Send(&wire.Frame{Type: wire.TypeLine, Data: []byte("too early")}); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("Send before connecting = %v, want ErrNotConnected", err)
	}
	l, stop := start(t, g, Config{
		Hello:     &wire.Frame{Type: wire.TypeHello, Data: []byte("test/1")},
		OnConnect: func() []wire.Frame { return []wire.Frame{{Type: wire.TypeResize, Cols: 100, Rows: 30}} },
	})
	defer stop()
	wantState(t, next(t, l), Connecting)
	wantState(t, next(t, l), Connected)
	if ev := next(t, l); ev.Frame == nil || ev.Frame.Status != wire.StatusConnected {
		t.Fatalf("got %+v, want status connected", ev)
	}
	if ev := next(t, l); ev.Frame == nil || string(ev.Frame.Data) != "Welcome\r\n" {
		t.Fatalf("got %+v, want output", ev)
	}
	if err := l.Send(&wire.Frame{Type: wire.TypeLine, Data: []byte("look")}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := <-lineSeen; got != "look" {
		t.Fatalf("gateway got line %q, want look", got)
	}
	if ev := next(t, l); ev.Frame == nil || ev.Frame.Status != wire.StatusGameClosed {
		t.Fatalf("got %+v, want status game closed", ev)
	}
	ev := next(t, l)
	wantState(t, ev, Closed)
	if ev.Reason != ReasonGameClosed || ev.Detail != "Bye." {
		t.Fatalf("reason %q detail %q, want %q and the gateway's detail %q", ev.Reason, ev.Detail, ReasonGameClosed, "Bye.")
	}
	// No retry on its own after the game closed...
	select {
	case ev := <-l.Events():
		t.Fatalf("got %+v after Closed, want nothing until Reconnect", ev)
	case <-time.After(100 * time.Millisecond):
	}
	// ...but on request.
	l.Reconnect()
	wantState(t, next(t, l), Connecting)
}

func TestReconnectAfterGatewayRestart(t *testing.T) {
	g := &gateway{t: t}
	g.scripts = append(g.scripts,
		func(ws *websocket.Conn) {
			send(t, ws, wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnected})
			send(t, ws, wire.Frame{Type: wire.TypeStatus, Status: wire.StatusGatewayRestarting, Data: []byte("restarting")})
			ws.Close(websocket.StatusGoingAway, "gateway restarting")
		},
		func(ws *websocket.Conn) {
			send(t, ws, wire.Frame{Type: wire.TypeOutput, Data: []byte("back")})
			ws.Read(context.Background()) // hold until the client goes
		},
	)
	l, stop := start(t, g, Config{})
	defer stop()

	wantState(t, next(t, l), Connecting)
	wantState(t, next(t, l), Connected)
	next(t, l) // status connected
	next(t, l) // status restarting
	ev := next(t, l)
	wantState(t, ev, Waiting)
	if ev.Reason != ReasonRestarting || ev.Detail != "restarting" || ev.RetryAt.IsZero() {
		t.Fatalf("got %+v, want Waiting with reason and retry time", ev)
	}
	wantState(t, next(t, l), Connecting)
	wantState(t, next(t, l), Connected)
	if ev := next(t, l); ev.Frame == nil || string(ev.Frame.Data) != "back" {
		t.Fatalf("got %+v, want output from the new connection", ev)
	}
}

func TestMalformedFrameClosesWithoutRetry(t *testing.T) {
	g := &gateway{t: t}
	g.scripts = append(g.scripts, func(ws *websocket.Conn) {
		ws.Write(context.Background(), websocket.MessageBinary, []byte{byte(wire.TypeEcho), 7})
		ws.Read(context.Background())
	})
	l, stop := start(t, g, Config{})
	defer stop()
	wantState(t, next(t, l), Connecting)
	wantState(t, next(t, l), Connected)
	ev := next(t, l)
	wantState(t, ev, Closed)
	if ev.Reason != ReasonBadFrame {
		t.Fatalf("reason %q, want %q", ev.Reason, ReasonBadFrame)
	}
}

func TestUnknownFrameTypesIgnored(t *testing.T) {
	g := &gateway{t: t}
	g.scripts = append(g.scripts, func(ws *websocket.Conn) {
		ws.Write(context.Background(), websocket.MessageBinary, []byte{0x3e, 1, 2, 3})
		send(t, ws, wire.Frame{Type: wire.TypePrompt})
		ws.Read(context.Background())
	})
	l, stop := start(t, g, Config{})
	defer stop()
	wantState(t, next(t, l), Connecting)
	wantState(t, next(t, l), Connected)
	if ev := next(t, l); ev.Frame == nil || ev.Frame.Type != wire.TypePrompt {
		t.Fatalf("got %+v, want the prompt after the unknown frame", ev)
	}
}

func TestUnreachableGatewayBacksOff(t *testing.T) {
	l := New(Config{URL: "ws://127.0.0.1:1/ws", MinBackoff: 10 * time.Millisecond, MaxBackoff: 40 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()
	defer func() {
		cancel()
		for range l.Events() {
		}
		<-done
	}()
	for want := 1; want <= 3; want++ {
		wantState(t, next(t, l), Connecting)
		ev := next(t, l)
		wantState(t, ev, Waiting)
		if ev.Attempt != want {
			t.Fatalf("attempt %d, want %d", ev.Attempt, want)
		}
	}
}

func TestBackoff(t *testing.T) {
	min, max := time.Second, 30*time.Second
	tests := []struct {
		n    int
		r    float64
		want time.Duration
	}{
		{1, 0, 500 * time.Millisecond},
		{1, 0.999999, 999999500 * time.Nanosecond},
		{2, 0, time.Second},
		{3, 0.5, 3 * time.Second},
		{6, 0, 15 * time.Second},
		{50, 0, 15 * time.Second},
		{50, 0.5, 22500 * time.Millisecond},
	}
	for _, tc := range tests {
		if got := Backoff(tc.n, min, max, tc.r); got != tc.want {
			t.Errorf("Backoff(%d, r=%v) = %v, want %v", tc.n, tc.r, got, tc.want)
		}
	}
}

func TestCloseReason(t *testing.T) {
	status := func(s wire.Status, text string) *wire.Frame {
		return &wire.Frame{Type: wire.TypeStatus, Status: s, Data: []byte(text)}
	}
	errFrame := func(c wire.ErrorCode, text string) *wire.Frame {
		return &wire.Frame{Type: wire.TypeError, Code: c, Data: []byte(text)}
	}
	tests := []struct {
		name   string
		err    error
		last   *wire.Frame
		retry  bool
		reason string
		detail string
	}{
		// In the browser the close code may be missing; the frame decides.
		{"game closed, no code", &CloseError{Code: closeAbnormal}, status(wire.StatusGameClosed, "Bye."), false, ReasonGameClosed, "Bye."},
		{"restarting", &CloseError{Code: closeGoingAway}, status(wire.StatusGatewayRestarting, ""), true, ReasonRestarting, ""},
		{"idle", &CloseError{Code: closeNormal}, errFrame(wire.ErrorIdle, "Disconnected after 1h0m0s without input."), false, ReasonIdle, "Disconnected after 1h0m0s without input."},
		{"protocol error", &CloseError{Code: closeProtocolError}, errFrame(wire.ErrorProtocol, "bad frame"), false, ReasonProtocol, "bad frame"},
		{"unreachable", &CloseError{Code: closeTryAgainLater}, errFrame(wire.ErrorGameUnreachable, "down"), true, ReasonGameUnreachable, "down"},
		{"limit", &CloseError{Code: closeTryAgainLater}, errFrame(wire.ErrorLimit, "full"), true, ReasonLimit, "full"},
		{"internal", &CloseError{Code: closeAbnormal}, errFrame(wire.ErrorInternal, "oops"), true, ReasonInternal, "oops"},
		{"logged out", &CloseError{Code: closePolicy}, errFrame(wire.ErrorUnauthorized, string(wire.ReasonLogout)), false, string(wire.ReasonLogout), ""},
		// Without a frame, the code.
		{"normal", &CloseError{Code: closeNormal}, nil, false, ReasonClosed, ""},
		{"going away", &CloseError{Code: closeGoingAway}, nil, true, ReasonRestarting, ""},
		{"try later", &CloseError{Code: closeTryAgainLater}, nil, true, ReasonGameUnreachable, ""},
		{"policy", &CloseError{Code: closePolicy, Reason: "subprotocol"}, nil, false, ReasonRefused, "subprotocol"},
		{"dropped", &CloseError{Code: closeAbnormal}, nil, true, ReasonLost, ""},
		{"other error", errors.New("boom"), nil, true, ReasonLost, ""},
	}
	for _, tc := range tests {
		end := closeReason(tc.err, tc.last)
		if end.retry != tc.retry || end.reason != tc.reason || end.detail != tc.detail {
			t.Errorf("%s: got retry %v %q (%q), want %v %q (%q)", tc.name, end.retry, end.reason, end.detail, tc.retry, tc.reason, tc.detail)
		}
		if wantLogin := tc.name == "logged out"; end.login != wantLogin {
			t.Errorf("%s: login %v, want %v", tc.name, end.login, wantLogin)
		}
	}
}

func TestResumeAfterADrop(t *testing.T) {
	g := &gateway{t: t, queries: make(chan string, 4)}
	acked := make(chan uint64, 1)
	g.scripts = append(g.scripts, func(ws *websocket.Conn) {
		if f := recv(t, ws); f.Type != wire.TypeHello || f.Caps&wire.CapResume == 0 {
			t.Errorf("first frame %+v, want a hello that offers resuming", f)
		}
		send(t, ws, wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnected})
		send(t, ws, wire.Frame{Type: wire.TypeResume, Seq: 0, Data: []byte("tok1")})
		for range ackFrames {
			send(t, ws, wire.Frame{Type: wire.TypeOutput, Data: []byte("x")})
		}
		for {
			f := recv(t, ws)
			if f.Type == wire.TypeAck {
				acked <- f.Seq
				break
			}
			if f.Type == 0 {
				return
			}
		}
		// The connection drops with no goodbye.
	})
	g.scripts = append(g.scripts, func(ws *websocket.Conn) {
		recv(t, ws) // hello
		send(t, ws, wire.Frame{Type: wire.TypeResumed, Seq: ackFrames + 2})
		send(t, ws, wire.Frame{Type: wire.TypeOutput, Data: []byte("back")})
		send(t, ws, wire.Frame{Type: wire.TypeResume, Seq: ackFrames + 3, Data: []byte("tok2")})
		ws.Read(context.Background()) // until the link closes
	})
	l, stop := start(t, g, Config{Hello: &wire.Frame{Type: wire.TypeHello, Data: []byte("test/1")}})
	defer stop()

	if q := <-g.queries; q != wire.CapsParam+"=16" {
		t.Fatalf("first connection's query %q, want only the capabilities", q)
	}
	for {
		ev := next(t, l)
		if ev.Frame != nil && ev.Frame.Type == wire.TypeResume {
			t.Fatal("the link passed its resume token on to the UI")
		}
		if ev.Frame == nil && ev.State == Waiting {
			break
		}
	}
	if n := <-acked; n != ackFrames {
		t.Fatalf("acknowledged %d frames, want %d", n, ackFrames)
	}
	q := <-g.queries
	if want := wire.CapsParam + "=16&" + wire.ResumeParam + "=tok1&" + wire.SeqParam + "=64"; q != want {
		t.Fatalf("second connection query %q, want %q", q, want)
	}
	for {
		ev := next(t, l)
		if ev.Frame != nil && ev.Frame.Type == wire.TypeResumed {
			if ev.Missed != 2 {
				t.Fatalf("missed %d, want 2", ev.Missed)
			}
			break
		}
	}
	if ev := next(t, l); ev.Frame == nil || string(ev.Frame.Data) != "back" {
		t.Fatalf("after the resume got %+v, want the output", ev)
	}
}

// TestResumeRefused: back after a drop, the gateway (another node, or
// one whose grace ran out) starts a new game connection instead; the
// link says the old one is lost, once.
func TestResumeRefused(t *testing.T) {
	g := &gateway{t: t, queries: make(chan string, 4)}
	g.scripts = append(g.scripts, func(ws *websocket.Conn) {
		recv(t, ws) // hello
		send(t, ws, wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnected})
		send(t, ws, wire.Frame{Type: wire.TypeResume, Seq: 0, Data: []byte("tok1")})
		send(t, ws, wire.Frame{Type: wire.TypeOutput, Data: []byte("first")})
		// The connection drops with no goodbye.
	})
	g.scripts = append(g.scripts, func(ws *websocket.Conn) {
		recv(t, ws) // hello
		send(t, ws, wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnecting})
		send(t, ws, wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnected})
		ws.Read(context.Background()) // until the link closes
	})
	l, stop := start(t, g, Config{Hello: &wire.Frame{Type: wire.TypeHello, Data: []byte("test/1")}})
	defer stop()
	var lost []wire.Status
	for {
		ev := next(t, l)
		if ev.Frame != nil && ev.Lost {
			lost = append(lost, ev.Frame.Status)
		}
		if ev.Frame != nil && ev.Frame.Type == wire.TypeStatus && ev.Frame.Status == wire.StatusConnected && len(lost) > 0 {
			break
		}
	}
	if len(lost) != 1 || lost[0] != wire.StatusConnecting {
		t.Fatalf("frames marked lost: %v, want only the new connection's first (Connecting)", lost)
	}
	if q := <-g.queries; strings.Contains(q, wire.ResumeParam) {
		t.Fatalf("the first connection asked to resume: %q", q)
	}
	if q := <-g.queries; !strings.Contains(q, wire.ResumeParam+"=tok1") {
		t.Fatalf("the second connection's query %q does not ask to resume", q)
	}
}

func TestProbe(t *testing.T) {
	g := &gateway{t: t, queries: make(chan string, 4)}
	pinged := make(chan struct{}, 2)
	g.scripts = append(g.scripts,
		// A live gateway answers the probe: the link stays.
		func(ws *websocket.Conn) {
			recv(t, ws) // hello
			send(t, ws, wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnected})
			send(t, ws, wire.Frame{Type: wire.TypeResume, Seq: 1, Data: []byte("tok1")})
			f := recv(t, ws)
			if f.Type != wire.TypePing || f.Seq != 1 {
				t.Errorf("got %+v, want ping 1", f)
			}
			send(t, ws, wire.Frame{Type: wire.TypePong, Seq: f.Seq})
			pinged <- struct{}{}
			// Then a second probe goes unanswered, as over a socket
			// whose network went away: the server keeps reading, silent.
			for {
				_, b, err := ws.Read(context.Background())
				if err != nil {
					// The link gave up on this connection, but not as
					// a player leaving, so the gateway keeps the game:
					// it says it comes back (wire.CloseReconnecting; the
					// browser's socket does) or just drops the socket
					// (coder/websocket closes it when a read is cancelled).
					if st := websocket.CloseStatus(err); st != wire.CloseReconnecting && st != -1 {
						t.Errorf("closed with %v, want %d or no close frame", st, wire.CloseReconnecting)
					}
					return
				}
				if f, _ := wire.Decode(b); f.Type == wire.TypePing {
					pinged <- struct{}{}
				}
			}
		},
		func(ws *websocket.Conn) {
			recv(t, ws) // hello
			send(t, ws, wire.Frame{Type: wire.TypeResumed, Seq: 1})
			ws.Read(context.Background())
		},
	)
	l, stop := start(t, g, Config{Hello: &wire.Frame{Type: wire.TypeHello, Data: []byte("test/1")}, ProbeTimeout: 200 * time.Millisecond})
	defer stop()
	<-g.queries
	wantState(t, next(t, l), Connecting)
	wantState(t, next(t, l), Connected)
	next(t, l) // status connected
	l.Probe()
	<-pinged
	// Answered: no state change follows within twice the timeout.
	select {
	case ev := <-l.Events():
		t.Fatalf("after an answered probe got %+v, want nothing", ev)
	case <-time.After(400 * time.Millisecond):
	}
	l.Probe()
	<-pinged
	ev := next(t, l)
	wantState(t, ev, Waiting)
	if ev.Reason != ReasonNotAnswering {
		t.Fatalf("reason %q", ev.Reason)
	}
	if q := <-g.queries; !strings.Contains(q, wire.ResumeParam+"=tok1") {
		t.Fatalf("reconnect query %q, want the resume token", q)
	}
	wantState(t, next(t, l), Connecting)
	wantState(t, next(t, l), Connected)
	if ev := next(t, l); ev.Frame == nil || ev.Frame.Type != wire.TypeResumed {
		t.Fatalf("got %+v, want the resume", ev)
	}
}

// keeper is a Keeper in memory, as sessionStorage is for a tab.
type keeper struct {
	mu    sync.Mutex
	token string
	seq   uint64
}

func (k *keeper) Load() (string, uint64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.token, k.seq
}

func (k *keeper) Save(token string, seq uint64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.token, k.seq = token, seq
}

// TestKeeperCarriesTheGameToTheNextPage: a page that starts with a kept
// token (a reload) resumes with it on its first connection; the link keeps
// every new token, also one the gateway sends in the middle of a session,
// keeps the count before it acknowledges it, and forgets the token when
// the game connection is over.
func TestKeeperCarriesTheGameToTheNextPage(t *testing.T) {
	g := &gateway{t: t, queries: make(chan string, 4)}
	k := &keeper{token: "tok0", seq: 5}
	checked := make(chan error, 4)
	check := func(token string, seq uint64) error {
		if gt, gs := k.Load(); gt != token || gs != seq {
			return fmt.Errorf("kept %q %d, want %q %d", gt, gs, token, seq)
		}
		return nil
	}
	g.scripts = append(g.scripts, func(ws *websocket.Conn) {
		recv(t, ws) // hello
		send(t, ws, wire.Frame{Type: wire.TypeResumed, Seq: 5})
		send(t, ws, wire.Frame{Type: wire.TypeOutput, Data: []byte("missed during the reload")})
		send(t, ws, wire.Frame{Type: wire.TypeResume, Seq: 6, Data: []byte("tok1")})
		for range ackFrames {
			send(t, ws, wire.Frame{Type: wire.TypeOutput, Data: []byte("x")})
		}
		// The count is kept before the gateway hears of it. The ack
		// timer may acknowledge a part first, on a busy machine.
		for {
			f := recv(t, ws)
			if f.Type == 0 {
				return
			}
			if f.Type != wire.TypeAck {
				continue
			}
			if gt, gs := k.Load(); gt != "tok1" || gs < f.Seq {
				checked <- fmt.Errorf("acknowledged %d with %q %d kept, want tok1 and at least the count", f.Seq, gt, gs)
				return
			}
			if f.Seq >= 6+ackFrames {
				break
			}
		}
		checked <- check("tok1", 6+ackFrames)
		// A copy of tok1 was spent elsewhere: a new token, mid-session.
		send(t, ws, wire.Frame{Type: wire.TypeResume, Seq: 6 + ackFrames, Data: []byte("tok2")})
		send(t, ws, wire.Frame{Type: wire.TypeOutput, Data: []byte("after tok2")})
		recv(t, ws) // the next ack, or the close
		send(t, ws, wire.Frame{Type: wire.TypeStatus, Status: wire.StatusGameClosed, Data: []byte("Bye.")})
		ws.Close(websocket.StatusNormalClosure, "game closed the connection")
	})
	l, stop := start(t, g, Config{Hello: &wire.Frame{Type: wire.TypeHello, Data: []byte("test/1")}, Keep: k})
	defer stop()

	if q, want := <-g.queries, wire.CapsParam+"=16&"+wire.ResumeParam+"=tok0&"+wire.SeqParam+"=5"; q != want {
		t.Fatalf("first connection's query %q, want %q: the kept token", q, want)
	}
	sawResumed := false
	for {
		ev := next(t, l)
		if ev.Frame != nil && ev.Frame.Type == wire.TypeResumed {
			sawResumed = true
			if ev.Missed != 0 {
				t.Fatalf("missed %d, want 0", ev.Missed)
			}
		}
		if ev.Frame != nil && string(ev.Frame.Data) == "after tok2" {
			break
		}
	}
	if !sawResumed {
		t.Fatal("no Resumed event")
	}
	if err := <-checked; err != nil {
		t.Fatal(err)
	}
	for {
		ev := next(t, l)
		if ev.Frame == nil && ev.State == Closed {
			break
		}
	}
	if err := check("", 0); err != nil {
		t.Fatalf("after the game closed: %v", err)
	}
}

// TestKeeperTokenThatNoLongerResumes: a kept token the gateway no longer
// knows (its grace ran out while the tab was away) starts a new game
// connection, reported as Lost, and its token is kept instead.
func TestKeeperTokenThatNoLongerResumes(t *testing.T) {
	g := &gateway{t: t}
	k := &keeper{token: "stale", seq: 9}
	g.scripts = append(g.scripts, func(ws *websocket.Conn) {
		recv(t, ws) // hello
		send(t, ws, wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnecting})
		send(t, ws, wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnected})
		send(t, ws, wire.Frame{Type: wire.TypeResume, Seq: 0, Data: []byte("new")})
		send(t, ws, wire.Frame{Type: wire.TypeOutput, Data: []byte("hello")})
		ws.Read(context.Background()) // until the link closes
	})
	l, stop := start(t, g, Config{Hello: &wire.Frame{Type: wire.TypeHello, Data: []byte("test/1")}, Keep: k})
	defer stop()
	lost := false
	for {
		ev := next(t, l)
		if ev.Frame != nil && ev.Frame.Type == wire.TypeStatus && ev.Frame.Status == wire.StatusConnecting {
			lost = ev.Lost
		}
		if ev.Frame != nil && string(ev.Frame.Data) == "hello" {
			break
		}
	}
	if !lost {
		t.Fatal("the new game connection was not reported as Lost")
	}
	if tok, seq := k.Load(); tok != "new" || seq != 0 {
		t.Fatalf("kept %q %d, want the new token at 0", tok, seq)
	}
}

// TestNoAckBeforeTheGameConnectionIsKnown: a reloaded page brings a
// count (here 500) from its last page. Until the gateway's first frame
// says whether the game was resumed, the link acknowledges nothing: when
// the resume fails, the count belongs to no frame of the new game
// connection, and acknowledging it would make the gateway forget the new
// connection's first 500 frames from its replay before the page has them.
func TestNoAckBeforeTheGameConnectionIsKnown(t *testing.T) {
	g := &gateway{t: t, queries: make(chan string, 4)}
	k := &keeper{token: "expired", seq: 500}
	acks := make(chan uint64, 16)
	g.scripts = append(g.scripts, func(ws *websocket.Conn) {
		recv(t, ws) // hello
		frames := make(chan wire.Frame, 16)
		go func() {
			defer close(frames)
			for {
				_, b, err := ws.Read(context.Background())
				if err != nil {
					return
				}
				if f, err := wire.Decode(b); err == nil {
					frames <- f
				}
			}
		}()
		// Longer than the ack interval before the first frame, as a slow
		// gateway or a refused resume may take.
		wait := time.After(ackInterval + ackInterval/2)
	quiet:
		for {
			select {
			case f := <-frames:
				if f.Type == wire.TypeAck {
					acks <- f.Seq
				}
			case <-wait:
				break quiet
			}
		}
		send(t, ws, wire.Frame{Type: wire.TypeStatus, Status: wire.StatusConnecting})
		send(t, ws, wire.Frame{Type: wire.TypeResume, Seq: 0, Data: []byte("new")})
		send(t, ws, wire.Frame{Type: wire.TypeOutput, Data: []byte("hello")})
		for f := range frames {
			if f.Type == wire.TypeAck {
				acks <- f.Seq
				return
			}
		}
	})
	l, stop := start(t, g, Config{Hello: &wire.Frame{Type: wire.TypeHello, Data: []byte("test/1")}, Keep: k})
	defer stop()
	for {
		ev := next(t, l)
		if ev.Frame != nil && string(ev.Frame.Data) == "hello" {
			break
		}
	}
	select {
	case n := <-acks:
		// Status and Output are numbered: 1 or 2 frames of the new
		// connection, as the ack timer falls.
		if n < 1 || n > 2 {
			t.Fatalf("first acknowledgement %d, want 1 or 2: nothing before the first frame, then the new connection's count", n)
		}
	case <-time.After(3 * ackInterval):
		t.Fatal("no acknowledgement of the new game connection's frames")
	}
}
