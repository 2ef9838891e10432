package gmcp

import (
	"fmt"
	"slices"
	"strings"
)

// msdpGauges are the MSDP specification's generic vitals: kept before
// their maxima arrive, as servers report each variable on its own.
var msdpGauges = map[string]bool{"health": true, "mana": true, "movement": true}

// applyMSDP reads an "MSDP" message: a game's MSDP variables as "MSDP
// over GMCP" carries them (https://tintin.mudhalla.net/protocols/msdp/),
// which the gateway also makes of a game's MSDP telnet subnegotiations.
// Its generic variables feed the same vitals and room as GMCP does:
//
//   - X and X_MAX pairs are vitals, like GMCP's hp and maxhp: HEALTH,
//     MANA and MOVEMENT, and any a game adds;
//   - ROOM, a table of VNUM, NAME, AREA and EXITS (a table keyed by
//     direction), replaces the room;
//   - ROOM_VNUM, ROOM_NAME, AREA_NAME and ROOM_EXITS, which older servers
//     send on their own, change those fields of the room.
func (s *State) applyMSDP(body []byte) (Changed, error) {
	obj, err := parseObject(body)
	if err != nil {
		return Changed{}, fmt.Errorf("%w: MSDP: %w", ErrMalformed, err)
	}
	cur, maxes := vitalsOf(obj, func(lk string) (string, bool) { return strings.CutSuffix(lk, "_max") })
	// MSDP has many numbers that are not gauges (LEVEL, STR, AC...), and a
	// server may send them all: keep a current value only for a gauge,
	// one with a maximum here or before, or one of the generic three, so
	// that they cannot crowd the vitals out of the keys kept.
	for k := range cur {
		_, here := maxes[k]
		_, before := s.max[k]
		if !here && !before && !msdpGauges[k] {
			delete(cur, k)
		}
	}
	var ch Changed
	if len(cur) > 0 || len(maxes) > 0 {
		before := s.Vitals()
		s.cur = merge(s.cur, cur)
		s.max = merge(s.max, maxes)
		ch.Vitals = !slices.Equal(before, s.Vitals())
	}

	fields := foldKeys(obj)
	r, had := s.room, s.haveRoom
	if raw := fields["room"]; len(raw) > 0 && raw[0] == '{' {
		// The ROOM table, as a Room.Info whose number is vnum.
		if room, err := parseObject(raw); err == nil {
			r, had = roomFrom(foldKeys(room), "vnum"), true
		}
	}
	if raw, ok := fields["room_vnum"]; ok {
		r.Num, had = roomNum(raw), true
	}
	if raw, ok := fields["room_name"]; ok {
		r.Name, had = clean(jsonString(raw), MaxNameLen), true
	}
	if raw, ok := fields["area_name"]; ok {
		r.Area, had = clean(jsonString(raw), MaxNameLen), true
	}
	if raw, ok := fields["room_exits"]; ok {
		r.Exits, had = exits(raw), true
	}
	if had && (!s.haveRoom || !s.room.equal(r)) {
		s.room, s.haveRoom = r, true
		ch.Room = true
	}
	return ch, nil
}
