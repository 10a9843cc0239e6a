package reports

import (
	"io"
	"strconv"

	"payouts/reconcile/ledger"
)

// DiscrepancyListHeader is the column order of `payouts discrepancies
// --format csv`: discrepancies.csv's columns, then the lifecycle.
var DiscrepancyListHeader = append(append([]string(nil), legacyDiscrepancyHeader...), "opened_run", "last_seen_run", "resolved_run")

// DiscrepancyList writes discrepancies with their lifecycle as CSV, text
// from the data made safe for spreadsheets.
type DiscrepancyList struct {
	csv *csvWriter
}

// NewDiscrepancyList starts the list on w with its header.
func NewDiscrepancyList(w io.Writer) (*DiscrepancyList, error) {
	c, err := newCSV(w, DiscrepancyListHeader)
	if err != nil {
		return nil, err
	}
	return &DiscrepancyList{csv: c}, nil
}

// Add writes one discrepancy.
func (l *DiscrepancyList) Add(d ledger.DiscrepancyRecord) error {
	return l.csv.row(d.Kind, strconv.FormatBool(d.Blocking), SafeText(d.SaleID), SafeText(d.InvoiceID),
		SafeText(d.ParticipantID), SafeText(d.ContractID), SafeText(d.Currency), SafeText(d.Expected), SafeText(d.Actual),
		SafeText(d.Detail), d.OpenedRun, d.LastSeenRun, d.ResolvedRun)
}

// Flush writes out what is buffered.
func (l *DiscrepancyList) Flush() error { return l.csv.flush() }

// Rows is how many discrepancies were written.
func (l *DiscrepancyList) Rows() int64 { return l.csv.rows }
