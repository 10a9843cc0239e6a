// Package sheettest opens workbooks the way the finance team does: it has
// LibreOffice Calc (soffice, headless) load them, recompute every formula
// and save them again, as xlsx (with the recomputed values cached in the
// cells) or as one CSV per sheet (values as shown, with their number
// formats). Tests read the result to check that the totals a spreadsheet
// application computes are the ones the run published.
//
// soffice is required: a test that needs it fails (never skips) when it is
// missing, naming the command that installs it (.ci/ensure-tools does, as
// root).
package sheettest

import (
	"encoding/csv"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"
)

// installHint is the command that installs soffice on Debian.
const installHint = "apt-get update && apt-get install -y --no-install-recommends libreoffice-calc-nogui (or run .ci/ensure-tools as root)"

// Soffice returns the path of LibreOffice's soffice, or fails t.
func Soffice(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"soffice", "libreoffice"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("soffice (LibreOffice Calc) is missing on this CI machine; the workbook tests need it: %s", installHint)
	}
	t.Fatalf("soffice (LibreOffice Calc) is missing; the workbook tests need it to recompute the workbook's formulas: %s", installHint)
	return ""
}

// recalcProfile makes LibreOffice recompute every formula when it loads
// a file (by default it may trust the values cached in an xlsx).
const recalcProfile = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
`

// soffice runs one headless conversion of src into dir with its own
// profile (concurrent conversions cannot share one).
func soffice(t testing.TB, filter, src, dir string) {
	t.Helper()
	bin := Soffice(t)
	profile := t.TempDir()
	if err := os.MkdirAll(filepath.Join(profile, "user"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(profile, "user", "registrymodifications.xcu"), []byte(recalcProfile), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-env:UserInstallation=file://"+profile, "--headless", "--norestore",
		"--convert-to", filter, "--outdir", dir, src)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "LANG=C.UTF-8", "HOME="+profile)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("soffice --convert-to %s %s: %v\n%s", filter, src, err, out)
	}
}

// conversions serialises soffice runs: each takes a second or two and
// most of the machine's CPU while it starts.
var conversions sync.Mutex

// Recalc has LibreOffice open the workbook at src, recompute it and save
// it as xlsx; it returns the recomputed workbook, opened.
func Recalc(t testing.TB, src string) *excelize.File {
	t.Helper()
	conversions.Lock()
	defer conversions.Unlock()
	dir := t.TempDir()
	soffice(t, "xlsx:Calc MS Excel 2007 XML", src, dir)
	out := filepath.Join(dir, strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))+".xlsx")
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatalf("open %s as LibreOffice saved it: %v", src, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// SheetsAsShown has LibreOffice open the workbook at src, recompute it
// and save every sheet as CSV with values as shown (number formats
// applied, in the en-US locale). It returns the rows of each sheet.
func SheetsAsShown(t testing.TB, src string) map[string][][]string {
	t.Helper()
	conversions.Lock()
	defer conversions.Unlock()
	dir := t.TempDir()
	// Separator ",", quote '"', UTF-8, from line 1, quote all text, values
	// as shown, every sheet to its own file (the -1).
	soffice(t, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true,true,false,false,-1", src, dir)
	base := strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))
	paths, err := filepath.Glob(filepath.Join(dir, base+"-*.csv"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("soffice wrote no CSV for %s (%v)", src, err)
	}
	out := map[string][][]string{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(f)
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out[strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), base+"-"), ".csv")] = recs
	}
	return out
}

// Find returns the cell reference (like "C12") of the first cell of sheet
// whose value is exactly value, scanning rows top to bottom, or "".
func Find(t testing.TB, f *excelize.File, sheet, value string) string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("sheet %s: %v", sheet, err)
	}
	for r, row := range rows {
		for c, v := range row {
			if v == value {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				return ref
			}
		}
	}
	return ""
}

// Cell is the reference of the cell at the crossing of the row whose
// label is rowLabel and the column whose header is colLabel on sheet (for
// the Summary: a figure's label and a currency code). The test fails when
// either is missing.
func Cell(t testing.TB, f *excelize.File, sheet, rowLabel, colLabel string) string {
	t.Helper()
	row, col := Find(t, f, sheet, rowLabel), Find(t, f, sheet, colLabel)
	if row == "" || col == "" {
		t.Fatalf("%s has no %q row or %q column", sheet, rowLabel, colLabel)
	}
	c, _, _ := excelize.SplitCellName(col)
	_, r, _ := excelize.SplitCellName(row)
	ref, _ := excelize.JoinCellName(c, r)
	return ref
}

// Minor reads the number in cell ref (as LibreOffice cached it) as minor
// units of a currency with digits minor digits, rounding away the
// binary-fraction noise of a floating-point sum.
func Minor(t testing.TB, f *excelize.File, sheet, ref string, digits int) int64 {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, ref, err)
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatalf("%s!%s holds %q, not a number (was the formula computed?)", sheet, ref, v)
	}
	return int64(math.Round(x * math.Pow10(digits)))
}
