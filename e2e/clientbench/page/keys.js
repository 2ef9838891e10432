// Times keystrokes in a page, for make bench-client. The benchmark
// evaluates this function once in a page whose game echoes (character
// mode); src names the client's object (window.drawbridge or
// window.xtermbench), whose drawn() says {frames, ms, bytes}: how many
// frames it has drawn, the page time (performance.now()) at the last, and
// the bytes of game output applied when that frame was drawn, so in it.
//
// For each key the benchmark calls window.__benchKeyArm(n), which notes
// that the next n bytes of output are the echo to wait for, then presses
// the key (CDP Input.dispatchKeyEvent), then awaits
// window.__benchKeyDrawn(). The key's time is performance.now() in the
// first keydown listener of the page (window, capture phase); the echo is
// drawn at the drawn().ms of the first frame whose bytes include it,
// found by polling drawn() on every animation frame. A poll that finds
// more than one new frame cannot tell which first held the echo and
// takes the last, at most a frame late; it counts such keys in "late".
(function keys(src) {
  "use strict";
  const client = window[src];
  let armed = null; // {want, t0, lastFrames}
  window.addEventListener("keydown", () => {
    if (armed && armed.t0 === undefined) armed.t0 = performance.now();
  }, { capture: true });
  window.__benchKeyArm = (n) => {
    const d = client.drawn();
    armed = { want: client.stats().bytes + n, lastFrames: d.frames };
    return true;
  };
  window.__benchKeyDrawn = () => new Promise((resolve) => {
    const a = armed;
    const poll = () => {
      const d = client.drawn();
      if (a.t0 !== undefined && d.bytes >= a.want) {
        armed = null;
        resolve({ ms: d.ms - a.t0, late: d.frames - a.lastFrames > 1 });
        return;
      }
      if (d.bytes < a.want) a.lastFrames = d.frames;
      requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
  });
  return true;
})
