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
		lctx, cancel := context.WithTimeout(t.ctx, loadTimeout)
		err := chromedp.Do(lctx, chromedp.Navigate(b.base+path))
		cancel()
		if err != nil {
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
	if b.cfg.Profile != "" {
		if err := startProfile(t.ctx); err != nil {
			return nil, fmt.Errorf("start the profiler: %w", err)
		}
		if err := sleep(ctx, idleProfileTime); err != nil {
			return nil, err
		}
		top, err := stopProfile(t.ctx, b.cfg.Profile, name+"-idle", 15)
		if err != nil {
			return nil, err
		}
		b.logf("%s Ebitengine page, idle, %s", name, top)
	}
	return res, nil
}
