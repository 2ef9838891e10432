package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/drawbridge/drawbridge/gateway/app"
)

// TestSettingsFollowThePlayer: settings and history made in one browser
// appear in another browser profile logged in to the same account (the
// gateway keeps them, /api/settings), and a change made on the second
// reaches the first on its next start. A guest's stay in its browser.
func TestSettingsFollowThePlayer(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true, func(c *app.Config) { c.Accounts.AllowGuests = true })
	laptop := newBrowser(t, gw, 1000, 700, 1)
	enterGame(t, laptop, gw, "Roamer")
	laptop.waitFor(t, "settings synced", `drawbridge.profile().synced`, 20*time.Second)

	// The laptop: a command, then high contrast and a separator of its
	// own (a change of settings stores the history with it at once; the
	// history alone waits a while).
	laptop.typeLine(t, "say from the laptop")
	laptop.waitScreen(t, `You say, "from the laptop"`, 10*time.Second)
	laptop.clickSelector(t, "#settings-button")
	if err := chromedp.Do(laptop.ctx, chromedp.SetValue(`#settings select[name="theme"]`, "high-contrast")); err != nil {
		t.Fatal(err)
	}
	eval[bool](t, laptop, `document.querySelector('#settings select[name="theme"]').dispatchEvent(new Event("change", {bubbles: true}))`)
	laptop.clear(t, "set-separator")
	laptop.fill(t, "set-separator", "|")
	eval[bool](t, laptop, `document.getElementById("set-separator").dispatchEvent(new Event("change", {bubbles: true}))`)
	laptop.clickSelector(t, `#settings [data-action="close"]`)
	laptop.waitFor(t, "the changes stored", `(() => { const p = drawbridge.profile(); return !p.dirty && p.version !== "0"; })()`, 20*time.Second)

	// The phone: another profile, same account.
	phone := newBrowser(t, gw, 420, 800, 1)
	phone.frontDoor(t, gw)
	if msg := phone.login(t, "Roamer", accountPassword); msg != "" {
		t.Fatalf("login on the second browser: %s", msg)
	}
	phone.waitFor(t, "settings synced", `drawbridge.profile().synced`, 60*time.Second)
	phone.waitFor(t, "the laptop's theme", `document.body.dataset.theme === "high-contrast"`, 10*time.Second)
	if got := eval[string](t, phone, `JSON.parse(localStorage.getItem("drawbridge.settings")).separator`); got != "|" {
		t.Fatalf("the phone's separator is %q, want the laptop's", got)
	}
	if !eval[bool](t, phone, `JSON.parse(localStorage.getItem("drawbridge.history") || "[]").includes("say from the laptop")`) {
		t.Fatal("the laptop's command is not in the phone's history")
	}

	// The phone changes the theme back; the laptop, started again, has it.
	phone.clickSelector(t, "#settings-button")
	if err := chromedp.Do(phone.ctx, chromedp.SetValue(`#settings select[name="theme"]`, "default")); err != nil {
		t.Fatal(err)
	}
	eval[bool](t, phone, `document.querySelector('#settings select[name="theme"]').dispatchEvent(new Event("change", {bubbles: true}))`)
	phone.clickSelector(t, `#settings [data-action="close"]`)
	phone.waitFor(t, "the change stored", `(() => { const p = drawbridge.profile(); return !p.dirty && p.version !== "0"; })()`, 20*time.Second)
	if err := chromedp.Do(laptop.ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	laptop.waitFor(t, "the phone's theme", `window.drawbridge && drawbridge.profile().synced && document.body.dataset.theme === "default"`, 60*time.Second)

	// Another account on the laptop's browser (a shared computer) gets
	// neither Roamer's history nor aliases, and gives them to nobody.
	eval[bool](t, laptop, `(() => { JSON.parse(drawbridge.automation.set(JSON.stringify({version: 1, aliases: [{name: "k", pattern: "^k (.+)$", commands: "kill $1"}]}))); return true; })()`)
	laptop.clickSelector(t, "#logout")
	laptop.waitFor(t, "the front door", `location.pathname === "/"`, 20*time.Second)
	laptop.register(t, gw, "Sharer", accountPassword)
	laptop.waitFor(t, "settings synced", `window.drawbridge && drawbridge.profile().synced`, 60*time.Second)
	if eval[bool](t, laptop, `JSON.parse(localStorage.getItem("drawbridge.history") || "[]").includes("say from the laptop")`) {
		t.Fatal("the next account on the browser has Roamer's history")
	}
	if n := eval[int](t, laptop, `(JSON.parse(drawbridge.automation.get()).aliases || []).length`); n != 0 {
		t.Fatalf("the next account on the browser has %d of Roamer's aliases", n)
	}
	if got := eval[string](t, laptop, `localStorage.getItem("drawbridge.profile.owner")`); got != "user:Sharer" {
		t.Fatalf("the browser's copy belongs to %q", got)
	}

	// A guest's settings stay in its browser: the gateway keeps none.
	guest := newBrowser(t, gw, 1000, 700, 1)
	guest.frontDoor(t, gw)
	guest.click(t, "guest")
	guest.waitPlay(t)
	guest.waitFor(t, "the client connected", `window.drawbridge && drawbridge.status().state === "connected"`, 60*time.Second)
	time.Sleep(2 * time.Second) // the settings request has had its answer
	if eval[bool](t, guest, `drawbridge.profile().synced`) {
		t.Fatal("a guest's settings are kept by the gateway")
	}
}
