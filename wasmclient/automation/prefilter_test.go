package automation

import (
	"fmt"
	"math/rand/v2"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
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
		{`[\x{FFFD}]x`, []string{"x"}, false}, // U+FFFD matches any byte that is not UTF-8
		{`a\x{FFFD}bc`, []string{"bc"}, false},
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
			a := with.Line(line)
			checkMayMatch(t, with, line)
			b := without.Line(line)
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

// checkMayMatch fails when, on the line e.Line was last given, a
// trigger's regular expression matches where a prefilter said it could
// not: the scan's candidates (with the triggers always run and the
// folding rule), the need byte, the further literals (also), the start
// hint at every match's start, and the literal search in place of the
// regexp. It is the prefilters' contract, checked against regexp itself.
func checkMayMatch(t *testing.T, e *Engine, line string) {
	t.Helper()
	text := line
	if len(text) > MaxLineLen {
		text = text[:MaxLineLen]
		for len(text) > MaxLineLen-utf8.UTFMax && !utf8.RuneStart(line[len(text)]) {
			text = text[:len(text)-1]
		}
	}
	folds := strings.ContainsAny(text, asciiFolders)
	for i := range e.triggers {
		tr := &e.triggers[i]
		if tr.re == nil {
			continue
		}
		all := tr.re.FindAllStringSubmatchIndex(text, -1)
		if len(all) == 0 {
			continue
		}
		what := fmt.Sprintf("trigger %q on %q (match %v)", tr.re, text, all[0])
		switch {
		case e.cand[i>>6]&(1<<(i&63)) == 0:
			t.Fatalf("%s: not a candidate", what)
		case tr.need != 0 && !hasByteASCIIFold(text, tr.need):
			t.Fatalf("%s: need byte %q", what, tr.need)
		case !e.mayHave(tr, text):
			t.Fatalf("%s: further literals %v", what, tr.also)
		}
		if h := tr.hint; h != nil {
			if p := h.next(text, 0, folds); p < 0 || p > all[0][0] {
				t.Fatalf("%s: the hint begins at %d", what, p)
			}
			for _, m := range all {
				if p := h.next(text, m[0], folds); p != m[0] {
					t.Fatalf("%s: the hint says %d for the match at %d", what, p, m[0])
				}
			}
		}
		if e.literal(tr, text) {
			j, size := tr.index(text)
			if want := all[0]; j != want[0] || j+size != want[1] {
				t.Fatalf("%s: the literal search finds %d-%d", what, j, j+size)
			}
		}
		// find, as try and highlight use it, gives FindAll's matches.
		if !e.literal(tr, text) && e.mayHave(tr, text) {
			loc := e.find(tr, text, 0)
			for n, m := range all {
				if loc == nil || !slices.Equal(loc, m[:len(loc)]) {
					t.Fatalf("%s: find gives %v for match %d, %v", what, loc, n, m)
				}
				if len(m) > 2 && !tr.subs && len(loc) != 2 || tr.subs && len(loc) != len(m) {
					t.Fatalf("%s: find gives %v, groups %v", what, loc, tr.subs)
				}
				if tr.hint == nil {
					break // find goes on after a match only with a hint (see highlight)
				}
				loc = e.find(tr, text, m[1])
			}
			if tr.hint != nil && loc != nil {
				t.Fatalf("%s: find gives %v past the last match", what, loc)
			}
		}
	}
}

func TestLiteralRegexp(t *testing.T) {
	cases := []struct {
		re      string
		alts    []string
		foldLit string
	}{
		{`tells you`, []string{"tells you"}, ""},
		{`(MAULS|DECIMATES|ANNIHILATES)`, []string{"MAULS", "DECIMATES", "ANNIHILATES"}, ""},
		{`Ærø|Ærwyn`, []string{"Ærø", "Ærwyn"}, ""}, // the parser makes it Ær(?:ø|wyn)
		{`☺|☕`, []string{"☕", "☺"}, ""},             // a class: one rune at a place, any order
		{`a|ab`, []string{"a", "ab"}, ""},           // the first is preferred, shorter or not
		{`ab|a`, []string{"ab", "a"}, ""},
		{`colou?r`, nil, ""},
		{`(?i)crypt run`, nil, "crypt run"},
		{`(?i)(crypt run)`, nil, "crypt run"},
		{`(?i)ärger`, nil, ""},
		{`(a)(b)`, nil, ""},
		{`^tells`, nil, ""},
		{`\btells`, nil, ""},
		{`a|`, nil, ""},
		{`\x{FFFD}`, nil, ""},
		{`[a-z]`, nil, ""},
		{`a|b|c|d|e|f|g|h|i`, nil, ""},
	}
	for _, c := range cases {
		alts, foldLit := literalRegexp(c.re)
		if !slices.Equal(alts, c.alts) || foldLit != c.foldLit {
			t.Errorf("literalRegexp(%q) = %q, %q; want %q, %q", c.re, alts, foldLit, c.alts, c.foldLit)
		}
	}
}

func TestStartHint(t *testing.T) {
	cases := []struct {
		re       string
		first    string // "" for no hint
		lits     []string
		anchored bool
		back     bool
	}{
		{`(MAULS|DECIMATES)`, "DM", []string{"mauls", "decimates"}, false, false},
		{`(\d+) experience`, "0123456789", nil, false, false},
		{`hp (\d+)m`, "h", []string{"hp "}, false, false},
		{`(?i)crypt`, "Cc", []string{"crypt"}, false, false},
		{`(?i)kiss`, "Kk\xe2", []string{"kiss"}, false, false},
		{`\b(north|south)east\b`, "ns", []string{"northeast", "southeast"}, false, true},
		{`^\[Exits: (.+)\]$`, "[", []string{"[exits: "}, true, true},
		{`(?m)^x|y`, "xy", []string{"x", "y"}, false, true},
		{`(?:rat|cat) (\w+)`, "cr", []string{"rat ", "cat "}, false, false},
		{`.*x`, "", nil, false, false},
		{`x*`, "", nil, false, false},
		{`\S+`, "", nil, false, false},
		{`[\x{FFFD}a]b`, "", nil, false, false}, // U+FFFD: any invalid byte, inside a rune too
	}
	for _, c := range cases {
		h := newStartHint(c.re)
		if h == nil {
			if c.first != "" {
				t.Errorf("newStartHint(%q) = nil", c.re)
			}
			continue
		}
		var first []byte
		for b, ok := range h.first {
			if ok {
				first = append(first, byte(b))
			}
		}
		if string(first) != c.first || !slices.Equal(h.lits, c.lits) || h.anchored != c.anchored || h.back != c.back {
			t.Errorf("newStartHint(%q) = first %q lits %q anchored %v back %v; want %q %q %v %v",
				c.re, first, h.lits, h.anchored, h.back, c.first, c.lits, c.anchored, c.back)
		}
	}
}

func TestAlsoLits(t *testing.T) {
	cases := []struct {
		re   string
		want []string // each set's literals, joined by "|"
	}{
		{`^<(\d+)/(\d+)hp`, []string{"/"}},
		{`^(\w+) (?:scratches|hits|wounds) you`, nil},
		{`(?i)^the (\w+) (\w+)s\b`, nil},
		{`(\d+) gold (\w+)/(\w+)`, []string{"/"}},
	}
	for _, c := range cases {
		parsed, err := syntax.Parse(c.re, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		chosen, _ := requiredLits(parsed)
		var got []string
		for _, s := range alsoLits(c.re, chosen.lits, newStartHint(c.re)) {
			got = append(got, strings.Join(s.lits, "|"))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("alsoLits(%q) = %q, want %q", c.re, got, c.want)
		}
	}
}

// TestPrefilterMayMatch: for each of the benchmark's triggers, and
// random ones, on generated lines and lines of edge cases, every
// prefilter lets through every line the regular expression matches
// (checkMayMatch).
func TestPrefilterMayMatch(t *testing.T) {
	m := benchModel(100, 0)
	for i, re := range []string{`(MAULS|DECIMATES|ANNIHILATES)`, `\b(north|south)east\b`, `(?i)\bbienvenue\b`,
		`Ærø|Ærwyn`, `☺|☕`, `a|ab`, `[ab]c|ad`, `^<(\d+)/(\d+)hp`, `(?m)^x|y`, `(?i)crypt run`, `(\w+)s\b`,
		`\Bx`, `[\x{FFFD}é]`, `é|\x{FFFD}`, `(?i)k+s`, `\d+ gold \+\d`} {
		m.Triggers = append(m.Triggers, Trigger{ID: fmt.Sprint("x", i), Enabled: true, Match: Regex, Pattern: re,
			Highlight: &Highlight{FG: "red", Scope: ScopeGroups, All: i%2 == 0}})
	}
	e := newEngine(t, m)
	lines := mudLines(2000)
	lines = append(lines, "Your slash MAULS the rat, DECIMATES it", "northeast, southeast and northeastern", "\u212Aiss \u212A\u017Fs",
		"Bienvenue! BIENVENUE", "abcadac", "<12/13hp", "x\nx\ny", "café \xc3(MAULS)\xa9 \xe2\x98MAULS", "\xff\xfeé\xef\xbf\xbd",
		"a xx bx", "12 gold +3", "kiss", "crypt RUN, Crypt run")
	for _, l := range lines {
		e.Line(l)
		checkMayMatch(t, e, l)
	}
}
