package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"go.uber.org/goleak"

	"github.com/drawbridge/drawbridge/gateway/internal/telnet"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const waitFor = 5 * time.Second

// startServer runs a Server on 127.0.0.1:0 until the test ends. tune may
// shorten the Server's timeouts before it starts.
func startServer(t *testing.T, tune func(*Server)) (*Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, stop := serveOn(t, ln, tune)
	t.Cleanup(stop)
	return s, ln.Addr().String()
}

// serveOn runs a Server on ln; stop cancels it and checks Serve's result.
func serveOn(t *testing.T, ln net.Listener, tune func(*Server)) (*Server, func()) {
	t.Helper()
	s := New(Config{})
	if tune != nil {
		tune(s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ctx, ln) }()
	return s, func() {
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("Serve: got %v, want nil", err)
			}
		case <-time.After(waitFor):
			t.Errorf("Serve did not return after cancel")
		}
	}
}

// testClient is a player: the gateway's own telnet.Client over a real
// connection, with everything it shows recorded in order ("<P>" for a
// prompt mark, "<E+>"/"<E->" for echo changes).
type testClient struct {
	t      *testing.T
	nc     net.Conn
	tc     *telnet.Client
	notify chan struct{}
	done   chan struct{} // closed when the connection is gone

	mu      sync.Mutex
	screen  []byte
	pos     int      // expect searches from here
	gmcp    []string // GMCP messages, in order
	gmcpPos int      // expectGMCP searches from here
	paused  chan struct{}
}

func dial(t *testing.T, addr string, cfg telnet.Config) *testClient {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return newTestClient(t, nc, cfg)
}

func newTestClient(t *testing.T, nc net.Conn, cfg telnet.Config) *testClient {
	c := &testClient{
		t:      t,
		nc:     nc,
		tc:     telnet.NewClient(cfg, nc),
		notify: make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
	go c.read()
	t.Cleanup(func() {
		nc.Close()
		c.resume()
		<-c.done
	})
	return c
}

func (c *testClient) read() {
	defer close(c.done)
	buf := make([]byte, 1024)
	for {
		c.mu.Lock()
		p := c.paused
		c.mu.Unlock()
		if p != nil {
			<-p
		}
		n, err := c.nc.Read(buf)
		if n > 0 {
			if werr := c.tc.Receive(buf[:n], c); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// pause stops reading from the connection, as a stalled player would.
func (c *testClient) pause() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.paused == nil {
		c.paused = make(chan struct{})
	}
}

func (c *testClient) resume() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.paused != nil {
		close(c.paused)
		c.paused = nil
	}
}

func (c *testClient) add(s string) {
	c.mu.Lock()
	c.screen = append(c.screen, s...)
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

func (c *testClient) Output(p []byte) {
	if !utf8.Valid(p) {
		c.t.Errorf("got invalid UTF-8 output %q", p)
	}
	c.add(string(p))
}
func (c *testClient) Prompt() { c.add("<P>") }
func (c *testClient) GMCP(msg []byte) {
	c.mu.Lock()
	c.gmcp = append(c.gmcp, string(msg))
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
}
func (c *testClient) Echo(remote bool) {
	if remote {
		c.add("<E+>")
	} else {
		c.add("<E->")
	}
}

// expect waits until want shows up after the previous match and returns
// everything from the previous match up to and including want.
func (c *testClient) expect(want string) string {
	c.t.Helper()
	deadline := time.After(waitFor)
	for {
		c.mu.Lock()
		if i := bytes.Index(c.screen[c.pos:], []byte(want)); i >= 0 {
			seg := string(c.screen[c.pos : c.pos+i+len(want)])
			c.pos += i + len(want)
			c.mu.Unlock()
			return seg
		}
		tail := string(c.screen[c.pos:])
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-c.done:
			// Look one last time: the final output may have just arrived.
			c.mu.Lock()
			found := bytes.Contains(c.screen[c.pos:], []byte(want))
			c.mu.Unlock()
			if found {
				continue
			}
			c.t.Fatalf("connection closed before %q; got %q", want, tail)
		case <-deadline:
			c.t.Fatalf("timed out waiting for %q; got %q", want, tail)
		}
	}
}

// seen waits until want shows up anywhere on the screen, whatever
// expect matched before.
func (c *testClient) seen(want string) {
	c.t.Helper()
	deadline := time.Now().Add(waitFor)
	for !strings.Contains(c.all(), want) {
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out waiting for %q; got %q", want, c.all())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// all returns everything shown so far.
func (c *testClient) all() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.screen)
}

func (c *testClient) send(line string) {
	c.t.Helper()
	if err := c.tc.SendLine([]byte(line)); err != nil {
		c.t.Fatalf("send %q: %v", line, err)
	}
}

// waitClosed waits for the server to hang up.
func (c *testClient) waitClosed() {
	c.t.Helper()
	select {
	case <-c.done:
	case <-time.After(waitFor):
		c.t.Fatalf("connection still open; got %q", c.all())
	}
}

// login creates (or logs into) a character and waits for the first game
// prompt.
func login(t *testing.T, addr, name, pw string, cfg telnet.Config) *testClient {
	t.Helper()
	c := dial(t, addr, cfg)
	c.expect("What is your name? <P>")
	c.send(name)
	c.expect("Password: <P>")
	c.send(pw)
	c.expect("Exits:")
	c.expect("> \x1b[0m<P>")
	return c
}

func waitPlayers(t *testing.T, s *Server, want int) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for s.Players() != want {
		if time.Now().After(deadline) {
			t.Fatalf("got %d players, want %d", s.Players(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// ansiRE matches CSI sequences and OSCs (the OSC 8 links the gateway's
// client makes of the demo's MXP).
var ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)")

func stripANSI(s string) string { return ansiRE.ReplaceAllString(s, "") }

func TestBanner(t *testing.T) {
	_, addr := startServer(t, nil)
	c := dial(t, addr, telnet.Config{})
	got := c.expect("What is your name? <P>")
	if !strings.Contains(got, "DRAWBRIDGE") {
		t.Errorf("got banner %q, want it to contain DRAWBRIDGE", got)
	}
	if !strings.Contains(got, "Welcome to the \x1b[1;36mDrawbridge Demo\x1b[0m!") {
		t.Errorf("got banner %q, want the welcome line", got)
	}
	if !strings.Contains(got, "\x1b[1;33m") {
		t.Errorf("got banner %q, want colours", got)
	}
}

func TestLoginEchoAroundPassword(t *testing.T) {
	s, addr := startServer(t, nil)
	c := dial(t, addr, telnet.Config{})
	c.expect("What is your name? <P>")
	c.send("alice")
	// WILL ECHO comes before the prompt: the client masks input from it.
	c.expect("Choose a password for Alice.\r\n<E+>Password: <P>")
	c.send("s3cret")
	// WONT ECHO comes right after the password line, then the line end
	// the client did not echo.
	got := c.expect("On the Drawbridge")
	if !strings.HasPrefix(got, "<E->\r\n") {
		t.Errorf("got %q after the password, want it to start with echo off and CR LF", got)
	}
	c.expect("> \x1b[0m<P>")
	if strings.Contains(c.all(), "s3cret") {
		t.Errorf("the password was echoed: %q", c.all())
	}
	if got := s.Players(); got != 1 {
		t.Errorf("got %d players, want 1", got)
	}
}

// TestPasswordEchoWire checks the exact bytes around the password with a
// raw connection that agrees to everything.
func TestPasswordEchoWire(t *testing.T) {
	_, addr := startServer(t, nil)
	nc, r := dialRaw(t, addr)
	r.until(t, "What is your name? \xff\xf9")
	fmt.Fprint(nc, "Carol\r\n")
	got := r.until(t, "Password: \xff\xf9")
	if !strings.HasSuffix(got, "\xff\xfb\x01Password: \xff\xf9") {
		t.Fatalf("got %q, want IAC WILL ECHO right before the password prompt", got)
	}
	fmt.Fprint(nc, "\xff\xfd\x01") // DO ECHO
	fmt.Fprint(nc, "pw\r\n")
	got = r.until(t, "\r\n")
	if got != "\xff\xfc\x01\r\n" {
		t.Errorf("got %q after the password, want IAC WONT ECHO CR LF", got)
	}
}

// dialRaw connects to the game with no telnet client at all, for tests
// of the exact bytes; the connection closes when the test ends.
func dialRaw(t *testing.T, addr string) (net.Conn, *rawReader) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return nc, &rawReader{nc: nc}
}

// rawReader reads a raw connection up to markers.
type rawReader struct {
	nc  net.Conn
	buf []byte
}

// until reads until marker arrives and returns everything up to and
// including it.
func (r *rawReader) until(t *testing.T, marker string) string {
	t.Helper()
	_ = r.nc.SetReadDeadline(time.Now().Add(waitFor))
	tmp := make([]byte, 1)
	for !bytes.Contains(r.buf, []byte(marker)) {
		if _, err := r.nc.Read(tmp); err != nil {
			t.Fatalf("reading until %q: %v; got %q", marker, err, r.buf)
		}
		r.buf = append(r.buf, tmp[0])
	}
	i := bytes.Index(r.buf, []byte(marker)) + len(marker)
	got := string(r.buf[:i])
	r.buf = r.buf[i:]
	return got
}

func TestWrongPasswordRefused(t *testing.T) {
	_, addr := startServer(t, nil)
	c := login(t, addr, "Bob", "right", telnet.Config{})
	c.send("quit")
	c.waitClosed()

	c = dial(t, addr, telnet.Config{})
	c.expect("What is your name? <P>")
	c.send("bob")
	c.expect("Welcome back, Bob.")
	for range 2 {
		c.expect("Password: <P>")
		c.send("wrong")
		c.expect("Wrong password.")
	}
	c.expect("Password: <P>")
	c.send("still wrong")
	c.expect("Too many failed attempts: goodbye.")
	c.waitClosed()
	if strings.Contains(c.all(), "On the Drawbridge") {
		t.Errorf("got into the game with a wrong password")
	}

	// The right password still works.
	c = login(t, addr, "BOB", "right", telnet.Config{})
	c.send("quit")
	c.expect("Farewell, Bob.")
	c.waitClosed()
}

func TestTwoPlayersTalk(t *testing.T) {
	s, addr := startServer(t, nil)
	alice := login(t, addr, "Alice", "a", telnet.Config{})
	bob := login(t, addr, "Bob", "b", telnet.Config{})
	alice.expect("Bob arrives in a swirl of mist.")
	waitPlayers(t, s, 2)

	bob.send("look")
	bob.expect("Alice is here.")

	alice.send("say Hello, Bob!")
	alice.expect("You say, \"Hello, Bob!\"")
	bob.expect("Alice says, \"Hello, Bob!\"")

	bob.send("'hi \x1b[2Jthere")
	bob.expect("You say, \"hi [2Jthere\"")
	if got := alice.expect("Bob says, \"hi [2Jthere\""); strings.Contains(got, "\x1b[2J") {
		t.Errorf("got %q: an escape sequence from a player reached another", got)
	}

	bob.send("emote waves.")
	alice.expect("Bob waves.")
	alice.send(":bows")
	bob.expect("Alice bows")

	alice.send("who")
	got := alice.expect("2 players online.")
	if !strings.Contains(got, "Alice") || !strings.Contains(got, "Bob") || !strings.Contains(got, "DRAWBRIDGE") {
		t.Errorf("got who %q, want both players and their client", got)
	}

	bob.send("n")
	alice.expect("Bob leaves north.")
	bob.expect("The Gatehouse")
	alice.send("say are you there?")
	alice.expect("You say")
	bob.send("go south")
	bob.expect("Alice is here.")
	alice.expect("Bob arrives from the north.")
	if strings.Contains(bob.all(), "are you there") {
		t.Errorf("Bob heard a say from another room")
	}

	bob.send("quit")
	bob.waitClosed()
	alice.expect("Bob leaves the game.")
	waitPlayers(t, s, 1)
}

func TestWorldCommands(t *testing.T) {
	_, addr := startServer(t, nil)
	// Without MXP, whose links would sit between the words of the exits.
	c := login(t, addr, "Walker", "w", telnet.Config{NoMXP: true})
	steps := []struct{ cmd, want string }{
		{"help", "quit                   leave the game"},
		{"xyzzy", "Huh? Type help."},
		{"west", "You cannot go west from here."},
		{"go sideways", "Go where?"},
		{"north", "The Gatehouse"},
		{"go north", "The Courtyard"},
		{"n", "The Great Hall"},
		{"s", "The Courtyard"},
		{"e", "The Tower Stair"},
		{"u", "The Top of the Tower"},
		{"d", "The Tower Stair"},
		{"say", "Say what?"},
		{"", "> "},
		{"whoami", "Prompt mark:   IAC EOR"},
		{"LOOK", "Exits: west, up"},
	}
	for _, st := range steps {
		c.send(st.cmd)
		c.expect(st.want)
		c.expect("<P>")
	}
}

func TestTTYPEAndWhoami(t *testing.T) {
	_, addr := startServer(t, nil)
	c := login(t, addr, "Tess", "t", telnet.Config{ClientName: "TESTCLIENT", TerminalType: "ANSI", MTTS: 13, Cols: 100, Rows: 30})
	// The TTYPE cycle takes three round trips that run alongside the
	// login, so the last answer may still be on its way: ask until it is
	// in.
	const want = "Terminal type: TESTCLIENT, ANSI, MTTS 13"
	var got string
	for range 50 {
		c.send("whoami")
		got = c.expect("Prompt mark:")
		if strings.Contains(got, want) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(got, want) {
		t.Errorf("got whoami %q, want %q", got, want)
	}
	if !strings.Contains(got, "Window size:   100 x 30") {
		t.Errorf("got whoami %q, want the window size", got)
	}
}

// lookLines sends look and returns the description lines, without
// colours.
func lookLines(c *testClient) []string {
	c.send("look")
	seg := stripANSI(c.expect("Exits:"))
	var out []string
	for _, l := range strings.Split(seg, "\r\n") {
		l = strings.TrimPrefix(l, "<P>")
		if l != "" && !strings.HasPrefix(l, "On the Drawbridge") && !strings.HasPrefix(l, "Exits:") && !strings.HasPrefix(l, "> ") {
			out = append(out, l)
		}
	}
	c.expect("<P>")
	return out
}

func TestNAWSChangesWrapping(t *testing.T) {
	_, addr := startServer(t, nil)
	c := login(t, addr, "Nora", "n", telnet.Config{Cols: 40, Rows: 20})
	narrow := lookLines(c)
	if len(narrow) < 3 {
		t.Fatalf("got %d description lines at 40 columns, want several: %q", len(narrow), narrow)
	}
	for _, l := range narrow {
		if n := utf8.RuneCountInString(l); n > 40 {
			t.Errorf("got a %d-column line at width 40: %q", n, l)
		}
	}
	if err := c.tc.Resize(120, 40); err != nil {
		t.Fatal(err)
	}
	wide := lookLines(c)
	longest := 0
	for _, l := range wide {
		longest = max(longest, utf8.RuneCountInString(l))
	}
	if longest <= 40 || longest > 120 {
		t.Errorf("got longest line %d at width 120, want 41..120: %q", longest, wide)
	}
	if len(wide) >= len(narrow) {
		t.Errorf("got %d lines at 120 columns and %d at 40, want fewer when wider", len(wide), len(narrow))
	}
	if strings.Join(wide, " ") != strings.Join(narrow, " ") {
		t.Errorf("got different text when rewrapped:\n%q\n%q", wide, narrow)
	}
}

func TestLongLineCut(t *testing.T) {
	_, addr := startServer(t, nil)
	c := login(t, addr, "Lang", "l", telnet.Config{})
	c.send("say " + strings.Repeat("x", 2000))
	c.expect("Your line was too long and was cut to 512 bytes.")
	got := c.expect("\"")
	got += c.expect("\"")
	if n := strings.Count(got, "x"); n != 512-len("say ") {
		t.Errorf("got %d x said, want %d", n, 512-len("say "))
	}
	c.send("look")
	c.expect("Exits:")
}

func TestTakeover(t *testing.T) {
	s, addr := startServer(t, nil)
	first := login(t, addr, "Dup", "d", telnet.Config{})
	first.send("n")
	first.expect("The Gatehouse")
	second := login(t, addr, "dup", "d", telnet.Config{})
	first.expect("logged in from elsewhere")
	first.waitClosed()
	second.send("look")
	second.expect("The Gatehouse") // the character kept its place
	waitPlayers(t, s, 1)
}

func TestLoginTimeout(t *testing.T) {
	_, addr := startServer(t, func(s *Server) { s.loginTimeout = 200 * time.Millisecond })
	c := dial(t, addr, telnet.Config{})
	c.expect("What is your name? <P>")
	c.expect("Timed out waiting for you to log in.")
	c.waitClosed()
}

func TestJunkInput(t *testing.T) {
	s, addr := startServer(t, func(s *Server) { s.loginTimeout = 2 * time.Second })
	rng := rand.New(rand.NewPCG(1, 2))
	junk := [][]byte{
		bytes.Repeat([]byte{0xff}, 5000),
		bytes.Repeat([]byte("\xff\xfa\x18"), 1000),
		[]byte("\xff\xfa\x1f" + strings.Repeat("A", 20000)),    // endless NAWS
		bytes.Repeat([]byte("\xff\xfb\x18\xff\xfc\x18"), 2000), // TTYPE on/off storm
		bytes.Repeat([]byte("\xff\xfd\x01\xff\xfe\x01"), 2000), // ECHO storm
		bytes.Repeat([]byte("\r\x00\n\r\r\n\b\x7f"), 1000),
		[]byte(strings.Repeat("A", 100000) + "\r\n"),
	}
	for i := range 5 {
		b := make([]byte, 10000)
		for j := range b {
			b[j] = byte(rng.IntN(256))
		}
		_ = i
		junk = append(junk, b)
	}
	var wg sync.WaitGroup
	for _, j := range junk {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, _ = io.Copy(io.Discard, nc) // keep reading so replies flow
		}()
		go func() {
			defer wg.Done()
			defer nc.Close()
			_, _ = nc.Write(j)
			time.Sleep(50 * time.Millisecond)
		}()
	}
	// Meanwhile a real player plays.
	c := login(t, addr, "Calm", "c", telnet.Config{})
	c.send("look")
	c.expect("Exits:")
	wg.Wait()
	c.send("say still here")
	c.expect("You say, \"still here\"")
	waitPlayers(t, s, 1)
}

// pipeListener hands out net.Pipe ends: writes block until the other
// end reads, which is how a stalled player looks.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

func (l *pipeListener) dial(t *testing.T, cfg telnet.Config) *testClient {
	server, client := net.Pipe()
	select {
	case l.conns <- server:
	case <-time.After(waitFor):
		t.Fatal("pipe listener not accepting")
	}
	return newTestClient(t, client, cfg)
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// stalledSetup logs in two players over pipes and stops the first from
// reading.
func stalledSetup(t *testing.T, tune func(*Server)) (s *Server, stalled, talker *testClient, stop func()) {
	t.Helper()
	ln := newPipeListener()
	s, stop = serveOn(t, ln, tune)
	pipeLogin := func(name string) *testClient {
		c := ln.dial(t, telnet.Config{})
		c.expect("What is your name? <P>")
		c.send(name)
		c.expect("Password: <P>")
		c.send("x")
		c.expect("> \x1b[0m<P>")
		return c
	}
	stalled = pipeLogin("Stuck")
	talker = pipeLogin("Talker")
	stalled.expect("Talker arrives")
	waitPlayers(t, s, 2)
	stalled.pause()
	return s, stalled, talker, stop
}

// TestSayDoesNotBlockOnStalledPlayer: a player who stops reading must not
// slow down the room, even before the server gives up on them.
func TestSayDoesNotBlockOnStalledPlayer(t *testing.T) {
	s, stalled, talker, stop := stalledSetup(t, func(s *Server) { s.writeTimeout = time.Minute })
	defer stop()
	start := time.Now()
	for i := range 100 {
		talker.send(fmt.Sprintf("say message %d", i))
		talker.expect(fmt.Sprintf("You say, \"message %d\"", i))
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("got %v for 100 says, want the stalled player not to slow the talker", d)
	}
	if got := s.Players(); got != 2 {
		t.Errorf("got %d players, want the slow one still there", got)
	}
	// Once the player reads again, nothing was lost.
	stalled.resume()
	stalled.seen("Talker says, \"message 99\"")
}

func TestStalledPlayerDroppedOnOverflow(t *testing.T) {
	s, _, talker, stop := stalledSetup(t, func(s *Server) {
		s.writeTimeout = time.Minute
		s.maxQueue = 4 << 10
	})
	defer stop()
	start := time.Now()
	for i := 0; s.Players() == 2; i++ {
		if time.Since(start) > waitFor {
			t.Fatalf("stalled player still online after %d says", i)
		}
		talker.send("say " + strings.Repeat("z", 400))
		talker.expect("You say")
	}
	talker.seen("Stuck leaves the game.")
}

func TestStalledPlayerDroppedOnWriteTimeout(t *testing.T) {
	s, _, talker, stop := stalledSetup(t, func(s *Server) { s.writeTimeout = 200 * time.Millisecond })
	defer stop()
	// More than the stalled reader took in before it stopped.
	for range 4 {
		talker.send("say " + strings.Repeat("z", 500))
		talker.expect("You say")
	}
	waitPlayers(t, s, 1)
	talker.seen("Stuck leaves the game.")
}

func TestShutdownSaysGoodbye(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, stop := serveOn(t, ln, nil)
	addr := ln.Addr().String()
	player := login(t, addr, "Stay", "s", telnet.Config{})
	waiting := dial(t, addr, telnet.Config{})
	waiting.expect("What is your name? <P>")
	waitPlayers(t, s, 1)

	stop()
	for _, c := range []*testClient{player, waiting} {
		c.expect("The Drawbridge Demo is shutting down. Goodbye!")
		c.waitClosed()
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Errorf("got a connection after Serve returned, want the listener closed")
	}
	goleak.VerifyNone(t)
}

// TestShutdownWithStalledPlayer: a player who reads nothing cannot hold
// up shutdown beyond the grace period.
func TestShutdownWithStalledPlayer(t *testing.T) {
	_, _, talker, stop := stalledSetup(t, func(s *Server) {
		s.writeTimeout = time.Minute
		s.shutdownGrace = 200 * time.Millisecond
	})
	for range 4 {
		talker.send("say " + strings.Repeat("z", 500))
		talker.expect("You say")
	}
	start := time.Now()
	stop()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("got Serve returning after %v, want about the grace period", d)
	}
	talker.expect("shutting down. Goodbye!")
	talker.waitClosed()
}

func TestServeReturnsListenerError(t *testing.T) {
	s := New(Config{})
	err := s.Serve(context.Background(), failingListener{})
	if err == nil || !strings.Contains(err.Error(), "demo: accept: boom") {
		t.Errorf("got %v, want the accept error wrapped", err)
	}
}

type failingListener struct{}

func (failingListener) Accept() (net.Conn, error) { return nil, errors.New("boom") }
func (failingListener) Close() error              { return nil }
func (failingListener) Addr() net.Addr            { return pipeAddr{} }

// msspReader decodes the game's telnet output and keeps the
// negotiations and the MSSP answers, for TestMSSP.
type msspReader struct {
	events []string
	mssp   []telnet.MSSP
}

func (m *msspReader) Data([]byte)  {}
func (m *msspReader) Command(byte) {}
func (m *msspReader) Negotiate(v, o byte) {
	m.events = append(m.events, telnet.CmdName(v)+" "+telnet.OptName(o))
}
func (m *msspReader) Subnegotiation(o byte, data []byte) {
	if o == telnet.OptMSSP {
		m.mssp = append(m.mssp, telnet.ParseMSSP(data))
	}
}

// readMSSP reads from r until the game has sent n MSSP answers.
func readMSSP(t *testing.T, nc net.Conn, n int) *msspReader {
	t.Helper()
	var p telnet.Parser
	m := &msspReader{}
	_ = nc.SetReadDeadline(time.Now().Add(waitFor))
	buf := make([]byte, 1)
	for len(m.mssp) < n {
		if _, err := nc.Read(buf); err != nil {
			t.Fatalf("waiting for MSSP answer %d: %v; got events %v", n, err, m.events)
		}
		p.Parse(buf, m)
	}
	return m
}

// TestMSSP: the game offers MSSP and answers DO MSSP with its name, the
// players logged in, when it started and its codebase; a client that
// refused the offer and asks later gets it too.
func TestMSSP(t *testing.T) {
	s, addr := startServer(t, func(s *Server) { s.started = time.Unix(1700000000, 0) })
	login(t, addr, "Mia", "m", telnet.Config{})
	waitPlayers(t, s, 1)

	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	fmt.Fprint(nc, "\xff\xfd\x46") // DO MSSP, as the offer's answer
	m := readMSSP(t, nc, 1)
	if !slices.Contains(m.events, "WILL MSSP") {
		t.Errorf("got negotiations %v, want WILL MSSP offered", m.events)
	}
	want := telnet.MSSP{"NAME": {"Drawbridge Demo"}, "PLAYERS": {"1"}, "UPTIME": {"1700000000"}, "CODEBASE": {"Drawbridge demo"}}
	if !reflect.DeepEqual(m.mssp[0], want) {
		t.Errorf("got MSSP %q, want %q", m.mssp[0], want)
	}

	// Refuse the offer, then ask: WILL MSSP and the answer come back.
	nc2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc2.Close()
	fmt.Fprint(nc2, "\xff\xfe\x46") // DONT MSSP
	r := &rawReader{nc: nc2}
	r.until(t, "What is your name? \xff\xf9")
	fmt.Fprint(nc2, "\xff\xfd\x46") // DO MSSP, unprompted
	m = readMSSP(t, nc2, 1)
	if !slices.Contains(m.events, "WILL MSSP") || m.mssp[0].Get("PLAYERS") != "1" {
		t.Errorf("got %v and %q, want WILL MSSP and the answer", m.events, m.mssp)
	}
	// Asking again while it is on changes nothing and sends nothing.
	fmt.Fprint(nc2, "\xff\xfd\x46\xff\xf6") // DO MSSP, AYT
	r = &rawReader{nc: nc2}
	if got := r.until(t, "yes]"); strings.Contains(got, "\xff\xfa\x46") {
		t.Errorf("got %q, want no second answer to a repeated DO", got)
	}
}
