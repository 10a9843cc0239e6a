package jobs

import (
	"context"
	"fmt"
	"time"

	"payouts/reconcile"
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
func publishWorkbook(ctx context.Context, st *store.Store, dir *reports.RunDir, run store.Run, params store.RunParams,
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
func financeWorkbook(ctx context.Context, st *store.Store, run store.Run, maxRows int) (reports.FinanceWorkbook, error) {
	w := reports.FinanceWorkbook{RunID: run.RunID, BusinessDate: run.BusinessDate[:10], Kind: string(run.Kind),
		WindowEnd: run.WindowEnd, MaxRows: maxRows}
	curs, err := st.WorkbookCurrencies(ctx, run.RunID)
	if err != nil {
		return w, err
	}
	for _, c := range curs {
		w.Currencies = append(w.Currencies, reports.CurrencySummary{Currency: c.Currency, SalesAllocated: c.SalesAllocated,
			Gross: c.Gross, Net: c.Net, Affiliate: c.Affiliate, Coproducer: c.Coproducer, Lead: c.Lead, Lines: c.Lines})
	}
	counts, err := st.WorkbookDiscrepancyCounts(ctx, run.RunID)
	if err != nil {
		return w, err
	}
	for _, c := range counts {
		w.DiscrepancyCounts = append(w.DiscrepancyCounts, reports.DiscrepancyCount{Kind: c.Kind, Currency: c.Currency, Count: c.Count})
	}
	history, err := st.PayoutHistory(ctx, run, historyRuns)
	if err != nil {
		return w, err
	}
	for _, h := range history {
		if n := len(w.History); n == 0 || w.History[n-1].RunID != h.RunID {
			w.History = append(w.History, reports.RunPayouts{RunID: h.RunID, BusinessDate: h.BusinessDate})
		}
		if h.Currency != "" {
			last := &w.History[len(w.History)-1]
			last.Payouts = append(last.Payouts, reports.CurrencyAmount{Currency: h.Currency, Amount: h.Amount})
		}
	}
	w.Participants = func(fn func(reports.ParticipantBalance) error) error {
		return st.WorkbookBalances(ctx, run.RunID, func(b store.WorkbookBalance) error {
			return fn(reports.ParticipantBalance(b))
		})
	}
	w.Contracts = func(fn func(reports.ContractApplied) error) error {
		return st.WorkbookContracts(ctx, run.RunID, func(c store.WorkbookContract) error {
			return fn(reports.ContractApplied(c))
		})
	}
	w.HeldSales = func(fn func(reports.HeldSale) error) error {
		return st.WorkbookHeldSales(ctx, run.RunID, func(h store.WorkbookHeldSale) error {
			return fn(reports.HeldSale(h))
		})
	}
	w.ReportVersion = run.ReportVersion
	backlog, err := st.WorkbookBacklog(ctx, run.RunID)
	if err != nil {
		return w, err
	}
	for _, c := range backlog {
		w.Backlog = append(w.Backlog, reports.BacklogCount(c))
	}
	w.Discrepancies = func(fn func(reconcile.ReportedDiscrepancy) error) error {
		return st.RunDiscrepancies(ctx, run.RunID, store.DiscrepanciesReported, fn)
	}
	itemTotals, err := st.WorkbookItemTotals(ctx, run.RunID)
	if err != nil {
		return w, err
	}
	for _, t := range itemTotals {
		w.ItemTotals = append(w.ItemTotals, reports.PayoutItemTotal(t))
	}
	w.PayoutItems = func(fn func(reports.PayoutItemRow) error) error {
		return st.WorkbookItems(ctx, run.RunID, func(it store.WorkbookItem) error {
			return fn(reports.PayoutItemRow(it))
		})
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
func publishStatements(ctx context.Context, st *store.Store, dir *reports.RunDir, run store.Run, maxRows int) error {
	runs, err := statementRuns([]store.Run{run})
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
func statementRuns(runs []store.Run) ([]reports.StatementRun, error) {
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
		out[i] = reports.StatementRun{RunID: r.RunID, BusinessDate: r.BusinessDate[:10], WindowEnd: r.WindowEnd, Location: loc}
	}
	return out, nil
}

// statementRows streams the statement rows of runIDs (of participantID,
// or of everyone when "") from the store.
func statementRows(ctx context.Context, st *store.Store, runIDs []string, participantID string) func(func(reports.StatementRow) error) error {
	return func(fn func(reports.StatementRow) error) error {
		return st.StatementRows(ctx, runIDs, participantID, func(r store.StatementRow) error {
			row := reports.StatementRow{ParticipantID: r.ParticipantID, Part: reports.StatementPartPayout, RunID: r.RunID,
				Currency: r.Currency, Name: r.Name, BroughtForward: r.BroughtForward, CarriedForward: r.CarriedForward,
				Returned: r.Returned, Line: r.Line, Amount: r.Amount, Reference: r.Reference}
			switch r.Part {
			case store.StatementBalance:
				row.Part = reports.StatementPartBalance
			case store.StatementLine:
				row.Part = reports.StatementPartLine
			}
			return fn(row)
		})
	}
}
