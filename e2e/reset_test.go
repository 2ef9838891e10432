package e2e

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// resetLink runs `drawbridge user reset NAME` beside the running gateway,
// as an operator does, and returns the link's path from the site's root
// ("/reset.html#SECRET"): the command prints the link under the site's
// address by the configuration, which the test's listeners do not use.
func resetLink(t *testing.T, gw *gateway, name string) string {
	t.Helper()
	cmd := exec.Command(drawbridgeCommand(t), "user", "reset", "-state-dir", gw.cfg.StateDir, name)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("drawbridge user reset %s: %v\n%s", name, err, out)
	}
	m := regexp.MustCompile(`https://[^/\s]+(/reset\.html#[A-Za-z0-9_-]+)\n`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("drawbridge user reset %s printed no link:\n%s", name, out)
	}
	return string(m[1])
}

// resetFormReady is true once the reset page shows its form and has set
// the password fields' rules from the gateway's policy.
const resetFormReady = `!document.getElementById("reset-form").hidden && document.getElementById("reset-password").hasAttribute("passwordrules")`

// TestResetLinkInBrowser: staff print a reset link for a player who is
// playing; the link, opened in another browser, takes the secret out of
// the address bar, sets the new password, and the player's game ends
// with the front door saying why; the new password logs in; the link
// then is refused, in words.
func TestResetLinkInBrowser(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	b := newBrowser(t, gw, 1000, 700, 1)
	b.register(t, gw, "Alice", accountPassword)
	b.waitScreen(t, "DRAWBRIDGE", 90*time.Second)
	waitPlayers(t, gw, 1)

	link := resetLink(t, gw, "Alice")
	other := newBrowser(t, gw, 800, 700, 1)
	if err := chromedp.Do(other.ctx, chromedp.Navigate(gw.URL(link))); err != nil {
		t.Fatalf("open the reset link: %v", err)
	}
	// The form, and the policy it learns from the gateway: typing into a
	// field while the page sets its attributes races inside chromedp.
	other.waitFor(t, "the reset form", resetFormReady, 20*time.Second)
	if h := eval[string](t, other, `location.href`); strings.Contains(h, "#") {
		t.Fatalf("the address bar keeps the secret: %s", h)
	}
	const newPassword = "a quite different passphrase"
	other.fill(t, "reset-password", newPassword)
	other.fill(t, "reset-password2", newPassword)
	other.waitFor(t, "the password accepted", `document.getElementById("reset-policy").classList.contains("ok")`, 10*time.Second)
	other.click(t, "reset-submit")
	other.waitFor(t, "the password set", `!document.getElementById("reset-done").hidden`, 20*time.Second)

	// The player's session ended with the password: the game closes and
	// the front door says why.
	b.waitFor(t, "the front door after the reset", `location.pathname === "/" && !document.getElementById("reason").hidden`, 60*time.Second)
	waitPlayers(t, gw, 0)
	if got := b.text(t, "reason"); !strings.Contains(strings.ToLower(got), "password") {
		t.Fatalf("after the reset the front door says %q, want that the password changed", got)
	}
	b.waitFor(t, "the login form", `!document.getElementById("entry").hidden`, 10*time.Second)
	if got := b.login(t, "Alice", accountPassword); !strings.Contains(got, "Invalid username or password") {
		t.Fatalf("the old password: %q, want it refused", got)
	}
	b.loginAfterBackoff(t, "Alice", newPassword)

	// The link worked once.
	if err := chromedp.Do(other.ctx, chromedp.Navigate(gw.URL(link))); err != nil {
		t.Fatal(err)
	}
	other.waitFor(t, "the reset form again", `!document.getElementById("reset-form").hidden && document.getElementById("reset-done").hidden`, 20*time.Second)
	other.fill(t, "reset-password", newPassword+" again")
	other.fill(t, "reset-password2", newPassword+" again")
	other.waitFor(t, "the password accepted", `document.getElementById("reset-policy").classList.contains("ok")`, 10*time.Second)
	other.click(t, "reset-submit")
	other.waitFor(t, "the refusal", `document.getElementById("reset-error").textContent !== ""`, 20*time.Second)
	if got := other.text(t, "reset-error"); !strings.Contains(got, "not valid") {
		t.Fatalf("the used link: %q, want it called not valid", got)
	}
}
