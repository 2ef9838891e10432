//go:build js && wasm

package dom

import (
	"syscall/js"

	"github.com/drawbridge/drawbridge/wasmclient/term"
)

// Command links (MXP's <SEND>) and their menus. A click on a command link
// sends its first command as if typed (OpenLink), or puts it into the
// command line for a link that asks for that; a right-click or long
// press opens its menu (LinkMenu), a list of buttons over the screen,
// one per command, that the keyboard can walk (arrows, Enter, Escape).

// sendCommand sends cmd as a line the player typed, or puts it into the
// command line (prompt). Nothing is sent while the game masks input (a
// password is being typed) or in character mode.
func (p *Page) sendCommand(cmd string, prompt bool) {
	if p.charMode || p.masked {
		p.Toast(p.msg.T("client.link.masked"))
		return
	}
	if prompt {
		p.input.Set("value", cmd)
		p.Focus()
		return
	}
	select {
	case p.commands <- cmd:
	default:
	}
}

// Commands returns the channel of commands the game's links and buttons
// (MXP links and menus, the room panel's exits) send: each is one line
// for the game as it is, never split at the separator nor expanded by
// aliases, so that text the game put in it cannot add commands.
func (p *Page) Commands() <-chan string { return p.commands }

// LinkMenu opens the menu of command link uri at x, y (CSS pixels from
// the viewport's corner). A link that is not a command link opens none.
func (p *Page) LinkMenu(uri string, x, y float64) {
	c, ok := term.ParseCommandLink(uri)
	if !ok {
		return
	}
	m := p.menu
	m.Set("textContent", "")
	if c.Hint != "" {
		m.Call("setAttribute", "aria-label", c.Hint)
	} else {
		m.Call("setAttribute", "aria-label", p.msg.T("client.link.choices"))
	}
	for i := range c.Commands {
		b := p.doc.Call("createElement", "button")
		b.Set("type", "button")
		b.Call("setAttribute", "role", "menuitem")
		b.Set("textContent", c.Label(i))
		b.Call("setAttribute", "translate", "no") // the game's words
		if c.Label(i) != c.Commands[i] {
			b.Set("title", c.Commands[i])
		}
		b.Get("dataset").Set("cmd", c.Commands[i])
		m.Call("appendChild", b)
	}
	if c.Prompt {
		m.Call("setAttribute", "data-prompt", "1")
	} else {
		m.Call("removeAttribute", "data-prompt")
	}
	m.Set("hidden", false)
	// Keep the menu on the page: flip it left or up when it would spill.
	vw, vh := js.Global().Get("innerWidth").Float(), js.Global().Get("innerHeight").Float()
	w, h := m.Get("offsetWidth").Float(), m.Get("offsetHeight").Float()
	if x+w > vw {
		x = max(0, vw-w)
	}
	if y+h > vh {
		y = max(0, y-h)
	}
	st := m.Get("style")
	st.Set("left", js.ValueOf(x).String()+"px")
	st.Set("top", js.ValueOf(y).String()+"px")
	m.Get("firstElementChild").Call("focus")
}

// closeMenu hides the menu; focus goes back to the command line.
func (p *Page) closeMenu() {
	if p.menu.Get("hidden").Bool() {
		return
	}
	p.menu.Set("hidden", true)
	p.menu.Set("textContent", "")
	p.Focus()
}

// bindMenu makes the menu's buttons send, the keyboard walk it, and a
// press anywhere else or Escape close it.
func (p *Page) bindMenu() {
	p.on(p.menu, "click", func(e js.Value) {
		b := e.Get("target").Call("closest", "button[data-cmd]")
		if !b.Truthy() {
			return
		}
		prompt := p.menu.Call("hasAttribute", "data-prompt").Bool()
		cmd := b.Get("dataset").Get("cmd").String()
		p.closeMenu()
		p.sendCommand(cmd, prompt)
	})
	p.on(p.menu, "keydown", func(e js.Value) {
		items := p.menu.Call("querySelectorAll", "button")
		n := items.Get("length").Int()
		at := -1
		for i := range n {
			if items.Index(i).Equal(p.doc.Get("activeElement")) {
				at = i
			}
		}
		switch e.Get("key").String() {
		case "Escape", "Tab":
			e.Call("preventDefault")
			p.closeMenu()
		case "ArrowDown":
			e.Call("preventDefault")
			items.Index((at + 1) % n).Call("focus")
		case "ArrowUp":
			e.Call("preventDefault")
			items.Index((at - 1 + n) % n).Call("focus")
		}
	})
	p.on(p.doc, "pointerdown", func(e js.Value) {
		if !p.menu.Call("contains", e.Get("target")).Bool() {
			p.closeMenu()
		}
	})
}
