package web

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
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
// without compressing on every request. Bodies are read from the file
// system on each request, not kept: the embedded files are already in the
// binary's memory, and a copy would double the client's megabytes.
type static struct {
	fsys  fs.FS
	files map[string]*staticFile // by clean path without leading slash
}

type staticFile struct {
	etag, gzipETag string // gzipETag is "" without a .gz twin
	contentType    string
}

func newStatic(fsys fs.FS) (*static, error) {
	s := &static{fsys: fsys, files: make(map[string]*staticFile)}
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
		f := &staticFile{contentType: mime.TypeByExtension(path.Ext(name))}
		if f.etag, err = etag(fsys, name); err != nil {
			return err
		}
		if f.contentType == "" {
			f.contentType = "application/octet-stream"
		}
		if tag, err := etag(fsys, name+".gz"); err == nil {
			f.gzipETag = tag
		}
		s.files[name] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("index web client files: %w", err)
	}
	return s, nil
}

// etag hashes a file's content.
func etag(fsys fs.FS, name string) (string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return `"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12]) + `"`, nil
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
	// Names are not content-hashed, so caches must revalidate; the ETag
	// makes that a cheap 304.
	h.Set("Cache-Control", "no-cache")
	file, tag := name, f.etag
	if f.gzipETag != "" {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			h.Set("Content-Encoding", "gzip")
			file, tag = name+".gz", f.gzipETag
		}
	}
	h.Set("ETag", tag)
	body, err := s.fsys.Open(file)
	if err != nil {
		return fmt.Errorf("open %s: %w", file, err)
	}
	defer body.Close()
	rs, ok := body.(io.ReadSeeker)
	if !ok {
		return fmt.Errorf("open %s: file system gives no seekable files", file)
	}
	http.ServeContent(w, r, name, time.Time{}, rs)
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
