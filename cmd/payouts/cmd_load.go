package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"payouts/reconcile"
	"payouts/sql/load"
)

func cmdLoad(ctx context.Context, e *environment, args []string) error {
	fs := newFlags(e, "load", "load DIR\n\nLoads participants.csv, products.csv, contract_terms.csv, affiliations.csv,\nsales.csv, sale_events.csv and tax_records.csv from DIR (absent files are\nskipped). One bad row fails the whole load and nothing is written.")
	if err := parseFlagsArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"load: exactly one directory expected (payouts load DIR)"}
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := load.Dir(ctx, st.DB, fs.Arg(0), e.progress)
	if err := loadFailure(e, "load "+fs.Arg(0), err); err != nil {
		return err
	}
	for _, f := range res.Files {
		fmt.Fprintf(e.stdout, "%s: %s\n", f.Name, reconcile.Plural(int64(f.Rows), "row", ""))
	}
	if len(res.RerunDates) > 0 {
		fmt.Fprintf(e.stdout, "changed %s already paid: rerun business dates %s (payouts rerun --date D --reason TEXT, each)\n",
			reconcile.Plural(res.PaidSalesChanged, "sale", ""), strings.Join(res.RerunDates, ", "))
	}
	return nil
}

// loadFailure prints every bad row of a failed load (FILE:LINE: reason) on
// stderr and returns the one-line failure; other errors pass through.
func loadFailure(e *environment, what string, err error) error {
	var bad *load.Errors
	if !errors.As(err, &bad) {
		return err
	}
	for _, r := range bad.Rows {
		fmt.Fprintln(e.stderr, r.Error())
	}
	if bad.More > 0 {
		fmt.Fprintf(e.stderr, "... and %d more errors\n", bad.More)
	}
	return fmt.Errorf("%s: %s; nothing was written", what, reconcile.Plural(int64(len(bad.Rows))+bad.More, "bad row", ""))
}
