package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/drawbridge/drawbridge/gateway/internal/account/accounttest"
	"github.com/drawbridge/drawbridge/gateway/internal/bridge"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// fakeClock is the account service's clock, moved by the test.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// holdingBridge keeps every player it is given until the test ends or
// their login session is ended, and records what it was asked to end and
// why.
type holdingBridge struct {
	served chan bridge.Player
	mu     sync.Mutex
	ended  map[string]string // login session -> why
	stop   chan struct{}
}

func newHoldingBridge(t *testing.T) *holdingBridge {
	b := &holdingBridge{served: make(chan bridge.Player, 8), ended: map[string]string{}, stop: make(chan struct{})}
	t.Cleanup(func() { close(b.stop) })
	return b
}

func (b *holdingBridge) Start(p bridge.Player, done func(error)) {
	b.served <- p
	go func() {
		<-b.stop
		done(p.WS.Close(websocket.StatusGoingAway, "test over"))
	}()
}

func (b *holdingBridge) End(ids []string, why wire.LoginReason) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, id := range ids {
		b.ended[id] = string(why)
	}
	return len(ids)
}

func (b *holdingBridge) endedWhy(id string) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	why, ok := b.ended[id]
	return why, ok
}

// openWS opens /ws on srv with the session cookie of token, as the page
// would, and waits until the bridge has the player.
func openWS(t *testing.T, srv *httptest.Server, token string, b *holdingBridge) bridge.Player {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := http.Header{"Origin": {srv.URL}, "Cookie": {CookieName + "=" + token}}
	ws, _, err := websocket.Dial(ctx, "wss"+strings.TrimPrefix(srv.URL, "https")+"/ws",
		&websocket.DialOptions{Subprotocols: []string{wire.Subprotocol}, HTTPClient: srv.Client(), HTTPHeader: h})
	if err != nil {
		t.Fatalf("open /ws: %v", err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	select {
	case p := <-b.served:
		return p
	case <-ctx.Done():
		t.Fatal("the bridge got no player")
	}
	return bridge.Player{}
}

// A login session whose bridge sees no player input (a tab left open on a
// game that talks: the client acks and pings, the player does nothing) is
// not kept alive by the live check: its LastSeen stays, and at the account
// idle timeout the check ends its bridge as expired. One whose player
// types keeps being touched and stays.
func TestLiveCheckTouchesOnlySessionsWithPlayerInput(t *testing.T) {
	const idle = 30 * time.Minute
	clock := &fakeClock{now: time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)}
	store := accounttest.NewMemStore()
	svc, err := account.New(account.Config{Store: store, Hash: account.MinHashParams(),
		IdleTimeout: idle, TouchEvery: time.Minute, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	var (
		inputMu sync.Mutex
		inputs  = map[string]time.Time{}
	)
	b := newHoldingBridge(t)
	h, err := New(Config{Static: fstest.MapFS{"index.html": {Data: []byte("x")}}, Bridge: b, Accounts: svc,
		LastInputs: func() map[string]time.Time {
			inputMu.Lock()
			defer inputMu.Unlock()
			out := make(map[string]time.Time, len(inputs))
			for k, v := range inputs {
				out[k] = v
			}
			return out
		}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(h)
	defer srv.Close()

	ctx := context.Background()
	login := func(name string) account.Grant {
		g, err := svc.Register(ctx, account.RegisterRequest{Client: account.Client{Addr: "192.0.2.1"}, Name: name, Password: "correct horse battery staple"})
		if err != nil {
			t.Fatalf("register %s: %v", name, err)
		}
		return g
	}
	typist, idler := login("Ann"), login("Bob")
	openWS(t, srv, typist.Token, b)
	openWS(t, srv, idler.Token, b)
	lastSeen := func(id string) time.Time {
		s, err := store.Session(ctx, id)
		if err != nil {
			t.Fatalf("session %s: %v", id, err)
		}
		return s.LastSeen
	}
	idlerSeen := lastSeen(idler.Session.ID)

	// Ten-second checks for an idle timeout and more; the typist types
	// every minute.
	for step := time.Duration(0); step <= idle+time.Minute; step += 10 * time.Second {
		clock.Add(10 * time.Second)
		if step%time.Minute == 0 {
			inputMu.Lock()
			inputs[typist.Session.ID] = clock.Now()
			inputMu.Unlock()
		}
		h.checkLive(ctx)
		if got := lastSeen(idler.Session.ID); !got.Equal(idlerSeen) {
			t.Fatalf("after %s without player input, the idle session was touched: LastSeen %s, was %s", step, got, idlerSeen)
		}
		if got := clock.Now().Sub(lastSeen(typist.Session.ID)); got > 2*time.Minute {
			t.Fatalf("after %s the typist's session was last touched %s ago, want within the touch interval", step, got)
		}
	}
	why, ok := b.endedWhy(idler.Session.ID)
	if !ok || !strings.Contains(why, "expired") {
		t.Fatalf("the idle session's bridge: ended %v (%q), want ended as expired", ok, why)
	}
	if why, ok := b.endedWhy(typist.Session.ID); ok {
		t.Fatalf("the typist's bridge was ended: %q", why)
	}
}
