package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// download is the size of what a browser fetches for a client.
type download struct {
	files  []string // what was measured, relative to its directory
	raw    int64
	gzip   int64
	gzNote string // where the gzip size comes from
	brotli int64  // -1 without .br files
}

// measureDownload sums the sizes of files under dir. A file's gzip size
// is its .gz twin's when there is one (what the gateway serves), else
// what gzip -9 makes of it here; its brotli size is its .br twin's, and
// unknown without one (the standard library has no brotli).
func measureDownload(dir string, files []string) (download, error) {
	d := download{files: files}
	var computed, twins, br int
	for _, name := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		body, err := os.ReadFile(p)
		if err != nil {
			return d, fmt.Errorf("measure the download: %w", err)
		}
		d.raw += int64(len(body))
		if st, err := os.Stat(p + ".gz"); err == nil {
			d.gzip += st.Size()
			twins++
		} else {
			n, err := gzipSize(body)
			if err != nil {
				return d, fmt.Errorf("gzip %s: %w", name, err)
			}
			d.gzip += n
			computed++
		}
		if st, err := os.Stat(p + ".br"); err == nil {
			d.brotli += st.Size()
			br++
		} else if !errors.Is(err, fs.ErrNotExist) {
			return d, fmt.Errorf("measure the download: %w", err)
		}
	}
	switch {
	case computed == 0:
		d.gzNote = "the .gz served"
	case twins == 0:
		d.gzNote = "gzip -9 here"
	default:
		d.gzNote = "the .gz served, else gzip -9 here"
	}
	if br != len(files) {
		d.brotli = -1
	}
	return d, nil
}

func gzipSize(body []byte) (int64, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return 0, err
	}
	if _, err := zw.Write(body); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return int64(buf.Len()), nil
}

// report is everything the table needs.
type report struct {
	cfg        config
	command    string
	chromium   string
	started    time.Time
	loadAvg    string // at the start
	loadAvgEnd string
	streamLen  int
	messages   int
	xtermVer   string
	ours, them *clientResult
	oursDL     download
	themDL     download
	wasmLoads  int    // how many times the page fetched the wasm: once per run when the cache is off
	wasmCoding string // the Content-Encoding it travelled in
}

// median returns the median of xs, which must not be empty.
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// stat is a metric over a client's runs.
type stat struct{ med, lo, hi float64 }

func statOf(runs []runResult, f func(runResult) float64) stat {
	xs := make([]float64, len(runs))
	for i, r := range runs {
		xs[i] = f(r)
	}
	return stat{median(xs), slices.Min(xs), slices.Max(xs)}
}

func (s stat) format(prec int) string {
	if s.lo == s.hi {
		return fmt.Sprintf("%.*f", prec, s.med)
	}
	return fmt.Sprintf("%.*f (%.*f–%.*f)", prec, s.med, prec, s.lo, prec, s.hi)
}

// write prints the report as markdown.
func (r *report) write(w io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	ingest := func(c *clientResult) stat {
		return statOf(c.runs, func(x runResult) float64 { return x.MBps(r.streamLen) })
	}
	fps := func(c *clientResult) stat { return statOf(c.runs, runResult.FPS) }
	flood := func(c *clientResult) stat { return statOf(c.runs, func(x runResult) float64 { return x.FloodMs }) }
	gap := func(c *clientResult) stat { return statOf(c.runs, func(x runResult) float64 { return x.MaxGapMs }) }
	first := func(c *clientResult) stat { return statOf(c.runs, func(x runResult) float64 { return x.FirstFrameMs }) }
	ratio := func(a, b float64) string {
		if b == 0 {
			return "–"
		}
		return fmt.Sprintf("%.2fx", a/b)
	}

	p("## Drawbridge web client against xterm.js, %s", r.started.Format("2006-01-02 15:04 MST"))
	p("")
	p("- machine: %d CPUs (%s), load average %s at the start and %s at the end (other work on the machine skews every figure); %s/%s; %s", runtime.NumCPU(), cpuModel(), r.loadAvg, r.loadAvgEnd, runtime.GOOS, runtime.GOARCH, runtime.Version())
	p("- browser: %s, headless, WebGL on SwiftShader (CPU), viewport %dx%d CSS px at device scale 1, HTTP cache off (every load fetches and compiles the client afresh; wasm fetches: %d, content coding: %s)",
		r.chromium, r.cfg.Width, r.cfg.Height, r.wasmLoads, r.wasmCoding)
	p("- stream: %d bytes of coloured MUD output (seed %d) in %d WebSocket messages of at most %d bytes, written as fast as the socket takes them; the same messages to both clients",
		r.streamLen, r.cfg.Seed, r.messages, r.cfg.Chunk)
	p("- %d runs per client, each on a freshly loaded page; median (min–max); MB = 10^6 bytes", r.cfg.Reps)
	p("- command: `%s`", r.command)
	p("")
	p("| | Drawbridge (Go/wasm, Ebitengine) | xterm.js %s (DOM renderer) | Drawbridge / xterm.js |", r.xtermVer)
	p("|---|---:|---:|---:|")
	p("| grid, cols x rows | %dx%d | %dx%d | |", r.ours.cols, r.ours.rows, r.them.cols, r.them.rows)
	p("| ingest, MB/s | %s | %s | %s |", ingest(r.ours).format(2), ingest(r.them).format(2), ratio(ingest(r.ours).med, ingest(r.them).med))
	p("| frames/s during the flood | %s | %s | %s |", fps(r.ours).format(1), fps(r.them).format(1), ratio(fps(r.ours).med, fps(r.them).med))
	p("| longest wait for a frame during the flood, ms | %s | %s | %s |", gap(r.ours).format(0), gap(r.them).format(0), ratio(gap(r.ours).med, gap(r.them).med))
	p("| flood, first message to last bytes drawn, ms | %s | %s | %s |", flood(r.ours).format(0), flood(r.them).format(0), ratio(flood(r.ours).med, flood(r.them).med))
	p("| first frame after page load, ms | %s | %s | %s |", first(r.ours).format(0), first(r.them).format(0), ratio(first(r.ours).med, first(r.them).med))
	p("| idle CPU, %% of one core (%v, all Chromium processes) | %.1f | %.1f | %s |", r.cfg.Idle, r.ours.IdlePercent(), r.them.IdlePercent(), ratio(r.ours.IdlePercent(), r.them.IdlePercent()))
	p("| download, raw | %s | %s | %s |", mb(r.oursDL.raw), mb(r.themDL.raw), ratio(float64(r.oursDL.raw), float64(r.themDL.raw)))
	p("| download, gzip | %s (%s) | %s (%s) | %s |", mb(r.oursDL.gzip), r.oursDL.gzNote, mb(r.themDL.gzip), r.themDL.gzNote, ratio(float64(r.oursDL.gzip), float64(r.themDL.gzip)))
	p("| download, brotli | %s | %s | |", brotli(r.oursDL), brotli(r.themDL))
	p("")
	p("Downloads: Drawbridge %s (as the page fetched it; wasm_exec.js, loader.js and the page are not counted); xterm.js %s.",
		strings.Join(r.oursDL.files, ", "), strings.Join(r.themDL.files, " + "))
	p("")
	r.writeAims(p, ingest(r.ours).med, ingest(r.them).med, fps(r.ours).med, first(r.ours).med)
	p("")
	p("| run | client | first frame, ms | flood, ms | MB/s | frames | frames/s | longest wait for a frame, ms | server wrote all in, ms | end seen |")
	p("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, c := range []*clientResult{r.ours, r.them} {
		for i, x := range c.runs {
			p("| %d | %s | %.0f | %.0f | %.2f | %d | %.1f | %.0f | %.0f | %s |", i+1, c.who, x.FirstFrameMs, x.FloodMs, x.MBps(r.streamLen), x.Frames, x.FPS(), x.MaxGapMs, x.SendMs, x.How)
		}
	}
	p("")
	p("Screenshots at the end of the last flood: %s, %s", r.ours.screenshot, r.them.screenshot)
	p("")
	p("Definitions: a flood runs from just before the first message is sent until every byte has been applied to the terminal and a frame drawn after that (Drawbridge: drawbridge.stats(); xterm.js: the write callbacks, then onRender), watched on animation frames, so at most one frame late for both. Frames are frames drawn (both skip frames with nothing new). First frame: performance.now() at the first frame drawn after the page loaded (Drawbridge: stats().firstFrameMs, after fetching and starting the wasm; xterm.js: the first onRender after term.open(), the empty terminal). Idle CPU: utime+stime of the browser's whole process tree (%d and %d processes, GPU process included) over %v, starting %v after the last flood, with only that client's tab and a blank one open.",
		r.ours.idleProcs, r.them.idleProcs, r.cfg.Idle, settleTime)
}

// writeAims says how the Drawbridge client stands against its aims.
func (r *report) writeAims(p func(string, ...any), ours, them, fps, first float64) {
	p("Aims for the Drawbridge client:")
	check := func(ok bool, what, miss string) {
		if ok {
			p("- met: %s", what)
		} else {
			p("- MISSED: %s: %s", what, miss)
		}
	}
	check(ours >= 2*them, fmt.Sprintf("ingest >= 2x xterm.js (%.2f vs %.2f MB/s, %.2fx)", ours, them, ours/them),
		fmt.Sprintf("short by %.2f MB/s (%.0f%%)", 2*them-ours, 100*(2*them-ours)/(2*them)))
	check(fps >= 30, fmt.Sprintf(">= 30 frames/s during the flood (%.1f)", fps),
		fmt.Sprintf("short by %.1f frames/s", 30-fps))
	check(first < 600, fmt.Sprintf("first frame < 600 ms (%.0f ms)", first),
		fmt.Sprintf("over by %.0f ms", first-600))
	oi, ti := r.ours.IdlePercent(), r.them.IdlePercent()
	check(oi <= ti, fmt.Sprintf("idle CPU <= xterm.js's (%.1f%% vs %.1f%% of a core)", oi, ti),
		fmt.Sprintf("over by %.1f points of a core", oi-ti))
}

func mb(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }

func brotli(d download) string {
	if d.brotli < 0 {
		return "no .br file"
	}
	return mb(d.brotli)
}

// cpuModel returns the CPU's name from /proc/cpuinfo, or "unknown CPU".
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// loadAverage returns the 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
