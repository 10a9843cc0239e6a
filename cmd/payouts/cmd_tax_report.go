package main

import (
	"context"
	"fmt"

	"payouts/jobs"
)

func cmdTaxReport(ctx context.Context, e *environment, args []string) error {
	fs := newFlags(e, "tax-report", "tax-report --month YYYY-MM --out FILE.xlsx\n\n"+
		"Writes the monthly tax report: per producer and currency, the gross of the\n"+
		"sales settled in the month (the producer's shares under\n"+
		"PAYOUTS_INVOICE_MODEL=partnership) against the active invoices issued in the\n"+
		"month under its tax id, the difference, and PERIOD_TOTAL_MISMATCH rows.\n"+
		"Months are calendar months in PAYOUTS_TZ.")
	month := fs.String("month", "", "the month (YYYY-MM, in PAYOUTS_TZ)")
	out := fs.String("out", "", "the workbook to write (.xlsx)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *month == "" || *out == "" {
		return usageError{"tax-report: --month YYYY-MM and --out FILE.xlsx are required"}
	}
	year, m, err := jobs.ParseMonth(*month)
	if err != nil {
		return usageError{"tax-report: --month: " + err.Error()}
	}
	cfg, err := e.config("")
	if err != nil {
		return err
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := jobs.TaxReport(ctx, st, cfg, year, m, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "tax report %s: %d producer and currency rows, %d PERIOD_TOTAL_MISMATCH; written to %s\n",
		*month, res.Rows, res.Mismatches, *out)
	return nil
}
