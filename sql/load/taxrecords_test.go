package load

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/xuri/excelize/v2"
)

const taxHeader = "invoice_id,issuer_tax_id,sale_id,issued_at,amount,currency,status,buyer_tax_id"

func importTax(t *testing.T, db *sqlx.DB, path string) (FileResult, error) {
	t.Helper()
	return TaxRecords(context.Background(), db, path, t.Logf)
}

func taxRows(t *testing.T, db *sqlx.DB) []string {
	t.Helper()
	var rows []string
	if err := db.Select(&rows, `SELECT concat_ws(',', invoice_id, issuer_tax_id, sale_id, to_char(issued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
		amount::text, currency, status, buyer_tax_id) FROM tax_records ORDER BY invoice_id`); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestImportTaxRecordsCSV: all or nothing, idempotent by invoice_id, a
// corrected row replaces the stored one.
func TestImportTaxRecordsCSV(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	dir := t.TempDir()
	content := taxHeader + "\n" +
		"nf-1,111.444.777-35,s01,2026-03-03T09:00:00-03:00,100.00,BRL,active,\n" +
		"nf-2,11144477735,,2026-03-03T09:00:00-03:00,9800,JPY,cancelled,52998224725\n"
	writeFile(t, dir, "march.csv", content)
	res, err := importTax(t, db, filepath.Join(dir, "march.csv"))
	if err != nil || res.Name != "march.csv" || res.Rows != 2 || res.Inserted != 2 || res.Updated != 0 {
		t.Fatalf("first import: %+v %v", res, err)
	}
	want := []string{"nf-1,111.444.777-35,s01,2026-03-03T12:00:00Z,100.00,BRL,active", "nf-2,11144477735,2026-03-03T12:00:00Z,9800,JPY,cancelled,52998224725"}
	if got := taxRows(t, db); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	res, err = importTax(t, db, filepath.Join(dir, "march.csv"))
	if err != nil || res.Inserted != 0 || res.Updated != 0 {
		t.Errorf("same file again: %+v %v; want nothing new or changed", res, err)
	}
	writeFile(t, dir, "march.csv", strings.Replace(content, "100.00,BRL,active", "100.00,BRL,cancelled", 1))
	res, err = importTax(t, db, filepath.Join(dir, "march.csv"))
	if err != nil || res.Inserted != 0 || res.Updated != 1 {
		t.Errorf("corrected file: %+v %v; want one row changed", res, err)
	}
}

func TestImportTaxRecordsBadRows(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	dir := t.TempDir()
	writeFile(t, dir, "nf.csv", taxHeader+"\n"+
		"nf-1,11144477735,s01,2026-03-03T09:00:00-03:00,100.005,BRL,active,\n"+
		"nf-2,11144477735,s/01,2026-03-03T09:00:00,100.00,BRL,void,\n"+
		"nf-1,11144477735,s01,2026-03-03T09:00:00-03:00,100.00,BRL,active,\n"+
		"nf-4,,s01,2026-03-03T09:00:00-03:00,-1.00,ZZZ,active,\n"+
		"\"nf-5,11144477735\n")
	_, err := importTax(t, db, filepath.Join(dir, "nf.csv"))
	var e *Errors
	if !errors.As(err, &e) {
		t.Fatalf("want *Errors, got %v", err)
	}
	wantExactly(t, e,
		`nf.csv:2: amount: amount "100.005" has 3 fraction digits; BRL has 2`,
		`nf.csv:3: sale_id: id "s/01" has "/"; ids are 1-64 characters of A-Z a-z 0-9 _ -`,
		`nf.csv:3: issued_at: timestamp "2026-03-03T09:00:00" has no offset (add Z or -03:00)`,
		`nf.csv:3: status: status "void" is not active or cancelled`,
		`nf.csv:4: invoice_id: "nf-1" is already on line 2`,
		`nf.csv:5: issuer_tax_id: required`,
		`nf.csv:5: currency: unknown currency "ZZZ" (expected an ISO 4217 code such as BRL, USD, JPY)`,
		`nf.csv:5: amount: -1.00 is below 0`,
		`nf.csv:6: bad CSV: extraneous or missing " in quoted-field (column 19)`,
	)
	if got := taxRows(t, db); len(got) != 0 {
		t.Errorf("a failed import wrote %v", got)
	}
	for name, want := range map[string]string{"nf.txt": "unsupported file type", "missing.csv": "no such file"} {
		if name == "nf.txt" {
			writeFile(t, dir, name, taxHeader+"\n")
		}
		if _, err := importTax(t, db, filepath.Join(dir, name)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
}

// xlsxFile writes a workbook whose first sheet is built by fill, plus a
// second sheet that must be ignored.
func xlsxFile(t *testing.T, dir, name string, fill func(f *excelize.File, sheet string)) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Notas"); err != nil {
		t.Fatal(err)
	}
	fill(f, "Notas")
	if _, err := f.NewSheet("Other"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetRow("Other", "A1", &[]any{"not", "a", "tax", "record"}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func setRow(t *testing.T, f *excelize.File, sheet string, row int, vals ...any) {
	t.Helper()
	cell, _ := excelize.CoordinatesToCellName(1, row)
	if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
		t.Fatal(err)
	}
}

// TestImportTaxRecordsXLSX: the first sheet of a workbook, read as stored:
// numbers exactly (whatever their display format), text as text, empty
// rows skipped, rows numbered as the spreadsheet shows them.
func TestImportTaxRecordsXLSX(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	dir := t.TempDir()
	path := xlsxFile(t, dir, "notas.xlsx", func(f *excelize.File, sh string) {
		// Columns in another order than SPEC's; buyer_tax_id left out.
		setRow(t, f, sh, 1, "status", "invoice_id", "amount", "currency", "issuer_tax_id", "sale_id", "issued_at")
		setRow(t, f, sh, 2, "active", "nf-1", 100.5, "BRL", "111.444.777-35", "s01", "2026-03-03T09:00:00-03:00")
		// row 3 empty
		setRow(t, f, sh, 4, "active", 12345, 9800, "JPY", "11144477735", nil, "2026-03-03T12:00:00Z")
		setRow(t, f, sh, 5, "cancelled", "nf-3", nil, "KWD", "11144477735", "s02", "2026-03-03T12:00:00.5Z")
		// The amount as Excel may store it, in exponent form.
		if err := f.SetCellDefault(sh, "C5", "1.25E-1"); err != nil {
			t.Fatal(err)
		}
		// A number shown rounded by its format is read as stored.
		style, _ := f.NewStyle(&excelize.Style{NumFmt: 1}) // "0"
		f.SetCellStyle(sh, "C2", "C2", style)
	})
	res, err := importTax(t, db, path)
	if err != nil || res.Name != "notas.xlsx" || res.Rows != 3 || res.Inserted != 3 {
		t.Fatalf("import: %+v %v", res, err)
	}
	want := []string{
		"12345,11144477735,2026-03-03T12:00:00Z,9800,JPY,active",
		"nf-1,111.444.777-35,s01,2026-03-03T12:00:00Z,100.5,BRL,active",
		"nf-3,11144477735,s02,2026-03-03T12:00:00Z,0.125,KWD,cancelled",
	}
	if got := taxRows(t, db); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res, err := importTax(t, db, path); err != nil || res.Inserted != 0 || res.Updated != 0 {
		t.Errorf("same workbook again: %+v %v", res, err)
	}
}

func TestImportTaxRecordsXLSXBadRows(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	dir := t.TempDir()
	path := xlsxFile(t, dir, "bad.xlsx", func(f *excelize.File, sh string) {
		setRow(t, f, sh, 1, "invoice_id", "issuer_tax_id", "sale_id", "issued_at", "amount", "currency", "status")
		// A date cell: a number of days, no zone.
		setRow(t, f, sh, 2, "nf-1", "11144477735", "s01", time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC), 100, "BRL", "active")
		// A formula's floating-point residue, as Excel stores it.
		setRow(t, f, sh, 3, "nf-2", "11144477735", "s01", "2026-03-03T09:00:00Z", nil, "BRL", "active")
		if err := f.SetCellDefault(sh, "E3", "0.30000000000000004"); err != nil {
			t.Fatal(err)
		}
		// A value beyond the header.
		setRow(t, f, sh, 4, "nf-3", "11144477735", "s01", "2026-03-03T09:00:00Z", 1, "BRL", "active", "", "note")
		setRow(t, f, sh, 6, "nf-1", "11144477735", "s01", "2026-03-03T09:00:00Z", 1, "BRL", "active")
	})
	_, err := importTax(t, db, path)
	var e *Errors
	if !errors.As(err, &e) {
		t.Fatalf("want *Errors, got %v", err)
	}
	wantExactly(t, e,
		`bad.xlsx:2: issued_at: timestamp "46084.375" is not RFC 3339 with an offset (like 2026-03-03T10:00:00-03:00); a date cell of a spreadsheet is a number of days with no time zone: write the timestamp as text`,
		`bad.xlsx:3: amount: amount "0.30000000000000004" has 17 fraction digits; BRL has 2`,
		`bad.xlsx:4: cell I4 has a value ("note") beyond the header's 7 columns`,
		`bad.xlsx:6: invoice_id: "nf-1" is already on line 2`,
	)
	if got := taxRows(t, db); len(got) != 0 {
		t.Errorf("a failed import wrote %v", got)
	}

	for name, content := range map[string]string{"empty.xlsx": "", "fake.xlsx": "invoice_id\nnf-1\n"} {
		p := filepath.Join(dir, name)
		writeFile(t, dir, name, content)
		if _, err := importTax(t, db, p); err == nil || !strings.Contains(err.Error(), "not a readable XLSX workbook") {
			t.Errorf("%s: %v", name, err)
		}
	}
	blank := xlsxFile(t, dir, "blank.xlsx", func(*excelize.File, string) {})
	if _, err := importTax(t, db, blank); !errors.As(err, &e) || !strings.Contains(e.Error(), "blank.xlsx:1: no header row") {
		t.Errorf("blank sheet: %v", err)
	}
}

func TestPlainNumber(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"12.3": "12.3", "1E+3": "1000", "1.5E-2": "0.015", "1.25e-1": "0.125", "-2.5E+1": "-25",
		"1E+400": "1E+400", "abc": "abc", "": "", "1E": "1E", "E5": "E5",
	} {
		if got := plainNumber(in); got != want {
			t.Errorf("plainNumber(%q) = %q, want %q", in, got, want)
		}
	}
}
