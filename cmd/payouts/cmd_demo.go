package main

import (
	"context"
	"fmt"
	"os"

	"payouts/internal/pgcluster"
	"payouts/internal/seed"
	"payouts/jobs"
	"payouts/sql/store"
)

func cmdDemo(ctx context.Context, e *environment, args []string) error {
	fs := newFlags(e, "demo", "demo [--sales N] [--date YYYY-MM-DD] [--seed S] [--out DIR] [--keep]\n\nWith DATABASE_URL unset, starts a throwaway PostgreSQL (removed at the end\nunless --keep); then migrates, seeds a marketplace, runs the nightly job for\nthe date and prints a summary with the output paths.")
	sales := fs.Int("sales", 20000, "number of sales to seed")
	date := fs.String("date", "", "business date (default: yesterday in PAYOUTS_TZ)")
	seedN := fs.Int64("seed", 1, "random seed")
	out := fs.String("out", "", "output root (default $PAYOUTS_OUT, else ./out)")
	keep := fs.Bool("keep", false, "keep the throwaway PostgreSQL running and print its DATABASE_URL")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := e.config(*out)
	if err != nil {
		return err
	}
	d, err := dateOrYesterday("demo", *date, cfg.Location)
	if err != nil {
		return err
	}

	url := e.databaseURL()
	if url == "" {
		srv, err := pgcluster.Start(ctx, e.progress)
		if err != nil {
			return err
		}
		if *keep {
			stop, err := srv.Keep()
			if err != nil {
				srv.Stop()
				return err
			}
			defer fmt.Fprintf(e.stdout, "\nthe throwaway PostgreSQL is still running:\n  export DATABASE_URL='%s'\nstop it with:\n  %s\n", srv.URL("payouts_demo"), stop)
		} else {
			defer srv.Stop()
		}
		if err := srv.CreateDatabase(ctx, "payouts_demo", ""); err != nil {
			return err
		}
		url = srv.URL("payouts_demo")
	}
	st, err := store.Open(ctx, url)
	if err != nil {
		return err
	}
	defer st.Close()
	e.progress("applying migrations")
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	e.progress("seeding %d sales settling on %s", *sales, d)
	if err := runSeed(ctx, e, st, seed.Options{Sales: *sales, Date: d, Seed: *seedN, Location: cfg.Location, Progress: e.progress}); err != nil {
		return err
	}
	res, err := jobs.RunNightly(ctx, st, cfg, d)
	if err != nil {
		return err
	}
	if res.AlreadyDone {
		fmt.Fprintf(e.stdout, "%s was already run by %s; files in %s\n", d, res.Run.RunID, res.Run.OutDir)
		return nil
	}
	fmt.Fprintln(e.stdout)
	if err := printRunSummary(ctx, e, st, res); err != nil {
		return err
	}
	wd, _ := os.Getwd()
	fmt.Fprintf(e.stdout, "  (relative to %s)\n", wd)
	return nil
}
