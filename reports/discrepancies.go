package reports

import (
	"strconv"

	"payouts/reconcile"
)

// DiscrepancyHeader is the column order of discrepancies.csv (SPEC 7).
var DiscrepancyHeader = []string{"kind", "blocking", "sale_id", "invoice_id", "participant_id", "contract_id",
	"currency", "expected", "actual", "detail"}

// DiscrepancyFile writes discrepancies.csv from findings in report order.
// A run with none still gets the header.
type DiscrepancyFile struct {
	dir  *RunDir
	file *atomicFile
	csv  *csvWriter
}

// NewDiscrepancyFile starts discrepancies.csv.
func (d *RunDir) NewDiscrepancyFile() (*DiscrepancyFile, error) {
	f, err := d.create("discrepancies.csv")
	if err != nil {
		return nil, err
	}
	c, err := newCSV(f, DiscrepancyHeader)
	if err != nil {
		f.Abort()
		return nil, err
	}
	return &DiscrepancyFile{dir: d, file: f, csv: c}, nil
}

// Add writes one discrepancy.
func (w *DiscrepancyFile) Add(f reconcile.Finding) error {
	return w.csv.row(f.Kind, strconv.FormatBool(f.Blocking), SafeText(f.SaleID), SafeText(f.InvoiceID),
		SafeText(f.ParticipantID), SafeText(f.ContractID), f.Currency, SafeText(f.Expected), SafeText(f.Actual),
		SafeText(f.Detail))
}

// Close publishes the file.
func (w *DiscrepancyFile) Close() error {
	if err := w.csv.flush(); err != nil {
		w.file.Abort()
		return err
	}
	return w.dir.commit(w.file, "discrepancies.csv", KindDiscrepancies, w.csv.rows, nil)
}
