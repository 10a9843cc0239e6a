-- Issue 11: the workbook's backlog by kind and age follows the night.
--
-- Every run keeps the open backlog by kind, blocking, currency and age
-- (run_backlog, SPEC 7). It grouped every open discrepancy (0.12 s on
-- night 30 of 50,000 sales, with 200,000 open; the seeded marketplace
-- never answers its tax findings, and a year of them is millions).
--
-- discrepancy_backlog_ledger keeps the counts as the database changes
-- them: every statement that writes discrepancies appends, per kind,
-- blocking, currency and opening run, how many open discrepancies it
-- added (+) or took away (-). A discrepancy refreshed without a change of
-- these (most of a night's findings) appends nothing; one opened, resolved
-- or re-opened appends to its group. A night appends some hundreds of
-- rows, and the run sums them by group, then by age. Rows are only
-- appended, so nothing waits for a lock on a counter.
CREATE TABLE discrepancy_backlog_ledger (
  kind       text NOT NULL,
  blocking   boolean NOT NULL,
  currency   text NOT NULL, -- '' when the kind has none
  opened_run text NOT NULL,
  n          bigint NOT NULL
);
INSERT INTO discrepancy_backlog_ledger (kind, blocking, currency, opened_run, n)
  SELECT kind, blocking, coalesce(currency, ''), opened_run, count(*) FROM discrepancies
  WHERE resolved_run IS NULL GROUP BY 1, 2, 3, 4;

CREATE FUNCTION discrepancies_backlog_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO discrepancy_backlog_ledger (kind, blocking, currency, opened_run, n)
    SELECT kind, blocking, coalesce(currency, ''), opened_run, count(*) FROM new_rows
    WHERE resolved_run IS NULL GROUP BY 1, 2, 3, 4;
  RETURN NULL;
END $$;
CREATE FUNCTION discrepancies_backlog_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO discrepancy_backlog_ledger (kind, blocking, currency, opened_run, n)
    SELECT kind, blocking, currency, opened_run, sum(n) FROM (
      SELECT kind, blocking, coalesce(currency, '') AS currency, opened_run, -1 AS n FROM old_rows WHERE resolved_run IS NULL
      UNION ALL
      SELECT kind, blocking, coalesce(currency, ''), opened_run, 1 FROM new_rows WHERE resolved_run IS NULL) d
    GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0;
  RETURN NULL;
END $$;
CREATE TRIGGER discrepancies_backlog_inserted AFTER INSERT ON discrepancies
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION discrepancies_backlog_inserted();
CREATE TRIGGER discrepancies_backlog_updated AFTER UPDATE ON discrepancies
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION discrepancies_backlog_updated();
