-- Nothing reads measures by (account, type) alone any more (charts use measures_series), and
-- every index costs on each insert of a first sync.
DROP INDEX measures_by_type;
