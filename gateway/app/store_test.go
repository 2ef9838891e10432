package app

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPostgresDSNAddsThePassword(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("it's a \\secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, file, want string }{
		{"postgres://drawbridge@db:5433/drawbridge?sslmode=verify-full", pw, "postgres://drawbridge:it%27s%20a%20%5Csecret@db:5433/drawbridge?sslmode=verify-full"},
		{"host=db user=drawbridge", pw, `host=db user=drawbridge password='it\'s a \\secret'`},
		{"postgres://drawbridge@db/drawbridge", "", "postgres://drawbridge@db/drawbridge"},
	} {
		got, err := postgresDSN(tc.in, tc.file)
		if err != nil || got != tc.want {
			t.Errorf("postgresDSN(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	if _, err := postgresDSN("postgres://db/d", empty); err == nil {
		t.Errorf("an empty password file was accepted")
	}
}
