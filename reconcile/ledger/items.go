package ledger

import "payouts/reconcile"

// ItemTotals are payout items of one currency by state (SPEC 12): issued
// = paid + rejected + returned + outstanding (issued or accepted).
//
// `status` shows those of one run (RunID, with their Count), as they are
// now. A run's workbook shows every item issued up to the run, as the run
// saw them when it computed (run_item_totals), with the outstanding ones
// by age in days since the business date of the run that issued them;
// RunID is then the run that saw them.
type ItemTotals struct {
	RunID                                         string
	Currency                                      string
	Count                                         int64
	Issued, Paid, Rejected, Returned, Outstanding int64
	Aged0to2, Aged3to7, Aged8to30, AgedOver30     int64
}

// ItemState is a payout item as a run saw it when it computed
// (run_item_states): the item (its reference, run, participant, currency
// and amount), its state and the bank's reason, its age in days, and the
// run that credited it back, if one did by then.
type ItemState struct {
	reconcile.PayoutItem
	State       string
	ReasonCode  string
	Reason      string
	AgeDays     int64
	CreditedRun string
}
