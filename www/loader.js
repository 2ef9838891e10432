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

// Animation frames on demand. Ebitengine asks for an animation frame on
// every frame, even when nothing changes; each one wakes the whole frame
// machinery of the browser (and here the Go runtime), which costs several
// times an idle DOM terminal's CPU. So after a second with nothing to
// draw, its frame requests are held back, and released by the next thing
// that may need drawing: output (the client calls wake), input, a resize
// or, at the latest, five seconds later. This must be installed before the
// client starts: Ebitengine takes requestAnimationFrame when it loads.
(() => {
  const raf = window.requestAnimationFrame.bind(window);
  const idleAfterMs = 1000; // no wake for this long: idle
  const heartbeatMs = 5000; // a held frame runs after this at the latest
  let lastWake = performance.now();
  let held = null;
  let timer = 0;
  const release = () => {
    clearTimeout(timer);
    timer = 0;
    const cb = held;
    held = null;
    if (cb) raf(cb);
  };
  window.drawbridgeFrames = {
    wake() {
      lastWake = performance.now();
      if (held) release();
    },
  };
  window.requestAnimationFrame = (cb) => {
    if (performance.now() - lastWake < idleAfterMs) return raf(cb);
    held = cb;
    timer = setTimeout(release, heartbeatMs);
    return 0;
  };
  for (const type of ["pointerdown", "pointermove", "pointerup", "wheel", "keydown", "touchstart", "touchmove", "resize", "focus", "visibilitychange"]) {
    window.addEventListener(type, () => window.drawbridgeFrames.wake(), { capture: true, passive: true });
  }
})();

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
    const resp = await fetch("dist/client.wasm");
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
