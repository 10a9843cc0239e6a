package reconcile

import (
	"fmt"
	"sort"
)

// RerunSkipped is reported by a rerun for a sale it cannot recompute from
// today's data (the sale no longer parses, is now held by a policy check,
// or changed currency). The sale's lines are left as recorded. It is a
// notice: reported by the rerun that found it and closed by it.
const RerunSkipped = "RERUN_SKIPPED"

// RerunSale is what a rerun knows of one sale its date allocated.
type RerunSale struct {
	SaleID string
	// Sale is the sale as the data stands today (corrected amounts, fee,
	// affiliate), or the reason it no longer parses.
	Sale     Sale
	SaleErr  error
	Currency string // the currency its lines were recorded in
	// Terms are today's contract_terms rows of the sale's product.
	Terms []ContractTerm
	// Events are the refunds and chargebacks already processed for the
	// sale, in occurred_at (then event_id) order, as they were taken:
	// Amount is the gross-terms amount a partial refund reversed, Full is
	// set on the event that closed the sale.
	Events []Event
	// Recorded is what the sale's lines hold per position, across all
	// runs: Entitled is its commission plus the commission part of earlier
	// adjustments, Reversed its reversals plus the reversal part of earlier
	// adjustments (zero or negative).
	Recorded []Position
}

// Adjustment is one adjustment line with the part of its amount that
// corrects the position's reversals (the rest corrects its commission).
type Adjustment struct {
	Line
	ReversalPart int64
}

// RerunOutcome is what a rerun writes for one sale.
type RerunOutcome struct {
	Adjustments []Adjustment // in output order; none when nothing changed
	Gross       int64        // recomputed from today's data
	Net         int64
	Paid        int64      // what the sale's positions hold after the adjustments
	Skipped     *Finding   // non-nil: not recomputed, lines left as recorded
	Positions   []Position // the recomputed positions (Entitled, Reversed)
}

// Rerun recomputes one sale from today's data (SPEC section 9): what each
// position should have been paid by now is the sale's allocation under
// today's terms and amounts (Allocate), followed by the reversals of the
// events already processed for it, with the same cumulative rules as the
// nightly runs (ApplyEvent in occurred_at order; a full refund or
// chargeback brings every position to zero). The adjustment of a position
// (participant, role and contract) is that amount less what its lines
// already hold across all runs: a position that no longer applies gets
// -recorded, a new one +new. Positions whose amount does not change get no
// line, so a rerun with nothing changed writes nothing, and a rerun run
// twice never pays twice.
//
// The contract version of an adjustment is the version in force today for
// the sale (or, for a position that no longer applies, the version it was
// recorded with); its rate is today's rate, empty for the lead and for a
// position that no longer applies.
func Rerun(in RerunSale, p Policy) RerunOutcome {
	skip := func(detail string) RerunOutcome {
		return RerunOutcome{Skipped: &Finding{Kind: RerunSkipped, SaleID: in.SaleID, Currency: in.Currency,
			Detail: detail + "; its lines are left as recorded"}}
	}
	if in.SaleErr != nil {
		return skip(fmt.Sprintf("sale %s no longer parses: %v", in.SaleID, in.SaleErr))
	}
	s := in.Sale
	if s.Currency.Code != in.Currency {
		return skip(fmt.Sprintf("sale %s is now in %s, its lines were recorded in %s", s.SaleID, s.Currency.Code, in.Currency))
	}
	a := Allocate(s, in.Terms, p)
	if a.Hold != nil {
		return skip(fmt.Sprintf("sale %s would now be held (%s: %s)", s.SaleID, a.Hold.Kind, a.Hold.Detail))
	}
	ledger := SaleLedger{SaleID: s.SaleID, Gross: s.Gross}
	commission := map[LineKey]Line{}
	for _, l := range a.Lines {
		ledger.Positions = append(ledger.Positions, Position{Key: l.Key(), ContractVersion: l.ContractVersion, Entitled: l.Amount})
		commission[l.Key()] = l
	}
	for _, ev := range in.Events {
		ledger, _ = ApplyEvent(ledger, ev)
	}

	out := RerunOutcome{Gross: s.Gross, Net: s.Net(), Positions: ledger.Positions}
	now := map[LineKey]Position{}
	for _, pos := range ledger.Positions {
		now[pos.Key] = pos
		out.Paid += pos.Entitled + pos.Reversed
	}
	before := map[LineKey]Position{}
	keys := make([]LineKey, 0, len(now)+len(in.Recorded))
	for _, pos := range in.Recorded {
		if _, dup := before[pos.Key]; !dup {
			keys = append(keys, pos.Key)
		}
		r := before[pos.Key]
		r.Key, r.Entitled, r.Reversed = pos.Key, r.Entitled+pos.Entitled, r.Reversed+pos.Reversed
		r.ContractVersion = max(r.ContractVersion, pos.ContractVersion)
		before[pos.Key] = r
	}
	for _, pos := range ledger.Positions {
		if _, ok := before[pos.Key]; !ok {
			keys = append(keys, pos.Key)
		}
	}
	var lines []Line
	parts := map[LineKey]int64{}
	for _, k := range keys {
		n, r := now[k], before[k]
		dEntitled, dReversed := n.Entitled-r.Entitled, n.Reversed-r.Reversed
		amount := dEntitled + dReversed
		if amount == 0 {
			// Nothing to pay or take back. (If the split alone moved, e.g. a
			// fully refunded sale whose commission was corrected, there is
			// no amount to carry it: the position is at its target either
			// way.)
			continue
		}
		l := Line{SaleID: s.SaleID, ParticipantID: k.ParticipantID, Role: k.Role, Kind: KindAdjustment,
			ContractID: k.ContractID, ContractVersion: r.ContractVersion, Amount: amount}
		if c, ok := commission[k]; ok {
			l.ContractVersion, l.Base, l.Rate = c.ContractVersion, c.Base, c.Rate
		}
		lines = append(lines, l)
		parts[k] = dReversed
	}
	SortLines(lines)
	for _, l := range lines {
		out.Adjustments = append(out.Adjustments, Adjustment{Line: l, ReversalPart: parts[l.Key()]})
	}
	sort.Slice(out.Positions, func(i, j int) bool { return lessTieOrder(out.Positions[i].Key, out.Positions[j].Key) })
	return out
}
