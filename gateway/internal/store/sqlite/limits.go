package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
)

const limitCols = "key, count, window_start, failures, last_failure, next_at, locked_until, expires"

type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func readLimit(ctx context.Context, q rowQuerier, key string) (account.Limit, error) {
	var (
		l                                       account.Limit
		window, lastFail, next, locked, expires int64
	)
	err := q.QueryRowContext(ctx, "SELECT "+limitCols+" FROM limits WHERE key = ?", key).
		Scan(&l.Key, &l.Count, &window, &l.Failures, &lastFail, &next, &locked, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return account.Limit{Key: key}, nil
	} else if err != nil {
		return l, err
	}
	l.WindowStart, l.LastFailure, l.NextAt = fromMicros(window), fromMicros(lastFail), fromMicros(next)
	l.LockedUntil, l.Expires = fromMicros(locked), fromMicros(expires)
	return l, nil
}

// Limit implements account.LimitStore.
func (db *DB) Limit(ctx context.Context, key string) (account.Limit, error) {
	l, err := readLimit(ctx, db.r, key)
	if err != nil {
		return l, fmt.Errorf("limit %s: %w", key, err)
	}
	return l, nil
}

// UpdateLimit implements account.LimitStore. fn first runs on the state
// read through a reader connection, without the write lock: if it
// changes nothing (a refusal) nothing is written and no writer waits.
// Otherwise the read, fn and the write share one IMMEDIATE transaction,
// which holds the database's write lock.
func (db *DB) UpdateLimit(ctx context.Context, key string, fn func(*account.Limit)) (account.Limit, error) {
	l, err := readLimit(ctx, db.r, key)
	if err != nil {
		return l, fmt.Errorf("update limit %s: %w", key, err)
	}
	if account.LimitUnchanged(l, fn) {
		return l, nil
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		if l, err = readLimit(ctx, tx, key); err != nil {
			return err
		}
		old := l
		fn(&l)
		l.Key = key
		switch {
		case l.Equal(old):
			return nil
		case l.IsZero():
			_, err = tx.ExecContext(ctx, "DELETE FROM limits WHERE key = ?", key)
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT OR REPLACE INTO limits ("+limitCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			key, l.Count, micros(l.WindowStart), l.Failures, micros(l.LastFailure), micros(l.NextAt),
			micros(l.LockedUntil), micros(l.Expires))
		return err
	})
	if err != nil {
		return l, fmt.Errorf("update limit %s: %w", key, err)
	}
	return l, nil
}

// DeleteLimits implements account.LimitStore.
func (db *DB) DeleteLimits(ctx context.Context, prefix string) (int, error) {
	res, err := db.w.ExecContext(ctx, "DELETE FROM limits WHERE substr(key, 1, ?) = ?", len([]rune(prefix)), prefix)
	if err != nil {
		return 0, fmt.Errorf("delete limits %s*: %w", prefix, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete limits %s*: %w", prefix, err)
	}
	return int(n), nil
}

// DeleteExpiredLimits implements account.LimitStore.
func (db *DB) DeleteExpiredLimits(ctx context.Context, now time.Time) (int, error) {
	res, err := db.w.ExecContext(ctx, "DELETE FROM limits WHERE expires <= ?", micros(now))
	if err != nil {
		return 0, fmt.Errorf("delete expired limits: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete expired limits: %w", err)
	}
	return int(n), nil
}
