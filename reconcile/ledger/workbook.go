package ledger

import "payouts/reconcile"

// The records of the finance workbook (docs/workbook.md), as the run
// recorded them.

// CurrencySummary is what a run did in one currency.
type CurrencySummary struct {
	Currency       string
	SalesAllocated int64
	Gross, Net     int64 // of the sales it allocated
	Affiliate      int64 // commission lines by role
	Coproducer     int64
	Lead           int64
	Lines          int64 // number of lines
}

// DiscrepancyCount is how many discrepancies of a kind there are in a
// currency ("" for those without one).
type DiscrepancyCount struct {
	Kind     string `db:"kind"`
	Currency string `db:"currency"`
	Count    int64  `db:"n"`
}

// BacklogAges are the ages of the open backlog, in days since the
// business date of the run that opened the discrepancy (run_backlog.age).
var BacklogAges = []string{"0-2", "3-7", "8-30", "over 30"}

// BacklogCount is how many discrepancies of a kind and currency were open
// after a run, at one age.
type BacklogCount struct {
	Kind     string `db:"kind"`
	Blocking bool   `db:"blocking"`
	Currency string `db:"currency"` // "" when the kind has none
	Age      string `db:"age"`      // one of BacklogAges
	Count    int64  `db:"count"`
}

// RunPayouts is one run's payout total per currency, sorted by code
// (none for a run without payout items): Count items totalling Amount.
type RunPayouts struct {
	RunID        string
	BusinessDate string // YYYY-MM-DD
	Payouts      []RunTotal
}

// ParticipantBalance is a participant's balance in one currency after a
// run (a row of balances), with the participant's name as the run
// recorded it.
type ParticipantBalance struct {
	reconcile.Balance
	Name string
}

// ContractApplied is one contract version's co-producer lines in a run
// (per currency), with the version's rate and scope.
type ContractApplied struct {
	ContractID     string
	Version        int
	CoproducerID   string
	CoproducerName string
	ProductID      string
	Currency       string
	Rate           reconcile.Rate // 0 when unknown
	Scope          string
	Sales          int64 // commission lines: one per sale it took a commission on
	Commissions    int64
	Reversals      int64
	Adjustments    int64
}

// HeldSale is a sale a run held (a blocking CAP_EXCEEDED or INVALID_SALE),
// with the facts of the sale as the run saw them. Gross is the platform's
// decimal text, trailing zeros trimmed: a held sale's amounts may not fit
// its currency.
type HeldSale struct {
	SaleID    string
	ProductID string
	Currency  string
	Gross     string
	Kind      string
	Detail    string
}
