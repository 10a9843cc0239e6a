-- Issue 11: the participant files read a run's lines in the order of
-- SPEC 7 (participant, sale, role lead < coproducer < affiliate, contract,
-- kind commission < reversal < adjustment), ids compared byte by byte.
-- lines_run_participant_unique (0009) had the right columns in another
-- order and the database's collation, so every publication sorted the
-- run's lines, and once the run was a tenth of the table the planner
-- scanned all of history to do it (0.6 s on the first night, 2.2 s on the
-- tenth). The same index, keyed in the file's order, hands the lines over
-- sorted, reading only the run's rows. Uniqueness is unchanged: role and
-- kind have three values each (CHECK constraints of 0001), so their ranks
-- are one to one, and "C" equality is byte equality like every
-- deterministic collation's.
DROP INDEX lines_run_participant_unique;
CREATE UNIQUE INDEX lines_run_participant_unique ON lines (
  run_id,
  participant_id COLLATE "C",
  sale_id COLLATE "C",
  (CASE role WHEN 'lead' THEN 0 WHEN 'coproducer' THEN 1 ELSE 2 END),
  (COALESCE(contract_id, '') COLLATE "C"),
  (CASE kind WHEN 'commission' THEN 0 WHEN 'reversal' THEN 1 ELSE 2 END)
);
