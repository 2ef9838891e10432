// The xterm.js side of make bench-client: a terminal with the grid the
// benchmark asks for (?cols=&rows=, the Drawbridge client's), fed by a
// WebSocket that carries the bare stream, one term.write per message. It
// exposes window.xtermbench with the same stats() and size() as the
// Drawbridge client's window.drawbridge, so one watcher (watch.js) times
// both:
//   frames        term.onRender events (xterm.js renders on animation
//                 frames and only when something changed)
//   firstFrameMs  performance.now() at the first onRender after
//                 term.open(), which draws the empty terminal
//   bytes         bytes whose write callback has run, i.e. parsed into
//                 the buffer
// and drawn(), as window.drawbridge.drawn(): frames, and the page time and
// bytes at the last onRender (what that frame showed). What the terminal
// sends (onData: typed keys) goes to the WebSocket, where the benchmark's
// server echoes it when it times keystrokes.
"use strict";
(() => {
  const q = new URLSearchParams(location.search);
  const int = (name, def) => {
    const n = parseInt(q.get(name), 10);
    return Number.isInteger(n) && n > 0 && n <= 1000 ? n : def;
  };
  const term = new Terminal({
    cols: int("cols", 80),
    rows: int("rows", 24),
    // The Drawbridge client's font size and scrollback, so both keep
    // and lay out the same.
    fontSize: 15,
    scrollback: 10000,
  });
  let frames = 0;
  let firstFrameMs = 0;
  let bytes = 0;
  let open = false;
  let closed = "";
  let drawnMs = 0;
  let drawnBytes = 0;
  term.onRender(() => {
    drawnMs = performance.now();
    drawnBytes = bytes;
    if (++frames === 1) firstFrameMs = drawnMs;
  });
  term.open(document.getElementById("terminal"));

  const ws = new WebSocket(`ws://${location.host}/xws`);
  ws.binaryType = "arraybuffer";
  ws.addEventListener("open", () => { open = true; });
  ws.addEventListener("close", (ev) => { closed = `closed with ${ev.code} ${ev.reason}`; });
  ws.addEventListener("message", (ev) => {
    const data = new Uint8Array(ev.data);
    term.write(data, () => { bytes += data.length; });
  });
  term.onData((data) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(data);
  });

  window.xtermbench = {
    stats: () => ({ frames, firstFrameMs, bytes }),
    drawn: () => ({ frames, ms: drawnMs, bytes: drawnBytes }),
    focus: () => term.focus(),
    // bufferLines: the lines the normal buffer holds, scrollback and
    // screen.
    bufferLines: () => term.buffer.normal.length,
    size: () => ({ cols: term.cols, rows: term.rows }),
    // ready: connected, and the empty terminal is on screen.
    ready: () => open && !closed && frames > 0,
    closed: () => closed,
    // screenText: the visible screen, as the Drawbridge client's
    // drawbridge.screenText() gives it.
    screenText: () => {
      const b = term.buffer.active;
      const lines = [];
      for (let y = 0; y < term.rows; y++) {
        const line = b.getLine(b.viewportY + y);
        lines.push(line ? line.translateToString(true) : "");
      }
      return lines.join("\n");
    },
  };
})();
