//go:build js

package link

import (
	"net/http"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// dialOptions for the browser, whose WebSocket API takes only subprotocols:
// the browser itself handles TLS, cookies and Origin.
func dialOptions(*http.Client) *websocket.DialOptions {
	return &websocket.DialOptions{Subprotocols: []string{wire.Subprotocol}}
}
