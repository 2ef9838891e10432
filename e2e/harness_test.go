package e2e

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/gateway/app"
	"github.com/drawbridge/drawbridge/www"
)

// site is the web client as the gateway serves it: the committed files of
// www plus a client built from this tree, so the tests never run a stale
// client.wasm. TestMain builds it once.
var site struct {
	once sync.Once
	dir  string
	err  error
}

// binary is the gateway's command, built from this tree once, for tests
// that run it as an operator does.
var binary struct {
	once sync.Once
	path string
	err  error
}

// parallel is how many e2e tests run at once unless -test.parallel says
// otherwise: more than the cores (whose number is the default), because
// the tests mostly wait, on browsers, scanners, servers starting and
// real clocks, rather than compute.
const parallel = 4

func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		if err := flag.Set("test.parallel", strconv.Itoa(parallel)); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: set -test.parallel:", err)
			os.Exit(2)
		}
	}
	code := m.Run()
	if site.dir != "" {
		os.RemoveAll(site.dir)
	}
	if binary.path != "" {
		os.RemoveAll(filepath.Dir(binary.path))
	}
	os.Exit(code)
}

// webClient returns a directory holding the web client as `make build`
// lays it out, building it on first use.
func webClient(t *testing.T) string {
	t.Helper()
	site.once.Do(func() { site.dir, site.err = buildWebClient() })
	if site.err != nil {
		t.Fatalf("build web client: %v", site.err)
	}
	return site.dir
}

func buildWebClient() (string, error) {
	dir, err := os.MkdirTemp("", "drawbridge-www-")
	if err != nil {
		return "", err
	}
	// The committed static files.
	err = fs.WalkDir(www.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(name, "dist/") {
			return err
		}
		b, err := fs.ReadFile(www.FS(), name)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name), b, 0o644)
	})
	if err != nil {
		return "", err
	}
	// The client, through the tool and with the flags that `make wasm`
	// uses, so the tests load what ships: hashed names, brotli and gzip
	// copies, the manifest the gateway rewrites the pages with.
	if err := buildClientInto(filepath.Join(dir, "dist")); err != nil {
		return "", err
	}
	return dir, nil
}

// buildClientInto runs www/build into a directory kept between runs
// (under the user's cache directory) and copies the result to dist. The
// tool always builds the client anew, so the copy is never stale, but it
// keeps the brotli and gzip twins of a client that has not changed since
// the last build, which saves the half minute brotli takes on every run
// after the first. A file lock keeps test processes that run at once
// (other packages, other checkouts) from building into it together.
func buildClientInto(dist string) error {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	cache = filepath.Join(cache, "drawbridge-e2e", "dist")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return err
	}
	lock, err := os.OpenFile(cache+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer lock.Close() // releases the lock
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock %s: %w", cache, err)
	}
	cmd := exec.Command("go", "run", "./www/build", "-o", cache)
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go run ./www/build: %v\n%s", err, out)
	}
	if err := os.CopyFS(dist, os.DirFS(cache)); err != nil {
		return fmt.Errorf("copy the built client from %s: %w", cache, err)
	}
	return nil
}

// drawbridgeCommand returns the path of the gateway's binary, building it
// on first use.
func drawbridgeCommand(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		dir, err := os.MkdirTemp("", "drawbridge-bin-")
		if err != nil {
			binary.err = err
			return
		}
		binary.path = filepath.Join(dir, "drawbridge")
		// The tests name their configs: a machine's own
		// /etc/drawbridge/drawbridge.toml must not be read by them.
		if out, err := exec.Command("go", "build", "-ldflags", "-X main.wellKnownConfig="+noWellKnownConfig, "-o", binary.path, "../gateway").CombinedOutput(); err != nil {
			binary.err = fmt.Errorf("go build gateway: %v\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// gateway is a gateway started for one test.
type gateway struct {
	*app.Gateway
	cfg  app.Config
	stop context.CancelFunc
	log  *logBuffer
	// via, when set, is the address browsers reach the gateway through
	// (a proxy in front of it); URL uses its port.
	via string
}

// startGateway starts the real gateway on loopback ports, fronting the
// built-in demo game, and serving the freshly built client. mod, if
// given, changes the configuration first.
func startGateway(t *testing.T, static bool, mod ...func(*app.Config)) *gateway {
	t.Helper()
	cfg := app.Default()
	cfg.Web.HTTPSAddr, cfg.Web.HTTPAddr, cfg.Game.DemoAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.Admin.Addr = "off"
	cfg.StateDir = t.TempDir()
	cfg.ShutdownTimeout = 5 * time.Second
	lb := &logBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if static {
		cfg.Static = os.DirFS(webClient(t))
	}
	for _, m := range mod {
		m(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	g, err := app.Start(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatalf("start gateway: %v", err)
	}
	gw := &gateway{Gateway: g, cfg: cfg, stop: cancel, log: lb}
	t.Cleanup(func() {
		gw.Shutdown(t)
		if t.Failed() {
			t.Logf("gateway log:\n%s", lb.String())
		}
	})
	return gw
}

// Shutdown stops the gateway gracefully and waits for it.
func (g *gateway) Shutdown(t *testing.T) {
	g.stop()
	if err := g.Wait(); err != nil {
		t.Errorf("gateway: %v", err)
	}
}

// URL returns the gateway's HTTPS address for path, under the name
// "localhost" that the certificate covers.
func (g *gateway) URL(path string) string {
	addr := g.HTTPSAddr().String()
	if g.via != "" {
		addr = g.via
	}
	_, port, _ := strings.Cut(addr, ":")
	return "https://localhost:" + port + path
}

// cert returns the gateway's self-signed certificate.
func (g *gateway) cert(t *testing.T) *x509.Certificate {
	t.Helper()
	c := g.Certificate("localhost")
	if c == nil {
		t.Fatal("the gateway has no certificate for localhost")
	}
	return c
}

// spki returns the base64 SHA-256 of the certificate's public key, the
// form Chromium's --ignore-certificate-errors-spki-list takes: the browser
// trusts this one key and nothing else it would otherwise refuse.
func spki(c *x509.Certificate) string {
	sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// tlsConfig trusts the gateway's certificate.
func (g *gateway) tlsConfig(t *testing.T) *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(g.cert(t))
	return &tls.Config{RootCAs: pool}
}

// logBuffer collects the gateway's log for failure reports.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// noWellKnownConfig is the path the tests' gateway binaries look for
// instead of /etc/drawbridge/drawbridge.toml: none.
const noWellKnownConfig = "/nonexistent/drawbridge-e2e/drawbridge.toml"
