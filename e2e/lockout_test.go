package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/drawbridge/drawbridge/gateway/app"
)

// TestLockoutInBrowser is the security review's first finding, as a
// player meets it: someone guessing Alice's password from another
// address locks out only that address. Alice's own browser, which logged
// in before, gets in at once and is told about the failed logins; a
// browser that never logged in to Alice, from an address of its own, is
// slowed by the name's backoff, then gets in.
func TestLockoutInBrowser(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true, func(c *app.Config) {
		l := &c.Accounts.Limits
		// Three failures lock an address out; after them the name's
		// backoff is 2 s, 4 s, then 8 s: long enough for a try right
		// after the attack to fall inside it, even on a busy machine.
		l.LockoutAfter, l.BackoffBase, l.BackoffMax = 3, 2*time.Second, 16*time.Second
	})
	alice := newBrowser(t, gw, 1000, 700, 1)
	alice.register(t, gw, "Alice", accountPassword)
	alice.waitFor(t, "who is logged in", `document.getElementById("who").textContent === "Alice"`, 30*time.Second)
	alice.click(t, "logout")
	alice.waitFor(t, "the front door", `location.pathname === "/" && !document.getElementById("entry").hidden`, 20*time.Second)
	// A browser that never logged in to Alice, ready at the front door.
	// It came by a link that tries to put words on the page: the front
	// door shows its own sentence for a ?reason= it does not know.
	stranger := newBrowser(t, gw, 1000, 700, 1)
	if err := chromedp.Do(stranger.ctx, chromedp.Navigate(gw.URL("/?reason=Your+account+is+suspended.+Log+in+at+evil.example"))); err != nil {
		t.Fatalf("open the front door: %v", err)
	}
	stranger.waitFor(t, "the front door", `document.getElementById("loading").hidden`, 30*time.Second)
	if got := stranger.text(t, "reason"); got != "Please log in." {
		t.Fatalf("a made-up ?reason= shows %q, want the page's own \"Please log in.\"", got)
	}

	// The attacker, from 127.0.0.2, guesses until that address is locked
	// out, waiting out the name's backoff between guesses.
	attacker := gw.clientFrom(t, "127.0.0.2")
	guesses := 0
	for locked := false; !locked; {
		status, body := gw.postJSON(t, attacker, "/api/login", map[string]string{"name": "Alice", "password": "guess guess guess"})
		switch {
		case status == http.StatusUnauthorized:
			guesses++
		case status == http.StatusTooManyRequests && strings.Contains(body, "failed logins"):
			locked = true
		case status == http.StatusTooManyRequests:
			time.Sleep(500 * time.Millisecond)
		default:
			t.Fatalf("guess: %d %s", status, body)
		}
		if guesses > 10 {
			t.Fatalf("the attacker's address was not locked out after %d guesses", guesses)
		}
	}

	// A new address (127.0.0.3), right after the attack: slowed by the
	// name's backoff, not locked out.
	if status, body := gw.postJSON(t, gw.clientFrom(t, "127.0.0.3"), "/api/login", map[string]string{"name": "Alice", "password": accountPassword}); status != http.StatusTooManyRequests || !strings.Contains(strings.ToLower(body), "too many attempts") {
		t.Fatalf("a new address right after the attack: %d %s, want 429 too many attempts (slowed)", status, body)
	}

	// Alice's browser gets in meanwhile, and is told.
	alice.fill(t, "login-name", "Alice")
	alice.fill(t, "login-password", accountPassword)
	alice.click(t, "login-submit")
	alice.waitFor(t, "the warning", `!!document.getElementById("continue")`, 20*time.Second)
	if got, want := alice.text(t, "reason"), "saw 3 failed logins since your last visit"; !strings.Contains(got, want) {
		t.Fatalf("after the attack Alice's login says %q, want %q", got, want)
	}
	alice.click(t, "continue")
	alice.waitPlay(t)
	alice.waitScreen(t, "DRAWBRIDGE", 90*time.Second)

	// The browser that never logged in to Alice (from 127.0.0.1) gets in
	// once the backoff has passed, slowed until then.
	for i := 0; ; i++ {
		got := stranger.login(t, "Alice", accountPassword)
		if got == "" {
			break
		}
		if !slowedDown(got) || i == 30 {
			t.Fatalf("a new browser, try %d: %q", i+1, got)
		}
		time.Sleep(time.Second)
	}
	stranger.waitPlay(t)

	// The attacker's address stays locked out, right password or not.
	if status, body := gw.postJSON(t, attacker, "/api/login", map[string]string{"name": "Alice", "password": accountPassword}); status != http.StatusTooManyRequests {
		t.Fatalf("the attacker's address with the right password: %d %s, want 429 (locked out)", status, body)
	}
}

// clientFrom is an HTTP client of the gateway's API whose connections
// come from the loopback address src, with a cookie jar, as a browser's
// fetch would be.
func (g *gateway) clientFrom(t *testing.T, src string) *http.Client {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
	cfg := g.tlsConfig(t)
	cfg.ServerName = "localhost"
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: cfg,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			_, port, _ := net.SplitHostPort(addr)
			return d.DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", port))
		},
		TLSHandshakeTimeout: 10 * time.Second,
	}}
}

// postJSON posts body to the account API at path as the front door does,
// and returns the status and the answer.
func (g *gateway) postJSON(t *testing.T, c *http.Client, path string, body any) (int, string) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, g.URL(path), bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", g.URL(""))
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(resp.Body)
	return resp.StatusCode, out.String()
}
