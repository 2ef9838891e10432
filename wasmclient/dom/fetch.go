//go:build js && wasm

package dom

import (
	"context"
	"errors"
	"syscall/js"
)

// Fetch sends an HTTP request from the page with the browser's fetch
// (same origin, the session cookie included), the body as JSON when not
// nil, and returns the status and the body. It is for the gateway's own
// API beside the page: path is relative to the page. It blocks the
// calling goroutine, never the page; ctx ends it.
func Fetch(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	headers := map[string]any{"Accept": "application/json"}
	init := map[string]any{"method": method, "credentials": "same-origin", "cache": "no-store"}
	if body != nil {
		headers["Content-Type"] = "application/json"
		init["body"] = string(body)
	}
	init["headers"] = headers
	abort := js.Global().Get("AbortController").New()
	init["signal"] = abort.Get("signal")

	type result struct {
		status int
		body   []byte
		err    error
	}
	done := make(chan result, 1)
	var onResp, onText, onErr js.Func
	release := func() { onResp.Release(); onText.Release(); onErr.Release() }
	status := 0
	onText = js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- result{status: status, body: []byte(args[0].String())}
		return nil
	})
	onErr = js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "network error"
		if len(args) > 0 && args[0].Truthy() {
			msg = args[0].Call("toString").String()
		}
		done <- result{err: errors.New(msg)}
		return nil
	})
	onResp = js.FuncOf(func(_ js.Value, args []js.Value) any {
		status = args[0].Get("status").Int()
		args[0].Call("text").Call("then", onText, onErr)
		return nil
	})
	js.Global().Call("fetch", path, init).Call("then", onResp, onErr)
	select {
	case r := <-done:
		release()
		return r.status, r.body, r.err
	case <-ctx.Done():
		abort.Call("abort")
		<-done // the promise settles (rejected) after the abort
		release()
		return 0, nil, ctx.Err()
	}
}
