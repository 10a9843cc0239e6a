package ledger

import "payouts/reconcile"

// StatementPart says what a StatementRow is.
type StatementPart int

// Statement row parts, in the order a participant's rows come.
const (
	StatementBalance StatementPart = iota // the participant's balance in one currency after one run
	StatementLine                         // one payout line
	StatementPayout                       // one payout item
)

// StatementRow is one row of the stream participant statements are built
// from: a balance, a line or a payout item of a participant in a run.
// ParticipantID, RunID and Currency are set for every part; the part's
// own record is in Balance, Line or Item.
type StatementRow struct {
	ParticipantID string
	Part          StatementPart
	RunID         string
	Currency      string

	// StatementBalance: the run's balance (its participant, currency,
	// brought forward, returned and carried forward amounts; a statement
	// sums the lines itself) and the name the run recorded.
	Balance ParticipantBalance
	// StatementLine: the line.
	Line reconcile.LineRecord
	// StatementPayout: the item (its run, participant, currency, amount
	// and reference).
	Item reconcile.PayoutItem
}
