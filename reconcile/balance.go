package reconcile

import "fmt"

// Balance is one participant's money in one currency across a run (SPEC
// section 6): brought forward plus the run's lines is the closing balance,
// which is either paid out whole or carried forward whole.
type Balance struct {
	ParticipantID  string
	Currency       Currency
	BroughtForward int64
	Returned       int64 // rejected or returned payouts credited back by this run (SPEC 12)
	Commissions    int64
	Reversals      int64
	Adjustments    int64
	Payout         int64
	CarriedForward int64
}

// Closing is brought forward plus what was credited back plus the run's lines.
func (b Balance) Closing() int64 {
	return b.BroughtForward + b.Returned + b.Commissions + b.Reversals + b.Adjustments
}

// Settle decides the payout: a closing balance of at least minPayout is
// paid whole to a participant with a payout account; anything else
// (below the minimum, negative after a clawback, or no account) is carried
// forward whole. A payable balance without an account is reported as
// MISSING_PAYOUT_ACCOUNT, blocking that participant's payout.
func Settle(b Balance, minPayout int64, hasAccount bool) (Balance, *Finding) {
	closing := b.Closing()
	b.Payout, b.CarriedForward = 0, closing
	if closing < minPayout || closing <= 0 {
		return b, nil
	}
	if !hasAccount {
		return b, &Finding{
			Kind: MissingPayoutAccount, Blocking: true, ParticipantID: b.ParticipantID, Currency: b.Currency.Code,
			Expected: FormatAmount(closing, b.Currency),
			Actual:   FormatAmount(0, b.Currency),
			Detail:   fmt.Sprintf("participant %s has %s %s to be paid but no payout_account; carried forward", b.ParticipantID, FormatAmount(closing, b.Currency), b.Currency.Code),
		}
	}
	b.Payout, b.CarriedForward = closing, 0
	return b, nil
}
