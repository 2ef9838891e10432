package bridge

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// resumable connects the rig's player as a client that can resume and
// returns the game connection and the first token.
func (r *rig) resumable() (net.Conn, wire.Frame) {
	r.t.Helper()
	g := r.connected()
	r.send(wire.Frame{Type: wire.TypeHello, Caps: wire.CapResume, Data: []byte("test/1")})
	tok := r.want(wire.TypeResume)
	if tok.Seq != 0 || len(tok.Data) < 32 {
		r.t.Fatalf("first resume frame seq %d token %q, want seq 0 and a long token", tok.Seq, tok.Data)
	}
	return g, tok
}

// eventually polls cond until it holds or timeout passes, and reports
// whether it held.
func eventually(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// replayHas reports whether a session's replay buffer satisfies f.
func (r *rig) replayHas(f func(*replay) bool) bool {
	r.hub.mu.Lock()
	defer r.hub.mu.Unlock()
	for s := range r.hub.sessions {
		s.rmu.Lock()
		ok := f(&s.replay)
		s.rmu.Unlock()
		if ok {
			return true
		}
	}
	return false
}

// waitAway waits until the hub counts n players away.
func (r *rig) waitAway(n int) {
	r.t.Helper()
	if !eventually(5*time.Second, func() bool { return r.hub.Stats().Away == n }) {
		r.t.Fatalf("%d players away, want %d", r.hub.Stats().Away, n)
	}
}

// waitDropped waits until the one session's replay buffer has dropped
// frames the player never acknowledged (output was lost past it).
func (r *rig) waitDropped() {
	r.t.Helper()
	if !eventually(30*time.Second, func() bool { return r.replayHas(func(p *replay) bool { return p.first > 1 }) }) {
		r.t.Fatal("the gateway never dropped unacknowledged output")
	}
}

// waitReplay waits until the one session's replay buffer holds text (so
// output the game wrote has been read and kept for the player).
func (r *rig) waitReplay(text string) {
	r.t.Helper()
	held := func(p *replay) bool { return bytes.Contains(p.buf[p.off:], []byte(text)) }
	if !eventually(5*time.Second, func() bool { return r.replayHas(held) }) {
		r.t.Fatalf("the session's replay never held %q", text)
	}
}

// playsSameGame checks that the player's input reaches game connection g
// and that the bridge did not dial the game again.
func (r *rig) playsSameGame(g net.Conn) {
	r.t.Helper()
	r.send(wire.Frame{Type: wire.TypeLine, Data: []byte("look")})
	readGame(r.t, g, "look\r\n")
	r.noNewGame()
}

// noNewGame checks that the bridge did not dial the game again.
func (r *rig) noNewGame() {
	r.t.Helper()
	select {
	case <-r.games:
		r.t.Fatal("the bridge dialled the game again; want the same game connection")
	default:
	}
}

func resumeQuery(tok wire.Frame, seq uint64) string {
	return fmt.Sprintf("session=s1&name=alice&%s=%s&%s=%d", wire.ResumeParam, tok.Data, wire.SeqParam, seq)
}

func TestResumeReplaysWhatThePlayerMissed(t *testing.T) {
	r := newRig(t, Config{})
	g, tok := r.resumable()

	g.Write([]byte("one\r\n"))
	if f := r.want(wire.TypeOutput); string(f.Data) != "one\r\n" {
		t.Fatalf("output %q", f.Data)
	}
	// The phone sleeps: the connection breaks with no goodbye.
	r.ws.CloseNow()
	r.waitAway(1)
	if err := <-r.ended; err != nil {
		t.Fatalf("Serve returned %v for a player who went away, want nil", err)
	}
	if live := r.hub.Live(); len(live) != 1 || !live[0].Away || live[0].Since.IsZero() || live[0].BytesToPlayer == 0 {
		t.Fatalf("Live %+v, want the one session, away, with what it sent", live)
	}
	g.Write([]byte("two\r\n"))
	g.Write([]byte("Password: \xff\xf9"))
	r.waitReplay("Password: ") // the gateway has read it from the game

	r.ws = r.dial(resumeQuery(tok, 1))
	if f := r.want(wire.TypeResumed); f.Seq != 1 {
		t.Fatalf("resumed at %d, want 1", f.Seq)
	}
	var got []byte
	for {
		f, err := r.read()
		if err != nil {
			t.Fatal(err)
		}
		if f.Type == wire.TypeResume {
			if bytes.Equal(f.Data, tok.Data) {
				t.Fatal("the new token is the old one")
			}
			break
		}
		if f.Type == wire.TypeOutput {
			got = append(got, f.Data...)
		}
	}
	if string(got) != "two\r\nPassword: " {
		t.Fatalf("replayed %q, want what the game said while the player was away", got)
	}
	// The same game connection: input reaches it, and it was not dialled again.
	r.playsSameGame(g)
	if st := r.hub.Stats(); st.Resumed != 1 || st.Away != 0 || st.Players != 1 {
		t.Fatalf("stats %+v, want one resume, nobody away, one player", st)
	}
	if live := r.hub.Live(); len(live) != 1 || live[0].Away {
		t.Fatalf("Live %+v, want the one session, back", live)
	}
}

// A client that drops its connection to reconnect (a probe went
// unanswered) says so with its close code: the game connection waits for
// it, as for a connection that broke; a normal closure does not.
func TestReconnectingCloseKeepsTheGame(t *testing.T) {
	r := newRig(t, Config{})
	g, tok := r.resumable()
	r.ws.Close(websocket.StatusCode(wire.CloseReconnecting), "reconnecting")
	r.waitAway(1)
	<-r.ended
	r.ws = r.dial(resumeQuery(tok, 0))
	if f := r.want(wire.TypeResumed); f.Seq != 0 {
		t.Fatalf("resumed at %d, want 0", f.Seq)
	}
	r.playsSameGame(g)
}

func TestResumeTokenIsSingleUseAndBoundToTheLogin(t *testing.T) {
	r := newRig(t, Config{})
	g, tok := r.resumable()
	r.ws.CloseNow()
	r.waitAway(1)

	// Another login session cannot take the connection over.
	other := r.dial(fmt.Sprintf("session=s2&name=alice&%s=%s&%s=0", wire.ResumeParam, tok.Data, wire.SeqParam))
	r.ws = other
	r.connected() // a fresh game connection
	if st := r.hub.Stats(); st.ResumeFailed != 1 || st.Away != 1 {
		t.Fatalf("stats %+v, want one failed resume and the first player still away", st)
	}

	// The right login resumes once...
	r.ws = r.dial(resumeQuery(tok, 0))
	r.want(wire.TypeResumed)
	r.want(wire.TypeResume)
	r.ws.CloseNow()
	r.waitAway(1)
	// ...and the same token again starts over.
	r.ws = r.dial(resumeQuery(tok, 0))
	r.connected()
	_ = g
}

func TestResumeGraceExpires(t *testing.T) {
	r := newRig(t, Config{ResumeGrace: 100 * time.Millisecond})
	g, tok := r.resumable()
	r.ws.CloseNow()
	// The game connection closes once the grace period is over.
	g.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, g); err != nil {
		t.Fatalf("game connection: %v, want it closed by the gateway", err)
	}
	for r.hub.Len() != 0 {
		time.Sleep(5 * time.Millisecond)
	}
	r.ws = r.dial(resumeQuery(tok, 0))
	r.connected()
}

func TestPlayerWhoLeavesIsNotWaitedFor(t *testing.T) {
	for _, tc := range []struct {
		name  string
		hello bool
		leave func(*websocket.Conn)
	}{
		{"normal close", true, func(ws *websocket.Conn) { ws.Close(websocket.StatusNormalClosure, "quit") }},
		{"client cannot resume", false, func(ws *websocket.Conn) { ws.CloseNow() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, Config{})
			var g net.Conn
			if tc.hello {
				g, _ = r.resumable()
			} else {
				g = r.connected()
			}
			tc.leave(r.ws)
			g.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.Copy(io.Discard, g); err != nil {
				t.Fatalf("game connection: %v, want it closed at once", err)
			}
		})
	}
}

// A client that comes back before the gateway noticed the old connection
// died (a network switch leaves it half open) takes over at once.
func TestResumeTakesOverAConnectionNotYetSeenDead(t *testing.T) {
	r := newRig(t, Config{})
	g, tok := r.resumable()
	old := r.ws
	r.ws = r.dial(resumeQuery(tok, 0))
	if f := r.want(wire.TypeResumed); f.Seq != 0 {
		t.Fatalf("resumed at %d, want 0", f.Seq)
	}
	r.want(wire.TypeResume)
	if _, _, err := old.Read(t.Context()); err == nil {
		t.Fatal("the old connection still reads frames, want it cut")
	}
	g.Write([]byte("hello\r\n"))
	if f := r.want(wire.TypeOutput); string(f.Data) != "hello\r\n" {
		t.Fatalf("output %q", f.Data)
	}
	r.noNewGame()
}

// Output past the buffer while the player is away is dropped oldest
// first, and the resume says where the replay starts; acknowledged frames
// are not kept at all.
func TestResumeBufferBoundAndAcks(t *testing.T) {
	r := newRig(t, Config{ResumeBuffer: 1}) // the least: two frames' worth
	g, tok := r.resumable()
	g.Write([]byte("seen\r\n"))
	r.want(wire.TypeOutput)
	r.send(wire.Frame{Type: wire.TypeAck, Seq: 1})
	r.ws.CloseNow()
	r.waitAway(1)

	line := strings.Repeat("x", 1000) + "\r\n"
	total := 0
	for total < 600<<10 {
		// A prompt mark after each line makes each its own frame.
		g.Write([]byte(line + "\xff\xf9"))
		total += len(line)
	}
	// The player returns once the gateway has had to drop what it could
	// not keep: an event, not a pause, so a busy machine cannot beat it.
	r.waitDropped()
	r.ws = r.dial(resumeQuery(tok, 1))
	f := r.want(wire.TypeResumed)
	if f.Seq <= 1 {
		t.Fatalf("resumed at %d, want past 1: more was said than the buffer holds", f.Seq)
	}
	got := 0
	for {
		f, err := r.read()
		if err != nil {
			t.Fatal(err)
		}
		if f.Type == wire.TypeResume {
			break
		}
		got += len(f.Data)
	}
	if got == 0 || got > 2*wire.MaxFrameSize {
		t.Fatalf("replayed %d bytes, want some and at most the buffer (%d)", got, 2*wire.MaxFrameSize)
	}
}

// A browser page that is reloaded, discarded or closed says goodbye with
// 1001 (going away): the game connection waits for the page to come back
// with its token, as for a connection that broke.
func TestGoingAwayKeepsTheGame(t *testing.T) {
	r := newRig(t, Config{})
	g, tok := r.resumable()
	r.ws.Close(websocket.StatusGoingAway, "")
	r.waitAway(1)
	if err := <-r.ended; err != nil {
		t.Fatalf("Serve returned %v for a page that went away, want nil", err)
	}
	g.Write([]byte("said during the reload\r\n"))
	r.waitReplay("said during the reload") // the gateway has read it from the game
	r.ws = r.dial(resumeQuery(tok, 0))
	if f := r.want(wire.TypeResumed); f.Seq != 0 {
		t.Fatalf("resumed at %d, want 0", f.Seq)
	}
	if f := r.want(wire.TypeOutput); string(f.Data) != "said during the reload\r\n" {
		t.Fatalf("replayed %q, want what the game said during the reload", f.Data)
	}
	r.want(wire.TypeResume)
	r.playsSameGame(g)
}

// A page that went away for good (a closed tab) lets the game connection
// go when the grace period ends, not before.
func TestClosedPageLetsTheGameGoAfterTheGrace(t *testing.T) {
	const grace = 300 * time.Millisecond
	r := newRig(t, Config{ResumeGrace: grace})
	g, _ := r.resumable()
	left := time.Now()
	r.ws.Close(websocket.StatusGoingAway, "")
	g.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.Copy(io.Discard, g); err != nil {
		t.Fatalf("game connection: %v, want it closed by the gateway", err)
	}
	if held := time.Since(left); held < grace {
		t.Fatalf("the game connection closed %v after the page left, want it held for the grace (%v)", held, grace)
	}
}

// follow reads ws in a goroutine, as a live page does (which is also what
// makes it answer pings), and hands over the frames it reads.
func follow(t *testing.T, ws *websocket.Conn) <-chan wire.Frame {
	frames := make(chan wire.Frame, 16)
	go func() {
		defer close(frames)
		for {
			_, b, err := ws.Read(context.Background())
			if err != nil {
				return
			}
			f, err := wire.Decode(b)
			if err != nil {
				t.Errorf("decode: %v", err)
				return
			}
			frames <- f
		}
	}()
	return frames
}

func wantFrame(t *testing.T, frames <-chan wire.Frame, typ wire.Type) wire.Frame {
	t.Helper()
	select {
	case f, ok := <-frames:
		if !ok {
			t.Fatalf("connection closed, want a %s frame", typ)
		}
		if f.Type != typ {
			t.Fatalf("got %s frame %q, want %s", f.Type, f.Data, typ)
		}
		return f
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s frame", typ)
	}
	return wire.Frame{}
}

// A token used while its page is still connected is a copy (a duplicated
// tab copies the page's sessionStorage): it does not take the game from
// the page that is playing. The newcomer gets a game connection of its
// own; the token is spent all the same, and the playing page gets a new
// one, which resumes its game later.
func TestResumeDoesNotStealALiveConnection(t *testing.T) {
	r := newRig(t, Config{})
	g, tok := r.resumable()
	first := r.ws
	frames := follow(t, first)

	// The duplicate presents the copied token (from another address, so
	// the per-address counts show who is counted where).
	r.ws = r.dial(resumeQuery(tok, 0) + "&addr=198.51.100.7")
	g2 := r.connected() // a game connection of its own
	if g2 == nil {
		return
	}
	r.send(wire.Frame{Type: wire.TypeHello, Caps: wire.CapResume, Data: []byte("test/1")})
	r.want(wire.TypeResume)
	if st := r.hub.Stats(); st.Resumed != 0 || st.ResumeFailed != 1 || st.Players != 2 {
		t.Fatalf("stats %+v, want no resume, one refused, two players", st)
	}
	if got := r.perAddr(); got["127.0.0.1"] != 1 || got["198.51.100.7"] != 1 {
		t.Fatalf("per-address counts %v, want the playing page still under its own address, the copy under its", got)
	}

	// The first page plays on, on its game connection, with a new token.
	fresh := wantFrame(t, frames, wire.TypeResume)
	if bytes.Equal(fresh.Data, tok.Data) || len(fresh.Data) < 32 {
		t.Fatalf("the playing page's new token is %q, want a new one", fresh.Data)
	}
	g.Write([]byte("still yours\r\n"))
	if f := wantFrame(t, frames, wire.TypeOutput); string(f.Data) != "still yours\r\n" {
		t.Fatalf("output %q", f.Data)
	}
	b, _ := wire.Append(nil, &wire.Frame{Type: wire.TypeLine, Data: []byte("look")})
	if err := first.Write(t.Context(), websocket.MessageBinary, b); err != nil {
		t.Fatal(err)
	}
	readGame(t, g, "look\r\n")

	// The copied token is spent: once the first page has gone away it
	// does not resume, and the new token does.
	first.Close(websocket.StatusGoingAway, "")
	r.waitAway(1)
	third := r.dial(resumeQuery(tok, 0))
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	_, b, err := third.Read(ctx)
	cancel()
	if f, _ := wire.Decode(b); err != nil || f.Type != wire.TypeStatus || f.Status != wire.StatusConnecting {
		t.Fatalf("the spent token got %v %v, want a new game connection", f.Type, err)
	}
	third.CloseNow()
	r.ws = r.dial(resumeQuery(fresh, 1) + "&addr=203.0.113.9")
	r.want(wire.TypeResumed)
	r.send(wire.Frame{Type: wire.TypeLine, Data: []byte("north")})
	readGame(t, g, "north\r\n")
	// A resume moves the game connection's count to the new address
	// (once the spent token's own game connection has ended).
	deadline := time.Now().Add(5 * time.Second)
	for r.hub.Len() != 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := r.perAddr(); got["127.0.0.1"] != 0 || got["203.0.113.9"] != 1 || got["198.51.100.7"] != 1 {
		t.Fatalf("per-address counts %v, want the resumed game under its new address", got)
	}
}

// perAddr is a copy of the hub's per-address counts.
func (r *rig) perAddr() map[string]int {
	r.hub.mu.Lock()
	defer r.hub.mu.Unlock()
	return maps.Clone(r.hub.perAddr)
}

// Logging out (or an operator revoking the login session) ends the game
// connection, and its token with it: a page reloaded afterwards, even in
// a new login session of the same account, starts afresh.
func TestResumeTokenDiesWithTheLogin(t *testing.T) {
	r := newRig(t, Config{})
	g, tok := r.resumable()
	r.ws.CloseNow()
	r.waitAway(1)
	if n := r.hub.End([]string{"s1"}, wire.ReasonLogout); n != 1 {
		t.Fatalf("End ended %d bridges, want 1", n)
	}
	g.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, g); err != nil {
		t.Fatalf("game connection: %v, want it closed", err)
	}
	for _, q := range []string{resumeQuery(tok, 0), strings.Replace(resumeQuery(tok, 0), "session=s1", "session=s3", 1)} {
		r.ws = r.dial(q)
		r.connected()
		r.ws.CloseNow()
	}
	if st := r.hub.Stats(); st.Resumed != 0 || st.ResumeFailed != 2 {
		t.Fatalf("stats %+v, want no resume and two refused", st)
	}
}

// A page that reloads just as a copy of its token is being checked: the
// copy's resume finds the first connection live, but before it can refuse
// the first page has gone (1001) and is away. Its token is spent, so the
// resume that holds it takes the game; refused, nobody could.
func TestResumeAfterTheLiveConnectionLeftDuringTheCheck(t *testing.T) {
	r := newRig(t, Config{})
	g, tok := r.resumable()
	first := r.ws
	follow(t, first) // answers the live check's ping
	hook := func(s *Session) {
		if s.hub != r.hub {
			return // another test's
		}
		first.Close(websocket.StatusGoingAway, "reload")
		eventually(5*time.Second, func() bool { return r.hub.Stats().Away == 1 })
	}
	testHookLiveChecked.Store(&hook)
	t.Cleanup(func() { testHookLiveChecked.Store(nil) })
	r.ws = r.dial(resumeQuery(tok, 0))
	if f := r.want(wire.TypeResumed); f.Seq != 0 {
		t.Fatalf("resumed at %d, want 0", f.Seq)
	}
	r.want(wire.TypeResume)
	r.playsSameGame(g)
}

// A resume that comes as the grace runs out does not attach to the
// ending session (where it would be cut at once, its new token dying
// with it): it gets a game connection of its own.
func TestResumeAsTheGraceRunsOut(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	r := newRig(t, Config{ResumeGrace: 50 * time.Millisecond})
	hook := func(s *Session) {
		if s.hub != r.hub {
			return // another test's
		}
		once.Do(func() { close(entered) })
		<-release
	}
	testHookFinish.Store(&hook)
	t.Cleanup(func() { testHookFinish.Store(nil) })
	_, tok := r.resumable()
	r.ws.CloseNow()
	select {
	case <-entered: // the grace ran out; the session is ending
	case <-time.After(5 * time.Second):
		t.Fatal("the grace never ran out")
	}
	r.ws = r.dial(resumeQuery(tok, 0))
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	_, b, err := r.ws.Read(ctx)
	cancel()
	close(release)
	if f, _ := wire.Decode(b); err != nil || f.Type != wire.TypeStatus || f.Status != wire.StatusConnecting {
		t.Fatalf("a resume as the grace ran out got %v %v, want a new game connection", f.Type, err)
	}
}
