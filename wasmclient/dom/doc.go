// Package dom is the client's glue to the page, through syscall/js: the
// command line (an HTML input, so IME, paste and phone keyboards work; a
// canvas gets none of those) with its history and character mode, the key
// bar for phones, the status line, the settings dialog, the room panel,
// the text mirror of the screen and the ARIA live region, the clipboard,
// wake-up events (a page back from the background, the network back), and
// the functions the page exposes to tests.
//
// Everything here is called from the Ebitengine loop or from JavaScript
// event callbacks. Callbacks must not block, so what the player types is
// handed over on buffered channels that the client drains.
//
// The parts that need no browser (History, Settings, SplitCommands,
// TakeKey) are plain Go, tested natively.
package dom
