package automation

import (
	"slices"
	"testing"

	"github.com/drawbridge/drawbridge/wasmclient/dom"
)

// TestSplitCommandsAsTheClient: typed lines split as the client splits
// them when there is no automation.
func TestSplitCommandsAsTheClient(t *testing.T) {
	for _, sep := range []string{";;", ";", "", "||"} {
		for _, line := range []string{"", "look", "  look  ", "n;;e", "n;; ;;e", ";;", "n;;", ";;n", "a;b;;c", "say a||b", " ; ", "x;;;y"} {
			got, want := SplitCommands(line, sep), dom.SplitCommands(line, sep)
			if !slices.Equal(got, want) {
				t.Errorf("SplitCommands(%q, %q) = %q, the client's %q", line, sep, got, want)
			}
		}
	}
}

func TestTemplate(t *testing.T) {
	subject := "k big rat"
	loc := []int{0, 9, 2, 9, 2, 5, -1, -1} // $0 whole, $1 "big rat", $2 "big", $3 did not take part
	cases := []struct {
		text string
		sep  string
		want []string
	}{
		{"kill $1", ";;", []string{"kill big rat"}},
		{"$0|$1|$2|$3|$4|$9", ";;", []string{"k big rat|big rat|big|||"}},
		{"give $$5 and $x and $", ";;", []string{"give $5 and $x and $"}},
		{"$$1", ";;", []string{"$1"}},
		{"$10", ";;", []string{"big rat0"}},
		{"a;;b\nc\r\n;;  ;;d ", ";;", []string{"a", "b", "c", "d"}},
		{"a;;b", "", []string{"a;;b"}},
		{"  $3  ", ";;", nil}, // empty once filled in: dropped
		{"", ";;", nil},
	}
	for _, c := range cases {
		tm := compileTemplate(c.text, c.sep)
		var got []string
		for i := range tm.cmds {
			if s, _ := tm.cmds[i].expand(subject, loc); s != "" {
				got = append(got, s)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("template %q: %q, want %q", c.text, got, c.want)
		}
	}
	// Control characters in captures are dropped; the template's own stay.
	tm := compileCommand("say\t$1")
	captured := "a\x1b[31mb\x00c\u0085d"
	if got, _ := tm.expand(captured, []int{0, len(captured), 0, len(captured)}); got != "say\ta[31mbcd" {
		t.Errorf("expand = %q", got)
	}
}

func TestExpandText(t *testing.T) {
	c := compileCommand("$1!")
	long := []rune{}
	for range 300 {
		long = append(long, 'é')
	}
	s := string(long)
	got := expandText(&c, s, []int{0, len(s), 0, len(s)}, MaxNotifyLen)
	if n := len([]rune(got)); n != MaxNotifyLen {
		t.Errorf("notification of %d runes, want %d", n, MaxNotifyLen)
	}
}
