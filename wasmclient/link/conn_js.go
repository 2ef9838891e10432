//go:build js

package link

import (
	"context"
	"errors"
	"sync"
	"syscall/js"

	"github.com/drawbridge/drawbridge/shared/wire"
)

// jsConn is the browser transport: the page's own WebSocket through
// syscall/js. It exists because coder/websocket's js build loses the close
// code (Read reports net.ErrClosed, never the CloseEvent) and may report
// the close before messages that arrived just ahead of it, which are the
// gateway's goodbye; it also pulls net/http into the client. Here every
// message is queued in order and the close is reported only after the
// queue is drained.
type jsConn struct {
	ws    js.Value
	funcs []js.Func

	mu     sync.Mutex
	queue  [][]byte    // messages taken from inbox, not yet read
	closed *CloseError // set by onclose
	opened bool
	wake   chan struct{} // signalled (without blocking) on every event
	// inbox is the page's drawbridgeInbox (www/loader.js), which gathers
	// the socket's messages until Read takes them.
	inbox   js.Value
	release sync.Once
}

// maxQueued bounds what the page's inbox holds for the client: a browser cannot
// push back on a WebSocket, so past this the connection is closed rather
// than letting memory grow (the client drains the queue continuously,
// also in background tabs, so this is a backstop).
const maxQueued = 64 << 20

func dial(ctx context.Context, url string) (conn, error) {
	// loader.js, which starts the client, defines it.
	newInbox := js.Global().Get("drawbridgeInbox")
	if newInbox.Type() != js.TypeFunction {
		return nil, errors.New("the page has no drawbridgeInbox: load the client with www/loader.js")
	}
	ws := js.Global().Get("WebSocket").New(url, js.ValueOf([]any{wire.Subprotocol}))
	ws.Set("binaryType", "arraybuffer")
	c := &jsConn{ws: ws, wake: make(chan struct{}, 1)}
	c.on("open", func(js.Value) {
		c.mu.Lock()
		c.opened = true
		c.mu.Unlock()
	})
	notify := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) > 0 && args[0].Truthy() {
			c.mu.Lock()
			if c.closed == nil {
				c.closed = &CloseError{Code: closeAbnormal, Reason: "the client fell too far behind"}
				c.ws.Call("close", closeNormal, "client fell behind")
			}
			c.mu.Unlock()
		}
		select {
		case c.wake <- struct{}{}:
		default:
		}
		return nil
	})
	c.funcs = append(c.funcs, notify)
	c.inbox = newInbox.Invoke(ws, notify, maxQueued)
	c.on("close", func(ev js.Value) {
		c.mu.Lock()
		if c.closed == nil {
			code := ev.Get("code").Int()
			if code == closeNoStatus {
				code = closeAbnormal
			}
			c.closed = &CloseError{Code: code, Reason: ev.Get("reason").String()}
		}
		c.mu.Unlock()
		c.releaseFuncs()
	})
	// "error" is always followed by "close", which carries what there is
	// to know; the handler only wakes the reader.
	c.on("error", func(js.Value) {})

	for {
		c.mu.Lock()
		opened, closed := c.opened, c.closed
		c.mu.Unlock()
		if opened {
			return c, nil
		}
		if closed != nil {
			return nil, closed
		}
		select {
		case <-c.wake:
		case <-ctx.Done():
			c.Close(closeNormal, "")
			return nil, ctx.Err()
		}
	}
}

// on registers a WebSocket event handler that also wakes the reader. It
// runs in the browser's event loop, so it never blocks.
func (c *jsConn) on(event string, f func(js.Value)) {
	fn := js.FuncOf(func(this js.Value, args []js.Value) any {
		f(args[0])
		select {
		case c.wake <- struct{}{}:
		default:
		}
		return nil
	})
	c.funcs = append(c.funcs, fn)
	c.ws.Call("addEventListener", event, fn)
}

func (c *jsConn) releaseFuncs() {
	c.release.Do(func() {
		for _, f := range c.funcs {
			// Released after the last event; the browser fires none after
			// "close".
			defer f.Release()
		}
	})
}

// takeInbox moves what the page's inbox gathered to the queue. c.mu is
// held.
func (c *jsConn) takeInbox() {
	got := c.inbox.Call("take")
	if got.IsNull() {
		return
	}
	b := make([]byte, got.Get("length").Int())
	js.CopyBytesToGo(b, got)
	msgs, err := splitInbox(b)
	if err != nil {
		panic(err) // loader.js and this disagree: a build defect
	}
	c.queue = append(c.queue, msgs...)
}

func (c *jsConn) Read(ctx context.Context) ([]byte, error) {
	for {
		c.mu.Lock()
		if len(c.queue) == 0 {
			c.takeInbox()
		}
		if len(c.queue) > 0 {
			b := c.queue[0]
			c.queue[0] = nil
			c.queue = c.queue[1:]
			c.mu.Unlock()
			return b, nil
		}
		closed := c.closed
		c.mu.Unlock()
		if closed != nil {
			return nil, closed
		}
		select {
		case <-c.wake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (c *jsConn) Write(ctx context.Context, p []byte) error {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed != nil {
		return closed
	}
	arr := js.Global().Get("Uint8Array").New(len(p))
	js.CopyBytesToJS(arr, p)
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = errors.New("websocket send failed")
			}
		}()
		c.ws.Call("send", arr)
	}()
	return err
}

// Close closes the socket. Browsers accept only 1000 and 3000-4999 from
// a page; other codes are sent as 1000.
func (c *jsConn) Close(code int, reason string) {
	if code != closeNormal && (code < 3000 || code > 4999) {
		code = closeNormal
	}
	defer func() { _ = recover() }() // close on a closing socket may throw
	c.ws.Call("close", code, reason)
}

func (c *jsConn) Subprotocol() string { return c.ws.Get("protocol").String() }
