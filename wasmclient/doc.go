// Command wasmclient is the Drawbridge terminal client: Go compiled to
// WebAssembly, drawn with Ebitengine in the page the gateway serves. It
// wires the terminal model (term), the connection (link), the drawing (ui),
// the page (dom) and the game's GMCP data (gmcp).
//
// The controller (client.go) applies the gateway's frames to the terminal
// in slices, yielding to the browser between them so frames and input keep
// coming during a flood; asks for a frame only when something changed
// (Ebitengine runs in its minimum FPS mode, and the page's loader holds
// animation frames back while nothing happens); sends lines, split at the
// player's command separator, or keys in character mode (keys.go); and
// feeds the live region for screen readers (announce.go) so each line of
// output is read once.
package main
