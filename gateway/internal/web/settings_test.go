package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
)

// putRaw sends body as it is to PUT /api/settings from a same-origin page.
func (r *authRig) putRaw(c *http.Client, body []byte, hdr ...string) resp {
	r.t.Helper()
	req, _ := http.NewRequest("PUT", r.srv.URL+"/api/settings", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", r.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		r.t.Fatalf("PUT /api/settings: %v", err)
	}
	defer res.Body.Close()
	out := resp{status: res.StatusCode, header: res.Header}
	raw, _ := io.ReadAll(res.Body)
	json.Unmarshal(raw, &out.body)
	return out
}

// settingsDoc returns the settings object of an answer, as JSON.
func settingsDoc(t *testing.T, res resp) string {
	t.Helper()
	b, err := json.Marshal(res.body["settings"])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSettingsFollowThePlayer(t *testing.T) {
	r := newAuthRig(t)
	laptop := r.browser()
	r.register(laptop, "Alice")

	res := r.call(laptop, "GET", "/api/settings", nil)
	if res.status != 200 || res.body["version"] != 0.0 || res.body["updated"] != nil || settingsDoc(t, res) != `{}` || res.header.Get("ETag") != `"0"` {
		t.Fatalf("GET with none stored: %d %v %v, want version 0, updated null, settings {}, ETag \"0\"", res.status, res.header.Get("ETag"), res.body)
	}
	if cc := res.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	res = r.call(laptop, "PUT", "/api/settings", map[string]any{"version": 0, "settings": map[string]any{"font": "Fira Mono", "size": 14}})
	if res.status != 200 || res.body["version"] != 1.0 || res.body["updated"] == nil || res.header.Get("ETag") != `"1"` {
		t.Fatalf("first PUT: %d %v %v, want version 1 and ETag \"1\"", res.status, res.header.Get("ETag"), res.body)
	}
	if _, ok := res.body["settings"]; ok {
		t.Errorf("PUT answer %v: want no settings echoed back", res.body)
	}

	phone := r.browser()
	if res := r.call(phone, "POST", "/api/login", credentials{Name: "Alice", Password: strongPassword}); res.status != 200 {
		t.Fatalf("login: %d %v", res.status, res.body)
	}
	res = r.call(phone, "GET", "/api/settings", nil)
	if res.status != 200 || res.body["version"] != 1.0 || settingsDoc(t, res) != `{"font":"Fira Mono","size":14}` {
		t.Fatalf("GET on the other device: %d %v", res.status, res.body)
	}
	if res := r.call(phone, "PUT", "/api/settings", map[string]any{"version": 1, "settings": map[string]any{"size": 16}}); res.status != 200 || res.body["version"] != 2.0 {
		t.Fatalf("PUT from the phone: %d %v", res.status, res.body)
	}

	// The laptop still thinks it has version 1: refused, and told what
	// the phone wrote.
	res = r.call(laptop, "PUT", "/api/settings", map[string]any{"version": 1, "settings": map[string]any{"size": 12}})
	if res.status != http.StatusConflict || res.body["version"] != 2.0 || settingsDoc(t, res) != `{"size":16}` || res.header.Get("ETag") != `"2"` {
		t.Fatalf("stale PUT: %d %v %v, want 409 with version 2 and the phone's settings", res.status, res.header.Get("ETag"), res.body)
	}
	if msg, _ := res.body["error"].(string); !strings.Contains(msg, "another device") {
		t.Errorf("conflict message %q: want it to say another device changed them", msg)
	}
	// Merged, it puts again with the version it was given, as If-Match.
	res = r.call(laptop, "PUT", "/api/settings", map[string]any{"settings": map[string]any{"size": 16, "theme": "dark"}}, "If-Match", `"2"`)
	if res.status != 200 || res.body["version"] != 3.0 {
		t.Fatalf("PUT with If-Match: %d %v", res.status, res.body)
	}
	if res := r.call(phone, "GET", "/api/settings", nil); settingsDoc(t, res) != `{"size":16,"theme":"dark"}` || res.header.Get("ETag") != `"3"` {
		t.Fatalf("GET after the merge: %v %v", res.header.Get("ETag"), res.body)
	}

	for _, tc := range []struct {
		name string
		body any
		hdr  []string
		want int
	}{
		{"no version", map[string]any{"settings": map[string]any{}}, nil, 400},
		{"version and If-Match disagree", map[string]any{"version": 3, "settings": map[string]any{}}, []string{"If-Match", `"2"`}, 400},
		{"If-Match not an ETag", map[string]any{"settings": map[string]any{}}, []string{"If-Match", "*"}, 400},
		{"weak If-Match", map[string]any{"settings": map[string]any{}}, []string{"If-Match", `W/"3"`}, 400},
		{"negative version", map[string]any{"version": -1, "settings": map[string]any{}}, nil, 400},
		{"settings an array", map[string]any{"version": 3, "settings": []int{1}}, nil, 400},
		{"settings null", map[string]any{"version": 3, "settings": nil}, nil, 400},
		{"no settings", map[string]any{"version": 3}, nil, 400},
		{"unknown field", map[string]any{"version": 3, "settings": map[string]any{}, "extra": 1}, nil, 400},
	} {
		res := r.call(laptop, "PUT", "/api/settings", tc.body, tc.hdr...)
		if res.status != tc.want || res.body["error"] == nil {
			t.Errorf("%s: %d %v, want %d with an error", tc.name, res.status, res.body, tc.want)
		}
	}
	if res := r.call(laptop, "GET", "/api/settings", nil); res.body["version"] != 3.0 {
		t.Errorf("after refused PUTs: %v, want version 3 still", res.body)
	}

	// Deleting the account deletes its settings.
	u, err := r.store.UserByName(context.Background(), "Alice")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.svc.Delete(context.Background(), account.Console(), u.ID); err != nil {
		t.Fatal(err)
	}
	if st, err := r.store.Settings(context.Background(), u.ID); err != nil || st.Version != 0 {
		t.Errorf("settings of a deleted account: %+v, %v; want none", st, err)
	}
}

func TestSettingsNeedAnAccount(t *testing.T) {
	r := newAuthRig(t)
	nobody := r.browser()
	if res := r.call(nobody, "GET", "/api/settings", nil); res.status != http.StatusUnauthorized || res.body["error"] == nil {
		t.Errorf("GET without a session: %d %v, want 401", res.status, res.body)
	}
	if res := r.call(nobody, "PUT", "/api/settings", map[string]any{"version": 0, "settings": map[string]any{}}); res.status != http.StatusUnauthorized {
		t.Errorf("PUT without a session: %d %v, want 401", res.status, res.body)
	}
	guest := r.browser()
	if res := r.call(guest, "POST", "/api/guest", nil); res.status != http.StatusCreated {
		t.Fatalf("guest: %d %v", res.status, res.body)
	}
	for _, method := range []string{"GET", "PUT"} {
		res := r.call(guest, method, "/api/settings", map[string]any{"version": 0, "settings": map[string]any{}})
		msg, _ := res.body["error"].(string)
		if res.status != http.StatusForbidden || !strings.Contains(msg, "browser") {
			t.Errorf("%s as a guest: %d %v, want 403 saying the settings stay in the browser", method, res.status, res.body)
		}
	}
}

func TestSettingsCrossSitePutRefused(t *testing.T) {
	r := newAuthRig(t)
	c := r.browser()
	r.register(c, "Alice")
	res := r.call(c, "PUT", "/api/settings", map[string]any{"version": 0, "settings": map[string]any{"evil": true}},
		"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	if res.status != http.StatusForbidden {
		t.Fatalf("cross-site PUT: %d %v, want 403", res.status, res.body)
	}
	if res := r.call(c, "GET", "/api/settings", nil); res.body["version"] != 0.0 {
		t.Errorf("after a cross-site PUT: %v, want nothing stored", res.body)
	}
}

func TestSettingsSizeBound(t *testing.T) {
	r := newAuthRig(t)
	c := r.browser()
	r.register(c, "Alice")
	doc := func(n int) string { // a JSON object of n bytes
		return `{"h":"` + strings.Repeat("x", n-len(`{"h":""}`)) + `"}`
	}
	// The largest document fits, far past the rest of the API's bound.
	res := r.putRaw(c, []byte(`{"version":0,"settings":`+doc(account.MaxSettingsBytes)+`}`))
	if res.status != 200 {
		t.Fatalf("PUT of %d bytes: %d %v, want 200", account.MaxSettingsBytes, res.status, res.body)
	}
	for _, tc := range []struct {
		name string
		body string
	}{
		{"settings one byte over", `{"version":1,"settings":` + doc(account.MaxSettingsBytes+1) + `}`},
		{"body over the bound", `{"version":1,"settings":` + doc(maxSettingsBody) + `}`},
	} {
		res := r.putRaw(c, []byte(tc.body))
		msg, _ := res.body["error"].(string)
		if res.status != http.StatusRequestEntityTooLarge || !strings.Contains(msg, "too large") {
			t.Errorf("%s: %d %v, want 413 saying it is too large", tc.name, res.status, res.body)
		}
	}
	if res := r.call(c, "GET", "/api/settings", nil); res.body["version"] != 1.0 {
		t.Errorf("after refused PUTs: version %v, want 1", res.body["version"])
	}
}

// TestSettingsConcurrentPuts: two devices putting from the same version
// at once, through the API: one is stored, the other is told of it.
func TestSettingsConcurrentPuts(t *testing.T) {
	r := newAuthRig(t)
	a := r.browser()
	r.register(a, "Alice")
	b := r.browser()
	if res := r.call(b, "POST", "/api/login", credentials{Name: "Alice", Password: strongPassword}); res.status != 200 {
		t.Fatalf("login: %d %v", res.status, res.body)
	}
	var wg sync.WaitGroup
	got := make([]resp, 2)
	start := make(chan struct{})
	for i, c := range []*http.Client{a, b} {
		wg.Go(func() {
			<-start
			req, _ := http.NewRequest("PUT", r.srv.URL+"/api/settings", strings.NewReader(`{"version":0,"settings":{"device":`+string(rune('0'+i))+`}}`))
			req.Header.Set("Origin", r.srv.URL)
			res, err := c.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			got[i].status = res.StatusCode
			json.NewDecoder(res.Body).Decode(&got[i].body)
		})
	}
	close(start)
	wg.Wait()
	ok, conflict := 0, 0
	for _, g := range got {
		switch g.status {
		case 200:
			ok++
		case http.StatusConflict:
			conflict++
			if g.body["version"] != 1.0 {
				t.Errorf("conflict answer %v: want the winner's version 1", g.body)
			}
		}
	}
	if ok != 1 || conflict != 1 {
		t.Fatalf("concurrent PUTs: %d and %d (%v), want one 200 and one 409", got[0].status, got[1].status, got)
	}
}
