package accounttest

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/account"
)

// MemStore is an account.Store in memory: a hand-written fake for tests of
// code that uses the Service (web handlers, the CLI), passing the same
// contract as the real stores. Its zero value is not usable; call
// NewMemStore.
type MemStore struct {
	mu       sync.Mutex
	nextUser int64
	nextEv   int64
	users    map[int64]account.User
	sessions map[string]account.Session
	tokens   map[string]account.Token
	limits   map[string]account.Limit
	events   []account.Event
	secrets  map[string][]byte
	settings map[int64]account.Settings
}

var _ account.Store = (*MemStore)(nil)

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{
		users:    make(map[int64]account.User),
		sessions: make(map[string]account.Session),
		tokens:   make(map[string]account.Token),
		limits:   make(map[string]account.Limit),
		secrets:  make(map[string][]byte),
		settings: make(map[int64]account.Settings),
	}
}

// CreateUser implements account.UserStore.
func (m *MemStore) CreateUser(ctx context.Context, u account.User) (account.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, o := range m.users {
		if o.Key() == u.Key() {
			return account.User{}, account.ErrNameTaken
		}
	}
	m.nextUser++
	u.ID = m.nextUser
	m.users[u.ID] = u
	return u, nil
}

// User implements account.UserStore.
func (m *MemStore) User(ctx context.Context, id int64) (account.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[id]
	if !ok {
		return account.User{}, account.ErrNotFound
	}
	return u, nil
}

// UserByName implements account.UserStore.
func (m *MemStore) UserByName(ctx context.Context, name string) (account.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := account.NameKey(name)
	for _, u := range m.users {
		if u.Key() == key {
			return u, nil
		}
	}
	return account.User{}, account.ErrNotFound
}

// UpdateUser implements account.UserStore.
func (m *MemStore) UpdateUser(ctx context.Context, id int64, ch account.UserUpdate) (account.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[id]
	if !ok {
		return account.User{}, account.ErrNotFound
	}
	before := u
	if ch.Role != nil {
		u.Role = *ch.Role
	}
	if ch.Disabled != nil {
		u.Disabled = *ch.Disabled
	}
	if ch.PasswordHash != nil {
		u.PasswordHash = *ch.PasswordHash
	}
	if ch.LastLogin != nil {
		u.LastLogin = *ch.LastLogin
	}
	if ch.Guard == account.KeepSuperuser && enabledSuperuser(before) && !enabledSuperuser(u) && m.superusersLocked() == 1 {
		return account.User{}, account.ErrLastSuperuser
	}
	m.users[id] = u
	return u, nil
}

func enabledSuperuser(u account.User) bool { return u.Role == account.RoleSuperuser && !u.Disabled }

func (m *MemStore) superusersLocked() int {
	n := 0
	for _, u := range m.users {
		if enabledSuperuser(u) {
			n++
		}
	}
	return n
}

// DeleteUser implements account.UserStore.
func (m *MemStore) DeleteUser(ctx context.Context, id int64, g account.Guard) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[id]
	if !ok {
		return nil, account.ErrNotFound
	}
	if g == account.KeepSuperuser && enabledSuperuser(u) && m.superusersLocked() == 1 {
		return nil, account.ErrLastSuperuser
	}
	delete(m.users, id)
	delete(m.settings, id)
	return m.deleteSessionsLocked(func(s account.Session) bool { return s.UserID == id }), nil
}

func matchUser(u account.User, q account.UserQuery) bool {
	switch {
	case q.NamePrefix != "" && !strings.HasPrefix(u.Key(), account.NameKey(q.NamePrefix)):
	case q.Role != 0 && u.Role != q.Role:
	case q.GuestsOnly && !u.Guest, q.NoGuests && u.Guest:
	case q.EnabledOnly && u.Disabled:
	case !q.CreatedBefore.IsZero() && !u.CreatedAt.Before(q.CreatedBefore):
	default:
		return true
	}
	return false
}

// ListUsers implements account.UserStore.
func (m *MemStore) ListUsers(ctx context.Context, q account.UserQuery) ([]account.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []account.User
	for _, u := range m.users {
		if u.ID > q.AfterID && matchUser(u, q) {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b account.User) int { return cmp.Compare(a.ID, b.ID) })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// CountUsers implements account.UserStore.
func (m *MemStore) CountUsers(ctx context.Context, q account.UserQuery) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, u := range m.users {
		if matchUser(u, q) {
			n++
		}
	}
	return n, nil
}

// CreateSession implements account.SessionStore.
func (m *MemStore) CreateSession(ctx context.Context, s account.Session, max int) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.users[s.UserID]; !ok {
		return nil, account.ErrNotFound
	}
	m.sessions[s.ID] = s
	if max <= 0 {
		return nil, nil
	}
	mine := m.userSessionsLocked(s.UserID)
	if len(mine) <= max {
		return nil, nil
	}
	var evicted []string
	for _, o := range mine[:len(mine)-max] {
		delete(m.sessions, o.ID)
		evicted = append(evicted, o.ID)
	}
	return evicted, nil
}

// userSessionsLocked returns a user's sessions, oldest first.
func (m *MemStore) userSessionsLocked(userID int64) []account.Session {
	var out []account.Session
	for _, s := range m.sessions {
		if s.UserID == userID {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b account.Session) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out
}

func (m *MemStore) deleteSessionsLocked(match func(account.Session) bool) []string {
	var ids []string
	for id, s := range m.sessions {
		if match(s) {
			delete(m.sessions, id)
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// Session implements account.SessionStore.
func (m *MemStore) Session(ctx context.Context, id string) (account.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[id]
	if !ok {
		return account.Session{}, account.ErrNotFound
	}
	return s, nil
}

// TouchSession implements account.SessionStore.
func (m *MemStore) TouchSession(ctx context.Context, id string, lastSeen time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[id]
	if !ok {
		return account.ErrNotFound
	}
	s.LastSeen = lastSeen
	m.sessions[id] = s
	return nil
}

// ListSessions implements account.SessionStore.
func (m *MemStore) ListSessions(ctx context.Context, userID int64) ([]account.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.userSessionsLocked(userID), nil
}

// DeleteSession implements account.SessionStore.
func (m *MemStore) DeleteSession(ctx context.Context, id string) (account.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[id]
	if !ok {
		return account.Session{}, account.ErrNotFound
	}
	delete(m.sessions, id)
	return s, nil
}

// DeleteUserSessions implements account.SessionStore.
func (m *MemStore) DeleteUserSessions(ctx context.Context, userID int64, keep string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.deleteSessionsLocked(func(s account.Session) bool { return s.UserID == userID && s.ID != keep }), nil
}

// DeleteExpiredSessions implements account.SessionStore.
func (m *MemStore) DeleteExpiredSessions(ctx context.Context, now, idleBefore time.Time) ([]account.Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []account.Session
	for id, s := range m.sessions {
		if !s.ExpiresAt.After(now) || !s.LastSeen.After(idleBefore) {
			delete(m.sessions, id)
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b account.Session) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// PutToken implements account.TokenStore.
func (m *MemStore) PutToken(ctx context.Context, t account.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for h, o := range m.tokens {
		if o.Purpose == t.Purpose && o.UserID == t.UserID {
			delete(m.tokens, h)
		}
	}
	m.tokens[t.Hash] = t
	return nil
}

// ConsumeToken implements account.TokenStore.
func (m *MemStore) ConsumeToken(ctx context.Context, purpose, hash string, now time.Time) (account.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[hash]
	if !ok || t.Purpose != purpose {
		return account.Token{}, account.ErrNotFound
	}
	delete(m.tokens, hash)
	if !t.ExpiresAt.After(now) {
		return account.Token{}, account.ErrNotFound
	}
	return t, nil
}

// Limit implements account.LimitStore.
func (m *MemStore) Limit(ctx context.Context, key string) (account.Limit, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.limits[key]
	if !ok {
		l = account.Limit{Key: key}
	}
	return l, nil
}

// UpdateLimit implements account.LimitStore.
func (m *MemStore) UpdateLimit(ctx context.Context, key string, fn func(*account.Limit)) (account.Limit, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.limits[key]
	if !ok {
		l = account.Limit{Key: key}
	}
	fn(&l)
	l.Key = key
	if l.IsZero() {
		delete(m.limits, key)
	} else {
		m.limits[key] = l
	}
	return l, nil
}

// DeleteLimits implements account.LimitStore.
func (m *MemStore) DeleteLimits(ctx context.Context, prefix string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for k := range m.limits {
		if strings.HasPrefix(k, prefix) {
			delete(m.limits, k)
			n++
		}
	}
	return n, nil
}

// DeleteExpiredLimits implements account.LimitStore.
func (m *MemStore) DeleteExpiredLimits(ctx context.Context, now time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for k, l := range m.limits {
		if !l.Expires.After(now) {
			delete(m.limits, k)
			n++
		}
	}
	return n, nil
}

// AppendEvent implements account.EventStore.
func (m *MemStore) AppendEvent(ctx context.Context, e account.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nextEv++
	e.ID = m.nextEv
	m.events = append(m.events, e)
	return nil
}

// ListEvents implements account.EventStore.
func (m *MemStore) ListEvents(ctx context.Context, q account.EventQuery) ([]account.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []account.Event
	for i := len(m.events) - 1; i >= 0; i-- {
		if e := m.events[i]; matchEvent(e, q) && (q.BeforeID == 0 || e.ID < q.BeforeID) {
			out = append(out, e)
		}
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out, nil
}

func matchEvent(e account.Event, q account.EventQuery) bool {
	switch {
	case q.UserID != 0 && e.UserID != q.UserID && e.ActorID != q.UserID:
	case q.Type != "" && e.Type != q.Type:
	case !q.Since.IsZero() && e.Time.Before(q.Since):
	default:
		return true
	}
	return false
}

// CountEvents implements account.EventStore.
func (m *MemStore) CountEvents(ctx context.Context, q account.EventQuery) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, e := range m.events {
		if matchEvent(e, q) {
			n++
		}
	}
	return n, nil
}

// DeleteEvents implements account.EventStore.
func (m *MemStore) DeleteEvents(ctx context.Context, before time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	kept := m.events[:0]
	for _, e := range m.events {
		if !e.Time.Before(before) {
			kept = append(kept, e)
		}
	}
	n := len(m.events) - len(kept)
	m.events = kept
	return n, nil
}

// Secret implements account.SecretStore.
func (m *MemStore) Secret(ctx context.Context, name string, fresh []byte) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.secrets[name]; ok {
		return slices.Clone(v), nil
	}
	m.secrets[name] = slices.Clone(fresh)
	return slices.Clone(fresh), nil
}

// Settings implements account.SettingsStore.
func (m *MemStore) Settings(ctx context.Context, userID int64) (account.Settings, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.settings[userID]
	st.Doc = slices.Clone(st.Doc)
	return st, nil
}

// PutSettings implements account.SettingsStore.
func (m *MemStore) PutSettings(ctx context.Context, userID, version int64, doc []byte, now time.Time) (account.Settings, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.users[userID]; !ok {
		return account.Settings{}, account.ErrNotFound
	}
	cur := m.settings[userID]
	if cur.Version != version {
		cur.Doc = slices.Clone(cur.Doc)
		return cur, account.ErrVersionConflict
	}
	st := account.Settings{Version: version + 1, Updated: now, Doc: slices.Clone(doc)}
	m.settings[userID] = st
	st.Doc = slices.Clone(doc)
	return st, nil
}
