package main

import (
	"context"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"
)

// minimalResult is what the minimal Ebitengine page (minimal/) costs,
// behind the client's loader.js or without it.
type minimalResult struct {
	gated        bool      // behind loader.js's frame gate
	firstFrameMs []float64 // per load
	mem          memResult
	idleCPU      time.Duration
	idleWall     time.Duration
	idleProcs    int
	idleKinds    string
}

// IdlePercent is the idle CPU as a percentage of one core.
func (m *minimalResult) IdlePercent() float64 {
	return 100 * m.idleCPU.Seconds() / m.idleWall.Seconds()
}

// The minimal page on the bench server, behind the client's loader.js
// and without it.
// idleProfileTime is how long -profile profiles an idle minimal page.
const idleProfileTime = 5 * time.Second

const (
	minimalPath      = "/bench/minimal.html"
	minimalPlainPath = "/bench/minimal-plain.html"
	webglPath        = "/bench/webgl.html"
)

// measureMinimal loads the minimal Ebitengine page loads times at the
// configured viewport for its first frame, then measures its memory and
// its idle CPU as the clients' are measured. gated puts it behind the
// client's loader.js, else it starts without (minimal-plain.html). With
// -profile, it then profiles the idle page for a few seconds and prints
// where the time went.
func (b *bench) measureMinimal(ctx context.Context, gated bool, loads int) (*minimalResult, error) {
	t, err := b.chrome.newTab(b.desktop())
	if err != nil {
		return nil, err
	}
	defer t.close()
	res := &minimalResult{gated: gated}
	path, name := minimalPath, "minimal"
	if !gated {
		path, name = minimalPlainPath, "minimal-plain"
	}
	for i := 1; i <= loads; i++ {
		if err := t.navigate(b.base + path); err != nil {
			return nil, fmt.Errorf("minimal Ebitengine page: %w", err)
		}
		if err := t.waitFor("the minimal page's first frame", `window.minimal && minimal.stats().frames > 0`, loadTimeout); err != nil {
			return nil, fmt.Errorf("minimal Ebitengine page: %w\npage console:\n%s", err, t.console)
		}
		ms, err := eval[float64](t.ctx, "minimal.stats().firstFrameMs")
		if err != nil {
			return nil, err
		}
		b.logf("%s Ebitengine page run %d: first frame %.0f ms", name, i, ms)
		res.firstFrameMs = append(res.firstFrameMs, ms)
	}
	if res.mem, err = b.memory(t, page{who: "minimal"}); err != nil {
		return nil, fmt.Errorf("minimal Ebitengine page: %w", err)
	}
	cr := &clientResult{}
	if err := b.idle(ctx, cr); err != nil {
		return nil, fmt.Errorf("minimal Ebitengine page: %w", err)
	}
	res.idleCPU, res.idleWall, res.idleProcs, res.idleKinds = cr.idleCPU, cr.idleWall, cr.idleProcs, cr.idleKinds
	b.logf("%s Ebitengine page idle: %.1f%% of a core (%s); memory: %s", name, res.IdlePercent(), res.idleKinds, res.mem)
	if err := b.profileIdle(ctx, t, name); err != nil {
		return nil, err
	}
	return res, nil
}

// profileIdle profiles the idle page in t (the client or minimal page
// name) for idleProfileTime, with -profile, as NAME-idle: after the idle
// measurement, since the profiler's own work would count in it.
func (b *bench) profileIdle(ctx context.Context, t *tab, name string) error {
	if b.cfg.Profile == "" {
		return nil
	}
	if err := startProfile(t.ctx); err != nil {
		return fmt.Errorf("start the profiler: %w", err)
	}
	if err := sleep(ctx, idleProfileTime); err != nil {
		return err
	}
	top, err := stopProfile(t.ctx, b.cfg.Profile, name+"-idle", 15)
	if err != nil {
		return err
	}
	b.logf("%s page idle, %s", name, top)
	return nil
}

// repaintTime is how long each run of full repaints lasts.
const repaintTime = 3 * time.Second

// ceilingResult is what the minimal page reaches when it draws a fresh
// screen of text on every frame at one viewport and grid: the most frames
// per second an Ebitengine page draws there in this browser, with nothing
// else to do.
type ceilingResult struct {
	vp         viewport
	cols, rows int
	fps        []float64 // per run
	maxGap     []float64 // the longest wait for a frame, ms, per run
	// webgl is WebGL alone (page/webgl.js) at the same viewport:
	// frames/s per run, by full-screen passes per frame.
	webgl map[int][]float64
}

// webglPasses are the full-screen passes per frame WebGL alone is
// measured with: one, as a terminal drawing straight into the canvas
// would need, and two, as Ebitengine does (the game's screen drawn
// offscreen, then copied onto the canvas).
var webglPasses = []int{1, 2}

// measureCeiling loads the minimal page (behind loader.js) at viewport vp
// and has it draw a fresh screen of text in a cols x rows grid on every
// frame for repaintTime, runs times, each on a fresh load; then WebGL
// alone at the same viewport, runs times with each of webglPasses.
func (b *bench) measureCeiling(ctx context.Context, vp viewport, cols, rows, runs int) (*ceilingResult, error) {
	t, err := b.chrome.newTab(vp)
	if err != nil {
		return nil, err
	}
	defer t.close()
	res := &ceilingResult{vp: vp, cols: cols, rows: rows}
	for i := 1; i <= runs; i++ {
		if err := t.navigate(b.base + minimalPath); err != nil {
			return nil, fmt.Errorf("minimal Ebitengine page at %s: %w", vp, err)
		}
		if err := t.waitFor("the minimal page's first frame", `window.minimal && minimal.stats().frames > 0`, loadTimeout); err != nil {
			return nil, fmt.Errorf("minimal Ebitengine page at %s: %w\npage console:\n%s", vp, err, t.console)
		}
		if _, err := eval[any](t.ctx, fmt.Sprintf("minimal.repaint(%d, %d, %d)", repaintTime.Milliseconds(), cols, rows)); err != nil {
			return nil, err
		}
		if err := sleep(ctx, repaintTime+250*time.Millisecond); err != nil {
			return nil, err
		}
		st, err := eval[struct {
			Frames int     `json:"repaintFrames"`
			Ms     float64 `json:"repaintMs"`
			MaxGap float64 `json:"repaintMaxGapMs"`
		}](t.ctx, "minimal.stats()")
		if err != nil {
			return nil, err
		}
		if st.Frames < 2 || st.Ms <= 0 {
			return nil, fmt.Errorf("minimal Ebitengine page at %s drew %d frames in a %.0f ms repaint: it never repainted", vp, st.Frames, st.Ms)
		}
		fps := float64(st.Frames) / (st.Ms / 1000)
		b.logf("minimal Ebitengine page at %s, a fresh %dx%d screen of text every frame, run %d: %.1f frames/s (%d frames in %.0f ms), longest wait %.0f ms", vp, cols, rows, i, fps, st.Frames, st.Ms, st.MaxGap)
		res.fps = append(res.fps, fps)
		res.maxGap = append(res.maxGap, st.MaxGap)
	}
	res.webgl = map[int][]float64{}
	for i := 1; i <= runs; i++ {
		if err := t.navigate(b.base + webglPath); err != nil {
			return nil, fmt.Errorf("WebGL page at %s: %w", vp, err)
		}
		for _, passes := range webglPasses {
			st, err := chromedp.Run(t.ctx, chromedp.Evaluate[struct {
				Frames int     `json:"frames"`
				Ms     float64 `json:"ms"`
				MaxGap float64 `json:"maxGapMs"`
				Width  int     `json:"width"`
				Height int     `json:"height"`
			}](fmt.Sprintf("webgl.run(%d, %d)", repaintTime.Milliseconds(), passes), chromedp.EvalAwaitPromise))
			if err != nil {
				return nil, fmt.Errorf("WebGL page at %s: %w\npage console:\n%s", vp, err, t.console)
			}
			if st.Frames < 2 || st.Ms <= 0 {
				return nil, fmt.Errorf("WebGL page at %s drew %d frames in %.0f ms", vp, st.Frames, st.Ms)
			}
			fps := float64(st.Frames-1) / (st.Ms / 1000)
			b.logf("WebGL alone at %s (%dx%d px), %d full-screen passes a frame, run %d: %.1f frames/s, longest wait %.0f ms", vp, st.Width, st.Height, passes, i, fps, st.MaxGap)
			res.webgl[passes] = append(res.webgl[passes], fps)
		}
	}
	return res, nil
}
