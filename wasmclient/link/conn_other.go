//go:build !js

package link

import (
	"context"
	"errors"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// wsConn is the native transport, on coder/websocket.
type wsConn struct{ c *websocket.Conn }

func dial(ctx context.Context, url string) (conn, error) {
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{wire.Subprotocol}})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(wire.MaxFrameSize)
	return &wsConn{c}, nil
}

func (w *wsConn) Read(ctx context.Context) ([]byte, error) {
	for {
		typ, b, err := w.c.Read(ctx)
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				return nil, &CloseError{Code: int(ce.Code), Reason: ce.Reason}
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, &CloseError{Code: closeAbnormal, Reason: err.Error()}
		}
		if typ == websocket.MessageBinary {
			return b, nil
		}
	}
}

func (w *wsConn) Write(ctx context.Context, p []byte) error {
	return w.c.Write(ctx, websocket.MessageBinary, p)
}

func (w *wsConn) Close(code int, reason string) {
	w.c.Close(websocket.StatusCode(code), reason)
}

func (w *wsConn) Subprotocol() string { return w.c.Subprotocol() }
