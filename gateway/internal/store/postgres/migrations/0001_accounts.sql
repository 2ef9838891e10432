-- Accounts, sessions, one-time tokens, rate limits, the audit trail and
-- the ACME certificate cache.
--
-- Times are timestamptz (microsecond precision, as the Service keeps
-- them). The zero time.Time is stored as '-infinity', never NULL: it sorts
-- before every real time, as 0 does in the SQLite store, so comparisons
-- such as "expires <= now" treat it the same way there and here.
--
-- Identifiers the code compares or orders (name keys, session IDs) use
-- the "C" collation: byte order, whatever the database's locale.

CREATE TABLE users (
    -- An identity column draws from a sequence, which never hands out a
    -- value twice (not even after a rollback or a delete).
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text        NOT NULL,
    -- account.NameKey(name): what uniqueness and look-ups use.
    name_key      text        COLLATE "C" NOT NULL UNIQUE,
    role          text        NOT NULL CHECK (role IN ('player', 'builder', 'admin', 'superuser')),
    guest         boolean     NOT NULL DEFAULT false,
    disabled      boolean     NOT NULL DEFAULT false,
    password_hash text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    last_login    timestamptz NOT NULL DEFAULT '-infinity'
);

CREATE INDEX users_role ON users (role);
CREATE INDEX users_guest_created ON users (guest, created_at);

CREATE TABLE sessions (
    -- hex SHA-256 of the token; the token itself is never stored.
    id         text        COLLATE "C" PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    last_seen  timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    addr       text        NOT NULL DEFAULT '',
    user_agent text        NOT NULL DEFAULT ''
);

CREATE INDEX sessions_user ON sessions (user_id, created_at, id);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_last_seen ON sessions (last_seen);

CREATE TABLE tokens (
    hash       text        PRIMARY KEY,
    purpose    text        NOT NULL,
    user_id    bigint      NOT NULL DEFAULT 0,
    expires_at timestamptz NOT NULL
);

CREATE INDEX tokens_purpose_user ON tokens (purpose, user_id);

-- A row with every column at its default is the zero state: UpdateLimit
-- inserts one to have a row to lock, and deletes it if it stays zero.
CREATE TABLE limits (
    key          text        PRIMARY KEY,
    count        integer     NOT NULL DEFAULT 0,
    window_start timestamptz NOT NULL DEFAULT '-infinity',
    failures     integer     NOT NULL DEFAULT 0,
    last_failure timestamptz NOT NULL DEFAULT '-infinity',
    next_at      timestamptz NOT NULL DEFAULT '-infinity',
    locked_until timestamptz NOT NULL DEFAULT '-infinity',
    expires      timestamptz NOT NULL DEFAULT '-infinity'
);

CREATE INDEX limits_expires ON limits (expires);

-- No foreign keys: the trail outlives the accounts it mentions.
CREATE TABLE events (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL,
    type       text        NOT NULL,
    user_id    bigint      NOT NULL DEFAULT 0,
    name       text        NOT NULL DEFAULT '',
    actor_id   bigint      NOT NULL DEFAULT 0,
    actor      text        NOT NULL DEFAULT '',
    addr       text        NOT NULL DEFAULT '',
    session_id text        NOT NULL DEFAULT '',
    detail     text        NOT NULL DEFAULT ''
);

CREATE INDEX events_at ON events (at);
CREATE INDEX events_user ON events (user_id);
CREATE INDEX events_actor ON events (actor_id);
CREATE INDEX events_type ON events (type);

-- The ACME (Let's Encrypt) certificate cache shared by the gateway nodes:
-- account keys, certificates and their keys, by autocert's cache key.
-- namespace separates caches, e.g. one per ACME directory.
CREATE TABLE acme_cache (
    namespace  text        NOT NULL,
    key        text        NOT NULL,
    data       bytea       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (namespace, key)
);
