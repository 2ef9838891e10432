package automation

import (
	"fmt"
	"math/rand/v2"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
)

func TestRequiredLits(t *testing.T) {
	cases := []struct {
		re   string
		lits []string // nil: none
		fold bool
	}{
		{`tells you`, []string{"tells you"}, false},
		{`^(\w+) tells you '(.*)'$`, []string{" tells you '"}, false},
		{`^You HIT (.+)`, []string{"you hit "}, false},
		{`(?i)gold`, []string{"gold"}, true},
		{`(?i)ärger`, nil, false},
		{`(?i)ä+rger`, []string{"rger"}, true},
		{`^\d+$`, nil, false},
		{`hits|misses`, []string{"hits", "misses"}, false},
		{`(hits|\d+)`, nil, false},
		{`(arrives|leaves) from the (north|south)`, []string{"arrives from the", "leaves from the "}, false}, // cut to maxLitLen
		{`^(\w+) (hits|misses|massacres) you`, []string{" hits you", " misses you", " massacres you"}, false},
		{`^You (hit|miss) (\w+)`, []string{"you hit ", "you miss "}, false},
		{`colou?r`, []string{"colour", "color"}, false},
		{`[.!?]$`, []string{"!", ".", "?"}, false},
		{`(?i)k[aä]`, []string{"ka", "kÄ", "kä"}, true},          // a small class is exact, folds and all
		{`[\x{212A}k]ilo`, []string{"kilo", "\u212ailo"}, false}, // the scan finds the ASCII k in either case; the pattern decides
		{`☺|☕`, []string{"☕", "☺"}, false},                       // the parser makes it a class
		{`x?`, nil, false},
		{`^$`, nil, false},
		{`a*b?c{0,3}`, nil, false},
		{`(ab){2,}x`, []string{"ab"}, false},
		{`x(abcdef)+`, []string{"abcdef"}, false},
		{`[Yy]ou feel`, []string{"you feel"}, true}, // the parser makes [Yy] a folded y
		{`a|b|c|d|e|f|g|h|i`, nil, false},           // more than maxAlternatives
		{strings.Repeat("long", 10), []string{"longlonglonglong"}, false},
		{`\[Exits: `, []string{"[exits: "}, false},
	}
	for _, c := range cases {
		parsed, err := syntax.Parse(c.re, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		s, ok := requiredLits(parsed)
		if ok != (c.lits != nil) || !slices.Equal(s.lits, c.lits) || s.fold != c.fold {
			t.Errorf("requiredLits(%q) = %q, fold %v, %v; want %q, fold %v", c.re, s.lits, s.fold, ok, c.lits, c.fold)
		}
	}
}

// TestPrefilterMissesNothing: with the prefilter and without it, Line
// gives the same results, for random triggers made of MUD words and
// regular expression pieces and random lines with accents, capitals and
// the letters Unicode folds onto ASCII.
func TestPrefilterMissesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	words := append(slices.Clone(mudWords), "Kelvin", "\u212Aelvin", "ſword", "SWORD", "Drachenhöhle", "ÄRGER", "ärger", "龍")
	pieces := []string{`\w+`, `\d+`, `.*`, `(\w+)`, `\s`, `[Tt]he`, `^`, `$`, `(?i)`, `|`, `\b`}
	for round := range 200 {
		var m Model
		for i := range 40 {
			var p strings.Builder
			regex := rng.IntN(2) == 0
			for range 1 + rng.IntN(3) {
				if regex && rng.IntN(3) == 0 {
					p.WriteString(pieces[rng.IntN(len(pieces))])
				} else {
					w := words[rng.IntN(len(words))]
					if regex {
						w = strings.ReplaceAll(w, ".", `\.`)
					}
					p.WriteString(w)
				}
				p.WriteByte(' ')
			}
			tr := Trigger{ID: fmt.Sprint(i), Name: fmt.Sprint(i), Enabled: true, Pattern: strings.TrimSpace(p.String()),
				IgnoreCase: rng.IntN(3) == 0, Highlight: &Highlight{FG: "red", All: rng.IntN(2) == 0}, Notify: "$0"}
			if regex {
				tr.Match = Regex
			}
			if _, err := checkTrigger(&tr); err == nil {
				m.Triggers = append(m.Triggers, tr)
			}
		}
		with := newEngine(t, m)
		without := newEngine(t, m)
		noPrefilter(without)
		for range 50 {
			var l strings.Builder
			for range rng.IntN(12) {
				w := words[rng.IntN(len(words))]
				switch rng.IntN(4) {
				case 0:
					w = strings.ToUpper(w)
				case 1:
					w = strings.ToLower(w)
				}
				l.WriteString(w)
				l.WriteByte(" ,'"[rng.IntN(3)])
			}
			line := l.String()
			a, b := with.Line(line), without.Line(line)
			if !sameResult(a, b) {
				t.Fatalf("round %d, line %q:\nwith the prefilter    %+v\nwithout the prefilter %+v", round, line, a, b)
			}
		}
	}
}

// TestPrefilterBudget: triggers whose literals do not fit in the
// automaton are run on every line, and still match.
func TestPrefilterBudget(t *testing.T) {
	var m Model
	for i := range 300 {
		m.Triggers = append(m.Triggers, Trigger{ID: fmt.Sprint(i), Enabled: true, Pattern: fmt.Sprintf("%03d-unique-literal", i), Gag: true})
	}
	e := newEngine(t, m)
	always := 0
	for _, tr := range e.triggers {
		if tr.always {
			always++
		}
	}
	if always == 0 || always == len(e.triggers) {
		t.Errorf("%d of %d triggers always run; want some", always, len(e.triggers))
	}
	if !e.Line("x 299-unique-literal y").Gag || !e.Line("000-unique-literal").Gag || e.Line("300-unique-literal").Gag {
		t.Errorf("a trigger past the budget does not match as it should")
	}
}

func TestFirstBytes(t *testing.T) {
	cases := []struct {
		re   string
		want string // "" for nil
	}{
		{`^[A-Z][a-z]+$`, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
		{`^<(\d{1,2})hp `, "<"},
		{`^a?b`, "ab"},
		{`(?i)^kiss`, "Kk\xe2"}, // and the Kelvin sign's first byte
		{`^(?:You|Your) `, "Y"},
		{`^é`, "\xc3"},
		{`foo`, ""},    // not anchored
		{`^a*`, ""},    // matches the empty line
		{`^.x`, ""},    // any byte
		{`(?m)^x`, ""}, // a line start, not the text's
		{`^\S`, ""},    // most bytes
		{`^\bx`, "x"},  // an assertion is taken to hold
		{`^(a|$)`, ""}, // the empty line again
	}
	for _, c := range cases {
		f := firstBytes(c.re)
		var got []byte
		if f != nil {
			for b, ok := range f {
				if ok {
					got = append(got, byte(b))
				}
			}
		}
		if (f == nil) != (c.want == "") || string(got) != c.want {
			t.Errorf("firstBytes(%q) = %q (nil %v), want %q", c.re, got, f == nil, c.want)
		}
	}
}
