package e2e

import (
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// flakyLink is a TCP proxy between the browser and the gateway that can
// misbehave like a mobile network: go silent toward the browser (a phone
// that went to sleep: bytes sent to it are lost), and drop every
// connection at once (the network switched).
type flakyLink struct {
	ln     net.Listener
	target atomic.Value // string: the address new connections go to
	// silent says whether the connections made since the last revive
	// are silent: silence sets it; revive replaces it, so connections
	// made before stay silent for good and new ones work.
	silent atomic.Pointer[atomic.Bool]

	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

func newFlakyLink(t *testing.T, target string) *flakyLink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &flakyLink{ln: ln}
	l.target.Store(target)
	l.revive()
	l.wg.Add(1)
	go l.serve()
	t.Cleanup(func() {
		ln.Close()
		l.drop()
		l.wg.Wait()
	})
	return l
}

func (l *flakyLink) serve() {
	defer l.wg.Done()
	for {
		c, err := l.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", l.target.Load().(string))
		if err != nil {
			c.Close()
			continue
		}
		silent := l.silent.Load()
		l.mu.Lock()
		l.conns = append(l.conns, c, up)
		l.mu.Unlock()
		l.wg.Add(2)
		go func() { // browser to gateway
			defer l.wg.Done()
			io.Copy(up, c)
			up.Close()
		}()
		go func() { // gateway to browser, unless the link is silent
			defer l.wg.Done()
			buf := make([]byte, 32<<10)
			for {
				n, err := up.Read(buf)
				if n > 0 && !silent.Load() {
					if _, werr := c.Write(buf[:n]); werr != nil {
						break
					}
				}
				if err != nil {
					break
				}
			}
			c.Close()
		}()
	}
}

// silence makes the link lose what the gateway sends on every
// connection open now and on those made until revive.
func (l *flakyLink) silence() { l.silent.Load().Store(true) }

// revive makes new connections work; those made before stay as they
// are (silent ones lose their bytes for good).
func (l *flakyLink) revive() { l.silent.Store(new(atomic.Bool)) }

// drop closes every connection through the link.
func (l *flakyLink) drop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		c.Close()
	}
	l.conns = nil
}

// A player whose connection breaks (output lost on the way, then the
// connection gone) comes back to the same game connection, with what they
// missed, and the game notices nothing: the demo game is still at its
// password prompt, and the room the player walked into before the drop is
// replayed.
func TestResumeInBrowser(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	link := newFlakyLink(t, gw.HTTPSAddr().String())
	gw.via = link.ln.Addr().String()
	b := newBrowser(t, gw, 1000, 700, 1)

	b.register(t, gw, "Sleeper", accountPassword)
	b.waitScreen(t, "What is your name?", 90*time.Second)
	b.typeLine(t, "Sleeper")
	b.waitScreen(t, "Password:", 10*time.Second)
	b.typeLine(t, "sleepy hollow 42")
	b.waitScreen(t, "Welcome to the castle, Sleeper", 10*time.Second)
	// Let the client acknowledge what it has, so only what follows is
	// missing on its side.
	time.Sleep(1500 * time.Millisecond)

	// The phone sleeps: what the gateway sends is lost on the way...
	link.silence()
	b.typeLine(t, "north")
	// The demo game answers at once; give its answer time to go out into
	// the void. (Nothing to poll: the point is that nobody sees it.)
	time.Sleep(time.Second)
	if strings.Contains(b.screenText(t), "The Gatehouse") {
		t.Fatal("the room reached the screen through a silent link")
	}
	// ...then the connection is gone.
	link.drop()
	link.revive()

	b.waitScreen(t, "Reconnected to your game.", 20*time.Second)
	b.waitScreen(t, "The Gatehouse", 10*time.Second)
	b.waitFor(t, "status connected", `drawbridge.status().state === "connected"`, 10*time.Second)
	if n := gw.Players(); n != 1 {
		t.Fatalf("%d players, want the one, on the same game connection", n)
	}
	if n := strings.Count(b.screenText(t), "What is your name?"); n != 1 {
		t.Fatal("the game asked for a name again: the player got a new game connection")
	}
	// And play goes on.
	b.typeLine(t, "say still here")
	b.waitScreen(t, `You say, "still here"`, 10*time.Second)
	if !strings.Contains(gw.log.String(), "player resumed") {
		t.Fatalf("the gateway log has no resume:\n%s", gw.log.String())
	}
}
