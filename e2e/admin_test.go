package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/drawbridge/drawbridge/shared/i18n"
)

// drawbridgeCLI runs a drawbridge command on the running gateway's
// database, as an operator does beside it, with stdin.
func drawbridgeCLI(t *testing.T, gw *gateway, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(drawbridgeCommand(t), append(args, "-state-dir", gw.cfg.StateDir)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("drawbridge %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestAdminConsoleInBrowser drives the staff console on a phone's screen:
// a superuser creates an account, finds it, changes its role, issues a
// reset link, disables and enables it, and reads the audit trail for it;
// the page fits the phone's width; a player is turned away.
func TestAdminConsoleInBrowser(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	drawbridgeCLI(t, gw, accountPassword+"\n", "user", "add", "-role", "superuser", "Boss")

	b := newBrowser(t, gw, 390, 844, 3)
	b.frontDoor(t, gw)
	b.waitFor(t, "the login form", `!document.getElementById("entry").hidden`, 10*time.Second)
	if got := b.login(t, "Boss", accountPassword); got != "" {
		t.Fatalf("staff login: %q", got)
	}
	waitPlayers(t, gw, 1) // Boss plays, then opens the console
	if err := chromedp.Do(b.ctx, chromedp.Navigate(gw.URL("/admin"))); err != nil {
		t.Fatalf("open /admin: %v", err)
	}
	b.waitFor(t, "the console", `!document.getElementById("admin-panels").hidden && document.querySelector("#users-rows button") !== null`, 20*time.Second)
	if who := b.text(t, "admin-who"); !strings.Contains(who, "Boss") {
		t.Fatalf("the console says %q, want who is logged in", who)
	}

	// Boss's own game, left for this page, is held for a resume.
	b.waitFor(t, "who is playing", `[...document.querySelectorAll("#players-rows tr")].some((r) => r.textContent.includes("Boss"))`, 10*time.Second)

	// The game's panel: reachable, and this gateway's connection to it.
	b.waitFor(t, "the game's panel", `document.getElementById("game-facts").textContent.includes("ok 1") && document.getElementById("game-facts").textContent.includes("Reachable")`, 10*time.Second)

	// Create an account.
	b.fill(t, "create-name", "Pat")
	b.fill(t, "create-password", accountPassword)
	b.click(t, "create-submit")
	b.waitFor(t, "the account created", `!document.getElementById("create-done").hidden && [...document.querySelectorAll("#users-rows button")].some((x) => x.textContent === "Pat")`, 20*time.Second)

	// Open it, make it a builder.
	b.clickSelector(t, `#users-rows button[data-user]:not([data-user="1"])`)
	b.waitFor(t, "Pat's panel", `!document.getElementById("user-panel").hidden && document.getElementById("user-title").textContent.includes("Pat")`, 10*time.Second)
	eval[bool](t, b, `(() => { document.getElementById("user-role").value = "builder"; return true; })()`)
	b.click(t, "user-role-save")
	b.waitFor(t, "the role changed", `!document.getElementById("user-done").hidden && document.getElementById("user-state").textContent.includes("builder")`, 10*time.Second)

	// A reset link, ready to copy.
	b.click(t, "user-reset")
	b.waitFor(t, "the link", `!document.getElementById("user-link-row").hidden`, 10*time.Second)
	if link := eval[string](t, b, `document.getElementById("user-link").value`); !strings.HasPrefix(link, gw.URL("/reset.html#")) {
		t.Fatalf("the reset link %q, want it under %s", link, gw.URL("/reset.html#"))
	}

	// Disable, then enable.
	b.click(t, "user-disable")
	b.waitFor(t, "disabled", `document.getElementById("user-state").textContent.includes("disabled") && !document.getElementById("user-enable").hidden`, 10*time.Second)
	b.click(t, "user-enable")
	b.waitFor(t, "enabled", `document.getElementById("user-state").textContent.includes("active") && !document.getElementById("user-disable").hidden`, 10*time.Second)

	// The audit trail of Pat's role changes.
	b.fill(t, "audit-name", "Pat")
	b.fill(t, "audit-type", "role.change")
	b.click(t, "audit-submit")
	b.waitFor(t, "the filtered trail", `document.querySelectorAll("#audit-rows tr").length === 1`, 10*time.Second)
	if row := eval[string](t, b, `document.querySelector("#audit-rows tr").textContent`); !strings.Contains(row, "role.change") || !strings.Contains(row, "Boss") || !strings.Contains(row, "player -> builder") {
		t.Fatalf("the audit row %q, want Boss's role change of Pat", row)
	}

	// The page fits the phone's width (tables scroll in their own box).
	if w := eval[bool](t, b, `document.documentElement.scrollWidth <= window.innerWidth`); !w {
		wide := eval[string](t, b, `[...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => e.tagName + "#" + e.id + "." + e.className + " " + Math.round(e.getBoundingClientRect().right)).slice(0, 12).join(", ")`)
		t.Fatalf("the console is wider than the phone: %v > %v; past the edge: %s", eval[float64](t, b, `document.documentElement.scrollWidth`), eval[float64](t, b, `window.innerWidth`), wide)
	}

	assertAccessible(t, b, "the staff console with an account open")

	// Every word on it is the catalogue's (the pseudo-language marks them).
	if err := chromedp.Do(b.ctx, chromedp.Navigate(gw.URL("/admin?lang="+i18n.Pseudo))); err != nil {
		t.Fatal(err)
	}
	b.waitFor(t, "the console in the pseudo-language", `!document.getElementById("admin-panels").hidden && document.querySelector("#users-rows button") !== null && document.querySelectorAll("#audit-rows tr").length > 0`, 20*time.Second)
	b.clickSelector(t, `#users-rows button[data-user]:not([data-user="1"])`)
	b.waitFor(t, "the account's sessions", `!document.getElementById("user-panel").hidden && !document.getElementById("sessions-empty").hidden`, 10*time.Second)
	assertCatalogued(t, b, "the staff console")

	// A player is turned away, in words.
	p := newBrowser(t, gw, 800, 600, 1)
	p.register(t, gw, "Quinn", accountPassword)
	if err := chromedp.Do(p.ctx, chromedp.Navigate(gw.URL("/admin"))); err != nil {
		t.Fatal(err)
	}
	p.waitFor(t, "the refusal", `!document.getElementById("admin-refused").hidden`, 20*time.Second)
	if got := p.text(t, "admin-refused-text"); !strings.Contains(got, "not a staff account") {
		t.Fatalf("a player on /admin reads %q", got)
	}
	if !eval[bool](t, p, `document.getElementById("admin-panels").hidden`) {
		t.Fatal("a player sees the console's panels")
	}
}
