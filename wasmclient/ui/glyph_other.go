//go:build !js

package ui

// systemTextDrawer returns nil outside the browser: there the glyphs the
// bundled font lacks are drawn as boxes (tests give Fonts a fake drawer).
func systemTextDrawer() textDrawer { return nil }
