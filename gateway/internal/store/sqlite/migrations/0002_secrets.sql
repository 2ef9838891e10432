-- The gateway's own secrets, such as the key that signs device tokens
-- (account.SecretStore): kept here so that a restart keeps them.
CREATE TABLE secrets (
    name       TEXT    PRIMARY KEY,
    value      BLOB    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Failed logins since an account's last login are counted from the
-- trail (account.EventStore.CountEvents), by account, type and time.
CREATE INDEX events_user_type_at ON events (user_id, type, at);
