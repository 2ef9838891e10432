// Package e2e holds Drawbridge's end-to-end tests: they start the real
// gateway in-process on loopback ports, with the built-in demo game behind
// it, and drive it the way players and operators do: headless Chromium
// running the real WebAssembly client (chromedp), and plain Go clients over
// real TLS. It also holds the checks that keep the repository's layout
// honest (import rules, package documentation).
package e2e
