// Command wasmclient is the Drawbridge terminal client: Go compiled to
// WebAssembly, drawn with Ebitengine in the page the gateway serves. It
// wires the terminal model (term), the connection (link), the drawing (ui)
// and the page (dom).
package main
