package reconcile

import "fmt"

// SaleOutcome is what became of a sale, as sale_outcomes records it.
type SaleOutcome string

// Sale outcomes; a sale with neither has no outcome yet ("").
const (
	SaleAllocated SaleOutcome = "allocated" // the sale has commission lines
	SaleClosed    SaleOutcome = "closed"    // refunded in full or charged back before it was ever paid: never paid
)

// StoredEvent is a pending refund or chargeback as sale_events holds it:
// its kind and amount are text, still to be checked.
type StoredEvent struct {
	EventID string
	Kind    string // refund or chargeback
	Amount  string // gross terms, in the sale's currency; "" for a chargeback or a full refund
}

// StoredSaleEvents is a sale with pending events as the store reads it:
// the sale's currency and gross as text, what became of it, what was
// reversed before, its positions, and its events in occurred_at (then
// event_id) order.
type StoredSaleEvents struct {
	SaleID    string
	Currency  string
	Gross     string
	Outcome   SaleOutcome
	Refunded  int64 // gross-terms amount already reversed
	Closed    bool  // a full reversal was already processed
	Positions []Position
	Events    []StoredEvent
}

// ParseSaleEvents parses a sale's stored events into the rules' terms
// (SaleEvents), or says how they break the data contract: an event kind
// that is neither refund nor chargeback, an amount that is not a plain
// decimal in the sale's currency's digits, an amount on a sale whose
// currency is unknown, refunds adding up to more than the gross
// (CheckRefunds), or an allocated sale whose gross no longer parses. The
// gross of a sale that was never allocated may not parse (it may be held
// as INVALID_SALE); it is then unknown (0), and only a chargeback or a
// full refund can close the sale.
func ParseSaleEvents(s StoredSaleEvents) (SaleEvents, error) {
	in := SaleEvents{
		Allocated:    s.Outcome == SaleAllocated,
		ClosedUnpaid: s.Outcome == SaleClosed,
		Ledger:       SaleLedger{SaleID: s.SaleID, Refunded: s.Refunded, Closed: s.Closed, Positions: s.Positions},
	}
	cur, curErr := LookupCurrency(s.Currency)
	if curErr == nil {
		if g, err := ParseAmount(s.Gross, cur); err == nil && g > 0 {
			in.Ledger.Gross = g
		}
	}
	if in.Allocated && in.Ledger.Gross == 0 {
		return in, fmt.Errorf("gross %q no longer parses in %s", s.Gross, s.Currency)
	}
	for _, e := range s.Events {
		kind, err := ParseEventKind(e.Kind)
		if err != nil {
			return in, fmt.Errorf("event %s: %w", e.EventID, err)
		}
		ev := Event{EventID: e.EventID, SaleID: s.SaleID, Kind: kind, Full: e.Amount == ""}
		if e.Amount != "" {
			if curErr != nil {
				return in, fmt.Errorf("event %s: %w", e.EventID, curErr)
			}
			if ev.Amount, err = ParseAmount(e.Amount, cur); err != nil {
				return in, fmt.Errorf("event %s: amount: %w", e.EventID, err)
			}
		}
		in.Events = append(in.Events, ev)
	}
	if err := CheckRefunds(in); err != nil {
		return in, err
	}
	return in, nil
}
