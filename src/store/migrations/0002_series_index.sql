-- Charts read one measure type of one account at a time: a covering index makes that read
-- about twice as fast on long histories (no lookup into the measures table per row).
CREATE INDEX measures_series ON measures (account_id, type, grpid, value, unit) WHERE position IS NULL;
