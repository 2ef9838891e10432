package automation

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The prefilter finds, in one pass over a line, which triggers can match
// it, so that a line no trigger's words occur in costs one scan whatever
// the number of triggers.
//
// Every trigger with a known required literal (its substring, or for a
// regular expression a set of literals of which every match contains
// one) has its literals in an Aho-Corasick automaton, compiled to a DFA
// over byte classes and run on the line with ASCII letters lower-cased:
// a literal that occurs in the line as it is also occurs lower-cased, so
// nothing that can match is missed, and the trigger's own matcher then
// decides. Literals from case-folded patterns ((?i), IgnoreCase) are
// ASCII by construction; as Unicode folds two non-ASCII letters onto
// ASCII ones (K, the Kelvin sign, and ſ, long s), such triggers are run
// on any line with a non-ASCII byte. Triggers with no literal, or whose
// literals did not fit in the automaton, are always run.

const (
	// maxAlternatives bounds the literals one trigger may need (one of).
	maxAlternatives = 8
	// maxLitLen cuts literals: a prefix of a required literal is
	// required too, and longer ones filter little better.
	maxLitLen = 16
	// maxStates bounds the automaton (at most maxStates x 256 x 4 bytes).
	maxStates = 2048
)

// litSet is a set of literals of which every match contains one,
// lower-cased (ASCII); fold says one of them came from a case-folded
// pattern.
type litSet struct {
	lits []string
	fold bool
}

// requiredLits returns literals of which every match of re contains at
// least one, or false when it knows none.
func requiredLits(re *syntax.Regexp) (litSet, bool) {
	i := analyze(re)
	if i.exact {
		return i.set.required()
	}
	return i.req, i.hasReq
}

// litInfo is what analyze knows of a node: the strings it matches, all
// of them, when they are few and short (exact), else literals it
// requires (hasReq). Strings are lower-cased (ASCII).
type litInfo struct {
	exact  bool
	set    litSet // when exact: every string the node matches
	hasReq bool
	req    litSet // when not exact: one of these occurs in every match
}

// maxExact bounds an exact string's length; longer ones become required
// literals.
const maxExact = 32

func exactOf(lits []string, fold bool) litInfo {
	return litInfo{exact: true, set: litSet{lits: lits, fold: fold}}
}

// required turns an exact set into required literals: none when it has
// the empty string.
func (s litSet) required() (litSet, bool) {
	var out litSet
	out.fold = s.fold
	for _, l := range s.lits {
		if l == "" {
			return litSet{}, false
		}
		l = l[:min(len(l), maxLitLen)]
		if !slices.Contains(out.lits, l) {
			out.lits = append(out.lits, l)
		}
	}
	return out, len(out.lits) > 0
}

// toReq is what a node requires, exact or not.
func (i litInfo) toReq() (litSet, bool) {
	if i.exact {
		return i.set.required()
	}
	return i.req, i.hasReq
}

func analyze(re *syntax.Regexp) litInfo {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return exactOf([]string{""}, false)
	case syntax.OpLiteral:
		fold := re.Flags&syntax.FoldCase != 0
		s := string(re.Rune)
		if fold && !isASCII(s) {
			return litInfo{}
		}
		if slices.Contains(re.Rune, utf8.RuneError) {
			// U+FFFD: the regexp package reads it at any byte that
			// is not UTF-8, which the scan does not. The longest
			// text between is required.
			long := ""
			for _, piece := range strings.Split(s, string(utf8.RuneError)) {
				if len(piece) > len(long) {
					long = piece
				}
			}
			if long == "" {
				return litInfo{}
			}
			return litInfo{hasReq: true, req: litSet{lits: []string{lowerLit(long)}, fold: fold}}
		}
		if len(s) > maxExact {
			return litInfo{hasReq: true, req: litSet{lits: []string{lowerLit(s)}, fold: fold}}
		}
		return exactOf([]string{lowerString(s)}, fold)
	case syntax.OpCharClass:
		// A small class, as [Yy], [.,!] or ☺|☕ (which the parser
		// makes a class), is exact: the scan matches the strings of its
		// characters, ASCII letters in either case; a class that case
		// folding made ((?i)k is [Kk\x{212A}]) lists its folds too.
		var lits []string
		for j := 0; j+1 < len(re.Rune); j += 2 {
			lo, hi := re.Rune[j], re.Rune[j+1]
			if hi-lo >= maxAlternatives || lo <= utf8.RuneError && utf8.RuneError <= hi {
				return litInfo{}
			}
			for r := lo; r <= hi; r++ {
				l := lowerString(string(r))
				if !slices.Contains(lits, l) {
					lits = append(lits, l)
				}
			}
			if len(lits) > maxAlternatives {
				return litInfo{}
			}
		}
		if len(lits) == 0 {
			return litInfo{}
		}
		return exactOf(lits, false)
	case syntax.OpCapture:
		return analyze(re.Sub[0])
	case syntax.OpQuest:
		i := analyze(re.Sub[0])
		if i.exact && !slices.Contains(i.set.lits, "") && len(i.set.lits) < maxAlternatives {
			return exactOf(append(slices.Clone(i.set.lits), ""), i.set.fold)
		}
		return litInfo{}
	case syntax.OpPlus:
		r, ok := analyze(re.Sub[0]).toReq()
		return litInfo{hasReq: ok, req: r}
	case syntax.OpRepeat:
		if re.Min >= 1 {
			r, ok := analyze(re.Sub[0]).toReq()
			return litInfo{hasReq: ok, req: r}
		}
		return litInfo{}
	case syntax.OpConcat:
		return analyzeConcat(re.Sub)
	case syntax.OpAlternate:
		subs := make([]litInfo, len(re.Sub))
		allExact := true
		for j, sub := range re.Sub {
			subs[j] = analyze(sub)
			allExact = allExact && subs[j].exact
		}
		var all litSet
		if allExact {
			for _, sub := range subs {
				for _, l := range sub.set.lits {
					if !slices.Contains(all.lits, l) {
						all.lits = append(all.lits, l)
					}
				}
				all.fold = all.fold || sub.set.fold
			}
			if len(all.lits) <= maxAlternatives {
				return litInfo{exact: true, set: all}
			}
			all = litSet{}
		}
		for _, sub := range subs {
			r, ok := sub.toReq()
			if !ok {
				return litInfo{}
			}
			all.lits = append(all.lits, r.lits...)
			all.fold = all.fold || r.fold
		}
		if len(all.lits) > maxAlternatives {
			return litInfo{}
		}
		return litInfo{hasReq: true, req: all}
	}
	return litInfo{}
}

// analyzeConcat joins the exact sets of neighbouring nodes (their cross
// product: "(hits|misses) you" matches exactly "hits you" or "misses
// you"), and of what it cannot join picks the best requirement.
func analyzeConcat(subs []*syntax.Regexp) litInfo {
	var best litSet
	found := false
	consider := func(s litSet, ok bool) {
		if ok && (!found || betterLits(s, best)) {
			best, found = s, true
		}
	}
	run := litSet{lits: []string{""}} // the exact run so far
	allExact := true
	flush := func() {
		consider(run.required())
		run = litSet{lits: []string{""}}
	}
	for _, sub := range subs {
		i := analyze(sub)
		if !i.exact {
			allExact = false
			flush()
			consider(i.req, i.hasReq)
			continue
		}
		product := cross(run.lits, i.set.lits)
		if product == nil {
			// Too many or too long: start a new run from this node.
			allExact = false
			flush()
			run = i.set
			continue
		}
		run = litSet{lits: product, fold: run.fold || i.set.fold}
	}
	if allExact {
		return litInfo{exact: true, set: run}
	}
	flush()
	return litInfo{hasReq: found, req: best}
}

// cross returns every a+b, or nil when there would be more than
// maxAlternatives or one longer than maxExact.
func cross(as, bs []string) []string {
	if len(as)*len(bs) > maxAlternatives {
		return nil
	}
	out := make([]string, 0, len(as)*len(bs))
	for _, a := range as {
		for _, b := range bs {
			if len(a)+len(b) > maxExact {
				return nil
			}
			if ab := a + b; !slices.Contains(out, ab) {
				out = append(out, ab)
			}
		}
	}
	return out
}

// betterLits prefers the set whose shortest literal is longer, then the
// smaller set.
func betterLits(a, b litSet) bool {
	ma, mb := minLen(a.lits), minLen(b.lits)
	return ma > mb || (ma == mb && len(a.lits) < len(b.lits))
}

func minLen(lits []string) int {
	m := maxLitLen + 1
	for _, l := range lits {
		m = min(m, len(l))
	}
	return m
}

// lowerLit lower-cases ASCII letters and cuts s to maxLitLen bytes.
func lowerLit(s string) string { return lowerString(s[:min(len(s), maxLitLen)]) }

// lowerString lower-cases ASCII letters.
func lowerString(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerASCII[c]
	}
	return string(b)
}

// lowerASCII maps a byte to itself, ASCII capitals to small letters.
var lowerASCII = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if i >= 'A' && i <= 'Z' {
			t[i] = byte(i) + 'a' - 'A'
		}
	}
	return t
}()

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// acceptBit marks a DFA transition into a state where literals end.
const acceptBit = 1 << 31

// scanner is the prefilter's automaton.
type scanner struct {
	class [256]uint8 // byte (lower-cased) to class; 0 is every byte no literal has
	ncls  uint32
	delta []uint32  // state*ncls+class -> next state*ncls, | acceptBit
	out   [][]int32 // per state: the triggers whose literal ends there
}

// trie is the automaton while it is built.
type trie struct {
	next [][256]int32 // 0: none (the root is never a child)
	out  [][]int32
}

// buildScanner makes the automaton for sets[i], the literals of trigger
// i (nil: the trigger has none). It returns false for each trigger whose
// literals did not fit in maxStates (to be always run), and a nil scanner
// when no trigger has literals.
func buildScanner(sets [][]string) (*scanner, []bool) {
	fits := make([]bool, len(sets))
	tr := trie{next: make([][256]int32, 1), out: make([][]int32, 1)}
	any := false
	for i, lits := range sets {
		if len(lits) == 0 {
			continue
		}
		if len(tr.next)+tr.newNodes(lits) > maxStates {
			continue
		}
		for _, l := range lits {
			tr.insert(l, int32(i))
		}
		fits[i], any = true, true
	}
	if !any {
		return nil, fits
	}
	return tr.compile(), fits
}

// newNodes counts the nodes inserting lits would add.
func (t *trie) newNodes(lits []string) int {
	n := 0
	seen := map[string]bool{}
	for _, l := range lits {
		s := int32(0)
		for i := 0; i < len(l); i++ {
			if s >= 0 {
				if nx := t.next[s][l[i]]; nx != 0 {
					s = nx
					continue
				}
			}
			s = -1
			if !seen[l[:i+1]] {
				seen[l[:i+1]] = true
				n++
			}
		}
	}
	return n
}

func (t *trie) insert(lit string, trigger int32) {
	s := int32(0)
	for i := 0; i < len(lit); i++ {
		c := lit[i]
		if t.next[s][c] == 0 {
			t.next = append(t.next, [256]int32{})
			t.out = append(t.out, nil)
			t.next[s][c] = int32(len(t.next) - 1)
		}
		s = t.next[s][c]
	}
	if !slices.Contains(t.out[s], trigger) {
		t.out[s] = append(t.out[s], trigger)
	}
}

// compile turns the trie into a DFA: breadth first, each state's missing
// transitions are its failure state's, and its outputs include its
// failure state's.
func (t *trie) compile() *scanner {
	sc := &scanner{}
	// Byte classes: one per byte some literal has.
	var used [256]bool
	for _, n := range t.next {
		for c, nx := range n {
			if nx != 0 {
				used[c] = true
			}
		}
	}
	var cls [256]uint8 // lower-cased byte to class
	k := uint8(0)
	for c := range used {
		if used[c] {
			k++
			cls[c] = k
		}
	}
	sc.ncls = uint32(k) + 1
	for b := range sc.class {
		sc.class[b] = cls[lowerASCII[b]]
	}

	n := len(t.next)
	goto_ := make([][256]int32, n) // the full DFA, by byte
	fail := make([]int32, n)
	order := make([]int32, 1, n) // the states breadth first, from the root
	for c := range 256 {
		if nx := t.next[0][c]; nx != 0 {
			goto_[0][c] = nx
			order = append(order, nx)
		}
	}
	for q := 1; q < len(order); q++ {
		s := order[q]
		for c := range 256 {
			if nx := t.next[s][c]; nx != 0 {
				fail[nx] = goto_[fail[s]][c]
				goto_[s][c] = nx
				order = append(order, nx)
			} else {
				goto_[s][c] = goto_[fail[s]][c]
			}
		}
		for _, o := range t.out[fail[s]] {
			if !slices.Contains(t.out[s], o) {
				t.out[s] = append(t.out[s], o)
			}
		}
	}
	// The states are numbered breadth first: a scan spends its time
	// near the root, and those rows are then together in memory.
	num := make([]uint32, n)
	for i, s := range order {
		num[s] = uint32(i)
	}
	sc.out = make([][]int32, n)
	sc.delta = make([]uint32, uint32(n)*sc.ncls)
	for _, s := range order {
		sc.out[num[s]] = t.out[s]
		for c := range 256 {
			if cls[c] == 0 {
				continue // class 0: a byte no literal has leads to the root, delta's zero value
			}
			nx := goto_[s][c]
			v := num[nx] * sc.ncls
			if len(t.out[nx]) > 0 {
				v |= acceptBit
			}
			sc.delta[num[s]*sc.ncls+uint32(cls[c])] = v
		}
	}
	return sc
}

// scan runs the automaton over text and sets in cand the bit of every
// trigger one of whose literals occurs in text. It reports whether text
// has a byte outside ASCII.
func (sc *scanner) scan(text string, cand []uint64) (nonASCII bool) {
	var st, or uint32
	delta, class, out, ncls := sc.delta, &sc.class, sc.out, sc.ncls
	for i := 0; i < len(text); i++ {
		b := text[i]
		or |= uint32(b)
		st = delta[st+uint32(class[b])]
		if st&acceptBit != 0 {
			st &^= acceptBit
			for _, t := range out[st/ncls] {
				cand[t>>6] |= 1 << (t & 63)
			}
		}
	}
	return or >= 0x80
}

// firstBytes returns, for a regular expression anchored at the start of
// the text (^ without (?m)), the bytes a matching line can begin with, so
// that a line beginning otherwise is not given to the regexp package,
// whose every call costs some tens of nanoseconds. It returns nil when
// it cannot tell: an unanchored pattern, one that matches the empty line,
// or when every byte may begin a match.
func firstBytes(pattern string) *[256]bool {
	parsed, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil || prog.StartCond()&syntax.EmptyBeginText == 0 {
		return nil
	}
	return matchFirstBytes(prog)
}

// matchFirstBytes returns the bytes a match of prog can begin with, or
// nil when it cannot tell: prog matches the empty string, or most bytes
// may begin a match.
func matchFirstBytes(prog *syntax.Prog) *[256]bool {
	var set [256]bool
	seen := make([]bool, len(prog.Inst))
	stack := []uint32{uint32(prog.Start)}
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[pc] {
			continue
		}
		seen[pc] = true
		inst := &prog.Inst[pc]
		switch inst.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			stack = append(stack, inst.Out, inst.Arg)
		case syntax.InstNop, syntax.InstCapture, syntax.InstEmptyWidth:
			stack = append(stack, inst.Out) // assertions are taken to hold: more bytes, never fewer
		case syntax.InstRune1, syntax.InstRune:
			if !addFirstBytes(&set, inst) {
				return nil
			}
		default: // InstMatch (the empty line matches), InstRuneAny, InstRuneAnyNotNL, InstFail
			return nil
		}
	}
	return &set
}

// A startHint says where a regular expression's matches can begin, so
// that the regexp package, which costs some tens of nanoseconds a byte
// in WebAssembly (several native), is not run over the start of a line
// where no match can begin. A match begins with a byte of first and, if
// lits is set, with one of lits (compared with ASCII letters
// lower-cased).
//
// Go's regexp finds the leftmost match: the first position it can begin
// at, then its preferred match there. No match begins before the first
// position p that the hint allows, so the match in text is the match in
// text[p:], moved by p, as long as nothing the pattern tests looks at the
// text before p. Only assertions do (^ at a line's start, \b and \B look
// at the rune before); for a pattern that has them the regexp runs from
// the rune before p, where no match can begin either, so that they see
// what they see in the whole line.
type startHint struct {
	anchored bool // ^ without (?m): matches begin at the text's start only
	back     bool // the pattern has assertions that look at the rune before
	first    [256]bool
	lits     []string // nil: none known
	// litsFold says lits came from case-folded literals, which a rune
	// outside ASCII (K, the Kelvin sign, and ſ: asciiFolders) can match
	// too: they are not checked on a line that has one.
	litsFold bool
}

// newStartHint returns the hint of a pattern, or nil when any position
// may begin a match (such as ".*x" or "\S+") or the empty string
// matches.
func newStartHint(pattern string) *startHint {
	parsed, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return nil
	}
	first := matchFirstBytes(prog)
	if first == nil || first[0x80] {
		// A pattern that may begin with U+FFFD, which the regexp
		// package reads at any invalid byte: even inside a valid rune,
		// where it never begins a match in the whole line.
		return nil
	}
	h := &startHint{anchored: prog.StartCond()&syntax.EmptyBeginText != 0, back: looksBack(parsed), first: *first}
	if s, ok := prefixLits(parsed); ok {
		h.lits, h.litsFold = s.lits, s.fold
	}
	return h
}

// looksBack reports whether re has an assertion that looks at the text
// before the position it is tested at.
func looksBack(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpBeginLine, syntax.OpBeginText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	for _, sub := range re.Sub {
		if looksBack(sub) {
			return true
		}
	}
	return false
}

// next returns the first position from from on (for an anchored
// pattern: 0 only) at which a match can begin, or -1. folds says text
// has a rune of asciiFolders.
func (h *startHint) next(text string, from int, folds bool) int {
	last := len(text)
	if h.anchored {
		if from > 0 {
			return -1
		}
		last = min(last, 1)
	}
	lits := h.lits
	if h.litsFold && folds {
		lits = nil
	}
	for i := from; i < last; i++ {
		if !h.first[text[i]] {
			continue
		}
		if lits == nil {
			return i
		}
		for _, l := range lits {
			if hasPrefixLower(text[i:], l) {
				return i
			}
		}
	}
	return -1
}

// start returns where to run the regexp for a match beginning at p or
// later: p, or for a pattern that looks back the start of the rune
// before p.
func (h *startHint) start(text string, p int) int {
	if !h.back || p == 0 {
		return p
	}
	q := p - 1
	for q > 0 && p-q < utf8.UTFMax && !utf8.RuneStart(text[q]) {
		q--
	}
	return q
}

// hasPrefixLower reports whether s begins with lit, an ASCII
// lower-cased literal, ignoring the case of ASCII letters in s.
func hasPrefixLower(s, lit string) bool {
	if len(s) < len(lit) {
		return false
	}
	for i := 0; i < len(lit); i++ {
		if lowerASCII[s[i]] != lit[i] {
			return false
		}
	}
	return true
}

// prefixLits returns literals of which every match of re begins with
// one (lower-cased, as analyze makes them), or false when it knows none.
func prefixLits(re *syntax.Regexp) (litSet, bool) {
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return prefixLits(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return prefixLits(re.Sub[0])
		}
		return litSet{}, false
	case syntax.OpConcat:
		run := litSet{lits: []string{""}}
		for _, sub := range re.Sub {
			i := analyze(sub)
			if !i.exact {
				if p, ok := prefixLits(sub); ok {
					if product := cross(run.lits, p.lits); product != nil {
						run = litSet{lits: product, fold: run.fold || p.fold}
					}
				}
				break
			}
			product := cross(run.lits, i.set.lits)
			if product == nil {
				break
			}
			run = litSet{lits: product, fold: run.fold || i.set.fold}
		}
		return run.required()
	case syntax.OpAlternate:
		var all litSet
		for _, sub := range re.Sub {
			p, ok := prefixLits(sub)
			if !ok {
				return litSet{}, false
			}
			for _, l := range p.lits {
				if !slices.Contains(all.lits, l) {
					all.lits = append(all.lits, l)
				}
			}
			all.fold = all.fold || p.fold
		}
		if len(all.lits) > maxAlternatives {
			return litSet{}, false
		}
		return all, true
	}
	i := analyze(re)
	if !i.exact {
		return litSet{}, false
	}
	return i.set.required()
}

// addFirstBytes adds the first bytes of the UTF-8 encodings of the runes
// an instruction matches, folded as it folds. It returns false when that
// would be most bytes.
func addFirstBytes(set *[256]bool, inst *syntax.Inst) bool {
	fold := syntax.Flags(inst.Arg)&syntax.FoldCase != 0
	runes := inst.Rune
	if len(runes) == 1 {
		runes = []rune{runes[0], runes[0]}
	}
	for i := 0; i+1 < len(runes); i += 2 {
		lo, hi := runes[i], runes[i+1]
		if hi-lo > 0x100 || hi >= 0x80 && lo < 0x80 && hi-lo > 0x80 {
			return false
		}
		for r := lo; r <= hi; r++ {
			if r == utf8.RuneError {
				// What the regexp package reads at a byte that does
				// not begin valid UTF-8.
				for b := 0x80; b < 0x100; b++ {
					set[b] = true
				}
			}
			addRuneFirstByte(set, r)
			if fold {
				for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
					addRuneFirstByte(set, f)
				}
			}
		}
	}
	return true
}

func addRuneFirstByte(set *[256]bool, r rune) {
	var b [utf8.UTFMax]byte
	utf8.EncodeRune(b[:], r)
	set[b[0]] = true
}

// literalRegexp returns, for a regular expression that is literals, as
// "tells you", "(MAULS|DECIMATES)" or "☺|☕" (with at most one group,
// around it all), the literals in its order of preference; for one that
// is a single ASCII literal ignoring case, "(?i)crypt run", that literal
// lower-cased.
// A search for them finds its leftmost-first match (see indexAlts)
// without the regexp package. Else it returns nothing.
func literalRegexp(pattern string) (alts []string, foldLit string) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, ""
	}
	if re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op == syntax.OpLiteral && re.Flags&syntax.FoldCase != 0 {
		if s := string(re.Rune); isASCII(s) {
			return nil, lowerString(s)
		}
		return nil, ""
	}
	alts, ok := literalAlts(re)
	if !ok {
		return nil, ""
	}
	for _, a := range alts {
		// U+FFFD in a pattern matches any invalid byte.
		if a == "" || strings.ContainsRune(a, utf8.RuneError) {
			return nil, ""
		}
	}
	return alts, ""
}

// literalAlts returns the strings re matches, in its order of
// preference, when it is literals (case-sensitive), small classes,
// their concatenations and alternations, with no group, no assertion, no
// repetition; false otherwise or when they are more than
// maxAlternatives or longer than maxExact.
func literalAlts(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 || len(string(re.Rune)) > maxExact {
			return nil, false
		}
		return []string{string(re.Rune)}, true
	case syntax.OpCharClass:
		// One rune at a place: their order does not matter.
		var out []string
		for j := 0; j+1 < len(re.Rune); j += 2 {
			for r := re.Rune[j]; r <= re.Rune[j+1]; r++ {
				if len(out) == maxAlternatives {
					return nil, false
				}
				out = append(out, string(r))
			}
		}
		return out, len(out) > 0
	case syntax.OpConcat:
		// Where several strings begin at the same place the regexp
		// prefers the first part's preferred one, then the second's:
		// the order cross makes.
		out := []string{""}
		for _, sub := range re.Sub {
			l, ok := literalAlts(sub)
			if !ok {
				return nil, false
			}
			if out = cross(out, l); out == nil {
				return nil, false
			}
		}
		return out, true
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			l, ok := literalAlts(sub)
			if !ok {
				return nil, false
			}
			for _, a := range l {
				if !slices.Contains(out, a) { // a repeat is never preferred
					out = append(out, a)
				}
			}
			if len(out) > maxAlternatives {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// maxAlso bounds the further literal sets (alsoLits) a trigger checks.
const maxAlso = 2

// alsoLits returns, for a regular expression that is a concatenation,
// literal sets of its parts that every match holds (one of each),
// besides chosen, the set the scan looks for, and the hint's: "/" of
// "^<(\d+)/(\d+)hp", which the scan finds "hp" for. Each costs a search
// of the line before the regexp runs, so sets that chosen or the hint
// imply are left out, and so are single letters, digits and spaces,
// which most lines have.
func alsoLits(pattern string, chosen []string, hint *startHint) []litSet {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	if re.Op != syntax.OpConcat {
		return nil
	}
	implied := func(s litSet, by []string) bool {
		if len(by) == 0 {
			return false
		}
		for _, c := range by {
			if !slices.ContainsFunc(s.lits, func(l string) bool { return strings.Contains(c, l) }) {
				return false
			}
		}
		return true
	}
	common := func(s litSet) bool {
		for _, l := range s.lits {
			if len(l) > 1 || !(l[0] == ' ' || l[0] >= '0' && l[0] <= '9' || l[0] >= 'a' && l[0] <= 'z') {
				return false
			}
		}
		return true
	}
	var out []litSet
	for _, sub := range re.Sub {
		s, ok := analyze(sub).toReq()
		if !ok || implied(s, chosen) || hint != nil && implied(s, hint.lits) || common(s) {
			continue
		}
		out = append(out, s)
		if len(out) == maxAlso {
			break
		}
	}
	return out
}
