-- payouts schema, version 5: hardening (issue 15).
--
-- PostgreSQL's numeric accepts 'NaN' and (since 14) '±Infinity', and
-- 'NaN' > 0 holds: the checks of version 1 let them into the source
-- tables. Money and rates are finite numbers. The constraints are added
-- NOT VALID, then validated when no row breaks them, so that a database
-- that already holds such a row still migrates (its runs hold that sale as
-- INVALID_SALE) while no new one can be written.

ALTER TABLE sales ADD CONSTRAINT sales_gross_finite
  CHECK (gross NOT IN ('NaN', 'Infinity', '-Infinity')) NOT VALID;
ALTER TABLE sales ADD CONSTRAINT sales_platform_fee_finite
  CHECK (platform_fee NOT IN ('NaN', 'Infinity', '-Infinity')) NOT VALID;
ALTER TABLE sales ADD CONSTRAINT sales_affiliate_rate_finite
  CHECK (affiliate_rate_percent NOT IN ('NaN', 'Infinity', '-Infinity')) NOT VALID;
ALTER TABLE sale_events ADD CONSTRAINT sale_events_amount_finite
  CHECK (amount NOT IN ('NaN', 'Infinity', '-Infinity')) NOT VALID;
ALTER TABLE tax_records ADD CONSTRAINT tax_records_amount_finite
  CHECK (amount NOT IN ('NaN', 'Infinity', '-Infinity')) NOT VALID;
ALTER TABLE contract_terms ADD CONSTRAINT contract_terms_rate_finite
  CHECK (rate_percent NOT IN ('NaN', 'Infinity', '-Infinity')) NOT VALID;

DO $$
DECLARE
  c record;
BEGIN
  FOR c IN SELECT conrelid::regclass AS tbl, conname FROM pg_constraint
           WHERE conname IN ('sales_gross_finite', 'sales_platform_fee_finite', 'sales_affiliate_rate_finite',
                             'sale_events_amount_finite', 'tax_records_amount_finite', 'contract_terms_rate_finite')
  LOOP
    BEGIN
      EXECUTE format('ALTER TABLE %s VALIDATE CONSTRAINT %I', c.tbl, c.conname);
    EXCEPTION WHEN check_violation THEN
      RAISE NOTICE 'payouts: % holds a row that breaks %; it stays held until corrected', c.tbl, c.conname;
    END;
  END LOOP;
END $$;

-- A refund or chargeback a run has taken is immutable (README, Decisions):
-- its lines were computed from it, so changing its amount, sale, kind or
-- time afterwards would never be acted on. A correction is a new event.
CREATE FUNCTION sale_events_processed_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  taken text;
BEGIN
  IF (NEW.event_id, NEW.sale_id, NEW.kind, NEW.amount, NEW.occurred_at)
       IS DISTINCT FROM (OLD.event_id, OLD.sale_id, OLD.kind, OLD.amount, OLD.occurred_at) THEN
    SELECT run_id INTO taken FROM processed_events WHERE event_id = OLD.event_id;
    IF FOUND THEN
      RAISE EXCEPTION 'event % was reversed by run %: it cannot change; a correction is a new event', OLD.event_id, taken
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER sale_events_processed_immutable BEFORE UPDATE ON sale_events
  FOR EACH ROW EXECUTE FUNCTION sale_events_processed_immutable();
