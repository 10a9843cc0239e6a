package jobs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"payouts/internal/runtest"
	"payouts/sql/store"
)

// TestVerifyCatchesCorruption corrupts a run inside its transaction, one
// invariant at a time, and checks that the run fails naming the sale or
// participant, commits nothing and publishes nothing.
func TestVerifyCatchesCorruption(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		before  []string // dates run cleanly first
		date    string
		corrupt string
		want    string
	}{
		{"commissions do not add up to net", nil, "2026-03-03",
			`UPDATE lines SET amount = amount + 1 WHERE run_id = $1 AND sale_id = 's01' AND role = 'lead'`,
			"sale s01: commission lines add up to 89.61 BRL, its net is 89.60 BRL"},
		{"commission without allocation", nil, "2026-03-03",
			`DELETE FROM sale_outcomes WHERE sale_id = 's02'`,
			"sale s02: commission lines without an allocation by this run"},
		{"reversal beyond what was paid", []string{"2026-03-03"}, "2026-03-20",
			`UPDATE lines SET amount = amount - 10000 WHERE run_id = $1 AND sale_id = 's12' AND participant_id = 'aff1'`,
			"sale s12, participant aff1 (affiliate ): reversed beyond what it was paid: paid 31.36 BRL, reversed 109.41 BRL"},
		{"chargeback not at zero", []string{"2026-03-03"}, "2026-03-20",
			`UPDATE lines SET amount = amount + 1 WHERE run_id = $1 AND sale_id = 's11' AND participant_id = 'lead1'`,
			"sale s11, participant lead1 (lead ): not at zero after a full reversal: paid 52.42 BRL, reversed 52.41 BRL"},
		{"balance disagrees with brought forward", nil, "2026-03-03",
			`UPDATE balances SET brought_forward = brought_forward + 5, payout = payout + 5 WHERE run_id = $1 AND participant_id = 'cop1' AND currency = 'BRL'`,
			"participant cop1, BRL: balance says brought forward 0.05 BRL + lines 157.42 BRL, the ledger says 0.00 BRL + 157.42 BRL"},
		{"carried balance not settled", []string{"2026-03-03"}, "2026-03-20",
			`DELETE FROM balances WHERE run_id = $1 AND participant_id = 'cop4'`,
			"participant cop4, BRL: no balance settled for 5.19 BRL brought forward and 5.19 BRL of lines"},
		// Guards that were foreign keys of lines before migration 0009.
		{"line of a participant that does not exist", nil, "2026-03-03",
			`UPDATE lines SET participant_id = 'ghost' WHERE run_id = $1 AND sale_id = 's01' AND role = 'lead'`,
			"line of sale s01, participant ghost: participant ghost does not exist"},
		{"line of a sale that does not exist", nil, "2026-03-03",
			`UPDATE lines SET sale_id = 'ghost' WHERE run_id = $1 AND sale_id = 's02' AND role = 'lead'`,
			"line of sale ghost, participant lead1: sale ghost does not exist"},
		{"line of a contract version that does not exist", nil, "2026-03-03",
			`UPDATE lines SET contract_version = 99 WHERE run_id = $1 AND sale_id = 's01' AND role = 'coproducer'`,
			"line of sale s01, participant cop1: contract c1 version 99 does not exist"},
		{"outcome of a sale that does not exist", nil, "2026-03-03",
			`UPDATE sale_outcomes SET sale_id = 'ghost' WHERE run_id = $1 AND sale_id = 's02'`,
			"outcome of sale ghost: the sale does not exist"},
		{"payout item differs from balance", nil, "2026-03-03",
			`UPDATE payout_items SET amount = amount + 1 WHERE run_id = $1 AND participant_id = 'aff1'`,
			"participant aff1, BRL: balance pays out 200.72 BRL, payout item is 200.73 BRL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := loadedStore(t, basicExample)
			cfg := testConfig(t)
			for _, d := range tc.before {
				runDate(t, st, cfg, d)
			}
			cfg.hooks.beforeVerify = func(ctx context.Context, rt *store.RunTx) error {
				if strings.Contains(tc.corrupt, "$1") {
					return rt.Exec(ctx, tc.corrupt, rt.RunID)
				}
				return rt.Exec(ctx, tc.corrupt)
			}
			_, err := RunNightly(context.Background(), st, cfg, mustDate(t, tc.date))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tc.want)
			}
			assertNothingOf(t, st, cfg, tc.date, NightlyRunID(mustDate(t, tc.date)))
		})
	}
}

// TestManifestCheckAgainstStore: if the stored lines change between the
// files and the manifest, publication fails and leaves no files.
func TestManifestCheckAgainstStore(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	cfg.hooks.beforeManifest = func(ctx context.Context, runID string) error {
		_, err := st.DB.ExecContext(ctx, `DELETE FROM lines WHERE run_id = $1 AND participant_id = 'mgr1'`, runID)
		return err
	}
	_, err := RunNightly(context.Background(), st, cfg, mustDate(t, "2026-03-03"))
	if err == nil || !strings.Contains(err.Error(), "lines in BRL: the files hold") {
		t.Fatalf("err = %v, want the manifest check to fail", err)
	}
	if _, err := os.Stat(filepath.Join(cfg.OutDir, "2026-03-03", "nightly-20260303")); !os.IsNotExist(err) {
		t.Errorf("run directory left behind after a failed publication: %v", err)
	}
}

// assertNothingOf checks that a failed run committed and published nothing
// and is recorded as failed with its error.
func assertNothingOf(t *testing.T, st *store.Store, cfg Config, date, runID string) {
	t.Helper()
	runtest.AssertNothingOf(t, st, cfg.OutDir, date, runID)
}
