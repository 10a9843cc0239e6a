package jobs

import (
	"fmt"

	"payouts/reconcile"
	"payouts/sql/store"
)

// reverseBatch takes the pending events of a batch of sales.
func reverseBatch(ss []store.EventSale, counts *store.RunCounts) store.ReversalBatch {
	var b store.ReversalBatch
	for _, s := range ss {
		in, err := saleEvents(s)
		if err != nil {
			// The events stay pending; the finding says why until the
			// data is corrected and a later run takes them.
			b.Findings = append(b.Findings, reconcile.Finding{Kind: reconcile.InvalidSale, Blocking: true,
				SaleID: s.SaleID, Currency: s.Currency,
				Detail: fmt.Sprintf("refund or chargeback of sale %s breaks the data contract: %v; not reversed until corrected", s.SaleID, err)})
			continue
		}
		out := reconcile.TakeEvents(in)
		for _, t := range out.Taken {
			b.Processed = append(b.Processed, store.ProcessedEvent{EventID: t.EventID, SaleID: s.SaleID, Refunded: t.Refunded, Full: t.Full})
		}
		counts.EventsReversed += len(out.Taken)
		if out.CloseUnpaid {
			b.Closed = append(b.Closed, store.SaleOutcome{SaleID: s.SaleID, Outcome: "closed", Currency: s.Currency,
				Gross: in.Ledger.Gross})
		}
		for _, l := range out.Lines {
			b.Lines = append(b.Lines, store.LineRow{Line: l, ProductID: s.ProductID, Currency: s.Currency,
				SoldAt: s.SoldAt, SettledAt: s.SettledAt})
		}
		counts.Lines += len(out.Lines)
	}
	return b
}

// saleEvents parses a sale's stored events into the rules' terms. The
// gross of a sale that was never allocated may not parse (it may be held
// as INVALID_SALE); it is then unknown (0) and only a chargeback or a full
// refund can close the sale.
func saleEvents(s store.EventSale) (reconcile.SaleEvents, error) {
	in := reconcile.SaleEvents{
		Allocated:    s.Outcome == "allocated",
		ClosedUnpaid: s.Outcome == "closed",
		Ledger:       reconcile.SaleLedger{SaleID: s.SaleID, Refunded: s.Refunded, Closed: s.Closed, Positions: s.Positions},
	}
	cur, curErr := reconcile.LookupCurrency(s.Currency)
	if curErr == nil {
		if g, err := reconcile.ParseAmount(s.Gross, cur); err == nil && g > 0 {
			in.Ledger.Gross = g
		}
	}
	if in.Allocated && in.Ledger.Gross == 0 {
		return in, fmt.Errorf("gross %q no longer parses in %s", s.Gross, s.Currency)
	}
	for _, e := range s.Events {
		kind, err := reconcile.ParseEventKind(e.Kind)
		if err != nil {
			return in, fmt.Errorf("event %s: %w", e.EventID, err)
		}
		ev := reconcile.Event{EventID: e.EventID, SaleID: s.SaleID, Kind: kind, Full: e.Amount == ""}
		if e.Amount != "" {
			if curErr != nil {
				return in, fmt.Errorf("event %s: %w", e.EventID, curErr)
			}
			if ev.Amount, err = reconcile.ParseAmount(e.Amount, cur); err != nil {
				return in, fmt.Errorf("event %s: amount: %w", e.EventID, err)
			}
		}
		in.Events = append(in.Events, ev)
	}
	if err := reconcile.CheckRefunds(in); err != nil {
		return in, err
	}
	return in, nil
}
