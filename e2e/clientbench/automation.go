package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// The automation run: the Drawbridge client with a player's aliases and
// triggers loaded floods as it does without them, the two interleaved in
// the same phase, so the cost of running 100 triggers over every line
// shows as the ratio of their ingest (issue 16: within 10%).

// benchTriggers and benchAliases size the automation run's model.
const (
	benchTriggers = 100
	benchAliases  = 20
)

// automationQuery marks the page that loads the benchmark's model.
const automationQuery = "automation=bench"

// benchModel returns a model as a player who fights, chats and trades
// might have (in the client's JSON format, wasmclient/automation): 100
// triggers, a third on words the stream has (foes, channels, speakers,
// hits: highlighted, most colouring the match and some the line), a
// third regular expressions over lines it has (fights, chat, exits,
// prompts), a third on text it never has (other areas' messages, tells,
// hunger), and 20 aliases. No trigger gags or sends: the flood must be
// drawn whole, and the benchmark's socket takes no commands.
func benchModel() (string, error) {
	type hl struct {
		FG    string `json:"fg,omitempty"`
		BG    string `json:"bg,omitempty"`
		Scope string `json:"scope,omitempty"`
		All   bool   `json:"all,omitempty"`
	}
	type trigger struct {
		Name       string `json:"name"`
		Group      string `json:"group,omitempty"`
		Pattern    string `json:"pattern"`
		Match      string `json:"match"`
		IgnoreCase bool   `json:"ignoreCase,omitempty"`
		Highlight  *hl    `json:"highlight,omitempty"`
		Sound      string `json:"sound,omitempty"`
	}
	type alias struct {
		Name     string `json:"name"`
		Pattern  string `json:"pattern"`
		Commands string `json:"commands"`
	}
	colours := []string{"#ff5555", "#55ff55", "#ffff55", "#5555ff", "#ff55ff", "#55ffff"}
	var ts []trigger
	// On words the stream has.
	var present []string
	for _, f := range foes {
		present = append(present, strings.TrimPrefix(f, "the "))
	}
	for _, c := range channels {
		present = append(present, "["+c.name+"]")
	}
	present = append(present, speakers...)
	for _, v := range verbs {
		present = append(present, v.word)
	}
	present = append(present, "gold coins", "rusty longsword", "town guard", "piñata", "cat sleeps", "Exits:",
		"Marketplace", "Crypt", "Library", "Forge", "Pier", "Watchtower", "crème brûlée", "frost wyrm", "healer", "lute", "runes")
	for i := 0; len(ts) < benchTriggers/3 && i < len(present); i++ {
		h := &hl{FG: colours[i%len(colours)]}
		if i%4 == 0 {
			h.Scope = "line"
		}
		ts = append(ts, trigger{Name: fmt.Sprintf("word %d", i), Group: "words", Pattern: present[i], Match: "substring", Highlight: h})
	}
	// Regular expressions over lines the stream has.
	regexes := []string{
		`^(\w+) (?:scratches|hits|wounds) you`, `(MAULS|DECIMATES|ANNIHILATES)`, `^\[Exits: (.+)\]$`,
		`^<(\d+)/(\d+)hp`, `^\[(gossip|auction|clan)\] (\S+):`, `(\d+) gold`, `\+\d (\w+)`, `LFG: (.+)`,
		`^A (.+) lies here\.$`, `^(?:Old|Ruined|Haunted) (\w+)`, `(?i)crypt run`, `☺|☕`, `^(\S+) says`,
		`\b(north|south)east\b`, `(\w+) tunes her (\w+)`, `glitters here`, `(?i)\bbienvenue\b`,
		`the (goblin|troll|bandit) (?:is|was)`, `^You (hit|miss) (.+)`, `(\d+) experience`, `^You are thirsty\.$`, `(?i)selling (.+)`,
		`Grüße|Dónde`, `^(.+) hangs from a hook`, `wyrm — need (\w+)`, `(?:rat|cat) (\w+)`, `« (.+) »`, `Ærø|Ærwyn`,
		`^([A-Z]\w+) arrives from the (\w+)\.$`, `(?i)^the (\w+) (\w+)s\b`, `hp (\d+)m`, `\bbells? ring\b`, `torch flickers`,
	}
	for i, re := range regexes {
		if len(ts) >= 2*benchTriggers/3 {
			break
		}
		if _, err := regexp.Compile(re); err != nil {
			return "", fmt.Errorf("benchmark trigger %q: %w", re, err)
		}
		ts = append(ts, trigger{Name: fmt.Sprintf("regex %d", i), Group: "regexes", Pattern: re, Match: "regex",
			Highlight: &hl{BG: "#202060", Scope: "groups", All: i%3 == 0}})
	}
	// On text the stream never has.
	for i := 0; len(ts) < benchTriggers; i++ {
		tr := trigger{Name: fmt.Sprintf("absent %d", i), Group: "elsewhere", Sound: "chime"}
		switch i % 4 {
		case 0:
			tr.Pattern, tr.Match = fmt.Sprintf("You are hungry %d", i), "substring"
		case 1:
			tr.Pattern, tr.Match = fmt.Sprintf(`^(\w+) tells you: (.*quest %d.*)$`, i), "regex"
		case 2:
			tr.Pattern, tr.Match, tr.IgnoreCase = fmt.Sprintf("the dragon of area %d", i), "substring", true
		default:
			tr.Pattern, tr.Match = fmt.Sprintf(`You feel (?:weak|thirsty) \(%d\)`, i), "regex"
		}
		ts = append(ts, tr)
	}
	var as []alias
	for i := range benchAliases {
		as = append(as, alias{Name: fmt.Sprintf("alias %d", i), Pattern: fmt.Sprintf(`^a%d (.+)$`, i), Commands: fmt.Sprintf("cast 'spell %d' $1;;kill $1", i)})
	}
	b, err := json.Marshal(map[string]any{"version": 1, "triggers": ts, "aliases": as})
	return string(b), err
}

// automationJS runs in every page before its own scripts: the client's
// page with automationQuery in its URL finds model in its storage, any
// other client page finds none (the other runs are without automation).
func automationJS(model string) string {
	return fmt.Sprintf(`(() => { try { if (!location.pathname.endsWith("/play.html")) return;
  if (location.search.includes(%q)) localStorage.setItem("drawbridge.automation", %q);
  else localStorage.removeItem("drawbridge.automation"); } catch (e) { console.error("automation setup:", e); } })();`, automationQuery, model)
}
