package admincli

import (
	"errors"
	"strings"
	"testing"
)

// The table is complete: every verb has a line of help, argument
// completions fit its arguments, and the usage lists each verb on a line
// of its own.
func TestCommandsTable(t *testing.T) {
	for _, c := range Commands {
		usage := c.Usage("")
		for _, v := range c.Verbs {
			if v.Summary == "" {
				t.Errorf("%s %s: no summary", c.Name, v.Name)
			}
			if v.MaxArgs >= 0 && (v.MinArgs > v.MaxArgs || len(v.ArgValues) > v.MaxArgs) {
				t.Errorf("%s %s: MinArgs %d, MaxArgs %d, %d ArgValues", c.Name, v.Name, v.MinArgs, v.MaxArgs, len(v.ArgValues))
			}
			if !strings.Contains(usage, "\n  "+v.Synopsis()+" ") {
				t.Errorf("%s usage lacks a line for %q:\n%s", c.Name, v.Synopsis(), usage)
			}
		}
	}
}

func TestNewCall(t *testing.T) {
	user, _ := Find("user")
	session, _ := Find("session")
	for _, tc := range []struct {
		c     Command
		verb  string
		args  []string
		flags map[string]string
		bad   string // what the usage error says; "" for none
	}{
		{user, "add", []string{"alice"}, map[string]string{"role": "superuser"}, ""},
		{user, "add", []string{"alice"}, map[string]string{"role": "emperor"}, "-role"},
		{user, "add", nil, nil, "wrong number of arguments"},
		{user, "list", nil, map[string]string{"role": "admin"}, "flag provided but not defined: -role"},
		{user, "role", []string{"alice", "admin"}, nil, ""},
		{user, "role", []string{"alice", "emperor"}, nil, "emperor"},
		{user, "frobnicate", nil, nil, `unknown verb "frobnicate"`},
		{session, "revoke", nil, nil, "give session IDs or -user NAME"},
		{session, "revoke", []string{"id"}, map[string]string{"user": "alice"}, "give session IDs or -user NAME"},
		{session, "revoke", []string{"a", "b"}, nil, ""},
		{session, "list", []string{"a", "b"}, nil, "wrong number of arguments"},
	} {
		_, err := tc.c.NewCall(tc.verb, tc.args, tc.flags)
		var ue UsageError
		switch {
		case tc.bad == "" && err != nil:
			t.Errorf("%s %s %v %v: %v", tc.c.Name, tc.verb, tc.args, tc.flags, err)
		case tc.bad != "" && (!errors.As(err, &ue) || !strings.Contains(err.Error(), tc.bad)):
			t.Errorf("%s %s %v %v: %v, want a usage error saying %q", tc.c.Name, tc.verb, tc.args, tc.flags, err, tc.bad)
		}
	}
}
