-- Issue 11: the indexes of lines all grow at one end on a night's COPY.
--
-- A night's lines come in sale_id order (sql/store/compute_allocation.go).
-- lines_run_participant_unique (0010) was keyed by run, then participant:
-- each of a night's lines went to a random place among the night's
-- entries, and at a million sales (2.2 million lines, an index bigger
-- than the server's buffers) that index was most of what the COPY of the
-- lines cost beyond the heap: 38 s for the COPY with the three indexes of
-- 0010, 31 s with these, measured side by side on the same lines.
--
-- Uniqueness is unchanged: one line per run, sale, participant, role,
-- contract and kind, now keyed sale first (the name is kept: it is what
-- it guarantees). It also serves every read of a sale's lines (reversals,
-- reruns, the tax checks, the verification), which lines_sale did.
-- lines_commission_once (0001) stays as it is: a commission is written
-- once per sale and position, ever.
--
-- A run's own lines are read through lines_run (run_id only: a night's
-- entries all have one key and go to its end). The participant files want
-- them in the files' order and sort them, which reads only the run's
-- pages: 2.8 s for a million-sale night's lines against 9.1 s through the
-- index of 0010, whose order sent the read all over the heap.
DROP INDEX lines_sale;
DROP INDEX lines_run_participant_unique;
CREATE UNIQUE INDEX lines_run_participant_unique
  ON lines (sale_id, participant_id, role, COALESCE(contract_id, ''), run_id, kind);
CREATE INDEX lines_run ON lines (run_id);
