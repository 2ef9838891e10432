package ui

import (
	"strings"
	"testing"

	"github.com/drawbridge/drawbridge/shared/i18n"
	"github.com/drawbridge/drawbridge/wasmclient/term"
)

func TestLinkAt(t *testing.T) {
	tm := term.New(80, 3, 10)
	tm.WriteString("see https://example.org/x. or \x1b]8;;https://docs.example.org/\x1b\\the docs\x1b]8;;\x1b\\ ok")
	for _, tc := range []struct {
		col      int
		uri      string
		explicit bool
	}{
		{0, "", false},
		{4, "https://example.org/x", false},
		{24, "https://example.org/x", false},
		{25, "", false}, // the full stop is not part of it
		{30, "https://docs.example.org/", true},
		{37, "https://docs.example.org/", true},
		{38, "", false},
		{200, "", false},
	} {
		s, _, ok := linkAt(tm, tm.ScrollbackLen(), tc.col, nil)
		if ok != (tc.uri != "") || s.URI != tc.uri || ok && s.Explicit != tc.explicit {
			t.Errorf("linkAt(%d) = %+v, %v, want %q explicit %v", tc.col, s, ok, tc.uri, tc.explicit)
		}
	}
}

func TestLinkAtFollowsAWrappedURL(t *testing.T) {
	tm := term.New(20, 4, 10)
	tm.WriteString("go https://example.org/a/long/path now")
	for _, line := range []int{0, 1} {
		col := 10
		if line == 1 {
			col = 2
		}
		s, _, ok := linkAt(tm, tm.ScrollbackLen()+line, col, nil)
		if !ok || s.URI != "https://example.org/a/long/path" {
			t.Errorf("line %d col %d: %+v %v, want the whole wrapped URL", line, col, s, ok)
		}
	}
}

func TestLinkBanner(t *testing.T) {
	if got := linkBanner(en, "https://a.org/", 40); got != " → https://a.org/ " {
		t.Fatalf("short banner %q", got)
	}
	long := "https://evil.example.com/" + strings.Repeat("x", 100) + "/end"
	got := linkBanner(en, long, 40)
	if n := len([]rune(got)); n > 40 {
		t.Fatalf("banner %q is %d wide, want at most 40", got, n)
	}
	if !strings.Contains(got, "https://evil.example.com") || !strings.HasSuffix(got, "/end ") || !strings.Contains(got, "…") {
		t.Fatalf("banner %q hides the host or the end", got)
	}
	if got := linkBanner(en, long, 3); !strings.Contains(got, "…") {
		t.Fatalf("tiny banner %q", got)
	}
	h := hoverLink{ok: true, line: 3, span: term.Span{X0: 1, X1: 4, URI: "u"}}
	if !h.same(h) || h.same(hoverLink{}) || !(hoverLink{}).same(hoverLink{}) {
		t.Fatal("hoverLink.same is wrong")
	}
}

func TestCommandBanner(t *testing.T) {
	for _, tc := range []struct {
		uri   string
		width int
		want  string
	}{
		{"mxp:send?c=north", 80, " ⏎ north "},
		{"mxp:send?c=north&t=Walk+north", 80, " Walk north: ⏎ north "},
		{"mxp:send?c=tell+bob+&p=1", 80, " ✎ tell bob  "},
		{"mxp:send?c=get+sword&c=look+sword&t=A+sword", 80, " A sword: ⏎ get sword · right-click or long-press: 2 choices "},
		{"mxp:send?c=get+sword&c=look+sword&t=A+sword", 20, " A sword: ⏎ get sw… "},
	} {
		if got := linkBanner(en, tc.uri, tc.width); got != tc.want {
			t.Errorf("linkBanner(en, %q, %d) = %q, want %q", tc.uri, tc.width, got, tc.want)
		}
	}
}

var en = i18n.For(i18n.Source)
