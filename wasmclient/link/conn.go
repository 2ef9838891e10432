package link

import (
	"context"
	"fmt"
)

// conn is one WebSocket connection to the gateway, as the link needs it:
// binary messages in order, and how the socket closed. Two transports
// implement it: the browser's own WebSocket under js/wasm (conn_js.go) and
// coder/websocket elsewhere (conn_other.go), which the tests use.
type conn interface {
	// Read returns the next binary message. Once the socket has closed
	// and every message received before the close has been read, it
	// returns a *CloseError.
	Read(ctx context.Context) ([]byte, error)
	// Write sends one binary message.
	Write(ctx context.Context, p []byte) error
	// Close closes the socket with a status code and a short reason.
	Close(code int, reason string)
	// Subprotocol is the subprotocol the gateway chose.
	Subprotocol() string
}

// WebSocket close codes the link acts on (RFC 6455, section 7.4.1).
const (
	closeNormal        = 1000
	closeGoingAway     = 1001
	closeProtocolError = 1002
	closeUnsupported   = 1003
	closeNoStatus      = 1005 // the peer's close frame carried no code
	closeAbnormal      = 1006 // no close frame: the connection just dropped
	closePolicy        = 1008
	closeTooBig        = 1009
	closeTryAgainLater = 1013
)

// CloseError says how the WebSocket closed.
type CloseError struct {
	Code   int    // the close code; 1006 when the connection dropped without one
	Reason string // the reason the peer gave, if any
}

// Error says how the socket closed.
func (e *CloseError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("websocket closed with %d", e.Code)
	}
	return fmt.Sprintf("websocket closed with %d: %s", e.Code, e.Reason)
}
