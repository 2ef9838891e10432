-- Accounts, sessions, one-time tokens, rate limits and the audit trail.
-- Times are Unix microseconds (UTC); 0 is the zero time.

CREATE TABLE users (
    -- AUTOINCREMENT: an ID is never reused, even after a delete.
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT    NOT NULL,
    -- account.NameKey(name): what uniqueness and look-ups use.
    name_key      TEXT    NOT NULL UNIQUE,
    role          TEXT    NOT NULL CHECK (role IN ('player', 'builder', 'admin', 'superuser')),
    guest         INTEGER NOT NULL DEFAULT 0 CHECK (guest IN (0, 1)),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    password_hash TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    last_login    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX users_role ON users (role);
CREATE INDEX users_guest_created ON users (guest, created_at);

CREATE TABLE sessions (
    -- hex SHA-256 of the token; the token itself is never stored.
    id         TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    addr       TEXT    NOT NULL DEFAULT '',
    user_agent TEXT    NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;

CREATE INDEX sessions_user ON sessions (user_id, created_at, id);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_last_seen ON sessions (last_seen);

CREATE TABLE tokens (
    hash       TEXT    PRIMARY KEY,
    purpose    TEXT    NOT NULL,
    user_id    INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX tokens_purpose_user ON tokens (purpose, user_id);

CREATE TABLE limits (
    key          TEXT    PRIMARY KEY,
    count        INTEGER NOT NULL DEFAULT 0,
    window_start INTEGER NOT NULL DEFAULT 0,
    failures     INTEGER NOT NULL DEFAULT 0,
    last_failure INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0,
    expires      INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

CREATE INDEX limits_expires ON limits (expires);

-- No foreign keys: the trail outlives the accounts it mentions.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    type       TEXT    NOT NULL,
    user_id    INTEGER NOT NULL DEFAULT 0,
    name       TEXT    NOT NULL DEFAULT '',
    actor_id   INTEGER NOT NULL DEFAULT 0,
    actor      TEXT    NOT NULL DEFAULT '',
    addr       TEXT    NOT NULL DEFAULT '',
    session_id TEXT    NOT NULL DEFAULT '',
    detail     TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX events_at ON events (at);
CREATE INDEX events_user ON events (user_id);
CREATE INDEX events_actor ON events (actor_id);
CREATE INDEX events_type ON events (type);
