package pgserver

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

var pg Shared

func TestMain(m *testing.M) { os.Exit(pg.Run(m)) }

func query(t *testing.T, url, sql string) (string, error) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return "", err
	}
	defer c.Close(ctx)
	var s string
	err = c.QueryRow(ctx, sql).Scan(&s)
	return s, err
}

func TestNewDatabases(t *testing.T) {
	srv := pg.Server(t)
	a, b := srv.NewDatabase(t), srv.NewDatabase(t)
	if a == b {
		t.Fatalf("NewDatabase twice: got %s both times", a)
	}
	for _, u := range []string{a, b} {
		if !strings.HasPrefix(u, "postgres://drawbridge:") || !strings.Contains(u, "@"+srv.Addr()+"/") {
			t.Errorf("URL %s: want postgres://drawbridge:...@%s/...", u, srv.Addr())
		}
		got, err := query(t, u, "SELECT current_database()")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(strings.Split(u, "?")[0], "/"+got) {
			t.Errorf("current_database on %s: got %s", u, got)
		}
	}
}

func TestPasswordRequiredOverTCP(t *testing.T) {
	srv := pg.Server(t)
	wrong := strings.Replace(srv.URL("postgres"), ":"+srv.password+"@", ":wrong@", 1)
	if _, err := query(t, wrong, "SELECT 'x'"); err == nil || !strings.Contains(err.Error(), "password authentication failed") {
		t.Errorf("connect with a wrong password: got %v, want password authentication failed", err)
	}
	if got, err := query(t, srv.URL("postgres"), "SELECT inet_server_addr()::text"); err != nil || got != "127.0.0.1/32" {
		t.Errorf("server address: got %q, %v; want 127.0.0.1/32", got, err)
	}
}

func TestStopRestart(t *testing.T) {
	srv := Start(t)
	u := srv.NewDatabase(t)
	srv.Exec(t, "postgres", "SELECT 1")
	// Data survives a restart (fsync is off, but the shutdown is clean).
	ctx := context.Background()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "CREATE TABLE t (x text); INSERT INTO t VALUES ('kept')"); err != nil {
		t.Fatal(err)
	}
	srv.Stop(t)
	if err := c.Ping(ctx); err == nil {
		t.Error("Ping after Stop: got nil error")
	}
	c.Close(ctx)
	if _, err := query(t, u, "SELECT 'x'"); err == nil {
		t.Error("connect after Stop: got nil error")
	}
	srv.Restart(t)
	if got, err := query(t, u, "SELECT x FROM t"); err != nil || got != "kept" {
		t.Errorf("after Restart: got %q, %v; want kept", got, err)
	}
}

func TestTraversable(t *testing.T) {
	private := t.TempDir()
	if err := os.Chmod(private, 0o700); err != nil {
		t.Fatal(err)
	}
	open := t.TempDir()
	for _, tc := range []struct {
		dir  string
		want bool
	}{
		{"/", true},
		{"/usr/lib", true},
		{private, false},
		{private + "/below", false},
		{open + "/missing", false},
	} {
		if got := traversable(tc.dir); got != tc.want {
			t.Errorf("traversable(%s): got %v, want %v", tc.dir, got, tc.want)
		}
	}
}
