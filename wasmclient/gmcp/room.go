package gmcp

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
)

// exitOrder is the order of the usual exits, by short name.
var exitOrder = [...]string{"n", "ne", "e", "se", "s", "sw", "w", "nw", "u", "d", "in", "out"}

// parseRoom reads a Room.Info body.
func parseRoom(body []byte) (Room, error) {
	obj, err := parseObject(body)
	if err != nil {
		return Room{}, err
	}
	return roomFrom(foldKeys(obj), "num"), nil
}

// foldKeys returns obj with its keys in lower case: keys are compared
// without regard to case, as package names are. With two spellings of
// one key, the one sorting first wins, whatever the map's order.
func foldKeys(obj map[string]json.RawMessage) map[string]json.RawMessage {
	fields := make(map[string]json.RawMessage, len(obj))
	for _, k := range sortedKeys(obj) {
		lk := strings.ToLower(k)
		if _, dup := fields[lk]; !dup {
			fields[lk] = obj[k]
		}
	}
	return fields
}

// roomFrom reads a room from its fields (foldKeys'), its number under
// numKey: Room.Info's num, MSDP's vnum.
func roomFrom(fields map[string]json.RawMessage, numKey string) Room {
	r := Room{
		Num:  roomNum(fields[numKey]),
		Name: clean(jsonString(fields["name"]), MaxNameLen),
		Area: clean(jsonString(fields["area"]), MaxNameLen),
	}
	if r.Area == "" {
		r.Area = clean(jsonString(fields["zone"]), MaxNameLen) // Aardwolf
	}
	r.Exits = exits(fields["exits"])
	return r
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// jsonString returns raw's value if it is a JSON string, else "".
func jsonString(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// roomNum returns a room number sent as a number (123, written as an
// integer when it is one) or a string.
func roomNum(raw json.RawMessage) string {
	if s := jsonString(raw); s != "" {
		return clean(s, MaxNameLen)
	}
	var n json.Number
	if len(raw) == 0 || raw[0] == '"' || json.Unmarshal(raw, &n) != nil {
		return ""
	}
	if i, err := n.Int64(); err == nil {
		return strconv.FormatInt(i, 10)
	}
	if f, err := n.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10)
	}
	return clean(n.String(), MaxNameLen)
}

// exits reads the exits of a room: an object keyed by direction (the
// values, usually room numbers, are not kept) or an array of names.
// Anything else means none: nil.
func exits(raw json.RawMessage) []string {
	var names []string
	var obj map[string]json.RawMessage
	var arr []json.RawMessage
	switch {
	case len(raw) == 0:
		return nil
	case raw[0] == '{' && json.Unmarshal(raw, &obj) == nil:
		names = sortedKeys(obj)
	case raw[0] == '[' && json.Unmarshal(raw, &arr) == nil:
		for _, e := range arr {
			names = append(names, jsonString(e))
		}
	}
	out := make([]string, 0, min(len(names), MaxExits))
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		n = exitName(n)
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil
	}
	slices.SortFunc(out, compareExits)
	return out[:min(len(out), MaxExits)]
}

// exitName cleans an exit's name and shortens the usual long ones
// ("north" to "n"), which every game also accepts as commands.
func exitName(n string) string {
	n = clean(n, MaxShortLen)
	switch strings.ToLower(n) {
	case "n", "north":
		return "n"
	case "ne", "northeast":
		return "ne"
	case "e", "east":
		return "e"
	case "se", "southeast":
		return "se"
	case "s", "south":
		return "s"
	case "sw", "southwest":
		return "sw"
	case "w", "west":
		return "w"
	case "nw", "northwest":
		return "nw"
	case "u", "up":
		return "u"
	case "d", "down":
		return "d"
	case "in":
		return "in"
	case "out":
		return "out"
	}
	return n
}

// compareExits orders the usual exits as exitOrder, then the others
// alphabetically.
func compareExits(a, b string) int {
	ra, rb := exitRank(a), exitRank(b)
	if ra != rb {
		return ra - rb
	}
	return strings.Compare(a, b)
}

func exitRank(e string) int {
	if i := slices.Index(exitOrder[:], e); i >= 0 {
		return i
	}
	return len(exitOrder)
}
