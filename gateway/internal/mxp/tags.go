package mxp

// tagID names what a built-in element does.
type tagID uint8

const (
	tagNone tagID = iota
	tagCustom
	tagBold
	tagItalic
	tagUnderline
	tagStrike
	tagColor
	tagHigh
	tagFont
	tagNobr
	tagP
	tagBR
	tagSBR
	tagHeading
	tagSend
	tagA
	tagVersion
	tagSupport
	tagElement
	tagAttlist
	tagEntity
	tagVar
	tagComment
	tagIgnored // known, not implemented: the tag goes, its content stays
	tagHidden  // known, not implemented: the tag and its content go
)

// builtin describes an element MXP defines.
type builtin struct {
	name  string // upper case
	id    tagID
	open  bool // allowed in open mode
	empty bool // takes no closing tag
	// impl is whether the filter implements it, for SUPPORT; attrs are
	// its attributes, those it implements first, the rest after nimpl.
	impl  bool
	attrs []string
	nimpl int
	// definable: the game may define an element of this name (the
	// mapper's tags, which are no more than names to a terminal).
	definable bool
	// quiet: left out of the SUPPORTS list of everything.
	quiet bool
}

// builtins are MXP's elements, in the order SUPPORTS lists them.
var builtins = [...]builtin{
	{name: "B", id: tagBold, open: true, impl: true},
	{name: "BOLD", id: tagBold, open: true, impl: true},
	{name: "STRONG", id: tagBold, open: true, impl: true},
	{name: "I", id: tagItalic, open: true, impl: true},
	{name: "ITALIC", id: tagItalic, open: true, impl: true},
	{name: "EM", id: tagItalic, open: true, impl: true},
	{name: "U", id: tagUnderline, open: true, impl: true},
	{name: "UNDERLINE", id: tagUnderline, open: true, impl: true},
	{name: "S", id: tagStrike, open: true, impl: true},
	{name: "STRIKEOUT", id: tagStrike, open: true, impl: true},
	{name: "C", id: tagColor, open: true, impl: true, attrs: []string{"fore", "back"}, nimpl: 2},
	{name: "COLOR", id: tagColor, open: true, impl: true, attrs: []string{"fore", "back"}, nimpl: 2},
	{name: "H", id: tagHigh, open: true, impl: true},
	{name: "HIGH", id: tagHigh, open: true, impl: true},
	{name: "FONT", id: tagFont, open: true, impl: true, attrs: []string{"color", "back", "face", "size"}, nimpl: 2},
	{name: "NOBR", id: tagNobr, open: true, empty: true, impl: true},
	{name: "P", id: tagP, open: true, impl: true},
	{name: "BR", id: tagBR, open: true, empty: true, impl: true},
	{name: "SBR", id: tagSBR, open: true, empty: true, impl: true},
	{name: "H1", id: tagHeading, open: true, impl: true},
	{name: "H2", id: tagHeading, open: true, impl: true},
	{name: "H3", id: tagHeading, open: true, impl: true},
	{name: "H4", id: tagHeading, open: true, impl: true},
	{name: "H5", id: tagHeading, open: true, impl: true},
	{name: "H6", id: tagHeading, open: true, impl: true},
	{name: "HR", id: tagIgnored, open: true, empty: true},
	{name: "SMALL", id: tagIgnored, open: true},
	{name: "TT", id: tagIgnored, open: true},
	{name: "SEND", id: tagSend, impl: true, attrs: []string{"href", "hint", "prompt", "expire"}, nimpl: 3},
	{name: "A", id: tagA, impl: true, attrs: []string{"href", "hint", "expire"}, nimpl: 1},
	{name: "EXPIRE", id: tagIgnored, empty: true},
	{name: "VERSION", id: tagVersion, empty: true, impl: true},
	{name: "SUPPORT", id: tagSupport, empty: true, impl: true},
	{name: "!ELEMENT", id: tagElement, empty: true, impl: true, attrs: []string{"att", "tag", "open", "delete", "empty", "flag"}, nimpl: 5},
	{name: "!EL", id: tagElement, empty: true, impl: true, quiet: true},
	{name: "!ATTLIST", id: tagAttlist, empty: true, impl: true},
	{name: "!AT", id: tagAttlist, empty: true, impl: true, quiet: true},
	{name: "!ENTITY", id: tagEntity, empty: true, impl: true, attrs: []string{"delete", "add", "remove", "private", "publish", "desc"}, nimpl: 5},
	{name: "!EN", id: tagEntity, empty: true, impl: true, quiet: true},
	{name: "!TAG", id: tagIgnored, empty: true},
	{name: "VAR", id: tagVar, impl: true},
	{name: "V", id: tagVar, impl: true},
	{name: "SOUND", id: tagIgnored, empty: true},
	{name: "MUSIC", id: tagIgnored, empty: true},
	{name: "GAUGE", id: tagIgnored, empty: true},
	{name: "STAT", id: tagIgnored, empty: true},
	{name: "FRAME", id: tagIgnored, empty: true},
	{name: "DEST", id: tagHidden},
	{name: "DESTINATION", id: tagHidden},
	{name: "RELOCATE", id: tagIgnored, empty: true},
	{name: "USER", id: tagIgnored, empty: true},
	{name: "PASSWORD", id: tagIgnored, empty: true},
	{name: "IMAGE", id: tagIgnored, empty: true},
	{name: "FILTER", id: tagIgnored, empty: true},
	{name: "SCRIPT", id: tagHidden},
	{name: "WELCOME", id: tagIgnored},
	{name: "RNAME", id: tagIgnored, definable: true, quiet: true},
	{name: "RDESC", id: tagIgnored, definable: true, quiet: true},
	{name: "REXITS", id: tagIgnored, definable: true, quiet: true},
	{name: "RNUM", id: tagIgnored, definable: true, quiet: true},
}

// lookupBuiltin finds a built-in element by its upper-case name. The
// indexes follow builtins (TestBuiltinIndex checks them).
func lookupBuiltin(upper []byte) *builtin {
	switch string(upper) {
	case "B":
		return &builtins[0]
	case "BOLD":
		return &builtins[1]
	case "STRONG":
		return &builtins[2]
	case "I":
		return &builtins[3]
	case "ITALIC":
		return &builtins[4]
	case "EM":
		return &builtins[5]
	case "U":
		return &builtins[6]
	case "UNDERLINE":
		return &builtins[7]
	case "S":
		return &builtins[8]
	case "STRIKEOUT":
		return &builtins[9]
	case "C":
		return &builtins[10]
	case "COLOR":
		return &builtins[11]
	case "H":
		return &builtins[12]
	case "HIGH":
		return &builtins[13]
	case "FONT":
		return &builtins[14]
	case "NOBR":
		return &builtins[15]
	case "P":
		return &builtins[16]
	case "BR":
		return &builtins[17]
	case "SBR":
		return &builtins[18]
	case "H1":
		return &builtins[19]
	case "H2":
		return &builtins[20]
	case "H3":
		return &builtins[21]
	case "H4":
		return &builtins[22]
	case "H5":
		return &builtins[23]
	case "H6":
		return &builtins[24]
	case "HR":
		return &builtins[25]
	case "SMALL":
		return &builtins[26]
	case "TT":
		return &builtins[27]
	case "SEND":
		return &builtins[28]
	case "A":
		return &builtins[29]
	case "EXPIRE":
		return &builtins[30]
	case "VERSION":
		return &builtins[31]
	case "SUPPORT":
		return &builtins[32]
	case "!ELEMENT":
		return &builtins[33]
	case "!EL":
		return &builtins[34]
	case "!ATTLIST":
		return &builtins[35]
	case "!AT":
		return &builtins[36]
	case "!ENTITY":
		return &builtins[37]
	case "!EN":
		return &builtins[38]
	case "!TAG":
		return &builtins[39]
	case "VAR":
		return &builtins[40]
	case "V":
		return &builtins[41]
	case "SOUND":
		return &builtins[42]
	case "MUSIC":
		return &builtins[43]
	case "GAUGE":
		return &builtins[44]
	case "STAT":
		return &builtins[45]
	case "FRAME":
		return &builtins[46]
	case "DEST":
		return &builtins[47]
	case "DESTINATION":
		return &builtins[48]
	case "RELOCATE":
		return &builtins[49]
	case "USER":
		return &builtins[50]
	case "PASSWORD":
		return &builtins[51]
	case "IMAGE":
		return &builtins[52]
	case "FILTER":
		return &builtins[53]
	case "SCRIPT":
		return &builtins[54]
	case "WELCOME":
		return &builtins[55]
	case "RNAME":
		return &builtins[56]
	case "RDESC":
		return &builtins[57]
	case "REXITS":
		return &builtins[58]
	case "RNUM":
		return &builtins[59]
	}
	return nil
}
