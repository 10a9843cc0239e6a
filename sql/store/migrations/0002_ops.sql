-- payouts schema, version 2: reruns.
--
-- A rerun (SPEC section 9) writes one adjustment line per sale and position:
-- new - recorded. Part of that difference may correct what the position was
-- paid (its commission) and part what refunds took back from it (its
-- reversals). Later refunds split over the positions in proportion to what
-- each is entitled to, so the two parts are kept apart: reversal_part is
-- the part of an adjustment's amount that corrects the position's
-- reversals, the rest corrects its commission. It is 0 on every other line.
ALTER TABLE lines ADD COLUMN reversal_part bigint NOT NULL DEFAULT 0;
ALTER TABLE lines ADD CONSTRAINT lines_reversal_part_on_adjustments CHECK (kind = 'adjustment' OR reversal_part = 0);

-- What a rerun recomputed for each sale it adjusted, from the data as it
-- was when the rerun ran: the run's checks compare the sale's lines with
-- these figures (commission and the commission part of adjustments add up
-- to net; all lines of the sale add up to paid).
CREATE TABLE rerun_sales (
  run_id   text NOT NULL REFERENCES runs,
  sale_id  entity_id NOT NULL REFERENCES sales,
  currency currency_code NOT NULL,
  gross    bigint NOT NULL CHECK (gross > 0),
  net      bigint NOT NULL CHECK (net >= 0 AND net <= gross),
  paid     bigint NOT NULL CHECK (paid >= 0 AND paid <= net),
  PRIMARY KEY (run_id, sale_id)
);
