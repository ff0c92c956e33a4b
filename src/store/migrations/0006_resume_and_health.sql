-- Where an unfinished first download stopped, written with each page it stored: the next
-- sync asks only for what is older than `resume_before` (Withings answers newest first) and
-- finishes with `resume_cursor`, the server time of the interrupted download's first page, so
-- nothing changed meanwhile is missed. Cleared when the download's last page is stored.
ALTER TABLE sync_state ADD COLUMN resume_cursor INTEGER;
ALTER TABLE sync_state ADD COLUMN resume_before INTEGER;
-- For the window's connection health: the last error's code (what to do depends on it), and
-- when Withings last asked Heft to slow down and for how long.
ALTER TABLE sync_state ADD COLUMN last_error_code TEXT;
ALTER TABLE sync_state ADD COLUMN rate_limited_at INTEGER;
ALTER TABLE sync_state ADD COLUMN rate_limit_wait INTEGER;
