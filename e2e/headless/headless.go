// Package headless starts Chromium the way Drawbridge's browser tests and
// benchmarks need it: headless, drawing WebGL (which Ebitengine needs) on
// SwiftShader because test machines have no GPU, kept off the network,
// with a fresh profile. ../shared/notes/browser-client.md in the
// handbook has why each flag is there.
package headless

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Find returns the browser to use: path if given, else
// $DRAWBRIDGE_CHROMIUM, else Chromium or Chrome on PATH.
func Find(path string) (string, error) {
	if path != "" {
		return path, nil
	}
	if p := os.Getenv("DRAWBRIDGE_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium found: install it (Debian: apt-get install chromium) or set DRAWBRIDGE_CHROMIUM")
}

// Options are the allocator options for the browser at path with its
// profile in dir; add the caller's own (a certificate to trust, say).
func Options(path, dir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.NoSandbox,
		chromedp.Flag("headless", "new"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		// WebGL on the CPU: Ebitengine needs WebGL, and there is no GPU.
		// --disable-gpu would turn WebGL off and leave a black page.
		chromedp.Flag("use-angle", "swiftshader"),
		chromedp.Flag("enable-unsafe-swiftshader", true),
		// The network is closed: keep the browser from trying.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
	}
}

// Console keeps the last lines a page printed and the exceptions it
// threw, for error reports. The zero value is ready.
type Console struct {
	mu    sync.Mutex
	lines []string
}

// maxConsole bounds what a Console keeps.
const maxConsole = 40

// Follow keeps what the tab of ctx prints from now on, until it closes.
func (c *Console) Follow(ctx context.Context) {
	calls := chromedp.Events(ctx, runtime.ConsoleAPICalled)
	thrown := chromedp.Events(ctx, runtime.ExceptionThrown)
	go func() {
		for ev, err := range calls {
			if err != nil {
				return
			}
			var parts []string
			for _, a := range ev.Args {
				if a.Value != nil {
					parts = append(parts, string(a.Value))
				} else {
					parts = append(parts, a.Description)
				}
			}
			c.add(string(ev.Type) + ": " + strings.Join(parts, " "))
		}
	}()
	go func() {
		for ev, err := range thrown {
			if err != nil {
				return
			}
			msg := ev.ExceptionDetails.Text
			if ex := ev.ExceptionDetails.Exception; ex != nil {
				msg += " " + ex.Description
			}
			c.add("exception: " + msg)
		}
	}()
}

func (c *Console) add(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines = append(c.lines, line)
	if len(c.lines) > maxConsole {
		c.lines = c.lines[len(c.lines)-maxConsole:]
	}
}

// String returns the lines kept, one a line.
func (c *Console) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.lines) == 0 {
		return "(the page printed nothing)"
	}
	return strings.Join(c.lines, "\n")
}
