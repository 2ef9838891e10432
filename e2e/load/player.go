package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// player is one load player: a WebSocket to the gateway speaking the
// drawbridge.v1 wire, as the web client does.
type player struct {
	ws   *websocket.Conn
	buf  []byte // encode buffer
	text []byte // output not yet matched to a round trip
}

// dialPlayer connects a player with the session cookie and waits until
// the gateway says it reached the game.
func dialPlayer(ctx context.Context, g *gatewayProc, cookie string) (*player, error) {
	url := strings.Replace(g.base, "https://", "wss://", 1) + "/ws"
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: g.tls, DialContext: loopbackDialer}}
	ws, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		HTTPClient:   hc,
		Subprotocols: []string{wire.Subprotocol},
		HTTPHeader:   http.Header{"Origin": {g.base}, "Cookie": {cookie}},
	})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial: %w (HTTP %d)", err, resp.StatusCode)
		}
		return nil, fmt.Errorf("dial: %w", err)
	}
	ws.SetReadLimit(wire.MaxFrameSize)
	p := &player{ws: ws}
	if err := p.send(ctx, &wire.Frame{Type: wire.TypeHello, Data: []byte("drawbridge-load/1")}); err != nil {
		ws.CloseNow()
		return nil, err
	}
	if err := p.send(ctx, &wire.Frame{Type: wire.TypeResize, Cols: 80, Rows: 24}); err != nil {
		ws.CloseNow()
		return nil, err
	}
	for {
		f, err := p.read(ctx)
		if err != nil {
			ws.CloseNow()
			return nil, fmt.Errorf("waiting for the game: %w", err)
		}
		switch {
		case f.Type == wire.TypeStatus && f.Status == wire.StatusConnected:
			return p, nil
		case f.Type == wire.TypeError:
			ws.CloseNow()
			return nil, fmt.Errorf("gateway error %d: %s", f.Code, f.Data)
		}
	}
}

func (p *player) send(ctx context.Context, f *wire.Frame) error {
	var err error
	if p.buf, err = wire.Append(p.buf[:0], f); err != nil {
		return err
	}
	return p.ws.Write(ctx, websocket.MessageBinary, p.buf)
}

func (p *player) read(ctx context.Context) (wire.Frame, error) {
	_, b, err := p.ws.Read(ctx)
	if err != nil {
		return wire.Frame{}, err
	}
	return wire.Decode(b)
}

// roundTrip sends line and waits until the game's echo of it has come
// back whole, returning how long that took.
func (p *player) roundTrip(ctx context.Context, line []byte) (time.Duration, error) {
	start := time.Now()
	if err := p.send(ctx, &wire.Frame{Type: wire.TypeLine, Data: line}); err != nil {
		return 0, err
	}
	want := len(line) + 2 // the gateway ends a line with CR LF; the game echoes both
	for len(p.text) < want {
		f, err := p.read(ctx)
		if err != nil {
			return 0, err
		}
		switch f.Type {
		case wire.TypeOutput:
			p.text = append(p.text, f.Data...)
		case wire.TypeError:
			return 0, fmt.Errorf("gateway error %d: %s", f.Code, f.Data)
		case wire.TypeStatus:
			if f.Status != wire.StatusConnected {
				return 0, fmt.Errorf("gateway status %d: %s", f.Status, f.Data)
			}
		}
	}
	d := time.Since(start)
	if !bytes.Equal(p.text[:len(line)], line) {
		return d, errors.New("the echo came back changed")
	}
	p.text = append(p.text[:0], p.text[want:]...)
	return d, nil
}

func (p *player) Close() { p.ws.Close(websocket.StatusNormalClosure, "") }
