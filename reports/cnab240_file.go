package reports

import (
	"fmt"
	"strings"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
	"payouts/reports/cnab240"
)

// KindProviderCNAB240 is the manifest kind of a run's CNAB 240 remittance.
const KindProviderCNAB240 = "provider_cnab240"

// CNAB240Path is where a run's CNAB 240 remittance of its BRL payout items
// goes, next to the pain.001 file and the provider CSV.
func CNAB240Path(runID string) string {
	return "provider/" + runID + "-BRL.rem"
}

// CNAB240Payment is a BRL payout item as the remittance carries it: the
// name transliterated as for pain.001 (BankText, upper case, 30
// characters), the PIX key or the bank data parsed, the tax id when it is
// a valid CPF or CNPJ. An item the remittance cannot carry is an error:
// settlement holds such payees (INVALID_PAYOUT_ACCOUNT), so one here means
// the stored item and the rules disagree.
func CNAB240Payment(it reconcile.PayoutItem) (cnab240.Payment, error) {
	p := cnab240.Payment{Reference: it.ShortRef, Amount: it.Amount,
		Name: strings.ToUpper(BankText(it.Name, 30, it.ParticipantID))}
	if it.Currency != "BRL" {
		return p, fmt.Errorf("CNAB 240 item %s: currency %s, not BRL", it.Reference, it.Currency)
	}
	if it.ShortRef == "" {
		return p, fmt.Errorf("CNAB 240 item %s: no short reference", it.Reference)
	}
	var err error
	if it.PixKey != "" {
		if p.PixKey, err = reconcile.ParsePixKey(it.PixKey); err != nil {
			return p, fmt.Errorf("CNAB 240 item %s: %w", it.Reference, err)
		}
	} else if p.Bank, err = reconcile.ParseBankAccount(it.PayoutAccount, it.PayoutBank); err != nil {
		return p, fmt.Errorf("CNAB 240 item %s: %w", it.Reference, err)
	}
	if _, n, err := reconcile.ValidateTaxID(it.TaxID); it.TaxID != "" && err == nil {
		p.TaxID = n
	}
	return p, nil
}

// WriteCNAB240 publishes the remittance of a run's BRL payout items (in
// their stored order) and lists it in the manifest; want is the count and
// sum of the run's BRL items as stored, which the file must hold.
func (d *RunDir) WriteCNAB240(runID string, s cnab240.Settings, items []reconcile.PayoutItem, want ledger.RunTotal) error {
	payments := make([]cnab240.Payment, len(items))
	for i, it := range items {
		p, err := CNAB240Payment(it)
		if err != nil {
			return err
		}
		payments[i] = p
	}
	f, err := d.create(CNAB240Path(runID))
	if err != nil {
		return err
	}
	sum, err := cnab240.Write(f, s, payments)
	if err == nil && (sum.Payments != want.Count || sum.Amount != want.Amount) {
		err = fmt.Errorf("CNAB 240 remittance of run %s holds %d payments totalling %d, the run's BRL items are %d totalling %d",
			runID, sum.Payments, sum.Amount, want.Count, want.Amount)
	}
	if err != nil {
		f.Abort() // nothing is published
		return err
	}
	brl, err := reconcile.LookupCurrency("BRL")
	if err != nil {
		f.Abort()
		return err
	}
	return d.commit(f, CNAB240Path(runID), KindProviderCNAB240, sum.Payments,
		map[string]string{"BRL": reconcile.FormatAmount(sum.Amount, brl)})
}
