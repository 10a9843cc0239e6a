package reports

import (
	"fmt"
	"io"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
	"payouts/reports/xlsx"
)

// FinanceWorkbook is what the finance workbook of a run shows (see
// docs/workbook.md). The small parts are slices; the lists that grow with
// the run are streams, read once, in the order given, straight into the
// sheets.
type FinanceWorkbook struct {
	// Run is the run whose workbook it is: its id, kind, business date
	// and window end head the Summary. Its ReportVersion is the layout:
	// 1 for runs published before discrepancy states (no state or age
	// columns, no backlog), 2 after; an old run's workbook is exported
	// again in its old layout.
	Run ledger.Run

	// Currencies are the run's figures per currency, sorted by code: every
	// currency of its sales, lines, balances, held sales and discrepancies.
	Currencies []ledger.CurrencySummary
	// DiscrepancyCounts count the discrepancies by kind, then currency
	// ("" when a discrepancy has none), sorted: for a run of report
	// version 2 those open after it (its backlog), for an older one those
	// it reported.
	DiscrepancyCounts []ledger.DiscrepancyCount
	// History is the payout totals of the last runs up to this one, oldest
	// first (see docs/workbook.md for which runs).
	History []ledger.RunPayouts

	// Participants streams the run's balances, by currency then
	// participant.
	Participants func(func(ledger.ParticipantBalance) error) error
	// Contracts streams the contract versions of the run's co-producer
	// lines.
	Contracts func(func(ledger.ContractApplied) error) error
	// HeldSales streams the sales the run held.
	HeldSales func(func(ledger.HeldSale) error) error
	// Discrepancies streams what the run reported: what it opened,
	// re-opened or resolved (discrepancies.csv) and every blocking item
	// still open.
	Discrepancies func(func(reconcile.ReportedDiscrepancy) error) error
	// Backlog is the open backlog after the run by kind, blocking,
	// currency and age, sorted (version 2).
	Backlog []ledger.BacklogCount
	// ItemTotals are the payout items by state and currency as the run saw
	// them, sorted by code.
	ItemTotals []ledger.ItemTotals
	// PayoutItems streams the items the Payout items sheet lists: the
	// run's own, those still outstanding, those it credited back.
	PayoutItems func(func(ledger.ItemState) error) error

	// MaxRows is the last row a sheet may use; 0 is Excel's 1,048,576.
	// Tests set less to see a list continue on a second sheet.
	MaxRows int
}

// WorkbookTotals are sums of what the workbook's lists hold, for the
// publication to check against the database and the manifest.
type WorkbookTotals struct {
	Lines       map[string]int64 // commissions + reversals + adjustments of the Participants rows
	Payouts     map[string]int64 // payout column of the Participants rows
	PayoutCount map[string]int64 // Participants rows with a payout
	Returned    int64            // any credited-back amount on the Participants rows (its sum over currencies)
	Rows        int64            // data rows over all list sheets
}

// FinanceWorkbookName is the workbook's path in the run directory.
func FinanceWorkbookName(runID string) string { return "finance-" + runID + ".xlsx" }

// WriteFinanceWorkbook publishes the run's finance workbook at the root
// of its directory. Its manifest entry counts the rows of its lists and
// totals the payouts per currency.
func (d *RunDir) WriteFinanceWorkbook(w FinanceWorkbook) (WorkbookTotals, error) {
	rel := FinanceWorkbookName(w.Run.RunID)
	f, err := d.create(rel)
	if err != nil {
		return WorkbookTotals{}, err
	}
	tot, err := WriteFinanceWorkbook(f, tmpDirOf(f.path), w)
	if err != nil {
		f.Abort()
		return tot, fmt.Errorf("%s: %w", rel, err)
	}
	totals, err := formatTotals(tot.Payouts)
	if err != nil {
		f.Abort()
		return tot, fmt.Errorf("%s: %w", rel, err)
	}
	return tot, d.commit(f, rel, KindFinanceWorkbook, tot.Rows, totals)
}

// Sheet names of the finance workbook.
const (
	sheetSummary       = "Summary"
	sheetParticipants  = "Participants"
	sheetContracts     = "Contracts applied"
	sheetHeldSales     = "Held sales"
	sheetDiscrepancies = "Discrepancies"
	sheetBacklog       = "Backlog"
	sheetPayoutItems   = "Payout items"
)

// WriteFinanceWorkbook writes the finance workbook of w to out; temporary
// files go to tmpDir.
func WriteFinanceWorkbook(out io.Writer, tmpDir string, w FinanceWorkbook) (WorkbookTotals, error) {
	return writeFinanceWorkbook(out, tmpDir, w, xlsx.DefaultChunkRows)
}

// writeFinanceWorkbook is WriteFinanceWorkbook streaming chunkRows rows at
// a time (tests make chunks small).
func writeFinanceWorkbook(out io.Writer, tmpDir string, w FinanceWorkbook, chunkRows int) (WorkbookTotals, error) {
	tot := WorkbookTotals{Lines: map[string]int64{}, Payouts: map[string]int64{}, PayoutCount: map[string]int64{}}
	run := w.Run
	b, err := xlsx.New(xlsx.Options{FirstSheet: sheetSummary, MaxRows: w.MaxRows, TmpDir: tmpDir, RecalcOnOpen: true,
		ChunkRows: chunkRows, Properties: &xlsx.Properties{Title: "Payouts " + run.RunID, Stamp: run.WindowEnd,
			Subject: fmt.Sprintf("Finance workbook of %s run %s, business date %s", run.Kind, run.RunID, run.BusinessDate)}})
	if err != nil {
		return tot, err
	}
	codes := make([]string, len(w.Currencies))
	for i, c := range w.Currencies {
		codes[i] = c.Currency
	}

	participants, err := writeParticipants(b, codes, w.Participants, &tot)
	if err != nil {
		b.Close()
		return tot, err
	}
	contracts, err := writeContracts(b, codes, w.Contracts)
	if err != nil {
		b.Close()
		return tot, err
	}
	held, err := writeHeldSales(b, codes, w.HeldSales)
	if err != nil {
		b.Close()
		return tot, err
	}
	discrepancies, err := writeDiscrepancies(b, w.Discrepancies, w.Run.ReportVersion >= 2)
	if err != nil {
		b.Close()
		return tot, err
	}
	tot.Rows = participants.Rows() + contracts.Rows() + held.Rows() + discrepancies.Rows()
	if w.Run.ReportVersion >= 2 {
		backlog, err := writeBacklog(b, w.Backlog)
		if err != nil {
			b.Close()
			return tot, err
		}
		tot.Rows += backlog.Rows()
	}
	if w.PayoutItems != nil { // a workbook without payout status (tests of the other sheets) has no such sheet
		items, err := writePayoutItems(b, codes, w.PayoutItems)
		if err != nil {
			b.Close()
			return tot, err
		}
		tot.Rows += items.Rows()
	}
	if err := writeSummary(b, w, participants, held, tot.Returned != 0); err != nil {
		b.Close()
		return tot, err
	}
	return tot, b.Save(out)
}

// Columns of the Participants sheet.
const (
	pcID = iota
	pcName
	pcCurrency
	pcBroughtForward
	pcCommissions
	pcReversals
	pcAdjustments
	pcPayout
	pcCarriedForward
	pcReturned
)

func writeParticipants(b *xlsx.Book, codes []string, rows func(func(ledger.ParticipantBalance) error) error, tot *WorkbookTotals) (*xlsx.Table, error) {
	t, err := b.NewTable(xlsx.TableSpec{Name: sheetParticipants, CurCol: pcCurrency,
		Columns: []xlsx.Column{
			{Header: "Participant", Width: 24}, {Header: "Name", Width: 32}, {Header: "Currency", Width: 10},
			{Header: "Brought forward", Width: 20}, {Header: "Commissions", Width: 20}, {Header: "Reversals", Width: 20},
			{Header: "Adjustments", Width: 20}, {Header: "Payout", Width: 20}, {Header: "Carried forward", Width: 20},
			{Header: "Returned", Width: 20},
		},
		Totals: func(r xlsx.TotalsRow) ([]xlsx.Cell, error) {
			m := b.MoneyTotalStyle(r.Cur)
			return []xlsx.Cell{b.TotalLabel("Total"), xlsx.Formula(r.CountIf(), b.CountOfStyle("participant(s)")), b.TotalLabel(r.Cur),
				xlsx.Formula(r.SumIf(pcBroughtForward), m), xlsx.Formula(r.SumIf(pcCommissions), m),
				xlsx.Formula(r.SumIf(pcReversals), m), xlsx.Formula(r.SumIf(pcAdjustments), m),
				xlsx.Formula(r.SumIf(pcPayout), m), xlsx.Formula(r.SumIf(pcCarriedForward), m),
				xlsx.Formula(r.SumIf(pcReturned), m)}, b.Err()
		}}, codes)
	if err != nil {
		return nil, err
	}
	if rows != nil {
		err = rows(func(p ledger.ParticipantBalance) error {
			cur := p.Currency.Code
			tot.Lines[cur] += p.Commissions + p.Reversals + p.Adjustments
			tot.Payouts[cur] += p.Payout
			tot.Returned += p.Returned
			if p.Payout > 0 {
				tot.PayoutCount[cur]++
			}
			return t.Add(b.Text(p.ParticipantID), b.Text(p.Name), b.Text(cur),
				b.Money(p.BroughtForward, cur), b.Money(p.Commissions, cur),
				b.Money(p.Reversals, cur), b.Money(p.Adjustments, cur),
				b.Money(p.Payout, cur), b.Money(p.CarriedForward, cur), b.Money(p.Returned, cur))
		})
		if err != nil {
			return nil, fmt.Errorf("workbook: participants: %w", err)
		}
	}
	return t, t.Close()
}

// Columns of the Contracts applied sheet.
const (
	ccContract = iota
	ccVersion
	ccCoproducer
	ccName
	ccProduct
	ccCurrency
	ccRate
	ccScope
	ccSales
	ccCommissions
	ccReversals
	ccAdjustments
	ccAmount
)

func writeContracts(b *xlsx.Book, codes []string, rows func(func(ledger.ContractApplied) error) error) (*xlsx.Table, error) {
	t, err := b.NewTable(xlsx.TableSpec{Name: sheetContracts, CurCol: ccCurrency,
		Columns: []xlsx.Column{
			{Header: "Contract", Width: 22}, {Header: "Version", Width: 9}, {Header: "Co-producer", Width: 22},
			{Header: "Name", Width: 30}, {Header: "Product", Width: 22}, {Header: "Currency", Width: 10},
			{Header: "Rate", Width: 10}, {Header: "Scope", Width: 11}, {Header: "Sales", Width: 10},
			{Header: "Commissions", Width: 20}, {Header: "Reversals", Width: 20}, {Header: "Adjustments", Width: 20},
			{Header: "Amount", Width: 20},
		},
		Totals: func(r xlsx.TotalsRow) ([]xlsx.Cell, error) {
			m := b.MoneyTotalStyle(r.Cur)
			return []xlsx.Cell{b.TotalLabel("Total"), {}, {}, {}, {}, b.TotalLabel(r.Cur), {}, {},
				xlsx.Formula(r.SumIf(ccSales), b.CountTotalStyle()), xlsx.Formula(r.SumIf(ccCommissions), m),
				xlsx.Formula(r.SumIf(ccReversals), m), xlsx.Formula(r.SumIf(ccAdjustments), m),
				xlsx.Formula(r.SumIf(ccAmount), m)}, b.Err()
		}}, codes)
	if err != nil {
		return nil, err
	}
	if rows != nil {
		err = rows(func(c ledger.ContractApplied) error {
			return t.Add(b.Text(c.ContractID), b.Count(int64(c.Version)), b.Text(c.CoproducerID),
				b.Text(c.CoproducerName), b.Text(c.ProductID), b.Text(c.Currency), b.Rate(c.Rate), b.Text(c.Scope),
				b.Count(c.Sales), b.Money(c.Commissions, c.Currency), b.Money(c.Reversals, c.Currency),
				b.Money(c.Adjustments, c.Currency), b.Money(c.Commissions+c.Reversals+c.Adjustments, c.Currency))
		})
		if err != nil {
			return nil, fmt.Errorf("workbook: contracts applied: %w", err)
		}
	}
	return t, t.Close()
}

// Columns of the Held sales sheet.
const (
	hcSale = iota
	hcProduct
	hcCurrency
	hcGross
	hcKind
	hcDetail
)

func writeHeldSales(b *xlsx.Book, codes []string, rows func(func(ledger.HeldSale) error) error) (*xlsx.Table, error) {
	t, err := b.NewTable(xlsx.TableSpec{Name: sheetHeldSales, CurCol: hcCurrency,
		Columns: []xlsx.Column{
			{Header: "Sale", Width: 24}, {Header: "Product", Width: 22}, {Header: "Currency", Width: 10},
			{Header: "Gross", Width: 20}, {Header: "Reason", Width: 16}, {Header: "Detail", Width: 100},
		},
		Totals: func(r xlsx.TotalsRow) ([]xlsx.Cell, error) {
			return []xlsx.Cell{b.TotalLabel("Total"), xlsx.Formula(r.CountIf(), b.CountOfStyle("sale(s)")), b.TotalLabel(r.Cur),
				xlsx.Formula(r.SumIf(hcGross), b.MoneyTotalStyle(r.Cur))}, b.Err()
		}}, codes)
	if err != nil {
		return nil, err
	}
	if rows != nil {
		err = rows(func(h ledger.HeldSale) error {
			return t.Add(b.Text(h.SaleID), b.Text(h.ProductID), b.Text(h.Currency),
				b.DecimalMoney(h.Gross, h.Currency), b.Text(h.Kind), b.Text(h.Detail))
		})
		if err != nil {
			return nil, fmt.Errorf("workbook: held sales: %w", err)
		}
	}
	return t, t.Close()
}

// writeDiscrepancies lists what the run reported; with states (report
// version 2), what it did with each and the age it reached.
func writeDiscrepancies(b *xlsx.Book, rows func(func(reconcile.ReportedDiscrepancy) error) error, states bool) (*xlsx.Table, error) {
	columns := []xlsx.Column{
		{Header: "Kind", Width: 26}, {Header: "Blocking", Width: 10}, {Header: "Sale", Width: 22},
		{Header: "Invoice", Width: 22}, {Header: "Participant", Width: 22}, {Header: "Contract", Width: 22},
		{Header: "Currency", Width: 10}, {Header: "Expected", Width: 18}, {Header: "Actual", Width: 18},
		{Header: "Detail", Width: 100},
	}
	if states {
		columns = append(columns, xlsx.Column{Header: "State", Width: 12}, xlsx.Column{Header: "Opened", Width: 12}, xlsx.Column{Header: "Age (days)", Width: 12})
	}
	t, err := b.NewTable(xlsx.TableSpec{Name: sheetDiscrepancies, Columns: columns}, nil)
	if err != nil {
		return nil, err
	}
	if rows != nil {
		err = rows(func(d reconcile.ReportedDiscrepancy) error {
			f := d.Finding
			cells := []xlsx.Cell{b.Text(f.Kind), b.Text(yesNo(f.Blocking)), b.Text(f.SaleID), b.Text(f.InvoiceID),
				b.Text(f.ParticipantID), b.Text(f.ContractID), b.Text(f.Currency), findingValue(b, f, f.Expected),
				findingValue(b, f, f.Actual), b.Text(f.Detail)}
			if states {
				cells = append(cells, b.Text(d.State), b.Date(d.OpenedBusinessDate), b.Count(int64(d.AgeDays)))
			}
			return t.Add(cells...)
		})
		if err != nil {
			return nil, fmt.Errorf("workbook: discrepancies: %w", err)
		}
	}
	return t, t.Close()
}

// writeBacklog writes the open backlog after the run: one row per kind,
// blocking and currency, a count per age and a live total.
func writeBacklog(b *xlsx.Book, rows []ledger.BacklogCount) (*xlsx.Table, error) {
	columns := []xlsx.Column{
		{Header: "Kind", Width: 26}, {Header: "Blocking", Width: 10}, {Header: "Currency", Width: 10},
	}
	for _, a := range ledger.BacklogAges {
		columns = append(columns, xlsx.Column{Header: a + " days", Width: 12})
	}
	columns = append(columns, xlsx.Column{Header: "Total", Width: 12})
	t, err := b.NewTable(xlsx.TableSpec{Name: sheetBacklog, Columns: columns}, nil)
	if err != nil {
		return nil, err
	}
	ageCol := map[string]int{}
	for i, a := range ledger.BacklogAges {
		ageCol[a] = 3 + i
	}
	total := 3 + len(ledger.BacklogAges)
	for i := 0; i < len(rows); {
		r := rows[i]
		cells := make([]xlsx.Cell, total+1)
		cells[0], cells[1], cells[2] = b.Text(r.Kind), b.Text(yesNo(r.Blocking)), b.Text(r.Currency)
		for ; i < len(rows) && rows[i].Kind == r.Kind && rows[i].Blocking == r.Blocking && rows[i].Currency == r.Currency; i++ {
			col, ok := ageCol[rows[i].Age]
			if !ok {
				return nil, fmt.Errorf("workbook: backlog age %q", rows[i].Age)
			}
			cells[col] = b.Count(rows[i].Count)
		}
		for c := 3; c < total; c++ {
			if cells[c].Empty() {
				cells[c] = b.Count(0)
			}
		}
		cells[total] = xlsx.Formula(fmt.Sprintf("SUM(%s%d:%s%d)", xlsx.ColName(3), t.NextRow(), xlsx.ColName(total-1), t.NextRow()), b.CountTotalStyle())
		if err := t.Add(cells...); err != nil {
			return nil, fmt.Errorf("workbook: backlog: %w", err)
		}
	}
	return t, t.Close()
}

// amountFindings are the kinds whose expected and actual values are
// amounts in the finding's currency (the others hold rates, counts, tax
// ids or currency codes, which stay text).
var amountFindings = map[string]bool{
	reconcile.MissingInvoice: true, reconcile.AmountMismatch: true, reconcile.MissingPayoutAccount: true,
	reconcile.InvalidPayoutAccount: true, reconcile.PeriodTotalMismatch: true,
}

// findingValue is a finding's expected or actual value: for an amount
// kind, a number with the currency's format (SPEC 7) when it reads as an
// amount of the currency, else text as written (an invoice amount that
// cannot be read is the finding).
func findingValue(b *xlsx.Book, f reconcile.Finding, v string) xlsx.Cell {
	if v == "" || !amountFindings[f.Kind] {
		return b.Text(v)
	}
	if c, ok := b.ParsedMoney(v, f.Currency); ok {
		return c
	}
	return b.Text(v)
}

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

// Columns of the Payout items sheet.
const (
	icReference = iota
	icRun
	icParticipant
	icCurrency
	icAmount
	icState
	icReasonCode
	icReason
	icAge
	icCredited
)

// writePayoutItems writes the Payout items sheet: the run's own items,
// every item still outstanding and the items the run credited back, with
// their state and reason as the run saw them.
func writePayoutItems(b *xlsx.Book, codes []string, rows func(func(ledger.ItemState) error) error) (*xlsx.Table, error) {
	t, err := b.NewTable(xlsx.TableSpec{Name: sheetPayoutItems, CurCol: icCurrency,
		Columns: []xlsx.Column{
			{Header: "Reference", Width: 32}, {Header: "Run", Width: 22}, {Header: "Participant", Width: 22},
			{Header: "Currency", Width: 10}, {Header: "Amount", Width: 20}, {Header: "State", Width: 11},
			{Header: "Reason code", Width: 12}, {Header: "Reason", Width: 40}, {Header: "Age (days)", Width: 11},
			{Header: "Credited back by", Width: 22},
		},
		Totals: func(r xlsx.TotalsRow) ([]xlsx.Cell, error) {
			return []xlsx.Cell{b.TotalLabel("Total"), {}, xlsx.Formula(r.CountIf(), b.CountOfStyle("item(s)")), b.TotalLabel(r.Cur),
				xlsx.Formula(r.SumIf(icAmount), b.MoneyTotalStyle(r.Cur))}, b.Err()
		}}, codes)
	if err != nil {
		return nil, err
	}
	if rows != nil {
		err = rows(func(it ledger.ItemState) error {
			return t.Add(b.Text(it.Reference), b.Text(it.RunID), b.Text(it.ParticipantID), b.Text(it.Currency),
				b.Money(it.Amount, it.Currency), b.Text(it.State), b.Text(it.ReasonCode), b.Text(it.Reason),
				b.Count(it.AgeDays), b.Text(it.CreditedRun))
		})
		if err != nil {
			return nil, fmt.Errorf("workbook: payout items: %w", err)
		}
	}
	return t, t.Close()
}
