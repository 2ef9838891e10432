// Times one flood in a page, for make bench-client. The benchmark
// evaluates this function in the page just before it sends the first
// message; src names the client's object (window.drawbridge or
// window.xtermbench, both with stats() -> {bytes} and drawn() -> {frames,
// ms, bytes}: frames drawn, the page time of the last and the bytes
// applied when it was drawn) and total is the stream's length. The result
// lands in window.__bench, and window.__benchDone is a promise of it, so
// the benchmark need not poll.
//
// The flood ends at the page time of the first frame drawn with every
// byte applied, as the client's draw hook recorded it (Drawbridge: its
// OnDraw; xterm.js: onRender). This polls drawn() on every animation
// frame; both clients draw on animation frames, so a poll sees at most
// one new frame, and when it sees more (how: "maybe a frame late") the
// end is the last one's. The longest wait for a frame runs from one
// frame's time to the next, the first from the start: how long the page
// looked frozen. A flood whose last bytes are not drawn within
// undrawnMs of their being applied ends there, how: "not drawn".
(function watch(src, total, undrawnMs) {
  "use strict";
  const client = window[src];
  // The browser's own, not a page's wrapper (see wasmmem.js).
  const raf = window.__benchRAF || window.requestAnimationFrame.bind(window);
  const d0 = client.drawn();
  const b = { t0: performance.now(), frames0: d0.frames, bytes0: client.stats().bytes, done: false, maxGap: 0, bytes: 0 };
  window.__bench = b;
  let resolve;
  window.__benchDone = new Promise((r) => { resolve = r; });
  let lastFrames = d0.frames;
  let lastFrameAt = b.t0;
  let appliedAt = 0;
  const poll = () => {
    const d = client.drawn();
    const t = performance.now();
    b.bytes = client.stats().bytes - b.bytes0;
    if (b.bytes >= total && appliedAt === 0) appliedAt = t;
    const fresh = d.frames - lastFrames;
    if (fresh > 0) {
      b.maxGap = Math.max(b.maxGap, d.ms - lastFrameAt);
      lastFrames = d.frames;
      lastFrameAt = d.ms;
    }
    if (d.bytes - b.bytes0 >= total) {
      Object.assign(b, { done: true, tEnd: d.ms, frames: d.frames - b.frames0, how: fresh > 1 ? "maybe a frame late" : "drawn" });
      resolve(b);
      return;
    }
    if (appliedAt > 0 && t - appliedAt >= undrawnMs) {
      b.maxGap = Math.max(b.maxGap, t - lastFrameAt);
      Object.assign(b, { done: true, tEnd: t, frames: d.frames - b.frames0, how: "not drawn" });
      resolve(b);
      return;
    }
    raf(poll);
  };
  raf(poll);
  return true;
})
