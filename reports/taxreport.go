package reports

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"payouts/reconcile"
)

// TaxReportRow is one issuer's period position in one currency, in minor
// units.
type TaxReportRow struct {
	Producers string // participant ids, space-separated; "" for a tax id that is no producer's
	Name      string
	TaxID     string
	Currency  reconcile.Currency
	Sales     int64
	Expected  int64
	Invoices  int64
	Invoiced  int64
	NotSummed int64
}

// Difference is invoiced less expected.
func (r TaxReportRow) Difference() int64 { return r.Invoiced - r.Expected }

// Mismatch reports whether the row is a PERIOD_TOTAL_MISMATCH: a
// producer's invoiced total differs from what it should have invoiced.
// Totals are compared exactly: PAYOUTS_TAX_TOLERANCE is per invoice, and
// tolerated cents add up.
func (r TaxReportRow) Mismatch() bool { return r.Producers != "" && r.Difference() != 0 }

// TaxReportMeta describes the report.
type TaxReportMeta struct {
	Month    string // YYYY-MM
	TimeZone string // the months are calendar months in it
	Model    reconcile.InvoiceModel
	From, To string // the period, RFC 3339
}

// Sheet names of the tax report.
const (
	TaxSheetTotals     = "Totals"
	TaxSheetMismatches = "PERIOD_TOTAL_MISMATCH"
	TaxSheetCurrencies = "By currency"
	TaxSheetAbout      = "About"
)

var taxTotalsHeader = []string{"producer_id", "name", "tax_id", "currency", "sales", "expected", "invoices",
	"invoiced", "difference", "status", "not_summed"}

var taxMismatchHeader = []string{"kind", "producer_id", "name", "tax_id", "currency", "expected", "actual",
	"difference", "detail"}

var taxCurrencyHeader = []string{"currency", "sales", "expected", "invoices", "invoiced", "difference", "mismatches"}

// WriteTaxReport writes the monthly tax report to path, atomically: a
// sheet of every issuer and currency, one of the PERIOD_TOTAL_MISMATCH
// rows, totals per currency, and what the report covers. Amounts are
// numeric cells with the currency's format; text from the data goes into
// string cells, never formulas. The bytes depend only on the arguments.
func WriteTaxReport(path string, meta TaxReportMeta, rows []TaxReportRow) (err error) {
	if !strings.EqualFold(filepath.Ext(path), ".xlsx") {
		return fmt.Errorf("tax report %s: the file name must end in .xlsx", path)
	}
	f := excelize.NewFile()
	defer f.Close()
	w := &taxWorkbook{f: f, styles: map[reconcile.Currency]int{}}
	if err := f.SetSheetName("Sheet1", TaxSheetTotals); err != nil {
		return err
	}
	for _, s := range []string{TaxSheetMismatches, TaxSheetCurrencies, TaxSheetAbout} {
		if _, err := f.NewSheet(s); err != nil {
			return err
		}
	}
	if w.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return err
	}

	expected := "gross of the sales settled in the month"
	if meta.Model == reconcile.InvoicePartnership {
		expected = "shares earned on the sales settled in the month"
	}
	w.row(TaxSheetTotals, 1, w.header, taxStrs(taxTotalsHeader)...)
	w.row(TaxSheetMismatches, 1, w.header, taxStrs(taxMismatchHeader)...)
	w.row(TaxSheetCurrencies, 1, w.header, taxStrs(taxCurrencyHeader)...)

	type curTotal struct {
		cur                                 reconcile.Currency
		sales, expected, invoices, invoiced int64
		mismatches                          int64
	}
	byCur := map[string]*curTotal{}
	mismatches := 0
	for i, r := range rows {
		status := "ok"
		switch {
		case r.Producers == "":
			status = "not a producer's tax id"
		case r.Mismatch():
			status = reconcile.PeriodTotalMismatch
		}
		w.row(TaxSheetTotals, i+2, 0, taxStr(r.Producers), taxStr(r.Name), taxStr(r.TaxID), taxStr(r.Currency.Code),
			taxCount(r.Sales), taxMoney(r.Expected, r.Currency), taxCount(r.Invoices), taxMoney(r.Invoiced, r.Currency),
			taxMoney(r.Difference(), r.Currency), taxStr(status), taxCount(r.NotSummed))
		t := byCur[r.Currency.Code]
		if t == nil {
			t = &curTotal{cur: r.Currency}
			byCur[r.Currency.Code] = t
		}
		t.sales += r.Sales
		t.expected += r.Expected
		t.invoices += r.Invoices
		t.invoiced += r.Invoiced
		if !r.Mismatch() {
			continue
		}
		t.mismatches++
		mismatches++
		detail := fmt.Sprintf("%s: invoiced %s %s in %s under %s, against %s %s (%s)", r.Producers, r.Currency.Code,
			reconcile.FormatAmount(r.Invoiced, r.Currency), meta.Month, taxOrNone(r.TaxID), r.Currency.Code,
			reconcile.FormatAmount(r.Expected, r.Currency), expected)
		w.row(TaxSheetMismatches, mismatches+1, 0, taxStr(reconcile.PeriodTotalMismatch), taxStr(r.Producers), taxStr(r.Name),
			taxStr(r.TaxID), taxStr(r.Currency.Code), taxMoney(r.Expected, r.Currency), taxMoney(r.Invoiced, r.Currency),
			taxMoney(r.Difference(), r.Currency), taxStr(detail))
	}
	codes := make([]string, 0, len(byCur))
	for c := range byCur {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for i, c := range codes {
		t := byCur[c]
		w.row(TaxSheetCurrencies, i+2, 0, taxStr(c), taxCount(t.sales), taxMoney(t.expected, t.cur), taxCount(t.invoices),
			taxMoney(t.invoiced, t.cur), taxMoney(t.invoiced-t.expected, t.cur), taxCount(t.mismatches))
	}

	about := [][2]string{
		{"report", "tax records against sales, per issuer and currency"},
		{"month", meta.Month},
		{"time zone", meta.TimeZone},
		{"from (inclusive)", meta.From},
		{"to (exclusive)", meta.To},
		{"invoice model", string(meta.Model)},
		{"expected", expected},
		{"invoiced", "active invoices issued in the month under the issuer's tax id (punctuation ignored)"},
		{"difference", "invoiced - expected; PERIOD_TOTAL_MISMATCH when not zero for a producer"},
		{"not_summed", "sales or invoices whose amounts do not fit their currency's digits: counted, not added"},
		{"rows", strconv.Itoa(len(rows))},
		{"mismatches", strconv.Itoa(mismatches)},
	}
	for i, kv := range about {
		w.row(TaxSheetAbout, i+1, 0, taxStr(kv[0]), taxStr(kv[1]))
	}
	for _, s := range []string{TaxSheetTotals, TaxSheetMismatches, TaxSheetCurrencies} {
		if err := f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
	}
	if w.err != nil {
		return w.err
	}
	out, err := createAtomic(path)
	if err != nil {
		return err
	}
	if _, err := f.WriteTo(out); err != nil {
		out.Abort()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, _, err := out.Commit(); err != nil {
		return err
	}
	return nil
}

// taxWorkbook writes cells, keeping the first error.
type taxWorkbook struct {
	f      *excelize.File
	header int
	styles map[reconcile.Currency]int
	err    error
}

// taxCell is one value to write: text, a count or an amount.
type taxCell struct {
	text    *string
	n       *int64
	amount  *int64
	cur     reconcile.Currency
	isMoney bool
}

func taxStr(s string) taxCell  { return taxCell{text: &s} }
func taxCount(n int64) taxCell { return taxCell{n: &n} }
func taxStrs(ss []string) []taxCell {
	out := make([]taxCell, len(ss))
	for i, s := range ss {
		out[i] = taxStr(s)
	}
	return out
}
func taxMoney(v int64, cur reconcile.Currency) taxCell {
	return taxCell{amount: &v, cur: cur, isMoney: true}
}

func (w *taxWorkbook) row(sheet string, row, style int, cells ...taxCell) {
	for i, c := range cells {
		if w.err != nil {
			return
		}
		name, err := excelize.CoordinatesToCellName(i+1, row)
		if err != nil {
			w.err = err
			return
		}
		switch {
		case c.text != nil:
			w.err = w.f.SetCellStr(sheet, name, *c.text)
		case c.n != nil:
			w.err = w.f.SetCellInt(sheet, name, *c.n)
		case c.isMoney:
			w.err = w.setMoney(sheet, name, *c.amount, c.cur)
		}
		if w.err == nil && style != 0 {
			w.err = w.f.SetCellStyle(sheet, name, name, style)
		}
	}
}

// setMoney writes an amount as a number in the currency's major unit,
// formatted with its minor digits and its code. The number is the double
// nearest to the exact decimal, parsed from its text: no arithmetic on
// floats.
func (w *taxWorkbook) setMoney(sheet, cellName string, v int64, cur reconcile.Currency) error {
	x, err := strconv.ParseFloat(reconcile.FormatAmount(v, cur), 64)
	if err != nil {
		return err
	}
	if err := w.f.SetCellFloat(sheet, cellName, x, cur.Minor, 64); err != nil {
		return err
	}
	style, ok := w.styles[cur]
	if !ok {
		format := "#,##0"
		if cur.Minor > 0 {
			format += "." + strings.Repeat("0", cur.Minor)
		}
		format += ` "` + cur.Code + `"`
		if style, err = w.f.NewStyle(&excelize.Style{CustomNumFmt: &format}); err != nil {
			return err
		}
		w.styles[cur] = style
	}
	return w.f.SetCellStyle(sheet, cellName, cellName, style)
}

func taxOrNone(s string) string {
	if s == "" {
		return "no tax id"
	}
	return s
}
