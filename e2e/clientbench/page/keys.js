// Times keystrokes in a page, for make bench-client. The benchmark
// evaluates this function once in a page whose game echoes (character
// mode); src names the client's object (window.drawbridge or
// window.xtermbench), whose drawn() says {frames, ms, bytes}: how many
// frames it has drawn, the page time (performance.now()) at the last, and
// the bytes of game output applied when that frame was drawn, so in it.
//
// The function arms itself for the first key: the next byte of output is
// its echo. For each key the benchmark presses it (CDP
// Input.dispatchKeyEvent), then awaits window.__benchKeyDrawn(), which
// resolves when the echo is drawn and arms for the next key. The key's
// time is performance.now() in the
// first keydown listener of the page (window, capture phase); the echo is
// drawn at the drawn().ms of the first frame whose bytes include it,
// found by polling drawn() on every animation frame. A poll that finds
// more than one new frame cannot tell which first held the echo and
// takes the last, at most a frame late; it counts such keys in "late".
// Each key's result also splits its time at the first WebSocket message
// the page sent after the key and the first it received after that (see
// wasmmem.js): sentMs and echoMs from the key, or -1 when not seen.
// skipped counts the animation frames that began after the echo was
// received and before the frame that drew it (the polls' frame times):
// 0 when the client drew the echo in the first frame it could, -1 when
// the echo was not seen.
(function keys(src) {
  "use strict";
  const client = window[src];
  // The browser's own, not a page's wrapper (see wasmmem.js).
  const raf = window.__benchRAF || window.requestAnimationFrame.bind(window);
  let armed = null; // {want, t0, lastFrames}
  const arm = () => {
    armed = { want: client.stats().bytes + 1, lastFrames: client.drawn().frames };
  };
  window.addEventListener("keydown", () => {
    if (armed && armed.t0 === undefined) armed.t0 = performance.now();
  }, { capture: true });
  arm();
  window.__benchKeyDrawn = () => new Promise((resolve) => {
    const a = armed;
    const starts = []; // the frames' begin times the polls saw
    const poll = (t) => {
      if (t !== undefined) starts.push(t);
      const d = client.drawn();
      if (a.t0 !== undefined && d.bytes >= a.want) {
        arm();
        const ws = window.__benchWS;
        const sent = ws ? ws.after("send", a.t0) : undefined;
        const echo = sent === undefined ? undefined : ws.after("receive", sent);
        // A frame's callbacks run in one task, which the echo's message
        // cannot interrupt: the frame that drew it began after it came.
        const began = starts.filter((s) => echo !== undefined && s > echo && s <= d.ms).length;
        resolve({
          skipped: echo === undefined ? -1 : Math.max(0, began - 1),
          ms: d.ms - a.t0,
          late: d.frames - a.lastFrames > 1,
          sentMs: sent === undefined ? -1 : sent - a.t0,
          echoMs: echo === undefined ? -1 : echo - a.t0,
        });
        return;
      }
      if (d.bytes < a.want) a.lastFrames = d.frames;
      raf(poll);
    };
    raf(poll);
  });
  return true;
})
