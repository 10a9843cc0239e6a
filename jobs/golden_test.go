package jobs

import (
	"path/filepath"
	"testing"
)

const basicExample = "../testdata/examples/basic"

// TestGoldenBasicExample runs the four dates of SPEC section 11 in order
// and matches expected_lines.csv and expected_payouts.csv to the cent,
// reading the participant files and provider CSVs the runs published.
func TestGoldenBasicExample(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	var gotLines, gotPayouts []string
	for _, date := range []string{"2026-03-03", "2026-03-20", "2026-04-04", "2026-07-03"} {
		res := runDate(t, st, cfg, date)
		gotLines = append(gotLines, readCSVColumns(t, filepath.Join(res.Dir, "participants", "*.csv"), date,
			"sale_id", "kind", "role", "participant_id", "contract_id", "currency", "amount")...)
		gotPayouts = append(gotPayouts, readCSVColumns(t, filepath.Join(res.Dir, "provider", "*.csv"), date,
			"participant_id", "currency", "amount")...)
	}
	wantLines := readCSVColumns(t, filepath.Join(basicExample, "expected_lines.csv"), "",
		"business_date", "sale_id", "kind", "role", "participant_id", "contract_id", "currency", "amount")
	wantPayouts := readCSVColumns(t, filepath.Join(basicExample, "expected_payouts.csv"), "",
		"business_date", "participant_id", "currency", "amount")
	if len(wantLines) == 0 || len(wantPayouts) == 0 {
		t.Fatal("expected files are empty")
	}
	diffLists(t, "lines", wantLines, gotLines)
	diffLists(t, "payouts", wantPayouts, gotPayouts)
}
