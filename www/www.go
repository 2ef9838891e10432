// Package www holds the web client's static files, embedded in the gateway
// binary so that an operator copies one file.
//
// The files at this level are hand-written and committed. dist/ holds what
// `make build` produces: client.wasm (the Go/Ebitengine terminal client),
// its gzip copy client.wasm.gz, and wasm_exec.js from the Go toolchain.
// Only a placeholder is committed there, so `go build ./...` works on a
// fresh clone; a gateway built that way serves a page that says the client
// is not built.
package www

import (
	"embed"
	"io/fs"
)

//go:embed index.html style.css loader.js favicon.svg all:dist
var files embed.FS

// FS returns the web client's files, rooted at the site's root.
func FS() fs.FS { return files }
