// Starts the Go/WebAssembly terminal client. Everything else happens in Go
// (wasmclient/); this file only fetches and instantiates the module and
// reports a failure to load in the status line.
//
// The client reads the page's language from the document's lang, which
// www/i18n.js sets once it has read the message catalogue: so the Go
// program starts only after that (the module is fetched and compiled
// meanwhile, not after), and the status line's words come from the
// catalogue too.
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
// times an idle DOM terminal's CPU. And while a frame is asked for, the
// browser runs it before anything else that follows input: a key's echo
// arriving from the game waits for the next frame (up to 16 ms, and the
// frame's own time) before the page even sees it. So the gate lets a
// request through only when something may need drawing since the last
// frame it let through: output or a setting (the client calls wake),
// pointer input, a resize, the page shown again. Otherwise the request is
// held until then: an idle page, or one between keystrokes, runs no
// frames at all. Keys need no frame of their own: the client wakes the
// gate when a key changes the screen, as the game's echo does. Only
// Ebitengine's requests are held: it takes requestAnimationFrame once,
// when its package starts, so the page's requestAnimationFrame is the
// gate only while the client starts (see below) and other scripts get
// the browser's own.
(() => {
  const raf = window.requestAnimationFrame.bind(window);
  let woken = true; // a wake came since the last frame let through
  let held = []; // requests waiting for a wake
  let ran = 0; // animation frames let through, for tests
  const run = (cb) => raf((t) => {
    ran++;
    woken = false; // a wake from here on asks for another frame
    cb(t);
  });
  window.drawbridgeFrames = {
    // request is the gated requestAnimationFrame.
    request(cb) {
      if (woken) return run(cb);
      held.push(cb);
      return 0;
    },
    wake() {
      woken = true;
      const cbs = held;
      held = [];
      for (const cb of cbs) run(cb);
    },
    // stats: animation frames let through, and requests held.
    stats: () => ({ ran, held: held.length }),
  };
  for (const type of ["pointerdown", "pointermove", "pointerup", "wheel", "touchstart", "touchmove", "resize", "focus", "visibilitychange"]) {
    window.addEventListener(type, () => window.drawbridgeFrames.wake(), { capture: true, passive: true });
  }
})();

// The WebSocket's messages, gathered in the page for the client
// (wasmclient/link). Handing each message to Go on its own costs a call
// into the Go program and several JavaScript values it must track: 15%
// of a flood's time in a DevTools profile of make bench-client, which
// delivers 5 MiB in 4 KiB messages. drawbridgeInbox(ws, notify, limit)
// keeps the binary messages here and calls notify() when one arrives
// with none waiting before it, so the client is woken once and then
// takes everything that came meanwhile, in one array, with take(). A
// client that falls more than limit bytes behind is told with
// notify(true), once, and later messages are dropped (it closes the
// socket). Messages keep their order; the socket's close event comes
// after the last of them, as the browser fires it.
window.drawbridgeInbox = (ws, notify, limit) => {
  let waiting = [];
  let bytes = 0;
  let overflow = false;
  ws.addEventListener("message", (ev) => {
    if (typeof ev.data === "string" || overflow) return; // the gateway sends only binary frames
    waiting.push(new Uint8Array(ev.data));
    bytes += ev.data.byteLength;
    if (bytes > limit) {
      overflow = true;
      notify(true);
    } else if (waiting.length === 1) {
      notify();
    }
  });
  return {
    // take returns the messages waiting in one array: their count and
    // each one's length as little-endian uint32s, then the messages,
    // one after the other; or null when none are.
    take() {
      const n = waiting.length;
      if (n === 0) return null;
      const head = 4 * (1 + n);
      const out = new Uint8Array(head + bytes);
      const view = new DataView(out.buffer);
      view.setUint32(0, n, true);
      let at = head;
      waiting.forEach((m, i) => {
        view.setUint32(4 * (1 + i), m.length, true);
        out.set(m, at);
        at += m.length;
      });
      waiting = [];
      bytes = 0;
      return out;
    },
  };
};

// No gamepads. Ebitengine asks navigator.getGamepads() on every frame;
// the first call makes the browser poll the gamepads (Chromium: a thread
// in the browser process, about 200 times a second) for as long as the
// page is open, which alone costs about what an idle xterm.js page does.
// A terminal has no use for gamepads, so Ebitengine is told there are
// none. This must come before the client starts.
if (typeof navigator === "object" && "getGamepads" in navigator) {
  navigator.getGamepads = () => [];
}

// The catalogue, read: i18n.js's t once its ready has resolved (it never
// rejects). This is a classic script, so the module comes by import(),
// which shares the page's modules' instance. Should i18n.js itself fail to
// load, the status line shows the message's key rather than nothing.
const words = import("./i18n.js").then(
  async (m) => {
    await m.ready;
    return m.t;
  },
  (err) => {
    console.error(err);
    return (key) => key;
  },
);

(async () => {
  const status = document.getElementById("status");
  // After the catalogue is read (which translates the page, the status
  // line's first words included), so that a failure is not overwritten.
  // say is given t and returns the words.
  const fail = async (say) => {
    status.textContent = say(await words);
    status.dataset.state = "error";
  };
  if (typeof WebAssembly !== "object") {
    await fail((t) => t("play.loader.no_wasm"));
    return;
  }
  if (typeof Go !== "function") {
    await fail((t) => t("play.loader.not_built"));
    return;
  }
  try {
    const go = new Go();
    const resp = await fetch("dist/client.wasm");
    if (!resp.ok) {
      await fail((t) => t("play.loader.http_error", { status: resp.status }));
      return;
    }
    const { instance } = await WebAssembly.instantiateStreaming(resp, go.importObject);
    // When the module was fetched and compiled, for the first frame's
    // budget (make bench-client; DevTools shows marks in its timeline).
    performance.mark("drawbridge:compiled");
    // The client reads the language as it starts: the catalogue first
    // (read by now, as a rule: it is smaller than the module).
    const t = await words;
    status.textContent = t("play.loader.starting");
    // go.run starts the Go program at once: its packages start (and
    // Ebitengine takes the gated requestAnimationFrame) before it
    // returns its promise.
    const native = window.requestAnimationFrame;
    window.requestAnimationFrame = window.drawbridgeFrames.request;
    const getContext = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (type, attrs) {
      // Ebitengine only copies its finished frame onto the canvas:
      // multisampling and a depth buffer (WebGL's defaults) buy it
      // nothing, and cost every frame (resolving four samples a
      // pixel, clearing the depth buffer), which on SwiftShader is
      // CPU time.
      if (type === "webgl2") attrs = Object.assign({}, attrs, { antialias: false, depth: false });
      return getContext.call(this, type, attrs);
    };
    let running;
    try {
      running = go.run(instance);
    } finally {
      window.requestAnimationFrame = native;
      HTMLCanvasElement.prototype.getContext = getContext;
    }
    await running;
    await fail((t) => t("play.loader.stopped"));
  } catch (err) {
    console.error(err);
    await fail((t) => t("play.loader.failed", { error: err.message }));
  }
})();
