-- Where an unfinished first download stopped, written with each page it stored: the next
-- sync asks only for what is older than `resume_before` (Withings answers newest first) and
-- finishes with `resume_cursor`, the server time of the interrupted download's first page, so
-- nothing changed meanwhile is missed. Cleared when the download's last page is stored.
ALTER TABLE sync_state ADD COLUMN resume_cursor INTEGER;
ALTER TABLE sync_state ADD COLUMN resume_before INTEGER;
