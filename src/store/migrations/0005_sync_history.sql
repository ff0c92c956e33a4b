-- Every sync, kept: when, how long, full or incremental, what it did, and how it ended
-- (an error, or no end at all when the process was killed).
CREATE TABLE sync_runs (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    started_at  INTEGER NOT NULL,
    duration_ms INTEGER,
    full        INTEGER NOT NULL,
    added       INTEGER NOT NULL DEFAULT 0,
    changed     INTEGER NOT NULL DEFAULT 0,
    removed     INTEGER NOT NULL DEFAULT 0,
    pages       INTEGER NOT NULL DEFAULT 0,
    error       TEXT
);
CREATE INDEX sync_runs_by_account ON sync_runs (account_id, started_at);
-- Which weigh-ins a sync touched, with the weight before and after (exact pairs), written
-- in the same transaction as the change itself. A first download is not itemised.
CREATE TABLE sync_changes (
    run_id     INTEGER NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
    grpid      INTEGER NOT NULL,
    date       INTEGER NOT NULL,
    change     TEXT    NOT NULL,
    old_value  INTEGER,
    old_unit   INTEGER,
    new_value  INTEGER,
    new_unit   INTEGER
);
CREATE INDEX sync_changes_by_run ON sync_changes (run_id);
