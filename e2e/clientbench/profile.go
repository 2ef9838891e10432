package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"
)

// startProfile starts the page's JavaScript and WebAssembly sampling
// profiler (what DevTools' Performance panel samples).
func startProfile(ctx context.Context) error {
	return chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, profiler.Enable, cdp.Empty{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, t, profiler.SetSamplingInterval, profiler.SetSamplingIntervalParams{Interval: 200}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, profiler.Start, cdp.Empty{})
		return err
	}))
}

// stopProfile stops the profiler, writes the profile to dir/name
// (.cpuprofile, which DevTools opens) and returns the functions with the
// most self time, one a line.
func stopProfile(ctx context.Context, dir, name string, top int) (string, error) {
	res, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) (profiler.StopResult, error) {
		return cdp.Call(ctx, t, profiler.Stop, cdp.Empty{})
	})
	if err != nil {
		return "", fmt.Errorf("stop the profiler: %w", err)
	}
	p := res.Profile
	if p == nil {
		return "", fmt.Errorf("stop the profiler: no profile")
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, name+".cpuprofile")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return "", err
	}
	return fmt.Sprintf("profile %s (%.0f ms):\n%s", path, (p.EndTime-p.StartTime)/1000, topSelf(p, top)), nil
}

// topSelf sums each function's self time over the samples.
func topSelf(p *profiler.Profile, top int) string {
	names := make(map[int64]string, len(p.Nodes))
	for _, n := range p.Nodes {
		name := n.CallFrame.FunctionName
		if name == "" {
			name = "(anonymous " + filepath.Base(n.CallFrame.URL) + ")"
		}
		names[n.ID] = name
	}
	self := map[string]float64{}
	var total float64
	for i, id := range p.Samples {
		if i+1 >= len(p.TimeDeltas) {
			break
		}
		d := float64(p.TimeDeltas[i+1]) / 1000 // the time until the next sample, ms
		self[names[id]] += d
		total += d
	}
	type fn struct {
		name string
		ms   float64
	}
	var fns []fn
	for n, ms := range self {
		fns = append(fns, fn{n, ms})
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].ms > fns[j].ms })
	var b strings.Builder
	for i, f := range fns {
		if i == top {
			break
		}
		fmt.Fprintf(&b, "  %7.1f ms %5.1f%%  %s\n", f.ms, 100*f.ms/total, f.name)
	}
	return b.String()
}
