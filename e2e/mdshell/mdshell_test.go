package mdshell

import (
	"reflect"
	"strings"
	"testing"
)

const sample = "# Title\n" + // 1
	"\n" + // 2
	"Run `make build` and\n" + // 3
	"`systemctl reload\n" + // 4
	"drawbridge`, not ``a `b` c``.\n" + // 5
	"\n" + // 6
	"1. **Step.**\n" + // 7
	"\n" + // 8
	"   ```sh\n" + // 9
	"   install -m 0755 a \\\n" + // 10
	"     /usr/local/bin/a   # copy\n" + // 11
	"   # a comment\n" + // 12
	"   a version\n" + // 13
	"   ```\n" + // 14
	"\n" + // 15
	"<!-- not runnable here: needs a real systemd -->\n" + // 16
	"```bash\n" + // 17
	"systemctl restart a\n" + // 18
	"```\n" + // 19
	"\n" + // 20
	"```toml\n" + // 21
	"x = `1`\n" + // 22
	"```\n" + // 23
	"````console\n" + // 24
	"$ a version\n" + // 25
	"a 1.0\n" + // 26
	"```\n" + // 27
	"````\n" // 28

func TestParse(t *testing.T) {
	d, err := Parse("x.md", sample)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range d.Blocks {
		got = append(got, b.Lang)
	}
	if want := []string{"sh", "bash", "toml", "console"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("blocks %q, want %q", got, want)
	}
	sh := d.Blocks[0]
	if sh.Line != 9 || sh.Marked || sh.Text != "install -m 0755 a \\\n  /usr/local/bin/a   # copy\n# a comment\na version\n" {
		t.Fatalf("sh block: line %d marked %v text %q", sh.Line, sh.Marked, sh.Text)
	}
	cmds := sh.Commands()
	want := []Command{{10, "install -m 0755 a  /usr/local/bin/a   # copy"}, {13, "a version"}}
	if !reflect.DeepEqual(cmds, want) {
		t.Fatalf("commands %+v, want %+v", cmds, want)
	}
	if b := d.Blocks[1]; !b.Marked || b.Reason != "needs a real systemd" {
		t.Fatalf("bash block: marked %v reason %q", b.Marked, b.Reason)
	}
	if d.Blocks[2].Shell() || !d.Blocks[3].Shell() {
		t.Fatal("toml counted as commands, or console not")
	}
	if s := d.Blocks[3].Script(); s != "a version\n" {
		t.Fatalf("console script %q", s)
	}
	if n := len(d.ShellBlocks()); n != 3 {
		t.Fatalf("%d shell blocks, want 3", n)
	}
	wantSpans := []Span{{3, "make build"}, {4, "systemctl reload drawbridge"}, {5, "a `b` c"}}
	if !reflect.DeepEqual(d.Spans, wantSpans) {
		t.Fatalf("spans %+v, want %+v", d.Spans, wantSpans)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"<!-- not runnable here: -->\n```sh\nls\n```\n", "x.md:1: the not-runnable marker gives no reason"},
		{"<!-- not runnable here: no -->\n```toml\nx=1\n```\n", `x.md:1: a not-runnable marker before a "toml" block`},
		{"<!-- not runnable here: no -->\n\n```sh\nls\n```\n", "x.md:1: a not-runnable marker not followed by a fence"},
		{"text\n\n```sh\nls\n", "x.md:3: the ``` fence is never closed"},
	} {
		_, err := Parse("x.md", tc.src)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want an error with %q", tc.src, err, tc.want)
		}
	}
}

func TestInlineCommand(t *testing.T) {
	for span, want := range map[string]bool{
		"drawbridge session end":         true,
		"drawbridge":                     false,
		"drawbridge.toml":                false,
		"drawbridge_players":             false,
		"make test":                      true,
		"curl -s http://x/readyz":        true,
		"./bin/drawbridge serve":         true,
		"backend = \"127.0.0.1:4000\"":   false,
		"install -D -m 0644 a b":         true,
		"go tool pprof http://127.0.0.1": true,
	} {
		if got := InlineCommand(span); got != want {
			t.Errorf("InlineCommand(%q) = %v, want %v", span, got, want)
		}
	}
}
