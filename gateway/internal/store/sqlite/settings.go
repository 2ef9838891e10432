package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
)

// scanSettings reads a settings row; none is the zero Settings.
func scanSettings(r scanner) (account.Settings, error) {
	var (
		st      account.Settings
		doc     string
		updated int64
	)
	if err := r.Scan(&st.Version, &doc, &updated); errors.Is(err, sql.ErrNoRows) {
		return account.Settings{}, nil
	} else if err != nil {
		return account.Settings{}, err
	}
	st.Doc, st.Updated = []byte(doc), fromMicros(updated)
	return st, nil
}

const settingsQuery = "SELECT version, doc, updated_at FROM settings WHERE user_id = ?"

// Settings implements account.SettingsStore.
func (db *DB) Settings(ctx context.Context, userID int64) (account.Settings, error) {
	st, err := scanSettings(db.r.QueryRowContext(ctx, settingsQuery, userID))
	if err != nil {
		return st, fmt.Errorf("settings of user %d: %w", userID, err)
	}
	return st, nil
}

// PutSettings implements account.SettingsStore: an insert for version 0,
// otherwise an update of the row at that version; when it changes no row,
// the current row is read in the same transaction.
func (db *DB) PutSettings(ctx context.Context, userID, version int64, doc []byte, now time.Time) (account.Settings, error) {
	var st account.Settings
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var (
			res sql.Result
			err error
		)
		if version == 0 {
			res, err = tx.ExecContext(ctx, `INSERT INTO settings (user_id, version, doc, updated_at) VALUES (?, 1, ?, ?)
				ON CONFLICT (user_id) DO NOTHING`, userID, string(doc), micros(now))
			if isForeignKey(err) {
				return account.ErrNotFound
			}
		} else {
			res, err = tx.ExecContext(ctx, "UPDATE settings SET version = version + 1, doc = ?, updated_at = ? WHERE user_id = ? AND version = ?",
				string(doc), micros(now), userID, version)
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			st = account.Settings{Version: version + 1, Updated: now, Doc: doc}
			return nil
		}
		if st, err = scanSettings(tx.QueryRowContext(ctx, settingsQuery, userID)); err != nil {
			return err
		}
		if st.Version == 0 {
			var one int
			if err := tx.QueryRowContext(ctx, "SELECT 1 FROM users WHERE id = ?", userID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return account.ErrNotFound
			} else if err != nil {
				return err
			}
		}
		return account.ErrVersionConflict
	})
	if errors.Is(err, account.ErrVersionConflict) {
		return st, fmt.Errorf("put settings of user %d at version %d: %w", userID, version, err)
	} else if err != nil {
		return account.Settings{}, fmt.Errorf("put settings of user %d: %w", userID, err)
	}
	return st, nil
}
