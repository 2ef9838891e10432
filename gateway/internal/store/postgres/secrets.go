package postgres

import (
	"context"
	"fmt"
)

// Secret implements account.SecretStore. The insert waits for a
// concurrent one of the same name, so every node reads the same value.
func (db *DB) Secret(ctx context.Context, name string, fresh []byte) ([]byte, error) {
	if _, err := db.pool.Exec(ctx, "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", name, fresh); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, unavailable(err))
	}
	var v []byte
	if err := db.pool.QueryRow(ctx, "SELECT value FROM secrets WHERE name = $1", name).Scan(&v); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, unavailable(err))
	}
	return v, nil
}
