package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/drawbridge/drawbridge/e2e/pgserver"
	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/drawbridge/drawbridge/gateway/internal/store/postgres"
	"github.com/drawbridge/drawbridge/gateway/internal/store/sqlite"
)

// pg is the PostgreSQL server the benchmarks share, started by the first
// one that needs it. It is durable (fsync and synchronous_commit on), as
// the SQLite store is (synchronous=FULL): each commit waits for the disk
// in both, so the write-heavy Login compares like with like.
var pg = pgserver.Shared{Options: pgserver.Options{Durable: true}}

func TestMain(m *testing.M) { os.Exit(pg.Run(m)) }

const password = "correct horse battery staple"

// backend opens an empty store for a test or benchmark, closed when it
// ends.
type backend struct {
	name string
	open func(tb testing.TB) account.Store
}

var backends = []backend{
	{"sqlite", func(tb testing.TB) account.Store {
		db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "accounts.db"), nil)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { db.Close() })
		return db
	}},
	{"postgres", func(tb testing.TB) account.Store {
		db, err := postgres.Open(context.Background(), postgres.Config{URL: pg.Server(tb).NewDatabase(tb)})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(db.Close)
		return db
	}},
}

// newService is the account Service on st as the gateway runs it, but
// with the address rate limits off (a benchmark logs in from one address
// far faster than a person) and with hash as the Argon2id cost.
func newService(b *testing.B, st account.Store, hash account.HashParams) *account.Service {
	svc, err := account.New(account.Config{
		Store:               st,
		Hash:                hash,
		MaxConcurrentHashes: 4,
		Limits: account.Limits{
			LoginPerAddr:    account.Rate{N: -1},
			RegisterPerAddr: account.Rate{N: -1},
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	return svc
}

// register creates an account and returns its first session's token.
func register(b *testing.B, svc *account.Service, name string) string {
	g, err := svc.Register(context.Background(), account.RegisterRequest{
		Client: account.Client{Addr: "192.0.2.1:5555"}, Name: name, Password: password})
	if err != nil {
		b.Fatal(err)
	}
	return g.Token
}

// BenchmarkAuthenticate measures validating a session cookie, what every
// page and every bridge does: a session read and an account read (and,
// once a minute per session, a write of LastSeen).
func BenchmarkAuthenticate(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			svc := newService(b, be.open(b), account.MinHashParams())
			token := register(b, svc, "Alice")
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := svc.Authenticate(ctx, token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAuthenticateParallel is BenchmarkAuthenticate from GOMAXPROCS
// goroutines at once, each with an account and session of its own: SQLite reads in
// parallel from its pool of 4 readers, PostgreSQL from its pool of 10
// connections.
func BenchmarkAuthenticateParallel(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			svc := newService(b, be.open(b), account.MinHashParams())
			// A user and session for each goroutine, made beforehand:
			// concurrent logins of one name are throttled.
			tokens := make(chan string, runtime.GOMAXPROCS(0))
			for i := range cap(tokens) {
				tokens <- register(b, svc, fmt.Sprintf("Player%d", i))
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(p *testing.PB) {
				token := <-tokens
				for p.Next() {
					if _, _, err := svc.Authenticate(ctx, token); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkLogin measures a successful login: the lockout state's
// read-modify-write twice, the account read, one Argon2id verification,
// the LastLogin write, the session insert (with the per-account cap
// evicting the oldest once there are 10) and two audit events.
//
// It uses account.MinHashParams (OWASP's floor, 19 MiB, t=2), the
// cheapest hash the Service allows, so the hash weighs as little as it
// can. It still costs tens of milliseconds, far more than the store's
// part, which shows as the difference between the two sub-benchmarks;
// BenchmarkLoginDefaultHash is the same with the gateway's default cost.
func BenchmarkLogin(b *testing.B) {
	benchmarkLogin(b, account.MinHashParams())
}

// BenchmarkLoginDefaultHash is BenchmarkLogin with the default hash
// parameters, as a gateway runs it.
func BenchmarkLoginDefaultHash(b *testing.B) {
	benchmarkLogin(b, account.DefaultHashParams())
}

func benchmarkLogin(b *testing.B, hash account.HashParams) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			svc := newService(b, be.open(b), hash)
			register(b, svc, "Alice")
			ctx := context.Background()
			req := account.LoginRequest{Client: account.Client{Addr: "192.0.2.1:5555"}, Name: "alice", Password: password}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := svc.Login(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
