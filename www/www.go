// Package www holds the web client's static files, embedded in the gateway
// binary so that an operator copies one file.
//
// The files at this level are hand-written and committed: index.html is
// the front door (log in, register, guest, first-start setup; front.js),
// play.html the terminal (/play; loader.js starts the client, play.js
// shows who is logged in and logs out; automation.js the dialog of
// aliases, triggers and keys, the log's buttons, sounds and notifications;
// logstore.js the rolling log in IndexedDB; guide.html the players'
// guide), api.js their shared calls to
// /api/..., i18n.js the words of every page (from the message catalogue,
// shared/i18n), style.css the look of both. No inline script or style: the
// Content-Security-Policy forbids them. Every URL in them is relative
// (api/login, dist/client.wasm, play), so that the site works the same at
// the root and under a path prefix (web.base_path, behind the game's own
// web server).
//
// dist/ holds what `make wasm` (go run ./www/build) produces: the
// Go/Ebitengine terminal client and wasm_exec.js from the Go toolchain,
// under names that carry their content's hash (client.<hash>.wasm,
// wasm_exec.<hash>.js), each with brotli (.br) and gzip (.gz) copies, and
// manifest.json, which maps the logical names to the hashed ones. The pages
// refer to the logical names (dist/client.wasm); the gateway rewrites them
// when it starts, serves the compressed copies to browsers that accept
// them, and lets browsers cache the hashed names for a year. Only a
// placeholder is committed in dist/, so `go build ./...` works on a fresh
// clone; a gateway built that way serves a page that says the client is
// not built.
package www

import (
	"embed"
	"io/fs"
)

//go:embed index.html play.html reset.html admin.html style.css loader.js api.js forms.js front.js reset.js admin.js play.js automation.js logstore.js i18n.js guide.html favicon.svg font-license.txt all:dist
var files embed.FS

// FS returns the web client's files, rooted at the site's root.
func FS() fs.FS { return files }
