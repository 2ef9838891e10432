package term

import (
	"bytes"
	"net/url"
)

// Hyperlink bounds.
const (
	// maxLinks is the number of entries in the link table; a new link
	// takes the oldest entry's place once it is full.
	maxLinks = 4096
	// maxLinkURI is the longest URI kept, in bytes. An OSC 8 with a
	// longer one makes no link; a longer plain URL is not found.
	maxLinkURI = 2048
	// linkIDs is how many ids there are (1 to linkIDs) before they come
	// round again. A multiple of maxLinks, so id i always has entry
	// (i-1) % maxLinks and the entries are reused oldest first.
	linkIDs = 15 * maxLinks
	// linkSweepEvery is how many new ids pass between two sweeps of the
	// cells. Any value up to linkIDs-maxLinks keeps ids unambiguous (see
	// linkTable); half the id space makes the sweeps rare.
	linkSweepEvery = linkIDs / 2
)

// linkEntry is one hyperlink target.
type linkEntry struct {
	id  uint16 // the id that owns the entry now
	uri string
}

// linkTable maps the Link ids in cells to URIs. It is bounded: ids are
// issued in order, id i lives in entry (i-1) % maxLinks, and a new id
// takes over the entry of the id maxLinks before it. A cell whose id lost
// its entry resolves to "" (the entry records its owner), never to the
// newer URI.
//
// Ids themselves come round after linkIDs links, so a cell could in
// principle outlive its id and be mistaken for a new link with the same
// number. To rule that out, the terminal sweeps its cells (both screens
// and the scrollback) every linkSweepEvery new ids and clears every id
// that has lost its entry. Right after a sweep, only the latest maxLinks
// ids are in cells; the next linkSweepEvery ids issued are all different
// from those, so no id is ever issued while a cell still holds an older
// link with the same number. The sweep costs one pass over the cells per
// linkSweepEvery links: a few cell reads per link.
type linkTable struct {
	entries []linkEntry // grows to maxLinks when links are made
	next    int         // counter of the next id, 0 to linkIDs-1; the id is next+1
	last    uint16      // the id issued last, 0 before the first
}

// uri returns the target of id, or "" if id is 0 or has lost its entry.
func (lt *linkTable) uri(id uint16) string {
	if id == 0 {
		return ""
	}
	i := int(id-1) % maxLinks
	if i >= len(lt.entries) || lt.entries[i].id != id {
		return ""
	}
	return lt.entries[i].uri
}

// due reports whether the cells must be swept before the next id is
// issued.
func (lt *linkTable) due() bool {
	return lt.last != 0 && lt.next%linkSweepEvery == 0
}

// issue stores uri under a new id and returns the id.
func (lt *linkTable) issue(uri string) uint16 {
	id := uint16(lt.next + 1)
	i := lt.next % maxLinks
	if i == len(lt.entries) {
		lt.entries = append(lt.entries, linkEntry{})
	}
	lt.entries[i] = linkEntry{id: id, uri: uri}
	lt.next++
	if lt.next == linkIDs {
		lt.next = 0
	}
	lt.last = id
	return id
}

// LinkURI returns the target of a cell's hyperlink, "" when it has none
// or when its id has been reused since (the link table holds the latest
// 4096 links). Only http, https and mailto URIs, and command links (see
// ParseCommandLink), are ever returned.
func (t *Terminal) LinkURI(c Cell) string { return t.links.uri(c.Link) }

// oscCommand parses the command number of an OSC, the part before its
// first ';': one to five digits.
func oscCommand(s []byte) (int, bool) {
	if len(s) == 0 || len(s) > 5 {
		return 0, false
	}
	n := 0
	for _, b := range s {
		if b < '0' || b > '9' {
			return 0, false
		}
		n = n*10 + int(b-'0')
	}
	return n, true
}

// oscCommandRead is called when the first ';' of an OSC arrives, so the
// command number is known before the string ends. An OSC 8 closes the
// open link there and then: only a complete, valid OSC 8 opens a new one,
// so one that is aborted or too long leaves no link open.
func (t *Terminal) oscCommandRead() {
	if n, ok := oscCommand(t.osc); ok && n == 8 {
		t.link = 0
	}
}

// hyperlink performs OSC 8 with payload p, the part after "8;":
// "params;URI". An empty URI closes the link, as does one that is not an
// allowed URI; the parameters (id=...) are ignored.
func (t *Terminal) hyperlink(p []byte) {
	t.link = 0
	semi := bytes.IndexByte(p, ';')
	if semi < 0 {
		return
	}
	uri := p[semi+1:]
	if len(uri) == 0 || !validLinkURI(uri) {
		return
	}
	lt := &t.links
	if lt.last != 0 && lt.uri(lt.last) == string(uri) {
		// The same link again, as a game that closes and reopens a link
		// around each word or line sends it: no new entry.
		t.link = lt.last
		return
	}
	if lt.due() {
		t.sweepLinks()
	}
	t.link = lt.issue(string(uri))
}

// validLinkURI reports whether an OSC 8 URI may become a link: printable
// ASCII (OSC 8 URIs are percent-encoded), at most maxLinkURI bytes, and
// an absolute http or https URL with a host, a mailto URI with an
// address, or a command link.
func validLinkURI(uri []byte) bool {
	if len(uri) > maxLinkURI {
		return false
	}
	for _, b := range uri {
		if b <= ' ' || b >= 0x7f {
			return false
		}
	}
	u, err := url.Parse(string(uri))
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "http", "https":
		return u.Host != "" && u.Opaque == ""
	case "mailto":
		return u.Opaque != ""
	case CommandScheme:
		_, ok := ParseCommandLink(string(uri))
		return ok
	}
	return false
}

// sweepLinks clears the Link of every cell whose id has lost its table
// entry, on both screens and in the scrollback. See linkTable.
func (t *Terminal) sweepLinks() {
	for s := range t.screens {
		for i := range t.screens[s] {
			t.clearStaleLinks(t.screens[s][i].cells)
		}
	}
	for i := range t.sb.n {
		// The scrollback's cells are a decoded copy: store them again if
		// they changed.
		if cells := t.sb.cellsAt(i); t.clearStaleLinks(cells) {
			t.sb.replace(i, cells)
		}
	}
}

// clearStaleLinks clears the stale link ids in cells and reports whether
// there were any.
func (t *Terminal) clearStaleLinks(cells []Cell) bool {
	changed := false
	for i := range cells {
		if id := cells[i].Link; id != 0 && t.links.uri(id) == "" {
			cells[i].Link = 0
			changed = true
		}
	}
	return changed
}
