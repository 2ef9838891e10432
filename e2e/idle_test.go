package e2e

import (
	"fmt"
	"testing"
	"time"
)

// frameStats is what the page says of its frames: animation frames the
// loader's gate let through to Ebitengine and requests it holds
// (drawbridgeFrames.stats()), and frames the client drew
// (drawbridge.stats().frames).
type frameStats struct {
	Ran   int `json:"ran"`
	Held  int `json:"held"`
	Drawn int `json:"drawn"`
}

func (b *browser) frameStats(t *testing.T) frameStats {
	t.Helper()
	return eval[frameStats](t, b, `({...drawbridgeFrames.stats(), drawn: drawbridge.stats().frames})`)
}

// TestIdleInBrowser checks that a page with nothing new to show costs
// the browser nothing it can avoid: no animation frames at all once the
// screen has settled (no heartbeat: each frame makes the browser
// composite the whole canvas again), a caret in the command line that
// does not blink (each blink is a frame of the page), and no gamepad
// polling (Ebitengine would start it). Output then brings frames back.
// It also checks the canvas costs no more a frame than it must.
// It asserts counts, never durations: a slow machine draws fewer frames,
// not more.
func TestIdleInBrowser(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	b := newBrowser(t, gw, 1000, 700, 1)
	enterGame(t, b, gw, "Idler")

	if got := eval[string](t, b, `getComputedStyle(document.getElementById("cmdline")).caretAnimation`); got != "manual" {
		t.Errorf("command line caret-animation %q, want manual (a steady caret)", got)
	}
	if n := eval[int](t, b, `navigator.getGamepads().length`); n != 0 {
		t.Errorf("navigator.getGamepads() has %d entries, want none: the browser would poll gamepads", n)
	}
	// The gate holds only Ebitengine's frames: other scripts' animation
	// frames are the browser's.
	if !eval[bool](t, b, `requestAnimationFrame.toString().includes("[native code]")`) {
		t.Error("window.requestAnimationFrame is not the browser's: the frame gate holds every script's frames")
	}

	// Ebitengine's canvas has no multisampling and no depth buffer,
	// which it never uses and which every frame would pay for.
	attrs := eval[map[string]bool](t, b, `(() => {
		const a = document.querySelector("canvas").getContext("webgl2").getContextAttributes();
		return {antialias: a.antialias, depth: a.depth};
	})()`)
	if attrs["antialias"] || attrs["depth"] {
		t.Errorf("canvas context attributes %v, want antialias and depth off", attrs)
	}

	// Settled: the gate holds Ebitengine's request for a frame.
	b.waitFor(t, "the frame gate holding a request", `drawbridgeFrames.stats().held > 0`, 30*time.Second)
	before := b.frameStats(t)
	// Longer than any heartbeat the page had (5 s): an idle page must
	// not run frames on a timer.
	time.Sleep(7 * time.Second)
	after := b.frameStats(t)
	if after.Ran != before.Ran || after.Drawn != before.Drawn {
		t.Fatalf("idle page ran %d animation frames and drew %d frames in 7 s, want none (before %+v, after %+v)",
			after.Ran-before.Ran, after.Drawn-before.Drawn, before, after)
	}

	// Output wakes the frames again and is drawn.
	b.typeLine(t, "look")
	b.waitFor(t, "a frame drawn after output", fmt.Sprintf(`drawbridge.stats().frames > %d`, before.Drawn), 20*time.Second)
}
