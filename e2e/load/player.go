package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/drawbridge/drawbridge/shared/wire"
)

// player is one load player: a WebSocket to the gateway speaking the
// drawbridge.v1 wire, as the web client does. Like the web client it says
// it can resume, so the gateway keeps what it sends until acknowledged,
// and it acknowledges every ackEvery numbered frames (the web client also
// does so every second): the figures include what resuming costs.
type player struct {
	ws    *websocket.Conn
	buf   []byte // encode buffer
	text  []byte // output not yet matched to a round trip
	in    []byte // read buffer for listen
	rx    atomic.Int64
	seq   uint64 // numbered frames received
	acked uint64

	frames chan readResult // while answerPings reads for read
}

type readResult struct {
	f   wire.Frame
	err error
}

// answerPings reads in the background from now on, as a browser does, so
// that the gateway's pings are answered while the player idles (a
// WebSocket answers pings only while someone reads); read then takes the
// frames from it. It stops at the first error (the connection closed).
func (p *player) answerPings(ctx context.Context) {
	p.frames = make(chan readResult, 16)
	go func() {
		for {
			_, b, err := p.ws.Read(ctx)
			var r readResult
			if r.err = err; err == nil {
				r.f, r.err = wire.Decode(b)
			}
			select {
			case p.frames <- r:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
}

// resumable makes players say they can resume (the -resume flag).
var resumable = true

// compression is the gateway's web.compression (the -compress flag).
// Players always offer permessage-deflate, as browsers do; the gateway
// takes it up unless this is "off".
var compression = "off"

// ackEvery is how many numbered frames a player receives between Acks, as
// the web client's link does.
const ackEvery = 64

// dialPlayer connects a player with the session cookie and waits until
// the gateway says it reached the game.
func dialPlayer(ctx context.Context, g *gatewayProc, cookie string) (*player, error) {
	url := strings.Replace(g.base, "https://", "wss://", 1) + "/ws"
	p := &player{}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: g.tls, DialContext: countingDialer(&p.rx)}}
	ws, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		HTTPClient:      hc,
		Subprotocols:    []string{wire.Subprotocol},
		HTTPHeader:      http.Header{"Origin": {g.base}, "Cookie": {cookie}},
		CompressionMode: websocket.CompressionContextTakeover,
	})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial: %w (HTTP %d)", err, resp.StatusCode)
		}
		return nil, fmt.Errorf("dial: %w", err)
	}
	ws.SetReadLimit(wire.MaxFrameSize)
	p.ws = ws
	var caps wire.Caps
	if resumable {
		caps = wire.CapResume
	}
	if err := p.send(ctx, &wire.Frame{Type: wire.TypeHello, Caps: caps, Data: []byte("drawbridge-load/1")}); err != nil {
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
	var (
		f   wire.Frame
		err error
	)
	if p.frames != nil {
		select {
		case r := <-p.frames:
			f, err = r.f, r.err
		case <-ctx.Done():
			return wire.Frame{}, ctx.Err()
		}
	} else {
		var b []byte
		if _, b, err = p.ws.Read(ctx); err == nil {
			f, err = wire.Decode(b)
		}
	}
	if err == nil && f.Type.Numbered() {
		err = p.received(ctx)
	}
	return f, err
}

// received counts a numbered frame and acknowledges every ackEvery.
func (p *player) received(ctx context.Context) error {
	p.seq++
	if p.seq-p.acked < ackEvery {
		return nil
	}
	p.acked = p.seq
	return p.send(ctx, &wire.Frame{Type: wire.TypeAck, Seq: p.seq})
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

func (p *player) wireBytes() int64 { return p.rx.Load() }

// listen sends line and feeds the payload of Output frames to fc until it
// is done. Output frames are streamed, not decoded whole: their payload is
// the game's text as it is.
func (p *player) listen(ctx context.Context, line []byte, fc *floodCheck) error {
	if err := p.send(ctx, &wire.Frame{Type: wire.TypeLine, Data: line}); err != nil {
		return err
	}
	if err := fc.feed(p.text); err != nil {
		return err
	}
	p.text = p.text[:0]
	var typ [1]byte
	for !fc.done() {
		_, r, err := p.ws.Reader(ctx)
		if err != nil {
			return err
		}
		if _, err := io.ReadFull(r, typ[:]); err != nil {
			return fmt.Errorf("read a frame: %w", err)
		}
		if wire.Type(typ[0]) == wire.TypeOutput {
			if err := feedAll(r, fc, &p.in); err != nil {
				return err
			}
			if err := p.received(ctx); err != nil {
				return err
			}
			continue
		}
		rest, err := io.ReadAll(r)
		if err != nil {
			return fmt.Errorf("read a frame: %w", err)
		}
		f, err := wire.Decode(append(typ[:], rest...))
		if err != nil {
			return err
		}
		if f.Type.Numbered() {
			if err := p.received(ctx); err != nil {
				return err
			}
		}
		switch {
		case f.Type == wire.TypeError:
			return fmt.Errorf("gateway error %d: %s", f.Code, f.Data)
		case f.Type == wire.TypeStatus && f.Status != wire.StatusConnected:
			return fmt.Errorf("gateway status %d: %s", f.Status, f.Data)
		}
	}
	return nil
}

func (p *player) Close() { p.ws.Close(websocket.StatusNormalClosure, "") }
