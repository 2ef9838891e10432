//go:build js && wasm

package dom

import (
	"errors"
	"fmt"
	"syscall/js"
)

// Page is the loaded page's elements.
type Page struct {
	doc    js.Value
	status js.Value
	input  js.Value
	form   js.Value
	mirror js.Value
	screen js.Value

	lines   chan string
	keys    chan Key
	masked  bool
	history *History
	funcs   []js.Func // kept so they are not collected; the page lives as long as the program
}

// Key is a key pressed in the command line that the client handles itself
// rather than typing it (scrolling, history).
type Key int

// Keys the command line hands to the client.
const (
	KeyPageUp Key = iota + 1
	KeyPageDown
	KeyEnd // Shift+End or Ctrl+End: back to the live screen
)

// Find binds the page's elements. It fails when the page is not the
// Drawbridge page (an element is missing).
func Find() (*Page, error) {
	doc := js.Global().Get("document")
	p := &Page{doc: doc, lines: make(chan string, 64), keys: make(chan Key, 16)}
	for _, el := range []struct {
		v  *js.Value
		id string
	}{{&p.status, "status"}, {&p.input, "cmdline"}, {&p.form, "cmdform"}, {&p.mirror, "mirror"}, {&p.screen, "screen"}} {
		*el.v = doc.Call("getElementById", el.id)
		if !el.v.Truthy() {
			return nil, fmt.Errorf("page has no #%s element", el.id)
		}
	}
	p.history = LoadHistory(localStorage(), 500)
	p.bindInput()
	return p, nil
}

// Lines returns the channel of lines the player submitted.
func (p *Page) Lines() <-chan string { return p.lines }

// Keys returns the channel of special keys pressed in the command line.
func (p *Page) Keys() <-chan Key { return p.keys }

func (p *Page) bindInput() {
	submit := js.FuncOf(func(this js.Value, args []js.Value) any {
		args[0].Call("preventDefault")
		line := p.input.Get("value").String()
		select {
		case p.lines <- line:
		default:
			return nil // the client is behind: keep the line in the box, nothing is lost
		}
		p.input.Set("value", "")
		if !p.masked && !Secret(line) {
			p.history.Add(line)
		}
		p.history.Reset()
		return nil
	})
	keydown := js.FuncOf(func(this js.Value, args []js.Value) any {
		e := args[0]
		var k Key
		switch e.Get("key").String() {
		case "ArrowUp":
			if p.masked {
				return nil
			}
			p.input.Set("value", p.history.Prev(p.input.Get("value").String()))
			e.Call("preventDefault")
			return nil
		case "ArrowDown":
			if p.masked {
				return nil
			}
			p.input.Set("value", p.history.Next())
			e.Call("preventDefault")
			return nil
		case "PageUp":
			k = KeyPageUp
		case "PageDown":
			k = KeyPageDown
		case "End":
			if !e.Get("shiftKey").Bool() && !e.Get("ctrlKey").Bool() {
				return nil
			}
			k = KeyEnd
		default:
			return nil
		}
		e.Call("preventDefault")
		select {
		case p.keys <- k:
		default:
		}
		return nil
	})
	// A click on the terminal gives the command line the focus back, so
	// typing always reaches it.
	refocus := js.FuncOf(func(this js.Value, args []js.Value) any {
		p.Focus()
		return nil
	})
	p.funcs = append(p.funcs, submit, keydown, refocus)
	p.form.Call("addEventListener", "submit", submit)
	p.input.Call("addEventListener", "keydown", keydown)
	p.screen.Call("addEventListener", "pointerup", refocus)
}

// MountCanvas moves Ebitengine's canvas into the page's screen area, so the
// status bar and the command line keep their places around it.
func (p *Page) MountCanvas() error {
	canvas := p.doc.Call("querySelector", "body > canvas")
	if !canvas.Truthy() {
		canvas = p.doc.Call("querySelector", "canvas")
	}
	if !canvas.Truthy() {
		return errors.New("no canvas on the page")
	}
	// Ebitengine appends its own viewport <meta>, which would override the
	// page's (the page's keeps the command line above a phone's keyboard).
	metas := p.doc.Call("querySelectorAll", `meta[name="viewport"]`)
	for i := metas.Get("length").Int() - 1; i > 0; i-- {
		metas.Index(i).Call("remove")
	}
	canvas.Call("setAttribute", "aria-hidden", "true")
	canvas.Call("setAttribute", "tabindex", "-1")
	p.screen.Call("appendChild", canvas)
	return nil
}

// ToLogin sends the player to the front door, which shows reason.
func (p *Page) ToLogin(reason string) {
	js.Global().Get("location").Call("assign", "/?reason="+js.Global().Call("encodeURIComponent", reason).String())
}

// Focus puts the keyboard focus on the command line.
func (p *Page) Focus() { p.input.Call("focus") }

// SetInputEnabled enables or disables the command line.
func (p *Page) SetInputEnabled(on bool) {
	p.input.Set("disabled", !on)
	if on {
		p.Focus()
	}
}

// SetStatus shows the connection state in the status line. state is one of
// loading, connecting, connected, closed, error (the page's CSS colours
// the dot by it).
func (p *Page) SetStatus(state, text string) {
	p.status.Get("dataset").Set("state", state)
	p.status.Set("textContent", text)
}

// SetMasked switches the command line to a password field while the game
// echoes (it asked for a password): typing is hidden, and the line is kept
// out of history.
func (p *Page) SetMasked(on bool) {
	if on == p.masked {
		return
	}
	p.masked = on
	if on {
		p.input.Set("type", "password")
		p.input.Get("classList").Call("add", "masked")
		p.input.Set("placeholder", "Password (hidden)")
	} else {
		p.input.Set("type", "text")
		p.input.Get("classList").Call("remove", "masked")
		p.input.Set("placeholder", "Type a command and press Enter")
	}
}

// Masked reports whether the command line is masked.
func (p *Page) Masked() bool { return p.masked }

// SetMirror replaces the text mirror of the screen: a visually hidden
// element that screen readers and tests can read.
func (p *Page) SetMirror(text string) { p.mirror.Set("textContent", text) }

// Expose publishes fns as window.drawbridge.<name>, for tests and
// assistive tools. The functions must not block.
func (p *Page) Expose(fns map[string]func() any) {
	obj := js.Global().Get("Object").New()
	for name, fn := range fns {
		f := js.FuncOf(func(js.Value, []js.Value) any { return fn() })
		p.funcs = append(p.funcs, f)
		obj.Set(name, f)
	}
	js.Global().Set("drawbridge", obj)
}

// WebSocketURL returns the gateway's /ws address for this page: wss on
// https pages (ws only for plain-http development pages).
func WebSocketURL() string {
	loc := js.Global().Get("location")
	scheme := "wss:"
	if loc.Get("protocol").String() == "http:" {
		scheme = "ws:"
	}
	return scheme + "//" + loc.Get("host").String() + "/ws"
}

// Visible reports whether the page is visible (not a background tab or a
// locked phone).
func Visible() bool {
	return js.Global().Get("document").Get("visibilityState").String() == "visible"
}

// Now returns the page's clock, performance.now(): milliseconds since the
// page started loading, the clock browser benchmarks use.
func Now() float64 { return js.Global().Get("performance").Call("now").Float() }

// localStorage returns the browser's storage for this origin, or nil when
// the browser refuses it (private modes may): history then lasts only as
// long as the page.
func localStorage() Storage {
	ls := js.Global().Get("localStorage")
	if !ls.Truthy() {
		return nil
	}
	return jsStorage{ls}
}

type jsStorage struct{ v js.Value }

func (s jsStorage) Get(key string) string {
	v := s.v.Call("getItem", key)
	if v.IsNull() || v.IsUndefined() {
		return ""
	}
	return v.String()
}

// Set stores a value; a full or forbidden storage only costs persistence.
func (s jsStorage) Set(key, value string) {
	defer func() { _ = recover() }() // setItem throws QuotaExceededError
	s.v.Call("setItem", key, value)
}
