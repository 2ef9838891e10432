package e2e

import (
	"fmt"
	"testing"
)

// TestInboxInBrowser checks the page's drawbridgeInbox (www/loader.js),
// which gathers the WebSocket's messages for the client, on a socket of
// its own in the play page: text messages ignored, the client told once
// per batch, the batch handed over in order in the layout
// wasmclient/link's splitInbox reads, and a client that falls more than
// the limit behind told so, once, with later messages dropped.
func TestInboxInBrowser(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	b := newBrowser(t, gw, 800, 600, 1)
	enterGame(t, b, gw, "Inboxer")
	got := eval[map[string]any](t, b, `(() => {
		const ws = new EventTarget();
		const calls = [];
		const box = drawbridgeInbox(ws, (behind) => calls.push(behind === true), 10);
		const msg = (bytes) => ws.dispatchEvent(new MessageEvent("message", { data: new Uint8Array(bytes).buffer }));
		const take = () => { const t = box.take(); return t === null ? null : Array.from(t); };
		const out = { empty: take() };
		ws.dispatchEvent(new MessageEvent("message", { data: "text" }));
		msg([1, 2, 3]); msg([]); msg([4, 5]);
		out.callsAfterThree = calls.length;
		out.first = take();
		msg([6]);
		out.second = take();
		msg([1, 2, 3, 4, 5, 6, 7, 8, 9]); msg([10, 11]); msg([12]);
		out.third = take();
		out.afterwards = take();
		out.calls = calls;
		return out;
	})()`)
	for key, want := range map[string]string{
		"empty":           "<nil>",
		"callsAfterThree": "1",
		// count 3; lengths 3, 0, 2; then the bytes
		"first":  "[3 0 0 0 3 0 0 0 0 0 0 0 2 0 0 0 1 2 3 4 5]",
		"second": "[1 0 0 0 1 0 0 0 6]",
		// 9 + 2 bytes pass the limit of 10: both kept, the next dropped
		"third":      "[2 0 0 0 9 0 0 0 2 0 0 0 1 2 3 4 5 6 7 8 9 10 11]",
		"afterwards": "<nil>",
		// a batch each, then the overflow
		"calls": "[false false false true]",
	} {
		if g := fmt.Sprint(got[key]); g != want {
			t.Errorf("%s: %s, want %s", key, g, want)
		}
	}
}
