-- Each account's client settings (account.SettingsStore): a JSON object
-- the web client defines, kept as sent, with a version that counts the
-- writes so that a device can replace only the version it read. Deleted
-- with the account.
CREATE TABLE settings (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL CHECK (version > 0),
    doc        TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
