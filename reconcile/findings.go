package reconcile

import "strings"

// Discrepancy kinds. The first four come from allocation and balances; the
// tax-record kinds of SPEC section 8 join them.
const (
	CapExceeded           = "CAP_EXCEEDED"
	UnauthorizedAffiliate = "UNAUTHORIZED_AFFILIATE"
	InvalidSale           = "INVALID_SALE"
	MissingPayoutAccount  = "MISSING_PAYOUT_ACCOUNT"
)

// Finding is one discrepancy a run found. Empty fields do not apply.
type Finding struct {
	Kind          string
	Blocking      bool // the sale or payout it names is held until it is resolved
	SaleID        string
	InvoiceID     string
	ParticipantID string
	ContractID    string
	Currency      string
	Expected      string
	Actual        string
	Detail        string
	Reference     string // a payout item's reference (payout status kinds); part of the key when set
}

// Key is the finding's stable identity: the same problem found by two runs
// has the same key, so the second run sees it still open instead of
// reporting a new one.
func (f Finding) Key() string {
	k := strings.Join([]string{f.Kind, f.SaleID, f.InvoiceID, f.ParticipantID, f.ContractID, f.Currency}, "|")
	if f.Reference != "" {
		k += "|" + f.Reference
	}
	return k
}
