package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// builtSite is a site as www/build leaves it: hashed names with brotli and
// gzip twins, and the manifest. The twins are not real compressed data:
// the handler never decodes them, and the tests check that it sends the
// twin's bytes as they are.
type builtSite struct {
	fs                         fstest.MapFS
	wasm, wasmName, js, jsName string
}

func newBuiltSite() *builtSite {
	s := &builtSite{
		wasm: strings.Repeat("\x00asm client ", 500),
		js:   "class Go {}",
	}
	s.wasmName = hashedName("client", s.wasm, ".wasm")
	s.jsName = hashedName("wasm_exec", s.js, ".js")
	s.fs = fstest.MapFS{
		"index.html": {Data: []byte("<!doctype html><title>front</title>")},
		"play.html": {Data: []byte(`<script src="/dist/wasm_exec.js" defer></script>` +
			`<script src="/loader.js" defer></script>`)},
		"loader.js":                  {Data: []byte(`fetch("/dist/client.wasm"); // not dist/client.wasm.gz`)},
		"style.css":                  {Data: []byte("body{}")},
		"dist/.gitkeep":              {Data: []byte("placeholder")},
		"dist/" + s.wasmName:         {Data: []byte(s.wasm)},
		"dist/" + s.wasmName + ".br": {Data: []byte("BROTLI")},
		"dist/" + s.wasmName + ".gz": {Data: []byte("GZIP-BODY")},
		"dist/" + s.jsName:           {Data: []byte(s.js)},
		"dist/" + s.jsName + ".gz":   {Data: []byte("GZ")},
		"dist/manifest.json":         {Data: []byte(`{"client.wasm": "` + s.wasmName + `", "wasm_exec.js": "` + s.jsName + `"}`)},
	}
	return s
}

// hashedName names content the way www/build does.
func hashedName(base, content, ext string) string {
	sum := sha256.Sum256([]byte(content))
	return base + "." + hex.EncodeToString(sum[:])[:16] + ext
}

func staticServer(t *testing.T, files fstest.MapFS) *httptest.Server {
	t.Helper()
	h, err := New(Config{Static: files, Bridge: &fakeBridge{}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// do sends one request without the client's own decompression and
// returns the response with its body read.
func do(t *testing.T, method, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestStaticNegotiatesEncoding(t *testing.T) {
	site := newBuiltSite()
	srv := staticServer(t, site.fs)
	url := srv.URL + "/dist/" + site.wasmName
	bodies := map[string]string{"": site.wasm, "br": "BROTLI", "gzip": "GZIP-BODY"}
	tests := []struct {
		accept, want string
	}{
		{"", ""},
		{"gzip", "gzip"},
		{"br", "br"},
		{"gzip, deflate, br, zstd", "br"},
		{"BR", "br"},
		{"br;q=0, gzip", "gzip"},
		{"br;q=0.0, gzip", "gzip"},
		{"br;q=0.5, gzip", "gzip"},
		{"br, gzip;q=0.999", "br"},
		{"gzip;q=0.5, br;q=0.5", "br"},
		{"br;q=1.5, gzip", "gzip"},    // a malformed weight drops the entry
		{"br;q=0.1234, gzip", "gzip"}, // four decimals are malformed too
		{"br; foo=bar; Q=0, gzip", "gzip"},
		{"*", "br"},
		{"*;q=0", ""},
		{"*;q=0, gzip", "gzip"},
		{"identity", ""},
		{"identity;q=0, gzip;q=0.1", "gzip"},
		{"identity;q=0", ""}, // nothing acceptable: the plain file after all
		{"deflate, zstd", ""},
		{"x-gzip", ""},
	}
	etags := map[string]string{}
	for _, tt := range tests {
		resp, body := do(t, "GET", url, map[string]string{"Accept-Encoding": tt.accept})
		h := resp.Header
		if resp.StatusCode != http.StatusOK || h.Get("Content-Encoding") != tt.want {
			t.Errorf("Accept-Encoding %q: %d with encoding %q, want 200 with %q", tt.accept, resp.StatusCode, h.Get("Content-Encoding"), tt.want)
			continue
		}
		if body != bodies[tt.want] {
			t.Errorf("Accept-Encoding %q: body %.20q, want %.20q", tt.accept, body, bodies[tt.want])
		}
		if h.Get("Content-Length") != strconv.Itoa(len(body)) {
			t.Errorf("Accept-Encoding %q: Content-Length %q, want %d", tt.accept, h.Get("Content-Length"), len(body))
		}
		if h.Get("Content-Type") != "application/wasm" || h.Get("Vary") != "Accept-Encoding" || h.Get("Cache-Control") != cacheImmutable {
			t.Errorf("Accept-Encoding %q: Content-Type %q, Vary %q, Cache-Control %q", tt.accept, h.Get("Content-Type"), h.Get("Vary"), h.Get("Cache-Control"))
		}
		if prev, ok := etags[tt.want]; ok && prev != h.Get("ETag") {
			t.Errorf("encoding %q: ETag %s, earlier %s", tt.want, h.Get("ETag"), prev)
		}
		etags[tt.want] = h.Get("ETag")
	}
	if len(etags) != 3 || etags[""] == etags["br"] || etags[""] == etags["gzip"] || etags["br"] == etags["gzip"] {
		t.Errorf("ETags by encoding %v: want three different ones", etags)
	}

	// A file with only a gzip twin: br is not on offer.
	resp, body := do(t, "GET", srv.URL+"/dist/"+site.jsName, map[string]string{"Accept-Encoding": "br, gzip"})
	if resp.Header.Get("Content-Encoding") != "gzip" || body != "GZ" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("wasm_exec with br and gzip accepted: %q %q %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Type"), body)
	}
}

func TestStaticRevalidation(t *testing.T) {
	site := newBuiltSite()
	srv := staticServer(t, site.fs)
	url := srv.URL + "/dist/" + site.wasmName
	br, _ := do(t, "GET", url, map[string]string{"Accept-Encoding": "br"})
	gz, _ := do(t, "GET", url, map[string]string{"Accept-Encoding": "gzip"})

	resp, body := do(t, "GET", url, map[string]string{"Accept-Encoding": "br", "If-None-Match": br.Header.Get("ETag")})
	if resp.StatusCode != http.StatusNotModified || body != "" {
		t.Fatalf("revalidating br = %d with %d bytes, want 304 and none", resp.StatusCode, len(body))
	}
	for _, k := range []string{"Content-Encoding", "Content-Length", "Content-Type"} {
		if v := resp.Header.Get(k); v != "" {
			t.Errorf("304 has %s: %s", k, v)
		}
	}
	if resp.Header.Get("ETag") != br.Header.Get("ETag") || resp.Header.Get("Vary") != "Accept-Encoding" || resp.Header.Get("Cache-Control") != cacheImmutable {
		t.Errorf("304 headers %v: want the ETag, Vary and Cache-Control of the 200", resp.Header)
	}
	// The gzip body's tag does not validate the brotli body.
	resp, body = do(t, "GET", url, map[string]string{"Accept-Encoding": "br", "If-None-Match": gz.Header.Get("ETag")})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "br" || body != "BROTLI" {
		t.Errorf("br with the gzip ETag = %d %q, want 200 br", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	// A failed If-Match must not promise an encoded body it does not send.
	resp, body = do(t, "GET", url, map[string]string{"Accept-Encoding": "br", "If-Match": `"other"`})
	if resp.StatusCode != http.StatusPreconditionFailed || resp.Header.Get("Content-Encoding") != "" || (resp.Header.Get("Content-Length") != "" && resp.Header.Get("Content-Length") != "0") || body != "" {
		t.Errorf("If-Match mismatch = %d, encoding %q, length %q", resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Length"))
	}
}

func TestStaticHead(t *testing.T) {
	site := newBuiltSite()
	srv := staticServer(t, site.fs)
	resp, body := do(t, "HEAD", srv.URL+"/dist/"+site.wasmName, map[string]string{"Accept-Encoding": "gzip, br"})
	if resp.StatusCode != http.StatusOK || body != "" || resp.Header.Get("Content-Encoding") != "br" || resp.Header.Get("Content-Length") != "6" {
		t.Errorf("HEAD = %d, %q, Content-Length %q, body %d bytes; want 200 br 6 and no body",
			resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Length"), len(body))
	}
}

func TestStaticRangesAreOfThePlainFile(t *testing.T) {
	site := newBuiltSite()
	srv := staticServer(t, site.fs)
	url := srv.URL + "/dist/" + site.wasmName
	resp, body := do(t, "GET", url, map[string]string{"Accept-Encoding": "br, gzip", "Range": "bytes=1-4"})
	if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Encoding") != "" || body != site.wasm[1:5] {
		t.Fatalf("range = %d, encoding %q, body %q; want 206 of the plain file, %q", resp.StatusCode, resp.Header.Get("Content-Encoding"), body, site.wasm[1:5])
	}
	if want := "bytes 1-4/" + strconv.Itoa(len(site.wasm)); resp.Header.Get("Content-Range") != want || resp.Header.Get("Content-Length") != "4" {
		t.Errorf("Content-Range %q, Content-Length %q; want %q, 4", resp.Header.Get("Content-Range"), resp.Header.Get("Content-Length"), want)
	}
	plainTag := resp.Header.Get("ETag")

	// If-Range with the brotli body's tag: the whole plain file, never a
	// slice of one stitched to the other.
	br, _ := do(t, "GET", url, map[string]string{"Accept-Encoding": "br"})
	resp, body = do(t, "GET", url, map[string]string{"Accept-Encoding": "br", "Range": "bytes=1-4", "If-Range": br.Header.Get("ETag")})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "" || body != site.wasm {
		t.Errorf("If-Range with the br ETag = %d, encoding %q, %d bytes; want 200, the plain file", resp.StatusCode, resp.Header.Get("Content-Encoding"), len(body))
	}
	resp, body = do(t, "GET", url, map[string]string{"Range": "bytes=1-4", "If-Range": plainTag})
	if resp.StatusCode != http.StatusPartialContent || body != site.wasm[1:5] {
		t.Errorf("If-Range with the plain ETag = %d, %q; want 206", resp.StatusCode, body)
	}
}

func TestStaticCaching(t *testing.T) {
	site := newBuiltSite()
	srv := staticServer(t, site.fs)
	tests := []struct {
		path   string
		status int
		cache  string
	}{
		{"/", 200, "no-cache"},
		{"/style.css", 200, "no-cache"},
		{"/play", 200, "no-cache"},
		{"/loader.js", 200, "no-cache"},
		{"/dist/" + site.wasmName, 200, cacheImmutable},
		{"/dist/" + site.jsName, 200, cacheImmutable},
		{"/dist/client.0123456789abcdef.wasm", 404, ""}, // a hash this build does not have
		{"/dist/client.wasm", 404, ""},
		{"/dist/" + site.wasmName + ".br", 404, ""},
		{"/dist/" + site.wasmName + ".gz", 404, ""},
		{"/dist/manifest.json", 404, ""},
		{"/dist/.gitkeep", 404, ""},
	}
	for _, tt := range tests {
		resp, _ := do(t, "GET", srv.URL+tt.path, map[string]string{"Accept-Encoding": "br, gzip"})
		if resp.StatusCode != tt.status {
			t.Errorf("GET %s = %d, want %d", tt.path, resp.StatusCode, tt.status)
			continue
		}
		if tt.status == 200 && resp.Header.Get("Cache-Control") != tt.cache {
			t.Errorf("GET %s: Cache-Control %q, want %q", tt.path, resp.Header.Get("Cache-Control"), tt.cache)
		}
		if tt.status == 200 && resp.Header.Get("ETag") == "" {
			t.Errorf("GET %s: no ETag", tt.path)
		}
	}
}

func TestStaticRewritesReferences(t *testing.T) {
	site := newBuiltSite()
	srv := staticServer(t, site.fs)

	resp, body := do(t, "GET", srv.URL+"/play", nil)
	want := `<script src="/dist/` + site.jsName + `" defer></script><script src="/loader.js" defer></script>`
	if body != want {
		t.Errorf("play page:\n%s\nwant\n%s", body, want)
	}
	if resp.Header.Get("Content-Length") != strconv.Itoa(len(want)) {
		t.Errorf("play page Content-Length %q, want %d", resp.Header.Get("Content-Length"), len(want))
	}
	again, _ := do(t, "GET", srv.URL+"/play", map[string]string{"If-None-Match": resp.Header.Get("ETag")})
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("revalidating the rewritten page = %d, want 304", again.StatusCode)
	}
	if orig := etag(sha256Of(string(site.fs["play.html"].Data))); resp.Header.Get("ETag") == orig {
		t.Error("the rewritten page carries the ETag of the file as stored")
	}

	_, body = do(t, "GET", srv.URL+"/loader.js", nil)
	if want := `fetch("/dist/` + site.wasmName + `"); // not dist/` + site.wasmName + `.gz`; body != want {
		t.Errorf("loader:\n%s\nwant\n%s", body, want)
	}
	if _, body := do(t, "GET", srv.URL+"/", nil); body != string(site.fs["index.html"].Data) {
		t.Errorf("a page without references changed: %q", body)
	}
}

func sha256Of(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// TestStaticUnbuilt is a fresh clone: dist holds only the placeholder, and
// the pages keep the logical names, which are not found, so the page can
// say that the client is not built.
func TestStaticUnbuilt(t *testing.T) {
	site := newBuiltSite()
	files := fstest.MapFS{}
	for _, name := range []string{"index.html", "play.html", "loader.js", "dist/.gitkeep"} {
		files[name] = site.fs[name]
	}
	srv := staticServer(t, files)
	if _, body := do(t, "GET", srv.URL+"/play", nil); body != string(site.fs["play.html"].Data) {
		t.Errorf("unbuilt play page rewritten: %q", body)
	}
	for _, path := range []string{"/dist/wasm_exec.js", "/dist/client.wasm"} {
		if resp, _ := do(t, "GET", srv.URL+path, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestStaticRejectsBadBuilds(t *testing.T) {
	tests := map[string]func(s *builtSite){
		"a name with the wrong hash": func(s *builtSite) {
			s.fs["dist/"+s.wasmName] = &fstest.MapFile{Data: []byte("other content")}
		},
		"a manifest that is not JSON": func(s *builtSite) {
			s.fs["dist/manifest.json"] = &fstest.MapFile{Data: []byte("client.wasm")}
		},
		"a manifest naming a missing file": func(s *builtSite) {
			delete(s.fs, "dist/"+s.jsName)
			delete(s.fs, "dist/"+s.jsName+".gz")
		},
		"a manifest naming a file without a hash": func(s *builtSite) {
			s.fs["dist/manifest.json"] = &fstest.MapFile{Data: []byte(`{"index.js": "index.html"}`)}
			s.fs["dist/index.html"] = &fstest.MapFile{Data: []byte("x")}
		},
		"a manifest with a path": func(s *builtSite) {
			s.fs["dist/manifest.json"] = &fstest.MapFile{Data: []byte(`{"../play.html": "` + s.wasmName + `"}`)}
		},
	}
	for name, spoil := range tests {
		t.Run(name, func(t *testing.T) {
			s := newBuiltSite()
			spoil(s)
			if _, err := newStatic(s.fs); err == nil {
				t.Error("newStatic accepted the build")
			}
		})
	}
}

// TestStaticLongestNameFirst checks that a logical name that extends
// another is rewritten whole.
func TestStaticLongestNameFirst(t *testing.T) {
	site := newBuiltSite()
	mapName := hashedName("client.wasm", "map", ".map")
	site.fs["dist/"+mapName] = &fstest.MapFile{Data: []byte("map")}
	site.fs["dist/manifest.json"] = &fstest.MapFile{Data: []byte(`{"client.wasm": "` + site.wasmName + `", "client.wasm.map": "` + mapName + `"}`)}
	site.fs["loader.js"] = &fstest.MapFile{Data: []byte("dist/client.wasm dist/client.wasm.map")}
	s, err := newStatic(site.fs)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(s.files["loader.js"].body), "dist/"+site.wasmName+" dist/"+mapName; got != want {
		t.Errorf("rewritten %q, want %q", got, want)
	}
}

func TestWeight(t *testing.T) {
	tests := []struct {
		header, token string
		want          int
	}{
		{"", "gzip", 0},
		{"", "identity", 1},
		{"gzip;q=0.001", "identity", 1},
		{"gzip", "gzip", 1000},
		{" gzip ; q=0.5 ", "gzip", 500},
		{"gzip;q=1.000", "gzip", 1000},
		{"gzip;q=1.001", "gzip", 0},
		{"gzip;q=0.05", "gzip", 50},
		{"gzip;q=.5", "gzip", 0},
		{"gzip;q=", "gzip", 0},
		{"gzip;q=0.5;q=1", "gzip", 500},
		{"*;q=0.3", "br", 300},
		{"*;q=0.3, br;q=0.7", "br", 700},
		{"*;q=0.3", "identity", 300},
		{"identity;q=0", "identity", 0},
		{"gzip;q=2, *;q=0.2", "gzip", 200},
		{",,;,gzip", "gzip", 1000},
	}
	for _, tt := range tests {
		if got := weight(tt.header, tt.token); got != tt.want {
			t.Errorf("weight(%q, %q) = %d, want %d", tt.header, tt.token, got, tt.want)
		}
	}
}

func FuzzWeight(f *testing.F) {
	for _, seed := range []string{"", "br;q=0.5, gzip", "*;q=0", "gzip;q=1.000", ";;,q=", "identity;Q=0.001"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		for _, token := range []string{"br", "gzip", "identity"} {
			if q := weight(header, token); q < 0 || q > 1000 {
				t.Fatalf("weight(%q, %q) = %d, outside 0..1000", header, token, q)
			}
		}
		var f staticFile
		f.reps[brotli].file, f.reps[gzipCoding].file = "x.br", "x.gz"
		if c := f.choose(header); c < 0 || c >= numCodings {
			t.Fatalf("choose(%q) = %d", header, c)
		}
	})
}
