package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/status"
)

func TestStatusJSON(t *testing.T) {
	checked := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	game := status.Game{Name: "Castle", Players: 52, Started: time.Unix(1700000000, 0),
		Codebase: "Evennia", Website: "https://castle.example/"}
	tests := []struct {
		name string
		snap status.Snapshot
		want string
	}{
		{"before the first check", status.Snapshot{Game: status.Game{Players: -1}, WebPlayers: 2},
			`{"game":{"name":"Test MUD","reachable":false,"checked":null,"mssp":false,"players":null,"started_at":null,"uptime_seconds":null},"gateway":{"players":2}}`},
		{"answering MSSP", status.Snapshot{Checked: checked, Reachable: true, MSSP: true, Game: game, Received: checked, WebPlayers: 1},
			`{"game":{"name":"Castle","reachable":true,"checked":"2030-01-02T03:04:05Z","mssp":true,"players":52,"started_at":"2023-11-14T22:13:20Z","uptime_seconds":193553445,` +
				`"codebase":"Evennia","website":"https://castle.example/"},"gateway":{"players":1}}`},
		{"no player count", status.Snapshot{Checked: checked, Reachable: true, MSSP: true, Game: status.Game{Players: -1}},
			`{"game":{"name":"Test MUD","reachable":true,"checked":"2030-01-02T03:04:05Z","mssp":true,"players":null,"started_at":null,"uptime_seconds":null},"gateway":{"players":0}}`},
		{"reachable without MSSP", status.Snapshot{Checked: checked, Reachable: true, Game: game, Received: checked.Add(-time.Hour)},
			`{"game":{"name":"Castle","reachable":true,"checked":"2030-01-02T03:04:05Z","mssp":false,"players":null,"started_at":null,"uptime_seconds":null,` +
				`"codebase":"Evennia","website":"https://castle.example/"},"gateway":{"players":0}}`},
		{"down", status.Snapshot{Checked: checked, Game: game, Received: checked.Add(-time.Hour)},
			`{"game":{"name":"Castle","reachable":false,"checked":"2030-01-02T03:04:05Z","mssp":false,"players":null,"started_at":null,"uptime_seconds":null,` +
				`"codebase":"Evennia","website":"https://castle.example/"},"gateway":{"players":0}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := New(Config{Static: fstest.MapFS{}, Bridge: &fakeBridge{}, GameName: "Test MUD",
				Status: func() status.Snapshot { return tc.snap }})
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/status", nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("got status %d, want 200", rec.Code)
			}
			if got := rec.Header().Get("Cache-Control"); got != "public, max-age=5" {
				t.Errorf("got Cache-Control %q, want a few seconds", got)
			}
			if got := rec.Header().Get("Content-Type"); got != "application/json" {
				t.Errorf("got Content-Type %q, want application/json", got)
			}
			body, _ := io.ReadAll(rec.Body)
			var got, want any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			json.Unmarshal([]byte(tc.want), &want)
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("got %s, want %s", gotJSON, wantJSON)
			}
		})
	}
}

// /api/status is public when accounts are on: no session, no same-origin
// headers, and no account data in it.
func TestStatusPublicWithAccounts(t *testing.T) {
	r := newAuthRig(t)
	calls := 0
	h, err := New(Config{Static: fstest.MapFS{}, Bridge: r.bridge, Accounts: r.svc, GameName: "Test MUD",
		Status: func() status.Snapshot { calls++; return status.Snapshot{Game: status.Game{Players: -1}, WebPlayers: 4} }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body statusJSON
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("got %d, %v, want 200 and JSON", res.StatusCode, err)
	}
	if body.Gateway.Players != 4 || calls != 1 {
		t.Errorf("got %+v after %d calls, want the snapshot's 4 web players", body, calls)
	}
	if res.Header.Get("Set-Cookie") != "" {
		t.Errorf("got a cookie from a public endpoint")
	}
	// Only GET: the account API's other paths are untouched.
	res2, err := http.Post(srv.URL+"/api/status", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if res2.StatusCode == http.StatusOK {
		t.Errorf("POST /api/status = 200, want refused")
	}
}

func TestStatusOff(t *testing.T) {
	srv, _ := newServer(t)
	if resp := get(t, srv.URL+"/api/status", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /api/status without a status source = %d, want 404", resp.StatusCode)
	}
}
