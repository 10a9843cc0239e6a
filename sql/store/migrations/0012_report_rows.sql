-- Issue 11: a run's report rows are written without a check per row.
--
-- Every nightly run lists every open blocking discrepancy in its report
-- (run_discrepancies, run_held_sales: the workbook lists them all), so
-- what a row of these costs is paid for the whole blocking backlog every
-- night. Each row paid two foreign-key checks, each a query and a row lock
-- run by PostgreSQL's referential-integrity trigger one row at a time, and
-- the lock on the discrepancy wrote to its row: the same 17,452 open
-- blocking items took 350 ms to list with the checks and 90 ms without,
-- measured side by side.
--
-- What the foreign keys guarded is that a report names a run and a
-- discrepancy that exist. Rows are only ever written by the run itself,
-- with its own id and the keys it just upserted; runs and discrepancies
-- are never deleted by the product, and now never by anyone: the
-- statement-level guards below refuse any DELETE or TRUNCATE of them, one
-- check per statement instead of one per report row.
ALTER TABLE run_discrepancies DROP CONSTRAINT run_discrepancies_run_id_fkey;
ALTER TABLE run_discrepancies DROP CONSTRAINT run_discrepancies_discrepancy_key_fkey;
ALTER TABLE run_held_sales DROP CONSTRAINT run_held_sales_run_id_fkey;

CREATE FUNCTION kept_forever() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'foreign_key_violation';
END $$;
CREATE TRIGGER runs_kept BEFORE DELETE OR TRUNCATE ON runs
  FOR EACH STATEMENT EXECUTE FUNCTION kept_forever('runs are never deleted: their lines, payouts and reports name them');
CREATE TRIGGER discrepancies_kept BEFORE DELETE OR TRUNCATE ON discrepancies
  FOR EACH STATEMENT EXECUTE FUNCTION kept_forever('discrepancies are never deleted: the reports of the runs that found them name them');
