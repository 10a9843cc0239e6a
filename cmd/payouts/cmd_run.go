package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"payouts/jobs"
	"payouts/reconcile/runtype"
	"payouts/sql/store"
)

func cmdRun(ctx context.Context, e *environment, args []string) error {
	fs := newFlags(e, "run", "run --date YYYY-MM-DD [--out DIR] [--wait DURATION]")
	date := fs.String("date", "", "business date to run (YYYY-MM-DD, in PAYOUTS_TZ)")
	out := fs.String("out", "", "output root (default $PAYOUTS_OUT, else ./out)")
	wait := fs.Duration("wait", 0, "how long to wait for another run to finish (e.g. 10m); 0: exit 75 at once")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *wait < 0 {
		return usageError{"run: --wait must not be negative"}
	}
	d, err := parseDateFlag("run", *date)
	if err != nil {
		return err
	}
	cfg, err := e.config(*out)
	if err != nil {
		return err
	}
	cfg.LockWait = *wait
	if err := e.checkDateEnded("run", d, cfg.Location); err != nil {
		return err
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := jobs.RunNightly(ctx, st, cfg, d)
	if errors.Is(err, jobs.ErrBusy) {
		return busyError{err}
	}
	if err != nil {
		return err
	}
	if res.AlreadyDone {
		fmt.Fprintf(e.stdout, "%s already covered by run %s (completed; files in %s); nothing to do\n",
			d, res.Run.RunID, res.Run.OutDir)
		return nil
	}
	return printRunSummary(ctx, e, st, res)
}

// printRunSummary prints what a run did: counts, per-currency totals,
// discrepancies by kind, and where the files are.
func printRunSummary(ctx context.Context, e *environment, st *store.Store, res jobs.Result) error {
	r := res.Run
	fmt.Fprintf(e.stdout, "run %s (%s %s): %s\n", r.RunID, r.Kind, r.BusinessDate, r.Status)
	if r.Kind == runtype.Rerun {
		// A rerun allocates nothing: its count is the sales it adjusted.
		fmt.Fprintf(e.stdout, "  reason %q (requested by %s); sales adjusted %d, adjustment lines %d, payout items %d\n",
			r.Reason, orDash(r.RequestedBy), r.SalesAllocated, r.LineCount, r.PayoutCount)
	} else {
		fmt.Fprintf(e.stdout, "  sales allocated %d, held %d, events taken %d, lines %d, payout items %d\n",
			r.SalesAllocated, r.SalesHeld, r.EventsReversed, r.LineCount, r.PayoutCount)
	}
	ct := res.Manifest.ControlTotals
	curs := map[string]bool{}
	for c := range ct.Lines {
		curs[c] = true
	}
	for c := range ct.PayoutItems {
		curs[c] = true
	}
	for _, c := range sortedKeys(curs) {
		l, p := ct.Lines[c], ct.PayoutItems[c]
		fmt.Fprintf(e.stdout, "  %s: %d lines totalling %s; %d payout items totalling %s\n",
			c, l.Count, orZero(l.Amount), p.Count, orZero(p.Amount))
	}
	kinds, err := st.RunDiscrepancyCounts(ctx, r.RunID)
	if err != nil {
		return err
	}
	var parts []string
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s %d", k.Kind, k.Count))
	}
	if len(parts) == 0 {
		parts = []string{"none"}
	}
	fmt.Fprintf(e.stdout, "  open discrepancies: %s\n", strings.Join(parts, ", "))
	fmt.Fprintf(e.stdout, "  files: %s\n", res.Dir)
	return nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}
