-- A year of nights: a night's cost follows that night's data, not history.
--
-- Until this migration every run looked again at everything still open:
-- every held sale was retried, every sale with an open tax discrepancy
-- re-checked, every invoice and participant re-checked, and every open
-- discrepancy listed again in discrepancies.csv. The rules are
-- deterministic, so a check whose inputs did not change gives the same
-- answer: a run now looks only at what changed since it was last looked
-- at. Changes are recorded by triggers, whoever writes them (`payouts
-- load`, `import-tax-record`, or the platform directly), in append-only
-- queues that a run reads from its snapshot and deletes what it read
-- (rows a load appends while a run computes are not in its snapshot: they
-- stay for the next run, and appending never conflicts with the run).

-- Sales a nightly run must consider for allocation: every sale written or
-- changed while it has no outcome, and held sales whose inputs changed
-- (contract terms, affiliations or the product of their product, their
-- invoices). A run consumes the rows of the sales settled before its
-- window's end; sales not settled yet stay queued until they are.
CREATE TABLE sale_queue (
  sale_id text NOT NULL
);
CREATE INDEX sale_queue_sale ON sale_queue (sale_id);
INSERT INTO sale_queue (sale_id)
  SELECT s.sale_id FROM sales s WHERE NOT EXISTS (SELECT 1 FROM sale_outcomes o WHERE o.sale_id = s.sale_id);

-- Refunds and chargebacks a run must take: every event written or changed
-- that no run has taken. A run consumes the rows of the events it took
-- (and of events gone); an event waiting for its sale's allocation (a
-- partial refund of a sale not paid yet) stays queued until then.
CREATE TABLE event_queue (
  event_id text NOT NULL
);
CREATE INDEX event_queue_event ON event_queue (event_id);
INSERT INTO event_queue (event_id)
  SELECT e.event_id FROM sale_events e WHERE NOT EXISTS (SELECT 1 FROM processed_events p WHERE p.event_id = e.event_id);

CREATE FUNCTION sale_events_queue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_queue (event_id) SELECT event_id FROM changed_rows;
  RETURN NULL;
END $$;
CREATE TRIGGER sale_events_inserted AFTER INSERT ON sale_events
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION sale_events_queue();
CREATE TRIGGER sale_events_updated AFTER UPDATE ON sale_events
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION sale_events_queue();

-- The policy a sale was held under (PAYOUTS_MAX_COPRODUCER_SHARE, the tax
-- blocking settings...): a run with another policy retries every held
-- sale, since the same data may now be decided otherwise. Rows from
-- before this migration have none, so the first run retries them all.
ALTER TABLE holds ADD COLUMN policy text;

-- Invoices and participants whose tax ids or links a run must check
-- again (ORPHAN_INVOICE and INVALID_TAX_ID over the whole tables were
-- re-checked by every run before).
CREATE TABLE invoice_queue (
  invoice_id text NOT NULL
);
CREATE INDEX invoice_queue_invoice ON invoice_queue (invoice_id);
INSERT INTO invoice_queue (invoice_id) SELECT invoice_id FROM tax_records;

CREATE TABLE participant_queue (
  participant_id text NOT NULL
);
CREATE INDEX participant_queue_participant ON participant_queue (participant_id);
INSERT INTO participant_queue (participant_id) SELECT participant_id FROM participants;

-- Before this migration the open tax discrepancies were re-checked by
-- every run; from now on only when their inputs change. Queue them once
-- so that the first run after the upgrade sees them as before.
INSERT INTO tax_recheck_requests (sale_id)
  SELECT DISTINCT sale_id FROM discrepancies
  WHERE resolved_run IS NULL AND sale_id IS NOT NULL
    AND kind IN ('MISSING_INVOICE', 'DUPLICATE_INVOICE', 'AMOUNT_MISMATCH', 'CURRENCY_MISMATCH', 'ISSUER_MISMATCH',
                 'INVOICE_ON_REVERSED_SALE', 'ORPHAN_INVOICE', 'INVALID_TAX_ID')
    AND EXISTS (SELECT 1 FROM sale_outcomes o WHERE o.sale_id = discrepancies.sale_id);

-- Sales: a new or changed sale without an outcome is queued for
-- allocation; a changed sale with one is queued for a tax re-check (its
-- gross, currency, buyer or product are tax inputs). Statement-level with
-- transition tables: one INSERT per statement, however many rows a load
-- writes.
CREATE FUNCTION sales_queue_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sale_queue (sale_id) SELECT n.sale_id FROM new_sales n;
  RETURN NULL;
END $$;

CREATE FUNCTION sales_queue_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sale_queue (sale_id)
    SELECT n.sale_id FROM new_sales n WHERE NOT EXISTS (SELECT 1 FROM sale_outcomes o WHERE o.sale_id = n.sale_id);
  INSERT INTO tax_recheck_requests (sale_id)
    SELECT n.sale_id FROM new_sales n WHERE EXISTS (SELECT 1 FROM sale_outcomes o WHERE o.sale_id = n.sale_id);
  RETURN NULL;
END $$;

CREATE TRIGGER sales_inserted AFTER INSERT ON sales
  REFERENCING NEW TABLE AS new_sales
  FOR EACH STATEMENT EXECUTE FUNCTION sales_queue_inserted();
CREATE FUNCTION sales_queue_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sale_queue (sale_id) SELECT o.sale_id FROM old_sales o;
  RETURN NULL;
END $$;
CREATE TRIGGER sales_deleted AFTER DELETE ON sales
  REFERENCING OLD TABLE AS old_sales
  FOR EACH STATEMENT EXECUTE FUNCTION sales_queue_deleted();
CREATE TRIGGER sales_updated AFTER UPDATE ON sales
  REFERENCING NEW TABLE AS new_sales
  FOR EACH STATEMENT EXECUTE FUNCTION sales_queue_updated();

-- The terms of a product (its contracts, affiliations, lead producer):
-- its held sales are retried, and when the lead producer changes, its
-- sales with an open tax discrepancy are checked again.
CREATE FUNCTION product_inputs_changed(products text[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO sale_queue (sale_id)
    SELECT h.sale_id FROM holds h JOIN sales s ON s.sale_id = h.sale_id WHERE s.product_id = ANY(products);
$$;

CREATE FUNCTION contract_terms_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM product_inputs_changed(ARRAY(SELECT DISTINCT product_id FROM changed_rows));
  RETURN NULL;
END $$;

CREATE TRIGGER contract_terms_inserted AFTER INSERT ON contract_terms
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION contract_terms_changed();
CREATE TRIGGER contract_terms_updated AFTER UPDATE ON contract_terms
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION contract_terms_changed();
CREATE TRIGGER contract_terms_deleted AFTER DELETE ON contract_terms
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION contract_terms_changed();
CREATE TRIGGER affiliations_inserted AFTER INSERT ON affiliations
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION contract_terms_changed();
CREATE TRIGGER affiliations_updated AFTER UPDATE ON affiliations
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION contract_terms_changed();
CREATE TRIGGER affiliations_deleted AFTER DELETE ON affiliations
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION contract_terms_changed();

CREATE FUNCTION products_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM product_inputs_changed(ARRAY(SELECT DISTINCT product_id FROM changed_rows));
  INSERT INTO tax_recheck_requests (sale_id)
    SELECT DISTINCT d.sale_id FROM discrepancies d JOIN sales s ON s.sale_id = d.sale_id
    WHERE d.resolved_run IS NULL AND s.product_id IN (SELECT product_id FROM changed_rows)
      AND EXISTS (SELECT 1 FROM sale_outcomes o WHERE o.sale_id = d.sale_id);
  RETURN NULL;
END $$;
CREATE TRIGGER products_updated AFTER UPDATE ON products
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION products_changed();

-- Participants: a new or changed participant's tax id is checked again;
-- a lead producer's changed tax id sends its sales with an open tax
-- discrepancy back for a check (ISSUER_MISMATCH depends on it).
CREATE FUNCTION participants_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO participant_queue (participant_id) SELECT participant_id FROM changed_rows;
  RETURN NULL;
END $$;
CREATE FUNCTION participants_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO participant_queue (participant_id)
    SELECT n.participant_id FROM changed_rows n JOIN old_rows o USING (participant_id)
    WHERE n.tax_id IS DISTINCT FROM o.tax_id;
  INSERT INTO tax_recheck_requests (sale_id)
    SELECT DISTINCT d.sale_id FROM discrepancies d
    JOIN sales s ON s.sale_id = d.sale_id
    JOIN products p ON p.product_id = s.product_id
    WHERE d.resolved_run IS NULL
      AND p.lead_producer_id IN (SELECT n.participant_id FROM changed_rows n JOIN old_rows o USING (participant_id)
                                 WHERE n.tax_id IS DISTINCT FROM o.tax_id)
      AND EXISTS (SELECT 1 FROM sale_outcomes x WHERE x.sale_id = d.sale_id);
  RETURN NULL;
END $$;
CREATE TRIGGER participants_inserted AFTER INSERT ON participants
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION participants_inserted();
CREATE TRIGGER participants_updated AFTER UPDATE ON participants
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION participants_updated();

-- Invoices: besides the re-check of their sales (migration 0003), every
-- written, changed or deleted invoice is checked again on its own
-- (ORPHAN_INVOICE), and a held sale whose invoices change is retried
-- (a tax kind may block it: PAYOUTS_TAX_BLOCKING).
-- A new invoice naming a known sale is checked with that sale, so only one
-- naming no sale, or a sale not known yet, is queued on insert (when its
-- sale arrives, the sale's check covers it).
CREATE FUNCTION tax_records_queue_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO invoice_queue (invoice_id)
    SELECT c.invoice_id FROM changed_rows c
    WHERE c.sale_id IS NULL OR NOT EXISTS (SELECT 1 FROM sales s WHERE s.sale_id = c.sale_id);
  INSERT INTO sale_queue (sale_id)
    SELECT DISTINCT c.sale_id FROM changed_rows c WHERE EXISTS (SELECT 1 FROM holds h WHERE h.sale_id = c.sale_id);
  RETURN NULL;
END $$;
CREATE FUNCTION tax_records_queue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO invoice_queue (invoice_id) SELECT invoice_id FROM changed_rows;
  INSERT INTO sale_queue (sale_id)
    SELECT DISTINCT c.sale_id FROM changed_rows c WHERE EXISTS (SELECT 1 FROM holds h WHERE h.sale_id = c.sale_id);
  RETURN NULL;
END $$;
CREATE TRIGGER tax_records_queue_inserted AFTER INSERT ON tax_records
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION tax_records_queue_insert();
CREATE TRIGGER tax_records_queue_updated AFTER UPDATE ON tax_records
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION tax_records_queue();
CREATE TRIGGER tax_records_queue_deleted AFTER DELETE ON tax_records
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION tax_records_queue();

-- A rerun changes what participants were paid on a sale: under the
-- partnership model that is what each invoices, so the sale is checked
-- again by the next run.
CREATE FUNCTION rerun_sales_recheck() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tax_recheck_requests (sale_id) SELECT sale_id FROM changed_rows;
  RETURN NULL;
END $$;
CREATE TRIGGER rerun_sales_inserted AFTER INSERT ON rerun_sales
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION rerun_sales_recheck();

-- ---------------------------------------------------------------------------
-- What a run reports (SPEC 7): discrepancies.csv lists what the run
-- opened, re-opened or resolved; the workbook adds every open blocking
-- item and the open backlog by kind and age.

-- The run that opened a discrepancy's current episode: a re-opened one is
-- opened again by the run that found it again (its age starts over).
-- A run reaches the open discrepancies through what it looked at (a sale,
-- an invoice, a participant) and lists what it resolved and the open
-- blocking items, never by scanning the open backlog.
CREATE INDEX discrepancies_open_sale ON discrepancies (sale_id) WHERE resolved_run IS NULL;
CREATE INDEX discrepancies_open_invoice ON discrepancies (invoice_id) WHERE resolved_run IS NULL AND invoice_id IS NOT NULL;
CREATE INDEX discrepancies_open_saleless_invoice ON discrepancies (invoice_id) WHERE resolved_run IS NULL AND sale_id IS NULL AND invoice_id IS NOT NULL;
CREATE INDEX discrepancies_open_participant ON discrepancies (participant_id) WHERE resolved_run IS NULL AND sale_id IS NULL;
CREATE INDEX discrepancies_open_blocking ON discrepancies (kind) WHERE resolved_run IS NULL AND blocking;
CREATE INDEX discrepancies_resolved_run ON discrepancies (resolved_run);

-- state: opened, reopened, resolved, or open (a blocking item still open,
-- listed in the workbook only). NULL for rows of runs before this
-- migration, which listed everything found or still open.
ALTER TABLE run_discrepancies ADD COLUMN state text
  CHECK (state IN ('opened', 'reopened', 'resolved', 'open'));
ALTER TABLE run_discrepancies ADD COLUMN opened_business_date date;
ALTER TABLE run_discrepancies ADD COLUMN age_days integer CHECK (age_days >= 0);

-- The open backlog after the run, by kind, blocking, currency and age.
CREATE TABLE run_backlog (
  run_id   text NOT NULL REFERENCES runs,
  kind     text NOT NULL,
  blocking boolean NOT NULL,
  currency text NOT NULL, -- '' when the kind has none
  age      text NOT NULL CHECK (age IN ('0-2', '3-7', '8-30', 'over 30')),
  count    bigint NOT NULL CHECK (count > 0),
  PRIMARY KEY (run_id, kind, blocking, currency, age)
);

-- Which report layout a run published: 1 before this migration (every
-- discrepancy found or still open, without state and age), 2 after. An
-- export of an old run keeps its old bytes.
ALTER TABLE runs ADD COLUMN report_version smallint NOT NULL DEFAULT 1;
ALTER TABLE runs ALTER COLUMN report_version SET DEFAULT 2;
