// Package postgres is the account.Store on PostgreSQL, through pgx: the
// store for several gateway nodes that share accounts, sessions,
// rate-limit state and the audit trail. Beside the Store, a DB gives the
// nodes what working as a cluster needs: notifications between nodes
// (Notify, Listen), cluster-wide locks (TryLock, Lock) and a shared ACME
// certificate cache (AutocertCache).
//
// Times are timestamptz, kept to the microsecond. The zero time.Time is
// stored as '-infinity' rather than NULL, so that it sorts before every
// real time as it does in the SQLite store (where it is 0): "expires at
// or before now" means the same in both.
//
// The schema is migrated at Open from SQL files embedded in the binary,
// all pending migrations in one transaction that holds a transaction-level
// advisory lock: nodes starting together migrate once, the others wait
// and find nothing to do. A database whose schema is newer than the binary
// is refused with ErrSchemaTooNew.
//
// Concurrent writes from several nodes are made safe by the database, not
// by the process: UpdateLimit holds the key's row lock (SELECT ... FOR
// UPDATE) across its read-modify-write; CreateSession and DeleteUser lock
// the account's row, so a session cap or a cascade sees every concurrent
// session; ConsumeToken is one DELETE ... RETURNING; PutSettings is one
// INSERT ... ON CONFLICT DO NOTHING or UPDATE ... WHERE version = the one
// read, so of two devices writing the same version exactly one wins.
//
// Connections come from a pool (pgxpool). A connection that has sat idle
// is pinged before use, and a new one gives up after Config.ConnectTimeout,
// so while the server is down a call fails quickly rather than hanging;
// once it is back, the pool reconnects by itself. Every connection runs
// with statement_timeout set, so no statement holds a connection (or a
// lock) for long.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net"
	"net/url"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/drawbridge/drawbridge/gateway/internal/store/schema"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Config configures Open. The zero value of every field but URL works.
type Config struct {
	// URL is the connection string, as libpq takes it:
	// postgres://user:password@host:5432/dbname?sslmode=verify-full, or
	// "host=... dbname=..." keywords. The password may instead come from
	// PGPASSWORD or a password file (passfile=, PGPASSFILE), which keeps
	// it out of the gateway's configuration. Required.
	URL string

	// MaxConns caps the pool of connections. Zero means 10. Each Listen
	// uses a connection of its own besides; Lock and TryLock hold one of
	// the pool's while they hold the lock.
	MaxConns int32

	// MinConns is how many connections the pool keeps open while idle.
	// Zero means none: connections are opened on demand.
	MinConns int32

	// StatementTimeout bounds each statement, on the server (it is the
	// statement_timeout setting of every connection), so that a stuck
	// query cannot hold a connection or a row lock for long. Zero means
	// 5s; negative means no limit.
	StatementTimeout time.Duration

	// ConnectTimeout bounds opening a connection, and so how long a call
	// takes to fail while the server is unreachable. Zero means 5s.
	ConnectTimeout time.Duration

	// Logger receives operational messages (migrations, a lost Listen
	// connection). Nil discards them.
	Logger *slog.Logger

	// Existing opens the database as it is, for an operator's command:
	// nothing is created or migrated (the gateway does that when it
	// starts), and a database whose schema is not the one this binary
	// uses is refused, with an error that says what to do.
	Existing bool
}

// Defaults for Config's zero values.
const (
	DefaultMaxConns         = 10
	DefaultStatementTimeout = 5 * time.Second
	DefaultConnectTimeout   = 5 * time.Second
)

// WithDefaults returns c with its zero values replaced by the defaults.
func (c Config) WithDefaults() Config {
	if c.MaxConns == 0 {
		c.MaxConns = DefaultMaxConns
	}
	if c.StatementTimeout == 0 {
		c.StatementTimeout = DefaultStatementTimeout
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c
}

// Validate reports a configuration Open would refuse. Its errors never
// contain the password.
func (c Config) Validate() error {
	_, err := c.WithDefaults().poolConfig()
	return err
}

// poolConfig checks c (with defaults applied) and turns it into pgxpool's
// configuration.
func (c Config) poolConfig() (*pgxpool.Config, error) {
	switch {
	case strings.TrimSpace(c.URL) == "":
		return nil, errors.New("postgres: URL is required")
	case c.MaxConns < 1:
		return nil, fmt.Errorf("postgres: MaxConns %d: want at least 1", c.MaxConns)
	case c.MinConns < 0 || c.MinConns > c.MaxConns:
		return nil, fmt.Errorf("postgres: MinConns %d: want 0 to MaxConns (%d)", c.MinConns, c.MaxConns)
	case c.ConnectTimeout < 0:
		return nil, fmt.Errorf("postgres: ConnectTimeout %v: want a positive duration", c.ConnectTimeout)
	}
	pc, err := pgxpool.ParseConfig(c.URL)
	if err != nil {
		// pgx redacts the password from its message only on a best-effort
		// basis for a malformed URL; scrub it again.
		return nil, &redactedError{msg: "postgres: parse URL", err: err, secret: passwordOrEmpty(c.URL)}
	}
	pc.MaxConns, pc.MinConns = c.MaxConns, c.MinConns
	pc.ConnConfig.ConnectTimeout = c.ConnectTimeout
	st := max(c.StatementTimeout, 0)
	pc.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(st.Milliseconds(), 10)
	if pc.ConnConfig.RuntimeParams["application_name"] == "" {
		pc.ConnConfig.RuntimeParams["application_name"] = "drawbridge"
	}
	return pc, nil
}

// redactedError is an error whose message has a secret (the password)
// replaced; Unwrap still gives the original for errors.Is and As.
type redactedError struct {
	msg    string
	err    error
	secret string
}

func (e *redactedError) Error() string {
	s := e.msg + ": " + e.err.Error()
	if e.secret != "" {
		// As given, and as a URL may carry it, escaped.
		_, userinfo, _ := strings.Cut(url.UserPassword("", e.secret).String(), ":")
		for _, form := range []string{e.secret, url.QueryEscape(e.secret), url.PathEscape(e.secret), userinfo} {
			if form != "" {
				s = strings.ReplaceAll(s, form, "xxxxx")
			}
		}
	}
	return s
}

func (e *redactedError) Unwrap() error { return e.err }

// Password returns the password written in a connection string, and
// whether there is one: a URL's userinfo or its password parameter, or a
// password setting of the key=value form (spaces around the = allowed,
// the value quoted or not, as libpq reads it). It reads only the string:
// not PGPASSWORD, not ~/.pgpass. The gateway uses it to refuse a
// password in its configuration, and to scrub one from errors about a
// string that does not parse.
func Password(conn string) (string, bool) {
	if strings.HasPrefix(conn, "postgres://") || strings.HasPrefix(conn, "postgresql://") {
		if u, err := url.Parse(conn); err == nil {
			if pw, ok := u.User.Password(); ok {
				return pw, true
			}
			if q := u.Query(); q.Has("password") {
				return q.Get("password"), true
			}
			return "", false
		}
		// Unparsable: find what would have been the userinfo or the
		// parameter by hand.
		_, rest, _ := strings.Cut(conn, "://")
		if at := strings.LastIndex(rest, "@"); at > 0 {
			if _, pw, ok := strings.Cut(rest[:at], ":"); ok {
				return pw, true
			}
		}
		if _, q, ok := strings.Cut(rest, "?"); ok {
			for _, kv := range strings.Split(q, "&") {
				if k, v, ok := strings.Cut(kv, "="); ok && k == "password" {
					return v, true
				}
			}
		}
		return "", false
	}
	return keywordPassword(conn)
}

// keywordPassword reads the key=value form as libpq does: keys, optional
// spaces, =, optional spaces, then a bare value up to a space or a
// single-quoted one with \' and \\ escaped.
func keywordPassword(s string) (string, bool) {
	i := 0
	skip := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f' || s[i] == '\v') {
			i++
		}
	}
	for {
		skip()
		if i >= len(s) {
			return "", false
		}
		k := i
		for i < len(s) && s[i] != '=' && s[i] != ' ' && s[i] != '\t' {
			i++
		}
		key := s[k:i]
		skip()
		if i >= len(s) || s[i] != '=' {
			return "", false // not key=value: nothing more to read
		}
		i++
		skip()
		var val strings.Builder
		if i < len(s) && s[i] == '\'' {
			for i++; i < len(s) && s[i] != '\''; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				val.WriteByte(s[i])
			}
			i++ // the closing quote
		} else {
			for ; i < len(s) && s[i] != ' ' && s[i] != '\t'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				val.WriteByte(s[i])
			}
		}
		if key == "password" {
			return val.String(), true
		}
	}
}

// passwordOrEmpty is Password's password, "" if none.
func passwordOrEmpty(conn string) string {
	pw, _ := Password(conn)
	return pw
}

// DB is an open PostgreSQL database: an account.Store, and the cluster
// primitives of the nodes sharing it. It is safe for concurrent use.
// Close it when done.
type DB struct {
	pool *pgxpool.Pool
	cfg  Config // with defaults
	addr string // host:port, for messages
	desc string // the URL without the password, for logs
	log  *slog.Logger

	listenCheck time.Duration // how often Listen pings a quiet connection
	lockCheck   time.Duration // how often TryLock checks its lock is held
}

var _ account.Store = (*DB)(nil)

// ErrSchemaTooNew is returned by Open for a database migrated by a newer
// gateway: this binary does not know its schema and will not touch it.
var ErrSchemaTooNew = errors.New("database schema is newer than this gateway supports")

// Open connects to the database, checks that it answers, and brings its
// schema up to date. An unreachable server fails at once (after
// ConnectTimeout at most) with an error naming its address. Errors never
// contain the password.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	cfg = cfg.WithDefaults()
	pc, err := cfg.poolConfig()
	if err != nil {
		return nil, err
	}
	cc := pc.ConnConfig
	db := &DB{cfg: cfg, log: cfg.Logger, listenCheck: listenCheckPeriod, lockCheck: lockCheckPeriod}
	db.addr, db.desc = describe(cc)
	secret := cc.Password
	if db.pool, err = pgxpool.NewWithConfig(ctx, pc); err != nil {
		return nil, &redactedError{msg: "postgres: open " + db.desc, err: err, secret: secret}
	}
	pctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	err = db.pool.Ping(pctx)
	cancel()
	if err != nil {
		db.pool.Close()
		return nil, &redactedError{msg: "cannot reach PostgreSQL at " + db.addr, err: err, secret: secret}
	}
	if cfg.Existing {
		if err := db.checkVersion(ctx); err != nil {
			db.pool.Close()
			return nil, &redactedError{msg: "PostgreSQL database " + db.desc, err: err, secret: secret}
		}
		return db, nil
	}
	if err := db.migrate(ctx); err != nil {
		db.pool.Close()
		return nil, &redactedError{msg: "migrate PostgreSQL database " + db.desc, err: err, secret: secret}
	}
	return db, nil
}

// checkVersion refuses a database whose schema is not this binary's,
// without changing it (Config.Existing).
func (db *DB) checkVersion(ctx context.Context) error {
	var v int
	var exists bool
	if err := db.pool.QueryRow(ctx, "SELECT to_regclass('schema_version') IS NOT NULL").Scan(&exists); err != nil {
		return fmt.Errorf("schema version: %w", err)
	}
	if exists {
		if err := db.pool.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_version").Scan(&v); err != nil {
			return fmt.Errorf("schema version: %w", err)
		}
	}
	switch want := SupportedSchemaVersion(); {
	case v > want:
		return fmt.Errorf("%w: it is at version %d, this drawbridge knows up to %d; use the newer drawbridge", ErrSchemaTooNew, v, want)
	case v == 0:
		return errors.New("it has no drawbridge schema: a gateway sets it up when it first starts (drawbridge serve)")
	case v < want:
		return fmt.Errorf("it is at schema version %d, this drawbridge uses %d: restart a gateway with this drawbridge first (it upgrades the database)", v, want)
	}
	return nil
}

// Close closes the pool's connections, waiting for those in use to be
// released.
func (db *DB) Close() { db.pool.Close() }

// PoolStats is the connection pool's state, for metrics.
type PoolStats struct {
	// Acquired connections are in use; Idle ones wait in the pool; Max
	// is its cap (Config.MaxConns).
	Acquired, Idle, Max int
	// Waits counts the acquisitions that had to wait for a connection:
	// when it climbs, the pool is too small for the load.
	Waits int64
}

// PoolStats reports the pool's state now. Connections held for LISTEN
// and for locks are outside the pool and not counted.
func (db *DB) PoolStats() PoolStats {
	st := db.pool.Stat()
	return PoolStats{Acquired: int(st.AcquiredConns()), Idle: int(st.IdleConns()), Max: int(st.MaxConns()), Waits: st.EmptyAcquireCount()}
}

// Ping checks that the server answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping PostgreSQL at %s: %w", db.addr, err)
	}
	return nil
}

// Addr is the server's address, host:port (or a Unix socket's path).
func (db *DB) Addr() string { return db.addr }

// describe returns the server's address and the database's description
// for logs, without the password.
func describe(cc *pgx.ConnConfig) (addr, desc string) {
	if strings.HasPrefix(cc.Host, "/") {
		addr = path.Join(cc.Host, ".s.PGSQL."+strconv.Itoa(int(cc.Port)))
		return addr, fmt.Sprintf("postgres://%s@unix(%s)/%s", cc.User, addr, cc.Database)
	}
	addr = net.JoinHostPort(cc.Host, strconv.Itoa(int(cc.Port)))
	return addr, (&url.URL{Scheme: "postgres", User: url.User(cc.User), Host: addr, Path: "/" + cc.Database}).String()
}

// Describe names the database a URL (or key=value string) points at, as
// DB.String does, without connecting: for saying which database a
// command is about to change.
func Describe(dsn string) (string, error) {
	cc, err := pgx.ParseConfig(dsn)
	if err != nil {
		return "", &redactedError{msg: "postgres: parse URL", err: err, secret: passwordOrEmpty(dsn)}
	}
	_, desc := describe(cc)
	return desc, nil
}

// String describes the database for logs: its URL without the password
// or settings.
func (db *DB) String() string { return db.desc }

// SchemaVersion is the version of the database's schema: the number of
// migrations applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := db.pool.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
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

// lockKey is the advisory lock key of name: a 64-bit hash, in a space of
// Drawbridge's own so other applications' keys are unlikely to collide.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("drawbridge/"))
	h.Write([]byte(name))
	return int64(h.Sum64())
}

// migrateLock is the advisory lock that serialises migrations.
var migrateLock = lockKey("schema migration")

// migrate applies the migrations the database lacks, all in one
// transaction (a failure leaves the old schema whole), and refuses a
// database newer than the binary. The transaction first takes an
// advisory lock, so nodes starting at once run one after the other and
// only the first migrates. The migration may take longer than a normal
// statement: the statement timeout is lifted for it, and ctx bounds it.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	var from int
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL statement_timeout = 0"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLock); err != nil {
			return fmt.Errorf("take the migration lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
			version    integer     PRIMARY KEY,
			name       text        NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_version").Scan(&from); err != nil {
			return err
		}
		if from > len(ms) {
			return fmt.Errorf("%w: the database is at version %d, this gateway knows up to %d; run a newer gateway (or restore a backup)",
				ErrSchemaTooNew, from, len(ms))
		}
		for _, m := range ms[from:] {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_version (version, name) VALUES ($1, $2)", m.Version, m.Name); err != nil {
				return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if from < len(ms) {
		db.log.Info("database schema migrated", "db", db.desc, "from", from, "to", len(ms))
	}
	return nil
}

// ts is t as a timestamptz argument: the zero time is -infinity.
func ts(t time.Time) pgtype.Timestamptz {
	if t.IsZero() {
		return pgtype.Timestamptz{InfinityModifier: pgtype.NegativeInfinity, Valid: true}
	}
	return pgtype.Timestamptz{Time: t, Valid: true}
}

// tsDest scans a timestamptz into a time.Time: -infinity (or NULL) is the
// zero time, and the rest is in UTC.
type tsDest struct{ t *time.Time }

// ScanTimestamptz implements pgtype.TimestamptzScanner.
func (d tsDest) ScanTimestamptz(v pgtype.Timestamptz) error {
	if !v.Valid || v.InfinityModifier != pgtype.Finite {
		*d.t = time.Time{}
		return nil
	}
	*d.t = v.Time.UTC()
	return nil
}

// pgCode returns the SQLSTATE of a server error, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// SQLSTATE codes the store handles.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
)

// unavailable marks err as account.ErrUnavailable when it says the
// database cannot be reached or cannot serve now (the connection failed
// or broke, the server is shutting down or full, a statement ran past
// the timeout), so that the account service tells the player to try
// again later rather than that something broke. Other errors, nil
// included, come back as they are.
func unavailable(err error) error {
	if err == nil || errors.Is(err, account.ErrUnavailable) || errors.Is(err, context.Canceled) {
		return err
	}
	var (
		ce  *pgconn.ConnectError
		ne  net.Error
		oe  *net.OpError
		raw = errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) ||
			errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
	)
	code := pgCode(err)
	switch {
	case errors.As(err, &ce), errors.As(err, &oe), errors.As(err, &ne), raw, pgconn.Timeout(err),
		strings.HasPrefix(code, "08"),                     // connection exception
		code == "57P01", code == "57P02", code == "57P03", // shutting down, crashed, starting
		code == "57014", // query_canceled: the statement timeout
		code == "53300": // too_many_connections
		return &unavailableError{err}
	}
	return err
}

// unavailableError is a database error that means "try again later".
type unavailableError struct{ err error }

func (e *unavailableError) Error() string   { return e.err.Error() }
func (e *unavailableError) Unwrap() []error { return []error{account.ErrUnavailable, e.err} }

// notFound turns pgx's "no rows" into account.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return account.ErrNotFound
	}
	return err
}
