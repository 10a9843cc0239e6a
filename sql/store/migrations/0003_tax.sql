-- Tax-record reconciliation (SPEC section 8): checks a run must come back
-- to. Only runs write tax_checks_pending (one at a time, under the run
-- lock).
--
-- A sale is checked against its invoices by the run that allocates it.
-- When an invoice is missing but PAYOUTS_INVOICE_GRACE has not run out,
-- nothing is reported yet and the sale waits here until due_at; the first
-- run whose window ends after due_at checks it again. Open tax
-- discrepancies are re-checked by every run without this table (they are
-- listed in discrepancies).
CREATE TABLE tax_checks_pending (
  sale_id entity_id PRIMARY KEY,
  due_at  timestamptz NOT NULL
);
CREATE INDEX tax_checks_pending_due ON tax_checks_pending (due_at);

-- An invoice written, changed, cancelled or deleted after its sale was
-- checked (allocated, or closed unpaid) sends the sale back for a check by
-- the next run, whoever wrote it: `payouts load`, `import-tax-record` or
-- the platform directly. A sale not checked yet is checked when it is
-- allocated, so it is left out; so are invoices naming no known sale
-- (ORPHAN_INVOICE is checked over every invoice by every run).
--
-- Writers only ever append here and a run deletes only the requests it
-- read (those in its snapshot, for the sales it checked), so a load
-- committing while a run computes never conflicts with it: its requests
-- wait for the next run. (An invoice written while the run that allocates
-- its sale computes is seen by neither: the request needs the allocation,
-- the run needs the invoice. Loads are meant to happen between runs.)
CREATE TABLE tax_recheck_requests (
  sale_id entity_id NOT NULL
);
CREATE INDEX tax_recheck_requests_sale ON tax_recheck_requests (sale_id);

CREATE FUNCTION tax_records_recheck() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tax_recheck_requests (sale_id)
  SELECT DISTINCT n.sale_id FROM changed_tax_records n
  WHERE n.sale_id IS NOT NULL
    AND EXISTS (SELECT 1 FROM sale_outcomes o WHERE o.sale_id = n.sale_id);
  RETURN NULL;
END $$;

CREATE FUNCTION tax_records_recheck_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tax_recheck_requests (sale_id)
  SELECT c.sale_id FROM (SELECT sale_id FROM old_tax_records UNION SELECT sale_id FROM changed_tax_records) c
  WHERE c.sale_id IS NOT NULL
    AND EXISTS (SELECT 1 FROM sale_outcomes o WHERE o.sale_id = c.sale_id);
  RETURN NULL;
END $$;

-- Statement-level with transition tables: one INSERT per statement, not
-- per row, however many invoices a load writes. An UPDATE that moves an
-- invoice to another sale sends both sales.
CREATE TRIGGER tax_records_inserted AFTER INSERT ON tax_records
  REFERENCING NEW TABLE AS changed_tax_records
  FOR EACH STATEMENT EXECUTE FUNCTION tax_records_recheck();
CREATE TRIGGER tax_records_updated AFTER UPDATE ON tax_records
  REFERENCING OLD TABLE AS old_tax_records NEW TABLE AS changed_tax_records
  FOR EACH STATEMENT EXECUTE FUNCTION tax_records_recheck_update();
CREATE TRIGGER tax_records_deleted AFTER DELETE ON tax_records
  REFERENCING OLD TABLE AS changed_tax_records
  FOR EACH STATEMENT EXECUTE FUNCTION tax_records_recheck();

-- The re-check of a run reads the events it took.
CREATE INDEX processed_events_run ON processed_events (run_id);

-- The monthly tax report reads sales by settlement and invoices by issue.
CREATE INDEX tax_records_issued_at ON tax_records (issued_at);
