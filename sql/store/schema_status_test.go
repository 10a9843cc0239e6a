package store_test

import (
	"context"
	"strings"
	"testing"

	"payouts/internal/storetest"
)

// statusRows add a payout item and an import to baseRows.
const statusRows = `
INSERT INTO payout_items VALUES ('nightly-20260301', 'lead1', 'BRL', 500, 'nightly-20260301-BRL-000001', 'Ana', '0001-1');
INSERT INTO status_imports (file_name, sha256, format, reports, changed) VALUES ('s.csv', repeat('a', 64), 'status-csv', 1, 1);
`

// TestSchemaRefusesImpossiblePayoutStates: the payout status tables
// (migration 0006) refuse what can never be right.
func TestSchemaRefusesImpossiblePayoutStates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, sql, wantErr string
	}{
		{"unknown item state", `UPDATE payout_items SET state = 'lost'`, "check"},
		{"history of issued", `INSERT INTO payout_status_history (reference, state, source_file, import_id)
			VALUES ('nightly-20260301-BRL-000001', 'issued', 'f', 1)`, "check"},
		{"history of an unknown item", `INSERT INTO payout_status_history (reference, state, source_file, import_id)
			VALUES ('nope', 'paid', 'f', 1)`, "foreign key"},
		{"an item reaching a state twice", `INSERT INTO payout_status_history (reference, state, source_file, import_id)
			VALUES ('nightly-20260301-BRL-000001', 'paid', 'f', 1), ('nightly-20260301-BRL-000001', 'paid', 'g', 1)`, "payout_status_history_pkey"},
		{"the same file imported twice", `INSERT INTO status_imports (file_name, sha256, format, reports, changed)
			VALUES ('t.csv', repeat('a', 64), 'status-csv', 0, 0)`, "status_imports_sha256_key"},
		{"credited back twice", `INSERT INTO payout_credits (reference, run_id, participant_id, currency, amount)
			VALUES ('nightly-20260301-BRL-000001', 'nightly-20260301', 'lead1', 'BRL', 500),
			       ('nightly-20260301-BRL-000001', 'nightly-20260301', 'lead1', 'BRL', 500)`, "payout_credits_pkey"},
		{"credit of nothing", `INSERT INTO payout_credits (reference, run_id, participant_id, currency, amount)
			VALUES ('nightly-20260301-BRL-000001', 'nightly-20260301', 'lead1', 'BRL', 0)`, "check"},
		{"balance without its returned amount", `INSERT INTO balances (run_id, participant_id, currency, brought_forward, returned,
			commissions, reversals, adjustments, payout, carried_forward) VALUES ('nightly-20260301', 'lead1', 'BRL', 0, 500, 100, 0, 0, 100, 0)`, "balances_equation"},
		{"negative returned", `INSERT INTO balances (run_id, participant_id, currency, brought_forward, returned,
			commissions, reversals, adjustments, payout, carried_forward) VALUES ('nightly-20260301', 'lead1', 'BRL', 0, -5, 100, 0, 0, 95, 0)`, "check"},
		{"item totals that do not add up", `INSERT INTO run_item_totals VALUES ('nightly-20260301', 'BRL', 500, 100, 0, 0, 300, 300, 0, 0, 0)`, "check"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := storetest.New(t)
			ctx := context.Background()
			if _, err := st.DB.ExecContext(ctx, baseRows+statusRows); err != nil {
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
