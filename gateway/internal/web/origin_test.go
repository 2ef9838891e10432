package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// syncBuffer is a log destination tests can read while handlers write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The WebSocket is opened only from an origin with the page's own scheme:
// on the HTTPS site, a page served over plain HTTP from the very same
// host and port (or from an allowed extra origin) is refused with 403 and
// a log line that says why. Foreign and look-alike origins stay refused.
func TestWebSocketOriginNeedsThePagesScheme(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tls    bool
		origin string // "SELF" is replaced by the server's host:port
		ok     bool
	}{
		{"https page on the https site", true, "https://SELF", true},
		{"http page of the same host on the https site", true, "http://SELF", false},
		{"allowed extra origin over https", true, "https://play.example.com", true},
		{"allowed extra origin over http", true, "http://play.example.com", false},
		{"ws scheme", true, "wss://SELF", false},
		{"opaque origin", true, "null", false},
		{"look-alike host", true, "https://play.example.com.evil.example", false},
		{"foreign host", true, "https://evil.example", false},
		{"http page on a plain-HTTP test server", false, "http://SELF", true},
		{"https page on a plain-HTTP test server", false, "https://SELF", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &syncBuffer{}
			fb := &fakeBridge{served: make(chan string, 1)}
			h, err := New(Config{Static: fstest.MapFS{"index.html": {Data: []byte("x")}}, Bridge: fb,
				OriginPatterns: []string{"play.example.com"}, Logger: slog.New(slog.NewTextHandler(logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewUnstartedServer(h)
			if tc.tls {
				srv.StartTLS()
			} else {
				srv.Start()
			}
			defer srv.Close()
			host := strings.TrimPrefix(strings.TrimPrefix(srv.URL, "https://"), "http://")
			origin := strings.Replace(tc.origin, "SELF", host, 1)

			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			u := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
			ws, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{Subprotocols: []string{wire.Subprotocol},
				HTTPClient: srv.Client(), HTTPHeader: http.Header{"Origin": {origin}}})
			if tc.ok {
				if err != nil {
					t.Fatalf("origin %s refused: %v", origin, err)
				}
				ws.CloseNow()
				<-fb.served
				return
			}
			if err == nil {
				ws.CloseNow()
				t.Fatalf("origin %s accepted", origin)
			}
			if resp == nil || resp.StatusCode != http.StatusForbidden {
				t.Fatalf("origin %s: response %v (%v), want 403", origin, resp, err)
			}
			if got := logs.String(); !strings.Contains(got, "websocket refused") || !strings.Contains(got, origin) {
				t.Fatalf("log %q: want a line saying the websocket from %s was refused", got, origin)
			}
			select {
			case p := <-fb.served:
				t.Fatalf("bridge served %s from origin %s", p, origin)
			default:
			}
		})
	}
}
