//go:build js && wasm

package dom

import "syscall/js"

// What the player's automation and log need of the page: macro keys from
// the command line, sounds, notifications, the rolling log in the
// browser (www/logstore.js) and the dialog's functions
// (www/automation.js).

// OnMacroKey sets take to be asked, for each key pressed in the command
// line in line mode, whether a macro takes it: the key's
// KeyboardEvent.code and the modifiers held. A key it takes does nothing
// else.
func (p *Page) OnMacroKey(take func(code string, ctrl, alt, shift, meta bool) bool) {
	p.macroKey = take
}

// macroTakes asks the macro hook about a keydown event.
func (p *Page) macroTakes(e js.Value) bool {
	if p.macroKey == nil || e.Get("isComposing").Bool() {
		return false
	}
	return p.macroKey(e.Get("code").String(), e.Get("ctrlKey").Bool(), e.Get("altKey").Bool(),
		e.Get("shiftKey").Bool(), e.Get("metaKey").Bool())
}

// ExposeObject publishes fns as window.drawbridge.<name>.<fn>, for the
// page's own scripts; call it after Expose. The functions run on the
// page's thread and must not block.
func (p *Page) ExposeObject(name string, fns map[string]func(args []js.Value) any) {
	obj := js.Global().Get("Object").New()
	for fname, fn := range fns {
		f := js.FuncOf(func(_ js.Value, args []js.Value) any { return fn(args) })
		p.funcs = append(p.funcs, f)
		obj.Set(fname, f)
	}
	db := js.Global().Get("drawbridge")
	if !db.Truthy() {
		db = js.Global().Get("Object").New()
		js.Global().Set("drawbridge", db)
	}
	db.Set(name, obj)
}

// callPage calls window.<name>(args...) if the page defines it.
func callPage(name string, args ...any) {
	if f := js.Global().Get(name); f.Type() == js.TypeFunction {
		f.Invoke(args...)
	}
}

// PlaySound plays one of the automation's sounds (www/automation.js).
func PlaySound(name string) { callPage("drawbridgeSound", name) }

// Notify shows a trigger's notification when the page is hidden
// (www/automation.js).
func Notify(text string) { callPage("drawbridgeNotify", text) }

// StoreLog hands finished log lines, as JSON, to the rolling log kept in
// the browser (www/logstore.js).
func StoreLog(lines string) { callPage("drawbridgeStoreLog", lines) }

// EveryIdle calls f (from a JavaScript callback) every ms
// milliseconds, each time once the page is idle (requestIdleCallback,
// at most a few seconds later; at once where there is none). f must not
// block.
func (p *Page) EveryIdle(ms int, f func()) {
	idle := js.FuncOf(func(js.Value, []js.Value) any {
		f()
		return nil
	})
	tick := js.FuncOf(func(js.Value, []js.Value) any {
		if ric := js.Global().Get("requestIdleCallback"); ric.Type() == js.TypeFunction {
			ric.Invoke(idle, map[string]any{"timeout": 5000})
		} else {
			f()
		}
		return nil
	})
	p.funcs = append(p.funcs, idle, tick)
	js.Global().Call("setInterval", tick, ms)
}

// OnHide calls f (from a JavaScript event) when the page is hidden or
// left: a tab switched away, a phone locked, a reload. f must not block.
func (p *Page) OnHide(f func()) {
	p.on(p.doc, "visibilitychange", func(js.Value) {
		if !Visible() {
			f()
		}
	})
	p.on(js.Global(), "pagehide", func(js.Value) { f() })
}
