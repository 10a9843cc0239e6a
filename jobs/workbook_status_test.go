package jobs

import (
	"path/filepath"
	"strings"
	"testing"

	"payouts/reports"
	"payouts/reports/sheettest"
)

// TestWorkbookPayoutStatus: after a status report rejected two items, the
// next run's workbook (recomputed by LibreOffice) shows the credited-back
// amounts in the balance equation, the payout items by state with the
// outstanding ones aged, and the Payout items sheet.
func TestWorkbookPayoutStatus(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	runDate(t, st, cfg, "2026-03-03")
	importStatus(t, st, filepath.Join("..", "testdata", "status", "pain.002.001.03.ch.02.xml"))
	importStatus(t, st, filepath.Join("..", "testdata", "status", "status-jpy.csv"))
	res := runDate(t, st, cfg, "2026-03-04")
	f := sheettest.Recalc(t, filepath.Join(res.Dir, reports.FinanceWorkbookName(res.Run.RunID)))
	for label, want := range map[string]int64{
		"Returned (credited back)": 35814,
		"Check: brought forward + returned + lines - payouts - carried forward (0)": 0,
		"Issued":                           117900 + 2075,
		"Paid":                             78887,
		"Rejected":                         35814,
		"Returned":                         0,
		"Outstanding (issued or accepted)": 3199 + 2075,
		"Outstanding 0-2 days":             3199 + 2075,
		"Outstanding 3-7 days":             0,
		"Check: issued - paid - rejected - returned - outstanding (0)": 0,
	} {
		if got := summaryFigure(t, f, label, "BRL"); got != want {
			t.Errorf("Summary %q BRL = %d, want %d", label, got, want)
		}
	}
	rows, err := f.GetRows("Payout items")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		if len(r) > 5 && strings.HasPrefix(r[0], "nightly-") {
			got = append(got, strings.Join(r, "|"))
		}
	}
	want := []string{
		"nightly-20260303-BRL-000001|nightly-20260303|aff1|BRL|200.72|rejected|AC01|Kontonummer ungueltig / account number invalid|1|nightly-20260304",
		"nightly-20260303-BRL-000002|nightly-20260303|cop1|BRL|157.42|rejected|AC04|closed account number|1|nightly-20260304",
		"nightly-20260303-BRL-000006|nightly-20260303|mgr1|BRL|31.99|accepted|||1",
		"nightly-20260304-BRL-000001|nightly-20260304|",
	}
	if len(got) != len(want) {
		t.Fatalf("Payout items rows:\n%s", strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(strings.ReplaceAll(got[i], " BRL|", "|"), want[i]) {
			t.Errorf("Payout items row %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}
