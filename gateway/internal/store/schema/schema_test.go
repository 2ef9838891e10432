package schema

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	ok := fstest.MapFS{
		"m/0002_sessions.sql": {Data: []byte("CREATE TABLE s (x int);")},
		"m/0001_users.sql":    {Data: []byte("CREATE TABLE u (x int);")},
		"m/README":            {Data: []byte("not a migration")},
	}
	ms, err := Load(ok, "m")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0] != (Migration{1, "users", "CREATE TABLE u (x int);"}) || ms[1].Version != 2 || ms[1].Name != "sessions" {
		t.Fatalf("got %+v, want users then sessions", ms)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"gap":       {"m/0001_a.sql": {}, "m/0003_c.sql": {}},
		"duplicate": {"m/0001_a.sql": {}, "m/0001_b.sql": {}},
		"no number": {"m/0001_a.sql": {}, "m/second.sql": {}},
		"from two":  {"m/0002_b.sql": {}},
	} {
		if _, err := Load(fsys, "m"); err == nil || !strings.Contains(err.Error(), "want the number") {
			t.Errorf("%s: got %v, want an error naming the file's number", name, err)
		}
	}
	if ms, err := Load(fstest.MapFS{}, "m"); err != nil || len(ms) != 0 {
		t.Errorf("no migrations: got %v, %v", ms, err)
	}
}
