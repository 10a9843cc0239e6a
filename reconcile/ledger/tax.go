package ledger

import "payouts/reconcile"

// TaxPeriodTotal is one issuer's position in one currency for a period
// (the monthly tax report, SPEC section 8), in minor units: what it should
// have invoiced (the gross of its products' sales settled in the period
// under the commission model, its shares of them under the partnership
// model) against the active invoices issued under its tax id in the
// period.
type TaxPeriodTotal struct {
	Key       string // the normalized tax id, or "id:<participant>" for a producer without one
	Producers string // participant ids sharing the key, space-separated; "" for a tax id that is no producer's
	Name      string
	TaxID     string // as recorded (the producer's, else the invoices')
	Currency  reconcile.Currency
	Sales     int64
	Expected  int64
	Invoices  int64
	Invoiced  int64
	NotSummed int64 // sales or invoices whose amounts break their currency's digits: counted, not added
}

// Difference is invoiced less expected.
func (t TaxPeriodTotal) Difference() int64 { return t.Invoiced - t.Expected }

// Mismatch reports whether the total is a PERIOD_TOTAL_MISMATCH: a
// producer's invoiced total differs from what it should have invoiced.
// Totals are compared exactly: PAYOUTS_TAX_TOLERANCE is per invoice, and
// tolerated cents add up.
func (t TaxPeriodTotal) Mismatch() bool { return t.Producers != "" && t.Difference() != 0 }

// DiscrepancyRecord is a discrepancy with its lifecycle (`payouts
// discrepancies`): its key, the run that opened it, the last run that
// found it and the run that resolved it ("" while open).
type DiscrepancyRecord struct {
	reconcile.Finding
	Key         string
	OpenedRun   string
	LastSeenRun string
	ResolvedRun string
}
