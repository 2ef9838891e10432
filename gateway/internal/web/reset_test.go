package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
)

// TestResetLinkAPI: an admin issues a reset link (the secret after "#"),
// the player's browser spends it on a new password, which ends the
// player's logged-in browser's session; the link then is refused, as a
// wrong one is, with its code; a player may not issue links, and a
// cross-site request cannot spend one.
func TestResetLinkAPI(t *testing.T) {
	r := newAuthRig(t)
	player := r.browser()
	r.register(player, "Frank")
	frank, err := r.svc.UserByName(context.Background(), account.Console(), "Frank")
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/admin/users/" + strconv.FormatInt(frank.ID, 10) + "/reset"
	if res := r.call(player, "POST", path, nil); res.status != http.StatusForbidden {
		t.Fatalf("a player issuing a link: %d, want 403", res.status)
	}
	admin := r.admin()
	res := r.call(admin, "POST", path, nil)
	link, _ := res.body["path"].(string)
	secret, ok := strings.CutPrefix(link, "reset.html#")
	if res.status != http.StatusCreated || !ok || len(secret) != account.TokenLen || res.body["expires_at"] == nil {
		t.Fatalf("issue: %d %v", res.status, res.body)
	}

	other := r.browser() // the link opened elsewhere
	const newPassword = "a brand new and rather long passphrase"
	if res := r.call(other, "POST", "/api/reset", map[string]string{"token": secret, "password": "frank"}); res.status != http.StatusBadRequest || len(res.body["problems"].([]any)) == 0 {
		t.Fatalf("a weak password: %d %v", res.status, res.body)
	}
	if res := r.call(other, "POST", "/api/reset", map[string]string{"token": secret, "password": newPassword}, "Sec-Fetch-Site", "cross-site"); res.status != http.StatusForbidden || res.body["code"] != codeCrossSite {
		t.Fatalf("a cross-site reset: %d %v", res.status, res.body)
	}
	if res := r.call(other, "POST", "/api/reset", map[string]string{"token": secret, "password": newPassword}); res.status != http.StatusNoContent {
		t.Fatalf("reset: %d %v", res.status, res.body)
	}
	if res := r.call(player, "GET", "/api/session", nil); res.status != http.StatusUnauthorized {
		t.Fatalf("the logged-in browser's session after the reset: %d, want 401", res.status)
	}
	if res := r.call(r.browser(), "POST", "/api/login", credentials{Name: "Frank", Password: newPassword}); res.status != 200 {
		t.Fatalf("login with the new password: %d %v", res.status, res.body)
	}
	for _, tok := range []string{secret, strings.Repeat("x", account.TokenLen)} {
		if res := r.call(other, "POST", "/api/reset", map[string]string{"token": tok, "password": newPassword + "!"}); res.status != http.StatusForbidden || res.body["code"] != account.CodeInvalidResetLink {
			t.Fatalf("a used or wrong link: %d %v", res.status, res.body)
		}
	}
}
