// Package sqlite is the account.Store on SQLite, through modernc.org/sqlite
// (pure Go, so the gateway binary stays static): the embedded default for
// a gateway running on one machine.
//
// The database is one file, created with mode 0600 in a directory created
// with mode 0700. It runs in WAL mode with synchronous=FULL: a commit
// returns only once it is in the WAL on disk, so an account, a password
// change or a revoked session survives not only kill -9 (which NORMAL
// would already give) but a power cut too. Revocations matter most here: a
// revoked session that came back after a crash would be a live credential
// again. The cost, one fsync per commit, is small beside a password hash,
// and the Service writes a session's LastSeen at most once a minute.
//
// SQLite has one writer at a time, so writes go through a pool of one
// connection (no SQLITE_BUSY between the gateway's own goroutines; the
// busy timeout covers another process such as the CLI) and reads through
// a small pool of read-only connections, which WAL lets run beside the
// writer. The schema is migrated at Open from SQL files embedded in the
// binary, in one transaction; a database whose schema is newer than the
// binary is refused. Before migrating a database that has data, Open
// copies it to PATH.pre-vN (N the version it was at), so that the older
// binary can be run again on that copy: an older binary refuses a newer
// schema.
//
// OpenExisting is for the operator's commands: it never creates a
// database and never migrates one; that is the gateway's job at start.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/drawbridge/drawbridge/gateway/internal/store/schema"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// DB is an open database. It implements account.Store. Close it when done.
type DB struct {
	path string
	w    *sql.DB // the one writer connection
	r    *sql.DB // read-only connections
	log  *slog.Logger
}

var _ account.Store = (*DB)(nil)

// ErrSchemaTooNew is returned by Open for a database written by a newer
// gateway: this binary does not know its schema and will not touch it.
var ErrSchemaTooNew = errors.New("database schema is newer than this gateway supports")

// Pool sizes and timeouts.
const (
	readers = 4
	// busyTimeout is how long a connection waits for another process's
	// lock (the CLI, a backup) before SQLITE_BUSY.
	busyTimeout = 5 * time.Second
)

// dsn is the driver's name for path: a plain file name (so SQLite does not
// read URI syntax in it) and the connection settings. readOnly
// connections refuse writes.
func dsn(path string, readOnly bool) string {
	q := []string{
		"_pragma=busy_timeout(" + strconv.Itoa(int(busyTimeout/time.Millisecond)) + ")",
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(FULL)",
		"_pragma=foreign_keys(1)",
		"_txlock=immediate", // take the write lock at BEGIN: no upgrade deadlocks
	}
	if readOnly {
		q = append(q, "_query_only=1")
	}
	return path + "?" + strings.Join(q, "&")
}

// Open opens (creating if needed) the database at path and brings its
// schema up to date. log receives operational messages; nil discards
// them.
func Open(ctx context.Context, path string, log *slog.Logger) (*DB, error) {
	log, abs, err := openArgs(path, log)
	if err != nil {
		return nil, err
	}
	if err := prepareFile(abs, log); err != nil {
		return nil, err
	}
	return open(ctx, abs, log, true)
}

// openArgs checks the path Open and OpenExisting are given and makes it
// absolute; a nil log becomes one that discards.
func openArgs(path string, log *slog.Logger) (*slog.Logger, string, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if path == "" || strings.ContainsAny(path, "?\x00") {
		return nil, "", fmt.Errorf("open database %q: the path must be non-empty and contain no '?'", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, "", fmt.Errorf("open database %s: %w", path, err)
	}
	return log, abs, nil
}

// ErrNoDatabase is returned by OpenExisting when there is no database
// file: the gateway creates it at its first start.
var ErrNoDatabase = errors.New("no database")

// OpenExisting opens the database at path as it is, for an operator's
// command: a missing file is ErrNoDatabase (naming the path), not a new
// empty database in the wrong place, and the schema is not migrated (see
// SchemaVersion and SupportedSchemaVersion).
func OpenExisting(ctx context.Context, path string, log *slog.Logger) (*DB, error) {
	log, abs, err := openArgs(path, log)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w at %s: the gateway creates it when it first starts (drawbridge serve); is this the state_dir the gateway uses?", ErrNoDatabase, abs)
	}
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", abs, unwrapPath(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("open database %s: not a regular file", abs)
	}
	return open(ctx, abs, log, false)
}

// unwrapPath drops the *PathError's repetition of the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// open opens the file at abs, which exists, migrating it when asked.
func open(ctx context.Context, abs string, log *slog.Logger, migrateIt bool) (*DB, error) {
	w, err := sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", abs, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	db := &DB{path: abs, w: w, log: log}
	if err := db.checkMode(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if migrateIt {
		if err := db.migrate(ctx); err != nil {
			w.Close()
			return nil, fmt.Errorf("open database %s: %w", abs, err)
		}
	}
	r, err := sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", abs, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	db.r = r
	return db, nil
}

// prepareFile makes the directory (0700) and the file (0600) before
// SQLite does, so the file is private from its first byte; SQLite gives
// its -wal and -shm files the database file's mode. An existing file
// readable by others is tightened, with a warning.
func prepareFile(path string, log *slog.Logger) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create database directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	fi, err := f.Stat()
	f.Close()
	if err != nil {
		return fmt.Errorf("stat database %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		log.Warn("database file readable by others: setting mode 0600", "path", path, "mode", fi.Mode().Perm().String())
		if err := os.Chmod(path, 0o600); err != nil {
			return fmt.Errorf("chmod database %s: %w", path, err)
		}
	}
	return nil
}

// checkMode verifies the pragmas took: WAL cannot be set on some file
// systems, and a silent fallback would change the durability story.
func (db *DB) checkMode(ctx context.Context) error {
	var mode string
	if err := db.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("open database %s: %w", db.path, err)
	}
	if mode != "wal" {
		return fmt.Errorf("open database %s: journal mode is %q, want wal (is the file system local?)", db.path, mode)
	}
	var fk, sync int
	if err := db.w.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return fmt.Errorf("open database %s: %w", db.path, err)
	}
	if err := db.w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		return fmt.Errorf("open database %s: %w", db.path, err)
	}
	if fk != 1 || sync != 2 {
		return fmt.Errorf("open database %s: foreign_keys=%d synchronous=%d, want 1 and 2 (FULL)", db.path, fk, sync)
	}
	return nil
}

// Close closes the database; the last connection checkpoints the WAL.
func (db *DB) Close() error {
	var errs []error
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	errs = append(errs, db.w.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close database %s: %w", db.path, err)
	}
	return nil
}

// Path is the database file's absolute path.
func (db *DB) Path() string { return db.path }

// SchemaVersion is the version of the database's schema: the number of
// migrations applied (0 for a database never migrated).
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	return schemaVersion(ctx, db.r)
}

// querier is a connection pool or a transaction.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// schemaVersion reads the schema version; 0 when there is no
// schema_version table yet.
func schemaVersion(ctx context.Context, q querier) (int, error) {
	var tables int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'").Scan(&tables); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	if tables == 0 {
		return 0, nil
	}
	var v int
	if err := q.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// IntegrityCheck runs PRAGMA integrity_check and returns an error naming
// the problems it finds, if any. For an operator's check and for tests.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	rows, err := db.r.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("integrity check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("integrity check: %s", strings.Join(problems, "; "))
	}
	return nil
}

// Backup writes a consistent copy of the database to dst (which must not
// exist) while the gateway runs, with VACUUM INTO. The copy is made in a
// private directory beside dst and renamed into place with mode 0600, so
// it is never readable by others.
func (db *DB) Backup(ctx context.Context, dst string) error {
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("backup to %s: file exists", dst)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), ".backup-")
	if err != nil {
		return fmt.Errorf("backup to %s: %w", dst, err)
	}
	defer os.RemoveAll(tmp)
	part := filepath.Join(tmp, "db")
	if _, err := db.w.ExecContext(ctx, "VACUUM INTO ?", part); err != nil {
		return fmt.Errorf("backup to %s: %w", dst, err)
	}
	if err := os.Chmod(part, 0o600); err != nil {
		return fmt.Errorf("backup to %s: %w", dst, err)
	}
	if err := os.Rename(part, dst); err != nil {
		return fmt.Errorf("backup to %s: %w", dst, err)
	}
	return nil
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations returns the embedded migrations in order.
func migrations() ([]schema.Migration, error) { return schema.Load(migrationFiles, "migrations") }

// SupportedSchemaVersion is the newest schema this binary knows: the
// number of embedded migrations.
func SupportedSchemaVersion() int {
	ms, _ := migrations()
	return len(ms)
}

// PreMigrationPath is where Open keeps the copy of the database at path
// that it makes before migrating it from version from.
func PreMigrationPath(path string, from int) string {
	return path + ".pre-v" + strconv.Itoa(from)
}

// migrate applies the migrations the database lacks, all in one
// transaction (so a crash leaves the old schema whole), and refuses a
// database newer than the binary. Two processes opening at once are
// serialised by BEGIN IMMEDIATE; the second finds nothing to do. A
// database that has a schema already is first copied (preMigrationCopy).
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	cur, err := schemaVersion(ctx, db.w)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if cur > 0 && cur < len(ms) {
		if err := db.preMigrationCopy(ctx, cur, len(ms)); err != nil {
			return err
		}
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if cur, err = schemaVersion(ctx, tx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if cur > len(ms) {
		return fmt.Errorf("%w: the database is at version %d, this gateway knows up to %d; run a newer gateway (or restore a backup)",
			ErrSchemaTooNew, cur, len(ms))
	}
	for _, m := range ms[cur:] {
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
			m.Version, m.Name, time.Now().UnixMicro()); err != nil {
			return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if cur < len(ms) {
		db.log.Info("database schema migrated", "path", db.path, "from", cur, "to", len(ms))
	}
	return nil
}

// preMigrationCopy copies the database, at version from, to
// PreMigrationPath before it is migrated to version to: with that copy an
// operator can go back to the older binary. A copy left there by an
// earlier upgrade is replaced: the new one has the newer data.
func (db *DB) preMigrationCopy(ctx context.Context, from, to int) error {
	dst := PreMigrationPath(db.path, from)
	if _, err := os.Lstat(dst); err == nil {
		db.log.Info("replacing an older pre-migration copy", "path", dst)
		if err := os.Remove(dst); err != nil {
			return fmt.Errorf("copy the database before migrating it: %w", err)
		}
	}
	if err := db.Backup(ctx, dst); err != nil {
		return fmt.Errorf("copy the database before migrating it: %w", err)
	}
	db.log.Info("copied the database before migrating its schema; to go back to the older drawbridge, stop it and put the copy in place",
		"path", db.path, "copy", dst, "from", from, "to", to)
	return nil
}

// writeTx runs fn in a write transaction (BEGIN IMMEDIATE) and commits it.
func (db *DB) writeTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// micros stores a time: Unix microseconds, 0 for the zero time.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros reads a stored time, in UTC.
func fromMicros(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.UnixMicro(n).UTC()
}

// isConstraint reports whether err is the SQLite constraint violation code.
func isConstraint(err error, code int) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == code
}

func isUnique(err error) bool     { return isConstraint(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE) }
func isForeignKey(err error) bool { return isConstraint(err, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY) }
