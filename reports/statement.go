package reports

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"payouts/reconcile"
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

// StatementLine is one payout line of the participant, with its run.
type StatementLine struct {
	BusinessDate string
	RunID        string
	Line         reconcile.LineRecord
	Location     *time.Location // the run's platform zone: sold_at and settled_at are shown in it
}

// StatementPayout is one payout item of the participant, with its run.
type StatementPayout struct {
	BusinessDate string
	RunID        string
	Currency     string
	Amount       int64
	Reference    string
}

// StatementWriter writes one participant statement: the Statement sheet
// (balances and live totals per currency), Lines and Payouts. Lines come
// first, then payouts, each in the order they are to be listed.
type StatementWriter struct {
	b       *xlsxBook
	h       StatementHeader
	lines   *xlsxTable
	payouts *xlsxTable
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
	b, err := newXLSXBook(sheetStatement, h.MaxRows, h.Stamp, "Statement "+h.ParticipantID,
		fmt.Sprintf("Payout statement of %s, business dates %s to %s", h.ParticipantID, h.From, h.To), h.TmpDir)
	if err != nil {
		return nil, err
	}
	s := &StatementWriter{b: b, h: h, sums: map[string]int64{}}
	codes := make([]string, len(h.Balances))
	for i, bal := range h.Balances {
		codes[i] = bal.Currency
	}
	s.lines, err = b.newTable(tableSpec{name: sheetLines, curCol: lcCurrency,
		columns: []xlsxColumn{{"Business date", 13}, {"Run", 22}, {"Sale", 22}, {"Product", 22}, {"Role", 12},
			{"Kind", 12}, {"Contract", 20}, {"Version", 9}, {"Currency", 10}, {"Base", 18}, {"Rate", 10},
			{"Amount", 18}, {"Sold at", 20}, {"Settled at", 20}},
		totals: func(r totalsRow) ([]any, error) {
			return []any{b.label("Total"), formula(r.countIf().Formula, b.countOf("line(s)")), nil, nil, nil, nil, nil,
				nil, b.label(r.cur), nil, nil, formula(r.sumIf(lcAmount).Formula, b.moneyTotal(r.cur))}, b.err
		}}, codes)
	if err != nil {
		b.close()
		return nil, err
	}
	s.payouts, err = b.newTable(tableSpec{name: sheetPayouts, curCol: ycCurrency,
		columns: []xlsxColumn{{"Business date", 13}, {"Run", 22}, {"Currency", 10}, {"Amount", 18}, {"Reference", 36}},
		totals: func(r totalsRow) ([]any, error) {
			return []any{b.label("Total"), formula(r.countIf().Formula, b.countOf("payout(s)")), b.label(r.cur),
				formula(r.sumIf(ycAmount).Formula, b.moneyTotal(r.cur))}, b.err
		}}, codes)
	if err != nil {
		b.close()
		return nil, err
	}
	return s, nil
}

// AddLine lists one line.
func (s *StatementWriter) AddLine(l StatementLine) error {
	b, ln := s.b, l.Line
	s.sums[ln.Currency] += ln.Amount
	var version, base any
	if ln.ContractID != "" {
		version = b.count(int64(ln.ContractVersion))
	}
	if ln.Kind != reconcile.KindAdjustment {
		base = b.money(ln.Base, ln.Currency)
	}
	loc := l.Location
	if loc == nil {
		loc = time.UTC
	}
	return s.lines.add([]any{b.date(l.BusinessDate), b.text(l.RunID), b.text(ln.SaleID), b.text(ln.ProductID),
		b.text(string(ln.Role)), b.text(string(ln.Kind)), b.text(ln.ContractID), version, b.text(ln.Currency), base,
		b.rate(ln.Rate), b.money(ln.Amount, ln.Currency), b.dateTime(ln.SoldAt, loc), b.dateTime(ln.SettledAt, loc)})
}

// AddPayout lists one payout item.
func (s *StatementWriter) AddPayout(p StatementPayout) error {
	b := s.b
	return s.payouts.add([]any{b.date(p.BusinessDate), b.text(p.RunID), b.text(p.Currency),
		b.money(p.Amount, p.Currency), b.text(p.Reference)})
}

// Abort discards a statement not written.
func (s *StatementWriter) Abort() { s.b.close() }

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
	if err := s.lines.close(); err != nil {
		b.close()
		return 0, nil, err
	}
	if err := s.payouts.close(); err != nil {
		b.close()
		return 0, nil, err
	}
	if err := s.writeSummary(); err != nil {
		b.close()
		return 0, nil, err
	}
	if err := b.save(out); err != nil {
		return 0, nil, err
	}
	return s.lines.rows + s.payouts.rows, s.sums, nil
}

func (s *StatementWriter) writeSummary() error {
	b, h := s.b, s.h
	const sh = sheetStatement
	returned := false
	for _, bal := range h.Balances {
		returned = returned || bal.Returned != 0
	}
	title, err := b.styles.title()
	if err != nil {
		return err
	}
	bold, err := b.styles.bold()
	if err != nil {
		return err
	}
	hs, err := b.styles.header()
	if err != nil {
		return err
	}
	cell := func(v any, style int) any { return excelize.Cell{Value: v, StyleID: style} }
	for _, r := range []struct {
		row   int
		cells []any
	}{
		{1, []any{cell("Payout statement", title)}},
		{2, []any{cell("Participant", bold), b.text(h.ParticipantID)}},
		{3, []any{cell("Name", bold), b.text(h.Name)}},
		{4, []any{cell("From business date", bold), b.date(h.From)}},
		{5, []any{cell("To business date", bold), b.date(h.To)}},
		{6, []any{cell("Runs", bold), b.count(int64(h.Runs))}},
	} {
		if err := b.setCells(sh, 1, r.row, r.cells...); err != nil {
			return err
		}
	}
	header := []any{cell("Per currency", hs)}
	for _, bal := range h.Balances {
		header = append(header, cell(bal.Currency, hs))
	}
	if err := b.setCells(sh, 1, statementFirstRow-1, header...); err != nil {
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
		if err := b.setCells(sh, 1, statementFirstRow+f, cell(label, style)); err != nil {
			return err
		}
	}
	at := func(col string, f int) string { return fmt.Sprintf("%s%d", col, statementFirstRow+f) }
	for i, bal := range h.Balances {
		col, cur := colName(i+1), bal.Currency
		m, mt := b.money(0, cur).StyleID, b.moneyTotal(cur)
		vals := [nStatementFigures]any{
			sOpening:  b.money(bal.Opening, cur),
			sClosing:  b.money(bal.Closing, cur),
			sReturned: b.money(bal.Returned, cur),
		}
		if currencyCode.MatchString(cur) {
			kindSum := func(kind reconcile.LineKind) string {
				return s.lines.over(func(p sheetPart) string {
					return fmt.Sprintf(`SUMIFS(%s,%s,"%s",%s,"%s")`, p.rangeOf(lcAmount), p.rangeOf(lcCurrency), cur,
						p.rangeOf(lcKind), kind)
				})
			}
			vals[sCommissions] = formula(kindSum(reconcile.KindCommission), m)
			vals[sReversals] = formula(kindSum(reconcile.KindReversal), m)
			vals[sAdjustments] = formula(kindSum(reconcile.KindAdjustment), m)
			vals[sLinesTotal] = formula(fmt.Sprintf("SUM(%s:%s)", at(col, sCommissions), at(col, sAdjustments)), mt)
			vals[sPayouts] = formula(s.payouts.sumOver(ycCurrency, ycAmount, cur), mt)
			vals[sCheck] = formula(fmt.Sprintf("%s+%s+%s-%s-%s", at(col, sOpening), at(col, sReturned), at(col, sLinesTotal),
				at(col, sPayouts), at(col, sClosing)), m)
		}
		for f, v := range vals {
			if err := b.setCells(sh, i+2, statementFirstRow+f, v); err != nil {
				return err
			}
		}
	}
	if len(h.Balances) == 0 {
		if err := b.setCells(sh, 1, statementFirstRow+nStatementFigures+1,
			b.text("No balance, line or payout in these business dates.")); err != nil {
			return err
		}
	}
	if err := b.f.SetColWidth(sh, "A", "A", 46); err != nil {
		return err
	}
	if len(h.Balances) > 0 {
		if err := b.f.SetColWidth(sh, "B", colName(len(h.Balances)), 20); err != nil {
			return err
		}
	}
	return b.err
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
