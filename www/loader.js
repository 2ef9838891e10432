// Starts the Go/WebAssembly terminal client. Everything else happens in Go
// (wasmclient/); this file only fetches and instantiates the module and
// reports a failure to load in the status line.
"use strict";
(async () => {
  const status = document.getElementById("status");
  const fail = (msg) => {
    status.textContent = msg;
    status.dataset.state = "error";
  };
  if (typeof Go !== "function" || typeof WebAssembly !== "object") {
    fail("The client is not built or this browser lacks WebAssembly (operators: run `make build`).");
    return;
  }
  try {
    const go = new Go();
    const resp = fetch("dist/client.wasm");
    const { instance } = await WebAssembly.instantiateStreaming(resp, go.importObject);
    status.textContent = "Starting the client…";
    await go.run(instance);
    fail("The client stopped. Reload the page to start it again.");
  } catch (err) {
    console.error(err);
    fail("The client failed to load: " + err.message);
  }
})();
