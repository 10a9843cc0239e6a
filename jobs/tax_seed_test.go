package jobs

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"payouts/internal/seed"
	"payouts/internal/storetest"
	"payouts/reconcile"
)

// TestSeedShowsEveryTaxKind: `payouts seed` writes invoices with every
// kind of discrepancy, so the demo's run reports each of them, and the
// monthly report has PERIOD_TOTAL_MISMATCH rows.
func TestSeedShowsEveryTaxKind(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	cfg := envConfig(t, nil)
	cfg.BatchSize = 500
	d := mustDate(t, "2026-03-03")
	if _, err := seed.Run(context.Background(), st.DB, seed.Options{Sales: 3000, Date: d, Seed: 1, Location: cfg.Location}); err != nil {
		t.Fatal(err)
	}
	res := runDate(t, st, cfg, "2026-03-03")
	kinds := map[string]int{}
	for _, r := range readCSV(t, filepath.Join(res.Dir, "discrepancies.csv")) {
		kinds[r["kind"]]++
	}
	t.Logf("discrepancies: %v", kinds)
	for _, k := range reconcile.TaxKinds {
		if kinds[k] == 0 {
			t.Errorf("the seeded run reports no %s", k)
		}
	}
	var invoiceTaxIDs int
	if err := st.DB.Get(&invoiceTaxIDs, `SELECT count(*) FROM run_discrepancies WHERE kind = 'INVALID_TAX_ID' AND invoice_id IS NOT NULL
		AND detail LIKE '%buyer_tax_id%'`); err != nil || invoiceTaxIDs == 0 {
		t.Errorf("no INVALID_TAX_ID for an invoice's buyer (%v)", err)
	}
	rep, err := TaxReport(context.Background(), st, cfg, 2026, time.March, filepath.Join(t.TempDir(), "march.xlsx"))
	if err != nil || rep.Mismatches == 0 {
		t.Errorf("tax report: %+v %v; want PERIOD_TOTAL_MISMATCH rows", rep, err)
	}
}
