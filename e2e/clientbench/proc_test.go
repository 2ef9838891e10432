package main

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		ppid       int
		cpu        time.Duration
		bad        bool
	}{
		{"plain", "42 (chromium) S 7 42 42 0 -1 4194560 100 0 0 0 250 50 3 4 20 0 1 0", 7, 3 * time.Second, false},
		{"name with spaces and parens", "9 (Chrome (GPU) x) R 1 9 9 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0", 1, 30 * time.Millisecond, false},
		{"no parens", "9 chromium R 1", 0, 0, true},
		{"short", "9 (c) R 1 2 3", 0, 0, true},
		{"not numbers", "9 (c) R x 9 9 0 -1 0 0 0 0 0 1 2 0 0", 0, 0, true},
	} {
		ppid, cpu, err := parseStat(tc.line)
		if tc.bad {
			if err == nil {
				t.Errorf("%s: got no error", tc.name)
			}
			continue
		}
		if err != nil || ppid != tc.ppid || cpu != tc.cpu {
			t.Errorf("%s: got %d %v %v, want %d %v", tc.name, ppid, cpu, err, tc.ppid, tc.cpu)
		}
	}
}

func TestTreeCPU(t *testing.T) {
	// This test's process is the root of its own tree.
	tree, err := treeCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tree[os.Getpid()]; !ok {
		t.Fatalf("got %v, want the root in it", tree)
	}
	if _, ok := tree[1]; ok && os.Getpid() != 1 {
		t.Error("init is in the tree of a test process")
	}
	if _, err := treeCPU(-5); err == nil {
		t.Error("a process that does not exist: got no error")
	}
}

func TestCPUSince(t *testing.T) {
	before := map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 5 * time.Second}
	after := map[int]time.Duration{1: 3 * time.Second, 3: time.Second, 4: time.Second}
	// 1 grew by 2s; 2 ended (not counted); 3 is a reused pid (counted
	// whole); 4 is new.
	if got, want := cpuSince(before, after), 4*time.Second; got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v): got %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParseFlags(t *testing.T) {
	root := filepath.Join("..", "..")
	base := []string{"-www", filepath.Join(root, "www"), "-minimal", "minimal", "-xterm", t.TempDir()}
	mustWrite(t, filepath.Join(base[5], "lib", "xterm.js"), "// xterm")
	c, err := parseFlags(base, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Keys != 200 || c.Go != "go" || c.Reps != 5 || c.viewport().String() != "1280x800" {
		t.Errorf("defaults: got %+v", c)
	}
	for _, bad := range [][]string{
		{"-keys", "5"},
		{"-keys", "20000"},
		{"-minimal", t.TempDir()}, // no main.go
		{"-reps", "0"},
		{"extra"},
	} {
		if _, err := parseFlags(append(slices.Clone(base), bad...), io.Discard); err == nil {
			t.Errorf("%q: got no error", bad)
		}
	}
}

func TestCPUByKind(t *testing.T) {
	self := os.Getpid()
	before := map[int]time.Duration{self: 2 * time.Second}
	after := map[int]time.Duration{self: 2*time.Second + 30*time.Millisecond, 1 << 30: 10 * time.Millisecond}
	by := cpuByKind(before, after)
	// This process has no --type flag: a browser; the made-up pid has
	// no /proc entry by the time it is asked.
	if by["browser"] != 30*time.Millisecond || by["gone"] != 10*time.Millisecond || len(by) != 2 {
		t.Fatalf("cpuByKind = %v", by)
	}
	by["renderer"] = 30 * time.Millisecond
	if got, want := formatByKind(by, time.Second), "browser 3.0%, renderer 3.0%, gone 1.0%"; got != want {
		t.Errorf("formatByKind = %q, want %q", got, want)
	}
}

func TestKindFromCmdline(t *testing.T) {
	for cmdline, want := range map[string]string{
		"/usr/lib/chromium/chromium\x00--headless=new\x00--remote-debugging-port=0\x00":   "browser",
		"/usr/lib/chromium/chromium\x00--type=gpu-process\x00--use-angle=swiftshader\x00": "gpu-process",
		"/usr/lib/chromium/chromium --type=renderer --lang=en-US --num-raster-threads=1":  "renderer",
		"": "browser",
	} {
		if got := kindFromCmdline(cmdline); got != want {
			t.Errorf("kindFromCmdline(%q) = %q, want %q", cmdline, got, want)
		}
	}
}
