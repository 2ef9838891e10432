package automation

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// MaxJSONSize bounds a JSON file ImportJSON reads, in bytes: ample for
// MaxItems items of the largest size.
const MaxJSONSize = 4 << 20

// Export returns the model as indented JSON, with its version set.
func Export(m Model) ([]byte, error) {
	m.Version = Version
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, wrapError("auto.err.export", err)
	}
	return append(b, '\n'), nil
}

// ImportJSON reads a model that Export wrote. It refuses files without
// a version or with a newer one than this package's, and a model that
// does not validate (the error joins each problem); an item without an
// ID is given a new one, and one without "enabled" is enabled.
func ImportJSON(data []byte) (Model, error) {
	if len(data) > MaxJSONSize {
		return Model{}, newError("auto.err.import.large", "max", MaxJSONSize>>20)
	}
	var m Model
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return Model{}, wrapError("auto.err.import.syntax", err, "offset", syn.Offset)
		case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			return Model{}, newError("auto.err.import.truncated")
		case errors.As(err, &typ) && typ.Field == "":
			return Model{}, wrapError("auto.err.import.not_object", err)
		case errors.As(err, &typ):
			return Model{}, wrapError("auto.err.import.type", err, "field", typ.Field)
		}
		return Model{}, wrapError("auto.err.import.json", err)
	}
	if dec.More() {
		return Model{}, newError("auto.err.import.more")
	}
	switch {
	case m.Version == 0:
		return Model{}, newError("auto.err.import.no_version")
	case m.Version > Version:
		return Model{}, newError("auto.err.import.newer", "version", m.Version, "max", Version)
	case m.Version < 0:
		return Model{}, newError("auto.err.import.bad_version", "version", m.Version)
	}
	FillIDs(&m)
	if errs := m.Validate(); len(errs) > 0 {
		return Model{}, wrapError("auto.err.import.invalid", errors.Join(errs...))
	}
	return m, nil
}

// FillIDs gives every item without an ID a new one (as items a player
// just made have none).
func FillIDs(m *Model) {
	for i := range m.Aliases {
		if m.Aliases[i].ID == "" {
			m.Aliases[i].ID = NewID()
		}
	}
	for i := range m.Triggers {
		if m.Triggers[i].ID == "" {
			m.Triggers[i].ID = NewID()
		}
	}
	for i := range m.Macros {
		if m.Macros[i].ID == "" {
			m.Macros[i].ID = NewID()
		}
	}
}

// MergeReport counts what Merge did.
type MergeReport struct {
	// Aliases, Triggers, Macros and Groups count what was added.
	Aliases, Triggers, Macros, Groups int
	// Duplicates counts items left out because the model had one the
	// same in all but its ID.
	Duplicates int
	// NewIDs counts items added with a new ID because theirs was taken.
	NewIDs int
}

// Merge returns dst with src's items added after its own, and src's
// groups that dst lacks (a group dst has keeps dst's state). An item the
// same as one of dst's in all but its ID is left out; one whose ID dst
// already uses gets a new ID. If the result would have more than
// MaxItems items or MaxGroups groups, Merge returns an error and dst as
// it was. dst is not changed.
func Merge(dst, src Model) (Model, MergeReport, error) {
	var rep MergeReport
	out := Model{
		Version:  Version,
		Groups:   append([]Group(nil), dst.Groups...),
		Aliases:  append([]Alias(nil), dst.Aliases...),
		Triggers: append([]Trigger(nil), dst.Triggers...),
		Macros:   append([]Macro(nil), dst.Macros...),
	}
	ids := map[string]bool{}
	for _, a := range dst.Aliases {
		ids[a.ID] = true
	}
	for _, t := range dst.Triggers {
		ids[t.ID] = true
	}
	for _, k := range dst.Macros {
		ids[k.ID] = true
	}
	newID := func(id string) string {
		if id != "" && !ids[id] {
			ids[id] = true
			return id
		}
		if id != "" {
			rep.NewIDs++
		}
		for {
			if n := NewID(); !ids[n] {
				ids[n] = true
				return n
			}
		}
	}
	have := out.groupStates()
	for _, g := range src.Groups {
		if _, ok := have[g.Name]; !ok {
			have[g.Name] = g.Enabled
			out.Groups = append(out.Groups, g)
			rep.Groups++
		}
	}
	for _, a := range src.Aliases {
		if containsFunc(out.Aliases, func(b Alias) bool { return sameAlias(a, b) }) {
			rep.Duplicates++
			continue
		}
		a.ID = newID(a.ID)
		out.Aliases = append(out.Aliases, a)
		rep.Aliases++
	}
	for _, t := range src.Triggers {
		if containsFunc(out.Triggers, func(b Trigger) bool { return sameTrigger(t, b) }) {
			rep.Duplicates++
			continue
		}
		t.ID = newID(t.ID)
		if t.Highlight != nil {
			h := *t.Highlight
			t.Highlight = &h
		}
		out.Triggers = append(out.Triggers, t)
		rep.Triggers++
	}
	for _, k := range src.Macros {
		if containsFunc(out.Macros, func(b Macro) bool { return sameMacro(k, b) }) {
			rep.Duplicates++
			continue
		}
		k.ID = newID(k.ID)
		out.Macros = append(out.Macros, k)
		rep.Macros++
	}
	if n := out.Items(); n > MaxItems {
		return dst, MergeReport{}, newError("auto.err.merge.items", "n", n, "max", MaxItems)
	}
	if len(out.Groups) > MaxGroups {
		return dst, MergeReport{}, newError("auto.err.merge.groups", "n", len(out.Groups), "max", MaxGroups)
	}
	return out, rep, nil
}

func containsFunc[T any](list []T, f func(T) bool) bool {
	for _, x := range list {
		if f(x) {
			return true
		}
	}
	return false
}

func sameAlias(a, b Alias) bool {
	a.ID, b.ID = "", ""
	return a == b
}

func sameMacro(a, b Macro) bool {
	a.ID, b.ID = "", ""
	return a == b
}

func sameTrigger(a, b Trigger) bool {
	ha, hb := a.Highlight, b.Highlight
	if (ha == nil) != (hb == nil) || (ha != nil && *ha != *hb) {
		return false
	}
	a.ID, b.ID, a.Highlight, b.Highlight = "", "", nil, nil
	return a == b
}
