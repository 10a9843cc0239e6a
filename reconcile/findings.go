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

// What a run did with a discrepancy it reports (SPEC 7).
const (
	StateOpened   = "opened"   // found for the first time
	StateReopened = "reopened" // found again after a run had resolved it
	StateResolved = "resolved" // open until this run, which checked its subject and no longer found it
	StateOpen     = "open"     // a blocking item still open, listed in the workbook only
)

// ReportedDiscrepancy is one row of a run's discrepancy report: a finding
// with what the run did with it. State is empty for runs published
// before discrepancy states existed (report version 1).
type ReportedDiscrepancy struct {
	Finding
	State              string
	OpenedBusinessDate string // YYYY-MM-DD: the business date of the run that opened the current episode
	AgeDays            int    // calendar days from OpenedBusinessDate to the run's business date
}
