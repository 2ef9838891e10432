package account

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// PolicyLevel is how demanding the password policy is. All levels follow
// NIST SP 800-63B: length first, no forced periodic change, a list of
// common and breached passwords; only Strict adds composition rules.
type PolicyLevel uint8

// The levels. The zero value is PolicyStandard.
const (
	// PolicyStandard: at least 12 characters, not common, not a simple
	// sequence or repetition, not containing the name or the game's name.
	PolicyStandard PolicyLevel = iota
	// PolicyBasic: as standard with at least 8 characters.
	PolicyBasic
	// PolicyStrict: as standard with at least 14 characters and three of
	// the four kinds: lower case, upper case, digits, other.
	PolicyStrict
)

// String returns "standard", "basic" or "strict".
func (l PolicyLevel) String() string {
	switch l {
	case PolicyStandard:
		return "standard"
	case PolicyBasic:
		return "basic"
	case PolicyStrict:
		return "strict"
	}
	return fmt.Sprintf("PolicyLevel(%d)", uint8(l))
}

// ParsePolicyLevel reads a level's name as String writes it.
func ParsePolicyLevel(s string) (PolicyLevel, error) {
	for _, l := range []PolicyLevel{PolicyBasic, PolicyStandard, PolicyStrict} {
		if s == l.String() {
			return l, nil
		}
	}
	return 0, fmt.Errorf("unknown password policy %q (want basic, standard or strict)", s)
}

// MarshalText writes the level's name, for TOML and JSON.
func (l PolicyLevel) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a level's name, for TOML and JSON.
func (l *PolicyLevel) UnmarshalText(b []byte) error {
	v, err := ParsePolicyLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// rank orders the levels from the least demanding.
func (l PolicyLevel) rank() int {
	switch l {
	case PolicyBasic:
		return 0
	case PolicyStrict:
		return 2
	}
	return 1
}

// minLength is the level's default minimum length.
func (l PolicyLevel) minLength() int {
	switch l {
	case PolicyBasic:
		return 8
	case PolicyStrict:
		return 14
	}
	return 12
}

// DefaultMaxPasswordLen is the longest password accepted unless
// configured: well above NIST's "at least 64", and a bound on the work a
// single request can ask for.
const DefaultMaxPasswordLen = 128

// Policy decides which new passwords are acceptable. Its zero value is
// the standard level.
type Policy struct {
	// Level picks the defaults below and whether composition rules apply.
	Level PolicyLevel `toml:"level"`

	// MinLength in characters (runes); 0 means the level's: 8, 12 or 14.
	MinLength int `toml:"min_length"`

	// MaxLength in characters (runes); 0 means DefaultMaxPasswordLen.
	MaxLength int `toml:"max_length"`

	// Words are names a password must not contain: the game's name, the
	// site's. Words shorter than 4 characters are ignored.
	Words []string `toml:"words"`
}

// MinLen is the shortest password the policy accepts, in characters.
func (p Policy) MinLen() int { return p.minLength() }

// MaxLen is the longest password the policy accepts, in characters.
func (p Policy) MaxLen() int { return p.maxLength() }

func (p Policy) minLength() int {
	if p.MinLength > 0 {
		return p.MinLength
	}
	return p.Level.minLength()
}

func (p Policy) maxLength() int {
	if p.MaxLength > 0 {
		return p.MaxLength
	}
	return DefaultMaxPasswordLen
}

// atLeast returns p raised to level l if it is below.
func (p Policy) atLeast(l PolicyLevel) Policy {
	if p.Level.rank() < l.rank() {
		p.Level = l
		if p.MinLength > 0 && p.MinLength < l.minLength() {
			p.MinLength = 0
		}
	}
	return p
}

// Validate reports settings that cannot work.
func (p Policy) Validate() error {
	switch {
	case p.Level.rank() == 1 && p.Level != PolicyStandard:
		return fmt.Errorf("password_policy.level: unknown level %d", p.Level)
	case p.MinLength < 0 || p.MaxLength < 0:
		return fmt.Errorf("password_policy.min_length: negative length")
	case p.MinLength > 0 && p.MinLength < 8:
		return fmt.Errorf("password_policy.min_length: %d below 8 (NIST SP 800-63B)", p.MinLength)
	case p.maxLength() < 64:
		return fmt.Errorf("password_policy.max_length: %d below 64 (NIST SP 800-63B)", p.maxLength())
	case p.minLength() > p.maxLength():
		return fmt.Errorf("password_policy.min_length: %d above max_length %d", p.minLength(), p.maxLength())
	}
	return nil
}

// Problem is one rule a password breaks: a stable Code for programs, the
// values its sentence needs (Args, by the names a client's message for
// Code uses), and a Message for the player, in English.
type Problem struct {
	Code    string         `json:"code"`
	Args    map[string]any `json:"args,omitempty"`
	Message string         `json:"message"`
}

// Problem codes.
const (
	ProblemTooShort    = "too_short"
	ProblemTooLong     = "too_long"
	ProblemEncoding    = "encoding"
	ProblemControl     = "control"
	ProblemCommon      = "common"
	ProblemSequence    = "sequence"
	ProblemRepeated    = "repeated"
	ProblemName        = "name"
	ProblemWord        = "word"
	ProblemComposition = "composition"
)

// Check returns every rule password breaks, or nil if it is acceptable.
// name is the account's name (the password must not contain it). Lengths
// are counted in characters (runes); nothing is trimmed.
func (p Policy) Check(password, name string) []Problem {
	var out []Problem
	add := func(code, msg string) { out = append(out, Problem{Code: code, Message: msg}) }

	if !utf8.ValidString(password) {
		add(ProblemEncoding, "The password is not valid text.")
		return out
	}
	n := utf8.RuneCountInString(password)
	if minLen := p.minLength(); n < minLen {
		out = append(out, Problem{Code: ProblemTooShort, Args: map[string]any{"min": minLen},
			Message: fmt.Sprintf("Use at least %d characters; a few unrelated words make a good password.", minLen)})
	}
	if maxLen := p.maxLength(); n > maxLen {
		out = append(out, Problem{Code: ProblemTooLong, Args: map[string]any{"max": maxLen},
			Message: fmt.Sprintf("Use at most %d characters.", maxLen)})
	}
	if strings.ContainsFunc(password, unicode.IsControl) {
		add(ProblemControl, "Don't use control characters such as tabs or line breaks.")
	}
	if n == 0 {
		return out
	}

	lower := strings.ToLower(password)
	folds := leetFolds(lower)
	if isCommon(lower, folds) {
		add(ProblemCommon, "This password is on a list of common or leaked passwords; choose something less predictable.")
	}
	seq, rep := patternCoverage(lower)
	switch {
	case rep*2 >= n || repeatedUnit(lower, p.minLength()):
		add(ProblemRepeated, "Avoid repeating characters or a short piece (such as aaaa or abcabc).")
	case seq*2 >= n || (seq+rep)*2 >= n:
		add(ProblemSequence, "Avoid simple sequences such as abcd, 1234 or qwerty.")
	}
	if key := NameKey(name); utf8.RuneCountInString(key) >= 3 && containsAnyFold(lower, folds, key) {
		add(ProblemName, "Don't use your name in your password.")
	}
	for _, w := range p.Words {
		if w = strings.ToLower(strings.TrimSpace(w)); utf8.RuneCountInString(w) >= 4 && containsAnyFold(lower, folds, w) {
			add(ProblemWord, "Don't use the name of the game or of this site in your password.")
			break
		}
	}
	if p.Level == PolicyStrict && classes(password) < 3 {
		add(ProblemComposition, "Mix at least three of: lower-case letters, upper-case letters, digits and symbols.")
	}
	return out
}

//go:embed commonpasswords.txt
var commonPasswordsText string

// commonPasswords parses the embedded list once; the set is never
// changed afterwards.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 4096)
	for line := range strings.Lines(commonPasswordsText) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		set[line] = struct{}{}
	}
	return set
})

// CommonPasswordCount is the number of entries in the embedded list.
func CommonPasswordCount() int { return len(commonPasswords()) }

// isCommon reports whether the password, as typed (lower case) or with
// leet-speak undone, is on the list; or is a listed password with digits
// and symbols around it that make up less than half of it
// ("password2024!", "!!dragon!!"); or a listed password typed twice.
func isCommon(lower string, folds []string) bool {
	set := commonPasswords()
	in := func(s string) bool { _, ok := set[s]; return ok }
	for _, s := range append([]string{lower}, folds...) {
		if in(s) {
			return true
		}
		if h := len(s) / 2; len(s)%2 == 0 && s[:h] == s[h:] && in(s[:h]) {
			return true
		}
	}
	base := strings.TrimFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	if len(base) < 4 || len(base)*2 < len(lower) {
		return false
	}
	if in(base) {
		return true
	}
	for _, f := range leetFolds(base) {
		if in(f) {
			return true
		}
	}
	// The letters may start with a folded digit: "p4ssword99" trims to
	// "p4ssword" above, but "4dmin2024" loses its "4"; try the digits too.
	trimmed := strings.TrimRightFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	if len(trimmed)*2 >= len(lower) {
		for _, f := range leetFolds(trimmed) {
			if in(f) {
				return true
			}
		}
	}
	return false
}

// leetFolds returns s with leet-speak substitutions undone, in the two
// readings of the ambiguous "1" (i and l); nil if s has none.
func leetFolds(s string) []string {
	if !strings.ContainsAny(s, "@4830157$9!|+(2") {
		return nil
	}
	fold := func(one rune) string {
		return strings.Map(func(r rune) rune {
			switch r {
			case '@', '4':
				return 'a'
			case '8':
				return 'b'
			case '(':
				return 'c'
			case '3':
				return 'e'
			case '9':
				return 'g'
			case '1':
				return one
			case '!', '|':
				return 'i'
			case '0':
				return 'o'
			case '5', '$':
				return 's'
			case '7', '+':
				return 't'
			case '2':
				return 'z'
			}
			return r
		}, s)
	}
	a, b := fold('i'), fold('l')
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}

// containsAnyFold reports whether word is in lower or one of its folds.
func containsAnyFold(lower string, folds []string, word string) bool {
	if strings.Contains(lower, word) {
		return true
	}
	for _, f := range folds {
		if strings.Contains(f, word) {
			return true
		}
	}
	return false
}

// sequences are the runs players type without thinking: the alphabet,
// the digits, and the letter rows of QWERTY, QWERTZ and AZERTY keyboards.
// A run of three or more neighbours, forwards or backwards, counts.
func sequences() []string {
	return []string{
		"abcdefghijklmnopqrstuvwxyz", "01234567890",
		"qwertyuiop", "asdfghjkl", "zxcvbnm",
		"qwertzuiop", "yxcvbnm", "azertyuiop", "qsdfghjklm", "wxcvbn",
		"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
	}
}

// patternCoverage returns how many characters of s belong to runs of
// three or more keyboard or alphabet neighbours (seq) and to runs of
// three or more equal characters (rep).
func patternCoverage(s string) (seq, rep int) {
	r := []rune(s)
	neighbours := func(a, b rune) bool {
		for _, q := range sequences() {
			i := strings.IndexRune(q, a)
			for i >= 0 {
				if i+1 < len(q) && rune(q[i+1]) == b || i > 0 && rune(q[i-1]) == b {
					return true
				}
				next := strings.IndexRune(q[i+1:], a)
				if next < 0 {
					break
				}
				i += 1 + next
			}
		}
		return false
	}
	// Runs of equal characters.
	for i := 0; i < len(r); {
		j := i + 1
		for j < len(r) && r[j] == r[i] {
			j++
		}
		if j-i >= 3 {
			rep += j - i
		}
		i = j
	}
	// Runs of neighbours, all in one direction within one sequence: check
	// pairs, and take runs where consecutive pairs are neighbours and the
	// direction does not flip (abcba is two runs).
	for i := 0; i < len(r); {
		j := i
		dir := 0
		for j+1 < len(r) && neighbours(r[j], r[j+1]) {
			d := direction(r[j], r[j+1])
			if dir != 0 && d != dir {
				break
			}
			dir = d
			j++
		}
		if j-i+1 >= 3 {
			seq += j - i + 1
			i = j + 1
		} else {
			i++
		}
	}
	return seq, rep
}

// direction tells forwards from backwards for a pair of neighbours, by
// their first sequence that has both.
func direction(a, b rune) int {
	for _, q := range sequences() {
		i, j := strings.IndexRune(q, a), strings.IndexRune(q, b)
		if i >= 0 && j >= 0 && (j == i+1 || j == i-1) {
			return j - i
		}
	}
	return 0
}

// repeatedUnit reports whether s is one piece shorter than minLen typed
// two or more times ("abcabcabcabc", "hunter2hunter2").
func repeatedUnit(s string, minLen int) bool {
	r := []rune(s)
	for u := 1; u <= len(r)/2 && u < minLen; u++ {
		if len(r)%u != 0 {
			continue
		}
		same := true
		for i := u; i < len(r) && same; i++ {
			same = r[i] == r[i-u]
		}
		if same {
			return true
		}
	}
	return false
}

// classes counts the kinds of characters in s: lower case, upper case,
// digits, other (space, punctuation, symbols, letters without case).
func classes(s string) int {
	var lower, upper, digit, other bool
	for _, r := range s {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	n := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			n++
		}
	}
	return n
}
