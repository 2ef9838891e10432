package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/drawbridge/drawbridge/e2e/headless"
	"github.com/drawbridge/drawbridge/gateway/app"
)

// The tests here are the "a game that survives a reload": a page
// that is reloaded, or a tab the browser discarded and restores, goes
// back to the same game connection (the resume token is kept in the
// tab's sessionStorage) and gets what the game said meanwhile; a tab that
// really closed lets the game go after players.resume_grace; and two tabs
// of one account, one a duplicate of the other, do not take each other's
// game.

// watcher is a second player in the demo game, straight over telnet,
// who sees what happens in the room and talks while the browser's page
// is away.
type watcher struct {
	conn net.Conn
	mu   sync.Mutex
	out  strings.Builder
}

func newWatcher(t *testing.T, gw *gateway, name string) *watcher {
	t.Helper()
	c, err := net.DialTimeout("tcp", gw.DemoAddr().String(), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	w := &watcher{conn: c}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r := bufio.NewReader(c)
		buf := make([]byte, 4096)
		for {
			n, err := r.Read(buf)
			w.mu.Lock()
			w.out.Write(buf[:n])
			w.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		c.Close()
		<-done
	})
	w.waitFor(t, "What is your name?")
	w.line(t, name)
	w.waitFor(t, "Password:")
	w.line(t, "watching 42")
	w.waitFor(t, "Welcome to the castle, "+name)
	return w
}

func (w *watcher) line(t *testing.T, s string) {
	t.Helper()
	if _, err := w.conn.Write([]byte(s + "\r\n")); err != nil {
		t.Fatalf("watcher: %v", err)
	}
}

func (w *watcher) text() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.String()
}

func (w *watcher) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(w.text(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("the watcher never saw %q; saw:\n%s", s, w.text())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// playerCount asks the demo game, through the watcher, how many players
// it has: the game's own count of connections.
func (w *watcher) playerCount(t *testing.T) string {
	t.Helper()
	mark := len(w.text())
	w.line(t, "who")
	deadline := time.Now().Add(20 * time.Second)
	for {
		if rest := w.text()[mark:]; strings.Contains(rest, "online.") {
			i := strings.LastIndex(rest, "online.")
			j := strings.LastIndexAny(rest[:i], "\n") + 1
			return strings.TrimSpace(rest[j : i+len("online.")])
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer to who; saw:\n%s", w.text()[mark:])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// enterGame makes an account, logs in to the demo game as name and walks
// north into the Gatehouse: state the game keeps per connection.
func (b *browser) enterGame(t *testing.T, gw *gateway, name string) {
	t.Helper()
	b.register(t, gw, name, accountPassword)
	b.waitScreen(t, "What is your name?", 90*time.Second)
	b.typeLine(t, name)
	b.waitScreen(t, "Password:", 10*time.Second)
	b.typeLine(t, "reload me 42")
	b.waitScreen(t, "Welcome to the castle, "+name, 10*time.Second)
	b.typeLine(t, "north")
	b.waitScreen(t, "The Gatehouse", 10*time.Second)
	b.waitFor(t, "a kept resume token", `(sessionStorage.getItem("drawbridge.resume") || "") !== ""`, 10*time.Second)
}

// waitLog waits until the gateway's log has said what n times.
func waitLog(t *testing.T, gw *gateway, what string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(gw.log.String(), what) < n {
		if time.Now().After(deadline) {
			t.Fatalf("the gateway log says %q %d times, want %d", what, strings.Count(gw.log.String(), what), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wasmPaused makes the tab hold its next request for the client's wasm
// until the returned function is called: the old page is gone by then
// (a new document asks for it), and the new one cannot connect yet.
func (b *browser) wasmPaused(t *testing.T) (paused <-chan struct{}, release func()) {
	t.Helper()
	lctx, stop := context.WithCancel(b.ctx)
	events := chromedp.Events(lctx, fetch.RequestPaused) // subscribed from here on
	b.cdp(t, "Fetch.enable", func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*client*.wasm*"}}})
		return err
	})
	got := make(chan struct{})
	var id fetch.RequestID
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev, err := range events {
			if err != nil {
				return
			}
			id = ev.RequestID
			close(got)
			return
		}
	}()
	return got, func() {
		stop()
		<-done
		if id != "" {
			b.cdp(t, "Fetch.continueRequest", func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
				return err
			})
		}
		b.cdp(t, "Fetch.disable", func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, fetch.Disable, cdp.Empty{})
			return err
		})
	}
}

// cdp runs a DevTools command in b's tab.
func (b *browser) cdp(t *testing.T, what string, f func(ctx context.Context, tg *chromedp.Target) error) {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Func(f)); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// reload reloads b's page, as the browser's reload button does.
func (b *browser) reload(t *testing.T) {
	t.Helper()
	b.cdp(t, "reload", func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.Reload, page.ReloadParams{})
		return err
	})
}

// TestReloadResumesTheGame: the player reloads mid-game. While the page
// is away (its WebSocket closed with 1001, the new page not yet
// connected), another player speaks in the room. The reloaded page goes
// back to the same game connection: it is still in the Gatehouse and
// logged in to the game, which counts no new connection; what was said
// during the reload is replayed; "Reconnected to your game." is shown.
func TestReloadResumesTheGame(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	b := newBrowser(t, gw, 1000, 700, 1)
	b.enterGame(t, gw, "Reloader")
	w := newWatcher(t, gw, "Watcher")
	w.line(t, "north")
	b.waitScreen(t, "Watcher arrives", 10*time.Second)
	if got := w.playerCount(t); got != "2 players online." {
		t.Fatalf("the game counts %q before the reload, want 2", got)
	}

	paused, release := b.wasmPaused(t)
	b.reload(t)
	select {
	case <-paused:
	case <-time.After(60 * time.Second):
		t.Fatal("the reloaded page never asked for the client")
	}
	// The old page said goodbye; the gateway holds the game.
	waitLog(t, gw, "player away; holding the game connection", 1)
	w.line(t, "say while you were reloading")
	w.waitFor(t, `You say, "while you were reloading"`)
	release()

	b.waitScreen(t, "Reconnected to your game.", 90*time.Second)
	b.waitScreen(t, `Watcher says, "while you were reloading"`, 10*time.Second)
	b.waitFor(t, "status connected", `drawbridge.status().state === "connected"`, 10*time.Second)
	if strings.Contains(b.screenText(t), "What is your name?") {
		t.Fatalf("the game asked for a name again: a new game connection\n%s", b.screenText(t))
	}
	// Exactly where it was: in the Gatehouse, with the watcher.
	b.typeLine(t, "look")
	b.waitFor(t, "the room", `drawbridge.screenText().lastIndexOf("The Gatehouse") > drawbridge.screenText().indexOf("Reconnected to your game.")`, 10*time.Second)
	if got := w.playerCount(t); got != "2 players online." {
		t.Fatalf("the game counts %q after the reload, want the same 2", got)
	}
	if n := strings.Count(gw.log.String(), "connected to game"); n != 1 {
		t.Fatalf("the gateway connected to the game %d times, want once", n)
	}
	if n := gw.Players(); n != 1 {
		t.Fatalf("%d players on the gateway, want 1", n)
	}
}

// TestDiscardedTabResumesTheGame: a phone freezes a background tab, then
// discards it; when the player comes back the browser restores it, which
// loads the page anew in the same tab, sessionStorage kept. DevTools can
// freeze a page (Page.setWebLifecycleState) but has no command to discard
// one; what a discard does to the page, its renderer gone without running
// the page's handlers, Page.crash does, and reloading the crashed tab is
// what restoring a discarded one does. The game said something while the
// tab was frozen; the restored page shows it, in the same game.
func TestDiscardedTabResumesTheGame(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	b := newBrowser(t, gw, 1000, 700, 1)
	b.enterGame(t, gw, "Sleeper")
	w := newWatcher(t, gw, "Waker")
	w.line(t, "north")
	b.waitScreen(t, "Waker arrives", 10*time.Second)

	b.cdp(t, "freeze", func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.SetWebLifecycleState, page.SetWebLifecycleStateParams{State: page.SetWebLifecycleStateStateFrozen})
		return err
	})
	w.line(t, "say while you were frozen")
	w.waitFor(t, `You say, "while you were frozen"`)
	// Discarded: the renderer goes, with the page in it.
	// The renderer dies before it can answer.
	_ = chromedp.Do(b.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_, err := cdp.Call(ctx, tg, page.Crash, cdp.Empty{})
		return err
	}))
	waitLog(t, gw, "player away; holding the game connection", 1)
	w.line(t, "say while you were discarded")
	w.waitFor(t, `You say, "while you were discarded"`)
	// Restored.
	b.reload(t)
	b.waitScreen(t, "Reconnected to your game.", 90*time.Second)
	b.waitScreen(t, `Waker says, "while you were discarded"`, 10*time.Second)
	if !strings.Contains(b.screenText(t), `Waker says, "while you were frozen"`) {
		t.Fatalf("what was said while the tab was frozen is missing:\n%s", b.screenText(t))
	}
	if strings.Contains(b.screenText(t), "What is your name?") {
		t.Fatalf("the game asked for a name again: a new game connection\n%s", b.screenText(t))
	}
	b.typeLine(t, "say back")
	b.waitScreen(t, `You say, "back"`, 10*time.Second)
	w.waitFor(t, `Sleeper says, "back"`)
	if got := w.playerCount(t); got != "2 players online." {
		t.Fatalf("the game counts %q, want the same 2", got)
	}
}

// TestClosedTabLetsTheGameGo: a tab that really closed (its page says
// goodbye with 1001, as a reload does) keeps its game connection only
// for players.resume_grace, then the game connection closes.
func TestClosedTabLetsTheGameGo(t *testing.T) {
	t.Parallel()
	const grace = 5 * time.Second
	gw := startGateway(t, true, func(c *app.Config) { c.Players.ResumeGrace = grace })
	b := newBrowser(t, gw, 1000, 700, 1)
	// The game is played in a second tab, which closes; the first stays
	// open so the browser does.
	tab := b.newTab(t)
	tab.enterGame(t, gw, "Leaver")
	w := newWatcher(t, gw, "Stayer")
	if got := w.playerCount(t); got != "2 players online." {
		t.Fatalf("the game counts %q, want 2", got)
	}

	closed := time.Now()
	if err := chromedp.Cancel(tab.ctx); err != nil {
		t.Fatalf("close the tab: %v", err)
	}
	waitLog(t, gw, "player away; holding the game connection", 1)
	if got := w.playerCount(t); got != "2 players online." && time.Since(closed) < grace {
		t.Fatalf("the game counts %q right after the tab closed, want the game connection held (2)", got)
	}
	waitLog(t, gw, "player did not come back", 1)
	if held := time.Since(closed); held < grace {
		t.Fatalf("the game connection went %v after the tab closed, want after the grace (%v)", held, grace)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := w.playerCount(t)
		if got == "1 player online." {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the game counts %q after the grace, want 1", got)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if n := gw.Players(); n != 0 {
		t.Fatalf("%d players on the gateway, want 0", n)
	}
}

// TestDuplicatedTabDoesNotStealTheGame: a tab opened from the playing one
// (as a duplicated tab does) starts with a copy of its sessionStorage,
// resume token included. The copy does not take the game: the new tab
// gets a game connection of its own, the first tab plays on in its game,
// and, since the token it held is spent, it was sent a new one, with
// which it still resumes after a reload.
func TestDuplicatedTabDoesNotStealTheGame(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	a := newBrowser(t, gw, 1000, 700, 1)
	a.enterGame(t, gw, "Twin")
	token := eval[string](t, a, `sessionStorage.getItem("drawbridge.resume")`)

	// Open the copy from the page, as the browser's Duplicate does.
	opened := chromedp.WaitNewTarget(a.ctx, func(info *target.Info) bool { return strings.HasSuffix(info.URL, "/play") })
	if _, err := chromedp.Run(a.ctx, chromedp.Evaluate[bool](`!!window.open("/play", "_blank")`, func(p *runtime.EvaluateParams) {
		yes := true
		p.UserGesture = &yes
	})); err != nil {
		t.Fatalf("window.open: %v", err)
	}
	var id target.ID
	select {
	case id = <-opened:
	case <-time.After(30 * time.Second):
		t.Fatal("no new tab")
	}
	bctx, cancel := chromedp.NewContext(a.ctx, chromedp.WithTargetID(id))
	t.Cleanup(cancel)
	b := &browser{ctx: bctx, console: &headless.Console{}}
	b.console.Follow(bctx)
	// The copy presents the copied token (the gateway's refusal below
	// is the proof: reading the copy's storage for it would race with
	// the new token the refusal brings, which can come first on a busy
	// machine) and gets a game of its own...
	b.waitScreen(t, "What is your name?", 90*time.Second)
	waitLog(t, gw, "resume refused: the game connection's player is still connected", 1)
	if got := eval[string](t, b, `sessionStorage.getItem("drawbridge.resume") || ""`); got == "" || got == token {
		t.Fatalf("the copy holds %q, want a token of its own", got)
	}
	// ...and the first tab keeps its own, with a new token.
	a.waitFor(t, "a new token", fmt.Sprintf(`(sessionStorage.getItem("drawbridge.resume") || "").split(" ")[1] !== %q.split(" ")[1]`, token), 10*time.Second)
	a.typeLine(t, "say still mine")
	a.waitScreen(t, `You say, "still mine"`, 10*time.Second)
	if s := a.screenText(t); strings.Contains(s, "Disconnected") || strings.Contains(s, "could not be kept") {
		t.Fatalf("the first tab lost its connection:\n%s", s)
	}
	if n := gw.Players(); n != 2 {
		t.Fatalf("%d players on the gateway, want 2: one game per tab", n)
	}

	// The first tab's new token resumes its game after a reload.
	a.reload(t)
	a.waitScreen(t, "Reconnected to your game.", 90*time.Second)
	a.typeLine(t, "look")
	a.waitScreen(t, "The Gatehouse", 10*time.Second)
	// The copy is where a new game connection starts, not in the
	// Gatehouse, and still connected.
	b.waitFor(t, "status connected", `drawbridge.status().state === "connected"`, 10*time.Second)
	if strings.Contains(b.screenText(t), "The Gatehouse") {
		t.Fatalf("the copied tab shows the first tab's game:\n%s", b.screenText(t))
	}
}

// newTab opens another tab in b's browser (same profile, same login).
func (b *browser) newTab(t *testing.T) *browser {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	t.Cleanup(cancel)
	tab := &browser{ctx: ctx, console: &headless.Console{}}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1000, 700)); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	tab.console.Follow(ctx)
	return tab
}
