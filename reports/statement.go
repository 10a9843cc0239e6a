package reports

import (
	"fmt"
	"io"
	"time"

	"payouts/reconcile"
	"payouts/reports/xlsx"
)

// KindParticipantStatement is the manifest kind of a participant's
// statement published with a run (PAYOUTS_STATEMENTS=1).
const KindParticipantStatement = "participant_statement"

// StatementHeader is what a participant statement says before its lists.
type StatementHeader struct {
	ParticipantID string
	Name          string
	From, To      string // business dates covered, YYYY-MM-DD
	Runs          int    // runs covered
	// Stamp is the instant the document says it was created: the window
	// end of the last run covered (never the wall clock).
	Stamp time.Time
	// Balances are the participant's opening and closing balance per
	// currency over the runs, sorted by currency.
	Balances []StatementBalance
	MaxRows  int    // the last row a sheet may use; 0 is Excel's
	TmpDir   string // where temporary files go ("": the system's)
}

// StatementBalance is a participant's balance in one currency before the
// first run and after the last run of a statement.
type StatementBalance struct {
	Currency string
	Opening  int64
	Closing  int64
	Returned int64 // credited back for rejected or returned payouts over the runs (SPEC 12)
}

// StatementWriter writes one participant statement: the Statement sheet
// (balances and live totals per currency), Lines and Payouts. Lines come
// first, then payouts, each in the order they are to be listed.
type StatementWriter struct {
	b       *xlsx.Book
	h       StatementHeader
	lines   *xlsx.Table
	payouts *xlsx.Table
	sums    map[string]int64 // lines per currency, for the manifest
}

// Sheet names of a statement.
const (
	sheetStatement = "Statement"
	sheetLines     = "Lines"
	sheetPayouts   = "Payouts"
)

// Columns of the Lines sheet of a statement.
const (
	lcDate = iota
	lcRun
	lcSale
	lcProduct
	lcRole
	lcKind
	lcContract
	lcVersion
	lcCurrency
	lcBase
	lcRate
	lcAmount
	lcSoldAt
	lcSettledAt
)

// Columns of the Payouts sheet of a statement.
const (
	ycDate = iota
	ycRun
	ycCurrency
	ycAmount
	ycReference
)

// NewStatement starts the statement of h.
func NewStatement(h StatementHeader) (*StatementWriter, error) {
	b, err := xlsx.New(xlsx.Options{FirstSheet: sheetStatement, MaxRows: h.MaxRows, TmpDir: h.TmpDir, RecalcOnOpen: true,
		Properties: &xlsx.Properties{Title: "Statement " + h.ParticipantID, Stamp: h.Stamp,
			Subject: fmt.Sprintf("Payout statement of %s, business dates %s to %s", h.ParticipantID, h.From, h.To)}})
	if err != nil {
		return nil, err
	}
	s := &StatementWriter{b: b, h: h, sums: map[string]int64{}}
	codes := make([]string, len(h.Balances))
	for i, bal := range h.Balances {
		codes[i] = bal.Currency
	}
	s.lines, err = b.NewTable(xlsx.TableSpec{Name: sheetLines, CurCol: lcCurrency,
		Columns: []xlsx.Column{
			{Header: "Business date", Width: 13}, {Header: "Run", Width: 22}, {Header: "Sale", Width: 22},
			{Header: "Product", Width: 22}, {Header: "Role", Width: 12}, {Header: "Kind", Width: 12},
			{Header: "Contract", Width: 20}, {Header: "Version", Width: 9}, {Header: "Currency", Width: 10},
			{Header: "Base", Width: 18}, {Header: "Rate", Width: 10}, {Header: "Amount", Width: 18},
			{Header: "Sold at", Width: 20}, {Header: "Settled at", Width: 20},
		},
		Totals: func(r xlsx.TotalsRow) ([]xlsx.Cell, error) {
			return []xlsx.Cell{b.TotalLabel("Total"), xlsx.Formula(r.CountIf(), b.CountOfStyle("line(s)")), {}, {}, {}, {}, {},
				{}, b.TotalLabel(r.Cur), {}, {}, xlsx.Formula(r.SumIf(lcAmount), b.MoneyTotalStyle(r.Cur))}, b.Err()
		}}, codes)
	if err != nil {
		b.Close()
		return nil, err
	}
	s.payouts, err = b.NewTable(xlsx.TableSpec{Name: sheetPayouts, CurCol: ycCurrency,
		Columns: []xlsx.Column{
			{Header: "Business date", Width: 13}, {Header: "Run", Width: 22}, {Header: "Currency", Width: 10},
			{Header: "Amount", Width: 18}, {Header: "Reference", Width: 36},
		},
		Totals: func(r xlsx.TotalsRow) ([]xlsx.Cell, error) {
			return []xlsx.Cell{b.TotalLabel("Total"), xlsx.Formula(r.CountIf(), b.CountOfStyle("payout(s)")), b.TotalLabel(r.Cur),
				xlsx.Formula(r.SumIf(ycAmount), b.MoneyTotalStyle(r.Cur))}, b.Err()
		}}, codes)
	if err != nil {
		b.Close()
		return nil, err
	}
	return s, nil
}

// AddLine lists one line of run.
func (s *StatementWriter) AddLine(run StatementRun, ln reconcile.LineRecord) error {
	b := s.b
	s.sums[ln.Currency] += ln.Amount
	var version, base xlsx.Cell
	if ln.ContractID != "" {
		version = b.Count(int64(ln.ContractVersion))
	}
	if ln.Kind != reconcile.KindAdjustment {
		base = b.Money(ln.Base, ln.Currency)
	}
	loc := run.Location
	if loc == nil {
		loc = time.UTC
	}
	return s.lines.Add(b.Date(run.BusinessDate), b.Text(run.RunID), b.Text(ln.SaleID), b.Text(ln.ProductID),
		b.Text(string(ln.Role)), b.Text(string(ln.Kind)), b.Text(ln.ContractID), version, b.Text(ln.Currency), base,
		b.Rate(ln.Rate), b.Money(ln.Amount, ln.Currency), b.DateTime(ln.SoldAt, loc), b.DateTime(ln.SettledAt, loc))
}

// AddPayout lists one payout item of run.
func (s *StatementWriter) AddPayout(run StatementRun, it reconcile.PayoutItem) error {
	b := s.b
	return s.payouts.Add(b.Date(run.BusinessDate), b.Text(run.RunID), b.Text(it.Currency),
		b.Money(it.Amount, it.Currency), b.Text(it.Reference))
}

// Abort discards a statement not written.
func (s *StatementWriter) Abort() { s.b.Close() }

// Statement figures, in row order.
const (
	sOpening = iota
	sCommissions
	sReversals
	sAdjustments
	sLinesTotal
	sPayouts
	sClosing
	sCheck
	sReturned // last, so the rows above keep their place
	nStatementFigures
)

var statementLabels = [nStatementFigures]string{
	sOpening:     "Opening balance",
	sCommissions: "Commissions",
	sReversals:   "Reversals",
	sAdjustments: "Adjustments",
	sLinesTotal:  "Lines total",
	sPayouts:     "Payouts",
	sClosing:     "Closing balance",
	sCheck:       "Check: opening + lines - payouts - closing (0)",
	sReturned:    "Returned (credited back)",
}

// statementCheckReturned is the check's label in a statement whose runs
// credited rejected or returned payouts back.
const statementCheckReturned = "Check: opening + returned + lines - payouts - closing (0)"

// statementFirstRow is the row of the first figure; the currencies head
// the row above.
const statementFirstRow = 9

// Write finishes the statement and writes it to out. It returns the
// rows of its lists and its lines' total per currency.
func (s *StatementWriter) Write(out io.Writer) (rows int64, lineTotals map[string]int64, err error) {
	b := s.b
	if err := s.lines.Close(); err != nil {
		b.Close()
		return 0, nil, err
	}
	if err := s.payouts.Close(); err != nil {
		b.Close()
		return 0, nil, err
	}
	if err := s.writeSummary(); err != nil {
		b.Close()
		return 0, nil, err
	}
	if err := b.Save(out); err != nil {
		return 0, nil, err
	}
	return s.lines.Rows() + s.payouts.Rows(), s.sums, nil
}

func (s *StatementWriter) writeSummary() error {
	b, h := s.b, s.h
	const sh = sheetStatement
	returned := false
	for _, bal := range h.Balances {
		returned = returned || bal.Returned != 0
	}
	title, bold, hs := b.TitleStyle(), b.BoldStyle(), b.HeaderStyle()
	cell := xlsx.String
	for _, r := range []struct {
		row   int
		cells []xlsx.Cell
	}{
		{1, []xlsx.Cell{cell("Payout statement", title)}},
		{2, []xlsx.Cell{cell("Participant", bold), b.Text(h.ParticipantID)}},
		{3, []xlsx.Cell{cell("Name", bold), b.Text(h.Name)}},
		{4, []xlsx.Cell{cell("From business date", bold), b.Date(h.From)}},
		{5, []xlsx.Cell{cell("To business date", bold), b.Date(h.To)}},
		{6, []xlsx.Cell{cell("Runs", bold), b.Count(int64(h.Runs))}},
	} {
		if err := b.SetCells(sh, 1, r.row, r.cells...); err != nil {
			return err
		}
	}
	header := []xlsx.Cell{cell("Per currency", hs)}
	for _, bal := range h.Balances {
		header = append(header, cell(bal.Currency, hs))
	}
	if err := b.SetCells(sh, 1, statementFirstRow-1, header...); err != nil {
		return err
	}
	for f := 0; f < nStatementFigures; f++ {
		style := bold
		if f == sCheck {
			style = 0
		}
		label := statementLabels[f]
		if f == sCheck && returned {
			label = statementCheckReturned
		}
		if err := b.SetCells(sh, 1, statementFirstRow+f, cell(label, style)); err != nil {
			return err
		}
	}
	at := func(col string, f int) string { return fmt.Sprintf("%s%d", col, statementFirstRow+f) }
	for i, bal := range h.Balances {
		col, cur := xlsx.ColName(i+1), bal.Currency
		m, mt := b.MoneyStyle(cur), b.MoneyTotalStyle(cur)
		vals := [nStatementFigures]xlsx.Cell{
			sOpening:  b.Money(bal.Opening, cur),
			sClosing:  b.Money(bal.Closing, cur),
			sReturned: b.Money(bal.Returned, cur),
		}
		if xlsx.FormulaCurrency(cur) {
			kindSum := func(kind reconcile.LineKind) string {
				return s.lines.Over(func(p xlsx.SheetPart) string {
					return fmt.Sprintf(`SUMIFS(%s,%s,"%s",%s,"%s")`, p.RangeOf(lcAmount), p.RangeOf(lcCurrency), cur,
						p.RangeOf(lcKind), kind)
				})
			}
			vals[sCommissions] = xlsx.Formula(kindSum(reconcile.KindCommission), m)
			vals[sReversals] = xlsx.Formula(kindSum(reconcile.KindReversal), m)
			vals[sAdjustments] = xlsx.Formula(kindSum(reconcile.KindAdjustment), m)
			vals[sLinesTotal] = xlsx.Formula(fmt.Sprintf("SUM(%s:%s)", at(col, sCommissions), at(col, sAdjustments)), mt)
			vals[sPayouts] = xlsx.Formula(s.payouts.SumOver(ycCurrency, ycAmount, cur), mt)
			vals[sCheck] = xlsx.Formula(fmt.Sprintf("%s+%s+%s-%s-%s", at(col, sOpening), at(col, sReturned), at(col, sLinesTotal),
				at(col, sPayouts), at(col, sClosing)), m)
		}
		for f, v := range vals {
			if err := b.SetCells(sh, i+2, statementFirstRow+f, v); err != nil {
				return err
			}
		}
	}
	if len(h.Balances) == 0 {
		if err := b.SetCells(sh, 1, statementFirstRow+nStatementFigures+1,
			b.Text("No balance, line or payout in these business dates.")); err != nil {
			return err
		}
	}
	if err := b.SetColWidth(sh, 0, 0, 46); err != nil {
		return err
	}
	if len(h.Balances) > 0 {
		if err := b.SetColWidth(sh, 1, len(h.Balances), 20); err != nil {
			return err
		}
	}
	return b.Err()
}

// StatementName is the path of a participant's statement in a run's
// directory.
func StatementName(participantID string) string { return "statements/" + participantID + ".xlsx" }

// WriteStatement publishes a participant's statement in the run
// directory. Its manifest entry counts its lines and payout items and
// totals its lines per currency.
func (d *RunDir) WriteStatement(s *StatementWriter) error {
	if err := reconcile.ValidateID(s.h.ParticipantID); err != nil {
		s.Abort()
		return fmt.Errorf("statement: %w", err) // ids become file names
	}
	rel := StatementName(s.h.ParticipantID)
	f, err := d.create(rel)
	if err != nil {
		s.Abort()
		return err
	}
	rows, sums, err := s.Write(f)
	if err != nil {
		f.Abort()
		return fmt.Errorf("%s: %w", rel, err)
	}
	totals, err := formatTotals(sums)
	if err != nil {
		f.Abort()
		return fmt.Errorf("%s: %w", rel, err)
	}
	return d.commit(f, rel, KindParticipantStatement, rows, totals)
}

// WriteStatementFile writes a statement to path, atomically, readable by
// its owner only.
func WriteStatementFile(path string, s *StatementWriter) error {
	f, err := createAtomic(path)
	if err != nil {
		s.Abort()
		return err
	}
	if _, _, err := s.Write(f); err != nil {
		f.Abort()
		return fmt.Errorf("%s: %w", path, err)
	}
	_, _, err = f.Commit()
	return err
}

// formatTotals formats per-currency minor units for the manifest.
func formatTotals(sums map[string]int64) (map[string]string, error) {
	out := map[string]string{}
	for code, v := range sums {
		cur, err := reconcile.LookupCurrency(code)
		if err != nil {
			return nil, err
		}
		out[code] = reconcile.FormatAmount(v, cur)
	}
	return out, nil
}
