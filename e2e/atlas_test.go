package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// countTexturesJS counts the WebGL textures the page creates, from
// before its scripts run (Ebitengine binds the context's functions when
// it starts, so only the prototype can be wrapped).
const countTexturesJS = `(() => {
  window.__textures = 0;
  for (const proto of [WebGL2RenderingContext.prototype, WebGLRenderingContext.prototype]) {
    const create = proto.createTexture;
    proto.createTexture = function () { window.__textures++; return create.call(this); };
  }
})();`

// TestGlyphAtlasStays checks that the client's glyph atlas keeps its
// texture while the game's output is drawn from it: no texture is made
// after the first screen, however many frames draw from the atlas.
// Ebitengine copies a managed image that is only drawn from for 10
// frames onto a shared texture, and back to a texture of its own when it
// is next written to: for the 2048x2048 atlas, a new texture and a full
// copy each way, which held a keystroke's echo for 70-130 ms (make
// bench-client, the 9th or 10th key every run).
func TestGlyphAtlasStays(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	b := newBrowser(t, gw, 1000, 700, 1)
	if err := chromedp.Do(b.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: countTexturesJS})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	enterGame(t, b, gw, "Scribe")
	// Every glyph the room shows is in the atlas after the first look.
	b.typeLine(t, "look")
	b.waitFor(t, "the room shown twice", `drawbridge.screenText().split("Exits:").length > 2`, 20*time.Second)
	b.waitFor(t, "the frame gate holding a request", `drawbridgeFrames.stats().held > 0`, 30*time.Second)
	before := eval[int](t, b, `window.__textures`)
	frames := b.frameStats(t).Drawn
	if before == 0 {
		t.Fatal("no WebGL texture counted: the counter missed Ebitengine's context")
	}
	const looks = 15
	for i := range looks {
		got := eval[int](t, b, `drawbridge.stats().bytes`)
		b.typeLine(t, "look")
		b.waitFor(t, fmt.Sprintf("look %d drawn", i+1), fmt.Sprintf(`drawbridge.stats().bytes > %d && drawbridgeFrames.stats().held > 0`, got), 20*time.Second)
	}
	b.waitFor(t, "every look drawn", fmt.Sprintf(`drawbridge.stats().frames >= %d`, frames+looks), 20*time.Second)
	if after := eval[int](t, b, `window.__textures`); after != before {
		t.Errorf("the page made %d WebGL textures while %d more frames drew the same glyphs, want none", after-before, b.frameStats(t).Drawn-frames)
	}
}
