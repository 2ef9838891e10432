package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
)

// PutToken implements account.TokenStore.
func (db *DB) PutToken(ctx context.Context, t account.Token) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM tokens WHERE purpose = ? AND user_id = ?", t.Purpose, t.UserID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO tokens (hash, purpose, user_id, expires_at) VALUES (?, ?, ?, ?)",
			t.Hash, t.Purpose, t.UserID, micros(t.ExpiresAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("put %s token: %w", t.Purpose, err)
	}
	return nil
}

// ConsumeToken implements account.TokenStore. One DELETE ... RETURNING:
// of two concurrent calls, only one gets the row.
func (db *DB) ConsumeToken(ctx context.Context, purpose, hash string, now time.Time) (account.Token, error) {
	t := account.Token{Purpose: purpose}
	var expires int64
	err := db.w.QueryRowContext(ctx, "DELETE FROM tokens WHERE hash = ? AND purpose = ? RETURNING hash, user_id, expires_at",
		hash, purpose).Scan(&t.Hash, &t.UserID, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return account.Token{}, fmt.Errorf("consume %s token: %w", purpose, account.ErrNotFound)
	} else if err != nil {
		return account.Token{}, fmt.Errorf("consume %s token: %w", purpose, err)
	}
	t.ExpiresAt = fromMicros(expires)
	if !t.ExpiresAt.After(now) {
		return account.Token{}, fmt.Errorf("consume %s token: expired: %w", purpose, account.ErrNotFound)
	}
	return t, nil
}
