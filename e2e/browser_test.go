package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/drawbridge/drawbridge/e2e/headless"
)

// outputDir is where browser tests leave screenshots for people to look at.
const outputDir = "testoutput"

// chromium finds the browser (e2e/headless.Find). Without one the test
// fails with how to get one: the browser tests are part of `make test`.
func chromium(t *testing.T) string {
	t.Helper()
	p, err := headless.Find("")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// browser is one headless Chromium with one tab.
type browser struct {
	ctx     context.Context
	console *headless.Console
	// warning is the front door's last warning of failed logins (login).
	warning string
}

// newBrowser starts headless Chromium that draws WebGL on SwiftShader (the
// CPU), with a fresh profile, and trusts the gateway's self-signed key.
func newBrowser(t *testing.T, gw *gateway, width, height int64, scale float64) *browser {
	t.Helper()
	opts := append(headless.Options(chromium(t), t.TempDir()),
		chromedp.Flag("ignore-certificate-errors-spki-list", spki(gw.cert(t))))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	b := &browser{ctx: ctx, console: &headless.Console{}}
	b.console.Follow(ctx)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("browser console:\n%s", b.console.String())
		}
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height, chromedp.EmulateScale(scale))); err != nil {
		t.Fatalf("start browser: %v", err)
	}
	return b
}

// eval evaluates a JavaScript expression.
func eval[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// mouseEvent is one Input.dispatchMouseEvent, as the mouse sends it.
func mouseEvent(p input.DispatchMouseEventParams) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, input.DispatchMouseEvent, p)
		return err
	})
}

// screenText is what the client shows, through the text mirror it exposes.
func (b *browser) screenText(t *testing.T) string {
	return eval[string](t, b, `window.drawbridge ? drawbridge.screenText() : ""`)
}

// waitFor polls a JavaScript condition until it is true. It polls from
// here rather than in the page so that the page may navigate meanwhile
// (a form that leads to /play, a client sent to the front door): an
// evaluation that fails while a page is replaced counts as not yet.
func (b *browser) waitFor(t *testing.T, what, cond string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(() => { try { return Boolean(`+cond+`); } catch { return false; } })()`))
		if err == nil && ok {
			return
		}
		if err != nil {
			last = err
		}
		if b.ctx.Err() != nil || time.Now().After(deadline) {
			t.Fatalf("waiting for %s: timed out after %v (last error: %v)\nscreen:\n%s", what, timeout, last, b.screenText(t))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitScreen waits until the screen shows text.
func (b *browser) waitScreen(t *testing.T, text string, timeout time.Duration) {
	t.Helper()
	b.waitFor(t, fmt.Sprintf("%q on screen", text),
		fmt.Sprintf(`window.drawbridge && drawbridge.screenText().includes(%q)`, text), timeout)
}

// typeLine types into the command line and presses Enter, as a player does.
func (b *browser) typeLine(t *testing.T, line string) {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.ID("cmdline"), line+"\r")); err != nil {
		t.Fatalf("type %q: %v", line, err)
	}
}

// screenshot saves the page as PNG under testoutput/ and returns it.
func (b *browser) screenshot(t *testing.T, name string) image.Image {
	t.Helper()
	buf, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.MkdirAll(outputDir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(outputDir, name)
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(path)
	t.Logf("screenshot: %s", abs)
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		t.Fatalf("decode screenshot: %v", err)
	}
	return img
}

// TestPlayInBrowser is the walking skeleton end to end: a player creates
// an account at the front door and is taken to the terminal, where the
// wasm client draws the demo game's banner; the player logs in to the game
// with the password masked, plays, and is told when the gateway restarts.
func TestPlayInBrowser(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	b := newBrowser(t, gw, 1000, 700, 1)

	start := time.Now()
	b.register(t, gw, "Tester", accountPassword)
	b.waitScreen(t, "DRAWBRIDGE", 90*time.Second)
	t.Logf("banner on screen %v after the account form was sent", time.Since(start).Round(time.Millisecond))
	b.waitFor(t, "status connected", `drawbridge.status().state === "connected"`, 10*time.Second)
	if got := eval[string](t, b, `document.getElementById("status").textContent`); got != "Connected" {
		t.Fatalf("status line %q, want Connected", got)
	}
	size := eval[map[string]int](t, b, `drawbridge.size()`)
	if size["cols"] < 80 || size["rows"] < 20 {
		t.Fatalf("grid %dx%d in a 1000x700 page, want at least 80x20", size["cols"], size["rows"])
	}

	// Log in: the password prompt masks the command line.
	b.waitScreen(t, "What is your name?", 10*time.Second)
	b.typeLine(t, "Tester")
	b.waitScreen(t, "Password:", 10*time.Second)
	b.waitFor(t, "masked command line", `document.getElementById("cmdline").type === "password"`, 10*time.Second)
	const password = "correct horse battery"
	b.typeLine(t, password)
	b.waitFor(t, "unmasked command line", `document.getElementById("cmdline").type === "text"`, 10*time.Second)
	b.waitScreen(t, "Welcome to the castle, Tester", 10*time.Second)
	if strings.Contains(b.screenText(t), password) {
		t.Fatal("the password is on screen")
	}
	if eval[bool](t, b, fmt.Sprintf(`(localStorage.getItem("drawbridge.history") || "").includes(%q)`, password)) {
		t.Fatal("the password is in the command history")
	}

	// Play.
	b.typeLine(t, "north")
	b.waitScreen(t, "The Gatehouse", 10*time.Second)
	b.typeLine(t, "say Hello, castle!")
	b.waitScreen(t, `You say, "Hello, castle!"`, 10*time.Second)
	if got := eval[string](t, b, `JSON.parse(localStorage.getItem("drawbridge.history")).join("|")`); got != "Tester|north|say Hello, castle!" {
		t.Fatalf("history %q, want the name and the two commands", got)
	}

	// Ebitengine really drew the terminal: the canvas area of the
	// screenshot holds the banner's colours, not a blank page.
	img := b.screenshot(t, "walking-skeleton.png")
	if n := colourfulPixels(img); n < 500 {
		t.Fatalf("screenshot has %d coloured pixels, want the terminal's coloured text drawn", n)
	}

	// Quitting: the game's farewell arrives, the client says the game
	// closed and waits for the player instead of reconnecting by itself.
	b.typeLine(t, "quit")
	b.waitScreen(t, "Farewell, Tester.", 10*time.Second)
	b.waitFor(t, "the reconnect hint", `drawbridge.status().text.includes("Press Enter to reconnect")`, 10*time.Second)
	time.Sleep(2 * time.Second) // longer than the first automatic retry would wait
	if n := gw.Players(); n != 0 {
		t.Fatalf("%d players connected after quit, want 0: the client reconnected by itself", n)
	}
	if strings.Contains(b.screenText(t), "Disconnected: connection lost") {
		t.Fatalf("screen says the connection was lost after a quit:\n%s", b.screenText(t))
	}
	// Enter brings the player back.
	b.typeLine(t, "")
	b.waitFor(t, "a new login", `(() => {
		const s = drawbridge.screenText();
		return drawbridge.status().state === "connected" && s.lastIndexOf("What is your name?") > s.indexOf("Farewell");
	})()`, 20*time.Second)

	// The gateway restarts: the player is told, and the client waits to
	// reconnect by itself.
	gw.stop()
	b.waitScreen(t, "restarting", 10*time.Second)
	b.waitFor(t, "the reconnect countdown", `drawbridge.status().text.includes("Reconnecting in")`, 10*time.Second)
	if err := gw.Wait(); err != nil {
		t.Fatalf("gateway: %v", err)
	}
}

// countPixels counts the pixels of img for which is says yes, given
// their 8-bit red, green and blue.
func countPixels(img image.Image, is func(r, g, b uint32) bool) int {
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if is(r>>8, g>>8, b>>8) {
				n++
			}
		}
	}
	return n
}

// colourfulPixels counts pixels that are clearly neither grey nor black:
// ANSI colours that only the terminal's drawing can have put there.
func colourfulPixels(img image.Image) int {
	return countPixels(img, func(r, g, b uint32) bool {
		hi, lo := max(r, g, b), min(r, g, b)
		return hi > 100 && hi-lo > 80
	})
}

// TestHiDPI checks the client draws at device resolution on a 2x screen:
// the canvas has twice the CSS pixels (so text is crisp, not upscaled),
// and the grid fits the same CSS size as at 1x.
func TestHiDPI(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, true)
	b := newBrowser(t, gw, 1000, 700, 2)
	b.register(t, gw, "Tester", accountPassword)
	b.waitScreen(t, "DRAWBRIDGE", 90*time.Second)
	got := eval[map[string]float64](t, b, `(() => {
		const c = document.querySelector("#screen canvas");
		return {dpr: devicePixelRatio, width: c.width, css: c.clientWidth, height: c.height, cssHeight: c.clientHeight};
	})()`)
	if got["dpr"] != 2 {
		t.Fatalf("devicePixelRatio %v, want 2", got["dpr"])
	}
	if got["width"] < 2*got["css"]-2 || got["height"] < 2*got["cssHeight"]-2 {
		t.Fatalf("canvas %vx%v for %vx%v CSS pixels, want twice as many device pixels", got["width"], got["height"], got["css"], got["cssHeight"])
	}
	size := eval[map[string]int](t, b, `drawbridge.size()`)
	if size["cols"] < 80 || size["rows"] < 20 {
		t.Fatalf("grid %dx%d at 2x, want the same fit as at 1x (at least 80x20)", size["cols"], size["rows"])
	}
	b.screenshot(t, "hidpi.png")
}
