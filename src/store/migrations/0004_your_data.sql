-- Where a group came from. 'withings': the API (sync owns it and may remove it); 'manual':
-- typed into Heft; 'import': a Withings "Download my data" file. Heft's own groups have
-- negative grpids, so they never meet a Withings one, and no sync ever touches them.
ALTER TABLE groups ADD COLUMN source TEXT NOT NULL DEFAULT 'withings';
-- A value as the person or the file wrote it ("175 lb", "88.00 kg"), beside its exact kg.
ALTER TABLE measures ADD COLUMN written TEXT;
-- The person's decision about a weigh-in: counted ("mine", include) or not (exclude, "not
-- me"). Apart from groups so that no sync, full or incremental, ever changes it.
CREATE TABLE verdicts (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    grpid      INTEGER NOT NULL,
    counted    INTEGER NOT NULL,
    reason     TEXT,
    decided_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, grpid)
) WITHOUT ROWID;
-- A household on one scale: each account's own goal (kg), display unit and colour.
ALTER TABLE accounts ADD COLUMN goal_kg REAL;
ALTER TABLE accounts ADD COLUMN unit TEXT;
ALTER TABLE accounts ADD COLUMN colour TEXT;
