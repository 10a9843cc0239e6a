package jobs

import (
	"context"
	"errors"
	"fmt"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
	"payouts/reconcile/runtype"
	"payouts/reports"
	"payouts/sql/store"
)

// ErrDateRefused is returned for a nightly run of a date earlier than the
// latest completed one: that is what rerun is for.
var ErrDateRefused = errors.New("date refused")

// Result is what a run command reports.
type Result struct {
	Run         ledger.Run
	AlreadyDone bool   // a completed run already covered the date; nothing was done
	Resumed     bool   // a rerun found computed but unpublished was published; no new rerun was made
	Dir         string // the run's output directory
	Manifest    reports.Manifest
}

// NightlyRunID is the id of the nightly run of d. It is derived from the
// date alone, so a run that crashed is redone under the same id and its
// payout references do not change.
func NightlyRunID(d reconcile.Date) string { return string(runtype.Nightly) + "-" + d.Compact() }

// RunNightly is `payouts run --date D` (SPEC sections 3 and 9): it takes
// the run lock, computes the run in one transaction and publishes its
// files. A completed run of D makes it a no-op; a run of D that crashed or
// failed is redone, and one that computed but did not publish is published.
func RunNightly(ctx context.Context, st *store.Store, cfg Config, d reconcile.Date) (Result, error) {
	lock, err := lockAndRecover(ctx, st, cfg, "run "+NightlyRunID(d))
	if err != nil {
		return Result{}, err
	}
	defer lock.Release()

	existing, found, err := st.NightlyRun(ctx, d)
	if err != nil {
		return Result{}, err
	}
	if found && existing.Status == runtype.Completed {
		return Result{Run: existing, AlreadyDone: true, Dir: existing.OutDir}, nil
	}
	latest, ok, err := st.LatestNightly(ctx)
	if err != nil {
		return Result{}, err
	}
	if ok && d.Before(latest.Date()) {
		return Result{}, fmt.Errorf("%w: %s is earlier than %s, already run by %s; use `payouts rerun --date %s --reason ...` to recompute it",
			ErrDateRefused, d, latest.BusinessDate, latest.RunID, d)
	}

	run := existing
	if !found || existing.Status != runtype.Computed {
		params, err := cfg.runParams()
		if err != nil {
			return Result{}, err
		}
		run = ledger.Run{RunID: NightlyRunID(d), BusinessDate: d.String(), Kind: runtype.Nightly,
			WindowEnd: reconcile.WindowEnd(d, cfg.Location), ParamsJSON: params}
		if err := st.StartRun(ctx, run); err != nil {
			return Result{}, err
		}
		cfg.progress("run %s: computing sales settled before %s", run.RunID, reconcile.FormatTimestamp(run.WindowEnd))
		if _, err := compute(ctx, st, cfg, run); err != nil {
			return Result{}, failRun(ctx, st, run.RunID, err)
		}
	}
	return publishAndComplete(ctx, st, cfg, NightlyRunID(d))
}

// publishAndComplete publishes a computed run's files and marks it
// completed. Interrupted anywhere, it leaves the run computed, and doing it
// again gives the same bytes.
func publishAndComplete(ctx context.Context, st *store.Store, cfg Config, runID string) (Result, error) {
	run, err := st.GetRun(ctx, runID)
	if err != nil {
		return Result{}, err
	}
	cfg.progress("run %s: publishing files", run.RunID)
	dir, m, err := publishHooked(ctx, st, run, cfg.OutDir, cfg.progress, cfg.hooks)
	if err != nil {
		return Result{}, fmt.Errorf("publish run %s: %w", run.RunID, err)
	}
	if err := st.CompleteRun(ctx, run.RunID, dir); err != nil {
		return Result{}, err
	}
	run, err = st.GetRun(ctx, run.RunID)
	return Result{Run: run, Dir: dir, Manifest: m}, err
}

// failRun records a failed computation. The run's transaction was rolled
// back, so nothing of it was kept; the next attempt redoes it.
// When the run was aborted (ctx canceled: a shutdown, a signal), the
// cause says so first: the database reports a canceled statement as its
// own error (57014), which does not name the abort.
func failRun(ctx context.Context, st *store.Store, runID string, cause error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(cause, ctxErr) {
		cause = fmt.Errorf("%w: %v", ctxErr, cause)
	}
	if err := st.FailRun(context.WithoutCancel(context.Background()), runID, cause); err != nil {
		return fmt.Errorf("run %s: %w (and recording the failure failed: %v)", runID, cause, err)
	}
	return fmt.Errorf("run %s: %w", runID, cause)
}

// PublishPending publishes, under the run lock, every run that committed
// its computation but whose publication was interrupted (a crash or a
// shutdown between the two), oldest first.
func PublishPending(ctx context.Context, st *store.Store, cfg Config) ([]Result, error) {
	runs, err := st.ComputedRuns(ctx)
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	lock, err := lockAndRecover(ctx, st, cfg, "publish pending runs")
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	if runs, err = st.ComputedRuns(ctx); err != nil { // again, under the lock
		return nil, err
	}
	var out []Result
	for _, r := range runs {
		res, err := publishAndComplete(ctx, st, cfg, r.RunID)
		if err != nil {
			return out, err
		}
		out = append(out, res)
	}
	return out, nil
}
