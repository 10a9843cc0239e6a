package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
	"payouts/reconcile/runtype"
	"payouts/sql/store"
)

// RerunRequest is `payouts rerun --date D --reason TEXT`.
type RerunRequest struct {
	Date        reconcile.Date
	Reason      string // why: recorded with the run and shown by status
	RequestedBy string // the operating-system user who asked
}

// RerunID is the id of the seq-th rerun of date d.
func RerunID(d reconcile.Date, seq int) string {
	return fmt.Sprintf("%s-%s-%d", runtype.Rerun, d.Compact(), seq)
}

// RunRerun is `payouts rerun` (SPEC section 9): under the run lock, it
// recomputes every sale the nightly run of the date allocated from today's
// data and writes the differences as adjustment lines in a new run
// rerun-YYYYMMDD-N, settles the balances of the participants it adjusted,
// checks the money and publishes the run's files like a nightly run's.
//
// A rerun of a date whose nightly run has not completed is refused, and so
// is a date later than the latest completed nightly run. A rerun that
// computed but did not publish (its process stopped) is published by the
// next rerun of its date instead of making a new one; one that failed or
// was interrupted before committing is redone under its number.
func RunRerun(ctx context.Context, st *store.Store, cfg Config, req RerunRequest) (Result, error) {
	if strings.TrimSpace(req.Reason) == "" {
		return Result{}, errors.New("a rerun needs a reason")
	}
	d := req.Date
	lock, err := lockAndRecover(ctx, st, cfg, "rerun "+d.String())
	if err != nil {
		return Result{}, err
	}
	defer lock.Release()

	pending, err := st.ComputedRuns(ctx)
	if err != nil {
		return Result{}, err
	}
	for _, r := range pending {
		if r.Kind == runtype.Rerun && r.BusinessDate == d.String() {
			cfg.progress("rerun %s (%q) was computed but not published; publishing it instead of starting a new rerun", r.RunID, r.Reason)
			res, err := publishAndComplete(ctx, st, cfg, r.RunID)
			res.Resumed = true
			return res, err
		}
	}

	latest, ok, err := st.LatestCompletedNightly(ctx)
	if err != nil {
		return Result{}, err
	}
	if !ok || latest.Date().Before(d) {
		last := "none yet"
		if ok {
			last = latest.BusinessDate + " (" + latest.RunID + ")"
		}
		return Result{}, fmt.Errorf("%w: %s is later than the latest completed nightly run (%s); a rerun recomputes what a completed nightly run paid, use `payouts run --date %s` first",
			ErrDateRefused, d, last, d)
	}
	nightly, found, err := st.NightlyRun(ctx, d)
	if err != nil {
		return Result{}, err
	}
	if !found || nightly.Status != runtype.Completed {
		state := "no nightly run"
		if found {
			state = "its nightly run " + nightly.RunID + " is " + string(nightly.Status)
		}
		return Result{}, fmt.Errorf("%w: %s has %s; a rerun recomputes what a completed nightly run allocated", ErrDateRefused, d, state)
	}

	seq, err := st.NextRerunSeq(ctx, d)
	if err != nil {
		return Result{}, err
	}
	params, err := cfg.runParams()
	if err != nil {
		return Result{}, err
	}
	run := ledger.Run{RunID: RerunID(d, seq), BusinessDate: d.String(), Kind: runtype.Rerun, Seq: seq,
		WindowEnd: reconcile.WindowEnd(d, cfg.Location), ParamsJSON: params,
		Reason: req.Reason, RequestedBy: req.RequestedBy}
	if err := st.StartRun(ctx, run); err != nil {
		return Result{}, err
	}
	cfg.progress("run %s: recomputing the sales %s allocated from today's data", run.RunID, nightly.RunID)
	if _, err := computeRerun(ctx, st, cfg, run, nightly.RunID); err != nil {
		return Result{}, failRun(ctx, st, run.RunID, err)
	}
	return publishAndComplete(ctx, st, cfg, run.RunID)
}

// computeRerun does a rerun's money work in one transaction: adjustment
// lines for the sales nightlyID allocated, then the balances of the
// participants adjusted, the checks, the discrepancies, commit.
func computeRerun(ctx context.Context, st *store.Store, cfg Config, run ledger.Run, nightlyID string) (store.RunCounts, error) {
	return inRunTx(ctx, st, cfg, run, func(rt *store.RunTx, counts *store.RunCounts) error {
		return writeAdjustments(ctx, rt, cfg, nightlyID, counts)
	})
}

// writeAdjustments recomputes the sales nightlyID allocated and writes
// their adjustment lines. Settling, checking and committing are as in a
// nightly run (without tax checks, FinishTaxChecks does nothing).
func writeAdjustments(ctx context.Context, rt *store.RunTx, cfg Config, nightlyID string, counts *store.RunCounts) error {
	terms := termsCache{}
	var recomputed int
	err := rt.RerunSales(ctx, nightlyID, cfg.BatchSize, func(rows []store.RerunSaleRow) error {
		recomputed += len(rows)
		if err := terms.load(ctx, rt, len(rows), func(i int) string { return rows[i].Record.ProductID }); err != nil {
			return err
		}
		b := rerunBatch(rows, terms.byProduct, cfg.Policy, counts)
		if err := rt.SaveAdjustments(ctx, b); err != nil {
			return fmt.Errorf("save adjustments: %w", err)
		}
		cfg.progress("recomputed %d sales", recomputed)
		return nil
	})
	if err != nil {
		return fmt.Errorf("recompute: %w", err)
	}
	cfg.progress("recomputation done: %d sales recomputed, %d adjusted, %d adjustment lines", recomputed, counts.SalesAllocated, counts.Lines)
	return nil
}

// rerunBatch recomputes a batch of sales. A rerun's SalesAllocated count is
// the number of sales it adjusted.
func rerunBatch(rows []store.RerunSaleRow, terms map[string][]reconcile.ContractTerm, p reconcile.Policy, counts *store.RunCounts) store.RerunBatch {
	var b store.RerunBatch
	for _, row := range rows {
		in := reconcile.RerunSale{SaleID: row.Record.SaleID, Currency: row.RecordedCurrency,
			Terms: terms[row.Record.ProductID], Events: row.Events, Recorded: row.Positions}
		in.Sale, in.SaleErr = reconcile.ParseSale(row.Record)
		out := reconcile.Rerun(in, p)
		if out.Skipped != nil {
			b.Findings = append(b.Findings, *out.Skipped)
			continue
		}
		if len(out.Adjustments) == 0 {
			continue
		}
		counts.SalesAllocated++
		b.Sales = append(b.Sales, store.RerunSaleResult{SaleID: in.Sale.SaleID, Currency: in.Sale.Currency.Code,
			Gross: out.Gross, Net: out.Net, Paid: out.Paid})
		for _, a := range out.Adjustments {
			b.Lines = append(b.Lines, store.AdjustmentRow{ReversalPart: a.ReversalPart, LineRow: store.LineRow{Line: a.Line,
				ProductID: in.Sale.ProductID, Currency: in.Sale.Currency.Code, SoldAt: in.Sale.SoldAt, SettledAt: in.Sale.SettledAt}})
		}
		counts.Lines += len(out.Adjustments)
	}
	return b
}
