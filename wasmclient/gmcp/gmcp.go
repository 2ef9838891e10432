package gmcp

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Bounds on what a State keeps.
const (
	// MaxMessage is the largest message Apply reads; longer ones are
	// ignored. It matches the largest frame the gateway sends.
	MaxMessage = 64 << 10
	// MaxVitals bounds the list Vitals returns.
	MaxVitals = 16
	// MaxExits bounds a room's exits.
	MaxExits = 32
	// MaxNameLen bounds a room's name, area and number, in runes.
	MaxNameLen = 80
	// MaxShortLen bounds an exit's name and a vital's name, in runes.
	MaxShortLen = 16
)

// maxKeys bounds the distinct keys a State remembers from Char.Vitals and
// Char.MaxStats, each: a game that invents a new key in every message
// cannot make it grow.
const maxKeys = 32

// ErrMalformed is wrapped by the errors Apply returns for a message of a
// known package whose JSON it cannot use.
var ErrMalformed = errors.New("gmcp: malformed message")

// Vital is one of the character's gauges, such as {"HP", 45, 60}. Value
// may exceed Max (a buff) or be negative; Max may be zero.
type Vital struct {
	Name       string
	Value, Max int
}

// Room is where the character is, from Room.Info.
type Room struct {
	// Num is the game's room number, as text: games send numbers or
	// strings. Empty if the game sent none.
	Num string
	// Name and Area are the room's name and the area (zone) it is in.
	Name, Area string
	// Exits are the directions out, short names for the usual ones (n,
	// ne, e, se, s, sw, w, nw, u, d, in, out) in that order, then the
	// others alphabetically.
	Exits []string
}

// equal reports whether r and o describe the same room.
func (r Room) equal(o Room) bool {
	return r.Num == o.Num && r.Name == o.Name && r.Area == o.Area && slices.Equal(r.Exits, o.Exits)
}

// Changed says what an Apply changed, so the client redraws only that.
type Changed struct {
	Vitals bool
	Room   bool
}

// State is what the game has told the client so far. The zero value is
// empty and ready. A State is not safe for concurrent use.
type State struct {
	cur, max map[string]int // vital values and maxima, by lower-case key
	room     Room
	haveRoom bool
}

// Apply reads one GMCP message, "Package.Message" optionally followed by
// a space and JSON, and reports what it changed. Unknown packages and
// messages over MaxMessage are ignored. For a known package whose JSON is
// missing, does not parse or is not an object it returns an error
// wrapping ErrMalformed and changes nothing.
func (s *State) Apply(msg []byte) (Changed, error) {
	if len(msg) > MaxMessage {
		return Changed{}, nil
	}
	pkg, body, _ := bytes.Cut(msg, []byte{' '})
	switch p := string(pkg); {
	case strings.EqualFold(p, "Char.Vitals"), strings.EqualFold(p, "Char.MaxStats"):
		return s.applyVitals(p, body)
	case strings.EqualFold(p, "Room.Info"):
		return s.applyRoom(p, body)
	case p == "MSDP": // case-sensitive, as the specification says
		return s.applyMSDP(body)
	}
	return Changed{}, nil
}

func (s *State) applyVitals(pkg string, body []byte) (Changed, error) {
	cur, maxes, err := parseVitals(body)
	if err != nil {
		return Changed{}, fmt.Errorf("%w: %.32s: %w", ErrMalformed, pkg, err)
	}
	before := s.Vitals()
	s.cur = merge(s.cur, cur)
	s.max = merge(s.max, maxes)
	return Changed{Vitals: !slices.Equal(before, s.Vitals())}, nil
}

func (s *State) applyRoom(pkg string, body []byte) (Changed, error) {
	r, err := parseRoom(body)
	if err != nil {
		return Changed{}, fmt.Errorf("%w: %.32s: %w", ErrMalformed, pkg, err)
	}
	changed := !s.haveRoom || !s.room.equal(r)
	s.room, s.haveRoom = r, true
	return Changed{Room: changed}, nil
}

// merge copies src into dst, which keeps at most maxKeys keys: updates to
// known keys always land, new keys only while there is room. The keys
// are taken in sorted order so that which ones fit does not depend on map
// iteration.
func merge(dst, src map[string]int) map[string]int {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = make(map[string]int, len(src))
	}
	keys := make([]string, 0, len(src))
	for k := range src {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if _, ok := dst[k]; ok || len(dst) < maxKeys {
			dst[k] = src[k]
		}
	}
	return dst
}

// Vitals returns the character's vitals, the usual ones first (HP, then
// mana, endurance or moves, then willpower), then the others by name. Only
// gauges whose value and maximum are both known are listed. The slice is
// the caller's.
func (s *State) Vitals() []Vital {
	keys := make([]string, 0, len(s.cur))
	for k := range s.cur {
		if _, ok := s.max[k]; ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b string) int {
		if ka, kb := KindOf(a), KindOf(b); ka != kb {
			return int(ka - kb)
		}
		return strings.Compare(a, b)
	})
	keys = keys[:min(len(keys), MaxVitals)]
	out := make([]Vital, len(keys))
	for i, k := range keys {
		out[i] = Vital{Name: vitalName(k), Value: s.cur[k], Max: s.max[k]}
	}
	return out
}

// Room returns the room the character is in, and false until the game
// has sent one. Exits is the caller's.
func (s *State) Room() (Room, bool) {
	r := s.room
	r.Exits = slices.Clone(r.Exits)
	return r, s.haveRoom
}
