-- Accounts: one Withings user authorized on this computer. No secrets here: tokens live in
-- the OS keychain, keyed by (provider, userid).
CREATE TABLE accounts (
    id               INTEGER PRIMARY KEY,
    provider         TEXT    NOT NULL,
    userid           TEXT    NOT NULL,
    name             TEXT,
    scopes           TEXT,
    token_expires_at INTEGER,
    timezone         TEXT,
    demo             INTEGER NOT NULL DEFAULT 0,
    needs_reconnect  INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    UNIQUE (provider, userid)
);

-- Measure groups exactly as Withings sent them.
CREATE TABLE groups (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    grpid      INTEGER NOT NULL,
    date       INTEGER NOT NULL,
    created    INTEGER,
    modified   INTEGER,
    category   INTEGER NOT NULL,
    attrib     INTEGER NOT NULL,
    deviceid   TEXT,
    model      TEXT,
    comment    TEXT,
    PRIMARY KEY (account_id, grpid)
) WITHOUT ROWID;
CREATE INDEX groups_by_date ON groups (account_id, date);

-- Measures keyed by (account, grpid, type, position); the raw (value, unit) pair is kept.
CREATE TABLE measures (
    account_id INTEGER NOT NULL,
    grpid      INTEGER NOT NULL,
    type       INTEGER NOT NULL,
    position   INTEGER,
    value      INTEGER NOT NULL,
    unit       INTEGER NOT NULL,
    algo       INTEGER,
    fm         INTEGER,
    FOREIGN KEY (account_id, grpid) REFERENCES groups (account_id, grpid) ON DELETE CASCADE
);
CREATE UNIQUE INDEX measures_key ON measures (account_id, grpid, type, ifnull(position, -1));
CREATE INDEX measures_by_type ON measures (account_id, type);

-- Where the last successful sync of each account ended.
CREATE TABLE sync_state (
    account_id   INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    cursor       INTEGER,
    last_sync_at INTEGER,
    last_full_at INTEGER,
    last_error   TEXT
);
