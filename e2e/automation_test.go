package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// setField sets a form field of the page and tells the page it changed.
func (b *browser) setField(t *testing.T, sel, value string) {
	t.Helper()
	eval[bool](t, b, fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = %q; el.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`, sel, value))
}

// magentaPixels counts pixels close to #ff00ff.
func magentaPixels(b *browser, t *testing.T, name string) int {
	return countPixels(b.screenshot(t, name), func(r, g, bl uint32) bool { return r > 0xe0 && g < 0x30 && bl > 0xe0 })
}

// TestAutomationInBrowser: an alias, a trigger and a key made through
// the dialog work against the demo game: the alias expands into two
// commands, the trigger colours the room's title (in the screenshot) and
// sends a command of its own, the key sends its command; and the
// session's log downloads with what the player saw, without the game
// password typed at the login.
func TestAutomationInBrowser(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	b := newBrowser(t, gw, 1000, 700, 1)
	enterGame(t, b, gw, "Tinker")

	open := func() {
		b.clickSelector(t, "#settings-button")
		b.waitFor(t, "the settings dialog", `document.getElementById("settings").open`, 5*time.Second)
		b.clickSelector(t, `#settings [data-action="automation"]`)
		b.waitFor(t, "the automation dialog", `document.getElementById("automation").open`, 5*time.Second)
	}
	save := func(what string) {
		b.clickSelector(t, `#auto-form button[type="submit"]`)
		b.waitFor(t, what+" saved", `document.getElementById("auto-form").hidden`, 5*time.Second)
	}
	open()

	// An alias with two commands.
	b.clickSelector(t, `#automation [data-action="auto-add"]`)
	b.setField(t, "#auto-name", "greet")
	b.setField(t, "#auto-pattern", "^hi (.+)$")
	b.setField(t, "#auto-commands", "say Hello, $1!\nemote waves.")
	save("the alias")

	// A trigger that colours a title, and one that sends a command.
	b.clickSelector(t, "#tab-triggers")
	b.clickSelector(t, `#automation [data-action="auto-add"]`)
	b.setField(t, "#auto-name", "gatehouse")
	b.setField(t, "#auto-pattern", "The Gatehouse")
	b.clickSelector(t, `#auto-form input[name="highlight"]`)
	b.setField(t, "#auto-fg", "#ff00ff")
	b.setField(t, `#auto-form select[name="scope"]`, "line")
	save("the highlight")
	b.clickSelector(t, `#automation [data-action="auto-add"]`)
	b.setField(t, "#auto-name", "well")
	b.setField(t, "#auto-pattern", "You notice: well.")
	b.setField(t, "#auto-commands", "look well")
	save("the trigger")

	// A key: F5 looks.
	b.clickSelector(t, "#tab-macros")
	b.clickSelector(t, `#automation [data-action="auto-add"]`)
	b.clickSelector(t, "#auto-key")
	b.press(t, kb.F5)
	if got := eval[string](t, b, `document.getElementById("auto-key").value`); got != "F5" {
		t.Fatalf("pressing F5 in the key field recorded %q", got)
	}
	b.setField(t, "#auto-commands", "whoami")
	save("the key")
	if n := eval[int](t, b, `document.querySelectorAll("#auto-list tbody tr").length`); n != 1 {
		t.Fatalf("%d keys listed, want 1", n)
	}
	b.clickSelector(t, `#automation [data-action="close"]`)

	b.typeLine(t, "hi there")
	b.waitScreen(t, `You say, "Hello, there!"`, 10*time.Second)
	b.waitScreen(t, "Tinker waves.", 10*time.Second)

	before := magentaPixels(b, t, "automation-before.png")
	b.typeLine(t, "n")
	b.waitScreen(t, "You go north.", 10*time.Second)
	var after int
	for range 50 { // the frame with the title may come a little later on a busy machine
		if after = magentaPixels(b, t, "automation-highlight.png"); after > 50 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if after <= before+50 {
		t.Fatalf("the trigger's highlight is not on screen: %d magenta pixels, %d before", after, before)
	}

	b.typeLine(t, "n")
	b.waitScreen(t, "The well is old and deep.", 10*time.Second) // the trigger looked

	b.press(t, kb.F5)
	b.waitScreen(t, "Terminal type:", 10*time.Second)
	if v := eval[string](t, b, `document.getElementById("cmdline").value`); v != "" {
		t.Fatalf("F5 typed %q into the command line", v)
	}

	// The log, downloaded as a player does.
	dir := t.TempDir()
	err := chromedp.Do(b.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
		})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	b.clickSelector(t, "#settings-button")
	b.clickSelector(t, `#settings [data-action="log-text"]`)
	var text []byte
	deadline := time.Now().Add(20 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "drawbridge-log-*.txt"))
		if len(files) == 1 {
			if text, _ = os.ReadFile(files[0]); len(text) > 0 && !strings.HasSuffix(files[0], ".crdownload") {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log downloaded into %s: %v", dir, files)
		}
		time.Sleep(200 * time.Millisecond)
	}
	log := string(text)
	for _, want := range []string{"Welcome to the castle, Tinker", "> hi there", `You say, "Hello, there!"`, "The Gatehouse", "The well is old and deep."} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "a game password") {
		t.Errorf("the log holds the game password:\n%s", log)
	}
	html := eval[string](t, b, `JSON.parse(drawbridge.automation.log("html")).text`)
	if !strings.Contains(html, "The Gatehouse") || !strings.Contains(html, "<span style=") {
		t.Errorf("the HTML log lacks the colours or the text:\n%.2000s", html)
	}

	// The rolling log in the browser (IndexedDB) gets the lines when the
	// page is idle, and still has them after a reload.
	search := func(q string) []map[string]any {
		found, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]map[string]any](fmt.Sprintf(`drawbridgeLogStore.search(%q)`, q), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		return found
	}
	waitFound := func(q, when string) {
		deadline := time.Now().Add(30 * time.Second)
		for len(search(q)) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("the rolling log has no line with %q %s", q, when)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	waitFound("old and deep", "after the page sat idle")
	if err := chromedp.Do(b.ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	b.waitFor(t, "the client back", `window.drawbridge && drawbridge.status().state === "connected"`, 60*time.Second)
	waitFound("old and deep", "after a reload")
	if got := search("a game password"); len(got) != 0 {
		t.Fatalf("the rolling log holds the game password: %v", got)
	}
}
