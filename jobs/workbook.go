package jobs

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"payouts/reconcile"
	"payouts/reports"
	"payouts/sql/store"
)

// historyRuns is how many runs the Summary's payout history covers.
const historyRuns = 30

// testWorkbookMaxRows, when set, is the last row a workbook sheet may use
// (tests make lists continue on a second sheet). Zero in production.
var testWorkbookMaxRows int

// publishWorkbook writes the run's finance workbook and, when the run was
// computed with PAYOUTS_STATEMENTS=1, one statement per participant. The
// workbook's sums of the Participants sheet must match the lines and
// payout items the CSV files hold (lines, items), or the publication
// fails before the manifest is written.
func publishWorkbook(ctx context.Context, st *store.Store, dir *reports.RunDir, run store.Run, params store.RunParams,
	lines, items totals) error {
	w, err := financeWorkbook(ctx, st, run)
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
		return publishStatements(ctx, st, dir, run)
	}
	return nil
}

// financeWorkbook gathers what the workbook of run shows: the small parts
// now, the lists as streams from the database.
func financeWorkbook(ctx context.Context, st *store.Store, run store.Run) (reports.FinanceWorkbook, error) {
	w := reports.FinanceWorkbook{RunID: run.RunID, BusinessDate: run.BusinessDate[:10], Kind: string(run.Kind),
		WindowEnd: run.WindowEnd, MaxRows: testWorkbookMaxRows}
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
func publishStatements(ctx context.Context, st *store.Store, dir *reports.RunDir, run store.Run) error {
	b, err := newStatementBuilder([]store.Run{run}, run.BusinessDate[:10], run.BusinessDate[:10])
	if err != nil {
		return err
	}
	b.tmpDir = dir.Path
	b.done = func(w *reports.StatementWriter, _ string) error { return dir.WriteStatement(w) }
	if err := st.StatementRows(ctx, []string{run.RunID}, "", b.add); err != nil {
		b.abort()
		return err
	}
	return b.finish()
}

// StatementResult says what a statement holds.
type StatementResult struct {
	Runs, Lines, Payouts int
}

// WriteStatement writes the statement of participantID over the runs of
// business dates from..to (inclusive) to path: `payouts statement`.
func WriteStatement(ctx context.Context, st *store.Store, participantID string, from, to reconcile.Date, path string) (StatementResult, error) {
	var res StatementResult
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
	b, err := newStatementBuilder(runs, from.String(), to.String())
	if err != nil {
		return res, err
	}
	b.name, b.tmpDir = name, filepath.Dir(path)
	wrote := false
	b.done = func(w *reports.StatementWriter, _ string) error {
		wrote = true
		return reports.WriteStatementFile(path, w)
	}
	if err := st.StatementRows(ctx, ids, participantID, b.add); err != nil {
		b.abort()
		return res, err
	}
	if err := b.finish(); err != nil {
		return res, err
	}
	if !wrote { // nothing in these dates: a statement saying so
		b.participant = participantID
		if err := b.start(); err != nil {
			return res, err
		}
		if err := b.finish(); err != nil {
			return res, err
		}
	}
	return StatementResult{Runs: len(runs), Lines: b.lines, Payouts: b.payouts}, nil
}

// statementBuilder turns a stream of statement rows (by participant:
// balances, then lines, then payout items) into one statement per
// participant, handed to done.
type statementBuilder struct {
	runs     map[string]store.Run // looked up, never ranged over
	locs     map[string]*time.Location
	from, to string
	count    int       // runs covered
	stamp    time.Time // window end of the last run
	name     string    // the participant's name, when known beforehand (one participant)
	tmpDir   string    // where the statements' temporary files go
	done     func(w *reports.StatementWriter, participantID string) error

	participant string
	balances    []store.StatementRow
	w           *reports.StatementWriter
	lines       int
	payouts     int
}

func newStatementBuilder(runs []store.Run, from, to string) (*statementBuilder, error) {
	b := &statementBuilder{runs: map[string]store.Run{}, locs: map[string]*time.Location{}, from: from, to: to, count: len(runs)}
	for _, r := range runs {
		p, err := r.Params()
		if err != nil {
			return nil, err
		}
		loc, err := time.LoadLocation(p.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("run %s: time zone %q: %w", r.RunID, p.TimeZone, err)
		}
		b.runs[r.RunID], b.locs[r.RunID] = r, loc
		b.stamp = r.WindowEnd
	}
	if len(runs) == 0 { // no run: the day after the period, at midnight UTC
		if d, err := time.Parse("2006-01-02", to); err == nil {
			b.stamp = d.AddDate(0, 0, 1)
		}
	}
	return b, nil
}

func (b *statementBuilder) add(r store.StatementRow) error {
	if r.ParticipantID != b.participant {
		if err := b.finish(); err != nil {
			return err
		}
		b.participant = r.ParticipantID
	}
	run, ok := b.runs[r.RunID]
	if !ok {
		return fmt.Errorf("statement: row of unknown run %s", r.RunID)
	}
	date := run.BusinessDate[:10]
	switch r.Part {
	case store.StatementBalance:
		if b.w != nil {
			return fmt.Errorf("statement of %s: a balance after its lines", r.ParticipantID)
		}
		b.balances = append(b.balances, r)
		return nil
	case store.StatementLine:
		if err := b.start(); err != nil {
			return err
		}
		b.lines++
		return b.w.AddLine(reports.StatementLine{BusinessDate: date, RunID: r.RunID, Line: r.Line, Location: b.locs[r.RunID]})
	default:
		if err := b.start(); err != nil {
			return err
		}
		b.payouts++
		return b.w.AddPayout(reports.StatementPayout{BusinessDate: date, RunID: r.RunID, Currency: r.Currency,
			Amount: r.Amount, Reference: r.Reference})
	}
}

// start begins the current participant's statement, once its balances
// are known: the opening balance of a currency is what its first run
// brought forward, the closing one what its last run carried forward.
func (b *statementBuilder) start() error {
	if b.w != nil {
		return nil
	}
	h := reports.StatementHeader{ParticipantID: b.participant, Name: b.name, From: b.from, To: b.to, Runs: b.count,
		Stamp: b.stamp, MaxRows: testWorkbookMaxRows, TmpDir: b.tmpDir}
	at := map[string]int{}
	for _, r := range b.balances {
		i, ok := at[r.Currency]
		if !ok {
			i = len(h.Balances)
			at[r.Currency] = i
			h.Balances = append(h.Balances, reports.StatementBalance{Currency: r.Currency, Opening: r.BroughtForward})
		}
		h.Balances[i].Closing = r.CarriedForward
		h.Balances[i].Returned += r.Returned
		if b.name == "" {
			h.Name = r.Name // the last run's
		}
	}
	sortBalances(h.Balances)
	w, err := reports.NewStatement(h)
	if err != nil {
		return err
	}
	b.w = w
	return nil
}

// finish hands the current participant's statement to done.
func (b *statementBuilder) finish() error {
	if b.participant == "" {
		return nil
	}
	if err := b.start(); err != nil {
		return err
	}
	w, id := b.w, b.participant
	b.w, b.balances, b.participant = nil, nil, ""
	return b.done(w, id)
}

func (b *statementBuilder) abort() {
	if b.w != nil {
		b.w.Abort()
		b.w = nil
	}
}

func sortBalances(bs []reports.StatementBalance) {
	sort.Slice(bs, func(i, j int) bool { return bs[i].Currency < bs[j].Currency })
}
