//go:build !js

package ui

// systemTextDrawer returns nil outside the browser: there the glyphs the
// bundled font lacks are drawn as boxes (tests give Fonts a fake drawer).
func systemTextDrawer() textDrawer { return nil }

// whenIdle runs f at once: outside the browser there is no page to wait
// for.
func whenIdle(f func()) { f() }

// browserLanguage is "" outside the browser.
func browserLanguage() string { return "" }
