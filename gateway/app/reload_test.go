package app

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/gateway/internal/testpki"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// fakeGame is a telnet game that greets every connection with its name
// and then waits for the player to leave.
func fakeGame(t *testing.T, name string) string {
	t.Helper()
	return serveGame(t, func(c net.Conn) {
		c.Write([]byte("Welcome to " + name + "\r\n"))
		c.Read(make([]byte, 1)) // until the bridge hangs up
	}).Addr().String()
}

// reloadable is a Reread whose answer the test sets.
type reloadable struct {
	mu  sync.Mutex
	cfg Config
	err error
}

func (r *reloadable) set(f func(*Config)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(&r.cfg)
}

func (r *reloadable) reread() (Config, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cfg, r.err
}

// reloadGateway starts a gateway whose Reread returns what the test sets,
// logging into the returned buffer as the command's logger does.
func reloadGateway(t *testing.T, mutate func(*Config)) (*Gateway, *reloadable, *syncBuffer) {
	t.Helper()
	cfg := testConfig(t)
	mutate(&cfg)
	logs := &syncBuffer{}
	cfg.Logger = NewLogger(logs, cfg.Log)
	r := &reloadable{cfg: cfg}
	r.cfg.Logger = nil // what the command's Reread returns is not used
	cfg.Reread = r.reread
	g, _ := start(t, cfg)
	return g, r, logs
}

func TestReloadAppliesLiveSettings(t *testing.T) {
	gameA, gameB := fakeGame(t, "A"), fakeGame(t, "B")
	g, r, logs := reloadGateway(t, func(c *Config) {
		c.Game.Backend = gameA
		c.Game.Name = "Old Name"
	})
	alice := player(t, g, "Alice")
	if got := webGreeting(t, g, alice); got != "Welcome to A" {
		t.Fatalf("before the reload: %q, want game A", got)
	}
	g.log.Debug("debug line before the reload")

	r.set(func(c *Config) {
		c.Game.Backend = gameB
		c.Players.Max = 1
		c.Log.Level = "debug"
		c.Log.Format = "json"
		c.Game.Name = "New Name"           // needs a restart
		c.Accounts.Registration = "closed" // live
	})
	res, err := g.Reload()
	if err != nil {
		t.Fatalf("Reload: %v", err)
	}
	wantApplied := []string{"game.backend", "players.max", "accounts.registration", "log.format", "log.level"}
	if !slices.Equal(res.Applied, wantApplied) || !slices.Equal(res.Restart, []string{"game.name"}) {
		t.Fatalf("applied %v, restart %v; want %v and [game.name]", res.Applied, res.Restart, wantApplied)
	}
	waitLog(t, logs, "configuration reloaded", "game.backend, players.max, accounts.registration, log.format, log.level")
	waitLog(t, logs, `"level":"WARN"`, "need a restart", "game.name")

	// The new game, for the next player. With players.max = 1 now, the
	// first player's bridge must have ended before (on a busy machine
	// that takes a moment after its WebSocket closed).
	waitNoPlayers(t, g)
	if got := webGreeting(t, g, alice); got != "Welcome to B" {
		t.Fatalf("after the reload: %q, want game B", got)
	}
	// The new log level and format.
	g.log.Debug("debug line after the reload")
	l := logs.String()
	if strings.Contains(l, "debug line before") || !strings.Contains(l, `"msg":"debug line after the reload"`) {
		t.Fatalf("log level or format not applied:\n%s", l)
	}
	// The limit: with one player at the game, a second is refused. The
	// players above must have left first.
	waitNoPlayers(t, g)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	first := dialPlayer(ctx, t, g, alice)
	defer first.CloseNow()
	readOutput(ctx, t, first, "Welcome to B")
	second := dialPlayer(ctx, t, g, alice)
	defer second.CloseNow()
	if _, err := readUntilClosed(ctx, second); websocket.CloseStatus(err) != websocket.StatusTryAgainLater {
		t.Fatalf("second player with players.max = 1: %v, want closed with 1013", err)
	}
	// The account policy.
	if g.accounts.RegistrationOpen() {
		t.Fatal("accounts.registration = closed was not applied")
	}
	// A setting that needs a restart keeps its old value, and is named
	// again at the next reload.
	if n := g.cur.Load().Game.Name; n != "Old Name" {
		t.Fatalf("game.name is %q in force, want the old one until a restart", n)
	}
	res, err = g.Reload()
	if err != nil || len(res.Applied) != 0 || !slices.Equal(res.Restart, []string{"game.name"}) {
		t.Fatalf("second Reload: %+v, %v; want nothing applied and game.name still waiting for a restart", res, err)
	}
}

// waitNoPlayers waits until every player's bridge has ended.
func waitNoPlayers(t *testing.T, g *Gateway) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); g.Players() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d players still connected", g.Players())
		}
	}
}

// dialPlayer opens c's player's WebSocket.
func dialPlayer(ctx context.Context, t *testing.T, g *Gateway, c *http.Client) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.Dial(ctx, "wss://localhost:"+port(g.HTTPSAddr())+"/ws", &websocket.DialOptions{
		Subprotocols: []string{wire.Subprotocol},
		HTTPClient:   c,
	})
	if err != nil {
		t.Fatalf("websocket: %v", err)
	}
	return ws
}

// readOutput reads the game's output until it holds want, and returns
// what it read.
func readOutput(ctx context.Context, t *testing.T, ws *websocket.Conn, want string) string {
	t.Helper()
	var screen strings.Builder
	for !strings.Contains(screen.String(), want) {
		_, b, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for %q: %v; screen %q", want, err, screen.String())
		}
		if f, err := wire.Decode(b); err == nil && f.Type == wire.TypeOutput {
			screen.Write(f.Data)
		}
	}
	return screen.String()
}

// readUntilClosed reads until the connection ends, and returns the output
// and how it ended.
func readUntilClosed(ctx context.Context, ws *websocket.Conn) (string, error) {
	var screen strings.Builder
	for {
		_, b, err := ws.Read(ctx)
		if err != nil {
			return screen.String(), err
		}
		if f, err := wire.Decode(b); err == nil && f.Type == wire.TypeOutput {
			screen.Write(f.Data)
		}
	}
}

// An invalid configuration changes nothing: the gateway runs on as it
// was, and the error log names every bad setting.
func TestReloadRefusesAnInvalidConfiguration(t *testing.T) {
	g, r, logs := reloadGateway(t, func(*Config) {})
	before := *g.cur.Load()
	r.set(func(c *Config) {
		c.Players.Max = 0
		c.Game.DialTimeout = -time.Second
		c.Log.Level = "debug"
	})
	_, err := g.Reload()
	if !errors.Is(err, ErrReloadRefused) || !strings.Contains(err.Error(), "players.max") || !strings.Contains(err.Error(), "game.dial_timeout") {
		t.Fatalf("Reload: %v, want it refused naming players.max and game.dial_timeout", err)
	}
	waitLog(t, logs, "level=ERROR", "reload refused", `err="game.dial_timeout: must be positive, got -1s; players.max: must not be 0 (negative means no limit)"`)
	if cur := g.cur.Load(); cur.Players.Max != before.Players.Max || cur.Game.DialTimeout != before.Game.DialTimeout || cur.Log.Level != "info" {
		t.Fatalf("a refused reload changed the configuration: %+v", cur.Players)
	}
	g.log.Debug("not at debug")
	if strings.Contains(logs.String(), "not at debug") {
		t.Fatal("a refused reload changed the log level")
	}

	// The file no longer reads: refused too, with the reader's reason.
	r.mu.Lock()
	r.err = errors.New("config file /etc/drawbridge/drawbridge.toml: unknown setting(s) game.backned")
	r.mu.Unlock()
	if _, err := g.Reload(); !errors.Is(err, ErrReloadRefused) || !strings.Contains(err.Error(), "game.backned") {
		t.Fatalf("Reload: %v, want it refused naming game.backned", err)
	}

	// Once it is fixed, the next reload applies.
	r.mu.Lock()
	r.err = nil
	r.mu.Unlock()
	r.set(func(c *Config) { *c = before; c.Logger, c.Reread = nil, nil; c.Players.Max = 5 })
	if res, err := g.Reload(); err != nil || !slices.Equal(res.Applied, []string{"players.max"}) {
		t.Fatalf("Reload after the fix: %+v, %v", res, err)
	}
}

// waitFile waits until the file at path holds want.
func waitFile(t *testing.T, path, want string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), want) {
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never held %q; it holds %q", path, want, b)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// After logrotate moved the audit file away, a reload makes the gateway
// write a new one at the configured path.
func TestReloadReopensTheAuditFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	g, r, _ := reloadGateway(t, func(c *Config) { c.Log.AuditFile = path })
	player(t, g, "Alice")
	waitFile(t, path, "Alice")
	if err := os.Rename(path, path+".1"); err != nil { // what logrotate does
		t.Fatal(err)
	}
	if _, err := g.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	player(t, g, "Bobby")
	waitFile(t, path, "Bobby")
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the new audit file: %v, mode %v; want 0600", err, st.Mode().Perm())
	}
	if old, _ := os.ReadFile(path + ".1"); strings.Contains(string(old), "Bobby") || !strings.Contains(string(old), "Alice") {
		t.Fatalf("the rotated file holds %q; want Alice's events only", old)
	}

	// A reload refused for an invalid configuration still reopens it.
	if err := os.Rename(path, path+".2"); err != nil {
		t.Fatal(err)
	}
	r.set(func(c *Config) { c.Players.Max = 0 })
	if _, err := g.Reload(); err == nil {
		t.Fatal("Reload of an invalid configuration: no error")
	}
	player(t, g, "Carol")
	waitFile(t, path, "Carol")
}

// `drawbridge reload` reaches the gateway through the control socket in
// its state directory, and hears why a reload was refused.
func TestRequestReload(t *testing.T) {
	g, r, _ := reloadGateway(t, func(*Config) {})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r.set(func(c *Config) { c.Players.MaxPerAddr = 3 })
	res, err := RequestReload(ctx, g.cfg.StateDir)
	if err != nil || !slices.Equal(res.Applied, []string{"players.max_per_addr"}) {
		t.Fatalf("RequestReload: %+v, %v", res, err)
	}
	r.set(func(c *Config) { c.Players.MaxPerAddr = 0 })
	if _, err := RequestReload(ctx, g.cfg.StateDir); err == nil || !strings.Contains(err.Error(), "players.max_per_addr: must not be 0") {
		t.Fatalf("RequestReload of an invalid configuration: %v, want the gateway's reason", err)
	}
	if n := g.cur.Load().Players.MaxPerAddr; n != 3 {
		t.Fatalf("players.max_per_addr = %d after a refused reload, want 3", n)
	}
	empty := t.TempDir()
	if _, err := RequestReload(ctx, empty); err == nil || !strings.Contains(err.Error(), "no gateway is running on state_dir "+empty) {
		t.Fatalf("RequestReload without a gateway: %v", err)
	}
	// A socket a gateway that did not stop cleanly left behind: nobody
	// listens, so no gateway is running, whatever the file says.
	stale := t.TempDir()
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(stale, ControlSocket), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	if _, err := RequestReload(ctx, stale); err == nil || !strings.Contains(err.Error(), "no gateway is running on state_dir "+stale) {
		t.Fatalf("RequestReload with a stale socket: %v", err)
	}
	// A second gateway on the same state directory would share its
	// database and certificates: refused.
	cfg := testConfig(t)
	cfg.StateDir = g.cfg.StateDir
	if g2, err := Start(context.Background(), cfg); err == nil {
		g2.fail()
		g2.Wait()
		t.Fatal("a second gateway started on the same state_dir")
	} else if !strings.Contains(err.Error(), "another gateway is running on it") {
		t.Fatalf("second gateway: %v", err)
	}
}

// deploy/drawbridge.toml marks every setting "# reload: live" or
// "# reload: restart", as liveSettings says.
func TestReloadMarksInExampleConfig(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "deploy", "drawbridge.toml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mark := regexp.MustCompile(`^# reload: (live|restart)\b`)
	marks := map[string]string{}
	section, found := "", ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			found = ""
		case strings.HasPrefix(line, "["):
			section, found = strings.Trim(line, "[]")+".", ""
		case strings.HasPrefix(line, "#"):
			if m := mark.FindStringSubmatch(line); m != nil {
				found = m[1]
			}
		default:
			if key, _, ok := strings.Cut(line, "="); ok {
				marks[section+strings.TrimSpace(key)] = found
				found = ""
			}
		}
	}
	c := Default()
	for _, s := range c.Settings() {
		want := "restart"
		if reloadsLive(s.Name) {
			want = "live"
		}
		if got := marks[s.Name]; got != want {
			t.Errorf("deploy/drawbridge.toml marks %s %q, want \"# reload: %s\" in the comment right above it", s.Name, got, want)
		}
	}
}

// Loggers derived before a reload follow its format and level.
func TestLogHandlerFollowsReload(t *testing.T) {
	var buf syncBuffer
	h := NewLogHandler(&buf, LogConfig{Format: "text", Level: "info"})
	log := slog.New(h).With("component", "bridge").WithGroup("g").With("k", "v")
	log.Debug("hidden")
	log.Info("as text", "n", 1)
	h.SetConfig(LogConfig{Format: "json", Level: "debug"})
	log.Debug("as json", "d", 1500*time.Millisecond)
	got := buf.String()
	for _, want := range []string{
		`level=INFO msg="as text" component=bridge g.k=v g.n=1`,
		`"level":"DEBUG","msg":"as json","component":"bridge","g":{"k":"v","d":"1.5s"}}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "hidden") {
		t.Errorf("a debug line was logged at info:\n%s", got)
	}
	// Concurrent use with a reload, for the race detector.
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 50 {
				log.Info("line", "i", i, "j", j)
			}
		})
	}
	for _, f := range []string{"text", "json", "text"} {
		h.SetConfig(LogConfig{Format: f, Level: "info"})
	}
	wg.Wait()
}

// In ACME mode a reload changes the names served: a new name's
// certificate (here from the cache, the CA being down) is served, a
// dropped name's no longer.
func TestReloadChangesDomains(t *testing.T) {
	ca, caKey := testpki.NewCA(t, "Web CA")
	leaf := func(name string) tls.Certificate {
		c := testpki.NewLeaf(t, ca, caKey, &x509.Certificate{
			Subject:     pkix.Name{CommonName: name},
			DNSNames:    []string{name},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		})
		c.Certificate = append(c.Certificate, ca.Raw)
		return c
	}
	var cache string
	g, r, _ := reloadGateway(t, func(c *Config) {
		c.Web.Domains = []string{"game.test"}
		c.ACME.DirectoryURL = "https://acme.invalid/directory"
		c.ACMEHTTPClient = &http.Client{Transport: failingTransport{}}
		cache = acmeCacheDir(c.StateDir, c.ACME.DirectoryURL)
		if err := os.MkdirAll(cache, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"game.test", "www.game.test"} {
			if err := os.WriteFile(filepath.Join(cache, name), cacheEntry(t, leaf(name)), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	})
	served := func(name string, want bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); (g.Certificate(name) != nil) != want; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s served: %v, want %v", name, !want, want)
			}
		}
	}
	served("game.test", true)
	served("www.game.test", false)

	r.set(func(c *Config) { c.Web.Domains = []string{"game.test", "www.game.test"} })
	if res, err := g.Reload(); err != nil || !slices.Equal(res.Applied, []string{"web.domains"}) {
		t.Fatalf("Reload: %+v, %v", res, err)
	}
	served("www.game.test", true)
	r.set(func(c *Config) { c.Web.Domains = []string{"www.game.test"} })
	if _, err := g.Reload(); err != nil {
		t.Fatal(err)
	}
	served("game.test", false)
	served("www.game.test", true)

	// No names at all is another kind of edge (self-signed): a restart.
	r.set(func(c *Config) { c.Web.Domains = nil })
	if res, err := g.Reload(); err != nil || !slices.Equal(res.Restart, []string{"web.domains"}) {
		t.Fatalf("Reload to no domains: %+v, %v; want web.domains waiting for a restart", res, err)
	}
	served("www.game.test", true)
}

// admin.hosts and admin.pprof change live.
func TestReloadAdminSettings(t *testing.T) {
	g, r, _ := reloadGateway(t, func(*Config) {})
	if code, _ := adminGet(t, g, "gw1.internal", "/healthz"); code != http.StatusMisdirectedRequest {
		t.Fatalf("before the reload, Host gw1.internal: %d, want 421", code)
	}
	if code, _ := adminGet(t, g, "localhost", "/debug/pprof/"); code != http.StatusNotFound {
		t.Fatalf("before the reload, the profiler: %d, want 404", code)
	}
	r.set(func(c *Config) { c.Admin.Hosts = []string{"gw1.internal"}; c.Admin.PProf = true })
	if res, err := g.Reload(); err != nil || !slices.Equal(res.Applied, []string{"admin.hosts", "admin.pprof"}) {
		t.Fatalf("Reload: %+v, %v", res, err)
	}
	if code, _ := adminGet(t, g, "gw1.internal", "/healthz"); code != http.StatusOK {
		t.Fatalf("after the reload, Host gw1.internal: %d, want 200", code)
	}
	if code, _ := adminGet(t, g, "localhost", "/debug/pprof/"); code != http.StatusOK {
		t.Fatalf("after the reload, the profiler: %d, want 200", code)
	}
}

// A reload can move the audit trail to another file.
func TestReloadMovesTheAuditFile(t *testing.T) {
	dir := t.TempDir()
	first, second := filepath.Join(dir, "audit.log"), filepath.Join(dir, "trail.log")
	g, r, _ := reloadGateway(t, func(c *Config) { c.Log.AuditFile = first })
	r.set(func(c *Config) { c.Log.AuditFile = second })
	if res, err := g.Reload(); err != nil || !slices.Equal(res.Applied, []string{"log.audit_file"}) {
		t.Fatalf("Reload: %+v, %v", res, err)
	}
	player(t, g, "Dora")
	waitFile(t, second, "Dora")
	if b, _ := os.ReadFile(first); strings.Contains(string(b), "Dora") {
		t.Fatal("the old audit file still gets events")
	}
}
