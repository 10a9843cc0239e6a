package jobs

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"payouts/reports"
)

// TestTaxReport: per producer and currency, the gross of the sales settled
// in the month (PAYOUTS_TZ) against the active invoices issued in the
// month under its tax id; PERIOD_TOTAL_MISMATCH where they differ.
func TestTaxReport(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	withSecondLead(t, st)
	// Every sale settled in March 2026 (São Paulo) is invoiced, issued on
	// 2026-03-03: BRL 1400.86 and JPY 9800.
	correctInvoices(t, st, "s03", "s04", "s05")
	// Issued on the last evening of March in São Paulo (April in UTC):
	// March. One second later than midnight there: April, not counted.
	mustExec(t, st, `INSERT INTO tax_records (invoice_id, issuer_tax_id, sale_id, issued_at, amount, currency, status) VALUES
		('late', '11144477735', 's03', '2026-04-01T02:59:59Z', 197.00, 'BRL', 'active'),
		('april', '11144477735', 's04', '2026-04-01T03:00:00Z', 197.00, 'BRL', 'active'),
		('void', '11144477735', 's05', '2026-03-10T12:00:00Z', 197.00, 'BRL', 'cancelled'),
		('cop', '52998224725', 's09', '2026-03-10T12:00:00Z', 33.32, 'BRL', 'active'),
		('usd', '11222333000181', NULL, '2026-03-10T12:00:00Z', 5.00, 'USD', 'active')`)
	cfg := envConfig(t, nil)
	path := filepath.Join(t.TempDir(), "march.xlsx")
	res, err := TaxReport(context.Background(), st, cfg, 2026, time.March, path)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 4 || res.Mismatches != 2 {
		t.Errorf("rows %d, mismatches %d; want 4 and 2", res.Rows, res.Mismatches)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(reports.TaxSheetTotals, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, strings.Join(r, ","))
	}
	want := []string{
		"producer_id,name,tax_id,currency,sales,expected,invoices,invoiced,difference,status,not_summed",
		"lead1,Ana Lima,11144477735,BRL,11,1400.86,12,1597.86,197.00,PERIOD_TOTAL_MISMATCH,0",
		"lead1,Ana Lima,11144477735,JPY,1,9800,1,9800,0,ok,0",
		"lead2,Lia Costa,11222333000181,USD,0,0.00,1,5.00,5.00,PERIOD_TOTAL_MISMATCH,0",
		",,52998224725,BRL,0,0.00,1,33.32,33.32,not a producer's tax id,0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Totals:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Amounts are numbers with the currency's format; text is text; no
	// formula anywhere.
	for _, sheet := range f.GetSheetList() {
		all, _ := f.GetRows(sheet)
		for r, row := range all {
			for c := range row {
				name, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if formula, _ := f.GetCellFormula(sheet, name); formula != "" {
					t.Errorf("%s!%s is a formula: %s", sheet, name, formula)
				}
			}
		}
	}
	// A number cell has no type attribute (CellTypeUnset) or "n".
	for cell, number := range map[string]bool{"F2": true, "H3": true, "E2": true, "I4": true, "A2": false, "C2": false, "C5": false} {
		ct, err := f.GetCellType(reports.TaxSheetTotals, cell)
		isNumber := ct == excelize.CellTypeUnset || ct == excelize.CellTypeNumber
		if err != nil || isNumber != number || (!number && ct != excelize.CellTypeSharedString) {
			t.Errorf("%s: cell type %v (%v), want a number: %v", cell, ct, err, number)
		}
	}
	if shown, _ := f.GetCellValue(reports.TaxSheetTotals, "H2"); shown != "1,597.86 BRL" {
		t.Errorf("H2 shows %q, want the BRL format", shown)
	}
	if shown, _ := f.GetCellValue(reports.TaxSheetTotals, "H3"); shown != "9,800 JPY" {
		t.Errorf("H3 shows %q, want the JPY format", shown)
	}
	mism, _ := f.GetRows(reports.TaxSheetMismatches, excelize.Options{RawCellValue: true})
	if len(mism) != 3 || mism[1][0] != "PERIOD_TOTAL_MISMATCH" || mism[1][1] != "lead1" || mism[1][7] != "197.00" ||
		!strings.Contains(mism[1][8], "invoiced BRL 1597.86 in 2026-03 under 11144477735, against BRL 1400.86") {
		t.Errorf("mismatch sheet: %q", mism)
	}
	curs, _ := f.GetRows(reports.TaxSheetCurrencies, excelize.Options{RawCellValue: true})
	if len(curs) != 4 || strings.Join(curs[1], ",") != "BRL,11,1400.86,13,1631.18,230.32,1" {
		t.Errorf("currency sheet: %q", curs)
	}

	// The same report again is the same bytes.
	again := filepath.Join(t.TempDir(), "march.xlsx")
	if _, err := TaxReport(context.Background(), st, cfg, 2026, time.March, again); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(path)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Error("the same report written twice differs")
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("report file mode %v %v, want 0600", info.Mode(), err)
	}
}

// TestTaxReportPartnership: each participant against its own shares.
func TestTaxReportPartnership(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	mustExec(t, st, `DELETE FROM sale_events`)
	mustExec(t, st, `DELETE FROM sales WHERE sale_id <> 's01'`)
	cfg := envConfig(t, map[string]string{"PAYOUTS_INVOICE_MODEL": "partnership"})
	runDate(t, st, cfg, "2026-03-03") // s01: lead1 52.42, cop1 5.82, aff1 31.36
	invoice(t, st, "p-lead", lead1Tax, "s01", "52.42", "BRL", "active")
	invoice(t, st, "p-cop", cop1Tax, "s01", "5.80", "BRL", "active")
	path := filepath.Join(t.TempDir(), "march.xlsx")
	res, err := TaxReport(context.Background(), st, cfg, 2026, time.March, path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(reports.TaxSheetTotals, excelize.Options{RawCellValue: true})
	var got []string
	for _, r := range rows[1:] {
		got = append(got, strings.Join(r, ","))
	}
	want := []string{
		"aff1,Eva Souza,,BRL,1,31.36,0,0.00,-31.36,PERIOD_TOTAL_MISMATCH,0",
		"cop1,Bruno Reis,52998224725,BRL,1,5.82,1,5.80,-0.02,PERIOD_TOTAL_MISMATCH,0",
		"lead1,Ana Lima,11144477735,BRL,1,52.42,1,52.42,0.00,ok,0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || res.Mismatches != 2 {
		t.Errorf("partnership totals (%d mismatches):\n%s\nwant\n%s", res.Mismatches, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
