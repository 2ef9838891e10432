//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall/js"
	"time"

	"github.com/drawbridge/drawbridge/wasmclient/automation"
	"github.com/drawbridge/drawbridge/wasmclient/dom"
	"github.com/drawbridge/drawbridge/wasmclient/profile"
)

// The player's automation in the page: the model kept in the browser
// (and in the account, through profileSync), the engine the client runs,
// and window.drawbridge.automation for the dialog (www/automation.js).

// automationKey is the localStorage key of the model.
const automationKey = "drawbridge.automation"

// automations holds the model and the engine compiled from it.
type automations struct {
	page  *dom.Page
	store dom.Storage
	prof  *profileSync // nil until set: changes are then only kept here

	mu      sync.Mutex
	model   automation.Model
	sep     string // the separator the engine was built with
	limiter *automation.Limiter
	macros  map[string]bool // the enabled macros' keys, for the page's keydown

	engine atomic.Pointer[automation.Engine] // read by the client's goroutine
}

// newAutomations loads the model kept in the browser.
func newAutomations(page *dom.Page, store dom.Storage) *automations {
	a := &automations{page: page, store: store, limiter: automation.NewLimiter(nil)}
	m := automation.Model{Version: automation.Version}
	if store != nil {
		if v := store.Get(automationKey); v != "" {
			if got, err := automation.ImportJSON([]byte(v)); err == nil {
				m = got
			} else {
				fmt.Println("drawbridge client: the automation kept in this browser does not load:", err)
			}
		}
	}
	a.install(m, page.Settings().Separator)
	return a
}

// install makes m the model and builds its engine.
func (a *automations) install(m automation.Model, sep string) {
	e, err := automation.New(m, automation.Options{Separator: sep, Limiter: a.limiter})
	if err != nil {
		fmt.Println("drawbridge client: automation items left out:", err)
	}
	keys := map[string]bool{}
	for _, mc := range m.Macros {
		if k, err := automation.ParseKey(mc.Key); err == nil {
			if _, ok, _ := e.Key(k); ok {
				keys[k] = true
			}
		}
	}
	a.mu.Lock()
	a.model, a.sep, a.macros = m, sep, keys
	a.mu.Unlock()
	if m.Items() == 0 {
		a.engine.Store(nil) // nothing to run: output skips the triggers' work
	} else {
		a.engine.Store(e)
	}
}

// Engine returns the engine in force, nil when the model is empty.
func (a *automations) Engine() *automation.Engine { return a.engine.Load() }

// separatorChanged rebuilds the engine when the player's separator
// changed (commands are split at it).
func (a *automations) separatorChanged(sep string) {
	a.mu.Lock()
	m, old := a.model, a.sep
	a.mu.Unlock()
	if sep != old {
		a.install(m, sep)
	}
}

// takesKey reports whether a macro takes a key combination.
func (a *automations) takesKey(combo string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.macros[combo]
}

// set validates, installs and keeps a model made here; changed says
// whether to tell the account.
func (a *automations) set(m automation.Model, changed bool) []string {
	m.Version = automation.Version
	if errs := m.Validate(); len(errs) > 0 {
		msg := a.page.Messages()
		out := make([]string, len(errs))
		for i, e := range errs {
			out[i] = automation.Localize(msg, e)
		}
		return out
	}
	a.install(m, a.page.Settings().Separator)
	b, err := json.Marshal(m)
	if err != nil {
		return []string{why(a.page.Messages(), err)} // a bug: a model always encodes
	}
	if a.store != nil {
		a.store.Set(automationKey, string(b))
	}
	if changed && a.prof != nil {
		a.prof.change(profile.Automation, b)
	}
	return nil
}

// fromAccount installs a model from another device.
func (a *automations) fromAccount(data json.RawMessage) {
	m, err := automation.ImportJSON(data)
	if err != nil {
		msg := a.page.Messages()
		a.page.Toast(msg.T("client.sync.automation_unreadable", "why", automation.Localize(msg, err)))
		return
	}
	a.set(m, false)
}

// current returns the model as JSON (for the account's first copy).
func (a *automations) current() json.RawMessage {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.model.Items() == 0 && len(a.model.Groups) == 0 {
		return nil
	}
	b, _ := json.Marshal(a.model)
	return b
}

// numpadGroup is the group of the default keypad walking macros.
func numpadGroup() string {
	if g := automation.DefaultNumpadWalk().Groups; len(g) > 0 {
		return g[0].Name
	}
	return ""
}

// numpad turns the keypad walking macros on or off, adding them first.
func (a *automations) numpad(on bool) []string {
	a.mu.Lock()
	m := a.model
	a.mu.Unlock()
	group := numpadGroup()
	has := false
	for _, mc := range m.Macros {
		has = has || mc.Group == group
	}
	if !has {
		merged, _, err := automation.Merge(m, automation.DefaultNumpadWalk())
		if err != nil {
			return []string{automation.Localize(a.page.Messages(), err)}
		}
		m = merged
	}
	groups := make([]automation.Group, 0, len(m.Groups)+1)
	for _, g := range m.Groups {
		if g.Name != group {
			groups = append(groups, g)
		}
	}
	m.Groups = append(groups, automation.Group{Name: group, Enabled: on})
	return a.set(m, true)
}

// importText merges a JSON export or a Mudlet package into the model.
func (a *automations) importText(text string, mudlet bool) map[string]any {
	var (
		in     automation.Model
		report []string
		err    error
	)
	msg := a.page.Messages()
	if mudlet {
		var rep automation.Report
		in, rep, err = automation.ImportMudlet(strings.NewReader(text))
		report = rep.Localize(msg)
	} else {
		in, err = automation.ImportJSON([]byte(text))
	}
	if err != nil {
		return map[string]any{"ok": false, "errors": []any{automation.Localize(msg, err)}}
	}
	a.mu.Lock()
	m := a.model
	a.mu.Unlock()
	merged, rep, err := automation.Merge(m, in)
	if err != nil {
		return map[string]any{"ok": false, "errors": []any{automation.Localize(msg, err)}}
	}
	if errs := a.set(merged, true); errs != nil {
		return map[string]any{"ok": false, "errors": toAny(errs)}
	}
	summary := msg.T("client.import.added", "aliases", msg.T("client.count.aliases", "n", rep.Aliases),
		"triggers", msg.T("client.count.triggers", "n", rep.Triggers), "keys", msg.T("client.count.keys", "n", rep.Macros))
	if rep.Duplicates > 0 {
		summary = msg.T("client.import.duplicates", "summary", summary, "n", rep.Duplicates)
	}
	if len(report) > 0 {
		summary = msg.T("client.import.notes", "summary", summary, "n", len(report))
	}
	return map[string]any{"ok": true, "summary": summary, "report": toAny(report)}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// expose publishes window.drawbridge.automation for the dialog.
func (a *automations) expose(log *sessionLog) {
	ret := func(v any) any {
		b, _ := json.Marshal(v)
		return string(b)
	}
	arg := func(args []js.Value) string {
		if len(args) == 0 {
			return ""
		}
		return args[0].String()
	}
	a.page.ExposeObject("automation", map[string]func(args []js.Value) any{
		"get": func([]js.Value) any {
			a.mu.Lock()
			defer a.mu.Unlock()
			return ret(a.model)
		},
		"set": func(args []js.Value) any {
			var m automation.Model
			if err := json.Unmarshal([]byte(arg(args)), &m); err != nil {
				return ret(map[string]any{"ok": false, "errors": []any{why(a.page.Messages(), err)}}) // the dialog's, so a bug
			}
			automation.FillIDs(&m)
			if errs := a.set(m, true); errs != nil {
				return ret(map[string]any{"ok": false, "errors": toAny(errs)})
			}
			return ret(map[string]any{"ok": true, "errors": []any{}})
		},
		"importJSON":   func(args []js.Value) any { return ret(a.importText(arg(args), false)) },
		"importMudlet": func(args []js.Value) any { return ret(a.importText(arg(args), true)) },
		"numpad": func(args []js.Value) any {
			on := len(args) > 0 && args[0].Truthy()
			return ret(map[string]any{"ok": true, "errors": toAny(a.numpad(on))})
		},
		"numpadGroup": func([]js.Value) any { return numpadGroup() },
		"log": func(args []js.Value) any {
			html := arg(args) == "html"
			name, typ := "drawbridge-log-"+time.Now().Format("2006-01-02-1504")+".txt", "text/plain;charset=utf-8"
			if html {
				name, typ = strings.TrimSuffix(name, ".txt")+".html", "text/html;charset=utf-8"
			}
			return ret(map[string]any{"name": name, "type": typ, "text": log.Render(html, "Drawbridge: "+time.Now().Format("2 Jan 2006 15:04"))})
		},
	})
}

// keepLog hands the log's finished lines to the browser's rolling log
// (www/logstore.js, IndexedDB) every few seconds, when the page is idle,
// and at once when the page is hidden or left. The page's timers drive
// it (setInterval, requestIdleCallback), on the page's thread.
func keepLog(page *dom.Page, log *sessionLog) {
	page.OnHide(func() { storeLog(log) })
	page.EveryIdle(3000, func() { storeLog(log) })
}

// storeLog hands the lines finished since the last time to the rolling
// log, and returns how many.
func storeLog(log *sessionLog) int {
	lines := log.TakeNew()
	if len(lines) == 0 {
		return 0
	}
	// [[at, kind, text], ...]: compact, and quick to encode here and to
	// parse there.
	b := []byte{'['}
	for i, l := range lines {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendInt(b, l.Time.UnixMilli(), 10)
		b = append(b, `,"`...)
		b = append(b, l.Kind.String()...)
		b = append(b, `",`...)
		t, _ := json.Marshal(l.Text) // a string always encodes
		b = append(b, t...)
		b = append(b, ']')
	}
	dom.StoreLog(string(append(b, ']')))
	return len(lines)
}
