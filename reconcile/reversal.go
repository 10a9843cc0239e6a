package reconcile

import (
	"fmt"
	"sort"
	"time"
)

// EventKind is a refund or a chargeback.
type EventKind string

const (
	EventRefund     EventKind = "refund"
	EventChargeback EventKind = "chargeback"
)

// ParseEventKind checks a sale_events kind.
func ParseEventKind(s string) (EventKind, error) {
	switch k := EventKind(s); k {
	case EventRefund, EventChargeback:
		return k, nil
	}
	return "", fmt.Errorf("kind %s is not refund or chargeback", Quote(s))
}

// Event is a refund or chargeback of a sale.
type Event struct {
	EventID    string
	SaleID     string
	Kind       EventKind
	Amount     int64 // gross terms; used by partial refunds only
	Full       bool  // a chargeback, or a refund whose amount is empty (the full gross)
	OccurredAt time.Time
}

// Position is one participant's standing on an allocated sale, in one role
// (and contract, for co-producers).
type Position struct {
	Key             LineKey
	ContractVersion int
	Entitled        int64 // commission plus rerun adjustments: what the sale pays this position
	Reversed        int64 // sum of the reversal lines so far (zero or negative)
}

// SaleLedger is what reversals need to know of an allocated sale.
type SaleLedger struct {
	SaleID    string
	Gross     int64
	Refunded  int64 // gross-terms amount of the refunds already reversed
	Closed    bool  // fully refunded or charged back: every position is at zero
	Positions []Position
}

// ApplyEvent reverses one refund or chargeback on an allocated sale (SPEC
// section 5) and returns the updated ledger and the reversal lines, one per
// position whose amount changes.
//
// A chargeback, a refund without an amount, and a refund that brings the
// refunded total to the gross negate every position's remaining total, so
// each ends at exactly zero.
//
// A partial refund is computed from the cumulative refunded amount R: the
// reversed total is the largest-remainder share net*R/gross of net (ties:
// the kept part), split over the positions in proportion to what they are
// entitled to (ties: lead, participant_id, contract_id), and each position
// is reversed down to its share (see monotoneTargets for the one case where
// a share would go back up). For the first refund on a sale this is
// exactly SPEC 5's per-refund rule; for later ones it keeps every
// position's cumulative reversal within one minor unit of its exact share
// and never above what the position was paid, which a per-refund split
// could break by rounding the same way several times.
func ApplyEvent(l SaleLedger, ev Event) (SaleLedger, []Line) {
	l.Positions = append([]Position(nil), l.Positions...)
	if l.Closed {
		return l, nil
	}
	full := ev.Full || ev.Kind == EventChargeback || l.Refunded+ev.Amount >= l.Gross
	refunded := l.Gross - l.Refunded
	if !full {
		refunded = ev.Amount
	}
	sort.Slice(l.Positions, func(i, j int) bool { return lessTieOrder(l.Positions[i].Key, l.Positions[j].Key) })
	targets := make([]int64, len(l.Positions)) // cumulative reversal each position should reach, as a positive amount
	if full {
		for i, p := range l.Positions {
			targets[i] = p.Entitled
		}
		l.Refunded, l.Closed = l.Gross, true
	} else {
		l.Refunded += ev.Amount
		var net int64
		weights := make([]int64, len(l.Positions))
		for i, p := range l.Positions {
			weights[i] = max(p.Entitled, 0)
			net += weights[i]
		}
		if net > 0 {
			total := SplitLargestRemainder(net, []int64{l.Gross - l.Refunded, l.Refunded})[1]
			targets = monotoneTargets(total, weights, l.Positions)
		}
	}
	var lines []Line
	for i := range l.Positions {
		p := &l.Positions[i]
		amount := -targets[i] - p.Reversed
		if amount == 0 {
			continue
		}
		p.Reversed += amount
		lines = append(lines, Line{SaleID: l.SaleID, ParticipantID: p.Key.ParticipantID, Role: p.Key.Role,
			Kind: KindReversal, ContractID: p.Key.ContractID, ContractVersion: p.ContractVersion,
			Amount: amount, Base: refunded})
	}
	return l, lines
}

// MergeLines sums lines of the same sale, position and kind into one (a run
// that reverses two refunds of a sale shows one reversal line per
// position), drops zero amounts and returns them in output order.
func MergeLines(lines []Line) []Line {
	type k struct {
		sale string
		key  LineKey
		kind LineKind
	}
	idx := map[k]int{}
	var out []Line
	for _, ln := range lines {
		kk := k{ln.SaleID, ln.Key(), ln.Kind}
		if i, ok := idx[kk]; ok {
			out[i].Amount += ln.Amount
			out[i].Base += ln.Base
			continue
		}
		idx[kk] = len(out)
		out = append(out, ln)
	}
	kept := out[:0]
	for _, ln := range out {
		if ln.Amount != 0 {
			kept = append(kept, ln)
		}
	}
	SortLines(kept)
	return kept
}

// monotoneTargets splits the cumulative reversed total over the positions
// by the largest-remainder rule without ever moving a position backwards.
//
// The largest-remainder split is not monotone in its total (the "Alabama
// paradox"): a larger total can give a position one unit less than a
// smaller total did, which would write a positive reversal line. Such a
// position keeps what it has already been reversed, and the units this
// puts over the total are taken back one at a time from positions that
// still move on this refund: first those the split rounded up, smallest
// remainder first, then latest in the tie order. Every position stays
// within one minor unit of its exact share, and the total is exact.
func monotoneTargets(total int64, weights []int64, ps []Position) []int64 {
	targets, floors, rems := splitLargestRemainder(total, weights)
	var excess int64
	for i, p := range ps {
		if prev := -p.Reversed; targets[i] < prev {
			excess += prev - targets[i]
			targets[i] = prev
		}
	}
	for ; excess > 0; excess-- {
		pick := -1
		for i, p := range ps {
			if targets[i] <= -p.Reversed {
				continue // not moving on this refund: cannot give a unit back
			}
			if pick < 0 || givesBackBefore(i, pick, targets, floors, rems) {
				pick = i
			}
		}
		if pick < 0 {
			panic("reconcile: reversal targets cannot be settled") // impossible: the total only grows
		}
		targets[pick]--
	}
	return targets
}

// givesBackBefore orders the positions that may give a unit back: rounded
// up before not, then smaller remainder, then later in the tie order.
func givesBackBefore(i, j int, targets, floors []int64, rems []uint64) bool {
	upI, upJ := targets[i] > floors[i], targets[j] > floors[j]
	if upI != upJ {
		return upI
	}
	if rems[i] != rems[j] {
		return rems[i] < rems[j]
	}
	return i > j
}
