-- Reminders already said, one row per occurrence (the weigh-in a "no weigh-in for N days"
-- counts from, the consent's deadline, a failing streak's first sync), so each is said once,
-- across restarts.
CREATE TABLE reminders_said (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    occurrence INTEGER NOT NULL,
    said_at    INTEGER NOT NULL,
    PRIMARY KEY (account_id, kind, occurrence)
) WITHOUT ROWID;
