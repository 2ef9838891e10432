package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/drawbridge/drawbridge/gateway/internal/cluster"
	"github.com/drawbridge/drawbridge/gateway/internal/store/postgres"
	"github.com/drawbridge/drawbridge/gateway/internal/store/sqlite"
)

// sweepLockRetry is how often a node that does not run the cluster's
// account sweep checks whether the node that does is still there.
const sweepLockRetry = 30 * time.Second

// Accounts is the account service on its database, for the gateway and
// for the command line's user and session commands, which work on the
// same database while the gateway runs.
type Accounts struct {
	*account.Service
	store account.Store
	close func() error
	desc  string // the database, for logs
	// pg is the PostgreSQL store, nil on SQLite: several nodes share it.
	pg *postgres.DB
	// relay tells the other nodes of revocations; nil on SQLite.
	relay *cluster.Revocations
	// sweeper is set while this node runs the cluster's account sweep.
	sweeper atomic.Bool
	audit   *auditFile // log.audit_file, nil when the events go to the main log
}

// clusterStats is what the admin listener reports of the cluster.
type clusterStats struct {
	pool        postgres.PoolStats
	revocations cluster.RevocationStats
	sweeper     bool
}

// clusterStats reads the cluster's state now; only on PostgreSQL.
func (a *Accounts) clusterStats() clusterStats {
	return clusterStats{pool: a.pg.PoolStats(), revocations: a.relay.Stats(), sweeper: a.sweeper.Load()}
}

// AccountHooks is what the account service tells its caller.
type AccountHooks struct {
	// OnRevoke is told of sessions that end, on this node and (on
	// PostgreSQL) on the others. nil: nobody to tell here.
	OnRevoke func(account.Revocation)
	// Resync runs when revocations from other nodes may have been missed;
	// it should re-check the live sessions. nil: nothing to do.
	Resync func()
}

// OpenAccounts opens the database cfg names (SQLite, or PostgreSQL when
// store.postgres_url is set) and the account service on it.
func OpenAccounts(ctx context.Context, cfg Config, hooks AccountHooks) (*Accounts, error) {
	return openAccounts(ctx, cfg, hooks, false)
}

// OpenExistingAccounts is OpenAccounts for the operator's commands
// (drawbridge user, session): it never creates the SQLite database
// (a missing one is an error naming its path: the gateway creates it
// when it first starts) and never migrates SQLite or PostgreSQL (a
// database at an older schema is an error: the gateway upgrades it at
// start, keeping a copy of a SQLite one).
//
// Run as root on a database another user owns (the service's, under
// systemd's DynamicUser=yes), it keeps the files it may create that
// user's: SQLite gives its -wal and -shm files the database's owner, and
// an audit file it creates gets its directory's owner.
func OpenExistingAccounts(ctx context.Context, cfg Config) (*Accounts, error) {
	return openAccounts(ctx, cfg, AccountHooks{}, true)
}

func openAccounts(ctx context.Context, cfg Config, hooks AccountHooks, existing bool) (*Accounts, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Accounts{}
	if err := a.openStore(ctx, cfg, log.With("component", "store"), existing); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	audit := log.With("component", "audit")
	if cfg.Log.AuditFile != "" {
		f, err := openAuditFile(cfg.Log.AuditFile)
		if err != nil {
			a.close()
			return nil, err
		}
		a.audit = f
		audit = slog.New(slog.NewJSONHandler(f, nil))
	}
	ac := accountConfig(&cfg)
	ac.Store, ac.Log, ac.Audit, ac.OnRevoke = a.store, log.With("component", "accounts"), audit, hooks.OnRevoke
	if a.pg != nil {
		// Every node's bridges end, not only this one's; the command
		// line's changes reach the running nodes the same way.
		a.relay = cluster.NewRevocations(cluster.RevocationsConfig{
			Bus: a.pg, Local: hooks.OnRevoke, Resync: hooks.Resync, Logger: log.With("component", "cluster"),
		})
		ac.OnRevoke = a.relay.Revoked
	}
	var err error
	if a.Service, err = account.New(ac); err != nil {
		a.Close()
		return nil, fmt.Errorf("accounts: %w", err)
	}
	return a, nil
}

// accountConfig is the account service's configuration from cfg: the
// [accounts] section, with the game's name among the words passwords may
// not contain.
func accountConfig(cfg *Config) account.Config {
	ac := cfg.Accounts
	ac.Policy.Words = append(slices.Clip(ac.Policy.Words), cfg.Game.Name)
	return ac
}

// openAudit opens (creating if needed) the audit file for appending. A
// file root creates in a directory another user owns (the service's log
// directory) is given to that user, so the service can still open it.
func openAudit(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := giveToDirOwner(f, path); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// giveToDirOwner chowns f, at path, to the owner of its directory when
// this process runs as root, f belongs to root and the directory does
// not: a file root just made in another user's directory.
func giveToDirOwner(f *os.File, path string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	di, err := os.Stat(filepath.Dir(path))
	if err != nil {
		return err
	}
	fst, ok1 := fi.Sys().(*syscall.Stat_t)
	dst, ok2 := di.Sys().(*syscall.Stat_t)
	if !ok1 || !ok2 || fst.Uid != 0 || dst.Uid == 0 {
		return nil
	}
	if err := f.Chown(int(dst.Uid), int(dst.Gid)); err != nil {
		return fmt.Errorf("give %s to the owner of its directory (uid %d): %w", path, dst.Uid, err)
	}
	return nil
}

// DescribeStore names the database cfg points at, without opening it and
// without a password: "sqlite:/var/lib/drawbridge/drawbridge.db" or
// "postgres://drawbridge@db.internal:5432/drawbridge".
func DescribeStore(cfg Config) (string, error) {
	if cfg.Store.PostgresURL == "" {
		p, err := filepath.Abs(cfg.SQLitePath())
		if err != nil {
			return "", err
		}
		return "sqlite:" + p, nil
	}
	return postgres.Describe(cfg.Store.PostgresURL)
}

// ErrPostgresBackup is BackupStore's answer for a PostgreSQL store: back
// it up with pg_dump.
var ErrPostgresBackup = errors.New("the accounts are in PostgreSQL: back them up with pg_dump")

// BackupStore writes a consistent copy of the SQLite database to dst
// (which must not exist) while the gateway runs, and returns the
// database's description. On PostgreSQL it returns ErrPostgresBackup
// with the pg_dump command to use.
func BackupStore(ctx context.Context, cfg Config, dst string) (string, error) {
	desc, err := DescribeStore(cfg)
	if err != nil {
		return "", fmt.Errorf("store.postgres_url: %w", err)
	}
	if cfg.Store.PostgresURL != "" {
		return desc, fmt.Errorf("%w, e.g. pg_dump --format=custom --file=%s '%s' (give the password as PGPASSWORD or in ~/.pgpass)",
			ErrPostgresBackup, dst, desc)
	}
	db, err := sqlite.OpenExisting(ctx, cfg.SQLitePath(), nil)
	if err != nil {
		return desc, err
	}
	defer db.Close()
	return desc, db.Backup(ctx, dst)
}

// openStore opens SQLite or PostgreSQL; existing: see OpenExistingAccounts.
func (a *Accounts) openStore(ctx context.Context, cfg Config, log *slog.Logger, existing bool) error {
	st := cfg.Store
	if st.PostgresURL == "" {
		open := sqlite.Open
		if existing {
			open = sqlite.OpenExisting
		}
		db, err := open(ctx, cfg.SQLitePath(), log)
		if err != nil {
			return err
		}
		if existing {
			if err := checkVersion(ctx, db); err != nil {
				db.Close()
				return err
			}
		}
		a.store, a.close, a.desc = db, db.Close, "sqlite:"+db.Path()
		return nil
	}
	dsn, err := postgresDSN(st.PostgresURL, st.PostgresPasswordFile)
	if err != nil {
		return err
	}
	db, err := postgres.Open(ctx, postgres.Config{
		URL:              dsn,
		MaxConns:         int32(st.PostgresMaxConns),
		StatementTimeout: st.PostgresStatementTimeout,
		Logger:           log,
		Existing:         existing,
	})
	if err != nil {
		return err
	}
	a.store, a.pg, a.desc = db, db, db.String()
	a.close = func() error { db.Close(); return nil }
	return nil
}

// checkVersion refuses a database whose schema is not the one this binary
// uses: the gateway migrates at start (keeping a copy), not a command.
func checkVersion(ctx context.Context, db *sqlite.DB) error {
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("database %s: %w", db.Path(), err)
	}
	switch want := sqlite.SupportedSchemaVersion(); {
	case v > want:
		return fmt.Errorf("database %s: %w: it is at version %d, this drawbridge knows up to %d; use the newer drawbridge",
			db.Path(), sqlite.ErrSchemaTooNew, v, want)
	case v == 0:
		return fmt.Errorf("database %s has no drawbridge schema: the gateway sets it up when it first starts (drawbridge serve)", db.Path())
	case v < want:
		return fmt.Errorf("database %s is at schema version %d, this drawbridge uses %d: restart the gateway with this drawbridge first (it upgrades the database, keeping a copy as %s)",
			db.Path(), v, want, sqlite.PreMigrationPath(db.Path(), v))
	}
	return nil
}

// postgresDSN adds the password from passwordFile to the configured URL
// or key=value string.
func postgresDSN(dsn, passwordFile string) (string, error) {
	pw, err := readSecret("store.postgres_password_file", passwordFile)
	if err != nil || pw == nil {
		return dsn, err
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("store.postgres_url: not a valid URL")
		}
		u.User = url.UserPassword(u.User.Username(), string(pw))
		return u.String(), nil
	}
	// key=value: a quoted value with ' and \ escaped, as libpq reads it.
	q := strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(string(pw))
	return dsn + " password='" + q + "'", nil
}

// String names the database for logs, without a password:
// "sqlite:/var/lib/drawbridge/drawbridge.db" or
// "postgres://drawbridge@db.internal:5432/drawbridge".
func (a *Accounts) String() string { return a.desc }

// Cluster reports whether the accounts live in a database several
// gateway nodes share.
func (a *Accounts) Cluster() bool { return a.pg != nil }

// Run does the account service's background work until ctx ends: the
// periodic sweep (on PostgreSQL, on one node of the cluster at a time)
// and, on PostgreSQL, listening for the other nodes' revocations.
func (a *Accounts) Run(ctx context.Context, log *slog.Logger) error {
	if a.pg == nil {
		return a.Service.Run(ctx)
	}
	done := make(chan error, 1)
	go func() { done <- a.relay.Run(ctx) }()
	err := cluster.Singleton(ctx, a.pg, "drawbridge/account-sweep", sweepLockRetry, log, func(ctx context.Context) error {
		a.sweeper.Store(true)
		defer a.sweeper.Store(false)
		return a.Service.Run(ctx)
	})
	if rerr := <-done; err == nil {
		err = rerr
	}
	return err
}

// Close closes the database and the audit file.
func (a *Accounts) Close() error {
	err := a.close()
	if a.audit != nil {
		a.audit.Close()
	}
	return err
}
