-- Each account's client settings (account.SettingsStore): a JSON object
-- the web client defines, kept as sent (text, not jsonb, which would
-- reorder its keys), with a version that counts the writes so that a
-- device can replace only the version it read. Deleted with the account.
CREATE TABLE settings (
    user_id    bigint      PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    version    bigint      NOT NULL CHECK (version > 0),
    doc        text        NOT NULL,
    updated_at timestamptz NOT NULL
);
