package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
	"github.com/jackc/pgx/v5"
)

const sessionCols = "id, user_id, created_at, last_seen, expires_at, addr, user_agent"

func scanSession(r pgx.Row) (account.Session, error) {
	var s account.Session
	if err := r.Scan(&s.ID, &s.UserID, tsDest{&s.CreatedAt}, tsDest{&s.LastSeen}, tsDest{&s.ExpiresAt},
		&s.Addr, &s.UserAgent); err != nil {
		return s, notFound(err)
	}
	return s, nil
}

func scanSessions(rows pgx.Rows, err error) ([]account.Session, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (account.Session, error) { return scanSession(r) })
}

// CreateSession implements account.SessionStore. It locks the account's
// row first, so concurrent logins of one account count each other's
// sessions against max (and a concurrent DeleteUser waits or wins).
func (db *DB) CreateSession(ctx context.Context, s account.Session, max int) ([]string, error) {
	var evicted []string
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE", s.UserID).Scan(&one); err != nil {
			return notFound(err)
		}
		_, err := tx.Exec(ctx, "INSERT INTO sessions ("+sessionCols+") VALUES ($1, $2, $3, $4, $5, $6, $7)",
			s.ID, s.UserID, ts(s.CreatedAt), ts(s.LastSeen), ts(s.ExpiresAt), s.Addr, s.UserAgent)
		if pgCode(err) == codeForeignKeyViolation {
			return account.ErrNotFound
		} else if err != nil {
			return err
		}
		if max <= 0 {
			return nil
		}
		evicted, err = queryStrings(ctx, tx, `DELETE FROM sessions WHERE id IN (
			SELECT id FROM sessions WHERE user_id = $1
			ORDER BY created_at DESC, id DESC OFFSET $2) RETURNING id`, s.UserID, max)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create session for user %d: %w", s.UserID, unavailable(err))
	}
	return evicted, nil
}

// Session implements account.SessionStore.
func (db *DB) Session(ctx context.Context, id string) (account.Session, error) {
	s, err := scanSession(db.pool.QueryRow(ctx, "SELECT "+sessionCols+" FROM sessions WHERE id = $1", id))
	if err != nil {
		return s, fmt.Errorf("session: %w", unavailable(err))
	}
	return s, nil
}

// TouchSession implements account.SessionStore.
func (db *DB) TouchSession(ctx context.Context, id string, lastSeen time.Time) error {
	tag, err := db.pool.Exec(ctx, "UPDATE sessions SET last_seen = $1 WHERE id = $2", ts(lastSeen), id)
	if err != nil {
		return fmt.Errorf("touch session: %w", unavailable(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("touch session: %w", account.ErrNotFound)
	}
	return nil
}

// ListSessions implements account.SessionStore.
func (db *DB) ListSessions(ctx context.Context, userID int64) ([]account.Session, error) {
	out, err := scanSessions(db.pool.Query(ctx,
		"SELECT "+sessionCols+" FROM sessions WHERE user_id = $1 ORDER BY created_at, id", userID))
	if err != nil {
		return nil, fmt.Errorf("list sessions of user %d: %w", userID, unavailable(err))
	}
	return out, nil
}

// DeleteSession implements account.SessionStore.
func (db *DB) DeleteSession(ctx context.Context, id string) (account.Session, error) {
	s, err := scanSession(db.pool.QueryRow(ctx, "DELETE FROM sessions WHERE id = $1 RETURNING "+sessionCols, id))
	if err != nil {
		return s, fmt.Errorf("delete session: %w", unavailable(err))
	}
	return s, nil
}

// DeleteUserSessions implements account.SessionStore.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64, keep string) ([]string, error) {
	ids, err := queryStrings(ctx, db.pool, "DELETE FROM sessions WHERE user_id = $1 AND id <> $2 RETURNING id", userID, keep)
	if err != nil {
		return nil, fmt.Errorf("delete sessions of user %d: %w", userID, unavailable(err))
	}
	return ids, nil
}

// DeleteExpiredSessions implements account.SessionStore.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now, idleBefore time.Time) ([]account.Session, error) {
	out, err := scanSessions(db.pool.Query(ctx,
		"DELETE FROM sessions WHERE expires_at <= $1 OR last_seen <= $2 RETURNING "+sessionCols,
		ts(now), ts(idleBefore)))
	if err != nil {
		return nil, fmt.Errorf("delete expired sessions: %w", unavailable(err))
	}
	return out, nil
}
