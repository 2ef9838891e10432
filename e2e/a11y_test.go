package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/drawbridge/drawbridge/gateway/app"
)

// axeDir is the npm package that pins axe-core for these tests;
// `make deps` (.ci/deps) installs it with npm ci.
const axeDir = "axe"

// axeScript is axe-core's browser build, read once.
var axeScript struct {
	once sync.Once
	src  string
	err  error
}

// axeSource returns axe-core's browser build (axe.min.js), as e2e/axe's
// package-lock.json pins it. Without it the test is skipped on a
// developer's machine and fails in CI (CI=1), where `make deps` must have
// installed it.
func axeSource(t *testing.T) string {
	t.Helper()
	axeScript.once.Do(func() { axeScript.src, axeScript.err = readAxe() })
	if axeScript.err != nil {
		msg := fmt.Sprintf("axe-core is not installed: %v\n"+
			"install it with `make deps`, or `cd e2e/axe && npm ci --no-audit --no-fund` (Debian: apt-get install nodejs npm)", axeScript.err)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return axeScript.src
}

// readAxe reads axe.min.js from e2e/axe/node_modules, after checking that
// the installed version is the one package.json pins (a stale install is
// an error, not a silent change of rules).
func readAxe() (string, error) {
	var want struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	var got struct {
		Version string `json:"version"`
	}
	for _, f := range []struct {
		path string
		into any
	}{
		{filepath.Join(axeDir, "package.json"), &want},
		{filepath.Join(axeDir, "node_modules", "axe-core", "package.json"), &got},
	} {
		b, err := os.ReadFile(f.path)
		if err != nil {
			return "", err
		}
		if err := json.Unmarshal(b, f.into); err != nil {
			return "", fmt.Errorf("%s: %w", f.path, err)
		}
	}
	if pin := want.Dependencies["axe-core"]; got.Version != pin {
		return "", fmt.Errorf("axe-core %s is installed, package.json pins %q", got.Version, pin)
	}
	b, err := os.ReadFile(filepath.Join(axeDir, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// axeViolation is one rule axe-core found broken, with the elements that
// break it.
type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  string `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

// axeRun is what one run of axe-core returns: the rules broken, and how
// many rules found something to check (so that a run that checked
// nothing cannot pass).
type axeRun struct {
	Violations []axeViolation `json:"violations"`
	Checked    int            `json:"checked"`
}

// runAxe injects axe-core into the page the browser shows (through the
// DevTools protocol, so the page's Content-Security-Policy, which admits
// only its own scripts, does not stop it) and runs all its default rules
// (WCAG 2.0-2.2 A and AA, and best practices) on the whole document.
func runAxe(t *testing.T, b *browser) axeRun {
	t.Helper()
	src := axeSource(t)
	if !eval[bool](t, b, `typeof window.axe === "object"`) {
		if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[chromedp.Void](src+"\n;undefined")); err != nil {
			t.Fatalf("inject axe-core: %v", err)
		}
	}
	const run = `axe.run(document, { resultTypes: ["violations"] }).then((r) => JSON.stringify({
		checked: r.passes.length + r.violations.length + r.incomplete.length,
		violations: r.violations.map((v) => ({
			id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map((n) => ({ target: n.target.map(String).join(" >>> "), html: n.html, summary: n.failureSummary })),
		})),
	}))`
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](run, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	var r axeRun
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("axe-core's results: %v", err)
	}
	return r
}

// assertAccessible fails the test when axe-core finds any violation on
// the page b shows now, printing each (rule, impact, elements, help
// page). page names what is shown, for the report.
//
// Every page and state the gateway shows to people is checked through
// this one function: a page added later (the admin console, say) calls
// it once it has drawn, and is then held to zero violations too.
func assertAccessible(t *testing.T, b *browser, page string) {
	t.Helper()
	r := runAxe(t, b)
	if r.Checked == 0 {
		t.Errorf("%s: axe-core found nothing to check", page)
		return
	}
	if len(r.Violations) == 0 {
		t.Logf("%s: no accessibility violations (%d rules applied)", page, r.Checked)
		return
	}
	var s strings.Builder
	for _, v := range r.Violations {
		fmt.Fprintf(&s, "\n%s (%s): %s\n  %s\n", v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&s, "  - %s\n    %s\n", n.Target, n.HTML)
			for _, line := range strings.Split(n.Summary, "\n") {
				fmt.Fprintf(&s, "      %s\n", line)
			}
		}
	}
	t.Errorf("%s: %d accessibility violations:%s", page, len(r.Violations), s.String())
}

// TestAccessibility runs axe-core on every page people see, in each state
// that shows something different: the front door (its forms, their
// errors, a notice, the warning of failed logins, logged in), and the
// terminal page in line mode, in character mode with the key bar, with the
// settings dialog, the automation dialog, the log search and the history
// list open, and the players' guide. Every page must have zero
// violations.
func TestAccessibility(t *testing.T) {
	t.Parallel()
	axeSource(t) // before starting anything: skip or fail early
	gw := startGateway(t, true, func(c *app.Config) { c.Accounts.AllowGuests = true })
	b := newBrowser(t, gw, 1000, 700, 1)

	b.frontDoor(t, gw)
	b.walkPages(t, gw, func(where string) {
		if where == "the front door" {
			// The check can fail: an image without a text alternative is found.
			eval[bool](t, b, `(() => { const i = document.createElement("img"); i.id = "axe-probe"; i.src = "favicon.svg"; document.getElementById("main").append(i); return true; })()`)
			if r := runAxe(t, b); !hasViolation(r, "image-alt", "#axe-probe") {
				t.Fatalf("axe-core missed an image without alt text; it found %+v", r.Violations)
			}
			eval[bool](t, b, `(() => { document.getElementById("axe-probe").remove(); return true; })()`)
		}
		assertAccessible(t, b, where)
	})

	// The warning of failed logins since the last visit.
	b.click(t, "session-logout")
	b.waitFor(t, "the login form", `!document.getElementById("entry").hidden`, 10*time.Second)
	if got := b.login(t, "Reader", "not the password at all"); got == "" {
		t.Fatal("a wrong password logged in")
	}
	waitWarning(t, b)
	assertAccessible(t, b, "the front door's warning of failed logins")
}

// walkPages takes the browser, on the front door of a new gateway that
// lets guests in, through the states of the pages a player meets, and
// calls stop at each: the front door's panels, its errors and notices,
// the terminal at the game's login, masked, in line mode, with each
// dialog and list open and in character mode, the players' guide, the
// page a reset link opens, and the front door logged in (where it ends). The accessibility check and the
// check of the words' catalogue take the same walk.
func (b *browser) walkPages(t *testing.T, gw *gateway, stop func(where string)) {
	t.Helper()
	// The front door of a new gateway: first-start setup, log in,
	// register, play as a guest.
	b.waitFor(t, "every panel", `document.getElementById("loading").hidden && !document.getElementById("setup-panel").hidden && !document.getElementById("register-panel").hidden && !document.getElementById("guest-panel").hidden`, 30*time.Second)
	stop("the front door")

	// The forms' errors: a refused login, a password the policy refuses,
	// a second copy that does not match.
	b.login(t, "Nobody", "not a password of anyone")
	b.fill(t, "register-name", "Reader")
	b.fill(t, "register-password", "short")
	b.fill(t, "register-password2", "shirt")
	b.press(t, "\t") // leaving the field says whether the copies match
	b.waitFor(t, "the errors shown", `document.getElementById("login-error").textContent !== "" &&
		document.getElementById("register-policy").classList.contains("bad") &&
		document.getElementById("register-mismatch").classList.contains("bad")`, 20*time.Second)
	stop("the front door with errors")

	// A notice of why the player was sent here.
	if err := chromedp.Do(b.ctx, chromedp.Navigate(gw.URL("/?reason=expired"))); err != nil {
		t.Fatalf("open the front door: %v", err)
	}
	b.waitFor(t, "the notice", `!document.getElementById("reason").hidden && document.getElementById("loading").hidden`, 30*time.Second)
	stop("the front door with a notice")

	// The terminal, before and while logging in to the game (the
	// password prompt masks the command line), then in line mode with
	// the room panel.
	b.register(t, gw, "Reader", accountPassword)
	b.waitScreen(t, "What is your name?", 90*time.Second)
	b.waitFor(t, "status connected", `drawbridge.status().state === "connected"`, 10*time.Second)
	stop("/play at the game's login")
	b.typeLine(t, "Reader")
	b.waitFor(t, "masked command line", `document.getElementById("cmdline").type === "password"`, 10*time.Second)
	stop("/play with the command line masked")
	b.typeLine(t, "a game password")
	b.waitScreen(t, "Welcome to the castle, Reader", 10*time.Second)
	b.waitFor(t, "the room panel", `!document.getElementById("room").hidden`, 10*time.Second)
	b.typeLine(t, "look")
	stop("/play in line mode")

	// The settings dialog.
	b.clickSelector(t, "#settings-button")
	b.waitFor(t, "the settings dialog", `document.getElementById("settings").open`, 10*time.Second)
	stop("/play with the settings dialog open")
	b.clickSelector(t, `#settings [data-action="close"]`)
	b.waitFor(t, "the settings dialog closed", `!document.getElementById("settings").open && document.activeElement.id === "cmdline"`, 10*time.Second)

	// The history list.
	b.clickSelector(t, "#history-button")
	b.waitFor(t, "the history list", `!document.getElementById("history-list").hidden`, 10*time.Second)
	stop("/play with the history list open")
	b.press(t, "\x1b") // Escape closes it
	b.waitFor(t, "the history list closed", `document.getElementById("history-list").hidden`, 10*time.Second)

	// The dialog of aliases, triggers and keys, with a new item's form,
	// the keys, and the log's search.
	b.clickSelector(t, "#settings-button")
	b.clickSelector(t, `#settings [data-action="automation"]`)
	b.waitFor(t, "the automation dialog", `document.getElementById("automation").open`, 10*time.Second)
	b.clickSelector(t, `#automation [data-action="auto-add"]`)
	stop("/play with a new alias's form")
	b.clickSelector(t, "#tab-triggers")
	b.clickSelector(t, `#automation [data-action="auto-add"]`)
	stop("/play with a new trigger's form")
	b.clickSelector(t, "#tab-macros")
	stop("/play with the keys")
	b.clickSelector(t, `#automation [data-action="close"]`)
	b.waitFor(t, "the automation dialog closed", `!document.getElementById("automation").open`, 10*time.Second)
	b.clickSelector(t, "#settings-button")
	b.clickSelector(t, `#settings [data-action="log-search"]`)
	b.waitFor(t, "the log search", `document.getElementById("logsearch").open`, 10*time.Second)
	stop("/play with the log search")
	b.clickSelector(t, `#logsearch [data-action="close"]`)
	b.waitFor(t, "the log search closed", `!document.getElementById("logsearch").open`, 10*time.Second)

	// Character mode: the demo game's full-screen map, with the key bar.
	b.typeLine(t, "map")
	b.waitFor(t, "character mode", `document.getElementById("cmdline").classList.contains("charmode") && !document.getElementById("keybar").hidden`, 10*time.Second)
	b.waitScreen(t, "The Castle Grounds", 10*time.Second)
	stop("/play in character mode")
	b.press(t, "q")
	b.waitFor(t, "line mode again", `!document.getElementById("cmdline").classList.contains("charmode")`, 10*time.Second)

	// The players' guide.
	if err := chromedp.Do(b.ctx, chromedp.Navigate(gw.URL("/guide.html"))); err != nil {
		t.Fatalf("open the guide: %v", err)
	}
	b.waitFor(t, "the guide", `document.getElementById("guide-title") !== null`, 10*time.Second)
	stop("the players' guide")

	// The page a reset link opens: without its secret, and with one the
	// gateway refuses.
	if err := chromedp.Do(b.ctx, chromedp.Navigate(gw.URL("/reset.html"))); err != nil {
		t.Fatalf("open the reset page: %v", err)
	}
	b.waitFor(t, "the reset page's notice", `!document.getElementById("reset-missing").hidden`, 10*time.Second)
	stop("the reset page without a link")
	if err := chromedp.Do(b.ctx, chromedp.Navigate(gw.URL("/reset.html#"+strings.Repeat("x", 43)))); err != nil {
		t.Fatalf("open the reset page: %v", err)
	}
	b.waitFor(t, "the reset form", resetFormReady, 10*time.Second)
	b.fill(t, "reset-password", accountPassword)
	b.fill(t, "reset-password2", accountPassword)
	b.waitFor(t, "the password accepted", `document.getElementById("reset-policy").classList.contains("ok")`, 10*time.Second)
	b.click(t, "reset-submit")
	b.waitFor(t, "the link refused", `document.getElementById("reset-error").textContent !== ""`, 20*time.Second)
	stop("the reset page with a refused link")

	// The front door, logged in.
	b.frontDoor(t, gw)
	b.waitFor(t, "the session panel", `!document.getElementById("session-panel").hidden`, 10*time.Second)
	stop("the front door, logged in")
}

// waitWarning logs Reader in with the right password once the backoff
// after the wrong one is over, and waits for the warning of failed logins
// without going on to the terminal.
func waitWarning(t *testing.T, b *browser) {
	t.Helper()
	for i := 0; ; i++ {
		eval[bool](t, b, `(() => { document.getElementById("login-error").textContent = ""; return true; })()`)
		b.clear(t, "login-name")
		b.clear(t, "login-password")
		b.fill(t, "login-name", "Reader")
		b.fill(t, "login-password", accountPassword)
		b.click(t, "login-submit")
		b.waitFor(t, "the login's answer", `!!document.getElementById("continue") || document.getElementById("login-error").textContent !== ""`, 20*time.Second)
		if eval[bool](t, b, `!!document.getElementById("continue")`) {
			return
		}
		if got := b.text(t, "login-error"); !slowedDown(got) || i == 10 {
			t.Fatalf("login with the right password: %q", got)
		}
		time.Sleep(time.Second)
	}
}

// hasViolation reports whether r holds a violation of rule on an element
// whose target contains target.
func hasViolation(r axeRun, rule, target string) bool {
	for _, v := range r.Violations {
		if v.ID != rule {
			continue
		}
		for _, n := range v.Nodes {
			if strings.Contains(n.Target, target) {
				return true
			}
		}
	}
	return false
}
