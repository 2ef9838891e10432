package gmcp

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
)

// maxKeyLen bounds a vital's key ("maxhp" included); longer keys are
// skipped.
const maxKeyLen = MaxShortLen

// valueLimit bounds a vital's value and maximum either way: games do not
// count that high, and a bar must not overflow computing with it.
const valueLimit = 1_000_000_000

// parseVitals reads a Char.Vitals or Char.MaxStats body: keys with a
// numeric value go to cur, "max"-prefixed ones to max under the key
// without the prefix. Keys that are not short words and values that are
// not numbers are skipped.
func parseVitals(body []byte) (cur, maxes map[string]int, err error) {
	obj, err := parseObject(body)
	if err != nil {
		return nil, nil, err
	}
	cur, maxes = vitalsOf(obj, func(lk string) (string, bool) { return strings.CutPrefix(lk, "max") })
	return cur, maxes, nil
}

// vitalsOf reads the keys of obj with a numeric value: those maxOf says
// are a maximum (and of which key, lower case) go to maxes under that
// key, the others to cur.
func vitalsOf(obj map[string]json.RawMessage, maxOf func(lk string) (base string, isMax bool)) (cur, maxes map[string]int) {
	cur, maxes = map[string]int{}, map[string]int{}
	// Keys are compared without regard to case; of two spellings of one
	// key, the first in sorted order wins, whatever the map's order.
	seen := make(map[string]bool, len(obj))
	for _, k := range sortedKeys(obj) {
		lk := strings.ToLower(k)
		if seen[lk] || !validKey(lk) {
			continue
		}
		seen[lk] = true
		v, ok := parseNumber(obj[k])
		if !ok {
			continue
		}
		if base, isMax := maxOf(lk); isMax && base != "" {
			maxes[base] = v
		} else {
			cur[lk] = v
		}
	}
	return cur, maxes
}

// parseObject reads body as one JSON object.
func parseObject(body []byte) (map[string]json.RawMessage, error) {
	if len(body) == 0 {
		return nil, errors.New("no JSON")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, errors.New("JSON is null, want an object")
	}
	return obj, nil
}

// validKey reports whether k is a short lower-case word of letters,
// digits and '_', the shape of every vital key games use.
func validKey(k string) bool {
	if k == "" || len(k) > maxKeyLen {
		return false
	}
	for _, c := range []byte(k) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// parseNumber reads a JSON number or a string holding one ("4500"),
// truncated to an integer and clamped to ±valueLimit.
func parseNumber(raw json.RawMessage) (int, bool) {
	text := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return 0, false
		}
		text = strings.TrimSpace(text)
	}
	if n, err := strconv.Atoi(text); err == nil {
		return min(max(n, -valueLimit), valueLimit), true
	}
	// Not an integer: a plain decimal such as "45.5" or 4.5e1. ParseFloat
	// also takes "Inf", "NaN", hex and '_' separators, which no game means
	// as a gauge: only digits, sign, point and exponent pass.
	if strings.Trim(text, "0123456789+-.eE") != "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsNaN(f) {
		return 0, false
	}
	return int(math.Trunc(min(max(f, -valueLimit), valueLimit))), true
}

// Kind is what a gauge measures, as far as the usual names tell; the
// kinds are in the order games show them on the prompt.
type Kind int

// Kinds of gauge.
const (
	Health    Kind = iota // hp, health
	Mana                  // mp, mana, sp
	Moves                 // ep, moves, mv, movement, endurance
	Willpower             // wp, willpower
	Other                 // anything else a game calls a vital
)

// KindOf returns the kind of a gauge from its key or its shown Name
// (either case).
func KindOf(name string) Kind {
	switch strings.ToLower(name) {
	case "hp", "health":
		return Health
	case "mp", "mana", "sp":
		return Mana
	case "ep", "moves", "mv", "movement", "endurance":
		return Moves
	case "wp", "willpower":
		return Willpower
	}
	return Other
}

// vitalName is how a vital's key is shown: the usual abbreviations in
// capitals, other short keys in capitals, longer ones capitalised.
func vitalName(k string) string {
	switch k {
	case "mana":
		return "Mana"
	case "moves":
		return "Moves"
	}
	if len(k) <= 3 {
		return strings.ToUpper(k)
	}
	return strings.ToUpper(k[:1]) + strings.ReplaceAll(k[1:], "_", " ")
}
