// Command clientbench measures the Drawbridge web client against xterm.js
// in the same headless Chromium, in the same run, and prints a markdown
// table with issue 15's aims:
//
//   - a flood of coloured MUD output (MB/s until the last bytes are
//     drawn, frames drawn meanwhile, the longest wait for a frame) at
//     1280x800, at a phone's 390x844 CSS px at device scale 3
//     (Emulation.setDeviceMetricsOverride, mobile) and at the phone's at
//     scale 1, and the first frame after the page loads; the clients'
//     floods interleaved, so that both see the machine's drift;
//   - the same flood with mixed CJK and Latin text, against the Latin
//     one's ingest;
//   - keystroke to screen: in character mode against an echoing game, a
//     key pressed through CDP to its echo drawn, p50 and p99 (page/keys.js);
//   - memory after the flood has filled the 10,000-line scrollback: the
//     page's heaps (Runtime.getHeapUsage) and its wasm linear memory;
//   - the CPU the browser uses while the page sits idle, and the size of
//     what it downloads;
//   - a minimal Ebitengine page (minimal/, built here for js/wasm) for
//     the floor Ebitengine sets: its first frame, idle CPU and memory,
//     behind the client's loader.js and without it, and the most frames
//     a second it draws when every frame is a fresh screen of text;
//   - WebGL alone (page/webgl.js) covering the canvas once and twice a
//     frame, the floor under any WebGL terminal in this browser.
//
// Run it from the repository's root:
//
//	make bench-client                 # builds the wasm, installs xterm.js, runs this
//	go run ./e2e/clientbench -reps 5  # from the repository's root
//
// It serves, on a loopback port, the real web client from www/ on disk
// as `make wasm` left it (dist/manifest.json maps the names the page asks
// for to the content-hashed files, and compressed twins are served as the
// gateway serves them) with a minimal /ws that speaks the drawbridge.v1
// wire, and a page
// of its own with xterm.js from e2e/clientbench/node_modules (package.json
// pins the version; npm ci installs it) fed by /xws with the bare stream.
// Both get the same deterministic stream in the same WebSocket messages;
// for keystrokes, both sockets echo what the page sends (a Keys frame
// comes back as Output). Page-side hooks say when a frame was drawn and
// what it held: the client's window.drawbridge.drawn() and xterm.js's
// onRender, polled on the browser's own animation frames. Every wait is
// bounded; the browser is closed at the end. Screenshots of both clients
// after a flood at each viewport go to e2e/testoutput/.
//
// It is not part of `make test`: the figures need a quiet machine and take
// about three minutes (-reps and -keys trade precision for time).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/drawbridge/drawbridge/e2e/headless"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "clientbench:", err)
		stop()
		os.Exit(1)
	}
}

// config is what a benchmark run does. The zero value is not usable; the
// flags' defaults are.
type config struct {
	WWW      string        // the web client's files: play.html, loader.js, dist/
	XTerm    string        // the @xterm/xterm package (npm ci puts it in node_modules)
	Chromium string        // the browser; "" finds one
	Out      string        // where the screenshots go
	Reps     int           // floods per client
	Profile  string        // where to write CPU profiles; "" for none
	Size     int           // bytes of stream, about
	Seed     uint64        // the stream's seed
	Chunk    int           // bytes per WebSocket message
	Idle     time.Duration // how long idle CPU is measured
	Width    int           // viewport, CSS pixels
	Height   int
	Keys     int // keystrokes timed per client
	// Automation runs the Drawbridge client's floods at the configured
	// viewport once more with 100 triggers and 20 aliases loaded,
	// interleaved with floods without them.
	Automation bool
	Go         string // the go command, which builds the minimal Ebitengine page
	Minimal    string // that page's package directory
}

// viewport is the configured viewport, at device scale 1.
func (c config) viewport() viewport {
	return viewport{width: int64(c.Width), height: int64(c.Height), scale: 1}
}

// validate checks the config's ranges and that the files it names exist.
func (c config) validate() error {
	var errs []error
	if c.Reps < 1 || c.Reps > 50 {
		errs = append(errs, fmt.Errorf("-reps %d outside 1..50", c.Reps))
	}
	if c.Size < minStreamSize || c.Size > maxStreamSize {
		errs = append(errs, fmt.Errorf("-size %d outside %d..%d bytes", c.Size, minStreamSize, maxStreamSize))
	}
	if c.Chunk < 64 || c.Chunk > 60<<10 {
		errs = append(errs, fmt.Errorf("-chunk %d outside 64..%d bytes", c.Chunk, 60<<10))
	}
	if c.Idle < time.Second || c.Idle > 10*time.Minute {
		errs = append(errs, fmt.Errorf("-idle %v outside 1s..10m", c.Idle))
	}
	if c.Width < 200 || c.Width > 4000 || c.Height < 200 || c.Height > 4000 {
		errs = append(errs, fmt.Errorf("viewport %dx%d outside 200..4000 px", c.Width, c.Height))
	}
	if c.Keys < 10 || c.Keys > 10000 {
		errs = append(errs, fmt.Errorf("-keys %d outside 10..10000", c.Keys))
	}
	if _, err := os.Stat(filepath.Join(c.Minimal, "main.go")); err != nil {
		errs = append(errs, fmt.Errorf("-minimal %s: no main.go (run from the repository's root): %w", c.Minimal, err))
	}
	if _, err := os.Stat(filepath.Join(c.WWW, "play.html")); err != nil {
		errs = append(errs, fmt.Errorf("-www %s: no play.html (run from the repository's root): %w", c.WWW, err))
	}
	if _, err := os.Stat(filepath.Join(c.XTerm, "lib", "xterm.js")); err != nil {
		errs = append(errs, fmt.Errorf("-xterm %s: no lib/xterm.js (run npm ci in e2e/clientbench, or make bench-client): %w", c.XTerm, err))
	}
	return errors.Join(errs...)
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fl := flag.NewFlagSet("clientbench", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.StringVar(&c.WWW, "www", "www", "the web client's directory, built by make wasm")
	fl.StringVar(&c.XTerm, "xterm", filepath.Join("e2e", "clientbench", "node_modules", "@xterm", "xterm"), "the @xterm/xterm package directory")
	fl.StringVar(&c.Chromium, "chromium", "", "the browser (default: $DRAWBRIDGE_CHROMIUM, else chromium on PATH)")
	fl.StringVar(&c.Out, "out", filepath.Join("e2e", "testoutput"), "where the screenshots go")
	fl.IntVar(&c.Reps, "reps", 5, "floods per client; the table shows the median")
	fl.IntVar(&c.Size, "size", 5<<20, "bytes of MUD output per flood")
	fl.Uint64Var(&c.Seed, "seed", 1, "the stream's seed")
	fl.IntVar(&c.Chunk, "chunk", 4<<10, "bytes of output per WebSocket message")
	fl.DurationVar(&c.Idle, "idle", 10*time.Second, "how long idle CPU is measured")
	fl.IntVar(&c.Width, "width", 1280, "viewport width, CSS pixels")
	fl.IntVar(&c.Height, "height", 800, "viewport height, CSS pixels")
	fl.IntVar(&c.Keys, "keys", 200, "keystrokes timed per client")
	fl.BoolVar(&c.Automation, "automation", true, "also flood the client with 100 triggers and 20 aliases loaded, against floods without them")
	fl.StringVar(&c.Go, "go", "go", "the go command, to build the minimal Ebitengine page for js/wasm")
	fl.StringVar(&c.Minimal, "minimal", filepath.Join("e2e", "clientbench", "minimal"), "the minimal Ebitengine page's package directory")
	fl.StringVar(&c.Profile, "profile", "", "write a CPU profile of each client's first flood here (.cpuprofile, for DevTools) and print its top functions; build the client with names first: go run ./www/build -names")
	if err := fl.Parse(args); err != nil {
		return c, err
	}
	if fl.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fl.Args(), " "))
	}
	return c, c.validate()
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "clientbench: "+format+"\n", a...) }
	rep := &report{
		cfg:     cfg,
		command: strings.Join(append([]string{"go run ./e2e/clientbench"}, args...), " "),
		started: time.Now(),
		loadAvg: loadAverage(),
	}
	if rep.xtermVer, err = packageVersion(cfg.XTerm); err != nil {
		return err
	}

	latin, err := makeStream("Latin", mudStream, cfg.Seed, cfg.Size, cfg.Chunk)
	if err != nil {
		return err
	}
	cjkStream, err := makeStream("CJK", mudStreamCJK, cfg.Seed, cfg.Size, cfg.Chunk)
	if err != nil {
		return err
	}
	rep.streamLen, rep.messages, rep.cjkLen, rep.cjkMessages = latin.total, len(latin.chunks), cjkStream.total, len(cjkStream.chunks)
	rep.streamLines = lineCount(latin.chunks)

	tmp, err := os.MkdirTemp("", "drawbridge-clientbench-")
	if err != nil {
		return fmt.Errorf("temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	logf("building the minimal Ebitengine page (%s)", cfg.Minimal)
	minimalWasm := filepath.Join(tmp, "minimal.wasm")
	if err := buildMinimal(ctx, cfg.Go, cfg.Minimal, minimalWasm); err != nil {
		return err
	}
	if st, err := os.Stat(minimalWasm); err == nil {
		rep.minimalSize = st.Size()
	}

	srv := newServer(cfg.WWW, cfg.XTerm, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	srv.minimalWasm = minimalWasm
	base, stopServer, err := srv.listen()
	if err != nil {
		return err
	}
	defer stopServer()

	path, err := headless.Find(cfg.Chromium)
	if err != nil {
		return err
	}
	profile := filepath.Join(tmp, "profile")
	logf("starting %s; serving on %s", path, base)
	browser, err := startChromium(path, profile)
	if err != nil {
		return err
	}
	model, err := benchModel()
	if err != nil {
		return err
	}
	browser.setupJS = automationJS(model)
	// An interrupt stops the browser, which ends every wait on it.
	defer context.AfterFunc(ctx, browser.stop)()
	defer browser.stop()
	rep.chromium = browser.version

	b := &bench{cfg: cfg, chrome: browser, srv: srv, base: base, latin: latin, cjk: cjkStream, logf: logf, profiled: map[string]bool{}}
	ours, them := &clientResult{who: drawbridge}, &clientResult{who: xterm}
	rep.ours, rep.them = ours, them
	if err := b.floods(ours, them); err != nil {
		return err
	}
	if cfg.Automation {
		if err := b.automationPhase(ours); err != nil {
			return err
		}
	}
	if err := b.measure(ctx, ours, drawbridgePage()); err != nil {
		return err
	}
	if err := b.measure(ctx, them, xtermPage(ours.desktop.cols, ours.desktop.rows)); err != nil {
		return err
	}
	if rep.minimal, err = b.measureMinimal(ctx, true, cfg.Reps); err != nil {
		return err
	}
	// The most frames an Ebitengine page draws when every frame shows
	// a fresh screen of text, at both viewports and the client's grids.
	for _, v := range []struct {
		vp  viewport
		set floodSet
	}{{b.desktop(), ours.desktop}, {phone, ours.phone}} {
		c, err := b.measureCeiling(ctx, v.vp, v.set.cols, v.set.rows, cfg.Reps)
		if err != nil {
			return err
		}
		rep.ceilings = append(rep.ceilings, c)
	}
	// Without the gate, one load: its idle CPU is the figure.
	if rep.minimalPlain, err = b.measureMinimal(ctx, false, 1); err != nil {
		return err
	}
	browser.stop()
	rep.loadAvgEnd = loadAverage()

	if rep.oursDL, rep.wasmCoding, rep.wasmLoads, err = wasmDownload(cfg.WWW, srv.wasmServed()); err != nil {
		return err
	}
	if rep.themDL, err = measureDownload(cfg.XTerm, []string{"lib/xterm.js", "css/xterm.css"}); err != nil {
		return err
	}
	rep.write(stdout)
	return nil
}

// makeStream generates a stream and cuts it into messages.
func makeStream(name string, gen func(seed uint64, size int) ([]byte, error), seed uint64, size, chunk int) (stream, error) {
	b, err := gen(seed, size)
	if err != nil {
		return stream{}, fmt.Errorf("%s stream: %w", name, err)
	}
	chunks, err := splitStream(b, chunk)
	if err != nil {
		return stream{}, fmt.Errorf("%s stream: %w", name, err)
	}
	return stream{name: name, chunks: chunks, total: len(b)}, nil
}

// lineCount counts the line ends in a stream.
func lineCount(chunks [][]byte) int {
	n := 0
	for _, c := range chunks {
		n += bytes.Count(c, []byte("\n"))
	}
	return n
}

// buildMinimal builds the minimal Ebitengine page for js/wasm, as `make
// wasm` builds the client (www/build), so the build cache is shared.
func buildMinimal(ctx context.Context, goCmd, dir, out string) error {
	pkg := filepath.Clean(dir)
	if !filepath.IsAbs(pkg) {
		pkg = "." + string(filepath.Separator) + pkg // a path, not an import path
	}
	cmd := exec.CommandContext(ctx, goCmd, "build", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build the minimal Ebitengine page: %w\n%s", err, b)
	}
	return nil
}

// wasmDownload measures the wasm files the page fetched, as the server
// saw them requested, and says how they travelled and how often.
func wasmDownload(www string, served map[string]int) (d download, codings string, loads int, err error) {
	if len(served) == 0 {
		return d, "", 0, errors.New("the Drawbridge page fetched no .wasm file")
	}
	var names, how []string
	for key, n := range served {
		name, coding, _ := strings.Cut(key, " as ")
		name = strings.TrimPrefix(name, "/")
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
		if !slices.Contains(how, coding) {
			how = append(how, coding)
		}
		loads += n
	}
	slices.Sort(names)
	slices.Sort(how)
	d, err = measureDownload(www, names)
	return d, strings.Join(how, ", "), loads, err
}

// packageVersion reads an npm package's version from its package.json.
func packageVersion(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return "", fmt.Errorf("xterm.js version: %w", err)
	}
	var pkg struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		return "", fmt.Errorf("xterm.js version: %s: %w", filepath.Join(dir, "package.json"), err)
	}
	return pkg.Version, nil
}
