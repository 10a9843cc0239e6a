-- payouts schema, version 1.
--
-- Source tables mirror the load format of SPEC section 2: amounts and rates
-- are numeric, in the currency's major unit, exactly as the platform wrote
-- them. What the schema cannot check (the currency's minor digits, an
-- unknown currency) is checked by the run, which holds such a sale as
-- INVALID_SALE. Tables the worker writes keep money as bigint minor units.

CREATE DOMAIN entity_id AS text
  CHECK (VALUE ~ '^[A-Za-z0-9_-]{1,64}$');

CREATE DOMAIN currency_code AS text
  CHECK (VALUE ~ '^[A-Z]{3}$');

-- A commission rate: 0 < rate < 100 with at most four decimals.
CREATE DOMAIN share_rate AS numeric
  CHECK (VALUE > 0 AND VALUE < 100 AND VALUE = round(VALUE, 4));

CREATE TABLE participants (
  participant_id entity_id PRIMARY KEY,
  name           text NOT NULL CHECK (name <> ''),
  email          text,
  tax_id         text,
  payout_account text,
  payout_bank    text
);

CREATE TABLE products (
  product_id       entity_id PRIMARY KEY,
  name             text NOT NULL CHECK (name <> ''),
  lead_producer_id entity_id NOT NULL REFERENCES participants
);

CREATE TABLE contract_terms (
  contract_id   entity_id NOT NULL,
  version       integer NOT NULL CHECK (version > 0),
  product_id    entity_id NOT NULL REFERENCES products,
  coproducer_id entity_id NOT NULL REFERENCES participants,
  status        text NOT NULL CHECK (status IN ('accepted', 'pending', 'declined', 'cancelled')),
  rate_percent  share_rate,
  scope         text NOT NULL DEFAULT 'all' CHECK (scope IN ('all', 'affiliate', 'producer')),
  managed_only  boolean NOT NULL DEFAULT false,
  may_affiliate boolean NOT NULL DEFAULT false,
  ends_at       timestamptz,
  proposed_at   timestamptz,
  accepted_at   timestamptz,
  PRIMARY KEY (contract_id, version),
  CHECK (status = 'cancelled' OR rate_percent IS NOT NULL),
  CHECK (status NOT IN ('accepted', 'cancelled') OR accepted_at IS NOT NULL),
  CHECK (NOT managed_only OR scope = 'affiliate')
);
CREATE INDEX contract_terms_product ON contract_terms (product_id);

CREATE TABLE affiliations (
  product_id   entity_id NOT NULL REFERENCES products,
  affiliate_id entity_id NOT NULL REFERENCES participants,
  manager_id   entity_id REFERENCES participants,
  PRIMARY KEY (product_id, affiliate_id)
);

CREATE TABLE sales (
  sale_id                entity_id PRIMARY KEY,
  product_id             entity_id NOT NULL REFERENCES products,
  currency               currency_code NOT NULL,
  gross                  numeric NOT NULL CHECK (gross > 0),
  platform_fee           numeric NOT NULL CHECK (platform_fee >= 0 AND platform_fee <= gross),
  affiliate_id           entity_id REFERENCES participants,
  affiliate_rate_percent share_rate,
  buyer_tax_id           text,
  sold_at                timestamptz NOT NULL,
  settled_at             timestamptz,
  CHECK ((affiliate_id IS NULL) = (affiliate_rate_percent IS NULL))
);
CREATE INDEX sales_settled_at ON sales (settled_at);

CREATE TABLE sale_events (
  event_id    entity_id PRIMARY KEY,
  sale_id     entity_id NOT NULL REFERENCES sales,
  kind        text NOT NULL CHECK (kind IN ('refund', 'chargeback')),
  amount      numeric CHECK (amount > 0),
  occurred_at timestamptz NOT NULL,
  CHECK (kind = 'refund' OR amount IS NULL)
);
CREATE INDEX sale_events_occurred_at ON sale_events (occurred_at);
CREATE INDEX sale_events_sale ON sale_events (sale_id);

CREATE TABLE tax_records (
  invoice_id    entity_id PRIMARY KEY,
  issuer_tax_id text NOT NULL CHECK (issuer_tax_id <> ''),
  sale_id       text, -- not a foreign key: an invoice may name an unknown sale (ORPHAN_INVOICE)
  issued_at     timestamptz NOT NULL,
  amount        numeric NOT NULL CHECK (amount >= 0),
  currency      currency_code NOT NULL,
  status        text NOT NULL CHECK (status IN ('active', 'cancelled')),
  buyer_tax_id  text
);
CREATE INDEX tax_records_sale ON tax_records (sale_id);

-- ---------------------------------------------------------------------------
-- What the worker writes.

-- One row per run. A nightly run's id is derived from its date, so a run
-- that crashed is redone under the same id.
CREATE TABLE runs (
  run_id          text PRIMARY KEY CHECK (run_id ~ '^[A-Za-z0-9_-]{1,35}$'),
  business_date   date NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('nightly', 'rerun')),
  seq             integer NOT NULL DEFAULT 0 CHECK (seq >= 0),
  status          text NOT NULL CHECK (status IN ('running', 'computed', 'completed', 'failed')),
  window_end      timestamptz NOT NULL,
  params          jsonb NOT NULL,
  reason          text,
  requested_by    text,
  error           text,
  out_dir         text,
  started_at      timestamptz NOT NULL DEFAULT now(),
  computed_at     timestamptz,
  completed_at    timestamptz,
  sales_allocated integer NOT NULL DEFAULT 0,
  sales_held      integer NOT NULL DEFAULT 0,
  events_reversed integer NOT NULL DEFAULT 0,
  line_count      integer NOT NULL DEFAULT 0,
  payout_count    integer NOT NULL DEFAULT 0,
  UNIQUE (business_date, kind, seq),
  CHECK ((kind = 'nightly') = (seq = 0)),
  CHECK (kind = 'nightly' OR reason IS NOT NULL)
);

-- A sale's outcome: allocated (its commission lines are written) or closed
-- (fully refunded or charged back before it was ever paid). A sale is
-- allocated at most once, ever.
CREATE TABLE sale_outcomes (
  sale_id  entity_id PRIMARY KEY REFERENCES sales,
  run_id   text NOT NULL REFERENCES runs,
  outcome  text NOT NULL CHECK (outcome IN ('allocated', 'closed')),
  currency currency_code NOT NULL,
  gross    bigint CHECK (gross > 0),  -- NULL only for a closed sale whose amounts never parsed
  net      bigint CHECK (net >= 0 AND net <= gross),
  CHECK (outcome = 'closed' OR (gross IS NOT NULL AND net IS NOT NULL))
);
CREATE INDEX sale_outcomes_run ON sale_outcomes (run_id);

-- Every refund or chargeback a run has taken; refunded is the gross-terms
-- amount it applied (the whole remaining gross for a full one).
CREATE TABLE processed_events (
  event_id entity_id PRIMARY KEY REFERENCES sale_events,
  sale_id  entity_id NOT NULL REFERENCES sales,
  run_id   text NOT NULL REFERENCES runs,
  refunded bigint NOT NULL CHECK (refunded >= 0),
  full_reversal boolean NOT NULL
);
CREATE INDEX processed_events_sale ON processed_events (sale_id);

-- Payout lines. Sale facts are copied in so that a run's files can be
-- exported byte-identically however the source rows change later.
CREATE TABLE lines (
  run_id           text NOT NULL REFERENCES runs,
  sale_id          entity_id NOT NULL REFERENCES sales,
  participant_id   entity_id NOT NULL REFERENCES participants,
  role             text NOT NULL CHECK (role IN ('lead', 'coproducer', 'affiliate')),
  kind             text NOT NULL CHECK (kind IN ('commission', 'reversal', 'adjustment')),
  contract_id      entity_id,
  contract_version integer,
  product_id       entity_id NOT NULL,
  currency         currency_code NOT NULL,
  amount           bigint NOT NULL CHECK (amount <> 0),
  base             bigint,
  rate_percent     numeric CHECK (rate_percent > 0 AND rate_percent < 100),
  sold_at          timestamptz NOT NULL,
  settled_at       timestamptz,
  CHECK ((role = 'coproducer') = (contract_id IS NOT NULL AND contract_version IS NOT NULL)),
  CHECK (kind <> 'commission' OR amount > 0),
  FOREIGN KEY (contract_id, contract_version) REFERENCES contract_terms
);
-- One line per run, sale, participant, role, contract and kind.
CREATE UNIQUE INDEX lines_unique ON lines (run_id, sale_id, participant_id, role, COALESCE(contract_id, ''), kind);
-- A commission is written once per sale and position, ever: never paid twice.
CREATE UNIQUE INDEX lines_commission_once ON lines (sale_id, participant_id, role, COALESCE(contract_id, ''))
  WHERE kind = 'commission';
CREATE INDEX lines_run_participant ON lines (run_id, participant_id);
-- Reversals read every line of a sale.
CREATE INDEX lines_sale ON lines (sale_id);

-- Per run, participant and currency: the balance equation of SPEC 6.
CREATE TABLE balances (
  run_id          text NOT NULL REFERENCES runs,
  participant_id  entity_id NOT NULL REFERENCES participants,
  currency        currency_code NOT NULL,
  brought_forward bigint NOT NULL,
  commissions     bigint NOT NULL CHECK (commissions >= 0),
  reversals       bigint NOT NULL,
  adjustments     bigint NOT NULL,
  payout          bigint NOT NULL CHECK (payout >= 0),
  carried_forward bigint NOT NULL,
  PRIMARY KEY (run_id, participant_id, currency),
  CHECK (brought_forward + commissions + reversals + adjustments = payout + carried_forward),
  CHECK (payout = 0 OR carried_forward = 0)
);

-- The balance each participant carries into the next run.
CREATE TABLE carried_balances (
  participant_id entity_id NOT NULL REFERENCES participants,
  currency       currency_code NOT NULL,
  amount         bigint NOT NULL,
  run_id         text NOT NULL REFERENCES runs,
  PRIMARY KEY (participant_id, currency)
);

-- Payout items, with the payee's details as they were when the run paid.
CREATE TABLE payout_items (
  run_id         text NOT NULL REFERENCES runs,
  participant_id entity_id NOT NULL REFERENCES participants,
  currency       currency_code NOT NULL,
  amount         bigint NOT NULL CHECK (amount > 0),
  reference      text NOT NULL UNIQUE CHECK (length(reference) <= 35),
  name           text NOT NULL,
  payout_account text NOT NULL,
  payout_bank    text,
  PRIMARY KEY (run_id, participant_id, currency)
);

-- Sales held from payment; every run retries them.
CREATE TABLE holds (
  sale_id     entity_id PRIMARY KEY REFERENCES sales,
  kind        text NOT NULL,
  detail      text NOT NULL,
  since_run   text NOT NULL REFERENCES runs,
  last_run    text NOT NULL REFERENCES runs
);

-- Discrepancies with a stable identity and a lifecycle: opened by a run,
-- seen again by later runs while it persists, resolved by the first run
-- that no longer finds it.
CREATE TABLE discrepancies (
  discrepancy_key text PRIMARY KEY,
  kind            text NOT NULL,
  blocking        boolean NOT NULL,
  sale_id         text,
  invoice_id      text,
  participant_id  text,
  contract_id     text,
  currency        text,
  expected        text,
  actual          text,
  detail          text NOT NULL,
  opened_run      text NOT NULL REFERENCES runs,
  last_seen_run   text NOT NULL REFERENCES runs,
  resolved_run    text REFERENCES runs
);
CREATE INDEX discrepancies_open ON discrepancies (kind) WHERE resolved_run IS NULL;

-- What each run reported, as it reported it (discrepancies.csv).
CREATE TABLE run_discrepancies (
  run_id          text NOT NULL REFERENCES runs,
  discrepancy_key text NOT NULL REFERENCES discrepancies,
  kind            text NOT NULL,
  blocking        boolean NOT NULL,
  sale_id         text,
  invoice_id      text,
  participant_id  text,
  contract_id     text,
  currency        text,
  expected        text,
  actual          text,
  detail          text NOT NULL,
  PRIMARY KEY (run_id, discrepancy_key)
);

-- Published files of a run, as listed in its manifest.
CREATE TABLE run_files (
  run_id text NOT NULL REFERENCES runs,
  path   text NOT NULL,
  kind   text NOT NULL,
  bytes  bigint NOT NULL,
  sha256 text NOT NULL,
  rows   bigint NOT NULL,
  PRIMARY KEY (run_id, path)
);
