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

// DescribeStore names the database a command is about to change, without
// opening it and without a password.
func TestDescribeStore(t *testing.T) {
	for _, tc := range []struct {
		store StoreConfig
		state string
		want  string
	}{
		{StoreConfig{}, "/var/lib/drawbridge", "sqlite:/var/lib/drawbridge/drawbridge.db"},
		{StoreConfig{SQLitePath: "/srv/accounts.db"}, "/var/lib/drawbridge", "sqlite:/srv/accounts.db"},
		{StoreConfig{PostgresURL: "postgres://drawbridge:hunter2@db.internal/drawbridge?sslmode=verify-full"}, "", "postgres://drawbridge@db.internal:5432/drawbridge"},
		{StoreConfig{PostgresURL: "host=db.internal user=drawbridge password=hunter2 dbname=accounts"}, "", "postgres://drawbridge@db.internal:5432/accounts"},
	} {
		cfg := Config{StateDir: tc.state, Store: tc.store}
		if got, err := DescribeStore(cfg); err != nil || got != tc.want {
			t.Errorf("DescribeStore(%+v) = %q, %v; want %q", tc.store, got, err, tc.want)
		}
	}
}
