package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

func testAssets() []asset {
	return []asset{
		{"client.wasm", bytes.Repeat([]byte("\x00asm some module bytes "), 2000)},
		{"wasm_exec.js", []byte(strings.Repeat("class Go { run() {} }\n", 100))},
	}
}

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

func TestPack(t *testing.T) {
	dir := t.TempDir()
	// What an earlier build, the old layout and an interrupted build
	// left, and files that are not the build's.
	for _, name := range []string{
		"client.0123456789abcdef.wasm", "client.0123456789abcdef.wasm.br", "client.0123456789abcdef.wasm.gz",
		"wasm_exec.fedcba9876543210.js", "client.wasm", "client.wasm.gz", "wasm_exec.js", ".build-123",
		".gitkeep", "notes.txt", "client.0123.wasm", "other.0123456789abcdef.wasm",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	assets := testAssets()
	got, err := pack(dir, assets)
	if err != nil {
		t.Fatal(err)
	}
	files := readDir(t, dir)

	var manifest map[string]string
	if err := json.Unmarshal(files[manifestName], &manifest); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	want := []string{".gitkeep", "client.0123.wasm", "manifest.json", "notes.txt", "other.0123456789abcdef.wasm"}
	for i, a := range assets {
		p := got[i]
		if p.logical != a.name || p.name != hashedName(a.name, a.data) || manifest[a.name] != p.name {
			t.Errorf("asset %s packed as %+v, manifest %q", a.name, p, manifest[a.name])
		}
		if !bytes.Equal(files[p.name], a.data) {
			t.Errorf("%s: raw file differs from the asset", p.name)
		}
		if plain := unbrotli(t, files[p.name+".br"]); !bytes.Equal(plain, a.data) {
			t.Errorf("%s.br does not decode to the asset", p.name)
		}
		zr, err := gzip.NewReader(bytes.NewReader(files[p.name+".gz"]))
		if err != nil {
			t.Fatal(err)
		}
		if plain, _ := io.ReadAll(zr); !bytes.Equal(plain, a.data) {
			t.Errorf("%s.gz does not decode to the asset", p.name)
		}
		if zr.Name != "" || !zr.ModTime.IsZero() {
			t.Errorf("%s.gz has name %q, time %v; want neither", p.name, zr.Name, zr.ModTime)
		}
		sizes := [3]int64{int64(len(files[p.name])), int64(len(files[p.name+".gz"])), int64(len(files[p.name+".br"]))}
		if [3]int64{p.raw, p.gzip, p.brotli} != sizes || p.brotli >= p.raw || p.gzip >= p.raw || p.reused {
			t.Errorf("%s: reported raw, gzip, brotli %d %d %d (reused %v), files %v", p.name, p.raw, p.gzip, p.brotli, p.reused, sizes)
		}
		want = append(want, p.name, p.name+".br", p.name+".gz")
	}
	var names []string
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("dir holds\n%q\nwant\n%q", names, want)
	}
}

func unbrotli(t *testing.T, b []byte) []byte {
	t.Helper()
	plain, err := io.ReadAll(brotli.NewReader(bytes.NewReader(b)))
	if err != nil {
		t.Fatalf("brotli: %v", err)
	}
	return plain
}

func TestPackIsDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if _, err := pack(dir, testAssets()); err != nil {
			t.Fatal(err)
		}
	}
	fa, fb := readDir(t, a), readDir(t, b)
	if len(fa) != len(fb) {
		t.Fatalf("%d files, then %d", len(fa), len(fb))
	}
	for name, data := range fa {
		if !bytes.Equal(data, fb[name]) {
			t.Errorf("%s differs between two builds", name)
		}
	}
}

func TestPackKeepsTwinsOfAnUnchangedAsset(t *testing.T) {
	dir := t.TempDir()
	assets := testAssets()
	first, err := pack(dir, assets)
	if err != nil {
		t.Fatal(err)
	}
	// Mark the wasm's brotli twin; remove wasm_exec's gzip twin.
	wasm, js := first[0].name, first[1].name
	if err := os.WriteFile(filepath.Join(dir, wasm+".br"), []byte("kept"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, js+".gz")); err != nil {
		t.Fatal(err)
	}
	second, err := pack(dir, assets)
	if err != nil {
		t.Fatal(err)
	}
	if !second[0].reused || second[0].brotli != 4 {
		t.Errorf("unchanged wasm: %+v, want its twins kept", second[0])
	}
	if second[1].reused || second[1].gzip != first[1].gzip {
		t.Errorf("wasm_exec without its gzip twin: %+v, want it written again (gzip %d)", second[1], first[1].gzip)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, wasm+".br")); string(b) != "kept" {
		t.Error("the wasm's twin was written again")
	}
	// A changed asset gets a new name; the old one goes.
	assets[0].data = append(assets[0].data, "more"...)
	third, err := pack(dir, assets)
	if err != nil {
		t.Fatal(err)
	}
	if third[0].name == wasm || third[0].reused {
		t.Errorf("changed wasm: %+v", third[0])
	}
	if _, err := os.Stat(filepath.Join(dir, wasm)); !os.IsNotExist(err) {
		t.Errorf("the old wasm is still there: %v", err)
	}
}

func TestPackRejectsBadNames(t *testing.T) {
	for _, name := range []string{"", "client", "../client.wasm", "dist/client.wasm", ".hidden.js", manifestName} {
		if _, err := pack(t.TempDir(), []asset{{name, []byte("x")}}); err == nil {
			t.Errorf("pack accepted asset name %q", name)
		}
	}
	twice := []asset{{"a.js", []byte("1")}, {"a.js", []byte("2")}}
	if _, err := pack(t.TempDir(), twice); err == nil {
		t.Error("pack accepted an asset twice")
	}
}

func TestHashedName(t *testing.T) {
	// sha256("abc") = ba7816bf8f01cfea...
	if got := hashedName("client.wasm", []byte("abc")); got != "client.ba7816bf8f01cfea.wasm" {
		t.Errorf("hashedName = %q", got)
	}
	if got := hashedName("wasm_exec.js", []byte("abc")); got != "wasm_exec.ba7816bf8f01cfea.js" {
		t.Errorf("hashedName = %q", got)
	}
}

func TestBuildClientReportsFailure(t *testing.T) {
	_, err := buildClient(context.Background(), "go", "./no-such-package", false)
	if err == nil || !strings.Contains(err.Error(), "no-such-package") {
		t.Errorf("building a missing package: %v", err)
	}
}

func TestPrintSizes(t *testing.T) {
	var buf bytes.Buffer
	err := printSizes(&buf, "www/dist", []packed{{name: "client.0123456789abcdef.wasm", raw: 14_261_883, gzip: 3_586_385, brotli: 2_475_908}})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"client.0123456789abcdef.wasm", "14.262 MB", "3.586 MB", "2.476 MB", "brotli"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
