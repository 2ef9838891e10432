package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// Under a base path the whole site moves: pages, the play page, files
// and /ws are served under it, the prefix without its slash redirects to
// it (keeping the query), and nothing is served outside it.
func TestBasePath(t *testing.T) {
	fb := &fakeBridge{served: make(chan string, 1)}
	h, err := New(Config{Static: fstest.MapFS{
		"index.html": {Data: []byte("front door")},
		"play.html":  {Data: []byte("terminal")},
		"style.css":  {Data: []byte("body{}")},
	}, Bridge: fb, BasePath: "/play/"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		path     string
		code     int
		body     string
		location string
	}{
		{"/play/", 200, "front door", ""},
		{"/play/play", 200, "terminal", ""},
		{"/play/style.css", 200, "body{}", ""},
		{"/play", 301, "", "/play/"},
		{"/play?reason=expired", 301, "", "/play/?reason=expired"},
		{"/", 404, "", ""},
		{"/style.css", 404, "", ""},
		{"/playground/", 404, "", ""},
		{"/ws", 404, "", ""},
	} {
		resp, err := noRedirect.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.code {
			t.Errorf("GET %s: %d, want %d", tc.path, resp.StatusCode, tc.code)
			continue
		}
		if tc.body != "" && string(b) != tc.body {
			t.Errorf("GET %s: body %q, want %q", tc.path, b, tc.body)
		}
		if got := resp.Header.Get("Location"); got != tc.location {
			t.Errorf("GET %s: Location %q, want %q", tc.path, got, tc.location)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/play/ws", &websocket.DialOptions{Subprotocols: []string{wire.Subprotocol}})
	if err != nil {
		t.Fatalf("websocket under the base path: %v", err)
	}
	defer ws.CloseNow()
	<-fb.served
}

func TestCheckBasePath(t *testing.T) {
	for _, p := range []string{"/", "/play/", "/games/mud-1/", "/a.b_c~d/"} {
		if err := CheckBasePath(p); err != nil {
			t.Errorf("CheckBasePath(%q) = %v", p, err)
		}
	}
	for _, p := range []string{"play/", "/play", "//", "/play//", "/a/../b/", "/./", "/pl ay/", "/play?x/", "/%70lay/", "/spiel/ä/"} {
		if err := CheckBasePath(p); err == nil {
			t.Errorf("CheckBasePath(%q) accepted it", p)
		}
	}
	if _, err := New(Config{Static: fstest.MapFS{}, Bridge: &fakeBridge{}, BasePath: "play"}); err == nil {
		t.Error("New accepted the base path play")
	}
}
