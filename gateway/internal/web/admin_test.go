package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/drawbridge/drawbridge/gateway/internal/bridge"
	"github.com/drawbridge/drawbridge/gateway/internal/status"
)

// TestAdminAPIForTheConsole: the admin API's calls beyond TestAdminAPI's:
// creating an account (within the roles the admin may grant), unlocking
// one, ending one session of it, and the audit trail narrowed by account,
// event and time, with a filter it cannot read refused.
func TestAdminAPIForTheConsole(t *testing.T) {
	// No rate limit per address: the lockout is what is tested.
	r := newAuthRig(t, func(c *account.Config) { c.Limits.LoginPerAddr = account.Rate{N: -1} })
	ctx := context.Background()
	admin := r.admin()

	// Create: a player, not a superuser; the rules apply.
	res := r.call(admin, "POST", "/api/admin/users", map[string]string{"name": "Henry", "password": strongPassword})
	if u, _ := res.body["user"].(map[string]any); res.status != http.StatusCreated || u["name"] != "Henry" || u["role"] != "player" {
		t.Fatalf("create: %d %v", res.status, res.body)
	}
	if res := r.call(admin, "POST", "/api/admin/users", map[string]string{"name": "Boss", "password": strongPassword, "role": "superuser"}); res.status != http.StatusForbidden {
		t.Fatalf("an admin creating a superuser: %d %v", res.status, res.body)
	}
	if res := r.call(admin, "POST", "/api/admin/users", map[string]string{"name": "Ivy", "password": "short"}); res.status != http.StatusBadRequest || res.body["code"] != account.CodeWeakPassword {
		t.Fatalf("a weak password: %d %v", res.status, res.body)
	}
	henry, err := r.svc.UserByName(ctx, account.Console(), "Henry")
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(henry.ID, 10)

	// Unlock: Henry, locked out from one address by wrong passwords,
	// gets in from it again.
	locked := r.browser()
	for i := 0; i < 40; i++ {
		res := r.call(locked, "POST", "/api/login", credentials{Name: "Henry", Password: "not his password " + strconv.Itoa(i)})
		if res.status == http.StatusTooManyRequests && res.body["code"] == account.CodeLocked {
			break
		}
	}
	if res := r.call(locked, "POST", "/api/login", credentials{Name: "Henry", Password: strongPassword}); res.status == http.StatusOK {
		t.Fatalf("Henry was never locked out: %d %v", res.status, res.body)
	}
	if res := r.call(admin, "POST", "/api/admin/users/"+id+"/unlock", nil); res.status != http.StatusNoContent {
		t.Fatalf("unlock: %d %v", res.status, res.body)
	}
	if res := r.call(locked, "POST", "/api/login", credentials{Name: "Henry", Password: strongPassword}); res.status != http.StatusOK {
		t.Fatalf("login after the unlock: %d %v", res.status, res.body)
	}

	// One session ends; the other browser's stays.
	other := r.browser()
	if res := r.call(other, "POST", "/api/login", credentials{Name: "Henry", Password: strongPassword}); res.status != http.StatusOK {
		t.Fatalf("second login: %d %v", res.status, res.body)
	}
	res = r.call(admin, "GET", "/api/admin/users/"+id+"/sessions", nil)
	sessions, _ := res.body["sessions"].([]any)
	if res.status != 200 || len(sessions) != 2 {
		t.Fatalf("sessions: %d %v", res.status, res.body)
	}
	first := sessions[0].(map[string]any)["id"].(string) // oldest: the locked browser's
	if res := r.call(admin, "POST", "/api/admin/sessions/"+first+"/revoke", nil); res.status != http.StatusNoContent {
		t.Fatalf("revoke: %d %v", res.status, res.body)
	}
	if res := r.call(locked, "GET", "/api/session", nil); res.status != http.StatusUnauthorized {
		t.Fatalf("the revoked session: %d, want 401", res.status)
	}
	if res := r.call(other, "GET", "/api/session", nil); res.status != http.StatusOK {
		t.Fatalf("the other session: %d, want it kept", res.status)
	}
	if res := r.call(admin, "POST", "/api/admin/sessions/nosuchsession/revoke", nil); res.status != http.StatusNotFound {
		t.Fatalf("an unknown session: %d %v", res.status, res.body)
	}

	// The audit trail, narrowed.
	events := func(q url.Values) []map[string]any {
		t.Helper()
		res := r.call(admin, "GET", "/api/admin/events?"+q.Encode(), nil)
		if res.status != 200 {
			t.Fatalf("events %v: %d %v", q, res.status, res.body)
		}
		var out []map[string]any
		for _, e := range res.body["events"].([]any) {
			out = append(out, e.(map[string]any))
		}
		return out
	}
	byHenry := events(url.Values{"user": {id}})
	if len(byHenry) == 0 {
		t.Fatal("no events of Henry")
	}
	for _, e := range byHenry {
		if e["user_id"] != float64(henry.ID) && e["actor_id"] != float64(henry.ID) {
			t.Fatalf("an event not about Henry: %v", e)
		}
	}
	unlocks := events(url.Values{"type": {string(account.EventUnlock)}})
	if len(unlocks) != 1 || unlocks[0]["name"] != "Henry" || unlocks[0]["actor"] != "Grace" {
		t.Fatalf("unlock events: %v", unlocks)
	}
	if later := events(url.Values{"since": {time.Now().Add(time.Hour).Format(time.RFC3339)}}); len(later) != 0 {
		t.Fatalf("events from the future: %v", later)
	}
	if page := events(url.Values{"limit": {"2"}}); len(page) != 2 {
		t.Fatalf("a page of 2: %d", len(page))
	} else if rest := events(url.Values{"before": {strconv.FormatInt(int64(page[1]["id"].(float64)), 10)}}); len(rest) == 0 || rest[0]["id"].(float64) >= page[1]["id"].(float64) {
		t.Fatalf("the next page: %v", rest)
	}
	for _, q := range []string{"since=yesterday", "user=henry", "before=x"} {
		if res := r.call(admin, "GET", "/api/admin/events?"+q, nil); res.status != http.StatusBadRequest {
			t.Fatalf("events?%s: %d, want 400", q, res.status)
		}
	}
}

// TestAdminPlayers: the live game sessions, as the bridge reports them,
// for staff only; none known is an empty list.
func TestAdminPlayers(t *testing.T) {
	r := newAuthRig(t)
	admin := r.admin()
	if res := r.call(admin, "GET", "/api/admin/players", nil); res.status != 200 || len(res.body["players"].([]any)) != 0 {
		t.Fatalf("no bridge: %d %v", res.status, res.body)
	}
	since := time.Date(2026, 12, 8, 1, 2, 3, 0, time.UTC)
	r.web.auth.players = func() []bridge.Live {
		return []bridge.Live{{Account: "Frank", Addr: "192.0.2.9", LoginSession: "abc", Since: since, Away: true, BytesToGame: 12, BytesToPlayer: 3400}}
	}
	res := r.call(admin, "GET", "/api/admin/players", nil)
	ps, _ := res.body["players"].([]any)
	if res.status != 200 || len(ps) != 1 {
		t.Fatalf("players: %d %v", res.status, res.body)
	}
	p := ps[0].(map[string]any)
	if p["account"] != "Frank" || p["addr"] != "192.0.2.9" || p["session"] != "abc" || p["since"] != "2026-12-08T01:02:03Z" || p["away"] != true || p["bytes_to_game"] != 12.0 || p["bytes_to_player"] != 3400.0 {
		t.Fatalf("player %v", p)
	}
	player := r.browser()
	r.register(player, "Frank")
	if res := r.call(player, "GET", "/api/admin/players", nil); res.status != http.StatusForbidden {
		t.Fatalf("a player listing players: %d", res.status)
	}
}

// TestAdminGame: the game panel's data, as the status check and the
// bridge report them; nothing known is nulls, not an error.
func TestAdminGame(t *testing.T) {
	r := newAuthRig(t)
	admin := r.admin()
	if res := r.call(admin, "GET", "/api/admin/game", nil); res.status != 200 || res.body["status"] != nil || res.body["bridge"] != nil {
		t.Fatalf("nothing known: %d %v", res.status, res.body)
	}
	r.web.auth.status = func() status.Snapshot {
		return status.Snapshot{Reachable: true, Checked: time.Date(2026, 12, 8, 2, 0, 0, 0, time.UTC)}
	}
	r.web.auth.stats = func() bridge.Stats {
		return bridge.Stats{Players: 2, Away: 1, Dials: map[string]int64{"ok": 5, "refused": 1}}
	}
	res := r.call(admin, "GET", "/api/admin/game", nil)
	st, _ := res.body["status"].(map[string]any)
	br, _ := res.body["bridge"].(map[string]any)
	if res.status != 200 || st == nil || br == nil {
		t.Fatalf("game: %d %v", res.status, res.body)
	}
	if g := st["game"].(map[string]any); g["reachable"] != true || g["name"] != "Test MUD" {
		t.Fatalf("status %v", st)
	}
	if dials := br["dials"].(map[string]any); br["players"] != 2.0 || br["away"] != 1.0 || dials["refused"] != 1.0 || dials["ok"] != 5.0 {
		t.Fatalf("bridge %v", br)
	}
	if ends, ok := br["ends"].(map[string]any); !ok || len(ends) != 0 {
		t.Fatalf("ends %v, want {}", br["ends"])
	}
}
