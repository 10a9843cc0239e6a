package store_test

import (
	"context"
	"strings"
	"testing"

	"payouts/internal/storetest"
)

// base rows every case builds on.
const baseRows = `
INSERT INTO participants (participant_id, name) VALUES ('lead1', 'Ana'), ('cop1', 'Bruno'), ('aff1', 'Eva');
INSERT INTO products (product_id, name, lead_producer_id) VALUES ('p1', 'Curso', 'lead1');
INSERT INTO contract_terms (contract_id, version, product_id, coproducer_id, status, rate_percent, accepted_at)
	VALUES ('c1', 1, 'p1', 'cop1', 'accepted', 10, '2026-01-01T00:00:00Z');
INSERT INTO sales (sale_id, product_id, currency, gross, platform_fee, sold_at, settled_at)
	VALUES ('s1', 'p1', 'BRL', 100.00, 10.00, '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z');
INSERT INTO runs (run_id, business_date, kind, status, window_end, params)
	VALUES ('nightly-20260301', '2026-03-01', 'nightly', 'computed', '2026-03-02T03:00:00Z', '{}');
`

// TestSchemaRefusesImpossibleStates: each statement breaks a rule the
// schema enforces and must fail with the named constraint or check.
func TestSchemaRefusesImpossibleStates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, sql, wantErr string
	}{
		{"id with a slash", `INSERT INTO participants (participant_id, name) VALUES ('a/b', 'x')`, "entity_id"},
		{"id with dots", `INSERT INTO participants (participant_id, name) VALUES ('..', 'x')`, "entity_id"},
		{"unknown lead producer", `INSERT INTO products VALUES ('p2', 'x', 'nobody')`, "foreign key"},
		{"rate of 100", `INSERT INTO contract_terms (contract_id, version, product_id, coproducer_id, status, rate_percent, accepted_at)
			VALUES ('c2', 1, 'p1', 'cop1', 'accepted', 100, now())`, "share_rate"},
		{"rate with five decimals", `INSERT INTO contract_terms (contract_id, version, product_id, coproducer_id, status, rate_percent, accepted_at)
			VALUES ('c2', 1, 'p1', 'cop1', 'accepted', 10.12345, now())`, "share_rate"},
		{"accepted without accepted_at", `INSERT INTO contract_terms (contract_id, version, product_id, coproducer_id, status, rate_percent)
			VALUES ('c2', 1, 'p1', 'cop1', 'accepted', 10)`, "check"},
		{"accepted without a rate", `INSERT INTO contract_terms (contract_id, version, product_id, coproducer_id, status, accepted_at)
			VALUES ('c2', 1, 'p1', 'cop1', 'accepted', now())`, "check"},
		{"managed_only outside scope affiliate", `INSERT INTO contract_terms (contract_id, version, product_id, coproducer_id, status, rate_percent, scope, managed_only, accepted_at)
			VALUES ('c2', 1, 'p1', 'cop1', 'accepted', 10, 'all', true, now())`, "check"},
		{"fee above gross", `INSERT INTO sales (sale_id, product_id, currency, gross, platform_fee, sold_at) VALUES ('s2', 'p1', 'BRL', 10, 11, now())`, "check"},
		{"zero gross", `INSERT INTO sales (sale_id, product_id, currency, gross, platform_fee, sold_at) VALUES ('s2', 'p1', 'BRL', 0, 0, now())`, "check"},
		{"affiliate without a rate", `INSERT INTO sales (sale_id, product_id, currency, gross, platform_fee, affiliate_id, sold_at) VALUES ('s2', 'p1', 'BRL', 10, 1, 'aff1', now())`, "check"},
		{"lower-case currency", `INSERT INTO sales (sale_id, product_id, currency, gross, platform_fee, sold_at) VALUES ('s2', 'p1', 'brl', 10, 1, now())`, "currency_code"},
		{"chargeback with an amount", `INSERT INTO sale_events VALUES ('e1', 's1', 'chargeback', 5, now())`, "check"},
		{"negative refund", `INSERT INTO sale_events VALUES ('e1', 's1', 'refund', -5, now())`, "check"},
		{"NaN gross", `INSERT INTO sales (sale_id, product_id, currency, gross, platform_fee, sold_at) VALUES ('s2', 'p1', 'BRL', 'NaN', 0, now())`, "sales_gross_finite"},
		{"infinite gross", `INSERT INTO sales (sale_id, product_id, currency, gross, platform_fee, sold_at) VALUES ('s2', 'p1', 'BRL', 'Infinity', 1, now())`, "sales_gross_finite"},
		{"NaN gross by update", `UPDATE sales SET gross = 'NaN', platform_fee = 'NaN' WHERE sale_id = 's1'`, "finite"},
		{"infinite fee", `INSERT INTO sales (sale_id, product_id, currency, gross, platform_fee, sold_at) VALUES ('s2', 'p1', 'BRL', 'Infinity', 'Infinity', now())`, "finite"},
		{"NaN refund", `INSERT INTO sale_events VALUES ('e1', 's1', 'refund', 'NaN', now())`, "sale_events_amount_finite"},
		{"infinite refund", `INSERT INTO sale_events VALUES ('e1', 's1', 'refund', 'Infinity', now())`, "sale_events_amount_finite"},
		{"NaN invoice", `INSERT INTO tax_records VALUES ('i1', '11144477735', 's1', now(), 'NaN', 'BRL', 'active')`, "tax_records_amount_finite"},
		{"infinite invoice", `INSERT INTO tax_records VALUES ('i1', '11144477735', 's1', now(), 'Infinity', 'BRL', 'active')`, "tax_records_amount_finite"},
		{"NaN contract rate", `UPDATE contract_terms SET rate_percent = 'NaN'`, "share_rate"},
		{"NaN affiliate rate", `INSERT INTO sales (sale_id, product_id, currency, gross, platform_fee, affiliate_id, affiliate_rate_percent, sold_at) VALUES ('s2', 'p1', 'BRL', 10, 1, 'aff1', 'NaN', now())`, "share_rate"},
		{"changing a reversed event", `INSERT INTO sale_events VALUES ('e1', 's1', 'refund', 5, now());
			INSERT INTO processed_events VALUES ('e1', 's1', 'nightly-20260301', 500, false);
			UPDATE sale_events SET amount = 6 WHERE event_id = 'e1'`, "reversed by run nightly-20260301"},
		{"zero line", `INSERT INTO lines (run_id, sale_id, participant_id, role, kind, product_id, currency, amount, sold_at)
			VALUES ('nightly-20260301', 's1', 'lead1', 'lead', 'commission', 'p1', 'BRL', 0, now())`, "check"},
		{"negative commission", `INSERT INTO lines (run_id, sale_id, participant_id, role, kind, product_id, currency, amount, sold_at)
			VALUES ('nightly-20260301', 's1', 'lead1', 'lead', 'commission', 'p1', 'BRL', -5, now())`, "check"},
		{"co-producer line without contract", `INSERT INTO lines (run_id, sale_id, participant_id, role, kind, product_id, currency, amount, sold_at)
			VALUES ('nightly-20260301', 's1', 'cop1', 'coproducer', 'commission', 'p1', 'BRL', 5, now())`, "check"},
		// A line of an unknown contract version, sale or participant is no
		// longer refused row by row (migration 0009 dropped those foreign
		// keys from the hot path): the run's verification refuses it
		// before commit (jobs/verify_test.go, "line of a ... that does not
		// exist").
		{"commission paid twice", `INSERT INTO runs (run_id, business_date, kind, status, window_end, params)
				VALUES ('nightly-20260302', '2026-03-02', 'nightly', 'computed', now(), '{}');
			INSERT INTO lines (run_id, sale_id, participant_id, role, kind, product_id, currency, amount, sold_at)
				VALUES ('nightly-20260301', 's1', 'lead1', 'lead', 'commission', 'p1', 'BRL', 5, now()),
				       ('nightly-20260302', 's1', 'lead1', 'lead', 'commission', 'p1', 'BRL', 5, now())`, "lines_commission_once"},
		{"two reversal lines for one position in a run", `INSERT INTO lines (run_id, sale_id, participant_id, role, kind, product_id, currency, amount, sold_at)
				VALUES ('nightly-20260301', 's1', 'lead1', 'lead', 'reversal', 'p1', 'BRL', -5, now()),
				       ('nightly-20260301', 's1', 'lead1', 'lead', 'reversal', 'p1', 'BRL', -1, now())`, "lines_run_participant_unique"},
		{"two nightly runs of one date", `INSERT INTO runs (run_id, business_date, kind, status, window_end, params)
			VALUES ('nightly-x', '2026-03-01', 'nightly', 'running', now(), '{}')`, "runs_business_date_kind_seq_key"},
		{"deleting a decided sale", `INSERT INTO sale_outcomes (sale_id, run_id, outcome, currency, gross, net)
				VALUES ('s1', 'nightly-20260301', 'allocated', 'BRL', 10000, 9000);
			DELETE FROM sales WHERE sale_id = 's1'`, "a decided sale cannot be deleted"},
		{"deleting a run", `DELETE FROM runs WHERE run_id = 'nightly-20260301'`, "runs are never deleted"},
		{"emptying the runs", `TRUNCATE runs CASCADE`, "runs are never deleted"},
		{"deleting a discrepancy", `INSERT INTO discrepancies (discrepancy_key, kind, blocking, detail, opened_run, last_seen_run)
				VALUES ('k1', 'CAP_EXCEEDED', true, 'd', 'nightly-20260301', 'nightly-20260301');
			DELETE FROM discrepancies WHERE discrepancy_key = 'k1'`, "discrepancies are never deleted"},
		{"rerun without a reason", `INSERT INTO runs (run_id, business_date, kind, seq, status, window_end, params)
			VALUES ('rerun-20260301-1', '2026-03-01', 'rerun', 1, 'running', now(), '{}')`, "check"},
		{"balance that does not add up", `INSERT INTO balances VALUES ('nightly-20260301', 'lead1', 'BRL', 0, 100, 0, 0, 60, 30)`, "check"},
		{"payout and carry at once", `INSERT INTO balances VALUES ('nightly-20260301', 'lead1', 'BRL', 0, 100, 0, 0, 60, 40)`, "check"},
		{"payout item of zero", `INSERT INTO payout_items VALUES ('nightly-20260301', 'lead1', 'BRL', 0, 'ref1', 'Ana', 'acc')`, "check"},
		{"duplicate payout reference", `INSERT INTO payout_items VALUES ('nightly-20260301', 'lead1', 'BRL', 5, 'ref1', 'Ana', 'acc'), ('nightly-20260301', 'cop1', 'BRL', 5, 'ref1', 'Bruno', 'acc')`, "payout_items_reference_key"},
		{"payout reference longer than 35", `INSERT INTO payout_items VALUES ('nightly-20260301', 'lead1', 'BRL', 5, repeat('x', 36), 'Ana', 'acc')`, "check"},
		{"duplicate short reference", `INSERT INTO payout_items (run_id, participant_id, currency, amount, reference, name, payout_account, short_ref)
			VALUES ('nightly-20260301', 'lead1', 'BRL', 5, 'ref1', 'Ana', 'acc', 'N2026030100000000001'),
			       ('nightly-20260301', 'cop1', 'BRL', 5, 'ref2', 'Bruno', 'acc', 'N2026030100000000001')`, "payout_items_short_ref"},
		{"short reference longer than 20", `INSERT INTO payout_items (run_id, participant_id, currency, amount, reference, name, payout_account, short_ref)
			VALUES ('nightly-20260301', 'lead1', 'BRL', 5, 'ref1', 'Ana', 'acc', 'N20260301000000000001')`, "check"},
		{"lower-case short reference", `INSERT INTO payout_items (run_id, participant_id, currency, amount, reference, name, payout_account, short_ref)
			VALUES ('nightly-20260301', 'lead1', 'BRL', 5, 'ref1', 'Ana', 'acc', 'n1')`, "check"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := storetest.New(t)
			ctx := context.Background()
			if _, err := st.DB.ExecContext(ctx, baseRows); err != nil {
				t.Fatalf("base rows: %v", err)
			}
			_, err := st.DB.ExecContext(ctx, tc.sql)
			if err == nil {
				t.Fatalf("accepted: %s", tc.sql)
			}
			if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tc.wantErr)) {
				t.Errorf("error %q does not mention %q", err, tc.wantErr)
			}
		})
	}
}

// TestMigrateIsIdempotent: migrating a migrated database applies nothing.
func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	applied, err := st.Migrate(context.Background())
	if err != nil || len(applied) != 0 {
		t.Fatalf("second migrate applied %v, %v", applied, err)
	}
}
