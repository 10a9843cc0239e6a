-- Issue 11: the payout status checks follow the night, not every item
-- ever issued.
--
-- SPEC 12: every run checks, per currency, that everything ever issued =
-- paid + rejected + returned + outstanding, and that each item's state is
-- the last state of its status history. Both were one query over every
-- item and every history row (0.13 s on night 30 of 2,000 items a night;
-- a year is 730,000 items), and re-read every night what no night since
-- had touched.
--
-- payout_item_ledger keeps the sums as the database changes them: every
-- statement that writes payout_items appends, per currency and state, the
-- items and amount it added (+) or took away (-), and for inserts the
-- amount issued. Rows are only appended (no row is updated, so a status
-- import never waits for a run's lock on a totals row); a night appends a
-- few, a year some thousands, and the run sums them. Everything ever
-- issued is the sum of `issued`; what the items hold now, by state, is
-- the sum of `amount`. An item whose amount is changed, or that is
-- deleted, breaks the equality: what the old check could not see, since
-- it computed "issued" from the items as they are.
CREATE TABLE payout_item_ledger (
  currency text NOT NULL,
  state    text NOT NULL,
  items    bigint NOT NULL,
  amount   bigint NOT NULL,
  issued   bigint NOT NULL
);
INSERT INTO payout_item_ledger (currency, state, items, amount, issued)
  SELECT currency, state, count(*), sum(amount), sum(amount) FROM payout_items GROUP BY currency, state;

-- The items whose state or history changed since a run last checked them
-- (a queue like sale_queue: written by triggers, consumed by the run that
-- checked what it saw). A run checks these and its own items against
-- their history. Every item is queued once here, so the first run after
-- the upgrade checks them all, as before.
CREATE TABLE payout_status_queue (
  reference text NOT NULL
);
CREATE INDEX payout_status_queue_reference ON payout_status_queue (reference);
INSERT INTO payout_status_queue (reference) SELECT reference FROM payout_items;

CREATE FUNCTION payout_items_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO payout_item_ledger (currency, state, items, amount, issued)
    SELECT currency, state, count(*), sum(amount), sum(amount) FROM new_items GROUP BY currency, state;
  RETURN NULL;
END $$;
CREATE FUNCTION payout_items_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO payout_item_ledger (currency, state, items, amount, issued)
    SELECT currency, state, sum(n), sum(amount), 0 FROM (
      SELECT currency, state, -1 AS n, -amount AS amount FROM old_items
      UNION ALL SELECT currency, state, 1, amount FROM new_items) d
    GROUP BY currency, state HAVING sum(n) <> 0 OR sum(amount) <> 0;
  INSERT INTO payout_status_queue (reference)
    SELECT n.reference FROM new_items n
    WHERE NOT EXISTS (SELECT 1 FROM old_items o WHERE o.reference = n.reference AND o.state = n.state);
  RETURN NULL;
END $$;
CREATE FUNCTION payout_items_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO payout_item_ledger (currency, state, items, amount, issued)
    SELECT currency, state, -count(*), -sum(amount), 0 FROM old_items GROUP BY currency, state;
  RETURN NULL;
END $$;
CREATE TRIGGER payout_items_inserted AFTER INSERT ON payout_items
  REFERENCING NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION payout_items_inserted();
CREATE TRIGGER payout_items_updated AFTER UPDATE ON payout_items
  REFERENCING OLD TABLE AS old_items NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION payout_items_updated();
CREATE TRIGGER payout_items_deleted AFTER DELETE ON payout_items
  REFERENCING OLD TABLE AS old_items FOR EACH STATEMENT EXECUTE FUNCTION payout_items_deleted();
CREATE TRIGGER payout_items_truncated BEFORE TRUNCATE ON payout_items
  FOR EACH STATEMENT EXECUTE FUNCTION kept_forever('payout items are never truncated: the payout ledger counts them');

CREATE FUNCTION payout_status_history_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO payout_status_queue (reference) SELECT DISTINCT reference FROM changed_rows;
  RETURN NULL;
END $$;
CREATE TRIGGER payout_status_history_inserted AFTER INSERT ON payout_status_history
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION payout_status_history_changed();
CREATE TRIGGER payout_status_history_updated AFTER UPDATE ON payout_status_history
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION payout_status_history_changed();
CREATE TRIGGER payout_status_history_deleted AFTER DELETE ON payout_status_history
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION payout_status_history_changed();
