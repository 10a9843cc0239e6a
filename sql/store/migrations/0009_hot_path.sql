-- The hot path of a big night: writing the run's lines.
--
-- At 1,000,000 sales a night a run writes about 2,250,000 lines. Each line
-- paid for four foreign-key checks (run, sale, participant, contract
-- version: a query and a row lock per row, run by PostgreSQL's
-- referential-integrity triggers one row at a time) and four indexes.
-- The foreign keys of lines are implied by what the run's verification
-- (sql/store/verify.go) checks before every commit, set-based, over the
-- run's own lines: every line names a sale with an outcome (whose row
-- sale_outcomes' foreign key keeps), a participant with a balance of the
-- run (whose row balances' foreign key keeps) and an existing contract
-- version; tests corrupt each on purpose. The facts a line shows are
-- copied into it (and the workbook's into run_contract_terms), so a
-- contract version deleted later changes no published file.
ALTER TABLE lines DROP CONSTRAINT lines_run_id_fkey;
ALTER TABLE lines DROP CONSTRAINT lines_sale_id_fkey;
ALTER TABLE lines DROP CONSTRAINT lines_participant_id_fkey;
ALTER TABLE lines DROP CONSTRAINT lines_contract_id_contract_version_fkey;

-- One index for two: uniqueness per run, sale, participant, role,
-- contract and kind, and the participant files' reads (a run's lines by
-- participant, then sale).
DROP INDEX lines_unique;
DROP INDEX lines_run_participant;
CREATE UNIQUE INDEX lines_run_participant_unique
  ON lines (run_id, participant_id, sale_id, role, COALESCE(contract_id, ''), kind);

-- Sale outcomes, one per sale of the night: the same per-row checks (a
-- COPY of 500,000 outcomes took 5.8 s without its two foreign keys and
-- 28.7 s with them, measured side by side). That an outcome names an
-- existing sale is verified with the run's lines; that a decided sale is
-- never deleted (its lines and files name it) is this statement-level
-- guard, one check per DELETE statement instead of one per outcome.
ALTER TABLE sale_outcomes DROP CONSTRAINT sale_outcomes_sale_id_fkey;
ALTER TABLE sale_outcomes DROP CONSTRAINT sale_outcomes_run_id_fkey;

CREATE FUNCTION sales_deletion_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  decided record;
BEGIN
  SELECT o.sale_id, o.run_id INTO decided FROM old_sales d JOIN sale_outcomes o ON o.sale_id = d.sale_id LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'sale % was % by run %: a decided sale cannot be deleted', decided.sale_id,
      (SELECT outcome FROM sale_outcomes WHERE sale_id = decided.sale_id), decided.run_id
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER sales_deletion_guard AFTER DELETE ON sales
  REFERENCING OLD TABLE AS old_sales
  FOR EACH STATEMENT EXECUTE FUNCTION sales_deletion_guard();
