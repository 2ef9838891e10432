package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/drawbridge/drawbridge/gateway/internal/store/postgres"
	"github.com/drawbridge/drawbridge/gateway/internal/store/schema"
	"github.com/drawbridge/drawbridge/gateway/internal/store/sqlite"
	"github.com/jackc/pgx/v5"
)

// TestMigrationsAgree: the two stores' migrations go step for step, with
// the same numbers and names, so a schema version means the same thing
// in both.
func TestMigrationsAgree(t *testing.T) {
	steps := func(dir string) []string {
		ms, err := schema.Load(os.DirFS(dir), "migrations")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, fmt.Sprintf("%04d_%s", m.Version, m.Name))
		}
		return out
	}
	lite, pg := steps("sqlite"), steps("postgres")
	if !slices.Equal(lite, pg) {
		t.Errorf("migrations differ: sqlite %v, postgres %v", lite, pg)
	}
	if sqlite.SupportedSchemaVersion() != len(lite) || postgres.SupportedSchemaVersion() != len(pg) {
		t.Errorf("SupportedSchemaVersion: sqlite %d, postgres %d; want %d, %d",
			sqlite.SupportedSchemaVersion(), postgres.SupportedSchemaVersion(), len(lite), len(pg))
	}
}

// postgresOnly are the tables only the PostgreSQL store has: the ACME
// certificate cache that a cluster's nodes share.
var postgresOnly = []string{"acme_cache"}

// TestSchemasAgree: migrated to the end, both stores have the same
// tables with the same columns (but for postgresOnly and SQLite's own
// bookkeeping).
func TestSchemasAgree(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "accounts.db")
	db, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	lite := columns(t, func() ([][2]string, error) {
		rows, err := raw.QueryContext(ctx, `SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out [][2]string
		for rows.Next() {
			var tc [2]string
			if err := rows.Scan(&tc[0], &tc[1]); err != nil {
				return nil, err
			}
			out = append(out, tc)
		}
		return out, rows.Err()
	})

	u := pg.Server(t).NewDatabase(t)
	pdb, err := postgres.Open(ctx, postgres.Config{URL: u})
	if err != nil {
		t.Fatal(err)
	}
	pdb.Close()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	pgCols := columns(t, func() ([][2]string, error) {
		rows, err := conn.Query(ctx, `SELECT table_name::text, column_name::text FROM information_schema.columns
			WHERE table_schema = current_schema()`)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
			var tc [2]string
			err := r.Scan(&tc[0], &tc[1])
			return tc, err
		})
	})
	for _, name := range postgresOnly {
		if _, ok := pgCols[name]; !ok {
			t.Errorf("postgres has no table %s", name)
		}
		delete(pgCols, name)
	}
	for name, cols := range lite {
		if got := pgCols[name]; got != cols {
			t.Errorf("table %s: sqlite has columns %s, postgres %q", name, cols, got)
		}
	}
	for name, cols := range pgCols {
		if _, ok := lite[name]; !ok {
			t.Errorf("table %s (%s) is in postgres only", name, cols)
		}
	}
	if _, ok := lite["settings"]; !ok {
		t.Errorf("no settings table: got tables %v", lite)
	}
}

// columns runs list and returns each table's sorted column names.
func columns(t *testing.T, list func() ([][2]string, error)) map[string]string {
	t.Helper()
	tcs, err := list()
	if err != nil {
		t.Fatal(err)
	}
	byTable := map[string][]string{}
	for _, tc := range tcs {
		byTable[tc[0]] = append(byTable[tc[0]], tc[1])
	}
	out := map[string]string{}
	for name, cols := range byTable {
		slices.Sort(cols)
		out[name] = strings.Join(cols, " ")
	}
	return out
}
