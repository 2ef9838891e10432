package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/acme/autocert"
)

// AutocertCache returns a cache for autocert.Manager kept in the
// database, so every node serves the certificates any node obtained, and
// an account key is registered once. namespace separates caches in one
// database, e.g. one per ACME directory (staging and production): keys
// of one namespace never see another's.
//
// The cache holds private keys: the database's access control and
// backups must be treated accordingly.
func (db *DB) AutocertCache(namespace string) autocert.Cache {
	return &acmeCache{db: db, ns: namespace}
}

// acmeCache is an autocert.Cache on the acme_cache table.
type acmeCache struct {
	db *DB
	ns string
}

// Get implements autocert.Cache.
func (c *acmeCache) Get(ctx context.Context, key string) ([]byte, error) {
	var data []byte
	err := c.db.pool.QueryRow(ctx, "SELECT data FROM acme_cache WHERE namespace = $1 AND key = $2", c.ns, key).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, autocert.ErrCacheMiss
	} else if err != nil {
		return nil, fmt.Errorf("acme cache get %s: %w", key, err)
	}
	return data, nil
}

// Put implements autocert.Cache.
func (c *acmeCache) Put(ctx context.Context, key string, data []byte) error {
	if data == nil {
		data = []byte{}
	}
	_, err := c.db.pool.Exec(ctx, `INSERT INTO acme_cache (namespace, key, data) VALUES ($1, $2, $3)
		ON CONFLICT (namespace, key) DO UPDATE SET data = excluded.data, updated_at = now()`, c.ns, key, data)
	if err != nil {
		return fmt.Errorf("acme cache put %s: %w", key, err)
	}
	return nil
}

// Delete implements autocert.Cache. Deleting a missing key is not an
// error.
func (c *acmeCache) Delete(ctx context.Context, key string) error {
	if _, err := c.db.pool.Exec(ctx, "DELETE FROM acme_cache WHERE namespace = $1 AND key = $2", c.ns, key); err != nil {
		return fmt.Errorf("acme cache delete %s: %w", key, err)
	}
	return nil
}
