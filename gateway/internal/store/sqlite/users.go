package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
)

const userCols = "id, name, role, guest, disabled, password_hash, created_at, last_login"

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

func scanUser(r scanner) (account.User, error) {
	var (
		u                account.User
		role             string
		created, lastLog int64
	)
	if err := r.Scan(&u.ID, &u.Name, &role, &u.Guest, &u.Disabled, &u.PasswordHash, &created, &lastLog); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return u, account.ErrNotFound
		}
		return u, err
	}
	var err error
	if u.Role, err = account.ParseRole(role); err != nil {
		return u, fmt.Errorf("user %d: %w", u.ID, err)
	}
	u.CreatedAt, u.LastLogin = fromMicros(created), fromMicros(lastLog)
	return u, nil
}

// CreateUser implements account.UserStore.
func (db *DB) CreateUser(ctx context.Context, u account.User) (account.User, error) {
	if !u.Role.Valid() {
		return account.User{}, fmt.Errorf("create user %q: invalid role %v", u.Name, u.Role)
	}
	err := db.w.QueryRowContext(ctx, `INSERT INTO users
		(name, name_key, role, guest, disabled, password_hash, created_at, last_login)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Name, account.NameKey(u.Name), u.Role.String(), u.Guest, u.Disabled, u.PasswordHash,
		micros(u.CreatedAt), micros(u.LastLogin)).Scan(&u.ID)
	if isUnique(err) {
		return account.User{}, account.ErrNameTaken
	} else if err != nil {
		return account.User{}, fmt.Errorf("create user %q: %w", u.Name, err)
	}
	return u, nil
}

// User implements account.UserStore.
func (db *DB) User(ctx context.Context, id int64) (account.User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", id))
	if err != nil {
		return u, fmt.Errorf("user %d: %w", id, err)
	}
	return u, nil
}

// UserByName implements account.UserStore.
func (db *DB) UserByName(ctx context.Context, name string) (account.User, error) {
	key := account.NameKey(name)
	u, err := scanUser(db.r.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE name_key = ?", key))
	if err != nil {
		return u, fmt.Errorf("user %q: %w", key, err)
	}
	return u, nil
}

// UpdateUser implements account.UserStore.
func (db *DB) UpdateUser(ctx context.Context, id int64, ch account.UserUpdate) (account.User, error) {
	var (
		set  []string
		args []any
	)
	if ch.Role != nil {
		if !ch.Role.Valid() {
			return account.User{}, fmt.Errorf("update user %d: invalid role %v", id, *ch.Role)
		}
		set, args = append(set, "role = ?"), append(args, ch.Role.String())
	}
	if ch.Disabled != nil {
		set, args = append(set, "disabled = ?"), append(args, *ch.Disabled)
	}
	if ch.PasswordHash != nil {
		set, args = append(set, "password_hash = ?"), append(args, *ch.PasswordHash)
	}
	if ch.LastLogin != nil {
		set, args = append(set, "last_login = ?"), append(args, micros(*ch.LastLogin))
	}
	query, qargs := "SELECT "+userCols+" FROM users WHERE id = ?", []any{id}
	if len(set) > 0 {
		query, qargs = "UPDATE users SET "+strings.Join(set, ", ")+" WHERE id = ? RETURNING "+userCols, append(args, id)
	}
	var u account.User
	err := db.guarded(ctx, ch.Guard, func(q rowQuerier) error {
		var err error
		u, err = scanUser(q.QueryRowContext(ctx, query, qargs...))
		return err
	})
	if err != nil {
		return u, fmt.Errorf("update user %d: %w", id, err)
	}
	return u, nil
}

// guarded runs change, in a write transaction when g asks for a check
// (the write lock then keeps every other change out, this process's and
// other processes' alike, until the check is done), and refuses with
// account.ErrLastSuperuser, rolling back, what g forbids.
func (db *DB) guarded(ctx context.Context, g account.Guard, change func(rowQuerier) error) error {
	if g == account.NoGuard {
		return change(db.w)
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return guardIn(ctx, tx, g, func() error { return change(tx) })
	})
}

// guardIn runs change inside tx and refuses, with
// account.ErrLastSuperuser, what g forbids: tx's caller rolls back.
func guardIn(ctx context.Context, tx *sql.Tx, g account.Guard, change func() error) error {
	if g == account.NoGuard {
		return change()
	}
	count := func() (n int, err error) {
		err = tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE role = ? AND disabled = 0",
			account.RoleSuperuser.String()).Scan(&n)
		return n, err
	}
	before, err := count()
	if err != nil {
		return err
	}
	if err := change(); err != nil {
		return err
	}
	after, err := count()
	if err != nil {
		return err
	}
	if before > 0 && after == 0 {
		return account.ErrLastSuperuser
	}
	return nil
}

// DeleteUser implements account.UserStore.
func (db *DB) DeleteUser(ctx context.Context, id int64, g account.Guard) ([]string, error) {
	var ids []string
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		return guardIn(ctx, tx, g, func() error {
			var err error
			if ids, err = queryIDs(ctx, tx, "DELETE FROM sessions WHERE user_id = ? RETURNING id", id); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, "DELETE FROM users WHERE id = ?", id)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return account.ErrNotFound
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("delete user %d: %w", id, err)
	}
	return ids, nil
}

// queryIDs runs a query returning one text column.
func queryIDs(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// userWhere turns a query into a WHERE clause and its arguments.
func userWhere(q account.UserQuery, paged bool) (string, []any) {
	var (
		conds []string
		args  []any
	)
	if p := account.NameKey(q.NamePrefix); p != "" {
		conds, args = append(conds, "substr(name_key, 1, ?) = ?"), append(args, len([]rune(p)), p)
	}
	if q.Role != 0 {
		conds, args = append(conds, "role = ?"), append(args, q.Role.String())
	}
	if q.GuestsOnly {
		conds = append(conds, "guest = 1")
	}
	if q.NoGuests {
		conds = append(conds, "guest = 0")
	}
	if q.EnabledOnly {
		conds = append(conds, "disabled = 0")
	}
	if !q.CreatedBefore.IsZero() {
		conds, args = append(conds, "created_at < ?"), append(args, micros(q.CreatedBefore))
	}
	if paged && q.AfterID != 0 {
		conds, args = append(conds, "id > ?"), append(args, q.AfterID)
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// ListUsers implements account.UserStore.
func (db *DB) ListUsers(ctx context.Context, q account.UserQuery) ([]account.User, error) {
	where, args := userWhere(q, true)
	query := "SELECT " + userCols + " FROM users" + where + " ORDER BY id"
	if q.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, q.Limit)
	}
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []account.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// CountUsers implements account.UserStore.
func (db *DB) CountUsers(ctx context.Context, q account.UserQuery) (int, error) {
	where, args := userWhere(q, false)
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM users"+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}
