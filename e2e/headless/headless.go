// Package headless starts Chromium the way Drawbridge's browser tests and
// benchmarks need it: headless, drawing WebGL (which Ebitengine needs) on
// SwiftShader because test machines have no GPU, kept off the network,
// with a fresh profile. ../shared/notes/browser-client.md in the
// handbook has why each flag is there.
package headless

import (
	"errors"
	"os"
	"os/exec"

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
