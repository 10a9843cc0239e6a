package reconcile

import "fmt"

// SaleEvents is a sale with refunds or chargebacks a run takes, in
// occurred_at (then event_id) order.
type SaleEvents struct {
	Allocated    bool       // the sale has commission lines
	ClosedUnpaid bool       // closed earlier by a full refund or chargeback before it was ever paid
	Ledger       SaleLedger // the sale's positions and refund history (Gross 0: unknown, the sale's amounts do not parse)
	Events       []Event
}

// TakenEvent is an event a run has taken, with the gross-terms amount it
// applied (the whole remaining gross for a full reversal).
type TakenEvent struct {
	EventID  string
	Refunded int64
	Full     bool
}

// EventsOutcome is what a run does with a sale's pending events.
type EventsOutcome struct {
	Lines        []Line       // reversal lines, one per position (merged across the events)
	Taken        []TakenEvent // events now processed; events not listed wait for a later run
	CloseUnpaid  bool         // the sale was refunded in full before it was paid: it is never paid
	LedgerBefore SaleLedger
	LedgerAfter  SaleLedger
}

// TakeEvents applies SPEC section 5 to one sale's pending events. On an
// allocated sale every event is reversed. On a sale without commission
// lines a full refund or chargeback closes the sale for good (taking the
// partial refunds before it along), and partial refunds wait for the run
// that allocates the sale.
func TakeEvents(s SaleEvents) EventsOutcome {
	out := EventsOutcome{LedgerBefore: s.Ledger, LedgerAfter: s.Ledger}
	switch {
	case s.ClosedUnpaid:
		for _, ev := range s.Events {
			out.Taken = append(out.Taken, TakenEvent{EventID: ev.EventID})
		}
	case s.Allocated:
		l := s.Ledger
		var lines []Line
		for _, ev := range s.Events {
			before, wasClosed := l.Refunded, l.Closed
			var ls []Line
			l, ls = ApplyEvent(l, ev)
			lines = append(lines, ls...)
			out.Taken = append(out.Taken, TakenEvent{EventID: ev.EventID, Refunded: l.Refunded - before, Full: l.Closed && !wasClosed})
		}
		out.Lines = MergeLines(lines)
		out.LedgerAfter = l
	default:
		refunded := s.Ledger.Refunded
		for i, ev := range s.Events {
			full := ev.Full || ev.Kind == EventChargeback || (s.Ledger.Gross > 0 && refunded+ev.Amount >= s.Ledger.Gross)
			if !full {
				refunded += ev.Amount
				continue
			}
			// Closed before it was ever paid: the partial refunds before
			// this event and any after it are taken along and change nothing.
			out.CloseUnpaid = true
			cum := s.Ledger.Refunded
			for j, e := range s.Events {
				t := TakenEvent{EventID: e.EventID}
				switch {
				case j < i:
					t.Refunded = e.Amount
					cum += e.Amount
				case j == i:
					t.Full = true
					if s.Ledger.Gross > 0 {
						t.Refunded = s.Ledger.Gross - cum
					}
				}
				out.Taken = append(out.Taken, t)
			}
			break
		}
	}
	return out
}

// CheckRefunds is SPEC section 2's rule that the refunds of a sale never
// add up to more than its gross, for events written straight into the
// tables (the load refuses them): counting the refunds already taken, the
// partial refunds up to the first full reversal must stay within the
// gross. A sale whose gross is unknown (0) cannot be checked.
func CheckRefunds(s SaleEvents) error {
	if s.Ledger.Gross <= 0 || s.Ledger.Closed || s.ClosedUnpaid {
		return nil
	}
	total := s.Ledger.Refunded
	for _, ev := range s.Events {
		if ev.Full || ev.Kind == EventChargeback {
			return nil
		}
		total += ev.Amount
		if total > s.Ledger.Gross {
			return fmt.Errorf("refunds add up to %d minor units with event %s, above the gross of %d", total, ev.EventID, s.Ledger.Gross)
		}
	}
	return nil
}
