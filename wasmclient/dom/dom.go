//go:build js && wasm

package dom

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"syscall/js"
	"time"

	"github.com/drawbridge/drawbridge/shared/i18n"
	"github.com/drawbridge/drawbridge/wasmclient/term"
)

// Page is the loaded page's elements.
type Page struct {
	doc    js.Value
	msg    *i18n.Catalog // the page's language (set by www/i18n.js)
	status js.Value
	input  js.Value
	form   js.Value
	mirror js.Value
	screen js.Value

	announce js.Value
	keybar   js.Value
	histBtn  js.Value
	histList js.Value
	dialog   js.Value
	toast    js.Value
	room     js.Value
	menu     js.Value

	lines     chan string
	commands  chan string // see Commands
	keys      chan Key
	keyEvs    chan KeyEvent
	changedCh chan struct{}
	masked    bool
	charMode  bool
	// keyDownText is the character the last keydown sent (PlainKey), so
	// the field's input event that may still follow for it is not sent
	// again: a browser that does not honour preventDefault for the key's
	// character event (DevTools' Input.dispatchKeyEvent, some others)
	// types it into the field too. Cleared by the next keydown and keyup.
	keyDownText string
	ctrl        bool // the key bar's Ctrl is latched for the next key
	history     *History
	onHistory   func(line string)                                   // see OnHistory
	macroKey    func(code string, ctrl, alt, shift, meta bool) bool // see OnMacroKey
	storage     Storage
	funcs       []js.Func // kept so they are not collected; the page lives as long as the program

	mu       sync.Mutex
	settings Settings

	// wake asks the drawing side for a frame when the page hands it
	// something (a scroll key, a setting); see OnChange.
	wake func()
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
	p := &Page{doc: doc, msg: i18n.For(doc.Get("documentElement").Get("lang").String()), lines: make(chan string, 64), commands: make(chan string, 64), keys: make(chan Key, 16),
		keyEvs: make(chan KeyEvent, 64), changedCh: make(chan struct{}, 1)}
	for _, el := range []struct {
		v  *js.Value
		id string
	}{
		{&p.status, "status"}, {&p.input, "cmdline"}, {&p.form, "cmdform"}, {&p.mirror, "mirror"}, {&p.screen, "screen"},
		{&p.announce, "announce"}, {&p.keybar, "keybar"}, {&p.histBtn, "history-button"}, {&p.histList, "history-list"},
		{&p.dialog, "settings"}, {&p.toast, "toast"}, {&p.room, "room"}, {&p.menu, "link-menu"},
	} {
		*el.v = doc.Call("getElementById", el.id)
		if !el.v.Truthy() {
			return nil, fmt.Errorf("page has no #%s element", el.id)
		}
	}
	p.storage = localStorage()
	p.history = LoadHistory(p.storage, 500)
	p.settings = LoadSettings(p.storage)
	p.bindInput()
	p.bindHistory()
	p.bindKeybar()
	p.bindSettings()
	p.bindRoom()
	p.bindMenu()
	p.applyPageTheme()
	return p, nil
}

// Lines returns the channel of lines the player submitted.
func (p *Page) Lines() <-chan string { return p.lines }

// Keys returns the channel of special keys pressed in the command line.
func (p *Page) Keys() <-chan Key { return p.keys }

// KeyEvents returns the channel of keys pressed in character mode.
func (p *Page) KeyEvents() <-chan KeyEvent { return p.keyEvs }

// on adds an event listener and keeps its function alive.
func (p *Page) on(target js.Value, event string, f func(e js.Value)) {
	fn := js.FuncOf(func(this js.Value, args []js.Value) any {
		var e js.Value
		if len(args) > 0 {
			e = args[0]
		}
		f(e)
		return nil
	})
	p.funcs = append(p.funcs, fn)
	target.Call("addEventListener", event, fn)
}

// sendKey hands a character-mode key to the client, applying a latched
// Ctrl from the key bar.
func (p *Page) sendKey(k KeyEvent) {
	if p.ctrl {
		p.setCtrl(false)
		if r := []rune(k.Text); len(r) == 1 {
			k = KeyEvent{Key: k.Text, Ctrl: true}
		} else if k.Key != "" {
			k.Ctrl = true
		}
	}
	select {
	case p.keyEvs <- k:
	default: // the client is far behind: a human's key is dropped, not queued forever
	}
}

func (p *Page) bindInput() {
	p.on(p.form, "submit", func(e js.Value) {
		e.Call("preventDefault")
		if p.charMode {
			// A phone's Send key may submit without a keydown.
			p.sendKey(KeyEvent{Key: "Enter"})
			return
		}
		line := p.input.Get("value").String()
		select {
		case p.lines <- line:
		default:
			return // the client is behind: keep the line in the box, nothing is lost
		}
		p.input.Set("value", "")
		if !p.masked && !Secret(line) {
			if p.history.Add(line) && p.onHistory != nil {
				p.onHistory(line)
			}
		}
		p.history.Reset()
	})
	p.on(p.input, "keyup", func(js.Value) { p.keyDownText = "" })
	p.on(p.input, "keydown", func(e js.Value) {
		p.keyDownText = ""
		if p.charMode {
			if e.Get("isComposing").Bool() {
				return
			}
			key := e.Get("key").String()
			ctrl, alt, meta := e.Get("ctrlKey").Bool(), e.Get("altKey").Bool(), e.Get("metaKey").Bool()
			if TakeKey(key, ctrl, alt, meta) {
				e.Call("preventDefault")
				p.sendKey(KeyEvent{Key: key, Ctrl: ctrl, Alt: alt, Shift: e.Get("shiftKey").Bool()})
			} else if text, ok := PlainKey(key, ctrl, alt, meta); ok {
				e.Call("preventDefault") // the field stays empty: see PlainKey
				p.keyDownText = text
				p.sendKey(KeyEvent{Text: text})
			}
			return
		}
		if !p.masked && p.macroTakes(e) {
			e.Call("preventDefault")
			return
		}
		var k Key
		switch e.Get("key").String() {
		case "ArrowUp":
			if p.masked {
				return
			}
			p.input.Set("value", p.history.Prev(p.input.Get("value").String()))
			e.Call("preventDefault")
			return
		case "ArrowDown":
			if p.masked {
				return
			}
			p.input.Set("value", p.history.Next())
			e.Call("preventDefault")
			return
		case "PageUp":
			k = KeyPageUp
		case "PageDown":
			k = KeyPageDown
		case "End":
			if !e.Get("shiftKey").Bool() && !e.Get("ctrlKey").Bool() {
				return
			}
			k = KeyEnd
		default:
			return
		}
		e.Call("preventDefault")
		select {
		case p.keys <- k:
			p.changed()
		default:
		}
	})
	// A click on the terminal gives the command line the focus back, so
	// typing always reaches it.
	p.on(p.screen, "pointerup", func(js.Value) { p.Focus() })
	// In character mode, what the field receives as text (typing, an
	// IME's commit, a paste, a phone keyboard) goes to the game at once.
	p.on(p.input, "input", func(e js.Value) {
		if !p.charMode || e.Get("isComposing").Bool() {
			return
		}
		p.takeTyped()
	})
	p.on(p.input, "compositionend", func(js.Value) {
		if p.charMode {
			p.takeTyped()
		}
	})
}

// takeTyped sends what the field holds, in character mode, and empties it.
func (p *Page) takeTyped() {
	text := p.input.Get("value").String()
	if text == "" {
		return
	}
	p.input.Set("value", "")
	if text == p.keyDownText {
		p.keyDownText = "" // its keydown sent it already
		return
	}
	p.sendKey(KeyEvent{Text: text})
}

// bindHistory makes the history button show the recent commands, newest
// first, for phones (no Up key) and for players who prefer to pick.
func (p *Page) bindHistory() {
	p.on(p.histBtn, "click", func(js.Value) {
		if !p.histList.Get("hidden").Bool() {
			p.closeHistory(true)
			return
		}
		p.histList.Set("textContent", "")
		lines := p.history.Lines()
		if len(lines) == 0 {
			li := p.doc.Call("createElement", "li")
			li.Set("textContent", p.msg.T("client.history.empty"))
			li.Get("classList").Call("add", "empty")
			p.histList.Call("appendChild", li)
		}
		for i := len(lines) - 1; i >= 0 && i >= len(lines)-30; i-- {
			li := p.doc.Call("createElement", "li")
			b := p.doc.Call("createElement", "button")
			b.Set("type", "button")
			b.Set("textContent", lines[i])
			b.Call("setAttribute", "translate", "no") // the player's own words
			b.Get("dataset").Set("line", lines[i])
			li.Call("appendChild", b)
			p.histList.Call("appendChild", li)
		}
		p.histList.Set("hidden", false)
		p.histBtn.Call("setAttribute", "aria-expanded", "true")
		if first := p.histList.Call("querySelector", "button"); first.Truthy() {
			first.Call("focus")
		}
	})
	p.on(p.histList, "click", func(e js.Value) {
		b := e.Get("target").Call("closest", "button")
		if !b.Truthy() {
			return
		}
		p.input.Set("value", b.Get("dataset").Get("line"))
		p.closeHistory(true)
	})
	p.on(p.histList, "keydown", func(e js.Value) {
		switch e.Get("key").String() {
		case "Escape":
			p.closeHistory(true)
		case "ArrowDown", "ArrowUp":
			e.Call("preventDefault")
			sib := "nextElementSibling"
			if e.Get("key").String() == "ArrowUp" {
				sib = "previousElementSibling"
			}
			li := p.doc.Get("activeElement").Call("closest", "li")
			if li.Truthy() {
				if next := li.Get(sib); next.Truthy() {
					if b := next.Call("querySelector", "button"); b.Truthy() {
						b.Call("focus")
					}
				}
			}
		}
	})
}

func (p *Page) closeHistory(focus bool) {
	p.histList.Set("hidden", true)
	p.histBtn.Call("setAttribute", "aria-expanded", "false")
	if focus {
		p.Focus()
	}
}

// bindKeybar makes the key bar's buttons send their keys: the keys a
// phone's keyboard lacks (Esc, Tab, Ctrl, arrows).
func (p *Page) bindKeybar() {
	// Buttons must not take the focus from the field, or a phone's
	// keyboard closes at every press.
	p.on(p.keybar, "pointerdown", func(e js.Value) { e.Call("preventDefault") })
	p.on(p.keybar, "click", func(e js.Value) {
		b := e.Get("target").Call("closest", "button")
		if !b.Truthy() {
			return
		}
		key := b.Get("dataset").Get("key").String()
		if key == "Control" {
			p.setCtrl(!p.ctrl)
			return
		}
		p.sendKey(KeyEvent{Key: key, Ctrl: b.Get("dataset").Get("ctrl").Truthy()})
	})
}

func (p *Page) setCtrl(on bool) {
	p.ctrl = on
	if b := p.keybar.Call("querySelector", `[data-key="Control"]`); b.Truthy() {
		b.Call("setAttribute", "aria-pressed", fmt.Sprint(on))
	}
}

// SetCharMode switches the command line between lines (the normal state)
// and character mode, where keys go to the game as they are pressed and
// the key bar shows.
func (p *Page) SetCharMode(on bool) {
	if on == p.charMode {
		return
	}
	p.charMode = on
	p.keybar.Set("hidden", !on)
	p.histBtn.Set("disabled", on)
	p.closeHistory(false)
	p.setCtrl(false)
	p.input.Set("value", "")
	if on {
		p.input.Get("classList").Call("add", "charmode")
	} else {
		p.input.Get("classList").Call("remove", "charmode")
	}
	p.setPlaceholder()
}

// setPlaceholder says in the empty command line what typing does now.
func (p *Page) setPlaceholder() {
	text := p.msg.T("client.input.placeholder")
	switch {
	case p.charMode:
		text = p.msg.T("client.input.placeholder_keys")
	case p.masked:
		text = p.msg.T("client.input.placeholder_password")
	}
	p.input.Set("placeholder", text)
}

// CharMode reports whether the command line is in character mode.
func (p *Page) CharMode() bool { return p.charMode }

// maxAnnouncements bounds the live region: older announcements are
// removed, they have been spoken.
const maxAnnouncements = 20

// Announce has screen readers speak text once: it is added to the polite
// live region as a new paragraph (existing paragraphs are not changed, so
// nothing is read twice).
func (p *Page) Announce(text string) {
	el := p.doc.Call("createElement", "p")
	el.Set("textContent", text)
	p.announce.Call("appendChild", el)
	for p.announce.Get("childElementCount").Int() > maxAnnouncements {
		p.announce.Get("firstElementChild").Call("remove")
	}
}

// Copy puts text on the clipboard and says so in the bar.
func (p *Page) Copy(text string) {
	if text == "" {
		return
	}
	clip := js.Global().Get("navigator").Get("clipboard")
	if !clip.Truthy() {
		p.Toast(p.msg.T("client.copy.insecure"))
		return
	}
	var ok, fail js.Func
	ok = js.FuncOf(func(js.Value, []js.Value) any {
		p.Toast(p.msg.T("client.copy.done", "n", len([]rune(text))))
		ok.Release()
		fail.Release()
		return nil
	})
	fail = js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := p.msg.T("client.copy.refused")
		if len(args) > 0 && args[0].Truthy() && args[0].Get("message").Truthy() {
			msg = args[0].Get("message").String()
		}
		p.Toast(p.msg.T("client.copy.failed", "why", msg))
		ok.Release()
		fail.Release()
		return nil
	})
	clip.Call("writeText", text).Call("then", ok, fail)
}

// toastFor is how long a toast stays.
const toastFor = 2500 * time.Millisecond

// Toast shows a short message in the bar (a polite status for screen
// readers) that goes away by itself.
func (p *Page) Toast(msg string) {
	p.toast.Set("textContent", msg)
	p.toast.Set("hidden", false)
	time.AfterFunc(toastFor, func() {
		if p.toast.Get("textContent").String() == msg {
			p.toast.Set("hidden", true)
			p.toast.Set("textContent", "")
		}
	})
}

// OpenLink opens a link from the game in a new tab, without giving that
// page a handle on this one. Only http, https and mailto links open. A
// command link sends its first command (see menu.go).
func (p *Page) OpenLink(uri string) {
	if c, ok := term.ParseCommandLink(uri); ok {
		p.sendCommand(c.Commands[0], c.Prompt)
		return
	}
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto") {
		p.Toast(p.msg.T("client.link.not_opened"))
		return
	}
	js.Global().Call("open", u.String(), "_blank", "noopener,noreferrer")
}

// OnWake calls f (from a JavaScript event) when the page may have lost
// its network without noticing: it comes back from the background (a
// phone unlocked, a tab shown again) or the browser reports the network
// back. f must not block.
func (p *Page) OnWake(f func()) {
	var hiddenAt time.Time
	p.on(p.doc, "visibilitychange", func(js.Value) {
		if !Visible() {
			hiddenAt = time.Now()
			return
		}
		if !hiddenAt.IsZero() && time.Since(hiddenAt) > time.Second {
			f()
		}
	})
	p.on(js.Global(), "online", func(js.Value) { f() })
	p.on(js.Global(), "pageshow", func(e js.Value) {
		if e.Get("persisted").Bool() { // back from the back-forward cache
			f()
		}
	})
}

// SetRoom shows the room panel: the room's name, its area, and a button
// per exit that sends the exit as a command. An empty name hides it.
func (p *Page) SetRoom(name, area string, exits []string) {
	if name == "" {
		p.room.Set("hidden", true)
		return
	}
	for id, text := range map[string]string{"room-name": name, "room-area": area} {
		el := p.doc.Call("getElementById", id)
		el.Set("textContent", text)
		el.Call("setAttribute", "translate", "no") // the game's words
	}
	nav := p.doc.Call("getElementById", "room-exits")
	nav.Set("textContent", "")
	for _, e := range exits {
		b := p.doc.Call("createElement", "button")
		b.Set("type", "button")
		b.Set("textContent", e)
		b.Call("setAttribute", "translate", "no") // the game's words
		b.Call("setAttribute", "aria-label", p.msg.T("client.room.go", "exit", e))
		b.Get("dataset").Set("exit", e)
		nav.Call("appendChild", b)
	}
	p.room.Set("hidden", false)
}

// bindRoom makes the room panel's exit buttons walk.
func (p *Page) bindRoom() {
	p.on(p.room, "click", func(e js.Value) {
		b := e.Get("target").Call("closest", "button[data-exit]")
		if !b.Truthy() || p.charMode || p.masked { // never as a password
			return
		}
		select {
		case p.commands <- b.Get("dataset").Get("exit").String():
		default:
		}
		p.Focus()
	})
}

// OnHistory sets f to be called (from a JavaScript event) with each line
// that enters the command history.
func (p *Page) OnHistory(f func(line string)) { p.onHistory = f }

// History returns the command history's lines, oldest first.
func (p *Page) History() []string { return slices.Clone(p.history.Lines()) }

// SetHistory replaces the command history's lines (from another device),
// oldest first.
func (p *Page) SetHistory(lines []string) { p.history.Set(lines) }

// Settings returns the player's settings.
func (p *Page) Settings() Settings {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.settings
}

// SettingsChanged is signalled when the player changes a setting.
func (p *Page) SettingsChanged() <-chan struct{} { return p.changedCh }

// bindSettings connects the settings dialog: its controls show the
// settings, and a change is normalised, saved, shown back and signalled.
func (p *Page) bindSettings() {
	open := p.doc.Call("getElementById", "settings-button")
	if open.Truthy() {
		p.on(open, "click", func(js.Value) {
			p.showSettings()
			p.dialog.Call("showModal")
		})
	}
	p.on(p.dialog, "close", func(js.Value) { p.Focus() })
	p.on(p.dialog, "change", func(js.Value) { p.readSettings(0) })
	p.on(p.dialog, "click", func(e js.Value) {
		b := e.Get("target").Call("closest", "button")
		if !b.Truthy() {
			return
		}
		switch b.Get("dataset").Get("action").String() {
		case "font-smaller":
			p.readSettings(-1)
		case "font-larger":
			p.readSettings(1)
		case "close":
			p.dialog.Call("close")
		}
	})
}

// control returns the settings dialog's control named name.
func (p *Page) control(name string) js.Value {
	return p.dialog.Call("querySelector", `[name="`+name+`"]`)
}

// showSettings puts the settings into the dialog's controls.
func (p *Page) showSettings() {
	s := p.Settings()
	p.control("localEcho").Set("checked", s.LocalEcho)
	p.control("announce").Set("checked", s.Announce)
	p.control("separator").Set("value", s.Separator)
	p.control("theme").Set("value", s.Theme)
	p.control("fontSize").Set("value", s.FontSize)
}

// readSettings takes the dialog's values, the font size moved by step.
func (p *Page) readSettings(step float64) {
	s := Settings{
		LocalEcho: p.control("localEcho").Get("checked").Bool(),
		Announce:  p.control("announce").Get("checked").Bool(),
		Separator: p.control("separator").Get("value").String(),
		Theme:     p.control("theme").Get("value").String(),
		FontSize:  p.control("fontSize").Get("valueAsNumber").Float() + step,
	}
	p.SetSettings(s)
	p.showSettings()
}

// SetSettings normalises, applies and saves settings, and signals the
// change.
func (p *Page) SetSettings(s Settings) {
	s = s.Normalize()
	p.mu.Lock()
	p.settings = s
	p.mu.Unlock()
	SaveSettings(p.storage, s)
	p.applyPageTheme()
	select {
	case p.changedCh <- struct{}{}:
	default:
	}
	p.changed()
}

// OnChange sets f to be called (from a JavaScript event) whenever the page
// hands the drawing side something to do: a scroll key on Keys, a changed
// setting. The drawing side runs only when asked, so f asks it for a frame.
func (p *Page) OnChange(f func()) { p.wake = f }

func (p *Page) changed() {
	if p.wake != nil {
		p.wake()
	}
}

// applyPageTheme gives the page around the terminal the theme's look.
func (p *Page) applyPageTheme() {
	p.doc.Get("body").Get("dataset").Set("theme", p.Settings().Theme)
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
	// A mouse drag that leaves the canvas still reaches it (Ebitengine
	// listens on the canvas): a selection dragged past the top or bottom
	// scrolls. Touches are captured by their first target anyway.
	p.on(canvas, "pointerdown", func(e js.Value) {
		if e.Get("pointerType").String() == "mouse" {
			canvas.Call("setPointerCapture", e.Get("pointerId"))
		}
	})
	p.screen.Call("appendChild", canvas)
	return nil
}

// CanvasOrigin returns where the terminal's canvas starts on the page, in
// CSS pixels from the viewport's top-left corner.
func (p *Page) CanvasOrigin() (x, y float64) {
	r := p.screen.Call("getBoundingClientRect")
	return r.Get("left").Float(), r.Get("top").Float()
}

// ToLogin sends the player to the front door, which shows reason. The
// front door is the page's directory ("./"), the site's root or its
// path prefix.
func (p *Page) ToLogin(reason string) {
	js.Global().Get("location").Call("assign", "./?reason="+js.Global().Call("encodeURIComponent", reason).String())
}

// Messages returns the catalogue of the page's language: the lang that
// www/i18n.js set on the document before the client started.
func (p *Page) Messages() *i18n.Catalog { return p.msg }

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
	p.histBtn.Set("disabled", on || p.charMode)
	if on {
		p.closeHistory(false)
		p.input.Set("type", "password")
		p.input.Get("classList").Call("add", "masked")
		p.setPlaceholder()
	} else {
		p.input.Set("type", "text")
		p.input.Get("classList").Call("remove", "masked")
		p.setPlaceholder()
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
// https pages (ws only for plain-http development pages), beside the
// page, so that it works under a path prefix.
func WebSocketURL() string {
	loc := js.Global().Get("location")
	return webSocketURL(loc.Get("protocol").String(), loc.Get("host").String(), loc.Get("pathname").String())
}

// Visible reports whether the page is visible (not a background tab or a
// locked phone).
func Visible() bool {
	return js.Global().Get("document").Get("visibilityState").String() == "visible"
}

// yieldTask is the task Yield posts; yielded is what it signals. One goroutine (the client's) yields at a time.
var (
	yielded   = make(chan struct{}, 1)
	yieldTask js.Func
	postTask  js.Value // scheduler.postTask, where the browser has it
	yieldOpts js.Value
)

func init() {
	yieldTask = js.FuncOf(func(js.Value, []js.Value) any {
		select {
		case yielded <- struct{}{}:
		default:
		}
		return nil
	})
	if sched := js.Global().Get("scheduler"); sched.Truthy() && sched.Get("postTask").Truthy() {
		postTask = sched.Get("postTask").Call("bind", sched)
		yieldOpts = js.ValueOf(map[string]any{"priority": "user-visible"})
	}
}

// Yield gives the page's thread back to the browser for a turn: a frame
// that is due, input, the WebSocket's messages. Go in the browser keeps
// the thread until every goroutine waits, so a goroutine with a long job
// (a flood of output) calls Yield between slices of it. It posts a task
// with scheduler.postTask (user-visible priority, below input; make
// bench-client measured background priority no better) and waits for it;
// browsers without the scheduler get a zero timer, which browsers clamp
// to 4 ms after a few in a row.
func Yield() {
	if postTask.Truthy() {
		postTask.Invoke(yieldTask, yieldOpts)
	} else {
		js.Global().Call("setTimeout", yieldTask, 0)
	}
	<-yielded
}

// WakeFrames tells the page's frame gate (loader.js) that something may
// need drawing, so animation frames run at full rate again.
func WakeFrames() {
	if !frameGate.Truthy() {
		frameGate = js.Global().Get("drawbridgeFrames")
		if !frameGate.Truthy() {
			return // a page without the gate: frames run anyway
		}
	}
	frameGate.Call("wake")
}

// frameGate is loader.js's drawbridgeFrames, once found.
var frameGate js.Value

// Now returns the page's clock, performance.now(): milliseconds since the
// page started loading, the clock browser benchmarks use.
func Now() float64 { return js.Global().Get("performance").Call("now").Float() }

// LocalStorage returns the browser's storage for this origin, nil when
// the browser refuses it.
func LocalStorage() Storage { return localStorage() }

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
