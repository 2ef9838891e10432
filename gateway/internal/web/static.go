package web

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/drawbridge/drawbridge/shared/i18n"
)

// static serves the embedded web client. Files are indexed once at start.
//
// Each file gets a strong ETag from its content. A file with ".br" or
// ".gz" twins (made at build time by www/build) is served compressed to
// browsers that accept it, brotli before gzip, without compressing on
// every request; the twins themselves are not served under their own
// names.
//
// A name with a content hash in it (dist/client.<hash>.wasm) is checked
// against the content at start and then cached by browsers for a year
// without revalidation: a new build has new names. Other names are
// revalidated on every use (no-cache), which the ETag makes a cheap 304.
//
// dist/manifest.json, written by the same build, maps the client's
// logical names to the hashed ones ({"client.wasm": "client.<hash>.wasm"});
// the pages refer to the logical names (/dist/client.wasm) and are
// rewritten here, once, to the hashed ones. That costs no extra round
// trip in the browser, unlike a manifest the page would fetch. Without a
// manifest (a fresh clone, before the client is built) nothing is
// rewritten and the page reports that the client is not built.
//
// Bodies are read from the file system on each request, not kept: the
// embedded files are already in the binary's memory, and a copy would
// double the client's megabytes. Only the rewritten pages, a few KiB, are
// kept in memory.
type static struct {
	fsys  fs.FS
	files map[string]*staticFile // by clean path without leading slash
}

type staticFile struct {
	contentType  string
	cacheControl string
	// reps holds the file's representations by coding; a twin that does
	// not exist has file "".
	reps [numCodings]representation
	// body, when not nil, is the identity content, rewritten at start;
	// reps[identity].file is then unused.
	body []byte
	// variants are a page's copies in the languages other than the
	// source, by language (pagelang.go).
	variants map[string]pageVariant
}

// representation is one encoding of a file as stored.
type representation struct {
	file string // name in the file system
	etag string
}

// coding is a content coding the handler can serve; the order is the
// preference among codings a browser weighs equally (smaller first).
type coding int

const (
	brotli coding = iota
	gzipCoding
	identity
	numCodings
)

// codings describes each coding: its Content-Encoding token and the
// suffix of the twin file holding it.
var codings = [numCodings]struct{ token, suffix string }{
	brotli:     {"br", ".br"},
	gzipCoding: {"gzip", ".gz"},
	identity:   {"identity", ""},
}

const (
	// manifestName is the build's map of logical to hashed names.
	manifestName = "dist/manifest.json"
	// distPrefix is where the built client and its manifest live.
	distPrefix = "dist/"

	cacheRevalidate = "no-cache"
	cacheImmutable  = "public, max-age=31536000, immutable"
)

func newStatic(fsys fs.FS) (*static, error) {
	s := &static{fsys: fsys, files: make(map[string]*staticFile)}
	if fsys == nil {
		return s, nil
	}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || hidden(name) || isTwin(name) || name == manifestName {
			return nil
		}
		f, err := indexFile(fsys, name)
		if err != nil {
			return err
		}
		s.files[name] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("index web client files: %w", err)
	}
	if err := s.rewrite(); err != nil {
		return nil, fmt.Errorf("index web client files: %w", err)
	}
	if err := s.translatePages(); err != nil {
		return nil, fmt.Errorf("index web client files: %w", err)
	}
	s.addCatalogue()
	return s, nil
}

// addCatalogue serves the message catalogue to the pages:
// i18n/LANG.json for every language shipped and the pseudo-language
// (www/i18n.js reads them).
func (s *static) addCatalogue() {
	for _, lang := range append(i18n.Langs(), i18n.Pseudo) {
		body := i18n.For(lang).JSON()
		sum := sha256.Sum256(body)
		s.files["i18n/"+lang+".json"] = &staticFile{
			contentType:  "application/json",
			cacheControl: cacheRevalidate,
			reps:         [numCodings]representation{identity: {etag: etag(sum[:])}},
			body:         body,
		}
	}
}

// indexFile hashes a file and its twins, and checks a hash in its name.
func indexFile(fsys fs.FS, name string) (*staticFile, error) {
	f := &staticFile{contentType: mime.TypeByExtension(path.Ext(name)), cacheControl: cacheRevalidate}
	if f.contentType == "" {
		f.contentType = "application/octet-stream"
	}
	sum, err := hashFile(fsys, name)
	if err != nil {
		return nil, err
	}
	f.reps[identity] = representation{file: name, etag: etag(sum)}
	if claimed := nameHash(name); claimed != "" {
		if got := hex.EncodeToString(sum); !strings.HasPrefix(got, claimed) {
			return nil, fmt.Errorf("%s: the name says content hash %s but the content hashes to %s (rebuild the client)", name, claimed, got[:len(claimed)])
		}
		f.cacheControl = cacheImmutable
	}
	for c := range identity {
		twin := name + codings[c].suffix
		sum, err := hashFile(fsys, twin)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		f.reps[c] = representation{file: twin, etag: etag(sum)}
	}
	return f, nil
}

// hashFile returns the SHA-256 of a file's content.
func hashFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return h.Sum(nil), nil
}

// etag makes a strong entity tag from a content hash.
func etag(sum []byte) string {
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
}

// nameHash returns the content hash a file name claims, "" for none: the
// next-to-last dot-separated element of the base name when it is 16 to 64
// lower-case hex digits (client.0123456789abcdef.wasm), a prefix of the
// hex SHA-256 of the content.
func nameHash(name string) string {
	parts := strings.Split(path.Base(name), ".")
	if len(parts) < 3 {
		return ""
	}
	h := parts[len(parts)-2]
	if len(h) < 16 || len(h) > 64 {
		return ""
	}
	for _, r := range h {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return ""
		}
	}
	return h
}

// isTwin reports whether a file is an encoded twin of another.
func isTwin(name string) bool {
	for c := range identity {
		if strings.HasSuffix(name, codings[c].suffix) {
			return true
		}
	}
	return false
}

// hidden reports whether any element of a slash-separated path starts with
// a dot; such files (.gitkeep) are never served.
func hidden(name string) bool {
	for _, el := range strings.Split(name, "/") {
		if strings.HasPrefix(el, ".") {
			return true
		}
	}
	return false
}

// rewrite points the pages' references to the client's logical names at
// the hashed names in the build's manifest. Only pages, scripts and style
// sheets outside dist/ are rewritten.
func (s *static) rewrite() error {
	names, err := s.manifest()
	if err != nil || len(names) == 0 {
		return err
	}
	// Longest first, so that a name that extends another (a.js.map,
	// a.js) is replaced whole.
	logical := slices.SortedFunc(maps.Keys(names), func(a, b string) int {
		return cmp.Or(len(b)-len(a), strings.Compare(a, b))
	})
	pairs := make([]string, 0, 2*len(names))
	for _, l := range logical {
		pairs = append(pairs, distPrefix+l, distPrefix+names[l])
	}
	r := strings.NewReplacer(pairs...)
	for name, f := range s.files {
		if strings.HasPrefix(name, distPrefix) || !rewritable(name) {
			continue
		}
		b, err := fs.ReadFile(s.fsys, name)
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		out := r.Replace(string(b))
		if out == string(b) {
			continue
		}
		// The twins, if any, hold the old text: serve the new one plain.
		sum := sha256.Sum256([]byte(out))
		f.body = []byte(out)
		f.reps = [numCodings]representation{identity: {etag: etag(sum[:])}}
	}
	return nil
}

// rewritable reports whether a file may refer to the client by name.
func rewritable(name string) bool {
	switch path.Ext(name) {
	case ".html", ".js", ".css":
		return true
	}
	return false
}

// manifest reads the build's map of logical to hashed names, if there is
// one, and checks that each hashed name is a file it can serve.
func (s *static) manifest() (map[string]string, error) {
	b, err := fs.ReadFile(s.fsys, manifestName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", manifestName, err)
	}
	var names map[string]string
	if err := json.Unmarshal(b, &names); err != nil {
		return nil, fmt.Errorf("%s: %w", manifestName, err)
	}
	for logical, hashed := range names {
		if !plainName(logical) || !plainName(hashed) {
			return nil, fmt.Errorf("%s: %q -> %q: want plain file names", manifestName, logical, hashed)
		}
		if f, ok := s.files[distPrefix+hashed]; !ok || f.cacheControl != cacheImmutable {
			return nil, fmt.Errorf("%s: %s is not a content-hashed file of the build (rebuild the client)", manifestName, distPrefix+hashed)
		}
	}
	return names, nil
}

// plainName reports whether s is a file name without a directory.
func plainName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, `/\`)
}

// serveFile serves one file whatever the path: /play is play.html.
func (s *static) serveFile(name string) echo.HandlerFunc {
	return func(c echo.Context) error { return s.send(c, name) }
}

func (s *static) serve(c echo.Context) error {
	name := strings.TrimPrefix(path.Clean("/"+c.Request().URL.Path), "/")
	if name == "" {
		name = "index.html"
	}
	return s.send(c, name)
}

func (s *static) send(c echo.Context, name string) error {
	f, ok := s.files[name]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	w, r := c.Response(), c.Request()
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", f.cacheControl)
	if f.reps[brotli].file != "" || f.reps[gzipCoding].file != "" {
		h.Add("Vary", "Accept-Encoding")
	}
	if f.variants != nil {
		h.Add("Vary", "Accept-Language")
		if v, ok := f.variants[pageLang(r)]; ok {
			h.Set("ETag", v.etag)
			http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(v.body))
			return nil
		}
	}
	cod := identity
	// A range request gets the file's own bytes, so that ranges mean what
	// resuming downloaders expect and an encoded body is never cut; its
	// different ETag keeps If-Range from mixing the two.
	if r.Header.Get("Range") == "" {
		cod = f.choose(r.Header.Get("Accept-Encoding"))
	}
	rep := f.reps[cod]
	h.Set("ETag", rep.etag)
	if f.body != nil && cod == identity {
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.body))
		return nil
	}
	body, err := s.fsys.Open(rep.file)
	if err != nil {
		return fmt.Errorf("open %s: %w", rep.file, err)
	}
	defer body.Close()
	rs, ok := body.(io.ReadSeeker)
	if !ok {
		return fmt.Errorf("open %s: file system gives no seekable files", rep.file)
	}
	var out http.ResponseWriter = w
	if cod != identity {
		out = &encodedWriter{ResponseWriter: w, coding: codings[cod].token}
	}
	http.ServeContent(out, r, name, time.Time{}, rs)
	return nil
}

// choose picks the representation to send for an Accept-Encoding header:
// the stored one the browser weighs highest, the smaller on a tie, and
// identity when the browser accepts none of them.
func (f *staticFile) choose(acceptEncoding string) coding {
	best, bestQ := identity, 0
	for c := range numCodings {
		if c != identity && f.reps[c].file == "" {
			continue
		}
		if q := weight(acceptEncoding, codings[c].token); q > bestQ {
			best, bestQ = c, q
		}
	}
	return best
}

// encodedWriter adds Content-Encoding as the response starts. Set any
// earlier, it would make http.ServeContent leave out Content-Length (it
// guards against handlers that compress what it writes); ours are whole
// files stored compressed, whose length it knows. Error and 304 responses
// carry no body, so they go without it.
type encodedWriter struct {
	http.ResponseWriter
	coding string
}

func (w *encodedWriter) WriteHeader(code int) {
	if code == http.StatusOK {
		w.Header().Set("Content-Encoding", w.coding)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *encodedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// weight returns the weight, in thousandths, that an Accept-Encoding
// header gives a content coding (RFC 9110, section 12.5.3): its own
// entry's, else that of "*", else 0, except for identity, which is
// acceptable unless excluded: 1, after any coding the header lists.
// Entries with a malformed weight are ignored.
func weight(header, token string) int {
	star := -1
	for rest := header; rest != ""; {
		var entry string
		entry, rest, _ = strings.Cut(rest, ",")
		name, params, _ := strings.Cut(entry, ";")
		name = strings.TrimSpace(name)
		q, ok := parseWeight(params)
		switch {
		case !ok:
		case strings.EqualFold(name, token):
			return q
		case name == "*":
			star = q
		}
	}
	switch {
	case star >= 0:
		return star
	case token == "identity":
		return 1
	}
	return 0
}

// parseWeight finds q in an entry's parameters ("; q=0.5"), in
// thousandths; 1000 when there is none. The grammar is strict: "0" or
// "1", optionally followed by a dot and up to three digits, at most 1.
func parseWeight(params string) (int, bool) {
	for rest := params; rest != ""; {
		var p string
		p, rest, _ = strings.Cut(rest, ";")
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		return parseQValue(strings.TrimSpace(v))
	}
	return 1000, true
}

func parseQValue(v string) (int, bool) {
	if v == "" || (v[0] != '0' && v[0] != '1') {
		return 0, false
	}
	q := int(v[0]-'0') * 1000
	frac := v[1:]
	if frac == "" {
		return q, true
	}
	if frac[0] != '.' || len(frac) > 4 {
		return 0, false
	}
	scale := 100
	for _, d := range frac[1:] {
		if d < '0' || d > '9' {
			return 0, false
		}
		q += int(d-'0') * scale
		scale /= 10
	}
	if q > 1000 {
		return 0, false
	}
	return q, true
}

// readFile reads a file of the site.
func (s *static) readFile(name string) ([]byte, error) {
	b, err := fs.ReadFile(s.fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return b, nil
}
