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

// historyRuns is how many runs the Summary's payout history covers.
const historyRuns = 30

// publishWorkbook writes the run's finance workbook and, when the run was
// computed with PAYOUTS_STATEMENTS=1, one statement per participant. The
// workbook's sums of the Participants sheet must match the lines and
// payout items the CSV files hold (lines, items), or the publication
// fails before the manifest is written. maxRows is 0 (the sheet's limit)
// but in tests (hooks.workbookMaxRows).
func publishWorkbook(ctx context.Context, st *store.Store, dir *reports.RunDir, run ledger.Run, params ledger.RunParams,
	lines, items totals, maxRows int) error {
	w, err := financeWorkbook(ctx, st, run, maxRows)
	if err != nil {
		return err
	}
	tot, err := dir.WriteFinanceWorkbook(w)
	if err != nil {
		return err
	}
	if err := checkWorkbook(run.RunID, tot, lines, items); err != nil {
		return err
	}
	if params.Statements {
		return publishStatements(ctx, st, dir, run, maxRows)
	}
	return nil
}

// financeWorkbook gathers what the workbook of run shows: the small parts
// now, the lists as streams from the database.
func financeWorkbook(ctx context.Context, st *store.Store, run ledger.Run, maxRows int) (reports.FinanceWorkbook, error) {
	w := reports.FinanceWorkbook{Run: run, MaxRows: maxRows}
	var err error
	if w.Currencies, err = st.WorkbookCurrencies(ctx, run.RunID); err != nil {
		return w, err
	}
	if w.DiscrepancyCounts, err = st.WorkbookDiscrepancyCounts(ctx, run.RunID); err != nil {
		return w, err
	}
	if w.History, err = st.PayoutHistory(ctx, run, historyRuns); err != nil {
		return w, err
	}
	if w.Backlog, err = st.WorkbookBacklog(ctx, run.RunID); err != nil {
		return w, err
	}
	if w.ItemTotals, err = st.WorkbookItemTotals(ctx, run.RunID); err != nil {
		return w, err
	}
	w.Participants = func(fn func(ledger.ParticipantBalance) error) error {
		return st.WorkbookBalances(ctx, run.RunID, fn)
	}
	w.Contracts = func(fn func(ledger.ContractApplied) error) error {
		return st.WorkbookContracts(ctx, run.RunID, fn)
	}
	w.HeldSales = func(fn func(ledger.HeldSale) error) error {
		return st.WorkbookHeldSales(ctx, run.RunID, fn)
	}
	w.Discrepancies = func(fn func(reconcile.ReportedDiscrepancy) error) error {
		return st.RunDiscrepancies(ctx, run.RunID, store.DiscrepanciesReported, fn)
	}
	w.PayoutItems = func(fn func(ledger.ItemState) error) error {
		return st.WorkbookItems(ctx, run.RunID, fn)
	}
	return w, nil
}

// checkWorkbook compares the workbook's Participants sheet with the
// participant files (lines) and provider files (items).
func checkWorkbook(runID string, w reports.WorkbookTotals, lines, items totals) error {
	for _, c := range []struct {
		what   string
		sheet  map[string]int64
		files  totals
		counts map[string]int64
	}{{"lines", w.Lines, lines, nil}, {"payouts", w.Payouts, items, w.PayoutCount}} {
		for code, v := range c.sheet {
			var files [2]int64
			if f := c.files[code]; f != nil {
				files = *f
			}
			if v != files[1] || (c.counts != nil && c.counts[code] != files[0]) {
				return fmt.Errorf("run %s: workbook %s in %s: the Participants sheet holds %d (%d rows), the files %d (%d rows)",
					runID, c.what, code, v, c.counts[code], files[1], files[0])
			}
		}
		for code, f := range c.files {
			if _, ok := c.sheet[code]; !ok && f[1] != 0 {
				return fmt.Errorf("run %s: workbook %s: the files hold %s, the Participants sheet does not", runID, c.what, code)
			}
		}
	}
	return nil
}

// publishStatements publishes statements/<participant_id>.xlsx for every
// participant with a balance in the run: the run's lines and payout items
// of each, in one pass over the database.
func publishStatements(ctx context.Context, st *store.Store, dir *reports.RunDir, run ledger.Run, maxRows int) error {
	runs, err := statementRuns([]ledger.Run{run})
	if err != nil {
		return err
	}
	return dir.WriteStatements(reports.StatementSource{Runs: runs, From: run.BusinessDate[:10], To: run.BusinessDate[:10],
		Rows: statementRows(ctx, st, []string{run.RunID}, ""), MaxRows: maxRows})
}

// WriteStatement writes the statement of participantID over the runs of
// business dates from..to (inclusive) to path: `payouts statement`.
func WriteStatement(ctx context.Context, st *store.Store, participantID string, from, to reconcile.Date, path string) (reports.StatementResult, error) {
	var res reports.StatementResult
	runs, err := st.RunsBetween(ctx, from, to)
	if err != nil {
		return res, err
	}
	ids := make([]string, len(runs))
	for i, r := range runs {
		ids[i] = r.RunID
	}
	name, ok, err := st.ParticipantName(ctx, participantID, ids)
	if err != nil {
		return res, err
	}
	if !ok {
		return res, fmt.Errorf("statement: no participant %q", participantID)
	}
	covered, err := statementRuns(runs)
	if err != nil {
		return res, err
	}
	return reports.WriteParticipantStatement(path, participantID, name, reports.StatementSource{Runs: covered,
		From: from.String(), To: to.String(), Rows: statementRows(ctx, st, ids, participantID)})
}

// statementRuns are the runs a statement covers, each with the platform
// zone it was computed in.
func statementRuns(runs []ledger.Run) ([]reports.StatementRun, error) {
	out := make([]reports.StatementRun, len(runs))
	for i, r := range runs {
		p, err := r.Params()
		if err != nil {
			return nil, err
		}
		loc, err := time.LoadLocation(p.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("run %s: time zone %q: %w", r.RunID, p.TimeZone, err)
		}
		out[i] = reports.StatementRun{Run: r, Location: loc}
	}
	return out, nil
}

// statementRows streams the statement rows of runIDs (of participantID,
// or of everyone when "") from the store.
func statementRows(ctx context.Context, st *store.Store, runIDs []string, participantID string) func(func(ledger.StatementRow) error) error {
	return func(fn func(ledger.StatementRow) error) error {
		return st.StatementRows(ctx, runIDs, participantID, fn)
	}
}
