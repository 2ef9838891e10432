package account

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func codes(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Code)
		if p.Message == "" || !strings.HasSuffix(p.Message, ".") {
			out = append(out, "BAD MESSAGE "+p.Code)
		}
	}
	return out
}

func TestPolicyCheck(t *testing.T) {
	game := []string{"Drawbridge", "MUD"} // "MUD" is under 4 characters: ignored
	for _, tc := range []struct {
		pw, name string
		level    PolicyLevel
		want     []string
	}{
		// Length first, counted in characters.
		{"correct horse battery staple", "alice", PolicyStandard, nil},
		{"short", "alice", PolicyStandard, []string{ProblemTooShort}},
		{"eleven char", "alice", PolicyStandard, []string{ProblemTooShort}},
		{"twelve chars", "alice", PolicyStandard, nil},
		{"ŝŝŝ ŝŭŝ ŝŝŝ", "alice", PolicyStandard, []string{ProblemTooShort, ProblemRepeated}}, // 11 runes, 21 bytes
		{"tr0ub4dor&3", "alice", PolicyBasic, nil},
		{"tr0ub4dor&3", "alice", PolicyStandard, []string{ProblemTooShort}},
		{"correct horse 12", "alice", PolicyStrict, nil},
		{"correcthorse", "alice", PolicyStrict, []string{ProblemTooShort, ProblemComposition}},
		{strings.Repeat("The five boxing wizards jump quickly. ", 4), "alice", PolicyStandard, []string{ProblemTooLong}},
		// Common and breached passwords, with leet-speak and decoration.
		{"password1234", "alice", PolicyStandard, []string{ProblemCommon}},
		{"p@ssw0rd2024!", "alice", PolicyStandard, []string{ProblemCommon}},
		{"P@SSW0RD2024!", "alice", PolicyStandard, []string{ProblemCommon}},
		{"iloveyou2024", "alice", PolicyStandard, []string{ProblemCommon}},
		{"superman1234", "alice", PolicyStandard, []string{ProblemCommon}},
		{"trustno1trustno1", "alice", PolicyStandard, []string{ProblemCommon, ProblemRepeated}},
		{"qwertyuiop1234", "alice", PolicyStandard, []string{ProblemCommon, ProblemSequence}},
		{"mike19840612", "alice", PolicyStandard, nil}, // a short word with many digits is not "decorated"
		// Sequences and repetition.
		{"abcdefghijklmn", "alice", PolicyStandard, []string{ProblemSequence}},
		{"zyxwvutsrqponm", "alice", PolicyStandard, []string{ProblemSequence}},
		{"123456789012", "alice", PolicyStandard, []string{ProblemSequence}},
		{"abc123def456", "alice", PolicyStandard, []string{ProblemSequence}},
		{"1qaz2wsx3edc4rfv", "alice", PolicyStandard, []string{ProblemSequence}},
		{"monkey12345678", "alice", PolicyStandard, []string{ProblemSequence}},
		{"aaaaaaaaaaaaaa", "alice", PolicyStandard, []string{ProblemRepeated}},
		{"!!!!!!!!!!!!", "alice", PolicyStandard, []string{ProblemRepeated}},
		{"hunter2hunter2", "alice", PolicyStandard, []string{ProblemRepeated}},
		{"first strawberry jam", "alice", PolicyStandard, nil},
		// Names: the player's, the game's.
		{"alice-in-wonderland", "Alice", PolicyStandard, []string{ProblemName}},
		{"m4lice aforethought", "Alice", PolicyStandard, []string{ProblemName}},
		{"alice-in-wonderland", "Al", PolicyStandard, nil}, // names under 3 characters are not checked
		{"Mydrawbridgepassphrase", "alice", PolicyStandard, []string{ProblemWord}},
		{"my mud is the best mud", "alice", PolicyStandard, nil},
		// Text.
		{"tab\there is long enough", "alice", PolicyStandard, []string{ProblemControl}},
		{"line one\nline two", "alice", PolicyStandard, []string{ProblemControl}},
		{"bad \xff encoding here", "alice", PolicyStandard, []string{ProblemEncoding}},
		// Every broken rule is named, not just the first.
		{"Alice1234", "alice", PolicyStrict, []string{ProblemTooShort, ProblemCommon, ProblemName}},
		{"aaaa", "aaaa", PolicyStrict, []string{ProblemTooShort, ProblemCommon, ProblemRepeated, ProblemName, ProblemComposition}},
		{"", "alice", PolicyStandard, []string{ProblemTooShort}},
	} {
		p := Policy{Level: tc.level, Words: game}
		got := codes(p.Check(tc.pw, tc.name))
		if !slices.Equal(got, tc.want) {
			t.Errorf("Check(%q, %q) at %v: got %v, want %v", tc.pw, tc.name, tc.level, got, tc.want)
		}
	}
}

func TestPolicyLengthSettings(t *testing.T) {
	p := Policy{MinLength: 20, MaxLength: 64}
	if got := codes(p.Check("correct horse batt", "")); !slices.Equal(got, []string{ProblemTooShort}) {
		t.Errorf("MinLength 20: got %v, want too_short", got)
	}
	if got := p.Check(strings.Repeat("wxyz jump ", 7), ""); !slices.ContainsFunc(got, func(p Problem) bool { return p.Code == ProblemTooLong }) {
		t.Errorf("MaxLength 64 with 70 characters: got %v, want too_long among them", codes(got))
	}
	msg := p.Check("x", "")[0].Message
	if !strings.Contains(msg, "20") {
		t.Errorf("too_short message %q does not say the minimum", msg)
	}
	for _, tc := range []struct {
		p  Policy
		ok bool
	}{
		{Policy{}, true},
		{Policy{Level: PolicyStrict}, true},
		{Policy{MinLength: 7}, false},
		{Policy{MaxLength: 63}, false},
		{Policy{MinLength: 100, MaxLength: 80}, false},
		{Policy{Level: 9}, false},
	} {
		if err := tc.p.Validate(); (err == nil) != tc.ok {
			t.Errorf("Validate(%+v): got %v, want ok %v", tc.p, err, tc.ok)
		}
	}
	if got := (Policy{Level: PolicyBasic}).atLeast(PolicyStandard).minLength(); got != 12 {
		t.Errorf("basic raised to standard: min length %d, want 12", got)
	}
	if got := (Policy{Level: PolicyStrict}).atLeast(PolicyStandard).minLength(); got != 14 {
		t.Errorf("strict raised to standard: min length %d, want 14", got)
	}
}

func TestPolicyLevelText(t *testing.T) {
	for _, l := range []PolicyLevel{PolicyBasic, PolicyStandard, PolicyStrict} {
		b, _ := l.MarshalText()
		var got PolicyLevel
		if err := got.UnmarshalText(b); err != nil || got != l {
			t.Errorf("round trip of %v: got %v, %v", l, got, err)
		}
	}
	var l PolicyLevel
	if err := l.UnmarshalText([]byte("paranoid")); err == nil {
		t.Error("UnmarshalText(paranoid): got nil error")
	}
}

func TestCommonPasswordList(t *testing.T) {
	if n := CommonPasswordCount(); n < 3000 {
		t.Errorf("common password list: got %d entries, want at least 3000", n)
	}
	for _, pw := range []string{"password", "123456", "qwerty", "letmein", "dragon"} {
		if _, ok := commonPasswords()[pw]; !ok {
			t.Errorf("common password list lacks %q", pw)
		}
	}
	if _, ok := commonPasswords()["#!comment:"]; ok {
		t.Error("common password list holds its comments")
	}
}

func TestLeetFolds(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"password", nil},
		{"p@ssw0rd", []string{"password"}},
		{"1337", []string{"ieet", "leet"}},
		{"$up3rm4n", []string{"superman"}},
	} {
		if got := leetFolds(tc.in); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("leetFolds(%q): got %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestPatternCoverage(t *testing.T) {
	for _, tc := range []struct {
		in       string
		seq, rep int
	}{
		{"abc", 3, 0},
		{"ab", 0, 0},
		{"abcba", 3, 0}, // abc, then "ba" alone is too short to count
		{"xqz", 0, 0},
		{"aaab", 0, 3},
		{"qwerty", 6, 0},
		{"4321", 4, 0},
		{"a1b2c3", 0, 0},
	} {
		seq, rep := patternCoverage(tc.in)
		if seq != tc.seq || rep != tc.rep {
			t.Errorf("patternCoverage(%q): got %d, %d; want %d, %d", tc.in, seq, rep, tc.seq, tc.rep)
		}
	}
}

// BenchmarkPolicyCheck is the cost of live password feedback.
func BenchmarkPolicyCheck(b *testing.B) {
	p := Policy{Words: []string{"Drawbridge"}}
	b.ReportAllocs()
	for b.Loop() {
		p.Check("correct horse battery staple", "alice")
	}
}
