// Runs before any script of a page the benchmark opens (CDP
// Page.addScriptToEvaluateOnNewDocument): keeps the WebAssembly instances
// the page makes, so that window.__benchWasmBytes() can sum their linear
// memories (for Go's wasm, the instance's exports.mem). The page's own
// code sees the same functions and results as without it.
//
// It also keeps the browser's own requestAnimationFrame as
// window.__benchRAF for the benchmark's watchers (watch.js, keys.js): the
// Drawbridge page replaces requestAnimationFrame with its frame gate
// (www/loader.js), which holds requests back until the client wakes it; a
// watcher's request there would wait with them, and a watcher's
// requests through the gate would not show the client's frames as they
// come.
//
// And it notes the page times at which the page's WebSockets send and
// receive messages (window.__benchWS.after(kind, t): the first send or
// receive at or after page time t), so that keys.js can split a
// keystroke's time into the page's handling of the key, the round trip
// through the echoing server, and the client's applying and drawing of
// the echo. The last 64 of each are kept.
(() => {
  "use strict";
  window.__benchRAF = window.requestAnimationFrame.bind(window);
  const instances = [];
  for (const name of ["instantiate", "instantiateStreaming"]) {
    const f = WebAssembly[name];
    if (typeof f !== "function") continue;
    WebAssembly[name] = async function (...args) {
      const r = await f.apply(this, args);
      instances.push(r instanceof WebAssembly.Instance ? r : r.instance);
      return r;
    };
  }
  const times = { send: [], receive: [] };
  const note = (kind) => {
    const list = times[kind];
    list.push(performance.now());
    if (list.length > 64) list.shift();
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      // Before any listener of the page's: the time it arrived.
      this.addEventListener("message", () => note("receive"));
    }
    send(data) {
      note("send");
      return super.send(data);
    }
  };
  window.__benchWS = {
    after: (kind, t) => times[kind].find((x) => x >= t),
  };
  window.__benchWasmBytes = () => {
    let n = 0;
    for (const inst of instances) {
      for (const v of Object.values(inst.exports)) {
        if (v instanceof WebAssembly.Memory) n += v.buffer.byteLength;
      }
    }
    return n;
  };
})();
