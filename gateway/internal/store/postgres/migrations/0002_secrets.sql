-- The gateway's own secrets, such as the key that signs device tokens
-- (account.SecretStore): shared by every node, kept across restarts.
CREATE TABLE secrets (
    name       text        PRIMARY KEY,
    value      bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Failed logins since an account's last login are counted from the
-- trail (account.EventStore.CountEvents), by account, type and time.
CREATE INDEX events_user_type_at ON events (user_id, type, at);
