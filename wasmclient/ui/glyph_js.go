//go:build js

package ui

import "syscall/js"

// systemTextDrawer returns the browser's 2D canvas as the drawer of the
// glyphs the bundled font lacks.
func systemTextDrawer() textDrawer { return &canvasDrawer{} }

// whenIdle runs f on the page's thread once the browser is idle
// (requestIdleCallback, at most a second later; setTimeout where there
// is none).
func whenIdle(f func()) {
	var cb js.Func
	cb = js.FuncOf(func(js.Value, []js.Value) any {
		cb.Release()
		f()
		return nil
	})
	if ric := js.Global().Get("requestIdleCallback"); ric.Type() == js.TypeFunction {
		js.Global().Call("requestIdleCallback", cb, map[string]any{"timeout": 1000})
		return
	}
	js.Global().Call("setTimeout", cb, 0)
}

// browserLanguage is the player's preferred language, navigator.language
// (HTML Living Standard, section 8.9.1.5), or "" where there is none.
func browserLanguage() string {
	if nav := js.Global().Get("navigator"); nav.Truthy() {
		if l := nav.Get("language"); l.Type() == js.TypeString {
			return l.String()
		}
	}
	return ""
}

// canvasDrawer draws text with the browser's fonts on a 2D canvas (an
// OffscreenCanvas where there is one, else a detached <canvas>) and reads
// the pixels back (HTML Living Standard, section 4.12.5, "The 2D
// rendering context": fillText, measureText, getImageData). The context
// is made with willReadFrequently, so it lives in memory and reading it
// back does not wait for the GPU. Each glyph costs a handful of calls
// through syscall/js, once: the atlas keeps the result.
type canvasDrawer struct {
	ctx    js.Value
	w, h   int    // the canvas's size
	font   string // the context's font, set only when it changes
	broken bool   // no 2D canvas in this browser: draw nothing
	buf    []byte
}

// ensure makes the canvas at least w x h pixels, reporting whether there
// is one.
func (c *canvasDrawer) ensure(w, h int) bool {
	if c.broken {
		return false
	}
	if !c.ctx.IsUndefined() && w <= c.w && h <= c.h {
		return true
	}
	w, h = max(w, c.w), max(h, c.h)
	var canvas js.Value
	if oc := js.Global().Get("OffscreenCanvas"); oc.Truthy() {
		canvas = oc.New(w, h)
	} else if doc := js.Global().Get("document"); doc.Truthy() {
		canvas = doc.Call("createElement", "canvas")
		canvas.Set("width", w)
		canvas.Set("height", h)
	} else {
		c.broken = true
		return false
	}
	ctx := canvas.Call("getContext", "2d", map[string]any{"willReadFrequently": true})
	if !ctx.Truthy() {
		c.broken = true
		return false
	}
	ctx.Set("textBaseline", "alphabetic")
	ctx.Set("textAlign", "left")
	ctx.Set("fillStyle", "#fff")
	c.ctx, c.w, c.h, c.font = ctx, w, h, ""
	return true
}

func (c *canvasDrawer) drawText(text, font string, w, h, baseline int) []byte {
	if w <= 0 || h <= 0 || !c.ensure(w, h) {
		return nil
	}
	if font != c.font {
		c.ctx.Set("font", font)
		c.font = font
	}
	m := c.ctx.Call("measureText", text)
	width := m.Get("width").Float()
	ascent := m.Get("actualBoundingBoxAscent").Float()
	descent := m.Get("actualBoundingBoxDescent").Float()
	scale := fitScale(width, ascent, descent, w, h, baseline)
	c.ctx.Call("setTransform", 1, 0, 0, 1, 0, 0)
	c.ctx.Call("clearRect", 0, 0, c.w, c.h)
	c.ctx.Call("setTransform", scale, 0, 0, scale, (float64(w)-width*scale)/2, baseline)
	c.ctx.Call("fillText", text, 0, 0)
	data := c.ctx.Call("getImageData", 0, 0, w, h).Get("data")
	if cap(c.buf) < 4*w*h {
		c.buf = make([]byte, 4*w*h)
	}
	pix := c.buf[:4*w*h]
	if js.CopyBytesToGo(pix, data) != len(pix) {
		return nil
	}
	return pix
}
