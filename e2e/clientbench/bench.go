package main

import (
	"context"
	_ "embed"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/heapprofiler"
	"github.com/chromedp/cdproto/input"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// watchJS is the function that times a flood inside the page.
//
//go:embed page/watch.js
var watchJS string

// Waits in the browser. Each is generous for a loaded 2-core machine; a
// wait that passes its bound fails the benchmark with what the page said.
const (
	loadTimeout  = 60 * time.Second // the page, the wasm, the first frame, the WebSocket
	floodTimeout = 3 * time.Minute  // a whole flood, applied and drawn
	screenWait   = 10 * time.Second // the end marker in the screen text (the mirror lags)
	settleTime   = 2 * time.Second  // after a flood, before idle CPU is measured
	// undrawnWait bounds the wait for a frame that shows a flood's last
	// bytes once they are applied: a client that stops drawing ends its
	// flood there, marked "not drawn", rather than the benchmark.
	undrawnWait = 10 * time.Second
	// settleLimit bounds the wait for a freshly loaded page to settle
	// (settleJS) before its flood.
	settleLimit = 5 * time.Second
)

// settleJS waits, in the page, until the browser runs animation frames
// promptly again (three in a row within 50 ms of each other) after the
// page loaded, or settleLimit passes; it resolves to the time that took,
// in ms. On SwiftShader the GPU work a WebGL page's load leaves behind
// held the browser's frames for 280-350 ms after the client's first
// frame, which a flood started at once counted as its own longest wait.
// Both clients' floods start only once their page has settled, as a
// player's first flood comes after the game's login screen. The
// browser's own requestAnimationFrame (wasmmem.js keeps it), not the
// client's gate.
const settleJS = `new Promise((resolve) => {
  const raf = window.__benchRAF || window.requestAnimationFrame.bind(window);
  const t0 = performance.now();
  let last = t0, prompt = 0;
  const frame = () => {
    const now = performance.now();
    prompt = now - last < 50 ? prompt + 1 : 0;
    last = now;
    if (prompt >= 3 || now - t0 > %d) resolve(now - t0);
    else raf(frame);
  };
  raf(frame);
})`

// settle waits until the tab's page has settled (settleJS) and returns
// how long that took, in ms.
func (t *tab) settle() (float64, error) {
	ms, err := chromedp.Run(t.ctx, chromedp.Evaluate[float64](fmt.Sprintf(settleJS, settleLimit.Milliseconds()), chromedp.EvalAwaitPromise))
	if err != nil {
		return 0, fmt.Errorf("wait for the page to settle: %w", err)
	}
	return ms, nil
}

// keystrokeJS is the function that times keystrokes inside the page.
//
//go:embed page/keys.js
var keystrokeJS string

// page describes one client's page to the benchmark.
type page struct {
	who   client
	path  string // the page's path and query on the bench server
	obj   string // its global object with stats(), drawn(), size() and screenText()
	ready string // a JavaScript condition: connected, first frame drawn
	diag  string // a JavaScript expression that says what the page is at, for errors
	// charMode is a JavaScript condition: the page sends keys as they
	// are pressed; focus gives the element that takes them the focus.
	charMode, focus string
}

// drawbridgePage is the Drawbridge client's page, www/play.html.
func drawbridgePage() page {
	return page{
		who:      drawbridge,
		path:     "/play.html",
		obj:      "drawbridge",
		ready:    `window.drawbridge && drawbridge.status().state === "connected" && drawbridge.stats().frames > 0`,
		diag:     `JSON.stringify({status: document.getElementById("status").textContent, stats: window.drawbridge && drawbridge.stats()})`,
		charMode: `document.getElementById("cmdline").classList.contains("charmode")`,
		focus:    `document.getElementById("cmdline").focus()`,
	}
}

// drawbridgeAutomatedPage is the Drawbridge client's page with the
// benchmark's aliases and triggers loaded (automationJS).
func drawbridgeAutomatedPage() page {
	p := drawbridgePage()
	p.path += "?" + automationQuery
	return p
}

// xtermPage is the xterm.js page, with the grid of the Drawbridge client
// (measured first) so that both draw as many cells.
func xtermPage(cols, rows int) page {
	q := url.Values{"cols": {strconv.Itoa(cols)}, "rows": {strconv.Itoa(rows)}}
	return page{
		who:      xterm,
		path:     "/bench/xterm.html?" + q.Encode(),
		obj:      "xtermbench",
		ready:    `window.xtermbench && xtermbench.ready()`,
		diag:     `JSON.stringify({closed: window.xtermbench && xtermbench.closed(), stats: window.xtermbench && xtermbench.stats()})`,
		charMode: `true`, // xterm.js sends every key through onData
		focus:    `xtermbench.focus()`,
	}
}

// viewport is a browser window the benchmark emulates.
type viewport struct {
	width, height int64   // CSS pixels
	scale         float64 // device pixels per CSS pixel
	mobile        bool    // Emulation.setDeviceMetricsOverride's mobile: a phone's viewport rules
}

// phone is a phone's viewport: 390x844 CSS pixels at device scale 3, the
// size of a current iPhone's and of many Android phones'.
var phone = viewport{width: 390, height: 844, scale: 3, mobile: true}

// phoneLowRes is the phone's viewport at device scale 1: the same grid
// with a ninth of the pixels, which shows what the pixels cost the
// client at the phone's viewport (on SwiftShader, the GPU's work is CPU
// time the page's own work shares two cores with).
var phoneLowRes = viewport{width: phone.width, height: phone.height, scale: 1, mobile: true}

func (v viewport) String() string {
	s := fmt.Sprintf("%dx%d", v.width, v.height)
	if v.scale != 1 {
		s += fmt.Sprintf(" at scale %g", v.scale)
	}
	if v.mobile {
		s += ", mobile"
	}
	return s
}

// runResult is one flood's figures.
type runResult struct {
	FirstFrameMs float64 // performance.now() at the first frame after load
	SettleMs     float64 // from the page ready to its frames prompt again (settleJS)
	FloodMs      float64 // first message to the last bytes applied and drawn
	Frames       int     // frames drawn during the flood
	MaxGapMs     float64 // the longest wait for a frame during the flood
	SendMs       float64 // how long the server took to write every message
	How          string  // how the end was seen (see watch.js)
	Bytes        int     // the stream's length
}

// MBps is the ingest rate in MB (10^6 bytes) per second.
func (r runResult) MBps() float64 { return float64(r.Bytes) / 1e6 / (r.FloodMs / 1000) }

// FPS is the frames drawn per second of flood.
func (r runResult) FPS() float64 { return float64(r.Frames) / (r.FloodMs / 1000) }

// floodSet is the floods of one client at one viewport with one stream.
type floodSet struct {
	cols, rows int
	runs       []runResult
	screenshot string // after the last, when taken
}

// memResult is a page's memory after a flood, in bytes: what
// Runtime.getHeapUsage says after a collection, and the wasm memory.
type memResult struct {
	jsHeap      float64 // usedSize: V8's heap, the JavaScript objects
	domHeap     float64 // embedderHeapUsedSize: Blink's heap, the DOM's objects
	buffers     float64 // backingStorageSize: the bytes of ArrayBuffers (typed arrays) and external strings
	wasm        float64 // the byteLength of the page's WebAssembly memories (not in buffers)
	bufferLines int     // the lines the terminal holds, scrollback and screen (xterm.js only; -1 unknown)
}

// Total is the page's memory: the three heaps and the wasm memory.
func (m memResult) Total() float64 { return m.jsHeap + m.domHeap + m.buffers + m.wasm }

// keyResult is the keystroke timings of one client.
type keyResult struct {
	ms   []float64 // key press to echo drawn, per key
	late int       // keys whose frame could be one frame late (see keys.js)
	// The same keys' times to the page's sending the key and to its
	// receiving the echo (keys where the page's WebSocket was not seen
	// are left out).
	sentMs, echoMs []float64
	// skipped counts, per key, the frames that began after the echo
	// came and before the frame that drew it (keys.js); -1 where the
	// echo was not seen.
	skipped []int
	// settleMs is how long the page took to settle (settleJS) once in
	// character mode, before the first key.
	settleMs float64
}

// skippedText says how many keys' echoes waited past a frame that could
// have drawn them, of the keys whose echo was seen, and how many frames
// the worst waited.
func (k keyResult) skippedText() string {
	n, seen, most := 0, 0, 0
	for _, s := range k.skipped {
		if s < 0 {
			continue
		}
		seen++
		if s > 0 {
			n++
		}
		most = max(most, s)
	}
	return fmt.Sprintf("%d of %d (at most %d frames)", n, seen, most)
}

// clientResult is everything measured of one client.
type clientResult struct {
	who     client
	desktop floodSet // the Latin stream at the configured viewport
	phone   floodSet // the Latin stream at the phone's
	// phoneLowRes is the Latin stream at the phone's viewport at device
	// scale 1.
	phoneLowRes floodSet
	cjk         floodSet // the CJK stream at the configured viewport
	// automated and plain are the Latin stream at the configured
	// viewport with the benchmark's triggers and aliases loaded and
	// without, interleaved (Drawbridge only).
	automated, plain floodSet
	keys             keyResult
	mem              memResult
	idleCPU          time.Duration // CPU of the browser's processes while idle
	idleWall         time.Duration
	idleProcs        int    // processes in the browser's tree at the end
	idleKinds        string // the idle CPU by kind of process (formatByKind)
}

// IdlePercent is the idle CPU as a percentage of one core.
func (c *clientResult) IdlePercent() float64 {
	return 100 * c.idleCPU.Seconds() / c.idleWall.Seconds()
}

// watchState is window.__bench as watch.js leaves it.
type watchState struct {
	Done   bool    `json:"done"`
	T0     float64 `json:"t0"`
	TEnd   float64 `json:"tEnd"`
	Frames int     `json:"frames"`
	Bytes  float64 `json:"bytes"`
	How    string  `json:"how"`
	MaxGap float64 `json:"maxGap"`
}

// stream is one stream the benchmark floods the clients with.
type stream struct {
	name   string
	chunks [][]byte // as sent
	total  int      // its length
}

// bench holds what every measurement shares.
type bench struct {
	cfg    config
	chrome *chrome
	srv    *server
	base   string // the bench server's URL
	latin  stream
	cjk    stream
	logf   func(format string, args ...any)
	// profiled says which floods were profiled (-profile): each
	// client's first of each stream, by client and stream name.
	profiled map[string]bool
}

// desktop is the configured viewport.
func (b *bench) desktop() viewport { return b.cfg.viewport() }

// floodPhase is one kind of flood both clients take: a stream at a
// viewport, kept in one of a client's flood sets.
type floodPhase struct {
	what string
	vp   viewport
	s    stream
	set  func(*clientResult) *floodSet
	shot string // the screenshot's name after the last flood, "" for none
}

// pageFor is who's page for a flood whose grid the Drawbridge client
// had as grid (xterm.js's page is given that grid).
func pageFor(who client, grid *floodSet) page {
	if who == drawbridge {
		return drawbridgePage()
	}
	return xtermPage(grid.cols, grid.rows)
}

// floods runs every flood of the benchmark, interleaved: for each phase
// (the Latin stream at the configured viewport, the CJK stream there,
// the Latin stream at the phone's viewport and at the phone's at device
// scale 1), each repetition floods the Drawbridge client and then
// xterm.js, each on a freshly loaded page in the client's tab for that
// phase. The machine's load drifts over the minutes a benchmark takes
// (other work, its own state); interleaved, both clients see the same
// drift, so the ratios hold where a client's floods run one after the
// other would not. The Drawbridge client goes first: xterm.js's page
// takes its grid.
func (b *bench) floods(ours, them *clientResult) error {
	desk := b.desktop()
	phases := []floodPhase{
		{desk.String(), desk, b.latin, func(c *clientResult) *floodSet { return &c.desktop }, ""},
		{"CJK", desk, b.cjk, func(c *clientResult) *floodSet { return &c.cjk }, ""},
		{"phone", phone, b.latin, func(c *clientResult) *floodSet { return &c.phone }, "-phone"},
		{"phone at scale 1", phoneLowRes, b.latin, func(c *clientResult) *floodSet { return &c.phoneLowRes }, ""},
	}
	for _, ph := range phases {
		if err := b.phase(ph, ours, them); err != nil {
			return err
		}
	}
	return nil
}

// phase runs the floods of one phase, interleaved, in a tab per client.
func (b *bench) phase(ph floodPhase, ours, them *clientResult) error {
	tabs := map[client]*tab{}
	defer func() {
		for _, t := range tabs {
			t.close()
		}
	}()
	for i := 1; i <= b.cfg.Reps; i++ {
		for _, c := range []*clientResult{ours, them} {
			t := tabs[c.who]
			if t == nil {
				var err error
				if t, err = b.chrome.newTab(ph.vp); err != nil {
					return err
				}
				tabs[c.who] = t
			}
			p := pageFor(c.who, ph.set(ours))
			r, cols, rows, err := b.flood(t, p, ph.s)
			if err != nil {
				return fmt.Errorf("%s, %s run %d: %w\npage console:\n%s", p.who, ph.what, i, err, t.console)
			}
			set := ph.set(c)
			set.cols, set.rows = cols, rows
			b.logf("%s %s run %d (%dx%d): first frame %.0f ms, settled %.0f ms later, %.2f MB/s, %.1f frames/s (%d frames in %.0f ms, longest wait %.0f ms, end: %s), server wrote it in %.0f ms",
				p.who, ph.what, i, cols, rows, r.FirstFrameMs, r.SettleMs, r.MBps(), r.FPS(), r.Frames, r.FloodMs, r.MaxGapMs, r.How, r.SendMs)
			set.runs = append(set.runs, r)
			if i == b.cfg.Reps && ph.shot != "" {
				if set.screenshot, err = b.screenshot(t, string(c.who)+ph.shot); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// automationPhase floods the Drawbridge client at the configured viewport
// with the benchmark's triggers and aliases loaded and without them,
// interleaved, each in a tab of its own.
func (b *bench) automationPhase(ours *clientResult) error {
	runs := []struct {
		p   page
		set *floodSet
	}{{drawbridgePage(), &ours.plain}, {drawbridgeAutomatedPage(), &ours.automated}}
	tabs := make([]*tab, len(runs))
	defer func() {
		for _, t := range tabs {
			if t != nil {
				t.close()
			}
		}
	}()
	for i := 1; i <= b.cfg.Reps; i++ {
		for k, run := range runs {
			if tabs[k] == nil {
				t, err := b.chrome.newTab(b.desktop())
				if err != nil {
					return err
				}
				tabs[k] = t
			}
			r, cols, rows, err := b.flood(tabs[k], run.p, b.latin)
			if err != nil {
				return fmt.Errorf("%s automation run %d: %w\npage console:\n%s", run.p.path, i, err, tabs[k].console)
			}
			n, err := eval[int](tabs[k].ctx, `window.drawbridge.automation ? JSON.parse(drawbridge.automation.get()).triggers?.length || 0 : -1`)
			if want := map[bool]int{true: benchTriggers, false: 0}[k == 1]; err != nil || n != want {
				return fmt.Errorf("%s: the client holds %d triggers (%v), want %d", run.p.path, n, err, want)
			}
			run.set.cols, run.set.rows = cols, rows
			run.set.runs = append(run.set.runs, r)
			b.logf("drawbridge %s run %d: %.2f MB/s, %.1f frames/s, longest wait %.0f ms", map[bool]string{true: "with 100 triggers and 20 aliases", false: "without automation"}[k == 1], i, r.MBps(), r.FPS(), r.MaxGapMs)
		}
	}
	return nil
}

// measure measures what of one client is not a flood's figure, given
// its page at the configured viewport: one more flood of the Latin
// stream there, which fills the scrollback, then its memory and a
// screenshot, then its idle CPU with only that tab (and the blank first
// one) open; then keystrokes in a fresh tab.
func (b *bench) measure(ctx context.Context, res *clientResult, desktop page) error {
	who := res.who
	t, err := b.chrome.newTab(b.desktop())
	if err != nil {
		return err
	}
	defer t.close()
	if _, _, _, err := b.flood(t, desktop, b.latin); err != nil {
		return fmt.Errorf("%s, the flood before memory and idle: %w\npage console:\n%s", who, err, t.console)
	}
	if res.mem, err = b.memory(t, desktop); err != nil {
		return fmt.Errorf("%s: %w", who, err)
	}
	b.logf("%s memory after the flood: %s, buffer lines %d", who, res.mem, res.mem.bufferLines)
	if res.desktop.screenshot, err = b.screenshot(t, string(who)); err != nil {
		return err
	}
	if err := b.idle(ctx, res); err != nil {
		return fmt.Errorf("%s: %w", who, err)
	}
	b.logf("%s idle: %.1f%% of a core over %d browser processes (%s)", who, res.IdlePercent(), res.idleProcs, res.idleKinds)
	if err := b.profileIdle(ctx, t, string(who)); err != nil {
		return err
	}
	t.close()

	if res.keys, err = b.keystrokes(desktop); err != nil {
		return fmt.Errorf("%s keystrokes: %w", who, err)
	}
	b.logf("%s keystroke to screen: p50 %.1f ms, p99 %.1f ms over %d keys (%d maybe a frame late); p50 to the key sent %.1f ms, to the echo received %.1f ms",
		who, percentile(res.keys.ms, 50), percentile(res.keys.ms, 99), len(res.keys.ms), res.keys.late,
		percentile(res.keys.sentMs, 50), percentile(res.keys.echoMs, 50))
	return nil
}

// screenshot saves what the tab shows as bench-NAME.png in the output
// directory and returns its path.
func (b *bench) screenshot(t *tab, name string) (string, error) {
	shot, err := chromedp.Run(t.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return "", fmt.Errorf("%s: screenshot: %w", name, err)
	}
	path := filepath.Join(b.cfg.Out, "bench-"+strings.ReplaceAll(name, ".", "")+".png")
	if err := os.MkdirAll(b.cfg.Out, 0o755); err != nil {
		return "", fmt.Errorf("screenshot: %w", err)
	}
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		return "", fmt.Errorf("screenshot: %w", err)
	}
	return path, nil
}

// load loads the page afresh, waits until it is connected and drawn, and
// returns its connection on the server.
func (b *bench) load(t *tab, p page) (*session, error) {
	lctx, cancel := context.WithTimeout(t.ctx, loadTimeout)
	defer cancel()
	if err := chromedp.Do(lctx, chromedp.Navigate(b.base+p.path)); err != nil {
		return nil, fmt.Errorf("load %s: %w", p.path, err)
	}
	// A hidden page gets no animation frames: nothing would be drawn.
	if vis, err := eval[string](lctx, "document.visibilityState"); err != nil || vis != "visible" {
		return nil, fmt.Errorf("the page is not visible (%q, %v): headless Chromium gives it no frames", vis, err)
	}
	sess, err := b.srv.session(lctx, p.who)
	if err != nil {
		return nil, fmt.Errorf("%w; the page says %s", err, t.diagnose(p.diag))
	}
	if err := t.waitFor("the client to connect and draw", p.ready, loadTimeout); err != nil {
		return nil, fmt.Errorf("%w; the page says %s", err, t.diagnose(p.diag))
	}
	return sess, nil
}

// flood loads the page afresh, waits until it is connected and drawn,
// sends the stream and times it until the last bytes are on screen. It
// returns the figures and the client's grid.
func (b *bench) flood(t *tab, p page, s stream) (r runResult, cols, rows int, err error) {
	sess, err := b.load(t, p)
	if err != nil {
		return r, 0, 0, err
	}
	size, err := eval[struct {
		Cols int `json:"cols"`
		Rows int `json:"rows"`
	}](t.ctx, p.obj+".size()")
	if err != nil {
		return r, 0, 0, err
	}
	stats, err := eval[struct {
		FirstFrameMs float64 `json:"firstFrameMs"`
	}](t.ctx, p.obj+".stats()")
	if err != nil {
		return r, 0, 0, err
	}
	r.FirstFrameMs = stats.FirstFrameMs
	r.Bytes = s.total
	if r.SettleMs, err = t.settle(); err != nil {
		return r, 0, 0, err
	}

	profileName := string(p.who) + "-" + s.name
	if strings.HasSuffix(p.path, "?"+automationQuery) {
		profileName += "-automation"
	}
	profiling := b.cfg.Profile != "" && !b.profiled[profileName]
	if profiling {
		b.profiled[profileName] = true
		if err := startProfile(t.ctx); err != nil {
			return r, 0, 0, fmt.Errorf("start the profiler: %w", err)
		}
	}
	if _, err := eval[bool](t.ctx, fmt.Sprintf("(%s)(%q, %d, %d)", watchJS, p.obj, s.total, undrawnWait.Milliseconds())); err != nil {
		return r, 0, 0, fmt.Errorf("start timing: %w", err)
	}
	fctx, cancelFlood := context.WithTimeout(t.ctx, floodTimeout)
	defer cancelFlood()
	type sent struct {
		d   time.Duration
		err error
	}
	done := make(chan sent, 1)
	go func() {
		d, err := sess.flood(fctx, s.chunks)
		done <- sent{d, err}
	}()
	st, waitErr := chromedp.Run(fctx, chromedp.Evaluate[watchState]("window.__benchDone", chromedp.EvalAwaitPromise))
	if waitErr != nil {
		cancelFlood() // the sender may be stuck on a page that stopped reading
	}
	sd := <-done
	if waitErr != nil {
		now, _ := eval[watchState](t.ctx, "window.__bench")
		return r, 0, 0, fmt.Errorf("wait for the flood to be applied and drawn: %w (applied %.0f of %d bytes; server: %v); the page says %s",
			waitErr, now.Bytes, s.total, sd.err, t.diagnose(p.diag))
	}
	if sd.err != nil {
		return r, 0, 0, sd.err
	}
	if profiling {
		top, err := stopProfile(t.ctx, b.cfg.Profile, profileName, 25)
		if err != nil {
			return r, 0, 0, err
		}
		b.logf("%s %s", p.who, top)
	}
	r.SendMs = float64(sd.d) / float64(time.Millisecond)
	if int(st.Bytes) != s.total {
		return r, 0, 0, fmt.Errorf("the client applied %.0f bytes of %d", st.Bytes, s.total)
	}
	r.FloodMs, r.Frames, r.How, r.MaxGapMs = st.TEnd-st.T0, st.Frames, st.How, st.MaxGap
	if r.FloodMs <= 0 {
		return r, 0, 0, fmt.Errorf("flood took %.1f ms: the page's clock is unusable", r.FloodMs)
	}
	// The count says the bytes arrived; the screen says they were shown.
	if err := t.waitFor("the end of the stream on screen",
		fmt.Sprintf("%s.screenText().includes(%q)", p.obj, endMarker), screenWait); err != nil {
		return r, 0, 0, err
	}
	return r, size.Cols, size.Rows, nil
}

// String gives the parts in MB.
func (m memResult) String() string {
	return fmt.Sprintf("%.1f MB (JS heap %.1f, DOM heap %.1f, array buffers %.1f, wasm %.1f)",
		m.Total()/1e6, m.jsHeap/1e6, m.domHeap/1e6, m.buffers/1e6, m.wasm/1e6)
}

// memory measures the page's memory as it is: after a garbage
// collection, Runtime.getHeapUsage's JavaScript heap, Blink's heap and
// the ArrayBuffers' storage (where xterm.js keeps its buffer, in typed
// arrays), and the linear memory of its WebAssembly instances (see
// wasmmem.js; a wasm memory is not in the ArrayBuffers' figure). Go's
// wasm never gives memory back, so its figure is the most the page has
// needed.
func (b *bench) memory(t *tab, p page) (memResult, error) {
	m := memResult{bufferLines: -1}
	heap, err := chromedp.Run(t.ctx, func(ctx context.Context, tg *chromedp.Target) (cdpruntime.GetHeapUsageResult, error) {
		if _, err := cdp.Call(ctx, tg, heapprofiler.CollectGarbage, cdp.Empty{}); err != nil {
			return cdpruntime.GetHeapUsageResult{}, err
		}
		return cdp.Call(ctx, tg, cdpruntime.GetHeapUsage, cdp.Empty{})
	})
	if err != nil {
		return m, fmt.Errorf("heap usage: %w", err)
	}
	m.jsHeap, m.domHeap, m.buffers = heap.UsedSize, heap.EmbedderHeapUsedSize, heap.BackingStorageSize
	if m.wasm, err = eval[float64](t.ctx, "window.__benchWasmBytes()"); err != nil {
		return m, fmt.Errorf("wasm memory: %w", err)
	}
	if p.who == xterm {
		if m.bufferLines, err = eval[int](t.ctx, "xtermbench.bufferLines()"); err != nil {
			return m, err
		}
	}
	return m, nil
}

// Keystroke timing: the least time from one key press to the next (a
// fast typist's pace; the next key waits for the last echo drawn), and
// the bound on one key, pressed to drawn.
const (
	keyGap     = 50 * time.Millisecond
	keyTimeout = 10 * time.Second
)

// keySetup is what the echoing game sends before the keys: the
// alternate screen, cleared, the cursor at home, as a full-screen game
// starts. With the game's echo that puts the Drawbridge client in
// character mode.
const keySetup = "\x1b[?1049h\x1b[2J\x1b[H"

// keystrokes loads the page in a tab of its own, puts it in character
// mode against an echoing game, and times b.cfg.Keys keys from the press
// to the echoed glyph drawn (see keys.js).
func (b *bench) keystrokes(p page) (keyResult, error) {
	var kr keyResult
	t, err := b.chrome.newTab(b.desktop())
	if err != nil {
		return kr, err
	}
	defer t.close()
	sess, err := b.load(t, p)
	if err != nil {
		return kr, err
	}
	if err := sess.startEcho(t.ctx, []byte(keySetup)); err != nil {
		return kr, err
	}
	if err := t.waitFor("character mode", fmt.Sprintf("(%s) && %s.stats().bytes >= %d", p.charMode, p.obj, len(keySetup)), loadTimeout); err != nil {
		return kr, fmt.Errorf("%w; the page says %s", err, t.diagnose(p.diag))
	}
	// As before a flood: a WebGL page's load leaves the GPU busy for a
	// few hundred ms after its first frame, which the first keys' frames
	// would wait for.
	if kr.settleMs, err = t.settle(); err != nil {
		return kr, err
	}
	if _, err := eval[bool](t.ctx, fmt.Sprintf("(%s)(%q)", keystrokeJS, p.obj)); err != nil {
		return kr, fmt.Errorf("start timing: %w", err)
	}
	if _, err := eval[any](t.ctx, p.focus); err != nil {
		return kr, fmt.Errorf("focus: %w", err)
	}
	if b.cfg.Profile != "" {
		if err := startProfile(t.ctx); err != nil {
			return kr, fmt.Errorf("start the profiler: %w", err)
		}
	}
	start := time.Now()
	for i := range b.cfg.Keys {
		ch := keyChars[i%len(keyChars)]
		pressed := time.Now()
		if err := pressKey(t.ctx, ch, input.DispatchKeyEventTypeKeyDown); err != nil {
			return kr, fmt.Errorf("key %d: %w", i+1, err)
		}
		kctx, cancel := context.WithTimeout(t.ctx, keyTimeout)
		k, err := chromedp.Run(kctx, chromedp.Evaluate[struct {
			Ms     float64 `json:"ms"`
			Late   bool    `json:"late"`
			SentMs float64 `json:"sentMs"`
			EchoMs float64 `json:"echoMs"`
			Skip   int     `json:"skipped"`
		}]("__benchKeyDrawn()", chromedp.EvalAwaitPromise))
		cancel()
		if err != nil {
			return kr, fmt.Errorf("key %d (%q): wait for the echo drawn: %w (server echoed %d bytes); the page says %s",
				i+1, ch, err, sess.echoed.Load(), t.diagnose(p.diag))
		}
		if k.Ms < 0 {
			return kr, fmt.Errorf("key %d: drawn %.1f ms before it was pressed: the page's hooks disagree", i+1, -k.Ms)
		}
		kr.ms = append(kr.ms, k.Ms)
		kr.skipped = append(kr.skipped, k.Skip)
		if k.SentMs >= 0 && k.EchoMs >= k.SentMs {
			kr.sentMs = append(kr.sentMs, k.SentMs)
			kr.echoMs = append(kr.echoMs, k.EchoMs)
		}
		if k.Late {
			kr.late++
		}
		if err := pressKey(t.ctx, ch, input.DispatchKeyEventTypeKeyUp); err != nil {
			return kr, fmt.Errorf("key %d: %w", i+1, err)
		}
		time.Sleep(keyGap - time.Since(pressed)) // no pause when the echo took longer
	}
	b.logf("%s: %d keys in %v, from a page settled %.0f ms after it was in character mode", p.who, b.cfg.Keys, time.Since(start).Round(time.Millisecond), kr.settleMs)
	if b.cfg.Profile != "" {
		top, err := stopProfile(t.ctx, b.cfg.Profile, string(p.who)+"-keys", 25)
		if err != nil {
			return kr, err
		}
		b.logf("%s keystrokes %s", p.who, top)
	}
	b.logf("%s keystroke to screen, ms, in order: %.1f; frames skipped: %d; echo received: %.1f", p.who, kr.ms, kr.skipped, kr.echoMs)
	if n := sess.echoed.Load(); n != int64(b.cfg.Keys) {
		return kr, fmt.Errorf("the server echoed %d bytes for %d keys", n, b.cfg.Keys)
	}
	return kr, nil
}

// keyChars are the keys pressed, in turn.
const keyChars = "abcdefghijklmnopqrstuvwxyz"

// pressKey sends a lower-case letter key's keyDown (with its text: the
// page gets keydown, keypress and the text input) or keyUp through CDP.
func pressKey(ctx context.Context, ch byte, typ input.DispatchKeyEventType) error {
	key := string(ch)
	ev := input.DispatchKeyEventParams{Type: typ, Key: key, Code: "Key" + strings.ToUpper(key), WindowsVirtualKeyCode: int64(ch - 'a' + 'A')}
	if typ == input.DispatchKeyEventTypeKeyDown {
		ev.Text, ev.UnmodifiedText = key, key
	}
	return chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, ev)
		return err
	}))
}

// idle measures the CPU of every browser process while the page shows
// the end of the flood and nothing arrives. The benchmark does not talk
// to the browser meanwhile.
func (b *bench) idle(ctx context.Context, res *clientResult) error {
	if err := sleep(ctx, settleTime); err != nil {
		return err
	}
	before, err := treeCPU(b.chrome.pid)
	if err != nil {
		return fmt.Errorf("idle CPU: %w", err)
	}
	start := time.Now()
	if err := sleep(ctx, b.cfg.Idle); err != nil {
		return err
	}
	after, err := treeCPU(b.chrome.pid)
	if err != nil {
		return fmt.Errorf("idle CPU: %w", err)
	}
	res.idleWall = time.Since(start)
	res.idleCPU = cpuSince(before, after)
	res.idleProcs = len(after)
	res.idleKinds = formatByKind(cpuByKind(before, after), res.idleWall)
	return nil
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
