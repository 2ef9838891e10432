// Package edge is the gateway's TLS edge: where its certificates come from,
// the tls.Config profile every listener shares, and the plain-HTTP handler
// that sends browsers to HTTPS.
//
// Today the certificate source is a self-signed development certificate,
// made once and kept in the state directory. ACME (autocert) and
// certificate files plug in behind the same GetCertificate hook.
package edge

import (
	"crypto/tls"
	"net"
	"net/http"
	"strings"
)

// ServerTLSConfig returns the TLS profile for the gateway's listeners:
// TLS 1.2 at least, Go's own cipher suite and curve preferences (so hybrid
// post-quantum key exchange stays on), and certificates from getCert.
// nextProtos lists the ALPN protocols the listener serves, e.g. "h2" and
// "http/1.1".
func ServerTLSConfig(getCert func(*tls.ClientHelloInfo) (*tls.Certificate, error), nextProtos ...string) *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: getCert,
		NextProtos:     nextProtos,
	}
}

// RedirectHandler answers plain-HTTP requests by sending GET and HEAD to
// the same path and query on HTTPS, with 308 so nothing is silently turned
// into a GET; other methods get 405, because replaying a body sent in the
// clear on HTTPS would hide the mistake. httpsPort is the HTTPS listener's
// port; with "443" or "" the redirect carries no port.
func RedirectHandler(httpsPort string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "use HTTPS", http.StatusMethodNotAllowed)
			return
		}
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h // "[::1]:80" and "name:80" lose the port (and brackets)
		} else {
			host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]") // "[::1]"
		}
		if host == "" || strings.ContainsAny(host, "/\\@ []") {
			http.Error(w, "missing or invalid Host header", http.StatusBadRequest)
			return
		}
		authority := host
		switch {
		case httpsPort != "" && httpsPort != "443":
			authority = net.JoinHostPort(host, httpsPort)
		case strings.Contains(host, ":"): // IPv6 literal
			authority = "[" + host + "]"
		}
		target := "https://" + authority + r.URL.RequestURI()
		w.Header().Set("Connection", "close")
		http.Redirect(w, r, target, http.StatusPermanentRedirect)
	})
}
