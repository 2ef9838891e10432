package status

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/drawbridge/drawbridge/gateway/internal/demo"
	"github.com/drawbridge/drawbridge/gateway/internal/telnet"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fakeGame is a telnet game on loopback that plays script on every
// connection and records what the prober sent it (what the script read).
type fakeGame struct {
	ln     net.Listener
	script func(c net.Conn)
	wg     sync.WaitGroup

	mu    sync.Mutex
	got   [][]byte // what each connection's script read, in order
	ended []bool   // each connection's script has returned
	dials []string // the player address each Dial was given
}

func newFakeGame(t *testing.T, script func(c net.Conn)) *fakeGame {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &fakeGame{ln: ln, script: script}
	g.wg.Add(1)
	go g.serve()
	t.Cleanup(func() {
		ln.Close()
		g.wg.Wait()
	})
	return g
}

func (g *fakeGame) serve() {
	defer g.wg.Done()
	for {
		c, err := g.ln.Accept()
		if err != nil {
			return
		}
		g.mu.Lock()
		i := len(g.got)
		g.got = append(g.got, nil)
		g.ended = append(g.ended, false)
		g.mu.Unlock()
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			defer func() {
				c.Close()
				g.mu.Lock()
				g.ended[i] = true
				g.mu.Unlock()
			}()
			g.script(&recordingConn{Conn: c, g: g, i: i})
		}()
	}
}

// recordingConn records what the script reads.
type recordingConn struct {
	net.Conn
	g *fakeGame
	i int
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.g.mu.Lock()
	c.g.got[c.i] = append(c.g.got[c.i], p[:n]...)
	c.g.mu.Unlock()
	return n, err
}

// dial is a Config.Dial to the fake game.
func (g *fakeGame) dial(ctx context.Context, player string) (net.Conn, error) {
	g.mu.Lock()
	g.dials = append(g.dials, player)
	g.mu.Unlock()
	var d net.Dialer
	return d.DialContext(ctx, "tcp", g.ln.Addr().String())
}

// received returns what connection i read, once its script has ended.
func (g *fakeGame) received(t *testing.T, i int) []byte {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		g.mu.Lock()
		if i < len(g.ended) && g.ended[i] {
			b := bytes.Clone(g.got[i])
			g.mu.Unlock()
			return b
		}
		g.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("connection %d still open", i)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitGone waits for the prober to hang up: reads until EOF, so the
// script ends when the prober has.
func waitGone(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	io.Copy(io.Discard, c)
}

var castle = telnet.AppendMSSP(nil, []telnet.MSSPVariable{
	{Name: "NAME", Values: []string{"Castle \x1b[31mMUD"}},
	{Name: "PLAYERS", Values: []string{"52"}},
	{Name: "UPTIME", Values: []string{"1700000000"}},
	{Name: "CODEBASE", Values: []string{"Evennia"}},
	{Name: "CONTACT", Values: []string{"keeper@castle.example"}},
	{Name: "WEBSITE", Values: []string{"https://castle.example/"}},
	{Name: "LANGUAGE", Values: []string{"English"}},
	{Name: "HOSTNAME", Values: []string{"10.0.0.5"}},
})

// mssps is a game that offers MSSP, asks the client for other options,
// and answers DO MSSP with castle, as most MSSP games do.
func mssps(c net.Conn) {
	c.Write([]byte("\xff\xfb\x46\xff\xfd\x18\xff\xfb\x01\xff\xfb\x56Welcome!\r\nName: \xff\xf9"))
	// Answer the DO that the prober sends at once.
	buf := make([]byte, 3)
	if _, err := io.ReadFull(c, buf); err != nil || !bytes.Equal(buf, []byte{telnet.IAC, telnet.DO, telnet.OptMSSP}) {
		return
	}
	c.Write(castle)
	waitGone(c)
}

func TestProbeMSSP(t *testing.T) {
	g := newFakeGame(t, mssps)
	p := New(Config{Dial: g.dial, Players: func() int { return 3 }})
	before := time.Now()
	p.check(context.Background())
	s := p.Snapshot()
	if !s.Reachable || !s.MSSP || s.Checked.Before(before) || s.Received != s.Checked {
		t.Fatalf("got %+v, want reachable with MSSP just now", s)
	}
	want := Game{Name: "Castle [31mMUD", Players: 52, Started: time.Unix(1700000000, 0),
		Codebase: "Evennia", Contact: "keeper@castle.example", Website: "https://castle.example/", Language: "English"}
	if s.Game != want {
		t.Errorf("got game %+v, want %+v", s.Game, want)
	}
	if s.WebPlayers != 3 {
		t.Errorf("got %d web players, want 3", s.WebPlayers)
	}
	// It asked for MSSP first, agreed to the offer without asking twice,
	// and refused TTYPE, ECHO and MCCP2.
	got := g.received(t, 0)
	wantSent := "\xff\xfd\x46" + "\xff\xfc\x18\xff\xfe\x01\xff\xfe\x56"
	if string(got) != wantSent {
		t.Errorf("prober sent %q, want %q", got, wantSent)
	}
	if g.dials[0] != "" {
		t.Errorf("dialled as player %q, want the gateway's own connection", g.dials[0])
	}
}

// A game that never offers MSSP but answers a DO, cut into small pieces.
func TestProbeAnswersDOWithoutOffer(t *testing.T) {
	g := newFakeGame(t, func(c net.Conn) {
		c.Write([]byte("Hello\r\n"))
		buf := make([]byte, 3)
		if _, err := io.ReadFull(c, buf); err != nil {
			return
		}
		c.Write([]byte("\xff\xfb\x46")) // WILL MSSP, the answer to DO
		for i := 0; i < len(castle); i += 5 {
			c.Write(castle[i:min(i+5, len(castle))])
			time.Sleep(time.Millisecond)
		}
		waitGone(c)
	})
	p := New(Config{Dial: g.dial})
	p.check(context.Background())
	if s := p.Snapshot(); !s.MSSP || s.Game.Players != 52 {
		t.Fatalf("got %+v, want the MSSP answer", s)
	}
	if got := g.received(t, 0); string(got) != "\xff\xfd\x46" {
		t.Errorf("prober sent %q, want only DO MSSP (the WILL answers it)", got)
	}
}

func TestProbeRefused(t *testing.T) {
	g := newFakeGame(t, func(c net.Conn) {
		buf := make([]byte, 3)
		if _, err := io.ReadFull(c, buf); err != nil {
			return
		}
		c.Write([]byte("\xff\xfc\x46Welcome\r\n")) // WONT MSSP
		waitGone(c)
	})
	p := New(Config{Dial: g.dial, Timeout: time.Minute})
	start := time.Now()
	p.check(context.Background())
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v, want the refusal to end the check at once", d)
	}
	if s := p.Snapshot(); !s.Reachable || s.MSSP || s.Checked.IsZero() || s.Game.Players != -1 {
		t.Fatalf("got %+v, want reachable without MSSP", s)
	}
}

func TestProbeSilentGameTimesOut(t *testing.T) {
	g := newFakeGame(t, func(c net.Conn) {
		c.Write([]byte("A game that knows no telnet options.\r\nName: "))
		waitGone(c)
	})
	p := New(Config{Dial: g.dial, Timeout: 200 * time.Millisecond})
	start := time.Now()
	p.check(context.Background())
	if d := time.Since(start); d < 200*time.Millisecond || d > 5*time.Second {
		t.Errorf("took %v, want about the timeout", d)
	}
	if s := p.Snapshot(); !s.Reachable || s.MSSP {
		t.Fatalf("got %+v, want reachable without MSSP", s)
	}
}

// A game that floods text without ever answering is left after maxRead.
func TestProbeFloodBounded(t *testing.T) {
	g := newFakeGame(t, func(c net.Conn) {
		line := bytes.Repeat([]byte("spam "), 1000)
		for range 2 * maxRead / len(line) {
			if _, err := c.Write(line); err != nil {
				return
			}
		}
		waitGone(c)
	})
	p := New(Config{Dial: g.dial, Timeout: time.Minute})
	start := time.Now()
	p.check(context.Background())
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v, want the flood to end the check", d)
	}
	if s := p.Snapshot(); !s.Reachable || s.MSSP {
		t.Fatalf("got %+v, want reachable without MSSP", s)
	}
}

// When the game goes down, the status says so and keeps the last answer
// apart; the log says it once.
func TestGameGoesDown(t *testing.T) {
	g := newFakeGame(t, mssps)
	var logs syncBuffer
	var down bool
	var mu sync.Mutex
	dial := func(ctx context.Context, player string) (net.Conn, error) {
		mu.Lock()
		defer mu.Unlock()
		if down {
			return nil, errors.New("connection refused")
		}
		return g.dial(ctx, player)
	}
	p := New(Config{Dial: dial, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	p.check(context.Background())
	up := p.Snapshot()
	mu.Lock()
	down = true
	mu.Unlock()
	p.check(context.Background())
	p.check(context.Background())
	s := p.Snapshot()
	if s.Reachable || s.MSSP || !s.Checked.After(up.Checked) {
		t.Fatalf("got %+v, want unreachable, checked later", s)
	}
	if s.Game != up.Game || s.Received != up.Received {
		t.Errorf("got game %+v from %v, want the last answer kept: %+v from %v", s.Game, s.Received, up.Game, up.Received)
	}
	l := logs.String()
	if n := strings.Count(l, "answers MSSP"); n != 1 {
		t.Errorf("got %d lines about MSSP, want 1:\n%s", n, l)
	}
	if n := strings.Count(l, "not answering"); n != 1 {
		t.Errorf("got %d lines about the game down, want 1:\n%s", n, l)
	}
	if !strings.Contains(l, "connection refused") {
		t.Errorf("log does not say why:\n%s", l)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Run checks at once, then every Interval, and stops with its context,
// cutting a check in progress without recording it.
func TestRun(t *testing.T) {
	hang := make(chan struct{})
	var mu sync.Mutex
	n := 0
	g := newFakeGame(t, func(c net.Conn) {
		mu.Lock()
		n++
		third := n == 3
		mu.Unlock()
		if third {
			<-hang // never answers: Run's context must end the check
			return
		}
		mssps(c)
	})
	p := New(Config{Dial: g.dial, Interval: 50 * time.Millisecond, Timeout: time.Minute})
	if !p.Snapshot().Checked.IsZero() {
		t.Fatal("checked before Run")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		k := n
		mu.Unlock()
		if k >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d checks, want 3", k)
		}
		time.Sleep(5 * time.Millisecond)
	}
	before := p.Snapshot()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: got %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	close(hang)
	if s := p.Snapshot(); !s.MSSP || s.Checked != before.Checked {
		t.Errorf("got %+v after the cut check, want the previous result kept", s)
	}
}

// A reload that shortens the interval takes effect without waiting out
// the old one.
func TestSetTiming(t *testing.T) {
	var mu sync.Mutex
	n := 0
	g := newFakeGame(t, func(c net.Conn) {
		mu.Lock()
		n++
		mu.Unlock()
		mssps(c)
	})
	checks := func() int {
		mu.Lock()
		defer mu.Unlock()
		return n
	}
	waitChecks := func(want int) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); checks() < want; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("got %d checks, want %d", checks(), want)
			}
		}
	}
	p := New(Config{Dial: g.dial, Interval: time.Hour, Timeout: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitChecks(1)
	p.SetTiming(20*time.Millisecond, 0)
	waitChecks(3)
}

func TestGameOf(t *testing.T) {
	now := time.Unix(1800000000, 0)
	tests := []struct {
		name string
		m    telnet.MSSP
		want Game
	}{
		{"nothing", telnet.MSSP{}, Game{Players: -1}},
		{"spaces around numbers", telnet.MSSP{"PLAYERS": {" 7 "}, "UPTIME": {"1700000000\r"}},
			Game{Players: 7, Started: time.Unix(1700000000, 0)}},
		{"bad numbers", telnet.MSSP{"PLAYERS": {"many"}, "UPTIME": {"-5"}}, Game{Players: -1}},
		{"negative players", telnet.MSSP{"PLAYERS": {"-1"}}, Game{Players: -1}},
		{"absurd players", telnet.MSSP{"PLAYERS": {"99999999"}}, Game{Players: -1}},
		{"uptime in the future", telnet.MSSP{"UPTIME": {"1900000000"}}, Game{Players: -1}},
		{"zero uptime", telnet.MSSP{"UPTIME": {"0"}}, Game{Players: -1}},
		{"website not http", telnet.MSSP{"WEBSITE": {"javascript:alert(1)"}}, Game{Players: -1}},
		{"website without host", telnet.MSSP{"WEBSITE": {"https:///x"}}, Game{Players: -1}},
		{"text cleaned", telnet.MSSP{"NAME": {"  The\tBig \u202eKeep\x00 \xff "}, "CODEBASE": {strings.Repeat("é", 150)}},
			Game{Name: "The Big Keep \uFFFD", Players: -1, Codebase: strings.Repeat("é", maxText)}},
	}
	for _, tc := range tests {
		if got := gameOf(tc.m, now); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// The built-in demo game answers the prober.
func TestProbeDemo(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- demo.New(demo.Config{Name: "Test Keep"}).Serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("demo: %v", err)
		}
	}()
	var d net.Dialer
	p := New(Config{Dial: func(ctx context.Context, _ string) (net.Conn, error) {
		return d.DialContext(ctx, "tcp", ln.Addr().String())
	}})
	before := time.Now().Add(-time.Second)
	p.check(context.Background())
	s := p.Snapshot()
	if !s.Reachable || !s.MSSP {
		t.Fatalf("got %+v, want the demo's MSSP answer", s)
	}
	g := s.Game
	if g.Name != "Test Keep" || g.Players != 0 || g.Codebase != demo.Codebase || g.Started.Before(before.Truncate(time.Second)) || g.Started.After(time.Now()) {
		t.Errorf("got %+v, want the demo's name, no players, started just now", g)
	}
}

// TestDialRecordsReachability: a player's dial through Dial that fails
// marks the game down at once, with no check; one the caller cancelled
// says nothing; the first that works again marks it up and makes Run
// check it at once for MSSP, long before the next Interval.
func TestDialRecordsReachability(t *testing.T) {
	g := newFakeGame(t, mssps)
	var logs syncBuffer
	var mu sync.Mutex
	down := false
	dial := func(ctx context.Context, player string) (net.Conn, error) {
		mu.Lock()
		d := down
		mu.Unlock()
		if d {
			return nil, errors.New("connection refused")
		}
		return g.dial(ctx, player)
	}
	p := New(Config{Dial: dial, Interval: time.Hour, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitFor := func(what string, cond func(Snapshot) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !cond(p.Snapshot()) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s: %+v", what, p.Snapshot())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor("the first check", func(s Snapshot) bool { return s.MSSP })

	mu.Lock()
	down = true
	mu.Unlock()
	if _, err := p.Dial(context.Background(), "203.0.113.5"); err == nil {
		t.Fatal("dial to the down game worked")
	}
	if s := p.Snapshot(); s.Reachable || s.MSSP {
		t.Errorf("after a failed player's dial: %+v, want unreachable without MSSP", s)
	}
	if !strings.Contains(logs.String(), "not answering") {
		t.Errorf("the game going down is not logged:\n%s", logs.String())
	}

	mu.Lock()
	down = false
	mu.Unlock()
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	if c, err := p.Dial(cctx, "203.0.113.5"); err == nil {
		c.Close()
	}
	if p.Snapshot().Reachable {
		t.Error("a dial the caller cancelled marked the game reachable")
	}
	c, err := p.Dial(context.Background(), "203.0.113.5")
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c.Close()
	if !p.Snapshot().Reachable {
		t.Error("a player's dial worked, but the game is not marked reachable")
	}
	// Run checks at once (Interval is an hour) and gets MSSP again.
	waitFor("a check after the game came back", func(s Snapshot) bool { return s.MSSP })
}

// A status check that was slow to finish does not overwrite what a
// player's dial saw while it ran: the game went down during the check,
// so the front page says so, although the check had got through earlier.
func TestCheckDoesNotOverwriteANewerDial(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted, release := make(chan struct{}), make(chan struct{})
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		close(accepted)
		go io.Copy(io.Discard, c) // the check's DO MSSP
		<-release
		c.Close() // no MSSP: reached, but no answer
	}()
	p := New(Config{
		Dial: func(ctx context.Context, player string) (net.Conn, error) {
			if player == "" {
				return (&net.Dialer{}).DialContext(ctx, "tcp", ln.Addr().String())
			}
			return nil, errors.New("connection refused")
		},
		Interval: time.Hour,
		Timeout:  time.Minute,
	})
	done := make(chan struct{})
	go func() { p.check(context.Background()); close(done) }()
	<-accepted
	if _, err := p.Dial(context.Background(), "alice"); err == nil {
		t.Fatal("the player's dial worked")
	}
	close(release)
	<-done
	if s := p.Snapshot(); s.Reachable {
		t.Fatalf("after a player's failed dial during a check that got through: %+v, want not reachable", s)
	}
}
