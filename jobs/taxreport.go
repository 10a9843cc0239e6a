package jobs

import (
	"context"
	"fmt"
	"time"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
	"payouts/reports"
	"payouts/sql/store"
)

// TaxReportResult is what `payouts tax-report` wrote.
type TaxReportResult struct {
	Rows       int
	Mismatches int
	From, To   time.Time
}

// ParseMonth reads YYYY-MM.
func ParseMonth(s string) (year int, month time.Month, err error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return 0, 0, fmt.Errorf("month %q is not YYYY-MM", s)
	}
	return t.Year(), t.Month(), nil
}

// TaxReport writes the monthly tax report of year-month (calendar month in
// PAYOUTS_TZ) to path: per producer and currency, what it should have
// invoiced for the sales settled in the month against the active invoices
// it issued in the month, and PERIOD_TOTAL_MISMATCH where they differ
// (SPEC section 8). The file depends only on the database, the month and
// the settings.
func TaxReport(ctx context.Context, st *store.Store, cfg Config, year int, month time.Month, path string) (TaxReportResult, error) {
	first := reconcile.Date{Year: year, Month: month, Day: 1}
	next := reconcile.Date{Year: year, Month: month + 1, Day: 1}
	if month == time.December {
		next = reconcile.Date{Year: year + 1, Month: time.January, Day: 1}
	}
	res := TaxReportResult{From: reconcile.StartOfDay(first, cfg.Location), To: reconcile.StartOfDay(next, cfg.Location)}
	partnership := cfg.Tax.Model == reconcile.InvoicePartnership
	var rows []ledger.TaxPeriodTotal
	err := st.TaxPeriodTotals(ctx, res.From, res.To, partnership, func(t ledger.TaxPeriodTotal) error {
		rows = append(rows, t)
		if t.Mismatch() {
			res.Mismatches++
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	res.Rows = len(rows)
	meta := reports.TaxReportMeta{Month: fmt.Sprintf("%04d-%02d", year, month), TimeZone: cfg.Location.String(),
		Model: cfg.Tax.Model, From: reconcile.FormatTimestamp(res.From), To: reconcile.FormatTimestamp(res.To)}
	if err := reports.WriteTaxReport(path, meta, rows); err != nil {
		return res, err
	}
	return res, nil
}
