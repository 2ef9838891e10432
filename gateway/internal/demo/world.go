package demo

import (
	"strings"
	"unicode/utf8"
)

// ANSI colours used by the game.
const (
	ansiReset   = "\x1b[0m"
	ansiTitle   = "\x1b[1;36m" // room titles: bright cyan
	ansiExits   = "\x1b[32m"   // exits: green
	ansiSay     = "\x1b[33m"   // speech: yellow
	ansiEmote   = "\x1b[35m"   // emotes: magenta
	ansiPeople  = "\x1b[1;34m" // who is here: bright blue
	ansiNotice  = "\x1b[1;33m" // arrivals, departures: bright yellow
	ansiError   = "\x1b[1;31m" // refusals: bright red
	ansiPrompt  = "\x1b[1;32m" // the prompt: bright green
	ansiBanner  = "\x1b[1;33m"
	ansiBanner2 = "\x1b[33m"
	ansiWater   = "\x1b[34m"
)

// direction is one of the six exits a room may have.
type direction int

const (
	north direction = iota
	south
	east
	west
	up
	down
	numDirections
)

// String returns the full name of d.
func (d direction) String() string {
	switch d {
	case north:
		return "north"
	case south:
		return "south"
	case east:
		return "east"
	case west:
		return "west"
	case up:
		return "up"
	case down:
		return "down"
	}
	return "nowhere"
}

// short returns the one-letter name of d, as GMCP Room.Info exits use.
func (d direction) short() string {
	if d < 0 || d >= numDirections {
		return ""
	}
	return d.String()[:1]
}

// opposite returns the direction one arrives from after leaving by d.
func (d direction) opposite() direction {
	switch d {
	case north:
		return south
	case south:
		return north
	case east:
		return west
	case west:
		return east
	case up:
		return down
	}
	return up
}

// from returns how arrivals through d are described: "from the south",
// "from below".
func (d direction) from() string {
	switch d {
	case up:
		return "from above"
	case down:
		return "from below"
	}
	return "from the " + d.String()
}

// parseDirection reads a direction word: full names and n/s/e/w/u/d.
func parseDirection(word string) (direction, bool) {
	switch word {
	case "n", "north":
		return north, true
	case "s", "south":
		return south, true
	case "e", "east":
		return east, true
	case "w", "west":
		return west, true
	case "u", "up":
		return up, true
	case "d", "down":
		return down, true
	}
	return 0, false
}

// room is one place in the demo world. Rooms never change once built.
type room struct {
	id    string
	num   int // the room's number, for GMCP Room.Info (mappers key rooms by it)
	title string
	desc  string
	exits map[direction]string // direction to room id
	// things are what can be looked at in the room ("look well").
	things []thing
}

// thing is something in a room a player can look at.
type thing struct {
	name, desc string
}

// thing returns the room's thing called name, if any.
func (r *room) thing(name string) (thing, bool) {
	for _, t := range r.things {
		if strings.EqualFold(t.name, name) {
			return t, true
		}
	}
	return thing{}, false
}

// world is the demo's map, built per Server so nothing is package state.
type world struct {
	rooms map[string]*room
	start string
	area  string // the area every room is in, for GMCP Room.Info
}

// newWorld builds the castle.
func newWorld() *world {
	rs := []*room{
		{
			id:    "bridge",
			title: "On the Drawbridge",
			desc: "Heavy oak planks, bound with black iron, span a moat of still green water. " +
				"Chains as thick as your arm rise from either side of the bridge to the gatehouse " +
				"towers ahead, ready to haul it up at the first sign of trouble. Somewhere below, " +
				"something large turns over in the water and is still again.",
			exits: map[direction]string{north: "gatehouse"},
		},
		{
			id:    "gatehouse",
			title: "The Gatehouse",
			desc: "A vaulted passage runs through the thick outer wall. Murder holes dot the " +
				"ceiling and the teeth of a raised portcullis hang overhead. A bored guard's " +
				"stool stands empty beside a brazier that still gives off a little warmth.",
			exits: map[direction]string{south: "bridge", north: "courtyard"},
		},
		{
			id:    "courtyard",
			title: "The Courtyard",
			desc: "Cobblestones worn smooth by centuries of boots stretch between the gatehouse " +
				"and the great hall. A well stands in the middle, its rope frayed. To the east " +
				"the round bulk of the tower rises above the walls; to the north, tall doors " +
				"stand open on the great hall.",
			exits:  map[direction]string{south: "gatehouse", north: "hall", east: "stair"},
			things: []thing{{"well", "The well is old and deep. Far below, a coin glints on the dark water."}},
		},
		{
			id:    "hall",
			title: "The Great Hall",
			desc: "A long table runs the length of the hall under smoke-blackened rafters. " +
				"Banners in faded red and gold hang from the walls, and a fire large enough " +
				"to roast an ox crackles in a hearth at the far end. The benches are empty, " +
				"but the cups on the table are still warm.",
			exits: map[direction]string{south: "courtyard"},
			things: []thing{
				{"banners", "Red and gold, faded by a century of smoke: a drawbridge over a moat, stitched in thread of gold."},
				{"fire", "The logs in the hearth are whole trees. The heat keeps you a few steps away."},
			},
		},
		{
			id:    "stair",
			title: "The Tower Stair",
			desc: "A narrow spiral stair winds up inside the tower wall, lit by arrow slits " +
				"that throw thin blades of light across the steps. The stone is cold and the " +
				"air smells of rain. The courtyard lies back to the west.",
			exits: map[direction]string{west: "courtyard", up: "top"},
		},
		{
			id:    "top",
			title: "The Top of the Tower",
			desc: "Wind tugs at you on the crenellated roof of the tower. The whole castle " +
				"spreads out below: the courtyard and its well, the great hall's roof, the " +
				"gatehouse and the drawbridge over the moat, and beyond, forests and hills " +
				"fading into blue haze all the way to the horizon.",
			exits: map[direction]string{down: "stair"},
		},
	}
	w := &world{rooms: make(map[string]*room, len(rs)), start: "bridge", area: "Drawbridge Castle"}
	for i, r := range rs {
		r.num = i + 1
		w.rooms[r.id] = r
	}
	return w
}

// exitList returns the room's exits in a fixed order, for display.
func (r *room) exitList() []string {
	var out []string
	for d := north; d < numDirections; d++ {
		if _, ok := r.exits[d]; ok {
			out = append(out, d.String())
		}
	}
	return out
}

// wrap breaks text into lines of at most width runes, at spaces; a word
// longer than width is cut.
func wrap(text string, width int) []string {
	width = max(width, 1)
	var lines []string
	var line strings.Builder
	n := 0 // runes in line
	for _, word := range strings.Fields(text) {
		wl := utf8.RuneCountInString(word)
		for wl > width {
			// A word that can never fit: flush the line and cut the word.
			if n > 0 {
				lines = append(lines, line.String())
				line.Reset()
				n = 0
			}
			cut := 0
			for i := range word {
				if cut == width {
					lines = append(lines, word[:i])
					word = word[i:]
					break
				}
				cut++
			}
			wl = utf8.RuneCountInString(word)
		}
		switch {
		case n == 0:
		case n+1+wl <= width:
			line.WriteByte(' ')
			n++
		default:
			lines = append(lines, line.String())
			line.Reset()
			n = 0
		}
		line.WriteString(word)
		n += wl
	}
	if n > 0 {
		lines = append(lines, line.String())
	}
	return lines
}
