//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/drawbridge/drawbridge/wasmclient/dom"
	"github.com/drawbridge/drawbridge/wasmclient/profile"
)

// Settings that follow the player (package profile): for an account, the
// display settings, the automation and the command history are stored
// by the gateway (/api/settings) and merged at start, so a phone and a
// laptop share them. A guest, or a gateway without accounts, keeps them
// in this browser only.

// profileKey is the localStorage key of this device's copy of the
// document, with each section's time of change.
const profileKey = "drawbridge.profile"

// Sync timing.
const (
	profileDebounce = 1500 * time.Millisecond // changes are gathered this long before a PUT
	historyDebounce = 20 * time.Second        // when only the history changed: a command every few seconds is not a write each
	profileRetry    = 15 * time.Second        // after a network failure
	profileTries    = 4                       // PUTs in a row lost to other devices before waiting
)

// profileSync drives a profile.Sync against the gateway.
type profileSync struct {
	page  *dom.Page
	store dom.Storage
	kick  chan struct{}
	hurry chan struct{} // see hurryUp

	mu   sync.Mutex
	s    *profile.Sync
	on   bool // the gateway keeps this player's settings
	hist []profile.HistoryLine

	// applyAutomation applies an automation section from another device.
	applyAutomation func(json.RawMessage)
	// leftOut are the sections last told to be too large to store: the
	// player hears of them once, not at every store.
	leftOut []string
}

// nowMs is the wall clock in ms since the epoch: sections from two
// devices are compared by it.
func nowMs() int64 { return time.Now().UnixMilli() }

// newProfileSync builds this device's document from what the page holds
// and the times kept with it.
func newProfileSync(page *dom.Page, store dom.Storage, automation json.RawMessage) *profileSync {
	ps := &profileSync{page: page, store: store, kick: make(chan struct{}, 1), hurry: make(chan struct{}, 1)}
	var kept profile.Doc
	if store != nil {
		kept, _ = profile.Parse([]byte(store.Get(profileKey)))
	}
	at := func(name string) int64 {
		if s, ok := kept[name]; ok {
			return s.At
		}
		return 1 // never changed here since syncing began: any stored copy is newer
	}
	doc := profile.Doc{}
	display, _ := json.Marshal(page.Settings())
	doc[profile.Display] = profile.Section{At: at(profile.Display), Data: display}
	if len(automation) > 0 {
		doc[profile.Automation] = profile.Section{At: at(profile.Automation), Data: automation}
	}
	if h, ok := kept[profile.History]; ok {
		ps.hist, _ = profile.HistoryLines(h)
	}
	if ps.hist == nil {
		for i, l := range page.History() {
			ps.hist = append(ps.hist, profile.HistoryLine{At: int64(i + 1), Line: l})
		}
	}
	doc[profile.History] = profile.HistorySection(at(profile.History), ps.hist)
	ps.s = profile.NewSync(doc)
	return ps
}

// run fetches the stored document, merges, and then stores changes as
// they come, until the gateway says it keeps none for this player.
func (ps *profileSync) run(ctx context.Context) {
	ps.checkOwner(ctx)
	for {
		status, body, err := dom.Fetch(ctx, "GET", "api/settings", nil)
		if ctx.Err() != nil {
			return
		}
		if err == nil && status == 200 {
			if ps.theirs(body) {
				break
			}
		}
		if err == nil && status != 200 && status < 500 {
			return // a guest (403), no accounts (404), logged out (401): this browser only
		}
		if !sleepCtx(ctx, profileRetry) {
			return
		}
	}
	ps.mu.Lock()
	ps.on = true
	ps.mu.Unlock()
	ps.save()
	for tries := 0; ; {
		ps.mu.Lock()
		dirty := ps.s.Dirty()
		ps.mu.Unlock()
		if !dirty {
			tries = 0
			select {
			case <-ps.kick:
			case <-ctx.Done():
				return
			}
			if !ps.gather(ctx) {
				return
			}
			continue
		}
		switch ps.put(ctx) {
		case putDone:
			tries = 0
		case putConflict:
			if tries++; tries >= profileTries && !sleepCtx(ctx, profileRetry) {
				return
			}
		case putRetry:
			if !sleepCtx(ctx, profileRetry) {
				return
			}
		case putStop:
			return
		}
	}
}

// gather waits while changes gather before a PUT: profileDebounce, or
// historyDebounce while only the history changed, cut short when
// another section changes or the page is being hidden or left. It
// reports whether ctx is still alive.
func (ps *profileSync) gather(ctx context.Context) bool {
	onlyHistory := func() bool {
		ps.mu.Lock()
		defer ps.mu.Unlock()
		return ps.s.DirtyOnly(profile.History)
	}
	wait := profileDebounce
	if onlyHistory() {
		wait = historyDebounce
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			return true
		case <-ps.hurry:
			return true
		case <-ps.kick:
			if wait == historyDebounce && !onlyHistory() {
				wait = profileDebounce
				t.Reset(wait)
			}
		case <-ctx.Done():
			return false
		}
	}
}

// hurryUp stores what is waiting now (the page is being hidden or left).
func (ps *profileSync) hurryUp() {
	select {
	case ps.hurry <- struct{}{}:
	default:
	}
}

type putResult int

const (
	putDone putResult = iota
	putConflict
	putRetry
	putStop
)

// put stores this device's copy.
func (ps *profileSync) put(ctx context.Context) putResult {
	ps.mu.Lock()
	p, err := ps.s.Put()
	ps.mu.Unlock()
	if err != nil {
		ps.page.Toast(ps.page.Messages().T("client.sync.not_saved", "why", why(ps.page.Messages(), err)))
		return putStop
	}
	if !slices.Equal(p.Left, ps.leftOut) {
		ps.leftOut = p.Left
		if len(p.Left) > 0 {
			ps.page.Toast(ps.page.Messages().T("client.sync.left_out", "what", ps.sectionNames(p.Left)))
		}
	}
	body, _ := json.Marshal(struct {
		Version  int64           `json:"version"`
		Settings json.RawMessage `json:"settings"`
	}{p.Version, p.Body})
	status, resp, err := dom.Fetch(ctx, "PUT", "api/settings", body)
	switch {
	case err != nil || status >= 500:
		return putRetry
	case status == 200:
		var r struct {
			Version int64 `json:"version"`
		}
		if json.Unmarshal(resp, &r) != nil {
			return putRetry
		}
		ps.mu.Lock()
		ps.s.Stored(p, r.Version)
		ps.mu.Unlock()
		ps.save()
		return putDone
	case status == 409:
		ps.theirs(resp)
		return putConflict
	case status == 413:
		ps.page.Toast(ps.page.Messages().T("client.sync.too_large"))
		return putStop
	}
	return putStop // logged out or no longer allowed: this browser only
}

// ownerKey is the localStorage key of who this browser's copy belongs
// to: "user:NAME", "guest:NAME", or "" where the gateway has no accounts.
const ownerKey = "drawbridge.profile.owner"

// checkOwner asks the gateway who is logged in. When it is not the
// account whose copy this browser holds (another account logged in on a
// shared browser), that account's aliases, triggers, keys and command
// history are forgotten here before anything is merged, so that they
// neither reach this player's account nor stay in their game; the look
// (theme, font size) stays with the browser. A guest's copy carries over
// to the account the guest registers or logs in to.
func (ps *profileSync) checkOwner(ctx context.Context) {
	if ps.store == nil {
		return
	}
	status, body, err := dom.Fetch(ctx, "GET", "api/session", nil)
	if err != nil || status != 200 {
		return // not logged in, or no accounts: nothing to tell apart
	}
	var r struct {
		User struct {
			Name  string `json:"name"`
			Guest bool   `json:"guest"`
		} `json:"user"`
	}
	if json.Unmarshal(body, &r) != nil || r.User.Name == "" {
		return
	}
	owner := "user:" + r.User.Name
	if r.User.Guest {
		owner = "guest:" + r.User.Name
	}
	prev := ps.store.Get(ownerKey)
	ps.store.Set(ownerKey, owner)
	if prev == owner || !strings.HasPrefix(prev, "user:") {
		return
	}
	ps.mu.Lock()
	doc := profile.Doc{}
	if d, ok := ps.s.Doc()[profile.Display]; ok {
		doc[profile.Display] = d
	}
	ps.s, ps.hist = profile.NewSync(doc), nil
	ps.mu.Unlock()
	ps.page.SetHistory(nil)
	if ps.applyAutomation != nil {
		ps.applyAutomation(json.RawMessage(`{"version":1}`))
	}
	ps.save()
}

// theirs merges a stored document ({"version", "settings"}) into this
// device's and applies what came from elsewhere. It reports whether the
// answer could be read.
func (ps *profileSync) theirs(body []byte) bool {
	var r struct {
		Version  int64           `json:"version"`
		Settings json.RawMessage `json:"settings"`
	}
	if json.Unmarshal(body, &r) != nil {
		return false
	}
	doc, err := profile.Parse(r.Settings)
	if err != nil {
		return false
	}
	ps.mu.Lock()
	o := ps.s.Theirs(r.Version, doc)
	merged := ps.s.Doc()
	ps.mu.Unlock()
	for _, name := range o.Took {
		ps.apply(name, merged[name])
	}
	if len(o.Lost) > 0 {
		ps.page.Toast(ps.page.Messages().T("client.sync.replaced", "what", ps.sectionNames(o.Lost)))
	}
	ps.save()
	return true
}

// apply shows a section that came from another device.
func (ps *profileSync) apply(name string, s profile.Section) {
	switch name {
	case profile.Display:
		set := dom.DefaultSettings()
		if json.Unmarshal(s.Data, &set) == nil {
			ps.page.SetSettings(set)
		}
	case profile.History:
		lines, err := profile.HistoryLines(s)
		if err != nil {
			return
		}
		ps.mu.Lock()
		ps.hist = lines
		ps.mu.Unlock()
		text := make([]string, len(lines))
		for i, l := range lines {
			text[i] = l.Line
		}
		ps.page.SetHistory(text)
	case profile.Automation:
		if ps.applyAutomation != nil {
			ps.applyAutomation(s.Data)
		}
	}
}

// change records a change made here and schedules storing it.
func (ps *profileSync) change(name string, data json.RawMessage) {
	ps.mu.Lock()
	ps.s.Change(name, nowMs(), data)
	ps.mu.Unlock()
	ps.save()
	select {
	case ps.kick <- struct{}{}:
	default:
	}
}

// displayChanged records the page's settings, unless they are the ones
// the document holds (as after applying another device's).
func (ps *profileSync) displayChanged() {
	now := ps.page.Settings()
	ps.mu.Lock()
	cur, ok := ps.s.Doc()[profile.Display]
	ps.mu.Unlock()
	if ok {
		held := dom.DefaultSettings()
		if json.Unmarshal(cur.Data, &held) == nil && held.Normalize() == now {
			return
		}
	}
	b, _ := json.Marshal(now)
	ps.change(profile.Display, b)
}

// historyAdded records a command that entered the history.
func (ps *profileSync) historyAdded(line string) {
	ps.mu.Lock()
	ps.hist = append(ps.hist, profile.HistoryLine{At: nowMs(), Line: line})
	if len(ps.hist) > profile.MaxHistory {
		ps.hist = ps.hist[len(ps.hist)-profile.MaxHistory:]
	}
	s := profile.HistorySection(0, ps.hist)
	ps.mu.Unlock()
	ps.change(profile.History, s.Data)
}

// save keeps this device's copy, with its times, in the browser.
func (ps *profileSync) save() {
	if ps.store == nil {
		return
	}
	ps.mu.Lock()
	b, err := json.Marshal(ps.s.Doc())
	ps.mu.Unlock()
	if err == nil {
		ps.store.Set(profileKey, string(b))
	}
}

// Synced reports whether the gateway keeps this player's settings.
func (ps *profileSync) Synced() bool {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.on
}

// state is for window.drawbridge.profile: whether settings sync and the
// version held.
func (ps *profileSync) state() map[string]any {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return map[string]any{"synced": ps.on, "version": fmt.Sprint(ps.s.Version()), "dirty": ps.s.Dirty()}
}

// sleepCtx waits d, or less if ctx ends, and reports whether ctx is
// still alive.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// sectionNames names the sections of the settings document for the
// player, in a list.
func (ps *profileSync) sectionNames(names []string) string {
	msg := ps.page.Messages()
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = msg.T("client.sync.section." + n)
	}
	return strings.Join(out, msg.T("client.list.separator"))
}
