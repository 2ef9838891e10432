package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/jackc/pgx/v5"
)

// PutToken implements account.TokenStore.
func (db *DB) PutToken(ctx context.Context, t account.Token) error {
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM tokens WHERE purpose = $1 AND user_id = $2", t.Purpose, t.UserID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO tokens (hash, purpose, user_id, expires_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (hash) DO UPDATE SET purpose = excluded.purpose, user_id = excluded.user_id, expires_at = excluded.expires_at`,
			t.Hash, t.Purpose, t.UserID, ts(t.ExpiresAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("put %s token: %w", t.Purpose, unavailable(err))
	}
	return nil
}

// ConsumeToken implements account.TokenStore. One DELETE ... RETURNING:
// of two concurrent calls, the second waits for the first's row lock and
// then finds the row gone.
func (db *DB) ConsumeToken(ctx context.Context, purpose, hash string, now time.Time) (account.Token, error) {
	t := account.Token{Purpose: purpose}
	err := db.pool.QueryRow(ctx, "DELETE FROM tokens WHERE hash = $1 AND purpose = $2 RETURNING hash, user_id, expires_at",
		hash, purpose).Scan(&t.Hash, &t.UserID, tsDest{&t.ExpiresAt})
	if err != nil {
		return account.Token{}, fmt.Errorf("consume %s token: %w", purpose, unavailable(notFound(err)))
	}
	if !t.ExpiresAt.After(now) {
		return account.Token{}, fmt.Errorf("consume %s token: expired: %w", purpose, account.ErrNotFound)
	}
	return t, nil
}
