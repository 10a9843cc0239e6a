-- payouts schema, version 6: payout status (SPEC section 12).
--
-- A payout item is issued by the run that created it; status reports from
-- the provider or bank (payouts import-status) move it on: accepted, paid,
-- rejected, returned. The next nightly run credits every rejected or
-- returned amount back to its participant, exactly once.

ALTER TABLE payout_items ADD COLUMN state text NOT NULL DEFAULT 'issued'
  CHECK (state IN ('issued', 'accepted', 'paid', 'rejected', 'returned'));
CREATE INDEX payout_items_open ON payout_items (state) WHERE state <> 'paid';

-- One row per status report file imported: the same bytes again are a no-op.
CREATE TABLE status_imports (
  import_id   bigserial PRIMARY KEY,
  file_name   text NOT NULL,
  sha256      text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  format      text NOT NULL,
  reports     integer NOT NULL CHECK (reports >= 0),
  changed     integer NOT NULL CHECK (changed >= 0),
  -- the earliest business date of the runs whose items it moved: items are
  -- expected to be confirmed (PAYOUT_UNCONFIRMED) from the earliest of
  -- these on, once status reports are imported at all
  earliest_run_date date,
  imported_at timestamptz NOT NULL DEFAULT now()
);

-- Every state change of an item, with the bank's reason, in import order.
-- Forward moves only, so an item reaches each state at most once.
CREATE TABLE payout_status_history (
  reference   text NOT NULL REFERENCES payout_items (reference),
  state       text NOT NULL CHECK (state IN ('accepted', 'paid', 'rejected', 'returned')),
  reason_code text,
  reason      text,
  occurred_at timestamptz,
  source_file text NOT NULL,
  import_id   bigint NOT NULL REFERENCES status_imports,
  seq         bigserial NOT NULL,
  PRIMARY KEY (reference, state)
);
CREATE INDEX payout_status_history_import ON payout_status_history (import_id);

-- Which run credited a rejected or returned item back to its participant:
-- the primary key makes it once, ever. The credited amount is held
-- (PAYOUT_RETURNED, balance carried forward) while the participant's payout
-- account is still the one the item was sent to; released_run is the run
-- that found the account changed and let the balance be paid again.
CREATE TABLE payout_credits (
  reference      text PRIMARY KEY REFERENCES payout_items (reference),
  run_id         text NOT NULL REFERENCES runs,
  participant_id entity_id NOT NULL REFERENCES participants,
  currency       currency_code NOT NULL,
  amount         bigint NOT NULL CHECK (amount > 0),
  released_run   text REFERENCES runs
);
CREATE INDEX payout_credits_run ON payout_credits (run_id);
CREATE INDEX payout_credits_held ON payout_credits (participant_id, currency) WHERE released_run IS NULL;

-- The balance equation gains the credited-back amounts.
ALTER TABLE balances ADD COLUMN returned bigint NOT NULL DEFAULT 0 CHECK (returned >= 0);
ALTER TABLE balances DROP CONSTRAINT balances_check;
ALTER TABLE balances ADD CONSTRAINT balances_equation
  CHECK (brought_forward + returned + commissions + reversals + adjustments = payout + carried_forward);

-- Status reports refused because they did not fit the items (unknown
-- reference, another amount or currency, a status going backwards). The
-- file changed nothing; the next nightly run reports each as a
-- PAYOUT_STATUS_MISMATCH discrepancy.
CREATE TABLE payout_status_mismatches (
  sha256       text NOT NULL,
  file_name    text NOT NULL,
  reference    text NOT NULL,
  detail       text NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  reported_run text REFERENCES runs,
  PRIMARY KEY (sha256, reference)
);

-- What the finance workbook of a run shows of the payout items, as the run
-- saw them (so an export of the run gives the same bytes whatever the bank
-- reports later). Per currency: every item ever issued by then, by state,
-- and the outstanding ones by age (days since the business date of the run
-- that issued them).
CREATE TABLE run_item_totals (
  run_id       text NOT NULL REFERENCES runs,
  currency     currency_code NOT NULL,
  issued       bigint NOT NULL,
  paid         bigint NOT NULL,
  rejected     bigint NOT NULL,
  returned     bigint NOT NULL,
  outstanding  bigint NOT NULL,
  aged_0_2     bigint NOT NULL,
  aged_3_7     bigint NOT NULL,
  aged_8_30    bigint NOT NULL,
  aged_over_30 bigint NOT NULL,
  PRIMARY KEY (run_id, currency),
  CHECK (issued = paid + rejected + returned + outstanding),
  CHECK (outstanding = aged_0_2 + aged_3_7 + aged_8_30 + aged_over_30)
);

-- The items the workbook's "Payout items" sheet lists: the run's own, every
-- item still outstanding, and the items the run credited back.
CREATE TABLE run_item_states (
  run_id      text NOT NULL REFERENCES runs,
  reference   text NOT NULL,
  state       text NOT NULL,
  reason_code text,
  reason      text,
  age_days    integer NOT NULL,
  PRIMARY KEY (run_id, reference)
);
