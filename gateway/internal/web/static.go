package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// static serves the embedded web client. Files are indexed once at start:
// each gets a strong ETag from its content, and a file with a ".gz" twin
// (client.wasm.gz, made at build time) is served compressed to browsers
// that accept gzip, which cuts the client's download several times over
// without compressing on every request.
type static struct {
	files map[string]*staticFile // by clean path without leading slash
}

type staticFile struct {
	body, gzip  []byte
	etag        string
	contentType string
}

func newStatic(fsys fs.FS) (*static, error) {
	s := &static{files: make(map[string]*staticFile)}
	if fsys == nil {
		return s, nil
	}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || hidden(name) || strings.HasSuffix(name, ".gz") {
			return nil
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		f := &staticFile{body: body, etag: etag(body), contentType: mime.TypeByExtension(path.Ext(name))}
		if f.contentType == "" {
			f.contentType = http.DetectContentType(body)
		}
		if gz, err := fs.ReadFile(fsys, name+".gz"); err == nil {
			f.gzip = gz
		}
		s.files[name] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("index web client files: %w", err)
	}
	return s, nil
}

func etag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
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

func (s *static) serve(c echo.Context) error {
	name := strings.TrimPrefix(path.Clean("/"+c.Request().URL.Path), "/")
	if name == "" {
		name = "index.html"
	}
	f, ok := s.files[name]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	w, r := c.Response(), c.Request()
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("ETag", f.etag)
	// Names are not content-hashed, so caches must revalidate; the ETag
	// makes that a cheap 304.
	h.Set("Cache-Control", "no-cache")
	body := f.body
	if f.gzip != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			h.Set("Content-Encoding", "gzip")
			h.Set("ETag", strings.TrimSuffix(f.etag, `"`)+`-gz"`)
			body = f.gzip
		}
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
	return nil
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}
