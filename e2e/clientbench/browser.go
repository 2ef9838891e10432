package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/drawbridge/drawbridge/e2e/headless"
)

// chrome is one headless Chromium.
type chrome struct {
	ctx     context.Context // the browser's first tab, which stays blank
	stop    func()
	pid     int
	version string
	// setupJS runs in every page of every tab before its own scripts,
	// after wasmmem.js (see automationJS).
	setupJS string
}

// startChromium starts headless Chromium with the flags that let it draw
// Ebitengine's WebGL on SwiftShader (the CPU), as the e2e tests run it
// (e2e/headless), with a fresh profile in dir.
func startChromium(path, dir string) (*chrome, error) {
	opts := headless.Options(path, dir)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	stop := sync.OnceFunc(func() {
		// Close the browser gracefully, but not forever; cancelling the
		// allocator then kills whatever is left.
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = chromedp.Cancel(tctx)
		cancelCtx()
		cancelAlloc()
	})
	// The first Run starts the browser and its first tab.
	v, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) (browser.GetVersionResult, error) {
		return cdp.Call(ctx, t, browser.GetVersion, cdp.Empty{})
	})
	if err != nil {
		stop()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	proc := chromedp.FromContext(ctx).Browser.Process()
	if proc == nil {
		stop()
		return nil, errors.New("start chromium: no browser process to measure")
	}
	c := &chrome{ctx: ctx, stop: stop, pid: proc.Pid}
	c.version = v.Product
	return c, nil
}

// tab is one page of the browser, with what it printed.
type tab struct {
	ctx     context.Context
	close   func()
	console *headless.Console
}

// wasmMemJS runs in every page before its own scripts (see the file).
//
//go:embed page/wasmmem.js
var wasmMemJS string

// newTab opens a tab with the viewport v (Emulation.setDeviceMetricsOverride:
// --window-size would include the browser's chrome), the cache off, and
// wasmmem.js to run in every page it loads.
func (c *chrome) newTab(v viewport) (*tab, error) {
	ctx, cancel := chromedp.NewContext(c.ctx)
	t := &tab{ctx: ctx, close: cancel, console: &headless.Console{}}
	t.console.Follow(ctx)
	err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := cdp.Call(ctx, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
				Width: v.width, Height: v.height, DeviceScaleFactor: v.scale, Mobile: v.mobile,
			}); err != nil {
				return fmt.Errorf("viewport %s: %w", v, err)
			}
			if _, err := cdp.Call(ctx, tg, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: wasmMemJS}); err != nil {
				return fmt.Errorf("add wasmmem.js: %w", err)
			}
			if c.setupJS != "" {
				if _, err := cdp.Call(ctx, tg, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: c.setupJS}); err != nil {
					return fmt.Errorf("add the setup script: %w", err)
				}
			}
			if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, tg, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
			return err
		}),
	)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("open a tab: %w", err)
	}
	return t, nil
}

// navigate loads url in the tab, within loadTimeout.
func (t *tab) navigate(url string) error {
	ctx, cancel := context.WithTimeout(t.ctx, loadTimeout)
	defer cancel()
	return chromedp.Do(ctx, chromedp.Navigate(url))
}

// eval evaluates a JavaScript expression in the tab of ctx.
func eval[T any](ctx context.Context, expr string) (T, error) {
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		var zero T
		return zero, fmt.Errorf("evaluate %.60q: %w", expr, err)
	}
	return v, nil
}

// waitFor polls a JavaScript condition until it is true or the timeout
// passes. An evaluation that throws counts as not yet.
func (t *tab) waitFor(what, cond string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(t.ctx, timeout)
	defer cancel()
	expr := `(() => { try { return Boolean(` + cond + `); } catch { return false; } })()`
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return nil
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			if last != nil {
				return fmt.Errorf("wait for %s: timed out after %v (last error: %v)", what, timeout, last)
			}
			return fmt.Errorf("wait for %s: timed out after %v", what, timeout)
		case <-tick.C:
		}
	}
}

// diagnose evaluates expr for an error message, briefly: a page whose
// main thread is stuck does not answer.
func (t *tab) diagnose(expr string) string {
	ctx, cancel := context.WithTimeout(t.ctx, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		return fmt.Sprintf("nothing (%v)", err)
	}
	return v
}

// clockTicks is USER_HZ, the unit of the CPU times in /proc/<pid>/stat;
// it is 100 on every Linux architecture.
const clockTicks = 100

// treeCPU returns the user+system CPU time of every process in the tree
// under root (root included), by pid: the browser, its renderers, its GPU
// and utility processes.
func treeCPU(root int) (map[int]time.Duration, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	type proc struct {
		ppid int
		cpu  time.Duration
	}
	procs := make(map[int]proc)
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // it ended meanwhile
		}
		ppid, cpu, err := parseStat(string(b))
		if err != nil {
			return nil, fmt.Errorf("process %d: %w", pid, err)
		}
		procs[pid] = proc{ppid, cpu}
	}
	if _, ok := procs[root]; !ok {
		return nil, fmt.Errorf("process %d is gone", root)
	}
	out := make(map[int]time.Duration)
	for pid, p := range procs {
		// Walk up to the root; the depth is small.
		for q, hops := pid, 0; hops < 64; hops++ {
			if q == root {
				out[pid] = p.cpu
				break
			}
			parent, ok := procs[q]
			if !ok || parent.ppid == q {
				break
			}
			q = parent.ppid
		}
	}
	return out, nil
}

// parseStat reads the parent pid and utime+stime from a /proc/<pid>/stat
// line. The command name, in parentheses, may hold spaces and
// parentheses, so fields are counted from the last ')'.
func parseStat(line string) (ppid int, cpu time.Duration, err error) {
	i := strings.LastIndexByte(line, ')')
	if i < 0 || i+2 > len(line) {
		return 0, 0, errors.New("malformed stat line")
	}
	f := strings.Fields(line[i+1:])
	// f[0] is the state, f[1] the ppid, f[11] utime, f[12] stime.
	if len(f) < 13 {
		return 0, 0, errors.New("stat line too short")
	}
	ppid, err = strconv.Atoi(f[1])
	if err != nil {
		return 0, 0, fmt.Errorf("stat ppid: %w", err)
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("stat cpu time: %w", err)
		}
		ticks += n
	}
	return ppid, time.Duration(ticks) * time.Second / clockTicks, nil
}

// processKind returns a Chromium process's kind, from the --type flag
// on its command line ("renderer", "gpu-process", "utility", ...), or
// "browser" for the one without it.
func processKind(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return "gone"
	}
	return kindFromCmdline(string(b))
}

// kindFromCmdline finds the --type flag in a /proc/<pid>/cmdline.
// Chromium rewrites its children's titles (setproctitle), which joins
// the arguments with spaces instead of NULs: both are separators.
func kindFromCmdline(cmdline string) string {
	for _, arg := range strings.FieldsFunc(cmdline, func(r rune) bool { return r == 0 || r == ' ' }) {
		if kind, ok := strings.CutPrefix(arg, "--type="); ok {
			return kind
		}
	}
	return "browser"
}

// cpuByKind is cpuSince by process kind (processKind).
func cpuByKind(before, after map[int]time.Duration) map[string]time.Duration {
	out := map[string]time.Duration{}
	for pid, t := range after {
		out[processKind(pid)] += cpuOf(before, pid, t)
	}
	return out
}

// formatByKind formats CPU by kind as percentages of one core over wall,
// the largest first: "gpu-process 0.8%, renderer 0.4%, ...".
func formatByKind(by map[string]time.Duration, wall time.Duration) string {
	kinds := make([]string, 0, len(by))
	for k := range by {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool {
		if by[kinds[i]] != by[kinds[j]] {
			return by[kinds[i]] > by[kinds[j]]
		}
		return kinds[i] < kinds[j]
	})
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s %.1f%%", k, 100*by[k].Seconds()/wall.Seconds())
	}
	return strings.Join(parts, ", ")
}

// cpuSince sums the CPU used by the tree since before: processes that
// started meanwhile count from zero.
func cpuSince(before, after map[int]time.Duration) time.Duration {
	var d time.Duration
	for pid, t := range after {
		d += cpuOf(before, pid, t)
	}
	return d
}

// cpuOf is the CPU process pid used since before, t being its total now.
func cpuOf(before map[int]time.Duration, pid int, t time.Duration) time.Duration {
	if b, ok := before[pid]; ok && b <= t {
		return t - b
	}
	return t // a new process, or a pid reused by one
}
