package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
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
	gw := startGateway(t, true)
	b := newBrowser(t, gw, 1000, 700, 1)
	enterGame(t, b, gw, "Walker")

	b.typeLine(t, "map")
	b.waitFor(t, "character mode", `document.getElementById("cmdline").classList.contains("charmode") && !document.getElementById("keybar").hidden`, 10*time.Second)
	b.waitScreen(t, "The Castle Grounds", 10*time.Second)
	size := eval[map[string]int](t, b, `drawbridge.size()`)
	lines := strings.Split(b.screenText(t), "\n")
	if n := len([]rune(lines[0])); n != size["cols"] || !strings.HasPrefix(lines[0], "+- The Castle Grounds") || !strings.HasSuffix(lines[0], "+") {
		t.Fatalf("top border %q is %d wide, want the map's border across all %d columns", lines[0], n, size["cols"])
	}
	if !strings.HasPrefix(lines[size["rows"]-1], "Arrows or h j k l") {
		t.Fatalf("last row %q, want the help line on row %d", lines[size["rows"]-1], size["rows"])
	}
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
