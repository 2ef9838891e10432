//go:build !js

package link

import (
	"net/http"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// dialOptions for native builds (tests and tools): the caller's HTTP client
// carries the TLS trust, and the Origin header a browser would send.
func dialOptions(c *http.Client) *websocket.DialOptions {
	return &websocket.DialOptions{Subprotocols: []string{wire.Subprotocol}, HTTPClient: c}
}
