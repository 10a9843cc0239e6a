package jobs

import (
	"context"
	"strings"
	"testing"

	"payouts/sql/store"
)

// TestVerifyCatchesRerunCorruption corrupts a rerun inside its transaction
// and checks that the rerun fails naming the sale or participant, commits
// and publishes nothing, and that the next rerun of the date succeeds under
// the same id.
func TestVerifyCatchesRerunCorruption(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, corrupt, want string
	}{
		{"adjustment beyond the difference",
			`UPDATE lines SET amount = amount + 1 WHERE run_id = $1 AND sale_id = 's01' AND participant_id = 'cop1'`,
			"sale s01: its lines add up to 89.61 BRL after the adjustments, the rerun recomputed 89.60 BRL (net 89.60 BRL)"},
		{"adjustment on a sale not recomputed",
			`INSERT INTO lines (run_id, sale_id, participant_id, role, kind, product_id, currency, amount, sold_at)
				VALUES ($1, 's02', 'lead1', 'lead', 'adjustment', 'p1', 'BRL', 5, now())`,
			"sale s02: adjustment lines on a sale this rerun did not recompute"},
		{"position taken below zero",
			`UPDATE lines SET amount = -600 WHERE run_id = $1 AND sale_id = 's01' AND participant_id = 'cop1'`,
			"sale s01, participant cop1 (coproducer c1): reversed beyond what it was paid"},
		{"payout differs from the adjusted balance",
			`UPDATE balances SET adjustments = adjustments + 1, payout = payout + 1 WHERE run_id = $1 AND participant_id = 'cop1'`,
			"participant cop1, BRL: balance says brought forward 0.00 BRL + lines 3.52 BRL, the ledger says 0.00 BRL + 3.51 BRL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := loadedStore(t, basicExample)
			cfg := testConfig(t)
			runDate(t, st, cfg, "2026-03-03")
			mustExec(t, st, `UPDATE contract_terms SET rate_percent = 12 WHERE contract_id = 'c1' AND version = 1`)
			corrupting := cfg
			corrupting.hooks.beforeVerify = func(ctx context.Context, rt *store.RunTx) error {
				return rt.Exec(ctx, tc.corrupt, rt.RunID)
			}
			_, err := RunRerun(context.Background(), st, corrupting, RerunRequest{Date: mustDate(t, "2026-03-03"), Reason: "rate"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tc.want)
			}
			assertNothingOf(t, st, cfg, "2026-03-03", "rerun-20260303-1")
			res := rerunDate(t, st, cfg, "2026-03-03", "rate, again")
			if res.Run.RunID != "rerun-20260303-1" || res.Run.LineCount != 6 || res.Run.Reason != "rate, again" {
				t.Errorf("rerun after a failed one: %s, %d lines, reason %q", res.Run.RunID, res.Run.LineCount, res.Run.Reason)
			}
		})
	}
}
