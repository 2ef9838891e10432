package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/drawbridge/drawbridge/gateway/internal/account/accounttest"
)

// openTemp opens a new database in a temporary directory.
func openTemp(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "state", "accounts.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

func TestStoreContract(t *testing.T) {
	accounttest.StoreTest(t, func(t *testing.T) account.Store { return openTemp(t) })
}

func TestOpenMakesPrivateFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	path := filepath.Join(dir, "accounts.db")
	db, err := Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CreateUser(context.Background(), account.User{Name: "Alice", Role: account.RolePlayer, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want os.FileMode
	}{
		{dir, 0o700 | os.ModeDir},
		{path, 0o600},
		{path + "-wal", 0o600},
		{path + "-shm", 0o600},
	} {
		fi, err := os.Stat(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode() & (os.ModeDir | os.ModePerm); got != tc.want {
			t.Errorf("mode of %s: got %v, want %v", filepath.Base(tc.path), got, tc.want)
		}
	}
}

func TestOpenTightensLooseFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "accounts.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o644) // whatever the umask
	db, err := Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after Open: got %v, want 0600", fi.Mode().Perm())
	}
}

func TestOpenRejectsBadPaths(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"", filepath.Join(dir, "a?b.db"), dir} {
		if db, err := Open(context.Background(), p, nil); err == nil {
			db.Close()
			t.Errorf("Open(%q): got nil error", p)
		}
	}
}

func TestPragmas(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	for _, tc := range []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "2"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
	} {
		for _, pool := range []*sql.DB{db.w, db.r} {
			var got string
			if err := pool.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("PRAGMA %s: got %s, want %s", tc.pragma, got, tc.want)
			}
		}
	}
	if _, err := db.r.ExecContext(ctx, "DELETE FROM users"); err == nil {
		t.Error("a write through the read-only pool succeeded")
	}
	if got := db.w.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("writer pool: got %d connections, want 1", got)
	}
}

func TestMigrations(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || SupportedSchemaVersion() != len(ms) {
		t.Fatalf("migrations: got %d, SupportedSchemaVersion %d", len(ms), SupportedSchemaVersion())
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "accounts.db")
	db, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := db.SchemaVersion(ctx); err != nil || v != len(ms) {
		t.Errorf("SchemaVersion after migrating from empty: got %d, %v; want %d", v, err, len(ms))
	}
	u, err := db.CreateUser(ctx, account.User{Name: "Alice", Role: account.RolePlayer, CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	// Reopening applies nothing and keeps the data.
	for range 2 {
		db, err = Open(ctx, path, nil)
		if err != nil {
			t.Fatal(err)
		}
		var rows int
		db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_version").Scan(&rows)
		if rows != len(ms) {
			t.Errorf("schema_version rows after reopening: got %d, want %d", rows, len(ms))
		}
		if got, err := db.User(ctx, u.ID); err != nil || got.Name != "Alice" {
			t.Errorf("user after reopening: got %+v, %v", got, err)
		}
		if err := db.IntegrityCheck(ctx); err != nil {
			t.Error(err)
		}
		db.Close()
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "accounts.db")
	db, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	future := SupportedSchemaVersion() + 1
	if _, err := db.w.ExecContext(ctx, "INSERT INTO schema_version (version, name, applied_at) VALUES (?, 'future', 0)", future); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(ctx, path, nil)
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open of a newer database: got %v, want ErrSchemaTooNew", err)
	}
	for _, want := range []string{strconv.Itoa(future), strconv.Itoa(SupportedSchemaVersion()), "newer gateway"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	if _, err := db.CreateUser(ctx, account.User{Name: "Alice", Role: account.RolePlayer, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, dst); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, dst); err == nil {
		t.Error("Backup over an existing file: got nil error")
	}
	if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, %v; want mode 0600", fi, err)
	}
	copyDB, err := Open(ctx, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if _, err := copyDB.UserByName(ctx, "alice"); err != nil {
		t.Errorf("user in the backup: %v", err)
	}
}

// TestRefusalWritesNothing: an UpdateLimit whose fn changes nothing (a
// refused login) must not write: each write is a commit, and each
// commit an fsync (synchronous=FULL), so a flood of refusals became a
// flood of fsyncs. The WAL grows with every commit; it must not grow.
func TestRefusalWritesNothing(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	if _, err := db.UpdateLimit(ctx, "login/addr/192.0.2.1", func(l *account.Limit) {
		l.Count, l.WindowStart, l.Expires = 31, time.Now(), time.Now().Add(time.Minute)
	}); err != nil {
		t.Fatal(err)
	}
	wal := func() int64 {
		fi, err := os.Stat(db.Path() + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := wal()
	for range 200 {
		if _, err := db.UpdateLimit(ctx, "login/addr/192.0.2.1", func(l *account.Limit) {}); err != nil {
			t.Fatal(err)
		}
	}
	if after := wal(); after != before {
		t.Errorf("200 refusals grew the WAL from %d to %d bytes: they wrote", before, after)
	}
}

// writeOldDatabase makes a database file at schema version 1, as the
// first release of the gateway left it, with one account (Old).
func writeOldDatabase(t *testing.T, path string) {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 {
		t.Skip("only one migration: no older schema to migrate from")
	}
	raw, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		"CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT",
		ms[0].SQL,
		"INSERT INTO schema_version VALUES (1, '" + ms[0].Name + "', 0)",
		"INSERT INTO users (name, name_key, role, created_at) VALUES ('Old', 'old', 'player', 1)",
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%.40s: %v", q, err)
		}
	}
}

// Before migrating a database that has data, Open copies it to
// PATH.pre-vN, which an older binary can open: the way back after an
// upgrade.
func TestMigrationKeepsACopy(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "drawbridge.db")
	writeOldDatabase(t, path)
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	db, err := Open(ctx, path, log)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := db.SchemaVersion(ctx); v != SupportedSchemaVersion() {
		t.Errorf("migrated database at version %d, want %d", v, SupportedSchemaVersion())
	}
	db.Close()

	copyPath := path + ".pre-v1"
	if PreMigrationPath(path, 1) != copyPath {
		t.Fatalf("PreMigrationPath = %s, want %s", PreMigrationPath(path, 1), copyPath)
	}
	for _, want := range []string{"level=INFO", "copied the database before migrating", "path=" + path, "copy=" + copyPath} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	if fi, err := os.Stat(copyPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the pre-migration copy: %v, %v; want a file with mode 0600", fi, err)
	}
	old, err := OpenExisting(ctx, copyPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if v, err := old.SchemaVersion(ctx); err != nil || v != 1 {
		t.Errorf("the copy is at version %d (%v), want 1", v, err)
	}
	var name string
	if err := old.r.QueryRowContext(ctx, "SELECT name FROM users").Scan(&name); err != nil || name != "Old" {
		t.Errorf("the copy's account: %q, %v; want Old", name, err)
	}

	// Opening the migrated database again makes no new copy.
	os.Remove(copyPath)
	db, err = Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := os.Stat(copyPath); err == nil {
		t.Error("a database already up to date was copied again")
	}
}

// A new database (version 0) is not copied: there is nothing to go back to.
func TestNewDatabaseIsNotCopied(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(context.Background(), filepath.Join(dir, "drawbridge.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if m, _ := filepath.Glob(filepath.Join(dir, "*.pre-v*")); len(m) > 0 {
		t.Errorf("copies of a new database: %v", m)
	}
}

// OpenExisting never creates a database, and never migrates one.
func TestOpenExisting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	missing := filepath.Join(dir, "state", "drawbridge.db")
	_, err := OpenExisting(ctx, missing, nil)
	if !errors.Is(err, ErrNoDatabase) || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "creates it when it first starts") {
		t.Fatalf("OpenExisting of a missing file: %v; want ErrNoDatabase naming %s", err, missing)
	}
	if _, err := os.Stat(filepath.Dir(missing)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenExisting of a missing file made its directory: %v", err)
	}

	path := filepath.Join(dir, "old.db")
	writeOldDatabase(t, path)
	db, err := OpenExisting(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.SchemaVersion(ctx); err != nil || v != 1 {
		t.Errorf("OpenExisting migrated: version %d (%v), want 1", v, err)
	}
	if _, err := os.Stat(path + ".pre-v1"); err == nil {
		t.Error("OpenExisting made a pre-migration copy")
	}
}
