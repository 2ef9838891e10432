package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
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
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Accounts{}
	if err := a.openStore(ctx, cfg, log.With("component", "store")); err != nil {
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

// openStore opens SQLite or PostgreSQL.
func (a *Accounts) openStore(ctx context.Context, cfg Config, log *slog.Logger) error {
	st := cfg.Store
	if st.PostgresURL == "" {
		db, err := sqlite.Open(ctx, cfg.SQLitePath(), log)
		if err != nil {
			return err
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
	})
	if err != nil {
		return err
	}
	a.store, a.pg, a.desc = db, db, db.String()
	a.close = func() error { db.Close(); return nil }
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
