-- A first download fetches several date windows at once, so what is left of it is a list of
-- date ranges rather than one date: JSON `[[from, to], ...]`, inclusive, each still to fetch.
-- `resume_before` (one range, everything up to that date) is still read from older files.
ALTER TABLE sync_state ADD COLUMN resume_left TEXT;
