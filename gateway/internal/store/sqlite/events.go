package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
)

const eventCols = "id, at, type, user_id, name, actor_id, actor, addr, session_id, detail"

// AppendEvent implements account.EventStore.
func (db *DB) AppendEvent(ctx context.Context, e account.Event) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO events
		(at, type, user_id, name, actor_id, actor, addr, session_id, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		micros(e.Time), string(e.Type), e.UserID, e.Name, e.ActorID, e.Actor, e.Addr, e.SessionID, e.Detail)
	if err != nil {
		return fmt.Errorf("append %s event: %w", e.Type, err)
	}
	return nil
}

// eventWhere turns a query into a WHERE clause and its arguments.
func eventWhere(q account.EventQuery, paged bool) (string, []any) {
	var (
		conds []string
		args  []any
	)
	if q.UserID != 0 {
		conds, args = append(conds, "(user_id = ? OR actor_id = ?)"), append(args, q.UserID, q.UserID)
	}
	if q.Type != "" {
		conds, args = append(conds, "type = ?"), append(args, string(q.Type))
	}
	if !q.Since.IsZero() {
		conds, args = append(conds, "at >= ?"), append(args, micros(q.Since))
	}
	if paged && q.BeforeID != 0 {
		conds, args = append(conds, "id < ?"), append(args, q.BeforeID)
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// CountEvents implements account.EventStore.
func (db *DB) CountEvents(ctx context.Context, q account.EventQuery) (int, error) {
	where, args := eventWhere(q, false)
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM events"+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count events: %w", err)
	}
	return n, nil
}

// ListEvents implements account.EventStore.
func (db *DB) ListEvents(ctx context.Context, q account.EventQuery) ([]account.Event, error) {
	where, args := eventWhere(q, true)
	query := "SELECT " + eventCols + " FROM events" + where + " ORDER BY id DESC"
	if q.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, q.Limit)
	}
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	var out []account.Event
	for rows.Next() {
		var (
			e  account.Event
			at int64
			t  string
		)
		if err := rows.Scan(&e.ID, &at, &t, &e.UserID, &e.Name, &e.ActorID, &e.Actor, &e.Addr, &e.SessionID, &e.Detail); err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		e.Time, e.Type = fromMicros(at), account.EventType(t)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return out, nil
}

// DeleteEvents implements account.EventStore.
func (db *DB) DeleteEvents(ctx context.Context, before time.Time) (int, error) {
	res, err := db.w.ExecContext(ctx, "DELETE FROM events WHERE at < ?", micros(before))
	if err != nil {
		return 0, fmt.Errorf("delete events: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete events: %w", err)
	}
	return int(n), nil
}
