package bridge

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/gateway/internal/telnet"
	"github.com/drawbridge/drawbridge/shared/wire"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// rig is one bridge between a test player (a real WebSocket client) and a
// test game (a real TCP listener).
type rig struct {
	t      *testing.T
	hub    *Hub
	srv    *httptest.Server
	gameLn net.Listener
	games  chan net.Conn
	ws     *websocket.Conn
	ended  chan error // what Hub.Serve returned
	cancel context.CancelFunc
}

func newRig(t *testing.T, cfg Config) *rig {
	t.Helper()
	return newRigQuery(t, cfg, "session=s1&name=alice")
}

// newRigQuery is newRig with the player's query (login, capabilities).
func newRigQuery(t *testing.T, cfg Config, query string) *rig {
	t.Helper()
	r := &rig{t: t, games: make(chan net.Conn, 1), ended: make(chan error, 4)}
	var err error
	r.gameLn, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := r.gameLn.Accept()
			if err != nil {
				return
			}
			r.games <- c
		}
	}()
	if cfg.Dial == nil {
		addr := r.gameLn.Addr().String()
		cfg.Dial = func(ctx context.Context, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", addr)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.hub = NewHub(ctx, cfg)
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ws, err := websocket.Accept(w, req, &websocket.AcceptOptions{Subprotocols: []string{wire.Subprotocol}})
		if err != nil {
			t.Errorf("accept: %v", err)
			return
		}
		host, _, _ := net.SplitHostPort(req.RemoteAddr)
		q := req.URL.Query()
		if a := q.Get("addr"); a != "" {
			host = a // the player's address as a proxy in front would name it
		}
		seq, _ := strconv.ParseUint(q.Get(wire.SeqParam), 10, 64)
		caps, _ := strconv.ParseUint(q.Get(wire.CapsParam), 10, 32)
		r.ended <- r.hub.Serve(Player{WS: ws, Addr: host, Session: q.Get("session"), Name: q.Get("name"),
			Resume: q.Get(wire.ResumeParam), Seq: seq, Caps: wire.Caps(caps)})
	}))
	r.ws = r.dial(query)
	t.Cleanup(r.close)
	return r
}

// dial opens a player's WebSocket to the rig's gateway with the given
// query.
func (r *rig) dial(query string) *websocket.Conn {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(r.srv.URL, "http")+"/?"+query, &websocket.DialOptions{Subprotocols: []string{wire.Subprotocol}})
	if err != nil {
		r.t.Fatalf("dial gateway: %v", err)
	}
	ws.SetReadLimit(wire.MaxFrameSize)
	r.t.Cleanup(func() { ws.CloseNow() })
	return ws
}

func (r *rig) close() {
	r.ws.CloseNow()
	r.cancel()
	r.srv.Close()
	r.gameLn.Close()
	select {
	case c := <-r.games:
		c.Close()
	default:
	}
}

// game returns the game side of the bridge's connection.
func (r *rig) game() net.Conn {
	r.t.Helper()
	select {
	case c := <-r.games:
		r.t.Cleanup(func() { c.Close() })
		return c
	case <-time.After(5 * time.Second):
		r.t.Fatal("the bridge did not connect to the game")
	}
	return nil
}

func (r *rig) read() (wire.Frame, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := r.ws.Read(ctx)
	if err != nil {
		return wire.Frame{}, err
	}
	return wire.Decode(b)
}

func (r *rig) want(typ wire.Type) wire.Frame {
	r.t.Helper()
	f, err := r.read()
	if err != nil {
		r.t.Fatalf("reading a %s frame: %v", typ, err)
	}
	if f.Type != typ {
		r.t.Fatalf("got %s frame %q, want %s", f.Type, f.Data, typ)
	}
	return f
}

// wantClosed reads until the WebSocket closes and checks the close code.
// It returns the frames read before the close.
func (r *rig) wantClosed(code websocket.StatusCode) []wire.Frame {
	r.t.Helper()
	var frames []wire.Frame
	for {
		f, err := r.read()
		if err != nil {
			if got := websocket.CloseStatus(err); got != code {
				r.t.Fatalf("closed with %v (%v), want %v", got, err, code)
			}
			return frames
		}
		frames = append(frames, f)
	}
}

func (r *rig) send(f wire.Frame) {
	r.t.Helper()
	b, err := wire.Append(nil, &f)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.ws.Write(context.Background(), websocket.MessageBinary, b); err != nil {
		r.t.Fatalf("send: %v", err)
	}
}

// connected reads the two status frames every session starts with.
func (r *rig) connected() net.Conn {
	r.t.Helper()
	if f := r.want(wire.TypeStatus); f.Status != wire.StatusConnecting {
		r.t.Fatalf("first status %v, want connecting", f.Status)
	}
	g := r.game()
	if f := r.want(wire.TypeStatus); f.Status != wire.StatusConnected {
		r.t.Fatalf("second status %v, want connected", f.Status)
	}
	return g
}

func readGame(t *testing.T, c net.Conn, want string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("game read: %v (got %q)", err, got)
	}
	if string(got) != want {
		t.Fatalf("game got %q, want %q", got, want)
	}
}

func TestOutputPromptsAndInput(t *testing.T) {
	r := newRig(t, Config{})
	g := r.connected()

	g.Write([]byte("\x1b[1;33mWelcome\x1b[0m\r\nName: \xff\xf9"))
	out := r.want(wire.TypeOutput)
	if string(out.Data) != "\x1b[1;33mWelcome\x1b[0m\r\nName: " {
		t.Fatalf("output %q", out.Data)
	}
	r.want(wire.TypePrompt)

	r.send(wire.Frame{Type: wire.TypeLine, Data: []byte("look")})
	readGame(t, g, "look\r\n")

	// Raw keys with IAC in them reach the game escaped: never as a command.
	r.send(wire.Frame{Type: wire.TypeKeys, Data: []byte{0xff, 0xf4, 'x'}})
	readGame(t, g, "\xff\xff\xf4x")

	// A ping is answered with its number, and nothing reaches the game.
	r.send(wire.Frame{Type: wire.TypePing, Seq: 42})
	if f := r.want(wire.TypePong); f.Seq != 42 {
		t.Fatalf("pong seq %d, want 42", f.Seq)
	}

	// The game asks for a password.
	g.Write([]byte{telnet.IAC, telnet.WILL, telnet.OptEcho})
	readGame(t, g, string([]byte{telnet.IAC, telnet.DO, telnet.OptEcho}))
	if f := r.want(wire.TypeEcho); !f.Echo {
		t.Fatal("echo frame says local echo, want masked")
	}

	// The game closes: the player is told, with a normal closure.
	g.Close()
	frames := r.wantClosed(websocket.StatusNormalClosure)
	if len(frames) != 1 || frames[0].Type != wire.TypeStatus || frames[0].Status != wire.StatusGameClosed {
		t.Fatalf("frames before close %+v, want one game-closed status", frames)
	}
	if err := <-r.ended; err != nil {
		t.Fatalf("Serve returned %v, want nil for a game that closed", err)
	}
}

func TestResizeDrivesNAWS(t *testing.T) {
	r := newRig(t, Config{})
	g := r.connected()
	g.Write([]byte{telnet.IAC, telnet.DO, telnet.OptNAWS})
	readGame(t, g, string([]byte{telnet.IAC, telnet.WILL, telnet.OptNAWS, telnet.IAC, telnet.SB, telnet.OptNAWS, 0, 80, 0, 24, telnet.IAC, telnet.SE}))
	r.send(wire.Frame{Type: wire.TypeResize, Cols: 255, Rows: 50})
	readGame(t, g, string([]byte{telnet.IAC, telnet.SB, telnet.OptNAWS, 0, 255, 255, 0, 50, telnet.IAC, telnet.SE}))
}

// A game connection that is reset is reported as lost, not as a game
// that said goodbye: the error must survive the wait for readable data.
func TestGameResetIsReportedAsLost(t *testing.T) {
	r := newRig(t, Config{})
	g := r.connected()
	g.(*net.TCPConn).SetLinger(0) // Close sends a reset
	g.Close()
	frames := r.wantClosed(websocket.StatusNormalClosure)
	if len(frames) != 1 || frames[0].Status != wire.StatusGameClosed || !strings.Contains(string(frames[0].Data), "was lost") {
		t.Fatalf("frames before close %+v, want the connection to the game reported lost", frames)
	}
	if err := <-r.ended; err == nil || !strings.Contains(err.Error(), "reset") {
		t.Fatalf("Serve returned %v, want the reset", err)
	}
}

// GMCP both ways: the game's messages reach the player in order with the
// text; the player's reach the game only for allow-listed packages.
func TestGMCP(t *testing.T) {
	r := newRig(t, Config{})
	g := r.connected()
	g.Write([]byte{telnet.IAC, telnet.WILL, telnet.OptGMCP})
	hello := string([]byte{telnet.IAC, telnet.DO, telnet.OptGMCP, telnet.IAC, telnet.SB, telnet.OptGMCP}) + `Core.Hello {"client":"DRAWBRIDGE","version":"1"}` +
		string([]byte{telnet.IAC, telnet.SE, telnet.IAC, telnet.SB, telnet.OptGMCP}) + `Core.Supports.Set ["Char 1","Char.Skills 1","Char.Items 1","Comm.Channel 1","Room 1"]` +
		string([]byte{telnet.IAC, telnet.SE})
	readGame(t, g, hello)

	g.Write(append(append([]byte("HP: "), telnet.IAC, telnet.SB, telnet.OptGMCP), []byte(`Char.Vitals {"hp":7}`+"\xff\xf0ok\r\n")...))
	if f := r.want(wire.TypeOutput); string(f.Data) != "HP: " {
		t.Fatalf("output %q", f.Data)
	}
	if f := r.want(wire.TypeGMCP); string(f.Data) != `Char.Vitals {"hp":7}` {
		t.Fatalf("GMCP %q", f.Data)
	}
	if f := r.want(wire.TypeOutput); string(f.Data) != "ok\r\n" {
		t.Fatalf("output %q", f.Data)
	}

	// A player's Core.Hello would pose as another client: dropped. An
	// allow-listed request goes through, and nothing else came before it.
	r.send(wire.Frame{Type: wire.TypeGMCPIn, Data: []byte(`Core.Hello {"client":"Mudlet"}`)})
	r.send(wire.Frame{Type: wire.TypeGMCPIn, Data: []byte(`Char.Items.Inv`)})
	readGame(t, g, string([]byte{telnet.IAC, telnet.SB, telnet.OptGMCP})+"Char.Items.Inv"+string([]byte{telnet.IAC, telnet.SE}))
}

// A game that asks over NEW-ENVIRON learns the player's own address.
func TestGameLearnsPlayerAddress(t *testing.T) {
	r := newRig(t, Config{})
	g := r.connected()
	g.Write([]byte{telnet.IAC, telnet.DO, telnet.OptNewEnviron, telnet.IAC, telnet.SB, telnet.OptNewEnviron, telnet.EnvSEND, telnet.EnvVAR})
	g.Write([]byte("IPADDRESS"))
	g.Write([]byte{telnet.IAC, telnet.SE})
	want := []byte{telnet.IAC, telnet.WILL, telnet.OptNewEnviron, telnet.IAC, telnet.SB, telnet.OptNewEnviron, telnet.EnvIS, telnet.EnvVAR}
	want = append(want, "IPADDRESS\x01127.0.0.1"...)
	want = append(want, telnet.IAC, telnet.SE)
	readGame(t, g, string(want))
}

// The last output a game sends before it disconnects must reach the
// player in full (websockify loses it).
func TestFinalOutputBeforeGameCloses(t *testing.T) {
	r := newRig(t, Config{})
	g := r.connected()
	want := bytes.Repeat([]byte("The dragon breathes fire. "), 20000) // ~500 KB
	want = append(want, "Goodbye!\r\n"...)
	go func() {
		g.Write(want)
		g.Close()
	}()
	var got []byte
	for {
		f, err := r.read()
		if err != nil {
			t.Fatalf("read: %v after %d bytes", err, len(got))
		}
		if f.Type == wire.TypeStatus && f.Status == wire.StatusGameClosed {
			break
		}
		if f.Type != wire.TypeOutput {
			t.Fatalf("unexpected %s frame", f.Type)
		}
		got = append(got, f.Data...)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes ending %q, want %d ending %q", len(got), got[max(0, len(got)-20):], len(want), want[len(want)-20:])
	}
	r.wantClosed(websocket.StatusNormalClosure)
}

// A burst far over one read, from a game that stays connected, arrives in
// full, and so does a line after a pause: the bridge waits for the game's
// socket to be readable before it takes a read buffer, and must not miss
// data that was already there when one read did not take it all.
func TestBurstFromAConnectedGame(t *testing.T) {
	r := newRig(t, Config{})
	g := r.connected()
	burst := bytes.Repeat([]byte("A wave of goblins charges. "), 12000) // ~320 KB, 20 reads
	readOutput := func(n int) []byte {
		var got []byte
		for len(got) < n {
			f, err := r.read()
			if err != nil {
				t.Fatalf("read: %v after %d of %d bytes", err, len(got), n)
			}
			if f.Type == wire.TypeOutput {
				got = append(got, f.Data...)
			}
		}
		return got
	}
	for round := range 3 {
		if _, err := g.Write(burst); err != nil {
			t.Fatal(err)
		}
		if got := readOutput(len(burst)); !bytes.Equal(got, burst) {
			t.Fatalf("round %d: got %d bytes, want the %d of the burst", round, len(got), len(burst))
		}
		time.Sleep(50 * time.Millisecond)
		g.Write([]byte("Quiet again.\r\n"))
		if got := readOutput(len("Quiet again.\r\n")); string(got) != "Quiet again.\r\n" {
			t.Fatalf("round %d: after the pause got %q", round, got)
		}
	}
}

func TestGameUnreachable(t *testing.T) {
	r := newRig(t, Config{Dial: func(ctx context.Context, _ string) (net.Conn, error) {
		return nil, errors.New("connection refused")
	}})
	r.want(wire.TypeStatus)
	frames := r.wantClosed(websocket.StatusTryAgainLater)
	if len(frames) != 1 || frames[0].Type != wire.TypeError || frames[0].Code != wire.ErrorGameUnreachable {
		t.Fatalf("frames %+v, want one game-unreachable error", frames)
	}
	if err := <-r.ended; err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("Serve returned %v, want the unreachable reason", err)
	}
}

func TestGameDialTimesOut(t *testing.T) {
	r := newRig(t, Config{DialTimeout: 50 * time.Millisecond, Dial: func(ctx context.Context, _ string) (net.Conn, error) {
		<-ctx.Done() // a game that never answers
		return nil, ctx.Err()
	}})
	r.want(wire.TypeStatus)
	frames := r.wantClosed(websocket.StatusTryAgainLater)
	if len(frames) != 1 || frames[0].Code != wire.ErrorGameUnreachable {
		t.Fatalf("frames %+v, want one game-unreachable error", frames)
	}
}

func TestBadFramesFromPlayer(t *testing.T) {
	tests := []struct {
		name  string
		typ   websocket.MessageType
		msg   []byte
		code  websocket.StatusCode
		frame bool // an Error frame precedes the close
	}{
		{"malformed line", websocket.MessageBinary, []byte{byte(wire.TypeLine), 'a', '\n', 'b'}, websocket.StatusProtocolError, true},
		{"unknown type", websocket.MessageBinary, []byte{0x7e}, websocket.StatusProtocolError, true},
		{"gateway-only type", websocket.MessageBinary, []byte{byte(wire.TypeOutput), 'x'}, websocket.StatusProtocolError, true},
		{"empty", websocket.MessageBinary, nil, websocket.StatusProtocolError, true},
		{"text message", websocket.MessageText, []byte("look"), websocket.StatusUnsupportedData, false},
		{"too large", websocket.MessageBinary, make([]byte, wire.MaxFrameSize+1), websocket.StatusMessageTooBig, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, Config{})
			g := r.connected()
			if err := r.ws.Write(context.Background(), tc.typ, tc.msg); err != nil {
				t.Fatal(err)
			}
			frames := r.wantClosed(tc.code)
			if tc.frame && (len(frames) != 1 || frames[0].Type != wire.TypeError || frames[0].Code != wire.ErrorProtocol) {
				t.Fatalf("frames %+v, want one protocol error", frames)
			}
			// The game connection is closed too.
			g.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.ReadAll(g); err != nil {
				t.Fatalf("game side: %v, want EOF", err)
			}
		})
	}
}

func TestShutdownTellsPlayersAndWaits(t *testing.T) {
	r := newRig(t, Config{})
	r.connected()
	if n := r.hub.Len(); n != 1 {
		t.Fatalf("hub has %d sessions, want 1", n)
	}
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- r.hub.Shutdown(ctx)
	}()
	frames := r.wantClosed(websocket.StatusGoingAway)
	if len(frames) != 1 || frames[0].Status != wire.StatusGatewayRestarting {
		t.Fatalf("frames %+v, want one gateway-restarting status", frames)
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if n := r.hub.Len(); n != 0 {
		t.Fatalf("hub has %d sessions after shutdown, want 0", n)
	}

	// A player arriving during shutdown is turned away with 1001.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	late, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(r.srv.URL, "http"), &websocket.DialOptions{Subprotocols: []string{wire.Subprotocol}})
	if err != nil {
		t.Fatal(err)
	}
	defer late.CloseNow()
	if _, _, err := late.Read(ctx); websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Fatalf("late player got %v, want going away", err)
	}
}

func TestIdlePlayerDisconnected(t *testing.T) {
	r := newRig(t, Config{IdleTimeout: 100 * time.Millisecond, PingInterval: 40 * time.Millisecond})
	r.connected()
	frames := r.wantClosed(websocket.StatusNormalClosure)
	if len(frames) != 1 || frames[0].Type != wire.TypeError || frames[0].Code != wire.ErrorIdle {
		t.Fatalf("frames %+v, want one idle error", frames)
	}
}

// A player who stops reading stops the game's output at the TCP level
// instead of growing a queue in the gateway, and is dropped after
// WriteTimeout.
func TestStalledPlayerBackpressure(t *testing.T) {
	r := newRig(t, Config{WriteTimeout: time.Second, IdleTimeout: -1})
	g := r.connected()

	// The game writes as fast as it can, retrying while blocked, until the
	// gateway drops it; the loop stops at limit so the test is bounded.
	const limit = 256 << 20
	var written atomic.Int64
	gameDone := make(chan error, 1)
	go func() {
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for written.Load() < limit {
			g.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
			n, err := g.Write(chunk)
			written.Add(int64(n))
			var ne net.Error
			if err != nil && !(errors.As(err, &ne) && ne.Timeout()) {
				gameDone <- err
				return
			}
		}
		gameDone <- nil
	}()

	select {
	case err := <-r.ended:
		if err == nil || !strings.Contains(err.Error(), "slow") {
			t.Fatalf("session ended with %v, want player too slow", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("stalled player still connected long after WriteTimeout")
	}
	if err := <-gameDone; err == nil {
		t.Fatalf("the game wrote %d MiB to a player who reads nothing; want it blocked and then dropped", limit>>20)
	}
	t.Logf("the game got %.1f MiB out before the stalled player was dropped (kernel socket buffers on both sides, plus one read)",
		float64(written.Load())/(1<<20))
}

// Junk from the game (an endless subnegotiation, stray IACs) does not stop
// the session or grow it.
func TestHostileGame(t *testing.T) {
	r := newRig(t, Config{})
	g := r.connected()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		junk := []byte{telnet.IAC, telnet.SB, telnet.OptTTYPE}
		junk = append(junk, bytes.Repeat([]byte{0xff, 0xff, 1, 2, 3}, 200000)...) // 1 MB inside one SB
		junk = append(junk, telnet.IAC, telnet.SE, telnet.IAC, 0x01, telnet.IAC, telnet.WILL, 0x99)
		junk = append(junk, "still here\r\n"...)
		g.Write(junk)
	}()
	// The refusal of option 0x99 goes back to the game.
	readGame(t, g, string([]byte{telnet.IAC, telnet.DONT, 0x99}))
	wg.Wait()
	var got []byte
	for !bytes.Contains(got, []byte("still here")) {
		f := r.want(wire.TypeOutput)
		got = append(got, f.Data...)
	}
	if len(got) > 64 {
		t.Fatalf("player got %d bytes of output, want only the text after the junk: %q", len(got), got)
	}
}

func TestPlayerLimitPerAddress(t *testing.T) {
	r := newRig(t, Config{MaxPlayersPerAddr: 1})
	r.connected()
	r.wantRefused("/?name=bob", "network address")
	if n := r.hub.Len(); n != 1 {
		t.Fatalf("hub has %d sessions, want the first player only", n)
	}
}

// Players from one IPv6 /64 share the per-address limit, whatever
// addresses inside it they use; another /64 has its own.
func TestPlayerLimitPerAddressGroupsIPv6By64(t *testing.T) {
	r := newRigQuery(t, Config{MaxPlayersPerAddr: 1}, "session=s1&name=alice&addr=2001:db8:1:2::1")
	r.connected()
	r.wantRefused("/?name=bob&addr=2001:db8:1:2:ffff:ffff:ffff:ffff", "network address")
	if n := r.hub.Len(); n != 1 {
		t.Fatalf("hub has %d sessions, want the first player only", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	carol, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(r.srv.URL, "http")+"/?name=carol&addr=2001:db8:1:3::1", &websocket.DialOptions{Subprotocols: []string{wire.Subprotocol}})
	if err != nil {
		t.Fatal(err)
	}
	defer carol.CloseNow()
	if f := readFrame(t, ctx, carol); f.Type != wire.TypeStatus || f.Status != wire.StatusConnecting {
		t.Fatalf("a player from another /64 got %+v, want the connecting status", f)
	}
	r.game()
}

func TestPlayerLimitPerAccount(t *testing.T) {
	r := newRig(t, Config{MaxPlayersPerAccount: 1})
	r.connected() // alice
	r.wantRefused("/?name=alice", "alice is already playing")
	// Another account from the same address is let in.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	bob, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(r.srv.URL, "http")+"/?name=bob", &websocket.DialOptions{Subprotocols: []string{wire.Subprotocol}})
	if err != nil {
		t.Fatal(err)
	}
	defer bob.CloseNow()
	r.game()
	if f := readFrame(t, ctx, bob); f.Type != wire.TypeStatus {
		t.Fatalf("bob got %+v, want the connecting status", f)
	}
}

// readFrame reads one frame from ws.
func readFrame(t *testing.T, ctx context.Context, ws *websocket.Conn) wire.Frame {
	t.Helper()
	_, b, err := ws.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	f, err := wire.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// wantRefused dials path and expects a limit error saying why, a 1013
// close, and Serve's ErrFull.
func (r *rig) wantRefused(path, why string) {
	t := r.t
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(r.srv.URL, "http")+path, &websocket.DialOptions{Subprotocols: []string{wire.Subprotocol}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	if f := readFrame(t, ctx, ws); f.Type != wire.TypeError || f.Code != wire.ErrorLimit || !strings.Contains(string(f.Data), why) {
		t.Fatalf("got %+v (%q), want a limit error saying %q", f, f.Data, why)
	}
	if _, _, err := ws.Read(ctx); websocket.CloseStatus(err) != websocket.StatusTryAgainLater {
		t.Fatalf("closed with %v, want 1013", err)
	}
	if err := <-r.ended; !errors.Is(err, ErrFull) {
		t.Fatalf("Serve returned %v, want ErrFull", err)
	}
}

func TestShutdownWhileDialling(t *testing.T) {
	dialling := make(chan struct{})
	r := newRig(t, Config{DialTimeout: time.Minute, Dial: func(ctx context.Context, _ string) (net.Conn, error) {
		close(dialling)
		<-ctx.Done() // a game that never answers
		return nil, ctx.Err()
	}})
	r.want(wire.TypeStatus)
	<-dialling
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- r.hub.Shutdown(ctx)
	}()
	frames := r.wantClosed(websocket.StatusGoingAway)
	if len(frames) != 1 || frames[0].Status != wire.StatusGatewayRestarting {
		t.Fatalf("frames %+v, want the restarting status", frames)
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Shutdown took %v: it waited for the dial", d)
	}
}

func TestDeadPlayerDetectedByPing(t *testing.T) {
	r := newRig(t, Config{PingInterval: 50 * time.Millisecond, IdleTimeout: -1})
	r.game()
	// The player never reads again, so pongs never come back.
	select {
	case err := <-r.ended:
		if err == nil || !strings.Contains(err.Error(), "pings") {
			t.Fatalf("session ended with %v, want the ping failure", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a player who answers no pings is still connected")
	}
}

// A game that says goodbye and hangs up before the gateway's answer to
// its negotiation can be written: the goodbye still reaches the player.
func TestGameLastWordsWhenReplyFails(t *testing.T) {
	gameSide, bridgeSide := net.Pipe()
	r := newRig(t, Config{Dial: func(context.Context, string) (net.Conn, error) { return bridgeSide, nil }})
	r.want(wire.TypeStatus)
	r.want(wire.TypeStatus)
	go func() {
		gameSide.Write([]byte("Goodbye!\r\n\xff\xfb\x01")) // IAC WILL ECHO needs an answer
		gameSide.Close()
	}()
	var got []byte
	for {
		f, err := r.read()
		if err != nil {
			break
		}
		if f.Type == wire.TypeOutput {
			got = append(got, f.Data...)
		}
	}
	if string(got) != "Goodbye!\r\n" {
		t.Fatalf("player got %q, want the goodbye", got)
	}
}

// Ending a login session closes that player's bridge, with the reason,
// and no other.
func TestEndLoginSession(t *testing.T) {
	var logs lockedBuffer
	r := newRig(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	r.connected()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	other, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(r.srv.URL, "http")+"/?session=s2", &websocket.DialOptions{Subprotocols: []string{wire.Subprotocol}})
	if err != nil {
		t.Fatal(err)
	}
	defer other.CloseNow()
	for r.hub.Len() < 2 {
		time.Sleep(5 * time.Millisecond)
	}
	if n := r.hub.End([]string{"s1", "unknown"}, wire.ReasonLogout); n != 1 {
		t.Fatalf("End ended %d sessions, want 1", n)
	}
	frames := r.wantClosed(websocket.StatusPolicyViolation)
	if len(frames) != 1 || frames[0].Code != wire.ErrorUnauthorized || string(frames[0].Data) != string(wire.ReasonLogout) {
		t.Fatalf("frames %+v, want the unauthorized error with the reason", frames)
	}
	if err := <-r.ended; err == nil || !strings.Contains(err.Error(), "login session ended") {
		t.Fatalf("Serve returned %v", err)
	}
	if n := r.hub.Len(); n != 1 {
		t.Fatalf("%d sessions left, want the other player's", n)
	}
	// An ended login (an operator's revocation too) is routine: INFO.
	var ended string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, `msg="session ended"`) {
			ended = l
		}
	}
	if !strings.Contains(ended, "level=INFO") || !strings.Contains(ended, "login session ended: logout") {
		t.Errorf("the bridge's end was logged as %q, want level=INFO with the reason", ended)
	}
}

// lockedBuffer is a bytes.Buffer that goroutines may write at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestGMCPAllowList(t *testing.T) {
	c := Config{GMCPFromPlayers: []string{"IRE.Rift.Request", "Core.Hello"}}
	for pkg, want := range map[string]bool{
		"IRE.Rift.Request": true,
		"ire.rift.request": true,
		"Core.Hello":       false, // never, even when listed
		"Char.Items.Inv":   false, // the default list is replaced
	} {
		if got := c.gmcpAllowed(pkg); got != want {
			t.Errorf("%s allowed: %v, want %v", pkg, got, want)
		}
	}
	var def Config
	if !def.gmcpAllowed("Char.Items.Inv") || def.gmcpAllowed("Char.Vitals") {
		t.Error("the default list is not in force for a nil setting")
	}
	none := Config{GMCPFromPlayers: []string{}}
	if none.gmcpAllowed("Core.Ping") {
		t.Error("an empty list allows Core.Ping, want nothing")
	}
}

// mccpStart has the game turn on compression: WILL COMPRESS2, the
// gateway's DO, then the start marker, after which all is zlib.
func mccpStart(t *testing.T, g net.Conn) {
	t.Helper()
	g.Write([]byte{telnet.IAC, telnet.WILL, telnet.OptMCCP2})
	readGame(t, g, string([]byte{telnet.IAC, telnet.DO, telnet.OptMCCP2}))
	g.Write([]byte{telnet.IAC, telnet.SB, telnet.OptMCCP2, telnet.IAC, telnet.SE})
}

// A compressed burst that inflates to many frames' worth reaches the
// player whole, in frames within the wire's limit.
func TestCompressedBurst(t *testing.T) {
	r := newRig(t, Config{})
	g := r.connected()
	mccpStart(t, g)
	want := bytes.Repeat([]byte("\x1b[32mA goblin hits you.\x1b[0m\r\n"), 12000) // ~340 KB, tiny compressed
	zw := zlib.NewWriter(g)
	zw.Write(want)
	zw.Close()
	var got []byte
	for len(got) < len(want) {
		f := r.want(wire.TypeOutput)
		got = append(got, f.Data...)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes, want the %d the game compressed", len(got), len(want))
	}
	// The stream ended: plain telnet again.
	g.Write([]byte("plain\r\n"))
	if f := r.want(wire.TypeOutput); string(f.Data) != "plain\r\n" {
		t.Fatalf("after the compressed stream: %q", f.Data)
	}
}

// A corrupt compressed stream ends that player's session, saying why.
func TestCorruptCompressedStream(t *testing.T) {
	r := newRig(t, Config{})
	g := r.connected()
	mccpStart(t, g)
	g.Write([]byte("this is not zlib at all"))
	frames := r.wantClosed(websocket.StatusNormalClosure)
	if len(frames) != 1 || frames[0].Status != wire.StatusGameClosed || !strings.Contains(string(frames[0].Data), "corrupt compressed stream") {
		t.Fatalf("frames before close %+v, want the corrupt-stream status", frames)
	}
	if err := <-r.ended; err == nil || !strings.Contains(err.Error(), "compress") {
		t.Fatalf("Serve returned %v, want the compression error", err)
	}
}

// What the game hears in the MTTS cycle follows what the client said it
// can do when it connected.
func TestMTTSFollowsTheClient(t *testing.T) {
	for _, tc := range []struct {
		caps wire.Caps
		want int
	}{
		{0, telnet.DefaultMTTS | telnet.MTTSSSL},
		{wire.CapUTF8 | wire.CapTruecolor, telnet.DefaultMTTS | telnet.MTTSSSL},
		{wire.CapUTF8 | wire.CapTruecolor | wire.CapScreenReader, telnet.DefaultMTTS | telnet.MTTSSSL | telnet.MTTSScreenReader},
		{wire.CapUTF8, (telnet.DefaultMTTS | telnet.MTTSSSL) &^ telnet.MTTSTrueColor},
	} {
		r := newRigQuery(t, Config{}, fmt.Sprintf("session=s1&%s=%d", wire.CapsParam, tc.caps))
		g := r.connected()
		g.Write([]byte{telnet.IAC, telnet.DO, telnet.OptTTYPE})
		readGame(t, g, string([]byte{telnet.IAC, telnet.WILL, telnet.OptTTYPE}))
		want := fmt.Sprintf("MTTS %d", tc.want)
		for i := range 3 {
			g.Write([]byte{telnet.IAC, telnet.SB, telnet.OptTTYPE, telnet.SEND, telnet.IAC, telnet.SE})
			if i < 2 {
				g.SetReadDeadline(time.Now().Add(5 * time.Second))
				buf := make([]byte, 128)
				n, _ := g.Read(buf)
				if i == 0 && !bytes.Contains(buf[:n], []byte("DRAWBRIDGE")) {
					t.Fatalf("first TTYPE answer %q", buf[:n])
				}
				continue
			}
			readGame(t, g, string([]byte{telnet.IAC, telnet.SB, telnet.OptTTYPE, telnet.IS})+want+string([]byte{telnet.IAC, telnet.SE}))
		}
	}
}

func TestDialResult(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, refused := net.Dial("tcp", addr)
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	var d net.Dialer
	_, timeout := d.DialContext(ctx, "tcp", addr)
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, "ok"},
		{fmt.Errorf("backend: %w", refused), "refused"},
		{timeout, "timeout"},
		{fmt.Errorf("TLS with game: %w", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), "tls"},
		{errors.New("no route"), "error"},
	} {
		if got := dialResult(tc.err); got != tc.want {
			t.Errorf("dialResult(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
