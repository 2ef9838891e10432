package automation

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/drawbridge/drawbridge/shared/i18n"
)

// MaxMudletSize bounds a Mudlet XML file ImportMudlet reads, in bytes.
const MaxMudletSize = 16 << 20

// maxMudletDepth bounds how deep ImportMudlet follows nested folders.
const maxMudletDepth = 32

// Report says what ImportMudlet did: how many items it imported, which
// it skipped and why, and which it imported with a difference.
type Report struct {
	Aliases, Triggers, Macros int
	// Skipped lists what was not imported.
	Skipped []Note
	// Changed lists items imported with something left out or changed.
	Changed []Note
}

// Localize returns the report's notes in msg's language (English when
// msg is nil), one a line, as the player reads them: each skipped item
// ("Skipped: timer "save": timers are not supported"), then each changed
// one.
func (r Report) Localize(msg *i18n.Catalog) []string {
	if msg == nil {
		msg = source()
	}
	out := make([]string, 0, len(r.Skipped)+len(r.Changed))
	for _, n := range r.Skipped {
		out = append(out, msg.T("auto.note.skipped", "note", n.Localize(msg)))
	}
	for _, n := range r.Changed {
		out = append(out, msg.T("auto.note.changed", "note", n.Localize(msg)))
	}
	return out
}

// Note is one line of a Report.
type Note struct {
	// Kind is "alias", "trigger", "key", "timer", "button", "script",
	// "variables" or "settings".
	Kind string
	Name string
	// Why is the reason in English.
	Why string
	// Key and Args are the reason as a message of the catalogue, as an
	// Error's are, for Localize; a note without a Key is its Why in every
	// language.
	Key  string
	Args []any
}

// String is the note as a player reads it, in English: `trigger "Tell":
// plays beep ...`.
func (n Note) String() string { return n.Localize(source()) }

// Localize returns the note in msg's language (English when msg is nil).
func (n Note) Localize(msg *i18n.Catalog) string {
	if msg == nil {
		msg = source()
	}
	why := n.Why
	if n.Key != "" {
		why = msg.T(n.Key, localArgs(msg, n.Args, nil)...)
	}
	if n.Name == "" {
		return msg.T("auto.note.unnamed", "kind", kindName(msg, n.Kind), "why", why)
	}
	return msg.T("auto.note.named", "kind", kindName(msg, n.Kind), "name", n.Name, "why", why)
}

// The XML of a Mudlet package or profile, as Mudlet's XMLimport reads
// it: packages of items, items nested in groups (folders).
type xmlPackage struct {
	XMLName   xml.Name   `xml:"MudletPackage"`
	Version   string     `xml:"version,attr"`
	Triggers  []xmlItems `xml:"TriggerPackage"`
	Aliases   []xmlItems `xml:"AliasPackage"`
	Keys      []xmlItems `xml:"KeyPackage"`
	Timers    []xmlItems `xml:"TimerPackage"`
	Actions   []xmlItems `xml:"ActionPackage"`
	Scripts   []xmlItems `xml:"ScriptPackage"`
	Variables []xmlItems `xml:"VariablePackage"`
	Host      []xmlItems `xml:"HostPackage"`
}

type xmlItems struct {
	Items []xmlItem `xml:",any"`
}

// xmlItem is any Mudlet item or group of items (a trigger, alias, key,
// timer, button or script); the fields of other kinds stay empty.
// Children also collects the elements not named here, which the walk
// ignores by name.
type xmlItem struct {
	XMLName      xml.Name
	IsActive     string    `xml:"isActive,attr"`
	IsFolder     string    `xml:"isFolder,attr"`
	IsMultiline  string    `xml:"isMultiline,attr"`
	IsPerlSlashG string    `xml:"isPerlSlashGOption,attr"`
	IsColorizer  string    `xml:"isColorizerTrigger,attr"`
	IsFilter     string    `xml:"isFilterTrigger,attr"`
	IsSound      string    `xml:"isSoundTrigger,attr"`
	Name         string    `xml:"name"`
	Script       string    `xml:"script"`
	Command      string    `xml:"command"`  // alias, key, timer
	MCommand     string    `xml:"mCommand"` // trigger
	Regex        string    `xml:"regex"`    // alias
	StayOpen     string    `xml:"mStayOpen"`
	FG           *string   `xml:"mFgColor"`
	BG           *string   `xml:"mBgColor"`
	SoundFile    string    `xml:"mSoundFile"`
	Patterns     []string  `xml:"regexCodeList>string"`
	Types        []string  `xml:"regexCodePropertyList>integer"`
	KeyCode      string    `xml:"keyCode"`
	KeyModifier  string    `xml:"keyModifier"`
	Children     []xmlItem `xml:",any"`
}

func yes(s string) bool { return s == "yes" }

// folder reports whether an item is a group: its isFolder attribute, or
// without one the element's name.
func (x *xmlItem) folder() bool {
	if x.IsFolder != "" {
		return yes(x.IsFolder)
	}
	return strings.HasSuffix(x.XMLName.Local, "Group")
}

// ImportMudlet reads a Mudlet package or profile (XML, a MudletPackage)
// and returns what of it maps onto a Model, with a Report of the rest.
//
// Aliases map with their pattern and command; triggers whose patterns are
// substrings, Perl regular expressions, begin-of-line substrings (^ and
// the quoted text) or exact matches (^, the quoted text, $), with a
// command, a highlight (colorizer) or a sound; keys whose Qt key code and
// modifiers name a key this client knows. Several patterns of one
// trigger become one regular expression, the patterns as alternatives.
// Mudlet's command fields send text as it is, so a $ in them becomes $$.
// Lua scripts map only when they do nothing but send(...) text and
// matches[n] (see luaScript) or, for triggers, deleteLine() (a gag);
// an item whose action is any other script is skipped, and one that has
// a command or a highlight as well is imported without its script.
// Skipped, and listed in the Report with the reason: regular
// expressions Go cannot compile (backreferences, lookaround, possessive
// quantifiers: the RE2 error is given), Lua-function, colour, prompt and
// line-spacer patterns, multi-line (AND) triggers, filters and trigger
// chains (a trigger's or a patterned folder's children), timers,
// buttons, scripts, variables and profile settings.
//
// Folders become groups, nested ones named "Outer/Inner"; a folder that
// is off turns its group off. The error is for a file that is not a
// Mudlet package or cannot be read; what is skipped is in the Report.
func ImportMudlet(r io.Reader) (Model, Report, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxMudletSize+1))
	if err != nil {
		return Model{}, Report{}, wrapError("auto.err.mudlet.read", err)
	}
	if len(data) > MaxMudletSize {
		return Model{}, Report{}, newError("auto.err.mudlet.large", "max", MaxMudletSize>>20)
	}
	var pkg xmlPackage
	dec := xml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&pkg); err != nil {
		var ue xml.UnmarshalError
		var syn *xml.SyntaxError
		switch {
		case errors.As(err, &ue) || err == io.EOF:
			return Model{}, Report{}, newError("auto.err.mudlet.not_package")
		case errors.As(err, &syn):
			return Model{}, Report{}, newError("auto.err.mudlet.xml", "line", syn.Line, "why", syn.Msg)
		}
		return Model{}, Report{}, wrapError("auto.err.mudlet.decode", err)
	}
	if v, err := strconv.ParseFloat(pkg.Version, 64); err == nil && v >= 2 {
		return Model{}, Report{}, newError("auto.err.mudlet.newer", "version", truncate(pkg.Version, 10))
	}
	im := importer{m: Model{Version: Version}, groups: map[string]int{}}
	for _, p := range pkg.Aliases {
		im.walk(p.Items, "alias", "Alias", "AliasGroup", nil, true, true, 0, im.alias)
	}
	for _, p := range pkg.Triggers {
		im.triggers(p.Items, nil, true, true, "", 0)
	}
	for _, p := range pkg.Keys {
		im.walk(p.Items, "key", "Key", "KeyGroup", nil, true, true, 0, im.key)
	}
	for _, p := range pkg.Timers {
		im.unsupported(p.Items, "Timer", "timer", "auto.note.timers", 0)
	}
	for _, p := range pkg.Actions {
		im.unsupported(p.Items, "Action", "button", "auto.note.buttons", 0)
	}
	for _, p := range pkg.Scripts {
		im.unsupported(p.Items, "Script", "script", "auto.note.scripts", 0)
	}
	if len(pkg.Variables) > 0 {
		im.skip("variables", "", "auto.note.variables")
	}
	if len(pkg.Host) > 0 {
		im.skip("settings", "", "auto.note.settings")
	}
	return im.m, im.rep, nil
}

type importer struct {
	m      Model
	rep    Report
	groups map[string]int // group name to its index in m.Groups
}

// skip notes an item not imported, and why: the message key with its
// arguments.
func (im *importer) skip(kind, name, key string, args ...any) {
	im.rep.Skipped = append(im.rep.Skipped, note(kind, name, key, args))
}

// skipErr notes an item not imported because of err.
func (im *importer) skipErr(kind, name string, err error) {
	im.skip(kind, name, "auto.note.error", "err", err)
}

// change notes an item imported with a difference: the message key with
// its arguments.
func (im *importer) change(kind, name, key string, args ...any) {
	im.rep.Changed = append(im.rep.Changed, note(kind, name, key, args))
}

func note(kind, name, key string, args []any) Note {
	return Note{Kind: kind, Name: truncate(name, MaxNameLen), Key: key, Args: args,
		Why: source().T(key, localArgs(source(), args, nil)...)}
}

// room reports whether another item fits in the model, and says so when
// it does not.
func (im *importer) room(kind, name string) bool {
	if im.m.Items() >= MaxItems {
		im.skip(kind, name, "auto.note.limit", "max", MaxItems)
		return false
	}
	return true
}

// group returns the group for items in the folders path, listing it
// (off when a folder on the way is off). When the model has no room for
// another group, the items go into the default group, and a folder's
// being off is carried by the items themselves: on is then false.
func (im *importer) group(path []string, groupOn bool) (name string, on bool) {
	name = cutRunes(strings.Join(path, "/"), MaxNameLen)
	if i, ok := im.groups[name]; ok {
		im.m.Groups[i].Enabled = im.m.Groups[i].Enabled && groupOn
		return name, true
	}
	if name == "" && groupOn {
		return "", true
	}
	if len(im.m.Groups) >= MaxGroups {
		return "", groupOn
	}
	im.groups[name] = len(im.m.Groups)
	im.m.Groups = append(im.m.Groups, Group{Name: name, Enabled: groupOn})
	return name, true
}

func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// mudletCommand turns a Mudlet command field into Commands: Mudlet sends
// it as it is, dropping line feeds, so $ is escaped.
func mudletCommand(s string) string {
	s = strings.NewReplacer("\r", "", "\n", "").Replace(s)
	return strings.ReplaceAll(strings.TrimSpace(s), "$", "$$")
}

func joinCommands(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n" + b
}

// walk visits a Mudlet tree of aliases or keys: elements named item or
// group (the folders), reported as kind; each item that is not a folder
// goes to do, and a Mudlet item's children match on their own, whatever
// it does, so they are walked too. (Triggers have chains: see triggers.)
func (im *importer) walk(items []xmlItem, kind, item, group string, path []string, groupOn, parentOn bool, depth int,
	do func(x *xmlItem, path []string, groupOn, parentOn bool)) {
	for i := range items {
		x := &items[i]
		if x.XMLName.Local != item && x.XMLName.Local != group {
			continue
		}
		if depth >= maxMudletDepth {
			im.skip(kind, x.Name, "auto.note.too_deep")
			continue
		}
		if x.folder() {
			im.walk(x.Children, kind, item, group, append(path[:len(path):len(path)], x.Name), groupOn && yes(x.IsActive), parentOn, depth+1, do)
			continue
		}
		do(x, path, groupOn, parentOn)
		im.walk(x.Children, kind, item, group, path, groupOn, parentOn && yes(x.IsActive), depth+1, do)
	}
}

// commands returns an alias's or key's commands: its command field, and
// what its Lua script sends where the script is simple enough to read.
// It reports false, with the item skipped, when a script is its only
// action and cannot be read.
func (im *importer) commands(kind string, x *xmlItem) (string, bool) {
	cmds := mudletCommand(x.Command)
	if strings.TrimSpace(x.Script) == "" {
		return cmds, true
	}
	s, _, ok := luaScript(x.Script, false)
	switch {
	case ok:
		cmds = joinCommands(cmds, s)
	case cmds == "":
		im.skip(kind, x.Name, "auto.note.lua_action")
		return "", false
	default:
		im.change(kind, x.Name, "auto.note.lua_command_only")
	}
	return cmds, true
}

func (im *importer) alias(x *xmlItem, path []string, groupOn, parentOn bool) {
	if !im.room("alias", x.Name) {
		return
	}
	if x.Regex == "" {
		im.skip("alias", x.Name, "auto.note.no_pattern")
		return
	}
	if _, _, err := compileRegexp(x.Regex); err != nil {
		im.skipErr("alias", x.Name, err)
		return
	}
	cmds, ok := im.commands("alias", x)
	if !ok {
		return
	}
	a := Alias{ID: NewID(), Name: cutRunes(x.Name, MaxNameLen), Pattern: x.Regex, Commands: cmds}
	if _, _, err := compileAlias(&a); err != nil {
		im.skipErr("alias", x.Name, err)
		return
	}
	group, on := im.group(path, groupOn)
	a.Group, a.Enabled = group, on && parentOn && yes(x.IsActive)
	im.m.Aliases = append(im.m.Aliases, a)
	im.rep.Aliases++
}

func (im *importer) triggers(items []xmlItem, path []string, groupOn, parentOn bool, chain string, depth int) {
	for i := range items {
		x := &items[i]
		if x.XMLName.Local != "Trigger" && x.XMLName.Local != "TriggerGroup" {
			continue
		}
		switch {
		case depth >= maxMudletDepth:
			im.skip("trigger", x.Name, "auto.note.too_deep")
			continue
		case chain != "":
			im.skip("trigger", x.Name, "auto.note.chain", "chain", truncate(chain, 40))
			im.triggers(x.Children, path, groupOn, parentOn, chain, depth+1)
			continue
		}
		patterned := slicesAny(x.Patterns, func(p string) bool { return p != "" })
		if x.folder() && !patterned {
			im.triggers(x.Children, append(path[:len(path):len(path)], x.Name), groupOn && yes(x.IsActive), parentOn, "", depth+1)
			continue
		}
		if x.folder() {
			im.skip("trigger", x.Name, "auto.note.chain_folder")
		} else {
			im.trigger(x, path, groupOn, parentOn)
		}
		// Children of a trigger, or of a folder with patterns, only see
		// lines it matched (or the part a filter passes on).
		im.triggers(x.Children, path, groupOn, parentOn, x.Name, depth+1)
	}
}

func slicesAny(list []string, f func(string) bool) bool {
	for _, s := range list {
		if f(s) {
			return true
		}
	}
	return false
}

// Mudlet's pattern types (TTrigger.h).
const (
	mudletSubstring   = 0
	mudletPerl        = 1
	mudletBeginOfLine = 2
	mudletExact       = 3
	mudletLua         = 4
	mudletLineSpacer  = 5
	mudletColor       = 6
	mudletPrompt      = 7
)

func (im *importer) trigger(x *xmlItem, path []string, groupOn, parentOn bool) {
	if !im.room("trigger", x.Name) {
		return
	}
	switch {
	case yes(x.IsMultiline):
		im.skip("trigger", x.Name, "auto.note.multiline")
		return
	case yes(x.IsFilter):
		im.skip("trigger", x.Name, "auto.note.filter")
		return
	}
	var alts, subs []string // the patterns as regular expressions; substrings as they are
	n := min(len(x.Patterns), len(x.Types))
	for i := range n {
		p := strings.ReplaceAll(x.Patterns[i], "\n", "") // as Mudlet does
		if p == "" {
			continue
		}
		typ, err := strconv.Atoi(strings.TrimSpace(x.Types[i]))
		if err != nil {
			typ = -1
		}
		switch typ {
		case mudletSubstring:
			alts, subs = append(alts, regexp.QuoteMeta(p)), append(subs, p)
		case mudletPerl:
			if _, _, err := compileRegexp(p); err != nil {
				im.skipErr("trigger", x.Name, err)
				return
			}
			alts = append(alts, p)
		case mudletBeginOfLine:
			alts = append(alts, "^"+regexp.QuoteMeta(p))
		case mudletExact:
			alts = append(alts, "^"+regexp.QuoteMeta(p)+"$")
		case mudletLua:
			im.skip("trigger", x.Name, "auto.note.lua_pattern")
			return
		case mudletLineSpacer:
			im.skip("trigger", x.Name, "auto.note.line_spacer")
			return
		case mudletColor:
			im.skip("trigger", x.Name, "auto.note.colour_pattern")
			return
		case mudletPrompt:
			im.skip("trigger", x.Name, "auto.note.prompt_pattern")
			return
		default:
			im.skip("trigger", x.Name, "auto.note.pattern_type", "type", truncate(x.Types[i], 10))
			return
		}
	}
	var t Trigger
	switch {
	case len(alts) == 0:
		im.skip("trigger", x.Name, "auto.note.no_patterns")
		return
	case len(alts) == 1 && len(subs) == 1:
		t.Match, t.Pattern = Substring, subs[0]
	case len(alts) == 1:
		t.Match, t.Pattern = Regex, alts[0]
	default:
		t.Match, t.Pattern = Regex, "(?:"+strings.Join(alts, ")|(?:")+")"
		im.change("trigger", x.Name, "auto.note.patterns_joined", "n", len(alts))
	}
	t.ID, t.Name = NewID(), cutRunes(x.Name, MaxNameLen)

	cmds := mudletCommand(x.MCommand)
	scriptLost := false
	if strings.TrimSpace(x.Script) != "" {
		if s, gag, ok := luaScript(x.Script, true); ok {
			cmds, t.Gag = joinCommands(cmds, s), gag
		} else {
			scriptLost = true
		}
	}
	t.Commands = cmds
	if yes(x.IsColorizer) {
		fg := im.mudletColor(x, x.FG, "#ff0000") // Mudlet's defaults
		bg := im.mudletColor(x, x.BG, "#ffff00")
		if fg != "" || bg != "" {
			t.Highlight = &Highlight{FG: fg, BG: bg, Scope: ScopeMatch, All: yes(x.IsPerlSlashG)}
			if t.Match == Regex {
				if re, err := regexp.Compile(t.Pattern); err == nil && re.NumSubexp() > 0 {
					t.Highlight.Scope = ScopeGroups // Mudlet colours the groups when there are any
				}
			}
		}
	}
	if yes(x.IsSound) && x.SoundFile != "" {
		t.Sound = SoundBeep
		im.change("trigger", x.Name, "auto.note.sound", "sound", SoundBeep, "file", truncate(x.SoundFile, 60))
	}
	if t.Highlight == nil && !t.Gag && t.Commands == "" && t.Sound == "" {
		if scriptLost {
			im.skip("trigger", x.Name, "auto.note.lua_action")
		} else {
			im.skip("trigger", x.Name, "auto.note.nothing")
		}
		return
	}
	if scriptLost {
		im.change("trigger", x.Name, "auto.note.lua_dropped")
	}
	if n, err := strconv.Atoi(strings.TrimSpace(x.StayOpen)); err == nil && n > 0 {
		im.change("trigger", x.Name, "auto.note.fire_length", "n", n)
	}
	if _, err := checkTrigger(&t); err != nil {
		im.skipErr("trigger", x.Name, err)
		return
	}
	group, on := im.group(path, groupOn)
	t.Group, t.Enabled = group, on && parentOn && yes(x.IsActive)
	im.m.Triggers = append(im.m.Triggers, t)
	im.rep.Triggers++
}

// mudletColor maps a Mudlet colour (QColor's name: #rrggbb, a name, or
// "transparent") to a highlight colour; a missing element is Mudlet's
// default.
func (im *importer) mudletColor(x *xmlItem, c *string, def string) string {
	if c == nil {
		return def
	}
	s := strings.TrimSpace(*c)
	switch strings.ToLower(s) {
	case "", "transparent":
		return ""
	}
	if _, err := ParseColor(s); err != nil {
		im.change("trigger", x.Name, "auto.note.colour", "colour", truncate(s, 20))
		return ""
	}
	return s
}

func (im *importer) key(x *xmlItem, path []string, groupOn, parentOn bool) {
	if !im.room("key", x.Name) {
		return
	}
	code, err1 := strconv.ParseInt(strings.TrimSpace(x.KeyCode), 10, 64)
	mod, err2 := strconv.ParseInt(strings.TrimSpace(x.KeyModifier), 10, 64)
	if err1 != nil || err2 != nil {
		im.skip("key", x.Name, "auto.note.no_key_code")
		return
	}
	combo, err := qtKeyCombo(code, mod)
	if err != nil {
		im.skipErr("key", x.Name, err)
		return
	}
	if _, err := checkMacroKey(combo); err != nil {
		im.skipErr("key", x.Name, err)
		return
	}
	cmds, ok := im.commands("key", x)
	if !ok {
		return
	}
	if cmds == "" {
		im.skip("key", x.Name, "auto.note.no_command")
		return
	}
	k := Macro{ID: NewID(), Name: cutRunes(x.Name, MaxNameLen), Key: combo, Commands: cmds}
	if _, err := checkMacro(&k); err != nil {
		im.skipErr("key", x.Name, err)
		return
	}
	group, on := im.group(path, groupOn)
	k.Group, k.Enabled = group, on && parentOn && yes(x.IsActive)
	im.m.Macros = append(im.m.Macros, k)
	im.rep.Macros++
}

// unsupported lists every item of a package this client has no use for,
// with the message key that says why.
func (im *importer) unsupported(items []xmlItem, element, kind, key string, depth int) {
	for i := range items {
		x := &items[i]
		if x.XMLName.Local != element && x.XMLName.Local != element+"Group" {
			continue
		}
		if !x.folder() {
			im.skip(kind, x.Name, key)
		}
		if depth < maxMudletDepth {
			im.unsupported(x.Children, element, kind, key, depth+1)
		}
	}
}

// Qt's key modifiers and the key codes qtKeyCombo maps (Qt::Key).
const (
	qtShift  = 0x02000000
	qtCtrl   = 0x04000000
	qtAlt    = 0x08000000
	qtMeta   = 0x10000000
	qtKeypad = 0x20000000

	qtEscape   = 0x01000000
	qtTab      = 0x01000001
	qtBacktab  = 0x01000002
	qtBackspc  = 0x01000003
	qtReturn   = 0x01000004
	qtEnter    = 0x01000005
	qtInsert   = 0x01000006
	qtDelete   = 0x01000007
	qtPause    = 0x01000008
	qtClear    = 0x0100000b
	qtHome     = 0x01000010
	qtEnd      = 0x01000011
	qtLeft     = 0x01000012
	qtUp       = 0x01000013
	qtRight    = 0x01000014
	qtDown     = 0x01000015
	qtPageUp   = 0x01000016
	qtPageDown = 0x01000017
	qtF1       = 0x01000030
	qtF24      = 0x01000047
)

// qtKeys maps Qt key codes without the keypad modifier to
// KeyboardEvent.code names. Read-only.
var qtKeys = map[int64]string{
	qtEscape: "Escape", qtTab: "Tab", qtBackspc: "Backspace", qtReturn: "Enter",
	qtEnter: "NumpadEnter", qtInsert: "Insert", qtDelete: "Delete", qtPause: "Pause",
	qtHome: "Home", qtEnd: "End", qtLeft: "ArrowLeft", qtUp: "ArrowUp",
	qtRight: "ArrowRight", qtDown: "ArrowDown", qtPageUp: "PageUp", qtPageDown: "PageDown",
	' ': "Space", '-': "Minus", '=': "Equal", '[': "BracketLeft", ']': "BracketRight",
	'\\': "Backslash", ';': "Semicolon", '\'': "Quote", '`': "Backquote",
	',': "Comma", '.': "Period", '/': "Slash",
}

// qtKeypadKeys maps Qt key codes with the keypad modifier: the digits
// and operators with NumLock on, and what the digits send with NumLock
// off (arrows, Home, ...). Read-only.
var qtKeypadKeys = map[int64]string{
	'+': "NumpadAdd", '-': "NumpadSubtract", '*': "NumpadMultiply", '/': "NumpadDivide",
	'.': "NumpadDecimal", ',': "NumpadDecimal", '=': "NumpadEqual", qtEnter: "NumpadEnter",
	qtUp: "Numpad8", qtDown: "Numpad2", qtLeft: "Numpad4", qtRight: "Numpad6",
	qtHome: "Numpad7", qtPageUp: "Numpad9", qtEnd: "Numpad1", qtPageDown: "Numpad3",
	qtClear: "Numpad5", qtInsert: "Numpad0", qtDelete: "NumpadDecimal",
}

// qtKeyCombo maps a Mudlet key (a Qt key code and modifiers) to a key
// combination: F1-F24, letters, digits and the keys of the tables above;
// keypad keys by the keypad modifier.
func qtKeyCombo(code, mods int64) (string, error) {
	ctrl, alt, shift, meta := mods&qtCtrl != 0, mods&qtAlt != 0, mods&qtShift != 0, mods&qtMeta != 0
	var name string
	switch {
	case mods&qtKeypad != 0 && code >= '0' && code <= '9':
		name = "Numpad" + string(rune(code))
	case mods&qtKeypad != 0:
		name = qtKeypadKeys[code]
	case code >= qtF1 && code <= qtF24:
		name = "F" + strconv.FormatInt(code-qtF1+1, 10)
	case code >= 'A' && code <= 'Z':
		name = "Key" + string(rune(code))
	case code >= 'a' && code <= 'z':
		name = "Key" + string(rune(code-'a'+'A'))
	case code >= '0' && code <= '9':
		name = "Digit" + string(rune(code))
	case code == qtBacktab:
		name, shift = "Tab", true
	default:
		name = qtKeys[code]
	}
	if name == "" {
		return "", newError("auto.err.mudlet.key_code", "code", fmt.Sprintf("%#x", code), "modifiers", fmt.Sprintf("%#x", mods))
	}
	return Combo(name, ctrl, alt, shift, meta), nil
}
