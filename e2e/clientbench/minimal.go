package main

import (
	"context"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"
)

// minimalResult is what the minimal Ebitengine page (minimal/) costs.
type minimalResult struct {
	firstFrameMs []float64 // per load
	mem          memResult
	idleCPU      time.Duration
	idleWall     time.Duration
	idleProcs    int
}

// IdlePercent is the idle CPU as a percentage of one core.
func (m *minimalResult) IdlePercent() float64 {
	return 100 * m.idleCPU.Seconds() / m.idleWall.Seconds()
}

// minimalPath is the minimal page on the bench server.
const minimalPath = "/bench/minimal.html"

// measureMinimal loads the minimal Ebitengine page b.cfg.Reps times at
// the configured viewport for its first frame, then measures its memory
// and its idle CPU as the clients' are measured.
func (b *bench) measureMinimal(ctx context.Context) (*minimalResult, error) {
	t, err := b.chrome.newTab(b.desktop())
	if err != nil {
		return nil, err
	}
	defer t.close()
	res := &minimalResult{}
	for i := 1; i <= b.cfg.Reps; i++ {
		lctx, cancel := context.WithTimeout(t.ctx, loadTimeout)
		err := chromedp.Do(lctx, chromedp.Navigate(b.base+minimalPath))
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
		b.logf("minimal Ebitengine page run %d: first frame %.0f ms", i, ms)
		res.firstFrameMs = append(res.firstFrameMs, ms)
	}
	if res.mem, err = b.memory(t, page{who: "minimal"}); err != nil {
		return nil, fmt.Errorf("minimal Ebitengine page: %w", err)
	}
	cr := &clientResult{}
	if err := b.idle(ctx, cr); err != nil {
		return nil, fmt.Errorf("minimal Ebitengine page: %w", err)
	}
	res.idleCPU, res.idleWall, res.idleProcs = cr.idleCPU, cr.idleWall, cr.idleProcs
	b.logf("minimal Ebitengine page idle: %.1f%% of a core; memory: %s", res.IdlePercent(), res.mem)
	return res, nil
}
