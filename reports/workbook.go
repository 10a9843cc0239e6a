package reports

import (
	"fmt"
	"io"
	"time"

	"payouts/reconcile"
)

// FinanceWorkbook is what the finance workbook of a run shows (see
// docs/workbook.md). The small parts are slices; the lists that grow with
// the run are streams, read once, in the order given, straight into the
// sheets.
type FinanceWorkbook struct {
	RunID        string
	BusinessDate string // YYYY-MM-DD
	Kind         string // nightly or rerun
	WindowEnd    time.Time

	// Currencies are the run's figures per currency, sorted by code: every
	// currency of its sales, lines, balances, held sales and discrepancies.
	Currencies []CurrencySummary
	// DiscrepancyCounts count the run's discrepancies by kind, then
	// currency ("" when a discrepancy has none), sorted.
	DiscrepancyCounts []DiscrepancyCount
	// History is the payout totals of the last runs up to this one, oldest
	// first (see docs/workbook.md for which runs).
	History []RunPayouts

	// Participants streams the run's balances, by currency then
	// participant.
	Participants func(func(ParticipantBalance) error) error
	// Contracts streams the contract versions of the run's co-producer
	// lines.
	Contracts func(func(ContractApplied) error) error
	// HeldSales streams the sales the run held.
	HeldSales func(func(HeldSale) error) error
	// Discrepancies streams what the run reported: what it opened,
	// re-opened or resolved (discrepancies.csv) and every blocking item
	// still open.
	Discrepancies func(func(reconcile.ReportedDiscrepancy) error) error
	// ReportVersion is the run's report layout: 1 for runs published
	// before discrepancy states (no state or age columns, no backlog), 2
	// after. An old run's workbook is exported again in its old layout.
	ReportVersion int
	// Backlog is the open backlog after the run by kind, blocking,
	// currency and age, sorted (version 2).
	Backlog []BacklogCount
	// ItemTotals are the payout items by state and currency, sorted by code.
	ItemTotals []PayoutItemTotal
	// PayoutItems streams the items the Payout items sheet lists: the
	// run's own, those still outstanding, those it credited back.
	PayoutItems func(func(PayoutItemRow) error) error

	// MaxRows is the last row a sheet may use; 0 is Excel's 1,048,576.
	// Tests set less to see a list continue on a second sheet.
	MaxRows int
}

// CurrencySummary is what a run did in one currency, from the database.
type CurrencySummary struct {
	Currency       string
	SalesAllocated int64
	Gross, Net     int64 // of the sales allocated
	Affiliate      int64 // commission lines by role
	Coproducer     int64
	Lead           int64
	Lines          int64 // number of lines
}

// DiscrepancyCount is how many discrepancies of a kind a run reported in
// a currency.
type DiscrepancyCount struct {
	Kind     string
	Currency string
	Count    int64
}

// BacklogAges are the age columns of the backlog, in days since the
// business date of the run that opened the discrepancy.
var BacklogAges = []string{"0-2", "3-7", "8-30", "over 30"}

// BacklogCount is how many discrepancies of a kind and currency were open
// after the run, at one age.
type BacklogCount struct {
	Kind     string
	Blocking bool
	Currency string // "" when the kind has none
	Age      string // one of BacklogAges
	Count    int64
}

// RunPayouts is one run's payout totals per currency, sorted by code.
type RunPayouts struct {
	RunID        string
	BusinessDate string
	Payouts      []CurrencyAmount
}

// CurrencyAmount is an amount in minor units of a currency.
type CurrencyAmount struct {
	Currency string
	Amount   int64
}

// ParticipantBalance is one row of the balances table of a run, with the
// participant's name.
type ParticipantBalance struct {
	ParticipantID  string
	Name           string
	Currency       string
	BroughtForward int64
	Commissions    int64
	Reversals      int64
	Adjustments    int64
	Payout         int64
	CarriedForward int64
	Returned       int64 // rejected or returned payouts credited back by the run (SPEC 12)
}

// PayoutItemTotal is what became of the payout items of one currency as
// the run saw them: every item issued by then, by state, and the
// outstanding ones (issued or accepted) by age in days.
type PayoutItemTotal struct {
	Currency                                      string
	Issued, Paid, Rejected, Returned, Outstanding int64
	Aged0to2, Aged3to7, Aged8to30, AgedOver30     int64
}

// PayoutItemRow is a row of the Payout items sheet.
type PayoutItemRow struct {
	Reference     string
	RunID         string
	ParticipantID string
	Currency      string
	Amount        int64
	State         string
	ReasonCode    string
	Reason        string
	AgeDays       int64
	CreditedRun   string
}

// ContractApplied is one contract version's co-producer lines in a run.
type ContractApplied struct {
	ContractID     string
	Version        int
	CoproducerID   string
	CoproducerName string
	ProductID      string
	Currency       string
	Rate           reconcile.Rate
	Scope          string
	Sales          int64 // sales it took a commission on
	Commissions    int64
	Reversals      int64
	Adjustments    int64
}

// HeldSale is a sale a run held (a blocking CAP_EXCEEDED or INVALID_SALE),
// with the facts of the sale as the run saw them. Gross is the platform's
// decimal text: a held sale's amounts may not fit its currency.
type HeldSale struct {
	SaleID    string
	ProductID string
	Currency  string
	Gross     string
	Kind      string
	Detail    string
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
	rel := FinanceWorkbookName(w.RunID)
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
	return writeFinanceWorkbook(out, tmpDir, w, defaultChunkRows)
}

// writeFinanceWorkbook is WriteFinanceWorkbook streaming chunkRows rows at
// a time (tests make chunks small).
func writeFinanceWorkbook(out io.Writer, tmpDir string, w FinanceWorkbook, chunkRows int) (WorkbookTotals, error) {
	tot := WorkbookTotals{Lines: map[string]int64{}, Payouts: map[string]int64{}, PayoutCount: map[string]int64{}}
	b, err := newXLSXBook(sheetSummary, w.MaxRows, w.WindowEnd, "Payouts "+w.RunID,
		fmt.Sprintf("Finance workbook of %s run %s, business date %s", w.Kind, w.RunID, w.BusinessDate), tmpDir)
	if err != nil {
		return tot, err
	}
	b.chunkRows = chunkRows
	codes := make([]string, len(w.Currencies))
	for i, c := range w.Currencies {
		codes[i] = c.Currency
	}

	participants, err := writeParticipants(b, codes, w.Participants, &tot)
	if err != nil {
		b.close()
		return tot, err
	}
	contracts, err := writeContracts(b, codes, w.Contracts)
	if err != nil {
		b.close()
		return tot, err
	}
	held, err := writeHeldSales(b, codes, w.HeldSales)
	if err != nil {
		b.close()
		return tot, err
	}
	discrepancies, err := writeDiscrepancies(b, w.Discrepancies, w.ReportVersion >= 2)
	if err != nil {
		b.close()
		return tot, err
	}
	tot.Rows = participants.rows + contracts.rows + held.rows + discrepancies.rows
	if w.ReportVersion >= 2 {
		backlog, err := writeBacklog(b, w.Backlog)
		if err != nil {
			b.close()
			return tot, err
		}
		tot.Rows += backlog.rows
	}
	if w.PayoutItems != nil { // a workbook without payout status (tests of the other sheets) has no such sheet
		items, err := writePayoutItems(b, codes, w.PayoutItems)
		if err != nil {
			b.close()
			return tot, err
		}
		tot.Rows += items.rows
	}
	if err := writeSummary(b, w, participants, held, tot.Returned != 0); err != nil {
		b.close()
		return tot, err
	}
	return tot, b.save(out)
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

func writeParticipants(b *xlsxBook, codes []string, rows func(func(ParticipantBalance) error) error, tot *WorkbookTotals) (*xlsxTable, error) {
	t, err := b.newTable(tableSpec{name: sheetParticipants, curCol: pcCurrency,
		columns: []xlsxColumn{{"Participant", 24}, {"Name", 32}, {"Currency", 10}, {"Brought forward", 20},
			{"Commissions", 20}, {"Reversals", 20}, {"Adjustments", 20}, {"Payout", 20}, {"Carried forward", 20},
			{"Returned", 20}},
		totals: func(r totalsRow) ([]any, error) {
			m := b.moneyTotal(r.cur)
			return []any{b.label("Total"), formula(r.countIf().Formula, b.countOf("participant(s)")), b.label(r.cur),
				formula(r.sumIf(pcBroughtForward).Formula, m), formula(r.sumIf(pcCommissions).Formula, m),
				formula(r.sumIf(pcReversals).Formula, m), formula(r.sumIf(pcAdjustments).Formula, m),
				formula(r.sumIf(pcPayout).Formula, m), formula(r.sumIf(pcCarriedForward).Formula, m),
				formula(r.sumIf(pcReturned).Formula, m)}, b.err
		}}, codes)
	if err != nil {
		return nil, err
	}
	if rows != nil {
		err = rows(func(p ParticipantBalance) error {
			tot.Lines[p.Currency] += p.Commissions + p.Reversals + p.Adjustments
			tot.Payouts[p.Currency] += p.Payout
			tot.Returned += p.Returned
			if p.Payout > 0 {
				tot.PayoutCount[p.Currency]++
			}
			return t.add([]any{b.text(p.ParticipantID), b.text(p.Name), b.text(p.Currency),
				b.money(p.BroughtForward, p.Currency), b.money(p.Commissions, p.Currency),
				b.money(p.Reversals, p.Currency), b.money(p.Adjustments, p.Currency),
				b.money(p.Payout, p.Currency), b.money(p.CarriedForward, p.Currency), b.money(p.Returned, p.Currency)})
		})
		if err != nil {
			return nil, fmt.Errorf("workbook: participants: %w", err)
		}
	}
	return t, t.close()
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

func writeContracts(b *xlsxBook, codes []string, rows func(func(ContractApplied) error) error) (*xlsxTable, error) {
	t, err := b.newTable(tableSpec{name: sheetContracts, curCol: ccCurrency,
		columns: []xlsxColumn{{"Contract", 22}, {"Version", 9}, {"Co-producer", 22}, {"Name", 30}, {"Product", 22},
			{"Currency", 10}, {"Rate", 10}, {"Scope", 11}, {"Sales", 10}, {"Commissions", 20}, {"Reversals", 20},
			{"Adjustments", 20}, {"Amount", 20}},
		totals: func(r totalsRow) ([]any, error) {
			m := b.moneyTotal(r.cur)
			return []any{b.label("Total"), nil, nil, nil, nil, b.label(r.cur), nil, nil,
				formula(r.sumIf(ccSales).Formula, b.countTotal()), formula(r.sumIf(ccCommissions).Formula, m),
				formula(r.sumIf(ccReversals).Formula, m), formula(r.sumIf(ccAdjustments).Formula, m),
				formula(r.sumIf(ccAmount).Formula, m)}, b.err
		}}, codes)
	if err != nil {
		return nil, err
	}
	if rows != nil {
		err = rows(func(c ContractApplied) error {
			return t.add([]any{b.text(c.ContractID), b.count(int64(c.Version)), b.text(c.CoproducerID),
				b.text(c.CoproducerName), b.text(c.ProductID), b.text(c.Currency), b.rate(c.Rate), b.text(c.Scope),
				b.count(c.Sales), b.money(c.Commissions, c.Currency), b.money(c.Reversals, c.Currency),
				b.money(c.Adjustments, c.Currency), b.money(c.Commissions+c.Reversals+c.Adjustments, c.Currency)})
		})
		if err != nil {
			return nil, fmt.Errorf("workbook: contracts applied: %w", err)
		}
	}
	return t, t.close()
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

func writeHeldSales(b *xlsxBook, codes []string, rows func(func(HeldSale) error) error) (*xlsxTable, error) {
	t, err := b.newTable(tableSpec{name: sheetHeldSales, curCol: hcCurrency,
		columns: []xlsxColumn{{"Sale", 24}, {"Product", 22}, {"Currency", 10}, {"Gross", 20}, {"Reason", 16},
			{"Detail", 100}},
		totals: func(r totalsRow) ([]any, error) {
			return []any{b.label("Total"), formula(r.countIf().Formula, b.countOf("sale(s)")), b.label(r.cur),
				formula(r.sumIf(hcGross).Formula, b.moneyTotal(r.cur))}, b.err
		}}, codes)
	if err != nil {
		return nil, err
	}
	if rows != nil {
		err = rows(func(h HeldSale) error {
			return t.add([]any{b.text(h.SaleID), b.text(h.ProductID), b.text(h.Currency),
				b.decimalMoney(h.Gross, h.Currency), b.text(h.Kind), b.text(h.Detail)})
		})
		if err != nil {
			return nil, fmt.Errorf("workbook: held sales: %w", err)
		}
	}
	return t, t.close()
}

// writeDiscrepancies lists what the run reported; with states (report
// version 2), what it did with each and the age it reached.
func writeDiscrepancies(b *xlsxBook, rows func(func(reconcile.ReportedDiscrepancy) error) error, states bool) (*xlsxTable, error) {
	columns := []xlsxColumn{{"Kind", 26}, {"Blocking", 10}, {"Sale", 22}, {"Invoice", 22}, {"Participant", 22},
		{"Contract", 22}, {"Currency", 10}, {"Expected", 18}, {"Actual", 18}, {"Detail", 100}}
	if states {
		columns = append(columns, xlsxColumn{"State", 12}, xlsxColumn{"Opened", 12}, xlsxColumn{"Age (days)", 12})
	}
	t, err := b.newTable(tableSpec{name: sheetDiscrepancies, columns: columns}, nil)
	if err != nil {
		return nil, err
	}
	if rows != nil {
		err = rows(func(d reconcile.ReportedDiscrepancy) error {
			f := d.Finding
			cells := []any{b.text(f.Kind), b.text(yesNo(f.Blocking)), b.text(f.SaleID), b.text(f.InvoiceID),
				b.text(f.ParticipantID), b.text(f.ContractID), b.text(f.Currency), b.findingValue(f, f.Expected),
				b.findingValue(f, f.Actual), b.text(f.Detail)}
			if states {
				cells = append(cells, b.text(d.State), b.date(d.OpenedBusinessDate), b.count(int64(d.AgeDays)))
			}
			return t.add(cells)
		})
		if err != nil {
			return nil, fmt.Errorf("workbook: discrepancies: %w", err)
		}
	}
	return t, t.close()
}

// writeBacklog writes the open backlog after the run: one row per kind,
// blocking and currency, a count per age and a live total.
func writeBacklog(b *xlsxBook, rows []BacklogCount) (*xlsxTable, error) {
	columns := []xlsxColumn{{"Kind", 26}, {"Blocking", 10}, {"Currency", 10}}
	for _, a := range BacklogAges {
		columns = append(columns, xlsxColumn{a + " days", 12})
	}
	columns = append(columns, xlsxColumn{"Total", 12})
	t, err := b.newTable(tableSpec{name: sheetBacklog, columns: columns}, nil)
	if err != nil {
		return nil, err
	}
	ageCol := map[string]int{}
	for i, a := range BacklogAges {
		ageCol[a] = 3 + i
	}
	total := 3 + len(BacklogAges)
	for i := 0; i < len(rows); {
		r := rows[i]
		cells := make([]any, total+1)
		cells[0], cells[1], cells[2] = b.text(r.Kind), b.text(yesNo(r.Blocking)), b.text(r.Currency)
		for ; i < len(rows) && rows[i].Kind == r.Kind && rows[i].Blocking == r.Blocking && rows[i].Currency == r.Currency; i++ {
			col, ok := ageCol[rows[i].Age]
			if !ok {
				return nil, fmt.Errorf("workbook: backlog age %q", rows[i].Age)
			}
			cells[col] = b.count(rows[i].Count)
		}
		for c := 3; c < total; c++ {
			if cells[c] == nil {
				cells[c] = b.count(0)
			}
		}
		cells[total] = formula(fmt.Sprintf("SUM(%s%d:%s%d)", colName(3), t.nextRow(), colName(total-1), t.nextRow()), b.countTotal())
		if err := t.add(cells); err != nil {
			return nil, fmt.Errorf("workbook: backlog: %w", err)
		}
	}
	return t, t.close()
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
func (b *xlsxBook) findingValue(f reconcile.Finding, v string) any {
	if v == "" || !amountFindings[f.Kind] {
		return b.text(v)
	}
	if af := b.styles.amountFormat(f.Currency); af.known {
		if minor, err := reconcile.ParseAmount(trimFraction(v), af.cur); err == nil {
			return b.money(minor, f.Currency)
		}
	}
	return b.text(v)
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
func writePayoutItems(b *xlsxBook, codes []string, rows func(func(PayoutItemRow) error) error) (*xlsxTable, error) {
	t, err := b.newTable(tableSpec{name: sheetPayoutItems, curCol: icCurrency,
		columns: []xlsxColumn{{"Reference", 32}, {"Run", 22}, {"Participant", 22}, {"Currency", 10}, {"Amount", 20},
			{"State", 11}, {"Reason code", 12}, {"Reason", 40}, {"Age (days)", 11}, {"Credited back by", 22}},
		totals: func(r totalsRow) ([]any, error) {
			return []any{b.label("Total"), nil, formula(r.countIf().Formula, b.countOf("item(s)")), b.label(r.cur),
				formula(r.sumIf(icAmount).Formula, b.moneyTotal(r.cur))}, b.err
		}}, codes)
	if err != nil {
		return nil, err
	}
	if rows != nil {
		err = rows(func(it PayoutItemRow) error {
			return t.add([]any{b.text(it.Reference), b.text(it.RunID), b.text(it.ParticipantID), b.text(it.Currency),
				b.money(it.Amount, it.Currency), b.text(it.State), b.text(it.ReasonCode), b.text(it.Reason),
				b.count(it.AgeDays), b.text(it.CreditedRun)})
		})
		if err != nil {
			return nil, fmt.Errorf("workbook: payout items: %w", err)
		}
	}
	return t, t.close()
}
