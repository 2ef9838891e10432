package e2e

import (
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
