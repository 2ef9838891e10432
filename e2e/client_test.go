package e2e

import (
	"context"
	"fmt"
	"image"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/drawbridge/drawbridge/gateway/app"
)

// enterGame creates an account, opens the terminal and logs in to the
// demo game as name, as TestPlayInBrowser does step by step.
func enterGame(t *testing.T, b *browser, gw *gateway, name string) {
	t.Helper()
	b.register(t, gw, name, accountPassword)
	b.waitScreen(t, "What is your name?", 90*time.Second)
	b.waitFor(t, "status connected", `drawbridge.status().state === "connected"`, 10*time.Second)
	b.typeLine(t, name)
	b.waitFor(t, "masked command line", `document.getElementById("cmdline").type === "password"`, 10*time.Second)
	b.typeLine(t, "a game password")
	b.waitScreen(t, "Welcome to the castle, "+name, 10*time.Second)
}

// press sends one key to the focused element, as a keyboard does.
func (b *browser) press(t *testing.T, key string) {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.KeyEvent(key)); err != nil {
		t.Fatalf("press %q: %v", key, err)
	}
}

// clickSelector clicks the first element matching a CSS selector.
func (b *browser) clickSelector(t *testing.T, sel string) {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Click(sel, chromedp.NodeVisible)); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}

// TestCommandLineInBrowser covers what a player does with the command
// line: several commands in one line, history with Up and with the
// history button, settings kept in the browser, and the live region that
// a screen reader speaks from.
func TestCommandLineInBrowser(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	b := newBrowser(t, gw, 1000, 700, 1)
	enterGame(t, b, gw, "Stacker")

	// Screen-reader output on, through the settings dialog.
	b.clickSelector(t, "#settings-button")
	b.waitFor(t, "the settings dialog", `document.getElementById("settings").open`, 5*time.Second)
	b.clickSelector(t, `#settings input[name="announce"]`)
	b.clickSelector(t, `#settings [data-action="close"]`)
	b.waitFor(t, "the setting kept", `JSON.parse(localStorage.getItem("drawbridge.settings")).announce === true`, 5*time.Second)

	// Two commands in one line.
	b.typeLine(t, "north;;north")
	b.waitScreen(t, "The Courtyard", 10*time.Second)
	if got := eval[string](t, b, `JSON.parse(localStorage.getItem("drawbridge.history")).slice(-1)[0]`); got != "north;;north" {
		t.Fatalf("last history entry %q, want the typed line", got)
	}
	// The live region read the new rooms once each, and not the command.
	b.waitFor(t, "the courtyard announced", `document.getElementById("announce").textContent.includes("The Courtyard")`, 5*time.Second)
	time.Sleep(time.Second) // later announcements must not repeat it
	announced := eval[[]string](t, b, `[...document.querySelectorAll("#announce p")].map(p => p.textContent)`)
	all := strings.Join(announced, "\n")
	for _, room := range []string{"The Gatehouse", "The Courtyard"} {
		if n := strings.Count(all, room); n != 1 {
			t.Fatalf("%q announced %d times, want once; announced:\n%s", room, n, all)
		}
	}
	if strings.Contains(all, "north;;north") {
		t.Fatalf("the player's own command was read out:\n%s", all)
	}

	// Up brings the line back; the history button lists it, newest first.
	b.press(t, kb.ArrowUp)
	if got := eval[string](t, b, `document.getElementById("cmdline").value`); got != "north;;north" {
		t.Fatalf("Up gave %q, want the last line", got)
	}
	eval[bool](t, b, `(() => { document.getElementById("cmdline").value = ""; return true; })()`)
	b.clickSelector(t, "#history-button")
	b.waitFor(t, "the history list", `!document.getElementById("history-list").hidden`, 5*time.Second)
	first := eval[string](t, b, `document.querySelector("#history-list button").textContent`)
	if first != "north;;north" {
		t.Fatalf("history list starts with %q, want the newest line", first)
	}
	b.clickSelector(t, "#history-list button")
	if got := eval[string](t, b, `document.getElementById("cmdline").value`); got != "north;;north" {
		t.Fatalf("picking from the list gave %q", got)
	}
	if !eval[bool](t, b, `document.getElementById("history-list").hidden && document.activeElement.id === "cmdline"`) {
		t.Fatal("the list stayed open or the command line lost the focus")
	}

	// A login command typed where the game does not mask it: the local
	// echo hides its password, the game still gets the line (and answers
	// it), and the history keeps it out.
	b.clear(t, "cmdline")
	b.typeLine(t, "connect wizard potrzebie")
	b.waitScreen(t, "connect wizard ********", 10*time.Second)
	b.waitFor(t, "the game's answer", `(() => { const s = drawbridge.screenText(); return s.indexOf("Huh?", s.indexOf("connect wizard ********")) > 0; })()`, 10*time.Second)
	if strings.Contains(b.screenText(t), "potrzebie") {
		t.Fatalf("the echo shows the password:\n%s", b.screenText(t))
	}
	if eval[bool](t, b, `(localStorage.getItem("drawbridge.history") || "").includes("potrzebie")`) {
		t.Fatal("the password is in the command history")
	}

	// Settings survive a reload.
	if err := chromedp.Do(b.ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	b.waitFor(t, "the client back", `window.drawbridge && drawbridge.status().state === "connected"`, 60*time.Second)
	b.clickSelector(t, "#settings-button")
	if !eval[bool](t, b, `document.querySelector('#settings input[name="announce"]').checked`) {
		t.Fatal("the screen-reader setting was lost on reload")
	}
	b.clickSelector(t, `#settings [data-action="close"]`)
}

// atPosition finds the @ on the screen text: column and row, from 0.
func atPosition(screen string) (x, y int, ok bool) {
	for row, line := range strings.Split(screen, "\n") {
		if i := strings.IndexRune(line, '@'); i >= 0 {
			return len([]rune(line[:i])), row, true
		}
	}
	return 0, 0, false
}

// waitAt waits until the @ is at x, y.
func (b *browser) waitAt(t *testing.T, x, y int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		gx, gy, ok := atPosition(b.screenText(t))
		if ok && gx == x && gy == y {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the @ is at %d,%d (found %v), want %d,%d; screen:\n%s", gx, gy, ok, x, y, b.screenText(t))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestCharacterModeInBrowser plays the demo game's full-screen map: the
// game takes over echo and switches to the alternate screen, so keys go
// to it as they are pressed (arrows from the keyboard and from the key
// bar), the screen drawn with cursor addressing is right, a window
// resize reaches the game as NAWS and it redraws to the new size, and q
// gives the command line back.
func TestCharacterModeInBrowser(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	b := newBrowser(t, gw, 1000, 700, 1)
	enterGame(t, b, gw, "Walker")

	b.typeLine(t, "map")
	b.waitFor(t, "character mode", `document.getElementById("cmdline").classList.contains("charmode") && !document.getElementById("keybar").hidden`, 10*time.Second)
	b.waitScreen(t, "The Castle Grounds", 10*time.Second)
	// The key bar takes room from the terminal, so the grid shrinks, the
	// game hears of it (NAWS) and redraws: wait for the map to fit the
	// grid as it is now.
	b.waitFor(t, "the map drawn to the grid's size", `(() => {
		const l = drawbridge.screenText().split("\n"), s = drawbridge.size();
		return [...l[0]].length === s.cols && l[0].startsWith("+- The Castle Grounds") && l[0].endsWith("+") &&
			(l[s.rows - 1] || "").startsWith("Arrows or h j k l");
	})()`, 10*time.Second)
	size := eval[map[string]int](t, b, `drawbridge.size()`)
	x, y, ok := atPosition(b.screenText(t))
	if !ok {
		t.Fatalf("no @ on the map:\n%s", b.screenText(t))
	}

	// Keys from the keyboard, and from the key bar, go straight to the
	// game: nothing is typed into the command line.
	b.press(t, kb.ArrowRight)
	b.waitAt(t, x+1, y)
	b.press(t, "j")
	b.waitAt(t, x+1, y+1)
	b.clickSelector(t, `#keybar [data-key="ArrowLeft"]`)
	b.waitAt(t, x, y+1)
	if v := eval[string](t, b, `document.getElementById("cmdline").value`); v != "" {
		t.Fatalf("the command line holds %q in character mode", v)
	}
	b.screenshot(t, "character-mode.png")

	// A smaller window: the game hears the new size and redraws to it.
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(760, 520)); err != nil {
		t.Fatal(err)
	}
	b.waitFor(t, "the smaller grid", fmt.Sprintf(`drawbridge.size().cols < %d`, size["cols"]), 10*time.Second)
	small := eval[map[string]int](t, b, `drawbridge.size()`)
	b.waitFor(t, "the map redrawn to the new width", fmt.Sprintf(
		`(() => { const l = drawbridge.screenText().split("\n"); return [...l[0]].length === %d && l[0].endsWith("+") && (l[%d] || "").startsWith("Arrows"); })()`,
		small["cols"], small["rows"]-1), 10*time.Second)

	// q leaves: the main screen and the command line come back.
	b.press(t, "q")
	b.waitFor(t, "line mode again", `!document.getElementById("cmdline").classList.contains("charmode") && document.getElementById("keybar").hidden`, 10*time.Second)
	b.waitScreen(t, "Welcome to the castle, Walker", 10*time.Second)
	b.typeLine(t, "look")
	b.waitFor(t, "the game answering lines again", `drawbridge.screenText().split("look").length > 1`, 10*time.Second)
}

// grantClipboard lets the page read and write the clipboard, as a player
// who allowed it.
func (b *browser) grantClipboard(t *testing.T, gw *gateway) {
	t.Helper()
	origin := strings.TrimSuffix(gw.URL("/"), "/")
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		err := chromedp.Do(b.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
				Permission: &cdpbrowser.PermissionDescriptor{Name: name}, Setting: cdpbrowser.PermissionSettingGranted, Origin: origin,
			})
			return err
		}))
		if err != nil {
			t.Fatalf("grant %s: %v", name, err)
		}
	}
}

// cellGeometry returns where the terminal's cells are, in CSS pixels:
// the canvas's left and top on the page, the grid's x and y in the
// canvas, and a cell's w and h.
func (b *browser) cellGeometry(t *testing.T) map[string]float64 {
	t.Helper()
	box := eval[map[string]float64](t, b, `(() => {
		const r = document.querySelector("#screen canvas").getBoundingClientRect();
		const c = drawbridge.cellBox();
		return {left: r.left, top: r.top, x: c.x, y: c.y, w: c.w, h: c.h};
	})()`)
	if box["w"] <= 0 {
		t.Fatalf("no cell geometry: %v", box)
	}
	return box
}

// cellCentre returns the CSS pixel, on the page, at the middle of cell
// (col, row) of the terminal.
func (b *browser) cellCentre(t *testing.T, col, row int) (x, y float64) {
	t.Helper()
	box := b.cellGeometry(t)
	return box["left"] + box["x"] + (float64(col)+0.5)*box["w"], box["top"] + box["y"] + (float64(row)+0.5)*box["h"]
}

// drag presses the left button at one point, moves to another in steps
// and releases it there, as a player selecting text does.
func (b *browser) drag(t *testing.T, x0, y0, x1, y1 float64) {
	t.Helper()
	mouse := func(typ input.DispatchMouseEventType, x, y float64, buttons int64) chromedp.Action[chromedp.Void] {
		return mouseEvent(input.DispatchMouseEventParams{Type: typ, X: x, Y: y, Button: input.MouseButtonLeft, Buttons: buttons, ClickCount: 1})
	}
	steps := []chromedp.Action[chromedp.Void]{mouse(input.DispatchMouseEventTypeMouseMoved, x0, y0, 0), mouse(input.DispatchMouseEventTypeMousePressed, x0, y0, 1)}
	for i := 1; i <= 5; i++ {
		f := float64(i) / 5
		steps = append(steps, mouse(input.DispatchMouseEventTypeMouseMoved, x0+(x1-x0)*f, y0+(y1-y0)*f, 1))
	}
	steps = append(steps, mouse(input.DispatchMouseEventTypeMouseReleased, x1, y1, 0))
	for _, s := range steps {
		if err := chromedp.Do(b.ctx, s); err != nil {
			t.Fatalf("mouse: %v", err)
		}
		time.Sleep(40 * time.Millisecond) // a hand, not a teleport: the game loop sees each move
	}
}

// whitePixels counts pixels that are pure white, which the high-contrast
// theme uses for text and the default theme does not.
func whitePixels(img image.Image) int {
	return countPixels(img, func(r, g, b uint32) bool { return r == 0xff && g == 0xff && b == 0xff })
}

// redPixels counts pixels close to the health bar's red.
func redPixels(img image.Image) int {
	return countPixels(img, func(r, g, b uint32) bool { return r > 0xa0 && g < 0x60 && b < 0x60 })
}

// TestScreenInBrowser covers what the terminal shows besides text: the
// game's vitals as bars (the demo sends them over MSDP, which the gateway
// hands on as MSDP over GMCP) and its room in a side panel (GMCP),
// selecting text to copy it, and the high-contrast theme.
func TestScreenInBrowser(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	b := newBrowser(t, gw, 1000, 700, 1)
	b.grantClipboard(t, gw)
	enterGame(t, b, gw, "Viewer")

	// GMCP: the room panel; MSDP: the vitals.
	b.waitFor(t, "the room panel", `!document.getElementById("room").hidden && document.getElementById("room-name").textContent === "On the Drawbridge"`, 10*time.Second)
	b.waitFor(t, "the vitals", `drawbridge.vitals().length >= 2`, 10*time.Second)
	vitals := eval[[][]any](t, b, `drawbridge.vitals()`)
	if len(vitals) != 2 || vitals[0][0] != "Health" || vitals[1][0] != "Mana" {
		t.Fatalf("vitals %v, want Health then Mana (MSDP's), and only those", vitals)
	}
	mp := vitals[1][1].(float64)
	b.typeLine(t, "cast")
	b.waitFor(t, "MP spent", fmt.Sprintf(`drawbridge.vitals()[1][1] < %v`, mp), 10*time.Second)
	img := b.screenshot(t, "vitals-and-room.png")
	if n := redPixels(img); n < 200 {
		t.Fatalf("%d red pixels, want the health bar drawn", n)
	}
	// An exit button walks.
	b.clickSelector(t, `#room-exits button[data-exit="n"]`)
	b.waitFor(t, "the next room in the panel", `document.getElementById("room-name").textContent === "The Gatehouse"`, 10*time.Second)
	b.waitScreen(t, "The Gatehouse", 10*time.Second)

	// Select a line with the mouse: it is copied. The mirror follows the
	// screen a little behind: wait until it holds still.
	screen := b.screenText(t)
	for i := 0; i < 50; i++ {
		time.Sleep(300 * time.Millisecond)
		now := b.screenText(t)
		if now == screen {
			break
		}
		screen = now
	}
	lines := strings.Split(screen, "\n")
	row := -1
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], "The Gatehouse") {
			row = i
			break
		}
	}
	if row < 0 {
		t.Fatalf("no room title on screen:\n%s", b.screenText(t))
	}
	x0, y0 := b.cellCentre(t, 0, row)
	x1, y1 := b.cellCentre(t, len("The Gatehouse")-1, row)
	b.drag(t, x0, y0, x1, y1)
	b.waitFor(t, "the copy confirmed", `document.getElementById("toast").textContent.startsWith("Copied")`, 10*time.Second)
	clip, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("read the clipboard: %v", err)
	}
	if clip != "The Gatehouse" {
		t.Fatalf("clipboard %q, want the selected title (row %d, from %.0f,%.0f to %.0f,%.0f, cells %v); screen:\n%s", clip, row, x0, y0, x1, y1,
			eval[map[string]float64](t, b, `drawbridge.cellBox()`), b.screenText(t))
	}

	// High contrast: the page and the terminal switch to white on black.
	before := whitePixels(b.screenshot(t, "theme-default.png"))
	b.clickSelector(t, "#settings-button")
	if err := chromedp.Do(b.ctx, chromedp.SetValue(`#settings select[name="theme"]`, "high-contrast")); err != nil {
		t.Fatal(err)
	}
	eval[bool](t, b, `document.querySelector('#settings select[name="theme"]').dispatchEvent(new Event("change", {bubbles: true}))`)
	b.clickSelector(t, `#settings [data-action="close"]`)
	b.waitFor(t, "the page's theme", `document.body.dataset.theme === "high-contrast"`, 5*time.Second)
	// The terminal follows on its next frame, later on a loaded machine:
	// look until the text is white, for a while.
	after := whitePixels(b.screenshot(t, "theme-high-contrast.png"))
	for deadline := time.Now().Add(20 * time.Second); after < before+2000 && time.Now().Before(deadline); {
		time.Sleep(250 * time.Millisecond)
		after = whitePixels(b.screenshot(t, "theme-high-contrast.png"))
	}
	if after < before+2000 {
		t.Fatalf("pure white pixels %d in high contrast, %d before: want the text drawn white", after, before)
	}
}

// TestProbeInBrowser is a phone whose network went away under an open
// socket: nothing arrives, but nothing says the connection is gone. When
// the page learns the network is back (the online event, as when a phone
// wakes), the client probes the gateway, gets no answer, reconnects at
// once and resumes, with what it missed.
func TestProbeInBrowser(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	link := newFlakyLink(t, gw.HTTPSAddr().String())
	gw.via = link.ln.Addr().String()
	b := newBrowser(t, gw, 1000, 700, 1)
	enterGame(t, b, gw, "Dozer")
	time.Sleep(1500 * time.Millisecond) // let the client acknowledge what it has

	link.silence()
	b.typeLine(t, "north")
	time.Sleep(time.Second)
	if strings.Contains(b.screenText(t), "The Gatehouse") {
		t.Fatal("the room reached the screen through a silent link")
	}
	// The network "comes back": the old socket still looks open, and
	// what it carries from now on is lost too (its pong included).
	// The old connection stays silent for good, however late the probe
	// goes out on it; new connections work.
	eval[bool](t, b, `window.dispatchEvent(new Event("online"))`)
	link.revive()
	b.waitScreen(t, "Reconnected to your game.", 20*time.Second)
	b.waitScreen(t, "The Gatehouse", 10*time.Second)
	if n := strings.Count(b.screenText(t), "What is your name?"); n != 1 {
		t.Fatal("the game asked for a name again: the probe did not resume the game connection")
	}
	if !strings.Contains(gw.log.String(), "player resumed") {
		t.Fatalf("the gateway did not log a resume:\n%s", gw.log.String())
	}
}

// TestReconnectAfterGatewayRestart: the gateway restarts (an upgrade),
// the client counts down and reconnects by itself to the new process,
// still logged in (the session is in the database), to a fresh game
// connection.
func TestReconnectAfterGatewayRestart(t *testing.T) {
	t.Parallel()
	state := t.TempDir()
	keepState := func(c *app.Config) { c.StateDir = state }
	gw := startGateway(t, true, keepState)
	link := newFlakyLink(t, gw.HTTPSAddr().String())
	gw.via = link.ln.Addr().String()
	b := newBrowser(t, gw, 1000, 700, 1)
	enterGame(t, b, gw, "Stayer")

	gw.Shutdown(t)
	b.waitFor(t, "the reconnect countdown", `drawbridge.status().text.includes("Reconnecting in")`, 10*time.Second)
	gw2 := startGateway(t, true, keepState)
	link.target.Store(gw2.HTTPSAddr().String())
	b.waitFor(t, "a new game connection", `(() => {
		const s = drawbridge.screenText();
		return drawbridge.status().state === "connected" && s.lastIndexOf("What is your name?") > s.lastIndexOf("restarting");
	})()`, 60*time.Second)
	if eval[string](t, b, `location.pathname`) != "/play" {
		t.Fatal("the player was sent to the front door: the session did not survive the restart")
	}
	b.typeLine(t, "Stayer")
	b.waitScreen(t, "Password:", 10*time.Second)
}
