package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
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

const strongPassword = "correct horse battery staple"

// recordingBridge keeps each player it is asked to serve until the test
// ends them, and records what it is asked to end.
type recordingBridge struct {
	mu      sync.Mutex
	players []bridge.Player
	ended   []string
	served  chan bridge.Player
	stop    chan struct{}
}

func (b *recordingBridge) Serve(p bridge.Player) error {
	b.mu.Lock()
	b.players = append(b.players, p)
	b.mu.Unlock()
	b.served <- p
	<-b.stop
	return p.WS.Close(websocket.StatusGoingAway, "test over")
}

func (b *recordingBridge) End(ids []string, why wire.LoginReason) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ended = append(b.ended, ids...)
	return len(ids)
}

func (b *recordingBridge) endedIDs() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.ended...)
}

type authRig struct {
	t      *testing.T
	srv    *httptest.Server
	web    *Server
	svc    *account.Service
	store  account.Store
	bridge *recordingBridge
}

func newAuthRig(t *testing.T, mod ...func(*account.Config)) *authRig {
	t.Helper()
	r := &authRig{t: t, store: accounttest.NewMemStore(), bridge: &recordingBridge{served: make(chan bridge.Player, 4), stop: make(chan struct{})}}
	cfg := account.Config{Store: r.store, Hash: account.MinHashParams(), AllowGuests: true, OnRevoke: func(rv account.Revocation) { r.web.Revoked(rv) }}
	for _, f := range mod {
		f(&cfg)
	}
	var err error
	if r.svc, err = account.New(cfg); err != nil {
		t.Fatal(err)
	}
	files := fstest.MapFS{"index.html": {Data: []byte("door")}, "play.html": {Data: []byte("terminal")}}
	if r.web, err = New(Config{Static: files, Bridge: r.bridge, Accounts: r.svc, GameName: "Test MUD", HSTS: true}); err != nil {
		t.Fatal(err)
	}
	r.srv = httptest.NewTLSServer(r.web)
	t.Cleanup(func() {
		close(r.bridge.stop)
		r.srv.Close()
	})
	return r
}

// browser is a client with a cookie jar that sends same-origin headers,
// as a page's fetch does.
func (r *authRig) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Transport: r.srv.Client().Transport, Jar: jar}
}

type resp struct {
	status int
	header http.Header
	body   map[string]any
}

func (r *authRig) call(c *http.Client, method, path string, body any, hdr ...string) resp {
	r.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, r.srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", r.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		r.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out := resp{status: res.StatusCode, header: res.Header}
	raw, _ := io.ReadAll(res.Body)
	json.Unmarshal(raw, &out.body)
	return out
}

// admin makes the admin Grace (through the console) and returns a
// browser logged in as her.
func (r *authRig) admin() *http.Client {
	r.t.Helper()
	if _, err := r.svc.CreateUser(context.Background(), account.Console(), account.NewUser{Name: "Grace", Password: strongPassword, Role: account.RoleAdmin}); err != nil {
		r.t.Fatal(err)
	}
	c := r.browser()
	if res := r.call(c, "POST", "/api/login", credentials{Name: "Grace", Password: strongPassword}); res.status != 200 {
		r.t.Fatalf("admin login: %d %v", res.status, res.body)
	}
	return c
}

func (r *authRig) register(c *http.Client, name string) {
	r.t.Helper()
	if got := r.call(c, "POST", "/api/register", credentials{Name: name, Password: strongPassword}); got.status != http.StatusCreated {
		r.t.Fatalf("register %s: %d %v", name, got.status, got.body)
	}
}

func TestRegisterLoginSessionCookie(t *testing.T) {
	r := newAuthRig(t)
	c := r.browser()
	res := r.call(c, "POST", "/api/register", credentials{Name: "Alice", Password: strongPassword})
	if res.status != http.StatusCreated {
		t.Fatalf("register: %d %v", res.status, res.body)
	}
	ck := res.header.Get("Set-Cookie")
	for _, want := range []string{CookieName + "=", "Path=/", "Secure", "HttpOnly", "SameSite=Strict", "Expires="} {
		if !strings.Contains(ck, want) {
			t.Errorf("cookie %q lacks %q", ck, want)
		}
	}
	if strings.Contains(ck, "Domain=") {
		t.Errorf("cookie %q has a Domain, which __Host- forbids", ck)
	}
	if res := r.call(c, "GET", "/api/session", nil); res.status != 200 || res.body["user"].(map[string]any)["name"] != "Alice" {
		t.Fatalf("session: %d %v", res.status, res.body)
	}
	if res := r.call(c, "POST", "/api/logout", nil); res.status != http.StatusNoContent {
		t.Fatalf("logout: %d", res.status)
	}
	if res := r.call(c, "GET", "/api/session", nil); res.status != http.StatusUnauthorized {
		t.Fatalf("session after logout: %d, want 401", res.status)
	}
	// Logging in again issues a new session.
	other := r.browser()
	if res := r.call(other, "POST", "/api/login", credentials{Name: "alice", Password: strongPassword}); res.status != 200 {
		t.Fatalf("login: %d %v", res.status, res.body)
	}
	info := r.call(other, "GET", "/api/info", nil)
	if info.body["game"] != "Test MUD" || info.body["registration"] != "open" || info.body["setup"] != true {
		t.Fatalf("info: %v", info.body)
	}
}

func TestRegisterReportsEveryProblem(t *testing.T) {
	r := newAuthRig(t)
	res := r.call(r.browser(), "POST", "/api/register", credentials{Name: "Bob", Password: "password"})
	if res.status != http.StatusBadRequest {
		t.Fatalf("weak password: %d, want 400", res.status)
	}
	problems, _ := res.body["problems"].([]any)
	if len(problems) < 2 {
		t.Fatalf("problems %v: want every rule broken (too short, common)", res.body)
	}
	check := r.call(r.browser(), "POST", "/api/password/check", credentials{Name: "Bob", Password: "password"})
	if p, _ := check.body["problems"].([]any); len(p) != len(problems) {
		t.Fatalf("live check gave %v, register %v", check.body, res.body)
	}
	if res := r.call(r.browser(), "POST", "/api/password/check", credentials{Name: "Bob", Password: strongPassword}); len(res.body["problems"].([]any)) != 0 {
		t.Fatalf("a good password has problems: %v", res.body)
	}
}

func TestRegisterReportsNameAndPasswordTogether(t *testing.T) {
	r := newAuthRig(t)
	res := r.call(r.browser(), "POST", "/api/register", credentials{Name: "no spaces allowed!", Password: "password"})
	if res.status != http.StatusBadRequest {
		t.Fatalf("bad name and weak password: %d, want 400", res.status)
	}
	problems, _ := res.body["problems"].([]any)
	var name, other int
	for _, p := range problems {
		if m, _ := p.(map[string]any); m["code"] == account.NameChars {
			name++
		} else {
			other++
		}
	}
	if name != 1 || other == 0 {
		t.Fatalf("problems %v: want the name's and the password's", res.body)
	}
}

func TestLoginFailuresAreGenericAndLimited(t *testing.T) {
	r := newAuthRig(t)
	r.register(r.browser(), "Carol")
	c := r.browser()
	wrong := r.call(c, "POST", "/api/login", credentials{Name: "Carol", Password: "not the password at all"})
	unknown := r.call(c, "POST", "/api/login", credentials{Name: "Nobody", Password: "not the password at all"})
	if wrong.status != 401 || unknown.status != 401 || wrong.body["error"] != unknown.body["error"] {
		t.Fatalf("wrong password %d %v, unknown name %d %v: want the same 401", wrong.status, wrong.body, unknown.status, unknown.body)
	}
	// Keep guessing: the account backs off and locks.
	var last resp
	for range 12 {
		last = r.call(c, "POST", "/api/login", credentials{Name: "Carol", Password: "guess guess guess"})
		if last.status == http.StatusTooManyRequests {
			break
		}
	}
	if last.status != http.StatusTooManyRequests || last.header.Get("Retry-After") == "" || last.body["retry_after"] == nil {
		t.Fatalf("brute force: %d %v %v, want 429 with Retry-After", last.status, last.header, last.body)
	}
	// The page says how long to wait in the player's language: the code,
	// and the wait as its argument n.
	args, _ := last.body["args"].(map[string]any)
	if code := last.body["code"]; code != account.CodeRateLimited && code != account.CodeLocked || args["n"] != last.body["retry_after"] {
		t.Errorf("brute force: %v, want code rate_limited or locked with args.n = retry_after", last.body)
	}
	if wrong.body["code"] != account.CodeInvalidCredentials || unknown.body["code"] != wrong.body["code"] {
		t.Errorf("wrong password %v, unknown name %v: want the code invalid_credentials for both", wrong.body, unknown.body)
	}
}

func TestCrossSiteRequestsRefused(t *testing.T) {
	r := newAuthRig(t)
	res := r.call(r.browser(), "POST", "/api/register", credentials{Name: "Eve", Password: strongPassword},
		"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	if res.status != http.StatusForbidden {
		t.Fatalf("cross-site register: %d, want 403", res.status)
	}
	if res.body["code"] != codeCrossSite {
		t.Errorf("cross-site register: code %v, want %s", res.body["code"], codeCrossSite)
	}
	big := strings.Repeat("a", maxBody+1)
	if res := r.call(r.browser(), "POST", "/api/login", credentials{Name: "x", Password: big}); res.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized body: %d, want 413", res.status)
	}
	if res := r.call(r.browser(), "POST", "/api/login", map[string]string{"name": "x", "pasword": "y"}); res.status != http.StatusBadRequest {
		t.Fatalf("unknown field: %d, want 400", res.status)
	}
}

func dialWSWith(t *testing.T, r *authRig, c *http.Client) (*websocket.Conn, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u, _ := url.Parse(r.srv.URL)
	h := http.Header{"Origin": {r.srv.URL}}
	ws, _, err := websocket.Dial(ctx, "wss://"+u.Host+"/ws", &websocket.DialOptions{Subprotocols: []string{wire.Subprotocol}, HTTPClient: c, HTTPHeader: h})
	return ws, err
}

func TestWebSocketNeedsASession(t *testing.T) {
	r := newAuthRig(t)
	ws, err := dialWSWith(t, r, r.browser())
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	_, b, err := ws.Read(context.Background())
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if f, _ := wire.Decode(b); f.Type != wire.TypeError || f.Code != wire.ErrorUnauthorized || string(f.Data) != string(wire.ReasonLogin) {
		t.Fatalf("got %+v, want an unauthorized error with the code %q", f, wire.ReasonLogin)
	}
	if _, _, err := ws.Read(context.Background()); websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		t.Fatalf("closed with %v, want 1008", err)
	}
	select {
	case p := <-r.bridge.served:
		t.Fatalf("bridged %+v without a session", p)
	default:
	}
}

func TestLogoutEndsTheBridge(t *testing.T) {
	r := newAuthRig(t)
	c := r.browser()
	r.register(c, "Dave")
	ws, err := dialWSWith(t, r, c)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	p := <-r.bridge.served
	if p.Name != "Dave" || p.Session == "" || p.Conn == nil {
		t.Fatalf("player %+v: want the account and its session", p)
	}
	r.call(c, "POST", "/api/logout", nil)
	if got := r.bridge.endedIDs(); len(got) != 1 || got[0] != p.Session {
		t.Fatalf("ended %v, want the session %s", got, p.Session)
	}
}

func TestLiveCheckEndsSessionsRevokedElsewhere(t *testing.T) {
	r := newAuthRig(t)
	c := r.browser()
	r.register(c, "Erin")
	ws, err := dialWSWith(t, r, c)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	p := <-r.bridge.served
	r.web.checkLive(context.Background())
	if got := r.bridge.endedIDs(); len(got) != 0 {
		t.Fatalf("a valid session was ended: %v", got)
	}
	// The command line deletes the session straight from the database.
	if _, err := r.store.DeleteSession(context.Background(), p.Session); err != nil {
		t.Fatal(err)
	}
	r.web.checkLive(context.Background())
	if got := r.bridge.endedIDs(); len(got) != 1 || got[0] != p.Session {
		t.Fatalf("ended %v, want the revoked session", got)
	}
}

func TestAdminAPI(t *testing.T) {
	r := newAuthRig(t)
	player := r.browser()
	r.register(player, "Frank")
	if res := r.call(player, "GET", "/api/admin/users", nil); res.status != http.StatusForbidden {
		t.Fatalf("a player listing users: %d, want 403", res.status)
	}
	if res := r.call(r.browser(), "GET", "/api/admin/users", nil); res.status != http.StatusUnauthorized {
		t.Fatalf("nobody listing users: %d, want 401", res.status)
	}
	admin := r.admin()
	res := r.call(admin, "GET", "/api/admin/users", nil)
	users, _ := res.body["users"].([]any)
	if res.status != 200 || len(users) != 2 {
		t.Fatalf("users: %d %v", res.status, res.body)
	}
	var frank float64
	for _, u := range users {
		if m := u.(map[string]any); m["name"] == "Frank" {
			frank = m["id"].(float64)
		}
	}
	id := strconv.FormatInt(int64(frank), 10)
	if res := r.call(admin, "POST", "/api/admin/users/"+id+"/kick", nil); res.status != 200 || res.body["revoked"].(float64) != 1 {
		t.Fatalf("kick: %d %v", res.status, res.body)
	}
	if res := r.call(player, "GET", "/api/session", nil); res.status != http.StatusUnauthorized {
		t.Fatalf("kicked player's session: %d, want 401", res.status)
	}
	if res := r.call(admin, "POST", "/api/admin/users/"+id+"/role", map[string]string{"role": "superuser"}); res.status != http.StatusForbidden {
		t.Fatalf("an admin making a superuser: %d, want 403", res.status)
	}
}

func (b *recordingBridge) Start(p bridge.Player, done func(error)) {
	go func() { done(b.Serve(p)) }()
}

// TestLoginReplacesTheBrowsersSession is the review's sixth finding: a
// login from a browser that still holds a session ends that session
// (rotation), rather than leaving it alive beside the new one.
func TestLoginReplacesTheBrowsersSession(t *testing.T) {
	r := newAuthRig(t)
	c := r.browser()
	r.register(c, "Alice")
	u, _ := url.Parse(r.srv.URL)
	old := ""
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == CookieName {
			old = ck.Value
		}
	}
	if old == "" {
		t.Fatal("no session cookie after registering")
	}
	if res := r.call(c, "POST", "/api/login", credentials{Name: "Alice", Password: strongPassword}); res.status != 200 {
		t.Fatalf("login: %d %v", res.status, res.body)
	}
	if _, _, err := r.svc.Authenticate(context.Background(), old); err == nil {
		t.Error("the session the browser held before logging in again is still valid")
	}
	if res := r.call(c, "GET", "/api/session", nil); res.status != 200 {
		t.Errorf("the new session: %d %v", res.status, res.body)
	}
	sessions, err := r.svc.ListSessions(context.Background(), account.Console(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(sessions) != 1 {
		t.Errorf("account has %d sessions after logging in again from one browser, want 1", len(sessions))
	}
}

// TestDeviceCookie: a login sets the long-lived device cookie, as private
// as the session's, and a browser carrying it gets in while strangers'
// attempts have the name backing off; the front door is told of the
// failed logins since the last visit.
func TestDeviceCookie(t *testing.T) {
	r := newAuthRig(t, func(c *account.Config) { c.Limits.LoginPerAddr.N = -1 })
	owner := r.browser()
	res := r.call(owner, "POST", "/api/register", credentials{Name: "Alice", Password: strongPassword})
	var device string
	for _, ck := range res.header.Values("Set-Cookie") {
		if strings.HasPrefix(ck, DeviceCookieName+"=") {
			device = ck
		}
	}
	for _, want := range []string{"Path=/", "Secure", "HttpOnly", "SameSite=Strict", "Expires="} {
		if !strings.Contains(device, want) {
			t.Errorf("device cookie %q lacks %q", device, want)
		}
	}
	if res := r.call(owner, "POST", "/api/logout", nil); res.status != http.StatusNoContent {
		t.Fatalf("logout: %d", res.status)
	}
	attacker := r.browser()
	r.call(attacker, "POST", "/api/login", credentials{Name: "Alice", Password: "guess guess guess"})
	if got := r.call(attacker, "POST", "/api/login", credentials{Name: "Alice", Password: strongPassword}); got.status != http.StatusTooManyRequests {
		t.Fatalf("a stranger right after a failure: %d %v, want 429 (the name backs off)", got.status, got.body)
	}
	got := r.call(owner, "POST", "/api/login", credentials{Name: "Alice", Password: strongPassword})
	if got.status != 200 {
		t.Fatalf("the owner's browser: %d %v, want 200", got.status, got.body)
	}
	if n, _ := got.body["failed_logins"].(float64); n != 1 {
		t.Errorf("failed_logins: got %v, want 1", got.body["failed_logins"])
	}
}

// TestEveryRevocationHasItsCode: each reason the account service ends
// sessions for reaches the client as a code of its own, never the
// catch-all, and never a sentence (the front door has the sentences).
func TestEveryRevocationHasItsCode(t *testing.T) {
	known := map[wire.LoginReason]bool{}
	for _, r := range wire.LoginReasons() {
		known[r] = true
	}
	for _, r := range []account.RevokeReason{account.ReasonLogout, account.ReasonReplaced, account.ReasonPasswordChanged,
		account.ReasonRoleChanged, account.ReasonDisabled, account.ReasonDeleted, account.ReasonExpired,
		account.ReasonRevoked, account.ReasonSessionLimit, account.ReasonGuestExpired} {
		if got := revokeReason(r); !known[got] || got == wire.ReasonEnded || string(got) != string(r) {
			t.Errorf("revokeReason(%s) = %q, want its own code", r, got)
		}
	}
	for err, want := range map[error]wire.LoginReason{
		account.ErrSessionExpired:  wire.ReasonExpired,
		account.ErrSessionEnded:    wire.ReasonEnded,
		account.ErrUnauthenticated: wire.ReasonLogin,
	} {
		if got := loginReason(err); got != want {
			t.Errorf("loginReason(%v) = %q, want %q", err, got, want)
		}
	}
}
