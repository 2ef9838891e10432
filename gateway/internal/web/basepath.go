package web

import (
	"errors"
	"net/http"
	"path"
	"strings"
)

// The site under a path prefix. A web server that serves the game's own
// site at "/" passes "/play/..." to the gateway unchanged; the gateway
// strips the prefix and serves the rest as it would at the root. The
// pages refer to everything (scripts, the API, /ws) by relative URLs, so
// they work under any prefix without being rewritten. The session
// cookies keep Path=/: the __Host- prefix requires it, and they are
// HttpOnly and SameSite=Strict either way.

// cleanBasePath checks a Config.BasePath and returns it as "/" or
// "/prefix/".
func cleanBasePath(p string) (string, error) {
	if p == "" || p == "/" {
		return "/", nil
	}
	if err := CheckBasePath(p); err != nil {
		return "", err
	}
	return p, nil
}

// CheckBasePath reports what is wrong with a base path such as "/play/":
// it must start and end with "/", be clean (no "//", ".", ".."), and
// hold only letters, digits and -._~ between its slashes, so that it
// needs no escaping in a URL or a web server's config.
func CheckBasePath(p string) error {
	switch {
	case p == "/":
		return nil
	case !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/"):
		return errors.New("must start and end with /, as in /play/")
	case strings.Contains(p, "//") || path.Clean(p)+"/" != p:
		return errors.New("must be a clean path (no //, . or ..)")
	}
	for _, r := range p {
		ok := r == '/' || r == '-' || r == '.' || r == '_' || r == '~' ||
			r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !ok {
			return errors.New("may hold only letters, digits and - . _ ~ between its slashes")
		}
	}
	return nil
}

// serveUnder serves a request for the site under s.base: the prefix
// stripped, the prefix without its slash redirected to the prefix, and
// anything else 404.
func (s *Server) serveUnder(w http.ResponseWriter, r *http.Request) {
	dir := strings.TrimSuffix(s.base, "/")
	switch {
	case strings.HasPrefix(r.URL.Path, s.base):
		http.StripPrefix(dir, s.e).ServeHTTP(w, r)
	case r.URL.Path == dir && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		// The pages' relative URLs need the slash.
		to := s.base
		if r.URL.RawQuery != "" {
			to += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, to, http.StatusMovedPermanently)
	default:
		http.NotFound(w, r)
	}
}
