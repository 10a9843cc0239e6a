package reports

import (
	"strconv"

	"payouts/reconcile"
)

// DiscrepancyHeader is the column order of discrepancies.csv (SPEC 7):
// what the run opened, re-opened or resolved, with the age it reached.
var DiscrepancyHeader = []string{"kind", "blocking", "sale_id", "invoice_id", "participant_id", "contract_id",
	"currency", "expected", "actual", "detail", "state", "opened_business_date", "age_days"}

// legacyDiscrepancyHeader is the layout of runs published before
// discrepancy states (report version 1): every discrepancy found or still
// open. Their files are exported again in it, byte for byte.
var legacyDiscrepancyHeader = DiscrepancyHeader[:10]

// DiscrepancyFile writes discrepancies.csv from findings in report order.
// A run with none still gets the header.
type DiscrepancyFile struct {
	dir    *RunDir
	file   *atomicFile
	csv    *csvWriter
	legacy bool
}

// NewDiscrepancyFile starts discrepancies.csv in the layout of the run's
// report version (1: before discrepancy states, 2: SPEC 7 as it is).
func (d *RunDir) NewDiscrepancyFile(reportVersion int) (*DiscrepancyFile, error) {
	f, err := d.create("discrepancies.csv")
	if err != nil {
		return nil, err
	}
	header := DiscrepancyHeader
	if reportVersion < 2 {
		header = legacyDiscrepancyHeader
	}
	c, err := newCSV(f, header)
	if err != nil {
		f.Abort()
		return nil, err
	}
	return &DiscrepancyFile{dir: d, file: f, csv: c, legacy: reportVersion < 2}, nil
}

// Add writes one discrepancy.
func (w *DiscrepancyFile) Add(d reconcile.ReportedDiscrepancy) error {
	f := d.Finding
	cells := []string{f.Kind, strconv.FormatBool(f.Blocking), SafeText(f.SaleID), SafeText(f.InvoiceID),
		SafeText(f.ParticipantID), SafeText(f.ContractID), f.Currency, SafeText(f.Expected), SafeText(f.Actual),
		SafeText(f.Detail)}
	if !w.legacy {
		cells = append(cells, d.State, d.OpenedBusinessDate, strconv.Itoa(d.AgeDays))
	}
	return w.csv.row(cells...)
}

// Close publishes the file.
func (w *DiscrepancyFile) Close() error {
	if err := w.csv.flush(); err != nil {
		w.file.Abort()
		return err
	}
	return w.dir.commit(w.file, "discrepancies.csv", KindDiscrepancies, w.csv.rows, nil)
}
