-- A note the person wrote on a weigh-in ("after the holidays", "new scale"). Apart from
-- groups, like verdicts, so that no sync changes it; an export carries it.
CREATE TABLE notes (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    grpid      INTEGER NOT NULL,
    text       TEXT NOT NULL,
    written_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, grpid)
) WITHOUT ROWID;
