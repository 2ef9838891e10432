package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/jackc/pgx/v5"
)

const settingsQuery = "SELECT version, doc, updated_at FROM settings WHERE user_id = $1"

// scanSettings reads a settings row; none is the zero Settings.
func scanSettings(r pgx.Row) (account.Settings, error) {
	var (
		st  account.Settings
		doc string
	)
	if err := r.Scan(&st.Version, &doc, tsDest{&st.Updated}); errors.Is(err, pgx.ErrNoRows) {
		return account.Settings{}, nil
	} else if err != nil {
		return account.Settings{}, err
	}
	st.Doc = []byte(doc)
	return st, nil
}

// Settings implements account.SettingsStore.
func (db *DB) Settings(ctx context.Context, userID int64) (account.Settings, error) {
	st, err := scanSettings(db.pool.QueryRow(ctx, settingsQuery, userID))
	if err != nil {
		return st, fmt.Errorf("settings of user %d: %w", userID, unavailable(err))
	}
	return st, nil
}

// PutSettings implements account.SettingsStore with one statement: an
// insert for version 0 (a concurrent insert of the same account waits
// for the first and then does nothing), otherwise an update of the row
// at that version (a concurrent update waits for the first's row lock,
// then finds the version changed and updates nothing). Only a refused
// put reads the row, to return it.
func (db *DB) PutSettings(ctx context.Context, userID, version int64, doc []byte, now time.Time) (account.Settings, error) {
	var (
		n   int64
		err error
	)
	if version == 0 {
		tag, e := db.pool.Exec(ctx, `INSERT INTO settings (user_id, version, doc, updated_at) VALUES ($1, 1, $2, $3)
			ON CONFLICT (user_id) DO NOTHING`, userID, string(doc), ts(now))
		n, err = tag.RowsAffected(), e
		if pgCode(err) == codeForeignKeyViolation {
			return account.Settings{}, fmt.Errorf("put settings of user %d: %w", userID, account.ErrNotFound)
		}
	} else {
		tag, e := db.pool.Exec(ctx, "UPDATE settings SET version = version + 1, doc = $2, updated_at = $3 WHERE user_id = $1 AND version = $4",
			userID, string(doc), ts(now), version)
		n, err = tag.RowsAffected(), e
	}
	if err != nil {
		return account.Settings{}, fmt.Errorf("put settings of user %d: %w", userID, unavailable(err))
	}
	if n == 1 {
		return account.Settings{Version: version + 1, Updated: now, Doc: doc}, nil
	}
	st, err := scanSettings(db.pool.QueryRow(ctx, settingsQuery, userID))
	if err != nil {
		return account.Settings{}, fmt.Errorf("put settings of user %d: %w", userID, unavailable(err))
	}
	if st.Version == 0 {
		var exists bool
		if err := db.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)", userID).Scan(&exists); err != nil {
			return account.Settings{}, fmt.Errorf("put settings of user %d: %w", userID, unavailable(err))
		}
		if !exists {
			return account.Settings{}, fmt.Errorf("put settings of user %d: %w", userID, account.ErrNotFound)
		}
	}
	return st, fmt.Errorf("put settings of user %d at version %d: %w", userID, version, account.ErrVersionConflict)
}
