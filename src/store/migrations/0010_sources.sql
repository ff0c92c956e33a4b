-- Where a weigh-in was read from besides the API ("Apple Health (Health Mate)", "Libra",
-- "Withings export"): an import names its file's app on the weigh-ins it adds and on those it
-- found stored already, so one record says every place it came from. Moves with a weigh-in
-- that gives way to Withings' own copy.
CREATE TABLE sources (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    grpid      INTEGER NOT NULL,
    name       TEXT NOT NULL,
    PRIMARY KEY (account_id, grpid, name)
) WITHOUT ROWID;
