package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestWasmDownload(t *testing.T) {
	www := t.TempDir()
	mustWrite(t, filepath.Join(www, "dist", "client.abc.wasm"), strings.Repeat("w", 1000))
	mustWrite(t, filepath.Join(www, "dist", "client.abc.wasm.gz"), strings.Repeat("g", 100))
	mustWrite(t, filepath.Join(www, "dist", "client.abc.wasm.br"), strings.Repeat("b", 80))
	d, coding, loads, err := wasmDownload(www, map[string]int{
		"/dist/client.abc.wasm as gzip":     3,
		"/dist/client.abc.wasm as identity": 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.raw != 1000 || d.gzip != 100 || d.brotli != 80 || d.gzNote != "the .gz served" {
		t.Errorf("got %+v, want 1000 raw, 100 gzip from the twin, 80 brotli", d)
	}
	if coding != "gzip, identity" || loads != 4 {
		t.Errorf("got %q %d times, want gzip, identity 4 times", coding, loads)
	}
	if _, _, _, err := wasmDownload(www, nil); err == nil {
		t.Error("nothing served: got no error")
	}
	if _, _, _, err := wasmDownload(www, map[string]int{"/dist/gone.wasm as gzip": 1}); err == nil {
		t.Error("a file that is not there: got no error")
	}
}

func TestMeasureDownloadWithoutTwins(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "lib", "xterm.js"), strings.Repeat("abc", 10000))
	d, err := measureDownload(dir, []string{"lib/xterm.js"})
	if err != nil {
		t.Fatal(err)
	}
	if d.raw != 30000 || d.gzip <= 0 || d.gzip >= 1000 || d.brotli != -1 || d.gzNote != "gzip -9 here" {
		t.Errorf("got %+v, want 30000 raw, a small gzip -9 size, no brotli", d)
	}
}
