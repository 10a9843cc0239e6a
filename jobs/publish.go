package jobs

import (
	"context"
	"fmt"
	"time"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
	"payouts/reports"
	"payouts/reports/cnab240"
	"payouts/sql/store"
)

// Publish writes a computed run's files under out/<date>/<run-id>/ from
// what the database holds for the run, manifest last. It is how a run
// publishes the first time and how `export` publishes it again, so both
// produce the same bytes. Before the manifest is written, the totals of
// the files are checked against the lines and payout items stored for
// the run.
//
// progress (may be nil) is told what was written as publication goes: at a
// million sales it takes about 20 seconds.
func Publish(ctx context.Context, st *store.Store, run ledger.Run, out string, progress func(format string, args ...any)) (string, reports.Manifest, error) {
	return publishHooked(ctx, st, run, out, progress, hooks{})
}

// publishHooked is Publish with the hooks of a run's Config (none in
// production).
func publishHooked(ctx context.Context, st *store.Store, run ledger.Run, out string, progress func(format string, args ...any),
	h hooks) (string, reports.Manifest, error) {
	if progress == nil {
		progress = func(string, ...any) {}
	}
	dir, m, err := publish(ctx, st, run, out, progress, h)
	if dir != nil {
		defer dir.Close()
	}
	if err != nil && dir != nil {
		// A failed publication leaves nothing behind: no manifest, no files.
		if rmErr := dir.Remove(); rmErr != nil {
			err = fmt.Errorf("%w (and removing %s failed: %v)", err, dir.Path, rmErr)
		}
		return "", m, err
	}
	if err != nil {
		return "", m, err
	}
	return dir.Path, m, nil
}

func publish(ctx context.Context, st *store.Store, run ledger.Run, out string, progress func(string, ...any),
	h hooks) (*reports.RunDir, reports.Manifest, error) {
	params, err := run.Params()
	if err != nil {
		return nil, reports.Manifest{}, err
	}
	loc, err := time.LoadLocation(params.TimeZone)
	if err != nil {
		return nil, reports.Manifest{}, fmt.Errorf("run %s: time zone %q: %w", run.RunID, params.TimeZone, err)
	}
	dir, err := reports.OpenRunDir(out, run.BusinessDate, run.RunID)
	if err != nil {
		return nil, reports.Manifest{}, err
	}
	dir.PublishHook = h.publish
	lines := totals{}
	pf := dir.NewParticipantFiles(run.RunID, loc)
	if err := st.RunLines(ctx, run.RunID, func(l store.LineRow) error {
		lines.add(l.Currency, l.Amount)
		return pf.Add(l)
	}); err != nil {
		return dir, reports.Manifest{}, err
	}
	if err := pf.Close(); err != nil {
		return dir, reports.Manifest{}, err
	}
	progress("run %s: participant files written (%d lines)", run.RunID, lines.count())

	stored, err := st.PayoutTotals(ctx, run.RunID)
	if err != nil {
		return dir, reports.Manifest{}, err
	}
	itemTotals := map[string]ledger.RunTotal{}
	for _, t := range stored {
		itemTotals[t.Currency] = t
	}
	items := totals{}
	pc := dir.NewProviderCSVFiles(run.RunID)
	px := dir.NewPain001Files(run.RunID, painSettings(run, params), itemTotals)
	var brl []reconcile.PayoutItem // the CNAB 240 remittance groups them by payment method
	if err := st.RunPayoutItems(ctx, run.RunID, func(it reconcile.PayoutItem) error {
		items.add(it.Currency, it.Amount)
		if it.Currency == "BRL" && params.CNAB != nil {
			brl = append(brl, it)
		}
		if err := pc.Add(it); err != nil {
			return err
		}
		return px.Add(it)
	}); err != nil {
		return dir, reports.Manifest{}, err
	}
	if err := pc.Close(); err != nil {
		return dir, reports.Manifest{}, err
	}
	if err := px.Close(); err != nil {
		return dir, reports.Manifest{}, err
	}
	if len(brl) > 0 {
		set, err := cnabSettings(ctx, st, run, params, loc)
		if err != nil {
			return dir, reports.Manifest{}, err
		}
		if err := dir.WriteCNAB240(run.RunID, set, brl, itemTotals["BRL"]); err != nil {
			return dir, reports.Manifest{}, err
		}
	}
	progress("run %s: provider files written (%d payout items)", run.RunID, items.count())

	df, err := dir.NewDiscrepancyFile(run.ReportVersion)
	if err != nil {
		return dir, reports.Manifest{}, err
	}
	if err := st.RunDiscrepancies(ctx, run.RunID, store.DiscrepanciesChanged, df.Add); err != nil {
		return dir, reports.Manifest{}, err
	}
	if err := df.Close(); err != nil {
		return dir, reports.Manifest{}, err
	}
	progress("run %s: discrepancies.csv written", run.RunID)
	if err := publishWorkbook(ctx, st, dir, run, params, lines, items, h.workbookMaxRows); err != nil {
		return dir, reports.Manifest{}, err
	}
	progress("run %s: finance workbook written", run.RunID)

	if h.beforeManifest != nil {
		if err := h.beforeManifest(ctx, run.RunID); err != nil {
			return dir, reports.Manifest{}, err
		}
	}
	if err := checkAgainstStore(ctx, st, run.RunID, lines, items); err != nil {
		return dir, reports.Manifest{}, err
	}
	lineTotals, err := lines.manifest()
	if err != nil {
		return dir, reports.Manifest{}, err
	}
	itemManifest, err := items.manifest()
	if err != nil {
		return dir, reports.Manifest{}, err
	}
	m, err := dir.Finish(reports.Manifest{RunID: run.RunID, BusinessDate: run.BusinessDate, Kind: run.Kind,
		WindowEnd:     reconcile.FormatTimestamp(run.WindowEnd),
		ControlTotals: reports.ControlTotals{Lines: lineTotals, PayoutItems: itemManifest}})
	if err != nil {
		return dir, m, err
	}
	if err := st.RecordRunFiles(ctx, run.RunID, m.Files); err != nil {
		return dir, m, err
	}
	return dir, m, nil
}

// painSettings are the pain.001 settings of a run: the paying side it was
// computed with, created at its window end, executed the configured number
// of business days after its business date.
func painSettings(run ledger.Run, p ledger.RunParams) reports.Pain001Settings {
	d := p.Debtor
	if d.Name == "" { // runs recorded before the debtor was a run parameter
		d = ledger.DebtorParams{Name: DefaultDebtorName, InitiatingParty: DefaultDebtorName, Account: DefaultDebtorAccount, ExecutionLagDays: 1}
	}
	return reports.Pain001Settings{InitiatingParty: d.InitiatingParty, DebtorName: d.Name, DebtorAccount: d.Account,
		DebtorAgentBIC: d.AgentBIC, CreatedAt: run.WindowEnd, ExecutionDate: run.Date().AddBusinessDays(d.ExecutionLagDays)}
}

// cnabSettings are the CNAB 240 settings of a run: the paying company and
// bank profile it was computed with, generated at its window end in its
// zone (the end of the business day, as the pain.001 CreDtTm), paid on the
// pain.001 execution date, numbered by the run's place among the runs
// with remittances.
func cnabSettings(ctx context.Context, st *store.Store, run ledger.Run, p ledger.RunParams, loc *time.Location) (cnab240.Settings, error) {
	c := *p.CNAB
	prof, err := cnab240.LookupProfile(c.Bank, c.BankCode)
	if err != nil {
		return cnab240.Settings{}, fmt.Errorf("run %s: %w", run.RunID, err)
	}
	seq, err := st.CNABSequence(ctx, run.RunID)
	if err != nil {
		return cnab240.Settings{}, err
	}
	return cnab240.Settings{Profile: prof, Company: cnabCompany(c), Generated: run.WindowEnd.In(loc),
		Sequence: seq, PaymentDate: painSettings(run, p).ExecutionDate}, nil
}

// totals counts and sums amounts per currency.
type totals map[string]*[2]int64

// count is the number of amounts added, all currencies together.
func (t totals) count() int64 {
	var n int64
	for _, v := range t {
		n += v[0]
	}
	return n
}

func (t totals) add(cur string, amount int64) {
	v := t[cur]
	if v == nil {
		v = &[2]int64{}
		t[cur] = v
	}
	v[0]++
	v[1] += amount
}

func (t totals) manifest() (map[string]reports.CurrencyTotal, error) {
	out := map[string]reports.CurrencyTotal{}
	for code, v := range t {
		cur, err := reconcile.LookupCurrency(code)
		if err != nil {
			return nil, err
		}
		out[code] = reports.CurrencyTotal{Count: v[0], Amount: reconcile.FormatAmount(v[1], cur)}
	}
	return out, nil
}

// checkAgainstStore compares what the files hold with what the database
// holds for the run; a difference fails the publication before the
// manifest is written.
func checkAgainstStore(ctx context.Context, st *store.Store, runID string, lines, items totals) error {
	for _, c := range []struct {
		what  string
		files totals
		load  func(context.Context, string) ([]ledger.RunTotal, error)
	}{{"lines", lines, st.LineTotals}, {"payout items", items, st.PayoutTotals}} {
		stored, err := c.load(ctx, runID)
		if err != nil {
			return err
		}
		if len(stored) != len(c.files) {
			return fmt.Errorf("run %s: %s: the files cover %d currencies, the database %d", runID, c.what, len(c.files), len(stored))
		}
		for _, s := range stored {
			f := c.files[s.Currency]
			if f == nil || f[0] != s.Count || f[1] != s.Amount {
				return fmt.Errorf("run %s: %s in %s: the files hold %v, the database %d rows totalling %d",
					runID, c.what, s.Currency, f, s.Count, s.Amount)
			}
		}
	}
	return nil
}
