package link

import (
	"context"
	"encoding/binary"
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

// splitInbox splits what the page's drawbridgeInbox (www/loader.js)
// hands over in one array: the number of messages and each one's length
// as little-endian uint32s, then the messages one after the other. The
// messages share b's memory.
func splitInbox(b []byte) ([][]byte, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("inbox: %d bytes, too short for a count", len(b))
	}
	n := int(binary.LittleEndian.Uint32(b))
	if n > (len(b)-4)/4 {
		return nil, fmt.Errorf("inbox: %d messages in %d bytes", n, len(b))
	}
	lens, data := b[4:4+4*n], b[4+4*n:]
	out := make([][]byte, n)
	for i := range out {
		l := int(binary.LittleEndian.Uint32(lens[4*i:]))
		if l > len(data) {
			return nil, fmt.Errorf("inbox: message %d of %d bytes, %d left", i, l, len(data))
		}
		out[i], data = data[:l:l], data[l:]
	}
	if len(data) != 0 {
		return nil, fmt.Errorf("inbox: %d bytes after the last message", len(data))
	}
	return out, nil
}
