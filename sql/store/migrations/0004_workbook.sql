-- The finance workbook and the participant statements show facts that live
-- in source tables the platform may change after a run: participants'
-- names, the scope of a contract version, a held sale's product and amount.
-- Each run keeps them as its computation saw them (in its transaction), so
-- that its workbook is exported again byte-identically however those rows
-- change later. Runs computed before this migration have no rows here; their
-- workbooks read the source tables.

-- The name of every participant with a balance in the run.
CREATE TABLE run_names (
  run_id         text NOT NULL REFERENCES runs,
  participant_id entity_id NOT NULL,
  name           text NOT NULL,
  PRIMARY KEY (run_id, participant_id)
);

-- Every contract version the run's co-producer lines name.
CREATE TABLE run_contract_terms (
  run_id        text NOT NULL REFERENCES runs,
  contract_id   entity_id NOT NULL,
  version       integer NOT NULL,
  coproducer_id entity_id NOT NULL,
  product_id    entity_id NOT NULL,
  rate_percent  numeric,
  scope         text NOT NULL,
  PRIMARY KEY (run_id, contract_id, version)
);

-- The sales the run held (blocking CAP_EXCEEDED and INVALID_SALE findings),
-- as it read them: gross is the platform's decimal text, trailing zeros
-- trimmed, and may not fit its currency.
CREATE TABLE run_held_sales (
  run_id     text NOT NULL REFERENCES runs,
  sale_id    entity_id NOT NULL,
  product_id entity_id NOT NULL,
  currency   text NOT NULL,
  gross      text NOT NULL,
  PRIMARY KEY (run_id, sale_id)
);
