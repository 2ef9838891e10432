// Package dom is the client's glue to the page, through syscall/js: the
// command line (an HTML input, so IME, paste and phone keyboards work; a
// canvas gets none of those), the status line, the text mirror of the
// screen, and the functions the page exposes to tests.
//
// Everything here is called from the Ebitengine loop or from JavaScript
// event callbacks. Callbacks must not block, so what the player types is
// handed over on a buffered channel that the loop drains.
package dom
