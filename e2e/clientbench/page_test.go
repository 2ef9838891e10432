package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/drawbridge/drawbridge/e2e/headless"
)

// gatePage is a page with the client's real frame gate (www/loader.js,
// which then finds no client to start) and a fake client whose engine,
// as Ebitengine does, asks for an animation frame through the gate on
// every frame and draws only when something was written.
const gatePage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>gate</title>
<script src="/loader.js"></script>
<script>
window.fake = (() => {
  let bytes = 0, frames = 0, drawnMs = 0, drawnBytes = 0, dirty = false;
  const frame = () => {
    if (dirty) { dirty = false; frames++; drawnMs = performance.now(); drawnBytes = bytes; }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  return {
    stats: () => ({ bytes, frames, firstFrameMs: 0 }),
    drawn: () => ({ frames, ms: drawnMs, bytes: drawnBytes }),
    write: (n) => { bytes += n; dirty = true; window.drawbridgeFrames.wake(); },
  };
})();
</script></head><body><span id="status"></span></body></html>`

// TestWatchBesideTheFrameGate runs watch.js in Chromium on a page whose
// engine's frame request the gate holds (nothing has woken it since its
// last frame): the watcher must not take the gate's held request, or the
// engine never draws again and the flood is never seen drawn. (It did,
// through the page's requestAnimationFrame, when the gate held one
// request at a time: the client drew nothing at the phone viewport.)
func TestWatchBesideTheFrameGate(t *testing.T) {
	www := t.TempDir()
	loader, err := os.ReadFile(filepath.Join("..", "..", "www", "loader.js"))
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(www, "loader.js"), string(loader))
	mustWrite(t, filepath.Join(www, "gate.html"), gatePage)
	mustWrite(t, filepath.Join(www, "play.html"), "<!doctype html>")
	_, base := serve(t, www, t.TempDir())

	path, err := headless.Find("")
	if err != nil {
		t.Fatal(err)
	}
	browser, err := startChromium(path, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer browser.stop()
	tab, err := browser.newTab(viewport{width: 400, height: 300, scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.close()
	ctx, cancel := context.WithTimeout(tab.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/gate.html")); err != nil {
		t.Fatal(err)
	}
	if err := tab.waitFor("the fake client", "window.fake && window.__benchRAF", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	// Idle: the gate holds the engine's request.
	if err := tab.waitFor("the gate to hold frames", "performance.now() > 2500", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	const total = 100
	if _, err := eval[bool](ctx, fmt.Sprintf("(%s)(%q, %d, %d)", watchJS, "fake", total, 5000)); err != nil {
		t.Fatal(err)
	}
	if _, err := eval[any](ctx, fmt.Sprintf("fake.write(%d)", total)); err != nil {
		t.Fatal(err)
	}
	st, err := chromedp.Run(ctx, chromedp.Evaluate[watchState]("window.__benchDone", chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if st.How != "drawn" || st.Frames != 1 || int(st.Bytes) != total || st.TEnd < st.T0 {
		t.Errorf("got %+v, want the flood seen drawn by the engine's one frame", st)
	}
}
