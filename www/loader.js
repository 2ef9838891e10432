// Starts the Go/WebAssembly terminal client. Everything else happens in Go
// (wasmclient/); this file only fetches and instantiates the module and
// reports a failure to load in the status line.
//
// The client's files are named by their content (www/build). This file
// and play.html refer to them by their logical names (client.wasm and
// wasm_exec.js in dist/), which the gateway rewrites to the current
// build's names when it starts. Before the client is built there is
// nothing to rewrite them to: wasm_exec.js is not found and Go is not
// defined.
"use strict";
(async () => {
  const status = document.getElementById("status");
  const fail = (msg) => {
    status.textContent = msg;
    status.dataset.state = "error";
  };
  if (typeof WebAssembly !== "object") {
    fail("This browser lacks WebAssembly, which the client needs.");
    return;
  }
  if (typeof Go !== "function") {
    fail("The client is not built (operators: run `make build`).");
    return;
  }
  try {
    const go = new Go();
    const resp = await fetch("/dist/client.wasm");
    if (!resp.ok) {
      fail("The client failed to load: the server answered " + resp.status + ". Reload the page to try again.");
      return;
    }
    const { instance } = await WebAssembly.instantiateStreaming(resp, go.importObject);
    status.textContent = "Starting the client…";
    await go.run(instance);
    fail("The client stopped. Reload the page to start it again.");
  } catch (err) {
    console.error(err);
    fail("The client failed to load: " + err.message);
  }
})();
