package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/jackc/pgx/v5"
)

const limitCols = "key, count, window_start, failures, last_failure, next_at, locked_until, expires"

func scanLimit(r pgx.Row) (account.Limit, error) {
	var l account.Limit
	err := r.Scan(&l.Key, &l.Count, tsDest{&l.WindowStart}, &l.Failures, tsDest{&l.LastFailure},
		tsDest{&l.NextAt}, tsDest{&l.LockedUntil}, tsDest{&l.Expires})
	return l, err
}

// Limit implements account.LimitStore.
func (db *DB) Limit(ctx context.Context, key string) (account.Limit, error) {
	l, err := scanLimit(db.pool.QueryRow(ctx, "SELECT "+limitCols+" FROM limits WHERE key = $1", key))
	if errors.Is(err, pgx.ErrNoRows) {
		return account.Limit{Key: key}, nil
	} else if err != nil {
		return account.Limit{}, fmt.Errorf("limit %s: %w", key, unavailable(err))
	}
	return l, nil
}

// errRowGone is an UpdateLimit attempt that found its row deleted by
// another transaction between making sure it exists and locking it.
var errRowGone = errors.New("limit row deleted concurrently")

// maxLimitAttempts bounds UpdateLimit's retries after errRowGone, which
// needs a delete to land in a window of one round trip each time.
const maxLimitAttempts = 10

// UpdateLimit implements account.LimitStore. In one transaction it makes
// sure the key has a row (a zero one if none: INSERT ... ON CONFLICT DO
// NOTHING, which waits for a concurrent insert of the same key), locks it
// (SELECT ... FOR UPDATE), runs fn, and writes the result or deletes a
// zero one. The row lock puts concurrent updates from every node in line.
// If the row vanished between the insert and the lock (a concurrent
// update zeroed it), the transaction starts over; fn runs only once the
// lock is held, so it runs once per successful call.
func (db *DB) UpdateLimit(ctx context.Context, key string, fn func(*account.Limit)) (account.Limit, error) {
	var l account.Limit
	var err error
	for range maxLimitAttempts {
		err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO limits (key) VALUES ($1) ON CONFLICT (key) DO NOTHING", key); err != nil {
				return err
			}
			var err error
			l, err = scanLimit(tx.QueryRow(ctx, "SELECT "+limitCols+" FROM limits WHERE key = $1 FOR UPDATE", key))
			if errors.Is(err, pgx.ErrNoRows) {
				return errRowGone
			} else if err != nil {
				return err
			}
			fn(&l)
			l.Key = key
			if l.IsZero() {
				_, err = tx.Exec(ctx, "DELETE FROM limits WHERE key = $1", key)
				return err
			}
			_, err = tx.Exec(ctx, `UPDATE limits SET count = $2, window_start = $3, failures = $4, last_failure = $5,
				next_at = $6, locked_until = $7, expires = $8 WHERE key = $1`,
				key, l.Count, ts(l.WindowStart), l.Failures, ts(l.LastFailure), ts(l.NextAt), ts(l.LockedUntil), ts(l.Expires))
			return err
		})
		if !errors.Is(err, errRowGone) {
			break
		}
	}
	if err != nil {
		return account.Limit{}, fmt.Errorf("update limit %s: %w", key, unavailable(err))
	}
	return l, nil
}

// DeleteExpiredLimits implements account.LimitStore.
func (db *DB) DeleteExpiredLimits(ctx context.Context, now time.Time) (int, error) {
	tag, err := db.pool.Exec(ctx, "DELETE FROM limits WHERE expires <= $1", ts(now))
	if err != nil {
		return 0, fmt.Errorf("delete expired limits: %w", unavailable(err))
	}
	return int(tag.RowsAffected()), nil
}
