package reports

import (
	"encoding/json"
	"fmt"

	"payouts/reconcile/ledger"
	"payouts/reconcile/runtype"
)

// Manifest is manifest.json: what a run published, with control totals a
// provider or auditor can check the files against.
type Manifest struct {
	RunID         string           `json:"run_id"`
	BusinessDate  string           `json:"business_date"`
	Kind          runtype.Kind     `json:"kind"`
	WindowEnd     string           `json:"window_end"`
	Files         []ledger.RunFile `json:"files"`
	ControlTotals ControlTotals    `json:"control_totals"`
}

// ControlTotals are per-currency counts and sums of the run's lines and
// payout items.
type ControlTotals struct {
	Lines       map[string]CurrencyTotal `json:"lines"`
	PayoutItems map[string]CurrencyTotal `json:"payout_items"`
}

// CurrencyTotal is a count and an amount (decimal string) in one currency.
type CurrencyTotal struct {
	Count  int64  `json:"count"`
	Amount string `json:"amount"`
}

// Finish removes stray files and publishes manifest.json last: once it is
// there, every file it lists is complete. m.Files is filled in here.
func (d *RunDir) Finish(m Manifest) (Manifest, error) {
	if err := d.settle(); err != nil {
		return m, err
	}
	if err := d.removeStrays(); err != nil {
		return m, fmt.Errorf("clean run directory: %w", err)
	}
	if err := d.verify(); err != nil {
		return m, err
	}
	m.Files = d.Files()
	if m.ControlTotals.Lines == nil {
		m.ControlTotals.Lines = map[string]CurrencyTotal{}
	}
	if m.ControlTotals.PayoutItems == nil {
		m.ControlTotals.PayoutItems = map[string]CurrencyTotal{}
	}
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	f, err := d.create(ManifestName)
	if err != nil {
		return m, err
	}
	if _, err := f.Write(append(body, '\n')); err != nil {
		f.Abort()
		return m, err
	}
	if _, _, err := f.Commit(); err != nil {
		return m, err
	}
	return m, nil
}
