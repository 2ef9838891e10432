package profile

import (
	"encoding/json"
	"slices"
	"sort"
)

// Sync is this device's copy of the document and where it stands
// against the gateway's. The page calls Change when the player changes
// something, Put when it is time to store, and Stored or Theirs with the
// gateway's answer. It is not safe for concurrent use.
type Sync struct {
	version int64 // the gateway's version this copy descends from; 0: none yet
	doc     Doc
	dirty   []string // sections changed here and not yet stored
}

// NewSync returns a Sync holding this device's document, the sections
// changed here (At past 1, which stands for "never changed since syncing
// began") not yet stored: a first merge decides what the gateway lacks.
func NewSync(mine Doc) *Sync {
	s := &Sync{doc: mine.Clone()}
	for k, sec := range mine {
		if sec.At > 1 {
			s.dirty = append(s.dirty, k)
		}
	}
	sort.Strings(s.dirty)
	return s
}

// Doc returns this device's copy.
func (s *Sync) Doc() Doc { return s.doc }

// Version returns the gateway's version the copy descends from.
func (s *Sync) Version() int64 { return s.version }

// Dirty reports whether there are changes the gateway has not stored.
func (s *Sync) Dirty() bool { return len(s.dirty) > 0 }

// DirtyOnly reports whether the changes the gateway has not stored are
// all in section name (and there are some).
func (s *Sync) DirtyOnly(name string) bool {
	return len(s.dirty) > 0 && !slices.ContainsFunc(s.dirty, func(d string) bool { return d != name })
}

// Change records a change made on this device to section name at at
// (ms since the epoch). A change that makes the section what it already
// is counts for nothing.
func (s *Sync) Change(name string, at int64, data json.RawMessage) {
	if old, ok := s.doc[name]; ok && string(old.Data) == string(data) {
		return
	}
	if old, ok := s.doc[name]; ok && at <= old.At {
		at = old.At + 1 // a clock that went back still makes the change the latest here
	}
	s.doc = s.doc.Clone()
	s.doc[name] = Section{At: at, Data: slices.Clip(data)}
	if !slices.Contains(s.dirty, name) {
		s.dirty = append(s.dirty, name)
	}
}

// Put is a request to store a document: the version it replaces and the
// document, encoded.
type Put struct {
	Version int64
	Body    []byte
	// Left names the sections too large to store, which stay on this
	// device only (see Encode); the player is told.
	Left []string
	doc  Doc
}

// Put returns the request that stores this device's copy.
func (s *Sync) Put() (Put, error) {
	b, left, err := Encode(s.doc)
	return Put{Version: s.version, Body: b, Left: left, doc: s.doc}, err
}

// Stored records that the gateway stored p as version. Sections changed
// since p was made stay dirty.
func (s *Sync) Stored(p Put, version int64) {
	s.version = version
	s.dirty = slices.DeleteFunc(s.dirty, func(name string) bool {
		a, b := s.doc[name], p.doc[name]
		return a.At == b.At && string(a.Data) == string(b.Data)
	})
}

// Theirs merges the gateway's document (version version: from the first
// GET, or a 409 answer) into this device's copy. The Outcome names the
// sections to apply here, those lost to a later change elsewhere (to tell
// the player), and whether the merged copy must be stored.
func (s *Sync) Theirs(version int64, theirs Doc) Outcome {
	merged, o := Merge(s.doc, theirs, s.dirty)
	s.version, s.doc = version, merged
	s.dirty = s.dirty[:0]
	for k, m := range merged {
		if t, ok := theirs[k]; !ok || t.At != m.At || string(t.Data) != string(m.Data) {
			s.dirty = append(s.dirty, k)
		}
	}
	sort.Strings(s.dirty)
	return o
}
