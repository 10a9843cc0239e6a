package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const taxCSV = `invoice_id,issuer_tax_id,sale_id,issued_at,amount,currency,status
nf-s01,111.444.777-35,s01,2026-03-03T09:00:00-03:00,100.00,BRL,active
nf-s02,11144477735,s02,2026-03-03T09:00:00-03:00,99.00,BRL,active
nf-x,11144477735,,2026-03-03T09:00:00-03:00,5.00,BRL,active
=cmd,11144477735,s06,2026-03-03T09:00:00-03:00,0.06,BRL,active
`

// TestTaxCommands: import-tax-record, then a run, then the discrepancy
// list in both formats with its filters, then the monthly tax report.
func TestTaxCommands(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.mustRun("migrate")
	c.mustRun("load", "../../testdata/examples/basic")
	dir := t.TempDir()
	path := filepath.Join(dir, "notas.csv")
	// "=cmd" is no id: the import refuses the file, naming file and line.
	os.WriteFile(path, []byte(taxCSV), 0o600)
	code, _, errs := c.run("import-tax-record", path)
	if code != 1 || !strings.Contains(errs, `notas.csv:5: invoice_id: id "=cmd" has "="`) || !strings.Contains(errs, "nothing was written") {
		t.Errorf("bad file: exit %d, stderr %q", code, errs)
	}
	os.WriteFile(path, []byte(strings.Replace(taxCSV, "=cmd", "nf-s06", 1)), 0o600)
	if out := c.mustRun("import-tax-record", path); out != "notas.csv: 4 rows, 4 new, 0 changed\n" {
		t.Errorf("import: %q", out)
	}
	if out := c.mustRun("import-tax-record", path); out != "notas.csv: 4 rows, 0 new, 0 changed\n" {
		t.Errorf("import again: %q", out)
	}

	out := c.mustRun("run", "--date", "2026-03-03")
	for _, want := range []string{"AMOUNT_MISMATCH 1", "MISSING_INVOICE 8", "ORPHAN_INVOICE 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("run summary lacks %q:\n%s", want, out)
		}
	}

	out = c.mustRun("discrepancies", "--format", "csv", "--kind", "AMOUNT_MISMATCH")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("csv list: %v\n%s", err, out)
	}
	if strings.Join(recs[0], ",") != "kind,blocking,sale_id,invoice_id,participant_id,contract_id,currency,expected,actual,detail,opened_run,last_seen_run,resolved_run" ||
		strings.Join(recs[1][:9], ",") != "AMOUNT_MISMATCH,false,s02,nf-s02,,,BRL,100.00,99.00" ||
		strings.Join(recs[1][10:], ",") != "nightly-20260303,nightly-20260303," {
		t.Errorf("csv list:\n%s", out)
	}
	out = c.mustRun("discrepancies", "--open", "--producer", "lead1")
	if !strings.Contains(out, "KIND") || !strings.Contains(out, "ORPHAN_INVOICE") || !strings.Contains(out, "MISSING_INVOICE") ||
		strings.Contains(out, "MISSING_PAYOUT_ACCOUNT") || !strings.Contains(out, "open") {
		t.Errorf("lead1's open discrepancies:\n%s", out)
	}
	if out := c.mustRun("discrepancies", "--producer", "cop4"); !strings.Contains(out, "MISSING_PAYOUT_ACCOUNT") || strings.Contains(out, "MISSING_INVOICE") {
		t.Errorf("cop4's discrepancies:\n%s", out)
	}
	if out := c.mustRun("discrepancies", "--producer", "nobody"); !strings.Contains(out, "(none)") {
		t.Errorf("nobody's discrepancies:\n%s", out)
	}

	report := filepath.Join(dir, "march.xlsx")
	out = c.mustRun("tax-report", "--month", "2026-03", "--out", report)
	if !strings.Contains(out, "PERIOD_TOTAL_MISMATCH") || !strings.Contains(out, report) {
		t.Errorf("tax-report: %q", out)
	}
	if _, err := os.Stat(report); err != nil {
		t.Error(err)
	}
}

func TestTaxCommandUsageErrors(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, args := range [][]string{
		{"import-tax-record"}, {"import-tax-record", "a.csv", "b.csv"},
		{"discrepancies", "--kind", "NOPE"}, {"discrepancies", "--format", "json"}, {"discrepancies", "extra"},
		{"tax-report"}, {"tax-report", "--month", "2026-13", "--out", "x.xlsx"}, {"tax-report", "--month", "2026-03"},
	} {
		if code, _, errs := c.run(args...); code != 2 || errs == "" {
			t.Errorf("payouts %v: exit %d, stderr %q; want 2 and a message", args, code, errs)
		}
	}
	for _, cmd := range []string{"import-tax-record", "discrepancies", "tax-report"} {
		if code, _, errs := c.run(cmd, "--help"); code != 0 || !strings.Contains(errs, "Usage: payouts "+cmd) {
			t.Errorf("%s --help: exit %d, %q", cmd, code, errs)
		}
	}
	c.env["PAYOUTS_TAX_BLOCKING"] = "ORPHAN_INVOICE"
	c.mustRun("migrate")
	if code, _, errs := c.run("run", "--date", "2026-03-03"); code != 1 || !strings.Contains(errs, "PAYOUTS_TAX_BLOCKING") {
		t.Errorf("bad PAYOUTS_TAX_BLOCKING: exit %d, %q", code, errs)
	}
}
