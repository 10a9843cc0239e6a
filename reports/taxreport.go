package reports

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
	"payouts/reports/xlsx"
)

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
func WriteTaxReport(path string, meta TaxReportMeta, rows []ledger.TaxPeriodTotal) error {
	if !strings.EqualFold(filepath.Ext(path), ".xlsx") {
		return fmt.Errorf("tax report %s: the file name must end in .xlsx", path)
	}
	// Excelize's own document properties and archive (the report has
	// always been written so), amounts with all their minor digits.
	b, err := xlsx.New(xlsx.Options{FirstSheet: TaxSheetTotals, AllMinorDigits: true})
	if err != nil {
		return err
	}
	if err := writeTaxReport(b, meta, rows); err != nil {
		b.Close()
		return err
	}
	return publishBook(path, b)
}

func writeTaxReport(b *xlsx.Book, meta TaxReportMeta, rows []ledger.TaxPeriodTotal) error {
	for _, s := range []string{TaxSheetMismatches, TaxSheetCurrencies, TaxSheetAbout} {
		if err := b.NewSheet(s); err != nil {
			return err
		}
	}
	header := b.BoldStyle()
	text := func(s string) xlsx.Cell { return xlsx.String(s, 0) } // no text format: the report never had one
	count := func(n int64) xlsx.Cell { return xlsx.Int(n, 0) }
	money := func(v int64, cur reconcile.Currency) xlsx.Cell { return b.Money(v, cur.Code) }
	headerRow := func(names []string) []xlsx.Cell {
		cells := make([]xlsx.Cell, len(names))
		for i, n := range names {
			cells[i] = xlsx.String(n, header)
		}
		return cells
	}

	expected := "gross of the sales settled in the month"
	if meta.Model == reconcile.InvoicePartnership {
		expected = "shares earned on the sales settled in the month"
	}
	if err := b.SetCells(TaxSheetTotals, 1, 1, headerRow(taxTotalsHeader)...); err != nil {
		return err
	}
	if err := b.SetCells(TaxSheetMismatches, 1, 1, headerRow(taxMismatchHeader)...); err != nil {
		return err
	}
	if err := b.SetCells(TaxSheetCurrencies, 1, 1, headerRow(taxCurrencyHeader)...); err != nil {
		return err
	}

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
		if err := b.SetCells(TaxSheetTotals, 1, i+2, text(r.Producers), text(r.Name), text(r.TaxID), text(r.Currency.Code),
			count(r.Sales), money(r.Expected, r.Currency), count(r.Invoices), money(r.Invoiced, r.Currency),
			money(r.Difference(), r.Currency), text(status), count(r.NotSummed)); err != nil {
			return err
		}
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
		if err := b.SetCells(TaxSheetMismatches, 1, mismatches+1, text(reconcile.PeriodTotalMismatch), text(r.Producers),
			text(r.Name), text(r.TaxID), text(r.Currency.Code), money(r.Expected, r.Currency), money(r.Invoiced, r.Currency),
			money(r.Difference(), r.Currency), text(detail)); err != nil {
			return err
		}
	}
	codes := make([]string, 0, len(byCur))
	for c := range byCur {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for i, c := range codes {
		t := byCur[c]
		if err := b.SetCells(TaxSheetCurrencies, 1, i+2, text(c), count(t.sales), money(t.expected, t.cur), count(t.invoices),
			money(t.invoiced, t.cur), money(t.invoiced-t.expected, t.cur), count(t.mismatches)); err != nil {
			return err
		}
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
		if err := b.SetCells(TaxSheetAbout, 1, i+1, text(kv[0]), text(kv[1])); err != nil {
			return err
		}
	}
	for _, s := range []string{TaxSheetTotals, TaxSheetMismatches, TaxSheetCurrencies} {
		if err := b.Freeze(s, 0, 1); err != nil {
			return err
		}
	}
	return b.Err()
}

func taxOrNone(s string) string {
	if s == "" {
		return "no tax id"
	}
	return s
}
