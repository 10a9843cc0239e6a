package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"payouts/jobs"
)

func cmdRerun(ctx context.Context, e *environment, args []string) error {
	fs := newFlags(e, "rerun", "rerun --date YYYY-MM-DD --reason TEXT [--out DIR] [--wait DURATION]\n\nRecomputes the sales the nightly run of the date allocated from today's data\n(corrected terms, amounts, fees) and writes the differences as adjustment\nlines in a new run rerun-YYYYMMDD-N, paid or carried like any balance.")
	date := fs.String("date", "", "business date whose nightly run to recompute (YYYY-MM-DD)")
	reason := fs.String("reason", "", "why the rerun is needed (recorded with the run, shown by status)")
	out := fs.String("out", "", "output root (default $PAYOUTS_OUT, else ./out)")
	wait := fs.Duration("wait", 0, "how long to wait for another run to finish (e.g. 10m); 0: exit 75 at once")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	d, err := parseDateFlag("rerun", *date)
	if err != nil {
		return err
	}
	if strings.TrimSpace(*reason) == "" {
		return usageError{"rerun: --reason TEXT is required"}
	}
	if *wait < 0 {
		return usageError{"rerun: --wait must not be negative"}
	}
	cfg, err := e.config(*out)
	if err != nil {
		return err
	}
	cfg.LockWait = *wait
	if err := e.checkDateEnded("rerun", d, cfg.Location); err != nil {
		return err
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := jobs.RunRerun(ctx, st, cfg, jobs.RerunRequest{Date: d, Reason: *reason, RequestedBy: osUser()})
	if errors.Is(err, jobs.ErrBusy) {
		return busyError{err}
	}
	if err != nil {
		return err
	}
	if res.Resumed {
		fmt.Fprintf(e.stdout, "rerun %s (reason %q) had been computed but not published: published it now; run rerun again for a new one\n",
			res.Run.RunID, res.Run.Reason)
	}
	return printRunSummary(ctx, e, st, res)
}
