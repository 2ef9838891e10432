// Package schema reads a store's migrations: SQL files named
// NNNN_name.sql, numbered 1, 2, 3... without gaps, embedded in the
// binary. Each store (sqlite, postgres) keeps its own files, in its own
// dialect, and applies them its own way; this is the part they share.
package schema

import (
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// Migration is one schema step.
type Migration struct {
	// Version is the file's number: the schema's version once applied.
	Version int
	// Name is the rest of the file name, without .sql.
	Name string
	// SQL is the file's text.
	SQL string
}

// Load returns the migrations in dir of fsys, in order. A file whose
// number is not the next one (a gap, a duplicate, a name without
// NNNN_) is an error naming it.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []Migration
	for i, n := range names { // Glob sorts
		base := path.Base(n)
		num, rest, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != i+1 {
			return nil, fmt.Errorf("migration %s: want the number %04d", base, i+1)
		}
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("read migrations: %w", err)
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(rest, ".sql"), SQL: string(b)})
	}
	return out, nil
}
