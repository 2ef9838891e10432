// Package profile keeps a player's client settings in step between the
// browser and the gateway, so that a phone and a laptop logged in to the
// same account share them.
//
// The gateway stores one JSON document per account (GET and PUT
// /api/settings, versioned: a PUT names the version it replaces and is
// refused with 409 Conflict, carrying the current document, when another
// device wrote first). This package decides what that document holds and
// how two copies merge; it does no I/O, so it is tested natively, and the
// client's page code carries out what it asks.
//
// The document is a set of named sections: "display" (theme, font size,
// separator and the other settings), "automation" (aliases, triggers and
// macros) and "history" (the command history). Each section carries the
// time it was last changed, on the device that changed it, in
// milliseconds since the epoch. Two copies merge section by section, the
// later change winning; within a section nothing is merged, except the
// history, whose lines from both sides are kept in order of time. When a
// merge replaces a change made on this device that the gateway had not
// stored yet, the player is told which section was replaced: nothing is
// lost silently.
//
// Guests have no document at the gateway: their settings stay in the
// browser, as they always did.
package profile

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
)

// Section names.
const (
	Display    = "display"
	Automation = "automation"
	History    = "history"
)

// MaxDoc bounds the encoded document, in bytes; the gateway refuses
// larger ones. The client keeps under it by trimming the history first.
const MaxDoc = 256 << 10

// Section is one part of the document.
type Section struct {
	At   int64           `json:"at"`   // when it was last changed, ms since the epoch
	Data json.RawMessage `json:"data"` // its content, as its owner encodes it
}

// Doc is the document: sections by name.
type Doc map[string]Section

// Equal reports whether d and o hold the same sections.
func (d Doc) Equal(o Doc) bool {
	if len(d) != len(o) {
		return false
	}
	for k, s := range d {
		t, ok := o[k]
		if !ok || s.At != t.At || string(s.Data) != string(t.Data) {
			return false
		}
	}
	return true
}

// Clone returns a copy of d that shares the sections' data (never
// modified in place).
func (d Doc) Clone() Doc {
	c := make(Doc, len(d))
	for k, s := range d {
		c[k] = s
	}
	return c
}

// Parse reads a document as the gateway returns it. Sections that do
// not parse are dropped (a newer client's section this one does not know
// is kept).
func Parse(b []byte) (Doc, error) {
	d := Doc{}
	if len(b) == 0 || string(b) == "null" {
		return d, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("profile: the document is not a JSON object: %w", err)
	}
	for k, v := range raw {
		var s Section
		if json.Unmarshal(v, &s) == nil && s.At > 0 && len(s.Data) > 0 {
			d[k] = s
		}
	}
	return d, nil
}

// ErrTooLarge is returned by Encode for a document over MaxDoc even
// with its history trimmed and its other sections left out.
var ErrTooLarge = errors.New("profile: settings too large to store")

// Encode returns the document's JSON, at most MaxDoc bytes: an oversize
// document loses its oldest history lines until it fits; if it still
// does not, it leaves out its largest other sections (named in left,
// largest first) until it does, so that what fits is still stored (a
// player's huge automation stays in this browser; their display
// settings and history still follow them). ErrTooLarge when nothing fits.
func Encode(d Doc) (b []byte, left []string, err error) {
	b, err = json.Marshal(d)
	if err != nil || len(b) <= MaxDoc {
		return b, nil, err
	}
	// Sections too large to fit even without the history go first:
	// trimming the history for them would lose it for nothing.
	for {
		rest := d.Clone()
		delete(rest, History)
		if rb, err := json.Marshal(rest); err != nil || len(rb) <= MaxDoc {
			break
		}
		big := ""
		for name, sec := range rest {
			if big == "" || len(sec.Data) > len(rest[big].Data) || len(sec.Data) == len(rest[big].Data) && name < big {
				big = name
			}
		}
		if big == "" {
			return nil, left, ErrTooLarge
		}
		d = d.Clone()
		delete(d, big)
		left = append(left, big)
	}
	if b, err = json.Marshal(d); err != nil || len(b) <= MaxDoc {
		return b, left, err
	}
	h, ok := d[History]
	if !ok {
		return nil, left, ErrTooLarge
	}
	lines, err := HistoryLines(h)
	if err != nil {
		return nil, left, ErrTooLarge
	}
	for len(lines) > 0 {
		lines = lines[len(lines)/4+1:]
		d = d.Clone()
		d[History] = HistorySection(h.At, lines)
		if b, err = json.Marshal(d); err != nil || len(b) <= MaxDoc {
			return b, left, err
		}
	}
	return nil, left, ErrTooLarge
}

// HistoryLine is one command of the history section, with when it was
// sent (ms since the epoch), so two devices' histories interleave.
type HistoryLine struct {
	At   int64  `json:"at"`
	Line string `json:"line"`
}

// HistoryLines returns the lines of a history section.
func HistoryLines(s Section) ([]HistoryLine, error) {
	var lines []HistoryLine
	err := json.Unmarshal(s.Data, &lines)
	return lines, err
}

// HistorySection returns a history section of lines, changed at at.
func HistorySection(at int64, lines []HistoryLine) Section {
	b, _ := json.Marshal(lines) // strings and ints always encode
	return Section{At: at, Data: b}
}

// MaxHistory is the most history lines a merged history keeps.
const MaxHistory = 500

// Outcome says what a merge did.
type Outcome struct {
	// Took are the sections the other copy had newer: the client applies
	// them to what it shows.
	Took []string
	// Lost are the sections changed on this device (listed as dirty)
	// that the other copy's later change replaced: the player is told.
	Lost []string
	// Push reports whether the merged document differs from the other
	// copy, so it must be stored.
	Push bool
}

// Merge merges mine (this device's) with theirs (the gateway's),
// section by section: the later change wins, a tie keeps theirs (what
// the other devices already have). The histories are merged line by
// line instead. dirty names the sections of mine changed since the
// gateway last stored them, for Outcome.Lost.
func Merge(mine, theirs Doc, dirty []string) (Doc, Outcome) {
	out := Doc{}
	var o Outcome
	for k, s := range theirs {
		out[k] = s
	}
	names := make([]string, 0, len(mine))
	for k := range mine {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		m := mine[k]
		t, ok := theirs[k]
		switch {
		case k == History && ok:
			out[k] = mergeHistory(m, t)
		case !ok || m.At > t.At:
			out[k] = m
		case m.At < t.At || string(m.Data) != string(t.Data):
			if slices.Contains(dirty, k) {
				o.Lost = append(o.Lost, k)
			}
		}
	}
	for k, s := range out {
		if m, ok := mine[k]; !ok || m.At != s.At || string(m.Data) != string(s.Data) {
			o.Took = append(o.Took, k)
		}
	}
	sort.Strings(o.Took)
	o.Push = !out.Equal(theirs)
	return out, o
}

// mergeHistory interleaves two histories by time, dropping a line that
// both hold (same time and text), keeping the latest MaxHistory.
func mergeHistory(a, b Section) Section {
	la, errA := HistoryLines(a)
	lb, errB := HistoryLines(b)
	switch {
	case errA != nil && errB != nil:
		return b
	case errA != nil:
		return b
	case errB != nil:
		return a
	}
	all := append(slices.Clip(la), lb...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].At < all[j].At })
	all = slices.CompactFunc(all, func(x, y HistoryLine) bool { return x == y })
	if len(all) > MaxHistory {
		all = all[len(all)-MaxHistory:]
	}
	return HistorySection(max(a.At, b.At), all)
}
