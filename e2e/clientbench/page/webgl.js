// WebGL alone, without Ebitengine or Go: the floor under any WebGL
// terminal in this browser. webgl.run(ms, passes) draws frames as fast as
// requestAnimationFrame gives them for ms milliseconds; each frame clears
// the canvas (as big as the viewport in device pixels, with the context
// attributes Ebitengine asks for) and covers it passes times with a
// textured quad, blended, as a terminal covers it with glyphs and
// Ebitengine with its copy of the offscreen screen. It resolves to the
// frames drawn, the time taken, the longest wait for a frame (ms) and the
// canvas size.
"use strict";

(() => {
  const canvas = document.getElementById("c");
  canvas.width = Math.round(innerWidth * devicePixelRatio);
  canvas.height = Math.round(innerHeight * devicePixelRatio);
  const gl = canvas.getContext("webgl2", { alpha: true, premultipliedAlpha: true, stencil: true });
  if (!gl) throw new Error("webgl.js: no WebGL2");

  const shader = (type, src) => {
    const s = gl.createShader(type);
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error("webgl.js: " + gl.getShaderInfoLog(s));
    return s;
  };
  const prog = gl.createProgram();
  gl.attachShader(prog, shader(gl.VERTEX_SHADER, `#version 300 es
in vec2 p;
out vec2 uv;
void main() { uv = p * 0.5 + 0.5; gl_Position = vec4(p, 0.0, 1.0); }`));
  gl.attachShader(prog, shader(gl.FRAGMENT_SHADER, `#version 300 es
precision mediump float;
in vec2 uv;
uniform sampler2D t;
out vec4 o;
void main() { o = texture(t, uv) * 0.9; }`));
  gl.linkProgram(prog);
  if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) throw new Error("webgl.js: " + gl.getProgramInfoLog(prog));
  gl.useProgram(prog);
  gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer());
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
  gl.enableVertexAttribArray(0);
  gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
  gl.bindTexture(gl.TEXTURE_2D, gl.createTexture());
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, canvas.width, canvas.height, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
  gl.enable(gl.BLEND);
  gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);

  window.webgl = {
    run: (ms, passes) => new Promise((resolve) => {
      let frames = 0, t0 = 0, last = 0, maxGap = 0;
      const frame = () => {
        const now = performance.now();
        if (frames === 0) t0 = now;
        else maxGap = Math.max(maxGap, now - last);
        last = now;
        frames++;
        gl.clearColor(frames % 2, 0.5, 0.2, 1);
        gl.clear(gl.COLOR_BUFFER_BIT);
        for (let i = 0; i < passes; i++) gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
        if (now - t0 < ms) requestAnimationFrame(frame);
        else resolve({ frames, ms: now - t0, maxGapMs: maxGap, width: canvas.width, height: canvas.height });
      };
      requestAnimationFrame(frame);
    }),
  };
})();
