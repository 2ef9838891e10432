// Starts the minimal Ebitengine page without the client's loader.js: no
// frame gate, Ebitengine's requestAnimationFrame as the browser has it.
"use strict";
(async () => {
  const go = new Go();
  const { instance } = await WebAssembly.instantiateStreaming(fetch("dist/client.wasm"), go.importObject);
  await go.run(instance);
})().catch((err) => console.error("minimal page:", err));
