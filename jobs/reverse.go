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
			b.Closed = append(b.Closed, store.SaleOutcome{SaleID: s.SaleID, Outcome: string(reconcile.SaleClosed), Currency: s.Currency,
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

// saleEvents is a sale's stored events in the rules' terms
// (reconcile.ParseSaleEvents).
func saleEvents(s store.EventSale) (reconcile.SaleEvents, error) {
	events := make([]reconcile.StoredEvent, len(s.Events))
	for i, e := range s.Events {
		events[i] = reconcile.StoredEvent(e)
	}
	return reconcile.ParseSaleEvents(reconcile.StoredSaleEvents{SaleID: s.SaleID, Currency: s.Currency, Gross: s.Gross,
		Outcome: reconcile.SaleOutcome(s.Outcome), Refunded: s.Refunded, Closed: s.Closed, Positions: s.Positions, Events: events})
}
