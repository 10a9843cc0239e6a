package reports

import (
	"fmt"

	"payouts/reconcile"
)

// ProviderHeader is the column order of the provider CSV (SPEC 7).
var ProviderHeader = []string{"participant_id", "name", "payout_account", "payout_bank", "currency", "amount", "reference"}

// ProviderCSVPath is where a run's provider CSV for a currency goes. The
// run id is in the file name so that a file forwarded on its own still
// says which batch it is.
func ProviderCSVPath(runID, currency string) string {
	return "provider/" + runID + "-" + currency + ".csv"
}

// ProviderCSVFiles writes one provider CSV per currency from payout items
// sorted by currency, then participant: one file open at a time.
type ProviderCSVFiles struct {
	dir   *RunDir
	runID string
	cur   reconcile.Currency
	file  *atomicFile
	csv   *csvWriter
	total int64
}

// NewProviderCSVFiles starts the provider CSVs of run runID.
func (d *RunDir) NewProviderCSVFiles(runID string) *ProviderCSVFiles {
	return &ProviderCSVFiles{dir: d, runID: runID}
}

// Add writes one payout item.
func (p *ProviderCSVFiles) Add(it reconcile.PayoutItem) error {
	if p.file == nil || it.Currency != p.cur.Code {
		if err := p.closeCurrent(); err != nil {
			return err
		}
		cur, err := reconcile.LookupCurrency(it.Currency)
		if err != nil {
			return fmt.Errorf("payout item of %s: %w", it.ParticipantID, err)
		}
		f, err := p.dir.create(ProviderCSVPath(p.runID, cur.Code))
		if err != nil {
			return err
		}
		c, err := newCSV(f, ProviderHeader)
		if err != nil {
			f.Abort()
			return err
		}
		p.cur, p.file, p.csv, p.total = cur, f, c, 0
	}
	p.total += it.Amount
	// The provider CSV is read by machines but also opened by people: the
	// name is the bank-safe text the pain.001 file carries (no formula
	// start), the account and bank code are validated to start with a
	// letter or digit, and an id starting with "-" gets SafeText's quote.
	return p.csv.row(SafeText(it.ParticipantID), BankText(it.Name, 140, it.ParticipantID), SafeText(it.PayoutAccount), SafeText(it.PayoutBank),
		it.Currency, reconcile.FormatAmount(it.Amount, p.cur), SafeText(it.Reference))
}

func (p *ProviderCSVFiles) closeCurrent() error {
	if p.file == nil {
		return nil
	}
	f, c := p.file, p.csv
	p.file, p.csv = nil, nil
	if err := c.flush(); err != nil {
		f.Abort()
		return err
	}
	return p.dir.commit(f, ProviderCSVPath(p.runID, p.cur.Code), KindProviderCSV, c.rows,
		map[string]string{p.cur.Code: reconcile.FormatAmount(p.total, p.cur)})
}

// Close publishes the last currency's file.
func (p *ProviderCSVFiles) Close() error { return p.closeCurrent() }
