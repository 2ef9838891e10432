package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/drawbridge/drawbridge/gateway/app"
)

// accountPassword passes the default password policy.
const accountPassword = "drawbridge over the moat at dawn"

// fill types text into an input of the page.
func (b *browser) fill(t *testing.T, id, text string) {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.ID(id), text)); err != nil {
		t.Fatalf("type into #%s: %v", id, err)
	}
}

// clear empties an input of the page.
func (b *browser) clear(t *testing.T, id string) {
	t.Helper()
	eval[bool](t, b, fmt.Sprintf(`(() => { document.getElementById(%q).value = ""; return true; })()`, id))
}

// click clicks an element of the page.
func (b *browser) click(t *testing.T, id string) {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.ID(id))); err != nil {
		t.Fatalf("click #%s: %v", id, err)
	}
}

// text is the visible text of an element.
func (b *browser) text(t *testing.T, id string) string {
	t.Helper()
	return eval[string](t, b, fmt.Sprintf(`(document.getElementById(%q) || {}).textContent || ""`, id))
}

// frontDoor opens the front door and waits until it has learnt what to
// show.
func (b *browser) frontDoor(t *testing.T, gw *gateway) {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Navigate(gw.URL("/"))); err != nil {
		t.Fatalf("open the front door: %v", err)
	}
	b.waitFor(t, "the front door", `document.getElementById("loading").hidden`, 30*time.Second)
}

// waitPlay waits until the browser is on the terminal page.
func (b *browser) waitPlay(t *testing.T) {
	t.Helper()
	b.waitFor(t, "the terminal page", `location.pathname === "/play"`, 30*time.Second)
}

// register creates an account through the front door's form, as a new
// player does, and waits for the terminal page it leads to.
func (b *browser) register(t *testing.T, gw *gateway, name, password string) {
	t.Helper()
	b.frontDoor(t, gw)
	b.waitFor(t, "the account form", `!document.getElementById("register-panel").hidden`, 10*time.Second)
	b.fill(t, "register-name", name)
	b.fill(t, "register-password", password)
	b.fill(t, "register-password2", password)
	b.waitFor(t, "the password accepted", `document.getElementById("register-policy").classList.contains("ok")`, 10*time.Second)
	b.click(t, "register-submit")
	b.waitPlay(t)
}

// login sends the front door's login form and returns the error it
// shows, or "" when it led to the terminal page (after the warning of
// failed logins since the last visit, if there was one: kept in
// b.warning).
func (b *browser) login(t *testing.T, name, password string) string {
	t.Helper()
	eval[bool](t, b, `(() => { document.getElementById("login-error").textContent = ""; return true; })()`)
	b.clear(t, "login-name")
	b.clear(t, "login-password")
	b.fill(t, "login-name", name)
	b.fill(t, "login-password", password)
	b.click(t, "login-submit")
	b.waitFor(t, "the login's answer", `location.pathname === "/play" || !!document.getElementById("continue") || document.getElementById("login-error").textContent !== ""`, 20*time.Second)
	if eval[bool](t, b, `!!document.getElementById("continue")`) {
		// Told of failed logins since the last visit: read on.
		b.warning = b.text(t, "reason")
		b.click(t, "continue")
		b.waitPlay(t)
	}
	if eval[string](t, b, `location.pathname`) == "/play" {
		return ""
	}
	return b.text(t, "login-error")
}

// loginAfterBackoff logs in with the right password, trying again each
// second while the login is slowed down by earlier failures (for up to
// ten seconds), and waits for the terminal.
func (b *browser) loginAfterBackoff(t *testing.T, name, password string) {
	t.Helper()
	for i := 0; ; i++ {
		got := b.login(t, name, password)
		if got == "" {
			break
		}
		if !slowedDown(got) || i == 10 {
			t.Fatalf("login of %s with the right password: %q", name, got)
		}
		time.Sleep(time.Second)
	}
	b.waitPlay(t)
}

// waitPlayers waits until the gateway bridges n players.
func waitPlayers(t *testing.T, gw *gateway, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for gw.Players() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d players bridged, want %d", gw.Players(), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestAccountsInBrowser follows a player's account through the pages:
// logging out closes the game connection and leads back to the front
// door; the terminal without a session sends the player there saying why;
// a wrong password is refused and a quick second try is slowed down; and a
// session the operator revokes from the command line ends the game
// connection and sends the player to the front door.
func TestAccountsInBrowser(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	b := newBrowser(t, gw, 1000, 700, 1)

	b.register(t, gw, "Alice", accountPassword)
	b.waitScreen(t, "DRAWBRIDGE", 90*time.Second)
	b.waitFor(t, "who is logged in", `document.getElementById("who").textContent === "Alice"`, 10*time.Second)
	waitPlayers(t, gw, 1)

	// Log out: the bridge closes, and the player is at the front door.
	b.click(t, "logout")
	b.waitFor(t, "the front door", `location.pathname === "/" && !document.getElementById("entry").hidden`, 20*time.Second)
	waitPlayers(t, gw, 0)
	// The game's resume token went with the session (www/play.js).
	if kept := eval[any](t, b, `sessionStorage.getItem("drawbridge.resume")`); kept != nil {
		t.Fatalf("sessionStorage keeps %q after Log out, want nothing", kept)
	}

	// The terminal without a session: the client is refused on /ws and
	// sends the player to the front door with the reason, which the front
	// door shows once and drops from the address.
	if err := chromedp.Do(b.ctx, chromedp.Navigate(gw.URL("/play"))); err != nil {
		t.Fatalf("open /play: %v", err)
	}
	b.waitFor(t, "the reason shown", `location.pathname === "/" && !document.getElementById("reason").hidden`, 90*time.Second)
	if got := b.text(t, "reason"); !strings.Contains(strings.ToLower(got), "log in") {
		t.Fatalf("reason %q, want it to ask the player to log in", got)
	}
	if q := eval[string](t, b, `location.search`); strings.Contains(q, "reason") {
		t.Fatalf("address keeps the reason: %q", q)
	}
	b.waitFor(t, "the login form", `!document.getElementById("entry").hidden`, 10*time.Second)

	// A wrong password is refused without saying which half was wrong.
	if got := b.login(t, "Alice", "not the password at all"); !strings.Contains(got, "Invalid username or password") {
		t.Fatalf("login error %q, want the generic refusal", got)
	}
	if got := eval[string](t, b, `document.getElementById("login-password").getAttribute("aria-invalid") || ""`); got != "true" {
		t.Fatalf("password field aria-invalid %q, want true", got)
	}

	// Guessing at a name (one that does not exist, so as not to lock
	// Alice out) is slowed down and then locked, and the player is told
	// how long to wait.
	slowed := ""
	for i := 0; i < 12 && slowed == ""; i++ {
		got := b.login(t, "Mallory", fmt.Sprintf("guess number %d", i))
		switch {
		case strings.Contains(got, "Too many"):
			slowed = got
		case !strings.Contains(got, "Invalid username or password"):
			t.Fatalf("guess %d: login error %q", i, got)
		}
	}
	if !strings.Contains(slowed, "try again in") {
		t.Fatalf("after a dozen guesses the login says %q, want to be told how long to wait", slowed)
	}

	// Alice's right password gets in, once her own backoff (a second
	// after her one failure) is over.
	b.loginAfterBackoff(t, "Alice", accountPassword)
	if want := "Your account saw 1 failed login since your last visit."; !strings.Contains(b.warning, want) {
		t.Fatalf("after her wrong password Alice's next login said %q, want %q", b.warning, want)
	}
	b.waitScreen(t, "DRAWBRIDGE", 90*time.Second)
	waitPlayers(t, gw, 1)

	// The operator revokes Alice's sessions from the command line, which
	// opens the same database beside the running gateway: the gateway's
	// live check ends the bridge and the client goes to the front door.
	revokeSessions(t, gw, "Alice")
	b.waitFor(t, "the front door after the revocation", `location.pathname === "/" && !document.getElementById("reason").hidden`, 60*time.Second)
	waitPlayers(t, gw, 0)
	if got := b.text(t, "reason"); !strings.Contains(got, "session was ended") {
		t.Fatalf("after revocation the front door says %q, want that the session was ended", got)
	}
}

// TestExpiredSessionInBrowser lets a player's login session run out while
// the player is connected: the gateway's live check closes the game
// connection and the client sends the player to the front door, saying
// the session expired.
func TestExpiredSessionInBrowser(t *testing.T) {
	t.Parallel()
	const lifetime = 20 * time.Second
	gw := startGateway(t, true, func(c *app.Config) {
		c.Accounts.MaxLifetime, c.Accounts.IdleTimeout, c.Accounts.TouchEvery = lifetime, lifetime, lifetime/4
	})
	b := newBrowser(t, gw, 1000, 700, 1)
	b.register(t, gw, "Alice", accountPassword)
	b.waitScreen(t, "DRAWBRIDGE", 90*time.Second)
	waitPlayers(t, gw, 1)
	b.waitFor(t, "the front door after expiry", `location.pathname === "/" && !document.getElementById("reason").hidden`, 2*lifetime+30*time.Second)
	if got := b.text(t, "reason"); !strings.Contains(got, "session expired") {
		t.Fatalf("after expiry the front door says %q, want that the session expired", got)
	}
	waitPlayers(t, gw, 0)
}

// revokeSessions ends every session of the named account with the
// command an operator runs beside the gateway, on the same database.
func revokeSessions(t *testing.T, gw *gateway, name string) {
	t.Helper()
	cmd := exec.Command(drawbridgeCommand(t), "session", "-state-dir", gw.cfg.StateDir, "revoke", "-user", name)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("drawbridge session revoke -user %s: %v\n%s", name, err, out)
	}
	t.Logf("drawbridge session revoke -user %s: %s", name, strings.TrimSpace(string(out)))
}

// TestCrossOriginWebSocketRefused opens the gateway's /ws from a page of
// another origin in a browser that holds a valid session: the gateway
// refuses it before any game connection is made.
func TestCrossOriginWebSocketRefused(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	b := newBrowser(t, gw, 800, 600, 1)
	b.register(t, gw, "Alice", accountPassword)

	target := strings.Replace(gw.URL("/ws"), "https://", "wss://", 1)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>elsewhere</title><script>
window.result = new Promise((resolve) => {
  const ws = new WebSocket(%q, "drawbridge.v1");
  ws.onopen = () => resolve("opened");
  ws.onclose = (ev) => resolve("closed " + ev.code);
});
</script>`, target)
	}))
	defer evil.Close()

	// Alice's /play page has a game connection, which leaving the page
	// does not end (it waits for a reload): count sessions started, once
	// it has started.
	waitPlayers(t, gw, 1)
	started := strings.Count(gw.log.String(), "session started")
	if err := chromedp.Do(b.ctx, chromedp.Navigate(evil.URL)); err != nil {
		t.Fatalf("open the other site: %v", err)
	}
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`window.result`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("the other site's WebSocket: %v", err)
	}
	if got != "closed 1006" {
		t.Fatalf("the other site's WebSocket: %s, want refused before it opened (closed 1006)", got)
	}
	if !strings.Contains(gw.log.String(), "websocket refused") || !strings.Contains(gw.log.String(), evil.URL) {
		t.Fatalf("the gateway did not log the refusal of origin %s", evil.URL)
	}
	if n := strings.Count(gw.log.String(), "session started"); n != started {
		t.Fatalf("%d sessions started by the other site's WebSocket, want none", n-started)
	}
}

// TestFirstStartSetupInBrowser creates the first superuser as an operator
// does on a new gateway: the one-time token from the log, in the front
// door's setup form.
func TestFirstStartSetupInBrowser(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	_, after, ok := strings.Cut(gw.log.String(), "setup_token=")
	if !ok {
		t.Fatal("the gateway did not log a setup token on its first start")
	}
	token, _, _ := strings.Cut(after, "\n")
	b := newBrowser(t, gw, 1000, 700, 1)
	b.frontDoor(t, gw)
	b.waitFor(t, "the setup form", `!document.getElementById("setup-panel").hidden`, 10*time.Second)

	// A wrong token is refused, and nothing is created.
	b.fill(t, "setup-token", "not-the-token")
	b.fill(t, "setup-name", "Keeper")
	b.fill(t, "setup-password", accountPassword)
	b.fill(t, "setup-password2", accountPassword)
	// The live password check's answer appears above the button: click
	// once it is there, or the button may move under the click (as
	// register does).
	b.waitFor(t, "the password accepted", `document.getElementById("setup-policy").classList.contains("ok")`, 10*time.Second)
	b.click(t, "setup-submit")
	b.waitFor(t, "the refusal", `document.getElementById("setup-error").textContent !== ""`, 20*time.Second)
	if got := eval[string](t, b, `document.getElementById("setup-token").getAttribute("aria-invalid") || ""`); got != "true" {
		t.Fatalf("setup token field aria-invalid %q after %q, want true", got, b.text(t, "setup-error"))
	}

	b.clear(t, "setup-token")
	b.fill(t, "setup-token", strings.TrimSpace(token))
	b.click(t, "setup-submit")
	b.waitPlay(t)
	role, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`fetch("/api/session").then(r => r.json()).then(j => j.user.role)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("GET /api/session: %v", err)
	}
	if role != "superuser" {
		t.Fatalf("the account made with the setup token has role %q, want superuser", role)
	}

	// The token was for one use: the front door no longer offers setup.
	b.frontDoor(t, gw)
	b.waitFor(t, "the session panel", `!document.getElementById("session-panel").hidden`, 10*time.Second)
	if !eval[bool](t, b, `document.getElementById("setup-panel").hidden`) {
		t.Fatal("the setup form is still offered after the superuser was created")
	}
}

// TestFrontDoorShowsGameStatus: the front door says how the game is
// doing, from the gateway's MSSP check of the demo game, in words and
// without moving the forms when it arrives; and says plainly when the
// game does not answer.
func TestFrontDoorShowsGameStatus(t *testing.T) {
	t.Parallel()
	const statusText = `document.getElementById("game-status").textContent`
	gw := startGateway(t, false)
	b := newBrowser(t, gw, 1000, 700, 1)
	b.frontDoor(t, gw)
	b.waitFor(t, "the game's status", statusText+`.includes("up for")`, 20*time.Second)
	got := b.text(t, "game-status")
	if want := "No one is playing right now, up for less than a minute."; got != want {
		t.Errorf("status line %q, want %q", got, want)
	}
	if state := eval[string](t, b, `document.getElementById("game-status").dataset.state`); state != "up" {
		t.Errorf("status state %q, want up", state)
	}
	// The line's room is kept while it is empty: the forms do not move.
	moved := eval[float64](t, b, `(() => {
		const el = document.getElementById("game-status");
		const top = () => document.getElementById("main").getBoundingClientRect().top;
		const full = top(), text = el.textContent;
		el.textContent = "";
		const empty = top();
		el.textContent = text;
		return full - empty;
	})()`)
	if moved != 0 {
		t.Errorf("the page moves %vpx when the status line fills, want 0", moved)
	}

	// A game that is down is shown as not answering, with no numbers.
	down := startGateway(t, false, func(c *app.Config) {
		c.Game.Backend = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	})
	b = newBrowser(t, down, 1000, 700, 1)
	b.frontDoor(t, down)
	b.waitFor(t, "the game shown down", statusText+`.includes("answering")`, 20*time.Second)
	if got := b.text(t, "game-status"); got != "The game is not answering right now." {
		t.Errorf("status line %q for a game that is down, want it to say the game is not answering", got)
	}
	if state := eval[string](t, b, `document.getElementById("game-status").dataset.state`); state != "down" {
		t.Errorf("status state %q, want down", state)
	}
}

// slowedDown reports whether the front door's error says to wait: the
// limit on attempts (api.rate_limited) or the lock on an account after
// failed logins (api.locked), both answered with 429.
func slowedDown(got string) bool {
	return strings.Contains(got, "Too many attempts") || strings.Contains(got, "Too many failed logins")
}
