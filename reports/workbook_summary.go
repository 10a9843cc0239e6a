package reports

import (
	"fmt"
	"sort"

	"github.com/xuri/excelize/v2"
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
func writeSummary(b *xlsxBook, w FinanceWorkbook, participants, held *xlsxTable, returned bool) error {
	const s = sheetSummary
	title, err := b.styles.title()
	if err != nil {
		return err
	}
	hs, err := b.styles.header()
	if err != nil {
		return err
	}
	bold, err := b.styles.bold()
	if err != nil {
		return err
	}
	cell := func(v any, style int) excelize.Cell { return excelize.Cell{Value: v, StyleID: style} }
	if err := b.setCells(s, 1, 1, cell(fmt.Sprintf("Payouts run %s", w.RunID), title)); err != nil {
		return err
	}
	if err := b.setCells(s, 1, 2, cell("Business date", bold), b.date(w.BusinessDate)); err != nil {
		return err
	}
	if err := b.setCells(s, 1, 3, cell("Kind", bold), b.text(w.Kind)); err != nil {
		return err
	}
	if err := b.setCells(s, 1, 4, cell("Window end (UTC)", bold), b.text(w.WindowEnd.UTC().Format("2006-01-02 15:04:05"))); err != nil {
		return err
	}
	if err := b.setCells(s, 1, 5, b.text("Lines total and Payouts equal the control totals of manifest.json; both checks are 0.")); err != nil {
		return err
	}

	// Per currency.
	header := []any{cell("Per currency", hs)}
	for _, c := range w.Currencies {
		header = append(header, cell(c.Currency, hs))
	}
	if err := b.setCells(s, 1, summaryFirstRow-1, header...); err != nil {
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
		if err := b.setCells(s, 1, summaryFirstRow+f, cell(label, style)); err != nil {
			return err
		}
	}
	for i, c := range w.Currencies {
		col, cur := colName(i+1), c.Currency
		m, mt := b.money(0, cur).StyleID, b.moneyTotal(cur)
		vals := [nFigures]any{
			fSalesAllocated: b.count(c.SalesAllocated),
			fGross:          b.money(c.Gross, cur),
			fPlatformFees:   b.money(c.Gross-c.Net, cur),
			fNet:            b.money(c.Net, cur),
			fAffiliate:      b.money(c.Affiliate, cur),
			fCoproducer:     b.money(c.Coproducer, cur),
			fLead:           b.money(c.Lead, cur),
			fLineCount:      b.count(c.Lines),
		}
		if currencyCode.MatchString(cur) { // it can go into a formula
			vals[fCommissions] = formula(fmt.Sprintf("SUM(%s:%s)", at(col, fAffiliate), at(col, fLead)), mt)
			vals[fReversals] = formula(participants.sumOver(pcCurrency, pcReversals, cur), m)
			vals[fAdjustments] = formula(participants.sumOver(pcCurrency, pcAdjustments, cur), m)
			vals[fLinesTotal] = formula(fmt.Sprintf("SUM(%s:%s)", at(col, fCommissions), at(col, fAdjustments)), mt)
			vals[fBroughtForward] = formula(participants.sumOver(pcCurrency, pcBroughtForward, cur), m)
			vals[fReturned] = formula(participants.sumOver(pcCurrency, pcReturned, cur), m)
			vals[fPayouts] = formula(participants.sumOver(pcCurrency, pcPayout, cur), mt)
			vals[fPayoutCount] = formula(participants.countPositiveOver(pcCurrency, pcPayout, cur), b.countTotal())
			vals[fCarriedForward] = formula(participants.sumOver(pcCurrency, pcCarriedForward, cur), m)
			vals[fHeldCount] = formula(held.countOver(hcCurrency, cur), b.count(0).StyleID)
			vals[fHeldGross] = formula(held.sumOver(hcCurrency, hcGross, cur), m)
			vals[fCheckCommissions] = formula(fmt.Sprintf("%s-(%s)", at(col, fCommissions),
				participants.sumOver(pcCurrency, pcCommissions, cur)), m)
			vals[fCheckBalance] = formula(fmt.Sprintf("%s+%s+%s-%s-%s", at(col, fBroughtForward), at(col, fReturned),
				at(col, fLinesTotal), at(col, fPayouts), at(col, fCarriedForward)), m)
		}
		for f, v := range vals {
			if err := b.setCells(s, i+2, summaryFirstRow+f, v); err != nil {
				return err
			}
		}
	}
	row := summaryFirstRow + nFigures + 1

	// Payout items by state (SPEC 12).
	row, err = writeItemTotals(b, w, row, hs, bold)
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
	if err := b.f.SetColWidth(s, "A", "A", 62); err != nil {
		return err
	}
	if err := b.f.SetColWidth(s, "B", colName(widest-1), 20); err != nil {
		return err
	}
	for i, code := range histCodes {
		if err := addPayoutChart(b, code, len(w.History), colName(i+1), chartRow, widest+1, 1+i*20); err != nil {
			return err
		}
	}
	if err := b.f.SetPanes(s, &excelize.Panes{Freeze: true, XSplit: 1, TopLeftCell: "B1", ActivePane: "topRight"}); err != nil {
		return err
	}
	return b.err
}

// writeDiscrepancyCounts writes the table of discrepancies by kind (one
// column per currency, one for those without, a live total) from row; it
// returns the next free row.
func writeDiscrepancyCounts(b *xlsxBook, w FinanceWorkbook, row, hs int) (int, error) {
	const s = sheetSummary
	colOf := map[string]int{}
	title := "Discrepancies by kind"
	if w.ReportVersion >= 2 {
		title = "Open discrepancies by kind (after the run; ages on the Backlog sheet)"
	}
	header := []any{excelize.Cell{Value: title, StyleID: hs}}
	for i, c := range w.Currencies {
		colOf[c.Currency] = i + 1
		header = append(header, excelize.Cell{Value: c.Currency, StyleID: hs})
	}
	none, total := len(w.Currencies)+1, len(w.Currencies)+2
	header = append(header, excelize.Cell{Value: "No currency", StyleID: hs}, excelize.Cell{Value: "Total", StyleID: hs})
	if err := b.setCells(s, 1, row, header...); err != nil {
		return 0, err
	}
	row++
	if len(w.DiscrepancyCounts) == 0 {
		return row + 1, b.setCells(s, 1, row, b.text("none"))
	}
	bold, err := b.styles.bold()
	if err != nil {
		return 0, err
	}
	for i := 0; i < len(w.DiscrepancyCounts); {
		kind := w.DiscrepancyCounts[i].Kind
		cells := make([]any, total+1)
		cells[0] = excelize.Cell{Value: kind, StyleID: bold} // SetCellStr: text, whatever it holds
		for ; i < len(w.DiscrepancyCounts) && w.DiscrepancyCounts[i].Kind == kind; i++ {
			dc := w.DiscrepancyCounts[i]
			col, ok := colOf[dc.Currency]
			if dc.Currency == "" {
				col, ok = none, true
			}
			if !ok {
				return 0, fmt.Errorf("workbook: discrepancies in %q, a currency the summary does not list", dc.Currency)
			}
			cells[col] = b.count(dc.Count)
		}
		cells[total] = formula(fmt.Sprintf("SUM(B%d:%s%d)", row, colName(total-1), row), b.countTotal())
		if err := b.setCells(s, 1, row, cells...); err != nil {
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
func writeHistory(b *xlsxBook, w FinanceWorkbook, row, hs int) ([]string, int, error) {
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
	title, err := b.styles.bold()
	if err != nil {
		return nil, 0, err
	}
	if err := b.setCells(s, 1, row, excelize.Cell{Value: fmt.Sprintf("Payouts of the last %d runs (business date up to this run's)", len(w.History)), StyleID: title}); err != nil {
		return nil, 0, err
	}
	row++
	header := []any{excelize.Cell{Value: "Business date", StyleID: hs}}
	for _, c := range codes {
		header = append(header, excelize.Cell{Value: c, StyleID: hs})
	}
	header = append(header, excelize.Cell{Value: "Run", StyleID: hs})
	if err := b.setCells(s, 1, row, header...); err != nil {
		return nil, 0, err
	}
	headerRow := row
	for _, r := range w.History {
		row++
		cells := []any{b.text(r.BusinessDate)}
		amounts := map[string]int64{}
		for _, p := range r.Payouts {
			amounts[p.Currency] += p.Amount
		}
		for _, c := range codes {
			cells = append(cells, b.money(amounts[c], c))
		}
		cells = append(cells, b.text(r.RunID))
		if err := b.setCells(s, 1, row, cells...); err != nil {
			return nil, 0, err
		}
	}
	return codes, headerRow, nil
}

// addPayoutChart adds a column chart of one currency's payouts over the
// history runs (the rows under headerRow, in column col), at column
// atCol, row atRow of the Summary.
func addPayoutChart(b *xlsxBook, code string, runs int, col string, headerRow, atCol, atRow int) error {
	if runs == 0 {
		return nil
	}
	s := quoteSheet(sheetSummary)
	first, last := headerRow+1, headerRow+runs
	cell, err := excelize.CoordinatesToCellName(atCol, atRow)
	if err != nil {
		return err
	}
	none := false
	return b.f.AddChart(sheetSummary, cell, &excelize.Chart{
		Type: excelize.Col,
		Series: []excelize.ChartSeries{{
			Name:       fmt.Sprintf("%s!$%s$%d", s, col, headerRow),
			Categories: fmt.Sprintf("%s!$A$%d:$A$%d", s, first, last),
			Values:     fmt.Sprintf("%s!$%s$%d:$%s$%d", s, col, first, col, last),
		}},
		Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: fmt.Sprintf("Payouts in %s, last %d runs", code, runs)}}},
		Legend:     excelize.ChartLegend{Position: "none"},
		Dimension:  excelize.ChartDimension{Width: 640, Height: 360},
		VaryColors: &none,
		YAxis:      excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{SourceLinked: true}},
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
func writeItemTotals(b *xlsxBook, w FinanceWorkbook, row, hs, bold int) (int, error) {
	const s = sheetSummary
	if len(w.ItemTotals) == 0 {
		return row, nil
	}
	header := []any{excelize.Cell{Value: "Payout items by state (all runs up to this one)", StyleID: hs}}
	for _, t := range w.ItemTotals {
		header = append(header, excelize.Cell{Value: t.Currency, StyleID: hs})
	}
	if err := b.setCells(s, 1, row, header...); err != nil {
		return row, err
	}
	first := row + 1
	for i, l := range itemLabels {
		style := bold
		if i == len(itemLabels)-1 {
			style = 0
		}
		if err := b.setCells(s, 1, first+i, excelize.Cell{Value: l, StyleID: style}); err != nil {
			return row, err
		}
	}
	for c, t := range w.ItemTotals {
		col := colName(c + 1)
		vals := []any{b.money(t.Issued, t.Currency), b.money(t.Paid, t.Currency), b.money(t.Rejected, t.Currency),
			b.money(t.Returned, t.Currency), b.money(t.Outstanding, t.Currency), b.money(t.Aged0to2, t.Currency),
			b.money(t.Aged3to7, t.Currency), b.money(t.Aged8to30, t.Currency), b.money(t.AgedOver30, t.Currency)}
		if currencyCode.MatchString(t.Currency) {
			vals = append(vals, formula(fmt.Sprintf("%[1]s%[2]d-%[1]s%[3]d-%[1]s%[4]d-%[1]s%[5]d-%[1]s%[6]d",
				col, first, first+1, first+2, first+3, first+4), b.money(0, t.Currency).StyleID))
		}
		for i, v := range vals {
			if err := b.setCells(s, c+2, first+i, v); err != nil {
				return row, err
			}
		}
	}
	return first + len(itemLabels) + 1, b.err
}
