package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"payouts/internal/seed"
	"payouts/reconcile"
	"payouts/sql/store"
)

func cmdSeed(ctx context.Context, e *environment, args []string) error {
	fs := newFlags(e, "seed", "seed --sales N [--date YYYY-MM-DD] [--seed S]")
	sales := fs.Int("sales", 0, "number of sales settling on the date (required: seed writes into DATABASE_URL)")
	date := fs.String("date", "", "business date the sales settle on (default: yesterday in PAYOUTS_TZ)")
	seedN := fs.Int64("seed", 1, "random seed; the same options write the same marketplace")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *sales < 1 {
		return usageError{"seed: --sales N (at least 1) is required: seed writes a synthetic marketplace into DATABASE_URL"}
	}
	cfg, err := e.config("")
	if err != nil {
		return err
	}
	d, err := dateOrYesterday("seed", *date, cfg.Location)
	if err != nil {
		return err
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	return runSeed(ctx, e, st, seed.Options{Sales: *sales, Date: d, Seed: *seedN, Location: cfg.Location, Progress: e.progress})
}

func runSeed(ctx context.Context, e *environment, st *store.Store, o seed.Options) error {
	sum, err := seed.Run(ctx, st.DB, o)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	var curs []string
	for c, n := range sum.ByCurrency {
		curs = append(curs, fmt.Sprintf("%s %d", c, n))
	}
	sort.Strings(curs)
	fmt.Fprintf(e.stdout, "seeded %s: %d participants, %d products, %d contract versions, %d affiliations, %d sales (%s), %d refunds/chargebacks, %d invoices\n",
		o.Date, sum.Participants, sum.Products, sum.ContractTerms, sum.Affiliations, sum.Sales, strings.Join(curs, ", "), sum.Events, sum.Invoices)
	return nil
}

// dateOrYesterday parses --date, defaulting to yesterday in loc: the date
// a nightly run started today would cover.
func dateOrYesterday(name, v string, loc *time.Location) (reconcile.Date, error) {
	if v == "" {
		return reconcile.DateOf(time.Now(), loc).AddDays(-1), nil
	}
	return parseDateFlag(name, v)
}
