-- CNAB 240 remittances for BRL payouts (SPEC sections 2 and 13).
--
-- A participant may register a PIX key; a BRL payout to a participant with
-- a key is sent to the key. The key is validated when a run settles the
-- balance (reconcile.ValidateBRLPayee), like the payout account: a key or
-- bank data the remittance cannot carry holds the payout as
-- INVALID_PAYOUT_ACCOUNT.
ALTER TABLE participants ADD COLUMN pix_key text;

-- A payout item records the payee's key and tax id as the run saw them, so
-- that its remittance is exported again byte-identically, and a short
-- reference of at most 20 characters (CNAB "seu número", positions 74-93,
-- echoed by the bank's return file) derived from the run id and the item's
-- number in the run: unique for ever, stable when a crashed run is redone.
-- Items of runs computed before this migration have none.
ALTER TABLE payout_items
  ADD COLUMN pix_key text,
  ADD COLUMN tax_id text,
  ADD COLUMN short_ref text CHECK (short_ref ~ '^[A-Z0-9]{1,20}$');
CREATE UNIQUE INDEX payout_items_short_ref ON payout_items (short_ref);
