package main

import (
	"context"
	_ "embed"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

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
)

// page describes one client's page to the benchmark.
type page struct {
	who   client
	path  string // the page's path and query on the bench server
	obj   string // its global object with stats(), size() and screenText()
	ready string // a JavaScript condition: connected, first frame drawn
	diag  string // a JavaScript expression that says what the page is at, for errors
}

// drawbridgePage is the Drawbridge client's page, www/play.html.
func drawbridgePage() page {
	return page{
		who:   drawbridge,
		path:  "/play.html",
		obj:   "drawbridge",
		ready: `window.drawbridge && drawbridge.status().state === "connected" && drawbridge.stats().frames > 0`,
		diag:  `JSON.stringify({status: document.getElementById("status").textContent, stats: window.drawbridge && drawbridge.stats()})`,
	}
}

// xtermPage is the xterm.js page, with the grid of the Drawbridge client
// (measured first) so that both draw as many cells.
func xtermPage(cols, rows int) page {
	q := url.Values{"cols": {strconv.Itoa(cols)}, "rows": {strconv.Itoa(rows)}}
	return page{
		who:   xterm,
		path:  "/bench/xterm.html?" + q.Encode(),
		obj:   "xtermbench",
		ready: `window.xtermbench && xtermbench.ready()`,
		diag:  `JSON.stringify({closed: window.xtermbench && xtermbench.closed(), stats: window.xtermbench && xtermbench.stats()})`,
	}
}

// runResult is one flood's figures.
type runResult struct {
	FirstFrameMs float64 // performance.now() at the first frame after load
	FloodMs      float64 // first message to the last bytes applied and drawn
	Frames       int     // frames drawn during the flood
	MaxGapMs     float64 // the longest wait for a frame during the flood
	SendMs       float64 // how long the server took to write every message
	How          string  // how the end was seen (see watch.js)
}

// MBps is the ingest rate in MB (10^6 bytes) per second.
func (r runResult) MBps(total int) float64 { return float64(total) / 1e6 / (r.FloodMs / 1000) }

// FPS is the frames drawn per second of flood.
func (r runResult) FPS() float64 { return float64(r.Frames) / (r.FloodMs / 1000) }

// clientResult is everything measured of one client.
type clientResult struct {
	who        client
	cols, rows int
	runs       []runResult
	idleCPU    time.Duration // CPU of the browser's processes while idle
	idleWall   time.Duration
	idleProcs  int // processes in the browser's tree at the end
	screenshot string
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

// bench holds what every measurement shares.
type bench struct {
	cfg    config
	chrome *chrome
	srv    *server
	base   string   // the bench server's URL
	chunks [][]byte // the stream, as sent
	total  int      // its length
	logf   func(format string, args ...any)
}

// measure runs the floods of one client in a tab of its own, takes the
// screenshot after the last, then measures the idle CPU with only that
// tab (and the blank first one) open.
func (b *bench) measure(ctx context.Context, p page) (*clientResult, error) {
	t, err := b.chrome.newTab(int64(b.cfg.Width), int64(b.cfg.Height))
	if err != nil {
		return nil, err
	}
	defer t.close()
	res := &clientResult{who: p.who}
	for i := 1; i <= b.cfg.Reps; i++ {
		r, err := b.flood(t, p, res)
		if err != nil {
			return nil, fmt.Errorf("%s, run %d: %w\npage console:\n%s", p.who, i, err, t.console)
		}
		b.logf("%s run %d: first frame %.0f ms, %.2f MB/s, %.1f frames/s (%d frames in %.0f ms, longest wait %.0f ms, end: %s), server wrote it in %.0f ms",
			p.who, i, r.FirstFrameMs, r.MBps(b.total), r.FPS(), r.Frames, r.FloodMs, r.MaxGapMs, r.How, r.SendMs)
		if stats, err := chromedp.Run(t.ctx, chromedp.Evaluate[string]("JSON.stringify("+p.obj+".stats())")); err == nil {
			b.logf("%s run %d: the page's own counters after the flood: %s", p.who, i, stats)
		}
		res.runs = append(res.runs, r)
	}
	shot, err := chromedp.Run(t.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return nil, fmt.Errorf("%s: screenshot: %w", p.who, err)
	}
	res.screenshot = filepath.Join(b.cfg.Out, "bench-"+map[client]string{drawbridge: "drawbridge", xterm: "xterm"}[p.who]+".png")
	if err := os.MkdirAll(b.cfg.Out, 0o755); err != nil {
		return nil, fmt.Errorf("screenshot: %w", err)
	}
	if err := os.WriteFile(res.screenshot, shot, 0o644); err != nil {
		return nil, fmt.Errorf("screenshot: %w", err)
	}
	if err := b.idle(ctx, res); err != nil {
		return nil, fmt.Errorf("%s: %w", p.who, err)
	}
	b.logf("%s idle: %.1f%% of a core over %d browser processes", p.who, res.IdlePercent(), res.idleProcs)
	return res, nil
}

// flood loads the page afresh, waits until it is connected and drawn,
// sends the stream and times it until the last bytes are on screen.
func (b *bench) flood(t *tab, p page, res *clientResult) (runResult, error) {
	var r runResult
	lctx, cancel := context.WithTimeout(t.ctx, loadTimeout)
	defer cancel()
	if err := chromedp.Do(lctx, chromedp.Navigate(b.base+p.path)); err != nil {
		return r, fmt.Errorf("load %s: %w", p.path, err)
	}
	// A hidden page gets no animation frames: nothing would be drawn.
	if vis, err := eval[string](lctx, "document.visibilityState"); err != nil || vis != "visible" {
		return r, fmt.Errorf("the page is not visible (%q, %v): headless Chromium gives it no frames", vis, err)
	}
	sess, err := b.srv.session(lctx, p.who)
	if err != nil {
		return r, fmt.Errorf("%w; the page says %s", err, t.diagnose(p.diag))
	}
	if err := t.waitFor("the client to connect and draw", p.ready, loadTimeout); err != nil {
		return r, fmt.Errorf("%w; the page says %s", err, t.diagnose(p.diag))
	}
	size, err := eval[struct {
		Cols int `json:"cols"`
		Rows int `json:"rows"`
	}](t.ctx, p.obj+".size()")
	if err != nil {
		return r, err
	}
	res.cols, res.rows = size.Cols, size.Rows
	stats, err := eval[struct {
		FirstFrameMs float64 `json:"firstFrameMs"`
	}](t.ctx, p.obj+".stats()")
	if err != nil {
		return r, err
	}
	r.FirstFrameMs = stats.FirstFrameMs

	profiling := b.cfg.Profile != "" && len(res.runs) == 0
	if profiling {
		if err := startProfile(t.ctx); err != nil {
			return r, fmt.Errorf("start the profiler: %w", err)
		}
	}
	if _, err := eval[bool](t.ctx, fmt.Sprintf("(%s)(%q, %d)", watchJS, p.obj, b.total)); err != nil {
		return r, fmt.Errorf("start timing: %w", err)
	}
	fctx, cancelFlood := context.WithTimeout(t.ctx, floodTimeout)
	defer cancelFlood()
	type sent struct {
		d   time.Duration
		err error
	}
	done := make(chan sent, 1)
	go func() {
		d, err := sess.flood(fctx, b.chunks)
		done <- sent{d, err}
	}()
	st, waitErr := chromedp.Run(fctx, chromedp.Evaluate[watchState]("window.__benchDone", chromedp.EvalAwaitPromise))
	if waitErr != nil {
		cancelFlood() // the sender may be stuck on a page that stopped reading
	}
	s := <-done
	if waitErr != nil {
		now, _ := eval[watchState](t.ctx, "window.__bench")
		return r, fmt.Errorf("wait for the flood to be applied and drawn: %w (applied %.0f of %d bytes; server: %v); the page says %s",
			waitErr, now.Bytes, b.total, s.err, t.diagnose(p.diag))
	}
	if s.err != nil {
		return r, s.err
	}
	if profiling {
		top, err := stopProfile(t.ctx, b.cfg.Profile, string(p.who), 25)
		if err != nil {
			return r, err
		}
		b.logf("%s %s", p.who, top)
	}
	r.SendMs = float64(s.d) / float64(time.Millisecond)
	if int(st.Bytes) != b.total {
		return r, fmt.Errorf("the client applied %.0f bytes of %d", st.Bytes, b.total)
	}
	r.FloodMs, r.Frames, r.How, r.MaxGapMs = st.TEnd-st.T0, st.Frames, st.How, st.MaxGap
	if r.FloodMs <= 0 {
		return r, fmt.Errorf("flood took %.1f ms: the page's clock is unusable", r.FloodMs)
	}
	// The count says the bytes arrived; the screen says they were shown.
	if err := t.waitFor("the end of the stream on screen",
		fmt.Sprintf("%s.screenText().includes(%q)", p.obj, endMarker), screenWait); err != nil {
		return r, err
	}
	return r, nil
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
