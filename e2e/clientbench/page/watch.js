// Times one flood in a page, for make bench-client. The benchmark
// evaluates this function in the page just before it sends the first
// message; src names the client's object (window.drawbridge or
// window.xtermbench, both with stats() -> {frames, bytes}) and total is
// the stream's length. The result lands in window.__bench, and
// window.__benchDone is a promise of it, so the benchmark need not poll.
//
// The flood ends when every byte has been applied and a frame drawn after
// that. Both clients draw only frames with something new, on animation
// frames, so this polls on animation frames too:
//   - when the bytes are first seen complete, a frame drawn at a later
//     poll is the one that shows them: the flood ends at that poll;
//   - when no frame follows (10 polls and 250 ms), the frame that showed
//     the last bytes was drawn before they were seen complete: the flood
//     ends at that poll.
// Either way the end is at most one animation frame late, for both
// clients alike.
(function watch(src, total) {
  "use strict";
  const client = window[src];
  const s0 = client.stats();
  const b = { t0: performance.now(), frames0: s0.frames, bytes0: s0.bytes, done: false };
  window.__bench = b;
  let resolve;
  window.__benchDone = new Promise((r) => { resolve = r; });
  let seen = null; // {t, frames} when the bytes were first seen complete
  let polls = 0;
  // The longest wait for a frame during the flood, from t0 to the end:
  // how long the page looked frozen.
  let lastFrames = s0.frames;
  let lastFrameAt = b.t0;
  b.maxGap = 0;
  const gap = (t, frames) => {
    if (frames > lastFrames) {
      b.maxGap = Math.max(b.maxGap, t - lastFrameAt);
      lastFrames = frames;
      lastFrameAt = t;
    }
  };
  const finish = (t, frames, how) => {
    Object.assign(b, { done: true, tEnd: t, frames: frames - b.frames0, how });
    resolve(b);
  };
  const poll = () => {
    const t = performance.now();
    const s = client.stats();
    b.bytes = s.bytes - b.bytes0;
    if (seen === null) {
      gap(t, s.frames);
      if (b.bytes >= total) seen = { t, frames: s.frames };
    } else if (s.frames > seen.frames) {
      gap(t, s.frames);
      finish(t, s.frames, "next frame");
      return;
    } else if (++polls >= 10 && t - seen.t >= 250) {
      finish(seen.t, seen.frames, "already drawn");
      return;
    }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
  return true;
})
