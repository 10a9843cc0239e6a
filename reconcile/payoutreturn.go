package reconcile

import (
	"fmt"
	"sort"
	"strings"
)

// Discrepancy kinds of payout status (SPEC section 12).
const (
	// PayoutReturned: a rejected or returned payout was credited back to the
	// participant and is held (balance carried forward) until the payout
	// account differs from the one the item was sent to. Blocking.
	PayoutReturnedKind = "PAYOUT_RETURNED"
	// PayoutStatusMismatch: a status report that did not fit the item
	// (unknown reference, another amount or currency, a status going
	// backwards). The file was refused; reported by the next nightly run.
	PayoutStatusMismatchKind = "PAYOUT_STATUS_MISMATCH"
	// PayoutUnconfirmed: an item without a final state PAYOUTS_CONFIRM_DAYS
	// business days after its requested execution date. Not blocking;
	// resolved by the final status.
	PayoutUnconfirmedKind = "PAYOUT_UNCONFIRMED"
)

// ItemStatus is what the import needs to know of a payout item to judge a
// status report about it.
type ItemStatus struct {
	Reference string
	State     PayoutState
	Amount    int64
	Currency  string
}

// StatusVerdict is what a status report does to an item.
type StatusVerdict int

const (
	StatusApply    StatusVerdict = iota // the item moves to the reported state
	StatusSame                          // the item is already in that state: nothing to do
	StatusMismatch                      // the report does not fit the item: PAYOUT_STATUS_MISMATCH
)

// JudgeStatus decides what report r does to item it (SPEC 12): a report of
// another amount or currency than the item's, or one that goes backwards
// or sideways, is a mismatch (with the reason); a report of the state the
// item is already in changes nothing; anything else moves the item on.
func JudgeStatus(it ItemStatus, r StatusReport) (StatusVerdict, string) {
	if r.Currency != "" && r.Currency != it.Currency {
		return StatusMismatch, fmt.Sprintf("reported in %s, the item is in %s", r.Currency, it.Currency)
	}
	if r.HasAmount && r.Amount != it.Amount {
		cur, err := LookupCurrency(it.Currency)
		if err != nil {
			return StatusMismatch, fmt.Sprintf("reported amount %d minor units, the item is %d", r.Amount, it.Amount)
		}
		return StatusMismatch, fmt.Sprintf("reported amount %s, the item is %s %s",
			FormatAmount(r.Amount, cur), FormatAmount(it.Amount, cur), it.Currency)
	}
	if r.State == it.State {
		return StatusSame, ""
	}
	if !it.State.CanMoveTo(r.State) {
		return StatusMismatch, fmt.Sprintf("%s after %s goes backwards", r.State, it.State)
	}
	return StatusApply, ""
}

// ReturnedCredit is an amount a run credited back to a participant for a
// rejected or returned item, still held, with the account the item was
// sent to.
type ReturnedCredit struct {
	Reference     string
	Amount        int64
	State         PayoutState // rejected or returned
	ReasonCode    string
	PayoutAccount string
	PayoutBank    string
	PixKey        string // the PIX key it was sent to (CNAB 240 pays a key before bank data)
}

// ReturnHold is the hold decision for one participant and currency.
type ReturnHold struct {
	Held     int64    // credited amounts still held: the balance is carried forward
	Released []string // references of credits whose account has changed: paid from now on
	Finding  *Finding // PAYOUT_RETURNED while something is held
}

// HoldReturned decides which credited-back amounts of a participant are
// still held: those sent to the account, bank and PIX key the participant
// still has. A changed account or key (a new payouts load of
// participants.csv) releases them, and the balance is paid in the run's
// normal item.
func HoldReturned(participantID string, cur Currency, credits []ReturnedCredit, account, bank, pixKey string) ReturnHold {
	var h ReturnHold
	var held []string
	for _, c := range credits {
		if c.PayoutAccount == account && c.PayoutBank == bank && c.PixKey == pixKey {
			h.Held += c.Amount
			what := string(c.State)
			if c.ReasonCode != "" {
				what += " " + c.ReasonCode
			}
			held = append(held, c.Reference+" ("+what+")")
			continue
		}
		h.Released = append(h.Released, c.Reference)
	}
	sort.Strings(h.Released)
	if h.Held > 0 {
		sort.Strings(held)
		h.Finding = &Finding{Kind: PayoutReturnedKind, Blocking: true, ParticipantID: participantID, Currency: cur.Code,
			Expected: FormatAmount(h.Held, cur), Actual: FormatAmount(0, cur),
			Detail: fmt.Sprintf("participant %s: %s %s credited back for %s; held until the payout account changes; balance carried forward",
				participantID, FormatAmount(h.Held, cur), cur.Code, strings.Join(held, ", "))}
	}
	return h
}

// SettleHeld is Settle for a balance with held returned amounts: nothing
// is paid, the whole closing balance is carried forward.
func SettleHeld(b Balance) Balance {
	b.Payout, b.CarriedForward = 0, b.Closing()
	return b
}

// Unconfirmed reports whether an item issued by the run of business date
// issued, requested for execution lag business days later, still without a
// final state on business date today, is PAYOUT_UNCONFIRMED: today is at
// least confirmDays business days after the requested execution date.
func Unconfirmed(issued Date, lag, confirmDays int, today Date) bool {
	due := issued.AddBusinessDays(lag).AddBusinessDays(confirmDays)
	return !today.Before(due)
}
