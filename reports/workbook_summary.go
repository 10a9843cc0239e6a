package reports

import (
	"fmt"
	"sort"

	"payouts/reports/xlsx"
)

// The figures of the Summary's per-currency table, in row order.
const (
	fSalesAllocated = iota
	fGross
	fPlatformFees
	fNet
	fAffiliate
	fCoproducer
	fLead
	fCommissions
	fReversals
	fAdjustments
	fLinesTotal
	fLineCount
	fBroughtForward
	fReturned
	fPayouts
	fPayoutCount
	fCarriedForward
	fHeldCount
	fHeldGross
	fCheckCommissions
	fCheckBalance
	nFigures
)

// figureLabels are the row labels of the Summary's figures. The test of
// the workbook finds its rows by these labels.
var figureLabels = [nFigures]string{
	fSalesAllocated:   "Sales allocated",
	fGross:            "Gross",
	fPlatformFees:     "Platform fees",
	fNet:              "Net",
	fAffiliate:        "Affiliate commissions",
	fCoproducer:       "Co-producer commissions",
	fLead:             "Lead producer commissions",
	fCommissions:      "Commissions",
	fReversals:        "Reversals",
	fAdjustments:      "Adjustments",
	fLinesTotal:       "Lines total",
	fLineCount:        "Lines (count)",
	fBroughtForward:   "Brought forward",
	fReturned:         "Returned (credited back)",
	fPayouts:          "Payouts",
	fPayoutCount:      "Payout items (count)",
	fCarriedForward:   "Carried forward",
	fHeldCount:        "Held sales (count)",
	fHeldGross:        "Held sales gross",
	fCheckCommissions: "Check: commissions by role - Participants commissions (0)",
	fCheckBalance:     "Check: brought forward + lines - payouts - carried forward (0)",
}

// Summary labels the tests and readers look for.
const (
	SummaryLinesTotal  = "Lines total"
	SummaryPayouts     = "Payouts"
	SummaryPayoutCount = "Payout items (count)"
	summaryFirstRow    = 8 // the first figure; the header of currencies is the row above
)

// writeSummary fills the Summary sheet: the run, the per-currency figures
// (the live ones are formulas over the lists), the discrepancies by kind,
// the payout totals of the last runs and a chart of them per currency.
//
// The balance check always adds the returned amounts (SPEC 12); its label
// names them when the run has any (checkBalanceReturned), and keeps the
// label of the runs without otherwise.
func writeSummary(b *xlsx.Book, w FinanceWorkbook, participants, held *xlsx.Table, returned bool) error {
	const s = sheetSummary
	title, hs, bold := b.TitleStyle(), b.HeaderStyle(), b.BoldStyle()
	cell := xlsx.String
	run := w.Run
	if err := b.SetCells(s, 1, 1, cell(fmt.Sprintf("Payouts run %s", run.RunID), title)); err != nil {
		return err
	}
	if err := b.SetCells(s, 1, 2, cell("Business date", bold), b.Date(run.BusinessDate)); err != nil {
		return err
	}
	if err := b.SetCells(s, 1, 3, cell("Kind", bold), b.Text(string(run.Kind))); err != nil {
		return err
	}
	if err := b.SetCells(s, 1, 4, cell("Window end (UTC)", bold), b.Text(run.WindowEnd.UTC().Format("2006-01-02 15:04:05"))); err != nil {
		return err
	}
	if err := b.SetCells(s, 1, 5, b.Text("Lines total and Payouts equal the control totals of manifest.json; both checks are 0.")); err != nil {
		return err
	}

	// Per currency.
	header := []xlsx.Cell{cell("Per currency", hs)}
	for _, c := range w.Currencies {
		header = append(header, cell(c.Currency, hs))
	}
	if err := b.SetCells(s, 1, summaryFirstRow-1, header...); err != nil {
		return err
	}
	at := func(col string, f int) string { return fmt.Sprintf("%s%d", col, summaryFirstRow+f) }
	for f := 0; f < nFigures; f++ {
		style := bold
		if f >= fCheckCommissions {
			style = 0
		}
		label := figureLabels[f]
		if f == fCheckBalance && returned {
			label = checkBalanceReturned
		}
		if err := b.SetCells(s, 1, summaryFirstRow+f, cell(label, style)); err != nil {
			return err
		}
	}
	for i, c := range w.Currencies {
		col, cur := xlsx.ColName(i+1), c.Currency
		m, mt := b.MoneyStyle(cur), b.MoneyTotalStyle(cur)
		vals := [nFigures]xlsx.Cell{
			fSalesAllocated: b.Count(c.SalesAllocated),
			fGross:          b.Money(c.Gross, cur),
			fPlatformFees:   b.Money(c.Gross-c.Net, cur),
			fNet:            b.Money(c.Net, cur),
			fAffiliate:      b.Money(c.Affiliate, cur),
			fCoproducer:     b.Money(c.Coproducer, cur),
			fLead:           b.Money(c.Lead, cur),
			fLineCount:      b.Count(c.Lines),
		}
		if xlsx.FormulaCurrency(cur) { // it can go into a formula
			vals[fCommissions] = xlsx.Formula(fmt.Sprintf("SUM(%s:%s)", at(col, fAffiliate), at(col, fLead)), mt)
			vals[fReversals] = xlsx.Formula(participants.SumOver(pcCurrency, pcReversals, cur), m)
			vals[fAdjustments] = xlsx.Formula(participants.SumOver(pcCurrency, pcAdjustments, cur), m)
			vals[fLinesTotal] = xlsx.Formula(fmt.Sprintf("SUM(%s:%s)", at(col, fCommissions), at(col, fAdjustments)), mt)
			vals[fBroughtForward] = xlsx.Formula(participants.SumOver(pcCurrency, pcBroughtForward, cur), m)
			vals[fReturned] = xlsx.Formula(participants.SumOver(pcCurrency, pcReturned, cur), m)
			vals[fPayouts] = xlsx.Formula(participants.SumOver(pcCurrency, pcPayout, cur), mt)
			vals[fPayoutCount] = xlsx.Formula(participants.CountPositiveOver(pcCurrency, pcPayout, cur), b.CountTotalStyle())
			vals[fCarriedForward] = xlsx.Formula(participants.SumOver(pcCurrency, pcCarriedForward, cur), m)
			vals[fHeldCount] = xlsx.Formula(held.CountOver(hcCurrency, cur), b.CountStyle())
			vals[fHeldGross] = xlsx.Formula(held.SumOver(hcCurrency, hcGross, cur), m)
			vals[fCheckCommissions] = xlsx.Formula(fmt.Sprintf("%s-(%s)", at(col, fCommissions),
				participants.SumOver(pcCurrency, pcCommissions, cur)), m)
			vals[fCheckBalance] = xlsx.Formula(fmt.Sprintf("%s+%s+%s-%s-%s", at(col, fBroughtForward), at(col, fReturned),
				at(col, fLinesTotal), at(col, fPayouts), at(col, fCarriedForward)), m)
		}
		for f, v := range vals {
			if err := b.SetCells(s, i+2, summaryFirstRow+f, v); err != nil {
				return err
			}
		}
	}
	row := summaryFirstRow + nFigures + 1

	// Payout items by state (SPEC 12).
	row, err := writeItemTotals(b, w, row, hs, bold)
	if err != nil {
		return err
	}

	// Discrepancies by kind.
	row, err = writeDiscrepancyCounts(b, w, row, hs)
	if err != nil {
		return err
	}

	// Payouts of the last runs, and their charts.
	histCodes, chartRow, err := writeHistory(b, w, row, hs)
	if err != nil {
		return err
	}
	widest := max(len(w.Currencies)+3, len(histCodes)+2)
	if err := b.SetColWidth(s, 0, 0, 62); err != nil {
		return err
	}
	if err := b.SetColWidth(s, 1, widest-1, 20); err != nil {
		return err
	}
	for i, code := range histCodes {
		if err := addPayoutChart(b, code, len(w.History), xlsx.ColName(i+1), chartRow, widest+1, 1+i*20); err != nil {
			return err
		}
	}
	if err := b.Freeze(s, 1, 0); err != nil {
		return err
	}
	return b.Err()
}

// writeDiscrepancyCounts writes the table of discrepancies by kind (one
// column per currency, one for those without, a live total) from row; it
// returns the next free row.
func writeDiscrepancyCounts(b *xlsx.Book, w FinanceWorkbook, row int, hs xlsx.Style) (int, error) {
	const s = sheetSummary
	colOf := map[string]int{}
	title := "Discrepancies by kind"
	if w.Run.ReportVersion >= 2 {
		title = "Open discrepancies by kind (after the run; ages on the Backlog sheet)"
	}
	header := []xlsx.Cell{xlsx.String(title, hs)}
	for i, c := range w.Currencies {
		colOf[c.Currency] = i + 1
		header = append(header, xlsx.String(c.Currency, hs))
	}
	none, total := len(w.Currencies)+1, len(w.Currencies)+2
	header = append(header, xlsx.String("No currency", hs), xlsx.String("Total", hs))
	if err := b.SetCells(s, 1, row, header...); err != nil {
		return 0, err
	}
	row++
	if len(w.DiscrepancyCounts) == 0 {
		return row + 1, b.SetCells(s, 1, row, b.Text("none"))
	}
	bold := b.BoldStyle()
	for i := 0; i < len(w.DiscrepancyCounts); {
		kind := w.DiscrepancyCounts[i].Kind
		cells := make([]xlsx.Cell, total+1)
		cells[0] = xlsx.String(kind, bold) // SetCellStr: text, whatever it holds
		for ; i < len(w.DiscrepancyCounts) && w.DiscrepancyCounts[i].Kind == kind; i++ {
			dc := w.DiscrepancyCounts[i]
			col, ok := colOf[dc.Currency]
			if dc.Currency == "" {
				col, ok = none, true
			}
			if !ok {
				return 0, fmt.Errorf("workbook: discrepancies in %q, a currency the summary does not list", dc.Currency)
			}
			cells[col] = b.Count(dc.Count)
		}
		cells[total] = xlsx.Formula(fmt.Sprintf("SUM(B%d:%s%d)", row, xlsx.ColName(total-1), row), b.CountTotalStyle())
		if err := b.SetCells(s, 1, row, cells...); err != nil {
			return 0, err
		}
		row++
	}
	return row + 1, nil
}

// writeHistory writes the payout totals of the last runs from row: a
// title, a header (business date, one column per currency, run) and one
// row per run, oldest first. It returns the currencies (sorted) and the
// header's row.
func writeHistory(b *xlsx.Book, w FinanceWorkbook, row int, hs xlsx.Style) ([]string, int, error) {
	const s = sheetSummary
	seen := map[string]bool{}
	var codes []string
	for _, r := range w.History {
		for _, p := range r.Payouts {
			if !seen[p.Currency] {
				seen[p.Currency] = true
				codes = append(codes, p.Currency)
			}
		}
	}
	sort.Strings(codes)
	title := b.BoldStyle()
	if err := b.SetCells(s, 1, row, xlsx.String(fmt.Sprintf("Payouts of the last %d runs (business date up to this run's)", len(w.History)), title)); err != nil {
		return nil, 0, err
	}
	row++
	header := []xlsx.Cell{xlsx.String("Business date", hs)}
	for _, c := range codes {
		header = append(header, xlsx.String(c, hs))
	}
	header = append(header, xlsx.String("Run", hs))
	if err := b.SetCells(s, 1, row, header...); err != nil {
		return nil, 0, err
	}
	headerRow := row
	for _, r := range w.History {
		row++
		cells := []xlsx.Cell{b.Text(r.BusinessDate)}
		amounts := map[string]int64{}
		for _, p := range r.Payouts {
			amounts[p.Currency] += p.Amount
		}
		for _, c := range codes {
			cells = append(cells, b.Money(amounts[c], c))
		}
		cells = append(cells, b.Text(r.RunID))
		if err := b.SetCells(s, 1, row, cells...); err != nil {
			return nil, 0, err
		}
	}
	return codes, headerRow, nil
}

// addPayoutChart adds a column chart of one currency's payouts over the
// history runs (the rows under headerRow, in column col), at column
// atCol, row atRow of the Summary.
func addPayoutChart(b *xlsx.Book, code string, runs int, col string, headerRow, atCol, atRow int) error {
	if runs == 0 {
		return nil
	}
	s := xlsx.QuoteSheet(sheetSummary)
	first, last := headerRow+1, headerRow+runs
	return b.AddColumnChart(sheetSummary, atCol, atRow, xlsx.ColumnChart{
		Title:      fmt.Sprintf("Payouts in %s, last %d runs", code, runs),
		Name:       fmt.Sprintf("%s!$%s$%d", s, col, headerRow),
		Categories: fmt.Sprintf("%s!$A$%d:$A$%d", s, first, last),
		Values:     fmt.Sprintf("%s!$%s$%d:$%s$%d", s, col, first, col, last),
		Width:      640, Height: 360,
	})
}

// checkBalanceReturned is the balance check's label in a run that credited
// rejected or returned payouts back.
const checkBalanceReturned = "Check: brought forward + returned + lines - payouts - carried forward (0)"

// itemLabels are the rows of the Summary's payout items table.
var itemLabels = []string{"Issued", "Paid", "Rejected", "Returned", "Outstanding (issued or accepted)",
	"Outstanding 0-2 days", "Outstanding 3-7 days", "Outstanding 8-30 days", "Outstanding over 30 days",
	"Check: issued - paid - rejected - returned - outstanding (0)"}

// writeItemTotals writes the table of payout items by state: one column
// per currency of w.ItemTotals, every item issued up to the run by state
// and the outstanding ones by age (as the run saw them), and a live
// check. It returns the next free row.
func writeItemTotals(b *xlsx.Book, w FinanceWorkbook, row int, hs, bold xlsx.Style) (int, error) {
	const s = sheetSummary
	if len(w.ItemTotals) == 0 {
		return row, nil
	}
	header := []xlsx.Cell{xlsx.String("Payout items by state (all runs up to this one)", hs)}
	for _, t := range w.ItemTotals {
		header = append(header, xlsx.String(t.Currency, hs))
	}
	if err := b.SetCells(s, 1, row, header...); err != nil {
		return row, err
	}
	first := row + 1
	for i, l := range itemLabels {
		style := bold
		if i == len(itemLabels)-1 {
			style = 0
		}
		if err := b.SetCells(s, 1, first+i, xlsx.String(l, style)); err != nil {
			return row, err
		}
	}
	for c, t := range w.ItemTotals {
		col := xlsx.ColName(c + 1)
		vals := []xlsx.Cell{b.Money(t.Issued, t.Currency), b.Money(t.Paid, t.Currency), b.Money(t.Rejected, t.Currency),
			b.Money(t.Returned, t.Currency), b.Money(t.Outstanding, t.Currency), b.Money(t.Aged0to2, t.Currency),
			b.Money(t.Aged3to7, t.Currency), b.Money(t.Aged8to30, t.Currency), b.Money(t.AgedOver30, t.Currency)}
		if xlsx.FormulaCurrency(t.Currency) {
			vals = append(vals, xlsx.Formula(fmt.Sprintf("%[1]s%[2]d-%[1]s%[3]d-%[1]s%[4]d-%[1]s%[5]d-%[1]s%[6]d",
				col, first, first+1, first+2, first+3, first+4), b.MoneyStyle(t.Currency)))
		}
		for i, v := range vals {
			if err := b.SetCells(s, c+2, first+i, v); err != nil {
				return row, err
			}
		}
	}
	return first + len(itemLabels) + 1, b.Err()
}
