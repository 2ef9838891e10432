package postgres

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drawbridge/drawbridge/e2e/pgserver"
	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/drawbridge/drawbridge/gateway/internal/account/accounttest"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/drawbridge/drawbridge/e2e/netport"
)

// open opens the database at url for the test and closes it after.
func open(t testing.TB, url string, mod ...func(*Config)) *DB {
	t.Helper()
	cfg := Config{URL: url}
	for _, f := range mod {
		f(&cfg)
	}
	db, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// openNew opens a new, empty database on the shared server.
func openNew(t testing.TB) *DB {
	t.Helper()
	return open(t, pg.Server(t).NewDatabase(t))
}

func TestStoreContract(t *testing.T) {
	accounttest.StoreTest(t, func(t *testing.T) account.Store { return openNew(t) })
}

// passwordOf returns the password in a URL.
func passwordOf(t testing.TB, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	if pw == "" {
		t.Fatalf("URL %s has no password", raw)
	}
	return pw
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
	u := pg.Server(t).NewDatabase(t)
	db := open(t, u)
	if v, err := db.SchemaVersion(ctx); err != nil || v != len(ms) {
		t.Errorf("SchemaVersion after migrating from empty: got %d, %v; want %d", v, err, len(ms))
	}
	alice, err := db.CreateUser(ctx, account.User{Name: "Alice", Role: account.RolePlayer, CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Reopening applies nothing and keeps the data.
	db = open(t, u)
	var rows int
	if err := db.pool.QueryRow(ctx, "SELECT COUNT(*) FROM schema_version").Scan(&rows); err != nil || rows != len(ms) {
		t.Errorf("schema_version rows after reopening: got %d, %v; want %d", rows, err, len(ms))
	}
	if got, err := db.User(ctx, alice.ID); err != nil || got.Name != "Alice" {
		t.Errorf("user after reopening: got %+v, %v", got, err)
	}
}

// TestConcurrentOpensMigrateOnce opens one new database from several
// pools at once, as nodes starting together would: all succeed, and each
// migration is applied once.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	u := pg.Server(t).NewDatabase(t)
	const nodes = 8
	var wg sync.WaitGroup
	dbs := make([]*DB, nodes)
	errs := make([]error, nodes)
	for i := range nodes {
		wg.Go(func() { dbs[i], errs[i] = Open(context.Background(), Config{URL: u, MaxConns: 2}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
		} else {
			defer dbs[i].Close()
		}
	}
	if t.Failed() {
		return
	}
	rows, err := dbs[0].pool.Query(context.Background(), "SELECT version, COUNT(*) FROM schema_version GROUP BY version ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var versions []int
	for rows.Next() {
		var v, n int
		if err := rows.Scan(&v, &n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("schema_version: version %d applied %d times, want once", v, n)
		}
		versions = append(versions, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(versions) != SupportedSchemaVersion() {
		t.Errorf("schema_version: got versions %v, want 1 to %d", versions, SupportedSchemaVersion())
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	u := pg.Server(t).NewDatabase(t)
	db := open(t, u)
	if _, err := db.pool.Exec(ctx, "INSERT INTO schema_version (version, name) VALUES (999, 'future')"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db2, err := Open(ctx, Config{URL: u})
	if err == nil {
		db2.Close()
	}
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open of a newer database: got %v, want ErrSchemaTooNew", err)
	}
	for _, want := range []string{"999", strconv.Itoa(SupportedSchemaVersion()), "newer gateway"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if strings.Contains(err.Error(), passwordOf(t, u)) {
		t.Errorf("error %q contains the password", err)
	}
}

// freeAddr returns a loopback address where nothing listens.
func freeAddr(t *testing.T) string {
	p, err := netport.Free()
	if err != nil {
		t.Fatal(err)
	}
	return "127.0.0.1:" + strconv.Itoa(p)
}

func TestOpenUnreachable(t *testing.T) {
	addr := freeAddr(t)
	const secret = "s3cret-Pa55word"
	start := time.Now()
	db, err := Open(context.Background(), Config{URL: "postgres://drawbridge:" + secret + "@" + addr + "/db", ConnectTimeout: 2 * time.Second})
	if err == nil {
		db.Close()
		t.Fatal("Open of an unreachable server: got nil error")
	}
	t.Log(err)
	if want := "cannot reach PostgreSQL at " + addr; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error %q contains the password", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Open took %v, want about ConnectTimeout at most", d)
	}
}

func TestOpenWrongPassword(t *testing.T) {
	srv := pg.Server(t)
	const secret = "Wr0ng-Pa55word"
	u := strings.Replace(srv.URL("postgres"), ":"+passwordOf(t, srv.URL("postgres"))+"@", ":"+secret+"@", 1)
	db, err := Open(context.Background(), Config{URL: u})
	if err == nil {
		db.Close()
		t.Fatal("Open with a wrong password: got nil error")
	}
	t.Log(err)
	if !strings.Contains(err.Error(), "password authentication failed") || !strings.Contains(err.Error(), srv.Addr()) {
		t.Errorf("error %q: want the address and password authentication failed", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error %q contains the password", err)
	}
}

func TestConfigErrors(t *testing.T) {
	const secret = "s3cret-Pa55word"
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no URL", Config{}, "URL is required"},
		{"bad port", Config{URL: "postgres://u:" + secret + "@127.0.0.1:notaport/db"}, "parse URL"},
		{"bad escape", Config{URL: "postgres://u:" + secret + "%zz@127.0.0.1/db"}, "parse URL"},
		{"bad keywords", Config{URL: "host=127.0.0.1 password=" + secret + " port=x"}, "parse URL"},
		{"bad sslmode", Config{URL: "postgres://u:" + secret + "@127.0.0.1/db?sslmode=sometimes"}, "parse URL"},
		{"negative MaxConns", Config{URL: "postgres://127.0.0.1/db", MaxConns: -1}, "MaxConns"},
		{"MinConns above MaxConns", Config{URL: "postgres://127.0.0.1/db", MaxConns: 2, MinConns: 3}, "MinConns"},
		{"negative ConnectTimeout", Config{URL: "postgres://127.0.0.1/db", ConnectTimeout: -time.Second}, "ConnectTimeout"},
	} {
		err := tc.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate: got %v, want an error mentioning %q", tc.name, err, tc.want)
			continue
		}
		t.Logf("%s: %v", tc.name, err)
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: error %q contains the password", tc.name, err)
		}
		db, oerr := Open(context.Background(), tc.cfg)
		if oerr == nil {
			db.Close()
			t.Errorf("%s: Open: got nil error", tc.name)
		} else if oerr.Error() != err.Error() {
			t.Errorf("%s: Open: got %v, want Validate's %v", tc.name, oerr, err)
		}
	}
	if err := (Config{URL: "postgres://127.0.0.1/db"}).Validate(); err != nil {
		t.Errorf("Validate of a good config: %v", err)
	}
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	srv := pg.Server(t)
	u := srv.NewDatabase(t)
	db := open(t, u, func(c *Config) { c.StatementTimeout = 200 * time.Millisecond })
	var st, app string
	if err := db.pool.QueryRow(ctx, "SELECT current_setting('statement_timeout'), current_setting('application_name')").Scan(&st, &app); err != nil {
		t.Fatal(err)
	}
	if st != "200ms" || app != "drawbridge" {
		t.Errorf("settings: statement_timeout %q, application_name %q; want 200ms, drawbridge", st, app)
	}
	if _, err := db.pool.Exec(ctx, "SELECT pg_sleep(5)"); pgCode(err) != "57014" {
		t.Errorf("a statement over the timeout: got %v, want query_canceled (57014)", err)
	} else if !errors.Is(unavailable(err), account.ErrUnavailable) {
		t.Errorf("a statement over the timeout is not reported as the store being unavailable: %v", err)
	}
	// Errors of the request itself are not the database being away.
	for _, err := range []error{account.ErrNotFound, context.Canceled, errors.New("invalid role")} {
		if errors.Is(unavailable(err), account.ErrUnavailable) {
			t.Errorf("unavailable(%v) matches ErrUnavailable", err)
		}
	}
	if got := db.pool.Config().MaxConns; got != DefaultMaxConns {
		t.Errorf("MaxConns: got %d, want the default %d", got, DefaultMaxConns)
	}
	if s := db.String(); strings.Contains(s, passwordOf(t, u)) || !strings.Contains(s, srv.Addr()) || db.Addr() != srv.Addr() {
		t.Errorf("String %q, Addr %q: want the address %s and no password", s, db.Addr(), srv.Addr())
	}
}

// TestZeroTimeIsMinusInfinity checks the documented storage of the zero
// time, which keeps comparisons the same as in the SQLite store.
func TestZeroTimeIsMinusInfinity(t *testing.T) {
	ctx := context.Background()
	db := openNew(t)
	u, err := db.CreateUser(ctx, account.User{Name: "Alice", Role: account.RolePlayer, CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	var inf bool
	if err := db.pool.QueryRow(ctx, "SELECT last_login = '-infinity' FROM users WHERE id = $1", u.ID).Scan(&inf); err != nil || !inf {
		t.Errorf("zero last_login stored as -infinity: got %v, %v", inf, err)
	}
}

// TestUpdateLimitTwoNodes hammers one key from two pools, as two gateway
// nodes would. Every tenth update zeroes the state, which deletes the row
// under the feet of the others.
func TestUpdateLimitTwoNodes(t *testing.T) {
	u := pg.Server(t).NewDatabase(t)
	nodes := []*DB{open(t, u), open(t, u)}
	const workers, each = 4, 26
	var wg sync.WaitGroup
	for _, db := range nodes {
		for range workers {
			wg.Go(func() {
				for range each {
					_, err := db.UpdateLimit(context.Background(), "login/name/alice", func(l *account.Limit) {
						l.Count++
						l.Expires = time.Now().Add(time.Hour)
						if l.Count == 10 {
							*l = account.Limit{}
						}
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	l, err := nodes[1].Limit(context.Background(), "login/name/alice")
	if err != nil {
		t.Fatal(err)
	}
	if want := len(nodes) * workers * each % 10; l.Count != want {
		t.Errorf("count after %d updates from two nodes: got %d, want %d", len(nodes)*workers*each, l.Count, want)
	}
}

// TestServerGoesAway stops the server under an open DB: calls fail
// quickly, and work again once it is back.
func TestServerGoesAway(t *testing.T) {
	srv := pgserver.Start(t)
	ctx := context.Background()
	db := open(t, srv.NewDatabase(t), func(c *Config) { c.ConnectTimeout = 2 * time.Second })
	if _, err := db.CreateUser(ctx, account.User{Name: "Alice", Role: account.RolePlayer, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	srv.Stop(t)
	for range 3 {
		start := time.Now()
		_, err := db.UserByName(ctx, "alice")
		if err == nil {
			t.Fatal("UserByName with the server down: got nil error")
		}
		// The service tells the player to try again later.
		if !errors.Is(err, account.ErrUnavailable) {
			t.Errorf("UserByName with the server down: %v, want it to match account.ErrUnavailable", err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("UserByName with the server down took %v, want about ConnectTimeout at most", d)
		}
	}
	if err := db.Ping(ctx); err == nil || !strings.Contains(err.Error(), srv.Addr()) {
		t.Errorf("Ping with the server down: got %v, want an error naming %s", err, srv.Addr())
	}
	srv.Restart(t)
	var err error
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, err = db.UserByName(ctx, "alice"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("UserByName after the server came back: %v", err)
	}
	for i := range 5 {
		if _, err := db.UserByName(ctx, "alice"); err != nil {
			t.Errorf("UserByName %d after recovery: %v", i, err)
		}
	}
}

func TestRedactedError(t *testing.T) {
	const secret = "p@ss w/rd:?&é"
	inner := errors.New("bad: " + secret + " " + url.QueryEscape(secret) + " " + url.PathEscape(secret) + " " +
		url.UserPassword("u", secret).String())
	err := &redactedError{msg: "open", err: inner, secret: secret}
	if strings.Contains(err.Error(), "w/rd") || strings.Contains(err.Error(), "w%2Frd") || strings.Contains(err.Error(), "rd%3A") {
		t.Errorf("redacted error %q still holds the password", err)
	}
	if !errors.Is(err, inner) {
		t.Error("redacted error does not unwrap to the original")
	}
	for _, tc := range []struct {
		in, want string
		has      bool
	}{
		{"postgres://u:" + "pw1" + "@h/db", "pw1", true},
		{"postgres://u:pw%zz@h/db", "pw%zz", true},
		{"postgres://u@h/db?password=pw2&sslmode=disable", "pw2", true},
		{"postgresql://u@h/db?sslmode=disable&password=pw2b", "pw2b", true},
		{"host=h password='pw3' port=x", "pw3", true},
		{"host=h password=pw4 port=x", "pw4", true},
		{"host=h password = pw5", "pw5", true},
		{"host=h password\t=\t'p w\\'6\\\\' port=1", "p w'6\\", true},
		{"host=h passwordx=no user=u", "", false},
		{"host=h user=u dbname=password", "", false},
		{"postgres://h/db", "", false},
		{"postgres://u@h/db", "", false},
	} {
		if got, has := Password(tc.in); got != tc.want || has != tc.has {
			t.Errorf("Password(%q): got %q, %v; want %q, %v", tc.in, got, has, tc.want, tc.has)
		}
	}
	// Whatever pgx reads from a key=value string, Password finds.
	for _, in := range []string{"host=h password = 'a b'", "password=x\\y host=h", "user=u password='it\\'s'"} {
		cfg, err := pgconn.ParseConfig(in)
		if err != nil {
			t.Fatalf("pgx cannot parse %q: %v", in, err)
		}
		if got, _ := Password(in); got != cfg.Password {
			t.Errorf("Password(%q) = %q, pgx reads %q", in, got, cfg.Password)
		}
	}
}

// TestRefusalWritesNothing: an UpdateLimit whose fn changes nothing (a
// refused login) must neither write the row nor lock it: on the shared
// database a flood of refusals from one address held one hot row under
// SELECT ... FOR UPDATE, queueing every node's pool connections behind
// it. A row's xmin changes with every write of it; a lock shows in
// pg_locks while held, so a refusal must also return with none taken.
func TestRefusalWritesNothing(t *testing.T) {
	db := open(t, pg.Server(t).NewDatabase(t))
	ctx := context.Background()
	key := "login/addr/192.0.2.1"
	if _, err := db.UpdateLimit(ctx, key, func(l *account.Limit) {
		l.Count, l.WindowStart, l.Expires = 31, time.Now(), time.Now().Add(time.Minute)
	}); err != nil {
		t.Fatal(err)
	}
	xmin := func() string {
		var x string
		if err := db.pool.QueryRow(ctx, "SELECT xmin::text FROM limits WHERE key = $1", key).Scan(&x); err != nil {
			t.Fatal(err)
		}
		return x
	}
	before := xmin()
	for range 100 {
		if _, err := db.UpdateLimit(ctx, key, func(l *account.Limit) {}); err != nil {
			t.Fatal(err)
		}
	}
	if after := xmin(); after != before {
		t.Errorf("100 refusals rewrote the row (xmin %s -> %s)", before, after)
	}
	// While another session holds the row locked (as the old FOR UPDATE
	// did), a refusal still answers: it waits for no lock.
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT 1 FROM limits WHERE key = $1 FOR UPDATE", key); err != nil {
		t.Fatal(err)
	}
	qctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := db.UpdateLimit(qctx, key, func(l *account.Limit) {}); err != nil {
		t.Errorf("a refusal while another holds the row: %v (it waited for the lock)", err)
	}
}

// Config.Existing opens a database as it is, for the operator's
// commands: an empty database gets no schema, and one at another version
// is refused, untouched.
func TestOpenExisting(t *testing.T) {
	ctx := context.Background()
	u := pg.Server(t).NewDatabase(t)
	existing := func(c *Config) { c.Existing = true }
	_, err := Open(ctx, Config{URL: u, Existing: true})
	if err == nil || !strings.Contains(err.Error(), "no drawbridge schema") || strings.Contains(err.Error(), passwordOf(t, u)) {
		t.Fatalf("Existing on an empty database: %v, want an error saying it has no schema (without the password)", err)
	}
	db := open(t, u) // as the gateway does at start
	var tables int
	db.pool.QueryRow(ctx, "SELECT COUNT(*) FROM schema_version").Scan(&tables)
	db.Close()
	if tables == 0 {
		t.Fatal("Open did not migrate")
	}
	ex := open(t, u, existing)
	if _, err := ex.pool.Exec(ctx, "INSERT INTO schema_version (version, name) VALUES (999, 'future')"); err != nil {
		t.Fatal(err)
	}
	ex.Close()
	if _, err := Open(ctx, Config{URL: u, Existing: true}); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Existing on a newer database: %v, want ErrSchemaTooNew", err)
	}
}
