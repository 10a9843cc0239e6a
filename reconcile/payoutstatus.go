package reconcile

import "time"

// PayoutState is where a payout item stands with the provider or bank
// (SPEC section 12). An item is issued when the run that created it is
// published; status reports move it on.
type PayoutState string

const (
	PayoutIssued   PayoutState = "issued"
	PayoutAccepted PayoutState = "accepted"
	PayoutPaid     PayoutState = "paid"
	PayoutRejected PayoutState = "rejected"
	PayoutReturned PayoutState = "returned"
)

// PayoutStates lists every state in lifecycle order.
var PayoutStates = []PayoutState{PayoutIssued, PayoutAccepted, PayoutPaid, PayoutRejected, PayoutReturned}

// Final reports whether no report can move the item on, except a return
// of a paid item.
func (s PayoutState) Final() bool {
	return s == PayoutPaid || s == PayoutRejected || s == PayoutReturned
}

// Valid reports whether s is one of the five states.
func (s PayoutState) Valid() bool {
	for _, v := range PayoutStates {
		if s == v {
			return true
		}
	}
	return false
}

// CanMoveTo reports whether a report of next may follow s (SPEC 12):
// accepted from issued; paid or rejected from issued or accepted;
// returned from paid. Anything else goes backwards or sideways.
func (s PayoutState) CanMoveTo(next PayoutState) bool {
	switch next {
	case PayoutAccepted:
		return s == PayoutIssued
	case PayoutPaid, PayoutRejected:
		return s == PayoutIssued || s == PayoutAccepted
	case PayoutReturned:
		return s == PayoutPaid
	}
	return false
}

// StatusReport is one thing a provider or bank said about one payout item,
// as read from a status file (pain.002, camt.054, the provider status CSV,
// a CNAB 240 return). Readers of every format produce these; the import
// matches them to items by Reference.
type StatusReport struct {
	Reference  string      // the item's reference as we wrote it (EndToEndId, CNAB "seu número")
	State      PayoutState // accepted, paid, rejected or returned
	ReasonCode string      // the bank's code (AC01, AC04, a CNAB occurrence code), empty when none
	Reason     string      // the code's meaning or the bank's text
	Amount     int64       // minor units; meaningful only when HasAmount
	HasAmount  bool        // the report states an amount, which must equal the item's
	Currency   string      // empty when the report does not say
	OccurredAt time.Time   // when the bank says it happened; zero when it does not say
	Source     string      // where it was read: "FILE:LINE" or "FILE: element path", for messages
}
