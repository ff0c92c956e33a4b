-- Withings weigh-ins that stand for a weigh-in of an imported Withings export: matched to one
-- when the file was imported, or the imported copy gave way to it after a sync. Each stands
-- for one only, so a second imported weigh-in within the same minute and of the same weight
-- (a person who stepped on twice) is never taken for another copy of it.
CREATE TABLE import_twins (
    account_id INTEGER NOT NULL,
    grpid      INTEGER NOT NULL,
    PRIMARY KEY (account_id, grpid),
    FOREIGN KEY (account_id, grpid) REFERENCES groups (account_id, grpid) ON DELETE CASCADE
) WITHOUT ROWID;
