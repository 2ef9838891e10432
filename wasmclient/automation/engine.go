package automation

import (
	"errors"
	"image/color"
	mathbits "math/bits"
	"regexp"
	"regexp/syntax"
	"strings"
	"time"
	"unicode/utf8"
)

// Options configure an Engine. The zero value works: no command
// separator, a new Limiter on the system clock.
type Options struct {
	// Separator is the player's command separator (dom.Settings.Separator,
	// ";;" by default); "" turns command stacking off. Commands in the
	// model are split at it, and at line breaks.
	Separator string
	// Limiter limits the commands triggers send. Pass the same one to
	// every engine of a session, so that rebuilding does not refill it;
	// nil: a new one reading Now.
	Limiter *Limiter
	// Now is the clock of the Limiter made when Limiter is nil (nil:
	// time.Now).
	Now func() time.Time
}

// Engine runs a model: it expands typed commands through aliases, runs
// triggers on lines of output and looks macros up. It is compiled once
// from a model by New; when the model changes, or a group is turned on
// or off, the client builds a new one. An Engine is not safe for
// concurrent use.
type Engine struct {
	sep      string
	aliases  []calias
	triggers []ctrigger
	macros   map[string]*template
	limiter  *Limiter

	scan   *scanner
	cand   []uint64 // bitset of the triggers to run on the current line
	always []uint64 // bitset of the triggers the prefilter does not cover
	fold   []uint64 // bitset of the triggers to run on lines with a rune that folds to ASCII (asciiFolders)
	// folders is the bit the scan sets for a line with such a rune: an
	// index past the triggers, whose literals are asciiFolders' runes;
	// -1 when no trigger folds.
	folders int

	res      Result
	onStack  []bool // aliases being expanded
	steps    int
	start    int      // where the current typed command's expansion began in the output
	fired    []string // a trigger firing's commands, before the limit
	loc      [4]int   // a literal trigger's match (and its one group)
	nonASCII int8     // the current line: -1 unknown, 0 ASCII, 1 not
	folds    int8     // the current line has a rune of asciiFolders: -1 unknown, 0 no, 1 yes
}

type calias struct {
	name string
	re   *regexp.Regexp
	tmpl template
}

type ctrigger struct {
	name    string
	lit     string         // a case-sensitive substring (re is nil)
	foldLit string         // an ASCII substring that ignores case, lower-cased (re also set, for other lines)
	alts    []string       // a regular expression that is literals (re also set): them, in its order of preference
	also    []litSet       // literals besides the scan's that every match holds one of each
	re      *regexp.Regexp // a regular expression, or a substring that ignores case
	groups  int            // capture groups of re
	hint    *startHint     // where a match of re can begin (nil: anywhere)
	subs    bool           // its actions use the groups ($1.., a highlight of the groups): find their places
	need    byte           // a byte every match holds, lower-cased (either case of a letter will do), for a trigger the scan cannot filter (0: none known)
	always  bool           // run on every line (no literal in the prefilter)
	fold    bool           // its literals are case-folded: run on non-ASCII lines
	hl      bool
	fg, bg  color.RGBA
	scope   Scope
	all     bool
	gag     bool
	cmds    template
	sound   string
	notify  cmdTemplate
	hasNote bool
}

// Result is what the triggers did to one line. Its slices belong to the
// engine and hold until the next call to Line: read them, do not keep
// them.
type Result struct {
	// Gag says a trigger hid the line.
	Gag bool
	// Highlights are the spans to colour, in the order the triggers
	// fired: a later span is drawn over an earlier one.
	Highlights []Span
	// Commands are what the triggers send, in order, after aliases and
	// the rate limit.
	Commands []string
	// Sounds are the sounds to play, each once.
	Sounds []string
	// Notifications are texts to notify the player of.
	Notifications []string
	// Cuts lists the firings whose commands were not sent.
	Cuts []Cut
}

// Span is a stretch of a line to colour. Start and End are byte offsets
// in the line given to Line, End exclusive, at the edges of characters
// (as the regexp package's matches are: where it decodes one, an invalid
// byte is one). A colour with A 0 leaves that side of the text as it is.
type Span struct {
	Start, End int
	FG, BG     color.RGBA
}

// Cut is a trigger's firing whose commands were dropped: by the rate
// limit, or because its commands did not expand through the aliases. The
// client says so on screen ("trigger X: 12 commands cut in a second").
type Cut struct {
	Trigger  string // the trigger's name
	Commands int    // how many commands were dropped
	Reason   error  // why, as an *Error: Localize gives it in the player's language
}

// ErrExpansion is wrapped by the errors of alias expansion.
var ErrExpansion error = newError("auto.err.expansion")

// maxSteps bounds the commands one command's expansion puts through the
// aliases (each costs a match of every alias), so that aliases that
// expand into many commands that expand into nothing still cost a
// bounded time.
const maxSteps = 1000

// New compiles the enabled items of enabled groups. It always returns an
// engine: an item that does not compile is left out, and the error lists
// each such item (an *ItemError). Items beyond MaxItems are left out too.
// Model.Validate checks every item, enabled or not.
func New(m Model, opt Options) (*Engine, error) {
	e := &Engine{sep: opt.Separator, limiter: opt.Limiter, macros: map[string]*template{}}
	if e.limiter == nil {
		e.limiter = NewLimiter(opt.Now)
	}
	var errs []error
	if n := m.Items(); n > MaxItems {
		errs = append(errs, &ItemError{Kind: "model", Err: newError("auto.err.model.first", "n", n, "max", MaxItems)})
	}
	states := m.groupStates()
	budget := MaxItems
	program := 0 // instructions of the regular expressions so far
	overBudget := func(size int) error {
		if program+size > MaxTotalProgram {
			return errTotalProgram(program + size)
		}
		program += size
		return nil
	}
	for i := range m.Aliases {
		a := &m.Aliases[i]
		if !a.Enabled || !groupEnabled(states, a.Group) || budget == 0 {
			continue
		}
		budget--
		re, size, err := compileAlias(a)
		if err == nil {
			err = overBudget(size)
		}
		if err != nil {
			errs = append(errs, itemError("alias", a.Name, a.ID, i, err))
			continue
		}
		e.aliases = append(e.aliases, calias{name: a.Name, re: re, tmpl: compileTemplate(a.Commands, e.sep)})
	}
	var sets [][]string
	for i := range m.Triggers {
		t := &m.Triggers[i]
		if !t.Enabled || !groupEnabled(states, t.Group) || budget == 0 {
			continue
		}
		budget--
		c, err := checkTrigger(t)
		if err == nil {
			err = overBudget(c.size)
		}
		if err != nil {
			errs = append(errs, itemError("trigger", t.Name, t.ID, i, err))
			continue
		}
		ct := ctrigger{name: t.Name, re: c.re, gag: t.Gag, sound: t.Sound, cmds: compileTemplate(t.Commands, e.sep)}
		if c.re == nil {
			ct.lit = t.Pattern
		} else if (t.Match == Substring || t.Match == "") && isASCII(t.Pattern) {
			ct.foldLit = lowerString(t.Pattern)
			ct.groups = c.re.NumSubexp()
		} else {
			ct.groups = c.re.NumSubexp()
		}
		if c.re != nil {
			ct.hint = newStartHint(c.re.String())
			if ct.foldLit == "" {
				ct.alts, ct.foldLit = literalRegexp(c.re.String())
			}
		}
		if h := t.Highlight; h != nil {
			ct.hl, ct.fg, ct.bg, ct.scope, ct.all = true, c.fg, c.bg, c.scope, h.All
		}
		if t.Notify != "" {
			ct.hasNote, ct.notify = true, compileCommand(strings.TrimSpace(t.Notify))
		}
		ct.subs = ct.groups > 0 && (len(ct.cmds.cmds) > 0 || ct.hasNote || ct.hl && ct.scope == ScopeGroups)
		lits := triggerLits(t, &ct)
		if c.re != nil && ct.alts == nil && ct.foldLit == "" {
			ct.also = alsoLits(c.re.String(), lits, ct.hint)
		}
		if minLen(lits) < 2 {
			// The scan leaves single bytes out (as common as " " or "e",
			// they would make every line a candidate); one that every
			// match needs is still checked before the pattern runs.
			if len(lits) == 1 && len(lits[0]) == 1 && !ct.fold {
				ct.need = lits[0][0]
			}
			lits = nil
		}
		sets = append(sets, lits)
		e.triggers = append(e.triggers, ct)
	}
	for i := range m.Macros {
		k := &m.Macros[i]
		if !k.Enabled || !groupEnabled(states, k.Group) || budget == 0 {
			continue
		}
		budget--
		combo, err := checkMacro(k)
		if err != nil {
			errs = append(errs, itemError("macro", k.Name, k.ID, i, err))
			continue
		}
		if _, taken := e.macros[combo]; !taken { // the first macro on a key wins
			t := compileTemplate(k.Commands, e.sep)
			e.macros[combo] = &t
		}
	}
	e.folders = -1
	for i := range e.triggers {
		if e.triggers[i].fold {
			e.folders = len(e.triggers)
			var runes []string
			for _, r := range asciiFolders {
				runes = append(runes, string(r))
			}
			sets = append(sets, runes)
			break
		}
	}
	var fits []bool
	e.scan, fits = buildScanner(sets)
	words := (len(sets) + 63) / 64
	e.cand, e.always, e.fold = make([]uint64, words), make([]uint64, words), make([]uint64, words)
	if e.folders >= 0 && !fits[e.folders] {
		e.folders = len(e.triggers) + 1 // no room in the scan: fold on every non-ASCII line (see Line)
	}
	for i := range e.triggers {
		t := &e.triggers[i]
		t.always = !fits[i]
		if t.always {
			e.always[i>>6] |= 1 << (i & 63)
		}
		if t.fold {
			e.fold[i>>6] |= 1 << (i & 63)
		}
	}
	e.onStack = make([]bool, len(e.aliases))
	return e, errors.Join(errs...)
}

// triggerLits returns the literals a trigger's matches must contain one
// of (nil: none known), and sets ct.fold.
func triggerLits(t *Trigger, ct *ctrigger) []string {
	if t.Match == Substring || t.Match == "" {
		if t.IgnoreCase && !isASCII(t.Pattern) {
			return nil
		}
		ct.fold = t.IgnoreCase
		return []string{lowerLit(t.Pattern)}
	}
	parsed, err := syntax.Parse(ct.re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	s, ok := requiredLits(parsed)
	if !ok {
		return nil
	}
	ct.fold = s.fold
	return s.lits
}

// Expand turns a line the player typed into the commands to send. The
// line is split at the separator (as SplitCommands does), and each
// command goes through the aliases: every enabled alias whose pattern
// matches it fires, in order, and the commands it expands into go
// through the aliases again, except through the aliases already
// expanding (so no alias loops, directly or through others); a command
// no alias matches is sent as it is. An empty line is one empty command,
// which no alias sees. Each typed command may expand into at most
// MaxExpanded commands; past that, or past a bound on the aliases
// applied, Expand returns an error wrapping ErrExpansion and nothing to
// send.
func (e *Engine) Expand(line string) ([]string, error) {
	if line == "" {
		return []string{""}, nil
	}
	var out []string
	for _, part := range SplitCommands(line, e.sep) {
		if part == "" {
			out = append(out, part)
			continue
		}
		var err error
		if out, err = e.expandCommand(part, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// expandCommand appends to out what one command expands into.
func (e *Engine) expandCommand(cmd string, out []string) ([]string, error) {
	e.steps, e.start = 0, len(out)
	out, err := e.expand(cmd, out)
	if err != nil {
		clear(e.onStack)
		return out[:e.start], wrapError("auto.err.expand.command", err, "command", truncate(cmd, 40))
	}
	return out, nil
}

func (e *Engine) expand(cmd string, out []string) ([]string, error) {
	if e.steps++; e.steps > maxSteps {
		return out, wrapError("auto.err.expand.steps", ErrExpansion, "max", maxSteps)
	}
	matched := false
	for i := range e.aliases {
		a := &e.aliases[i]
		if e.onStack[i] {
			continue
		}
		loc := a.re.FindStringSubmatchIndex(cmd)
		if loc == nil {
			continue
		}
		matched = true
		e.onStack[i] = true
		for j := range a.tmpl.cmds {
			c, ok := a.tmpl.cmds[j].expand(cmd, loc)
			if !ok {
				return out, wrapError("auto.err.expand.alias_long", ErrExpansion, "name", truncate(a.name, 40), "max", MaxLineLen)
			}
			if c == "" {
				continue
			}
			var err error
			if out, err = e.expand(c, out); err != nil {
				return out, err
			}
		}
		e.onStack[i] = false
	}
	if !matched {
		if len(out)-e.start >= MaxExpanded {
			return out, wrapError("auto.err.expand.count", ErrExpansion, "max", MaxExpanded)
		}
		out = append(out, cmd)
	}
	return out, nil
}

// Key returns the commands of the macro on a key combination (any form
// ParseKey reads; the client passes Combo's), after aliases: ok is false
// when no enabled macro takes the key, so the key does what it would
// otherwise. The first enabled macro on a key wins. The error is
// Expand's.
func (e *Engine) Key(combo string) (cmds []string, ok bool, err error) {
	t, ok := e.macros[combo]
	if !ok {
		c, perr := ParseKey(combo)
		if perr != nil {
			return nil, false, nil
		}
		if t, ok = e.macros[c]; !ok {
			return nil, false, nil
		}
	}
	for i := range t.cmds {
		c, _ := t.cmds[i].expand("", nil) // no groups: never too long
		if c == "" {
			continue
		}
		if cmds, err = e.expandCommand(c, cmds); err != nil {
			return nil, true, err
		}
	}
	return cmds, true, nil
}

// Line runs the triggers on one line of output: text as shown, without
// its line ending and without escape sequences (the terminal's text of
// the line). Triggers run in order, each at most once; only the first
// MaxLineLen bytes are matched. See Result for what it returns and how
// long it holds.
func (e *Engine) Line(text string) Result {
	r := &e.res
	r.Gag = false
	r.Highlights, r.Commands, r.Sounds, r.Notifications, r.Cuts = r.Highlights[:0], r.Commands[:0], r.Sounds[:0], r.Notifications[:0], r.Cuts[:0]
	if len(e.triggers) == 0 {
		return *r
	}
	full := text
	if len(text) > MaxLineLen {
		cut := MaxLineLen
		for cut > MaxLineLen-utf8.UTFMax && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	copy(e.cand, e.always)
	e.nonASCII, e.folds = -1, -1
	if e.scan != nil {
		e.nonASCII = 0
		if e.scan.scan(text, e.cand) {
			e.nonASCII = 1
			// The scan lower-cases ASCII only. A match of a case-folded
			// ASCII literal is ASCII letters in some case, found by the
			// scan, unless the line has a rune that folds to an ASCII
			// letter (the scan looks for those too): then every such
			// trigger runs.
			if f := e.folders; f >= 0 && (f > len(e.triggers) || e.cand[f>>6]&(1<<(f&63)) != 0) {
				for w := range e.cand {
					e.cand[w] |= e.fold[w]
				}
			}
		}
		if f := e.folders; f >= 0 && f == len(e.triggers) {
			e.cand[f>>6] &^= 1 << (f & 63) // not a trigger
		}
	}
	// The candidates, in order.
	for w, bits := range e.cand {
		for bits != 0 {
			i := w<<6 | mathbits.TrailingZeros64(bits)
			bits &= bits - 1
			e.try(&e.triggers[i], text, full)
		}
	}
	return *r
}

// hasByteASCIIFold reports whether text has the byte c, a lower-case
// letter in either case.
func hasByteASCIIFold(text string, c byte) bool {
	if strings.IndexByte(text, c) >= 0 {
		return true
	}
	return c >= 'a' && c <= 'z' && strings.IndexByte(text, c-'a'+'A') >= 0
}

// asciiFolders are the runes outside ASCII whose simple case folding
// (what (?i) matches, unicode.SimpleFold) reaches an ASCII letter: LONG
// S (s) and KELVIN SIGN (k). TestASCIIFolders checks the list against
// the Unicode tables.
const asciiFolders = "\u017f\u212a"

// try runs a trigger's pattern on the line and fires it on a match.
func (e *Engine) try(t *ctrigger, text, full string) {
	var loc []int
	switch {
	case t.need != 0 && !hasByteASCIIFold(text, t.need):
		return
	case e.literal(t, text):
		j, size := t.index(text)
		if j < 0 {
			return
		}
		e.loc = [4]int{j, j + size, j, j + size}
		loc = e.loc[:2+2*t.groups] // a literal regexp has a group around it all, or none
	case !e.mayHave(t, text):
		return
	default:
		if loc = e.find(t, text, 0); loc == nil {
			return
		}
	}
	e.fire(t, text, full, loc)
}

// find returns the leftmost match of a trigger's regular expression in
// text that begins at from or later (from > 0: after an earlier match
// that ended there, as regexp's FindAll goes on), or nil. The index has
// the groups' places when the trigger uses them (t.subs), else the
// match's only; it is regexp's, the engine's to change.
func (e *Engine) find(t *ctrigger, text string, from int) []int {
	sub, off := text, 0
	if h := t.hint; h != nil {
		p := h.next(text, from, e.lineFolds(text))
		if p < 0 {
			return nil
		}
		off = h.start(text, p)
		sub = text[off:]
	} else if from > 0 {
		return nil // see highlight: only for a pattern with a hint
	}
	var loc []int
	switch {
	case t.always && !t.re.MatchString(sub):
		return nil // MatchString does not allocate; most lines stop here
	case !t.subs:
		// Only where the match is: cheaper than the groups' places.
		loc = t.re.FindStringIndex(sub)
	default:
		loc = t.re.FindStringSubmatchIndex(sub)
	}
	switch {
	case loc == nil:
		return nil
	case loc[0]+off < from:
		// It begins in the rune before from, given for its assertions
		// to see: the whole line decides.
		return e.findFrom(t, text, from)
	case off > 0:
		for i, x := range loc {
			if x >= 0 {
				loc[i] = x + off
			}
		}
	}
	return loc
}

// findFrom is find without the hint, from > 0: what regexp's FindAll
// would find next, the matches before from included in its work.
func (e *Engine) findFrom(t *ctrigger, text string, from int) []int {
	for _, m := range t.re.FindAllStringSubmatchIndex(text, MaxMatches+1) {
		if m[0] >= from {
			return m
		}
	}
	return nil
}

// fire does what a trigger does for a match at loc.
func (e *Engine) fire(t *ctrigger, text, full string, loc []int) {
	r := &e.res
	if t.hl {
		e.highlight(t, text, full, loc)
	}
	if t.gag {
		r.Gag = true
	}
	if len(t.cmds.cmds) > 0 {
		e.fired = e.fired[:0]
		var err error
		for i := range t.cmds.cmds {
			c, ok := t.cmds.cmds[i].expand(text, loc)
			if !ok {
				err = wrapError("auto.err.expand.long", ErrExpansion, "max", MaxLineLen)
				break
			}
			if c == "" {
				continue
			}
			if e.fired, err = e.expandCommand(c, e.fired); err != nil {
				break
			}
		}
		switch n := len(e.fired); {
		case err != nil:
			r.Cuts = append(r.Cuts, Cut{Trigger: t.name, Commands: max(n, 1), Reason: err})
		case n == 0:
		case n > RatePerSecond:
			r.Cuts = append(r.Cuts, Cut{Trigger: t.name, Commands: n, Reason: newError("auto.err.cut.burst", "n", RatePerSecond)})
		case !e.limiter.Allow(n):
			r.Cuts = append(r.Cuts, Cut{Trigger: t.name, Commands: n, Reason: newError("auto.err.cut.rate", "n", RatePerSecond, "m", RatePer10Seconds)})
		default:
			r.Commands = append(r.Commands, e.fired...)
		}
	}
	if t.sound != "" && !contains(r.Sounds, t.sound) {
		r.Sounds = append(r.Sounds, t.sound)
	}
	if t.hasNote {
		if s := expandText(&t.notify, text, loc, MaxNotifyLen); s != "" {
			r.Notifications = append(r.Notifications, s)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// highlight adds a trigger's spans.
func (e *Engine) highlight(t *ctrigger, text, full string, loc []int) {
	if t.scope == ScopeLine {
		e.span(t, full, 0, len(full))
		return
	}
	if !t.all {
		e.matchSpans(t, text, loc)
		return
	}
	switch {
	case e.literal(t, text):
		for at, n := 0, 0; n < MaxMatches && at < len(text); n++ {
			j, size := t.index(text[at:])
			if j < 0 {
				break
			}
			e.span(t, text, at+j, at+j+size)
			at += j + size
		}
	case t.hint != nil:
		// The matches after the first, each looked for from where the
		// one before ended, as FindAll does (a pattern with a hint
		// never matches the empty string).
		for n := 0; n < MaxMatches && loc != nil; n++ {
			e.matchSpans(t, text, loc)
			loc = e.find(t, text, loc[1])
		}
	case t.scope == ScopeGroups && t.groups > 0:
		for _, m := range t.re.FindAllStringSubmatchIndex(text, MaxMatches) {
			e.matchSpans(t, text, m)
		}
	default:
		for _, m := range t.re.FindAllStringIndex(text, MaxMatches) {
			e.span(t, text, m[0], m[1])
		}
	}
}

// matchSpans adds the spans of one match: the whole match, or for
// ScopeGroups each group that took part (the whole match when the
// pattern has none).
func (e *Engine) matchSpans(t *ctrigger, text string, loc []int) {
	if t.scope != ScopeGroups || t.groups == 0 {
		e.span(t, text, loc[0], loc[1])
		return
	}
	for g := 1; 2*g+1 < len(loc); g++ {
		e.span(t, text, loc[2*g], loc[2*g+1])
	}
}

// literal reports whether a trigger is matched on the line by a search
// for its literals, without the regexp package: a substring, a regular
// expression that is literals, or an ASCII literal that ignores case on
// a line with no rune that folds to an ASCII letter (then every match
// is ASCII letters in some case).
func (e *Engine) literal(t *ctrigger, text string) bool {
	return t.re == nil || t.alts != nil || t.foldLit != "" && !e.lineFolds(text)
}

// index finds a literal trigger's text (see literal): where and how
// long, or -1.
func (t *ctrigger) index(text string) (int, int) {
	switch {
	case t.alts != nil:
		return indexAlts(text, t.alts)
	case t.foldLit != "":
		return indexFoldASCII(text, t.foldLit), len(t.foldLit)
	}
	return strings.Index(text, t.lit), len(t.lit)
}

// indexAlts returns where the leftmost of alts occurs in text and its
// length, the first of alts where several begin there (as a regular
// expression's alternatives), or -1.
func indexAlts(text string, alts []string) (int, int) {
	at, size := -1, 0
	for _, a := range alts {
		end := len(text)
		if at >= 0 {
			end = min(end, at-1+len(a)) // to begin before at
		}
		if j := strings.Index(text[:max(end, 0)], a); j >= 0 {
			at, size = j, len(a)
		}
	}
	return at, size
}

// mayHave reports whether text has a literal of each of the trigger's
// further sets (also), as every match does.
func (e *Engine) mayHave(t *ctrigger, text string) bool {
	for _, s := range t.also {
		if s.fold && e.lineFolds(text) {
			continue
		}
		found := false
		for _, l := range s.lits {
			if indexFoldASCII(text, l) >= 0 {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// indexFoldASCII returns where lit, lower-cased ASCII, first occurs in
// text ignoring the case of ASCII letters, or -1.
func indexFoldASCII(text, lit string) int {
	first := lit[0]
	for i := 0; i+len(lit) <= len(text); i++ {
		if lowerASCII[text[i]] != first {
			continue
		}
		j := 1
		for j < len(lit) && lowerASCII[text[i+j]] == lit[j] {
			j++
		}
		if j == len(lit) {
			return i
		}
	}
	return -1
}

// lineFolds reports whether the current line has a rune of
// asciiFolders.
func (e *Engine) lineFolds(text string) bool {
	if e.folds < 0 {
		e.folds = 0
		if e.lineNonASCII(text) && (strings.Contains(text, "\u212a") || strings.Contains(text, "\u017f")) { // asciiFolders
			e.folds = 1
		}
	}
	return e.folds == 1
}

// lineNonASCII reports whether the current line has a byte outside
// ASCII (known from the scan, or found now).
func (e *Engine) lineNonASCII(text string) bool {
	if e.nonASCII < 0 {
		e.nonASCII = 0
		if !isASCII(text) {
			e.nonASCII = 1
		}
	}
	return e.nonASCII == 1
}

// span adds the span of bytes [start, end) of text; empty
// spans and groups that did not take part are left out.
func (e *Engine) span(t *ctrigger, text string, start, end int) {
	if start < 0 || end <= start {
		return
	}
	e.res.Highlights = append(e.res.Highlights, Span{Start: start, End: end, FG: t.fg, BG: t.bg})
}
