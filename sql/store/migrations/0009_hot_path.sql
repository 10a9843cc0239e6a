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
