package automation

import (
	"image/color"
	"regexp"
	"regexp/syntax"
	"unicode/utf8"

	"github.com/drawbridge/drawbridge/shared/i18n"
)

// Limits on a model. They bound the work a line of output or a typed
// command can cost, and the size of what is stored in the browser.
const (
	// MaxItems bounds the aliases, triggers and macros of a model, all
	// together.
	MaxItems = 500
	// MaxGroups bounds the groups a model lists.
	MaxGroups = 100
	// MaxNameLen bounds names of items and groups, in characters.
	MaxNameLen = 100
	// MaxIDLen bounds an item's ID, in bytes.
	MaxIDLen = 64
	// MaxPatternLen bounds a pattern, in bytes.
	MaxPatternLen = 1000
	// MaxProgram bounds a regular expression's size once compiled, in
	// instructions of Go's regexp machine (a character or a class is
	// one, a repetition copies what it repeats): the time a regular
	// expression takes is linear in the line, and this bounds the
	// factor.
	MaxProgram = 1000
	// MaxTotalProgram bounds the size of all of a model's regular
	// expressions together, so that the worst a line can cost is bounded
	// (realistic patterns take 10 to 50 instructions each).
	MaxTotalProgram = 20000
	// MaxCommandsLen bounds an item's Commands, and a trigger's Notify,
	// in bytes.
	MaxCommandsLen = 4000
	// MaxExpanded bounds the commands one typed line, one key or one
	// trigger's firing expands into through aliases.
	MaxExpanded = 100
	// MaxLineLen bounds how much of an output line triggers see, in
	// bytes: the rest of a longer line is not matched.
	MaxLineLen = 4096
	// MaxMatches bounds the matches in one line that a highlight of
	// every match colours: each may cost a scan of the rest of the line.
	MaxMatches = 32
	// MaxNotifyLen bounds a notification's text, in characters, once
	// its $n are filled in.
	MaxNotifyLen = 200
)

// ItemError is a problem with one item of a model (or with the model as
// a whole: Kind "model").
type ItemError struct {
	Kind  string // "alias", "trigger", "macro", "group" or "model"
	Name  string // the item's name, cut to 40 characters ("" when it has none)
	Index int    // the item's place among its kind, from 1
	ID    string
	Err   error
}

// Error names the item and says what is wrong with it, in English (see
// Localize).
func (e *ItemError) Error() string { return e.localize(source()) }

func (e *ItemError) localize(msg *i18n.Catalog) string {
	why := Localize(msg, e.Err)
	switch {
	case e.Kind == "model":
		return why
	case e.Name == "":
		return msg.T("auto.err.item_numbered", "kind", kindName(msg, e.Kind), "index", e.Index, "err", why)
	}
	return msg.T("auto.err.item_named", "kind", kindName(msg, e.Kind), "name", e.Name, "err", why)
}

// Unwrap returns the problem itself (an ErrKey, a regexp/syntax error...).
func (e *ItemError) Unwrap() error { return e.Err }

func itemError(kind, name, id string, index int, err error) *ItemError {
	return &ItemError{Kind: kind, Name: truncate(name, 40), Index: index + 1, ID: id, Err: err}
}

// Validate returns every problem with the model, each an *ItemError
// whose problem is an *Error (Localize gives it in the player's language): too
// many items or groups, missing or repeated IDs, names too long, empty or
// too long patterns, regular expressions Go cannot compile (with the RE2
// error) or that are too large, unknown match types, scopes or sounds,
// invalid colours, unknown or typing macro keys, commands too long, and
// triggers that do nothing. A nil result means New will compile every
// item.
func (m *Model) Validate() []error {
	var errs []error
	if n := m.Items(); n > MaxItems {
		errs = append(errs, &ItemError{Kind: "model", Err: newError("auto.err.model.items", "n", n, "max", MaxItems)})
	}
	if len(m.Groups) > MaxGroups {
		errs = append(errs, &ItemError{Kind: "model", Err: newError("auto.err.model.groups", "n", len(m.Groups), "max", MaxGroups)})
	}
	seenGroup := map[string]bool{}
	for i, g := range m.Groups {
		if err := checkName(g.Name); err != nil {
			errs = append(errs, itemError("group", g.Name, "", i, err))
		}
		if seenGroup[g.Name] {
			errs = append(errs, itemError("group", g.Name, "", i, newError("auto.err.group.twice")))
		}
		seenGroup[g.Name] = true
	}
	ids := map[string]bool{}
	program := 0 // instructions of all regular expressions
	checkCommon := func(kind, id, name, group string, i int) {
		switch {
		case id == "":
			errs = append(errs, itemError(kind, name, id, i, newError("auto.err.id.none")))
		case len(id) > MaxIDLen:
			errs = append(errs, itemError(kind, name, id, i, newError("auto.err.id.long", "max", MaxIDLen)))
		case ids[id]:
			errs = append(errs, itemError(kind, name, id, i, newError("auto.err.id.twice", "id", truncate(id, 40))))
		}
		ids[id] = true
		if err := checkName(name); err != nil {
			errs = append(errs, itemError(kind, name, id, i, err))
		}
		if err := checkName(group); err != nil {
			errs = append(errs, itemError(kind, name, id, i, wrapError("auto.err.group_name", err)))
		}
	}
	for i, a := range m.Aliases {
		checkCommon("alias", a.ID, a.Name, a.Group, i)
		if _, size, err := compileAlias(&a); err != nil {
			errs = append(errs, itemError("alias", a.Name, a.ID, i, err))
		} else {
			program += size
		}
	}
	for i, t := range m.Triggers {
		checkCommon("trigger", t.ID, t.Name, t.Group, i)
		if c, err := checkTrigger(&t); err != nil {
			errs = append(errs, itemError("trigger", t.Name, t.ID, i, err))
		} else {
			program += c.size
		}
	}
	for i, k := range m.Macros {
		checkCommon("macro", k.ID, k.Name, k.Group, i)
		if _, err := checkMacro(&k); err != nil {
			errs = append(errs, itemError("macro", k.Name, k.ID, i, err))
		}
	}
	if program > MaxTotalProgram {
		errs = append(errs, &ItemError{Kind: "model", Err: errTotalProgram(program)})
	}
	return errs
}

func checkName(name string) error {
	if utf8.RuneCountInString(name) > MaxNameLen {
		return newError("auto.err.name.long", "max", MaxNameLen)
	}
	return nil
}

// checkCommands checks an item's commands, or with notify a trigger's
// notification.
func checkCommands(s string, notify bool) error {
	switch {
	case len(s) <= MaxCommandsLen:
		return nil
	case notify:
		return newError("auto.err.notify.long", "max", MaxCommandsLen)
	}
	return newError("auto.err.commands.long", "max", MaxCommandsLen)
}

func errTotalProgram(n int) error {
	return newError("auto.err.program.total", "n", n, "max", MaxTotalProgram)
}

// compileRegexp compiles a pattern as Go's regexp does (RE2 syntax, Perl
// flags), refusing an empty or too long one, and returns its size.
func compileRegexp(pattern string) (*regexp.Regexp, int, error) {
	if pattern == "" {
		return nil, 0, newError("auto.err.pattern.empty")
	}
	if len(pattern) > MaxPatternLen {
		return nil, 0, newError("auto.err.pattern.long", "max", MaxPatternLen)
	}
	return compileProgram(pattern)
}

// compileProgram compiles a regular expression, refusing one whose
// program is larger than MaxProgram, and returns its size.
func compileProgram(pattern string) (*regexp.Regexp, int, error) {
	parsed, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, 0, wrapError("auto.err.pattern", err)
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return nil, 0, wrapError("auto.err.pattern", err)
	}
	if len(prog.Inst) > MaxProgram {
		return nil, 0, newError("auto.err.pattern.complex", "n", len(prog.Inst), "max", MaxProgram)
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, 0, wrapError("auto.err.pattern", err)
	}
	return re, len(prog.Inst), nil
}

func compileAlias(a *Alias) (*regexp.Regexp, int, error) {
	re, size, err := compileRegexp(a.Pattern)
	if err != nil {
		return nil, 0, err
	}
	return re, size, checkCommands(a.Commands, false)
}

// checkedTrigger is what checking a trigger found: its compiled pattern
// (nil for a case-sensitive substring) and its size, and colours.
type checkedTrigger struct {
	re     *regexp.Regexp
	size   int
	fg, bg color.RGBA
	scope  Scope
}

// checkTrigger checks a trigger and compiles its pattern: a regular
// expression, with (?i) for IgnoreCase, or for a substring that ignores
// case the quoted substring under (?i).
func checkTrigger(t *Trigger) (checkedTrigger, error) {
	var c checkedTrigger
	switch {
	case t.Pattern == "":
		return c, newError("auto.err.pattern.empty")
	case len(t.Pattern) > MaxPatternLen:
		return c, newError("auto.err.pattern.long", "max", MaxPatternLen)
	case !utf8.ValidString(t.Pattern):
		return c, newError("auto.err.pattern.utf8")
	}
	var err error
	switch t.Match {
	case Substring, "":
		if t.IgnoreCase {
			c.re, c.size, err = compileProgram("(?i)" + regexp.QuoteMeta(t.Pattern))
		}
	case Regex:
		p := t.Pattern
		if t.IgnoreCase {
			p = "(?i)" + p
		}
		c.re, c.size, err = compileProgram(p)
	default:
		return c, newError("auto.err.match", "match", truncate(string(t.Match), 20), "substring", string(Substring), "regex", string(Regex))
	}
	if err != nil {
		return c, err
	}
	acts := 0
	if h := t.Highlight; h != nil {
		acts++
		fg, err := ParseColor(h.FG)
		if err != nil {
			return c, wrapError("auto.err.highlight", err)
		}
		bg, err := ParseColor(h.BG)
		if err != nil {
			return c, wrapError("auto.err.highlight", err)
		}
		if fg.A == 0 && bg.A == 0 {
			return c, newError("auto.err.highlight.no_colour")
		}
		c.fg, c.bg = fg, bg
		switch h.Scope {
		case "", ScopeMatch:
			c.scope = ScopeMatch
		case ScopeGroups, ScopeLine:
			c.scope = h.Scope
		default:
			return c, newError("auto.err.highlight.scope", "scope", truncate(string(h.Scope), 20),
				"match", string(ScopeMatch), "groups", string(ScopeGroups), "line", string(ScopeLine))
		}
	}
	if t.Gag {
		acts++
	}
	if t.Commands != "" {
		acts++
		if err := checkCommands(t.Commands, false); err != nil {
			return c, err
		}
	}
	if t.Sound != "" {
		acts++
		if !validSound(t.Sound) {
			return c, newError("auto.err.sound", "sound", truncate(t.Sound, 20), "beep", SoundBeep, "chime", SoundChime, "alert", SoundAlert)
		}
	}
	if t.Notify != "" {
		acts++
		if err := checkCommands(t.Notify, true); err != nil {
			return c, err
		}
	}
	if acts == 0 {
		return c, newError("auto.err.trigger.nothing")
	}
	return c, nil
}

func checkMacro(k *Macro) (string, error) {
	combo, err := checkMacroKey(k.Key)
	if err != nil {
		return "", wrapError("auto.err.macro.key", err)
	}
	if k.Commands == "" {
		return "", newError("auto.err.commands.empty")
	}
	return combo, checkCommands(k.Commands, false)
}
