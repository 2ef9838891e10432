package term

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseCommandLink(t *testing.T) {
	long := strings.Repeat("x", MaxLinkCommand+1)
	for _, tc := range []struct {
		uri  string
		want CommandLink
		ok   bool
	}{
		{uri: "mxp:send?c=north", want: CommandLink{Commands: []string{"north"}}, ok: true},
		{uri: "mxp:send?c=go+north&c=look+north&l=Go&l=Look&t=Exits", want: CommandLink{Commands: []string{"go north", "look north"}, Labels: []string{"Go", "Look"}, Hint: "Exits"}, ok: true},
		{uri: "mxp:send?c=tell+bob+&p=1", want: CommandLink{Commands: []string{"tell bob "}, Prompt: true}, ok: true},
		{uri: "mxp:send?c=%E5%8C%97", want: CommandLink{Commands: []string{"北"}}, ok: true},
		{uri: "mxp:send?t=no+command"},
		{uri: "mxp:send?c="},
		{uri: "mxp:send?c=a&c=b&l=only+one"},
		{uri: "mxp:send?c=a%0D%0Aquit"},
		{uri: "mxp:send?c=a%1B%5B2J"},
		{uri: "mxp:send?c=a%C2%9B"},
		{uri: "mxp:send?c=%FF"},
		{uri: "mxp:send?c=a&x=1"},
		{uri: "mxp:send?c=a&t=1&t=2"},
		{uri: "mxp:send?c=" + long},
		{uri: "mxp:send?c=a;b"},
		{uri: "mxp:send?c=%zz"},
		{uri: "mxp:image?c=a"},
		{uri: "http://example.org/?c=a"},
		{uri: "mxp:send?" + strings.Repeat("c=a&", MaxLinkCommands) + "c=a"},
	} {
		got, ok := ParseCommandLink(tc.uri)
		if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseCommandLink(%q) = %+v, %v; want %+v, %v", tc.uri, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCommandLinkLabel(t *testing.T) {
	c := CommandLink{Commands: []string{"get sword", "look sword"}, Labels: []string{"", "Look"}}
	if got := c.Label(0); got != "get sword" {
		t.Errorf("Label(0) = %q", got)
	}
	if got := c.Label(1); got != "Look" {
		t.Errorf("Label(1) = %q", got)
	}
}
