package reconcile_test

import (
	"maps"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"payouts/reconcile"
)

// ppTaken runs a sale through the nightly rules (allocation, then its
// events as TakeEvents takes them) and returns what its lines hold per
// position and the events as they were taken (what a rerun reads).
func ppTaken(s reconcile.Sale, terms []reconcile.ContractTerm, events []reconcile.Event) ([]reconcile.Position, []reconcile.Event, bool) {
	a := reconcile.Allocate(s, terms, reconcile.DefaultPolicy)
	if a.Hold != nil {
		return nil, nil, false
	}
	l := reconcile.SaleLedger{SaleID: s.SaleID, Gross: s.Gross}
	for _, ln := range a.Lines {
		l.Positions = append(l.Positions, reconcile.Position{Key: ln.Key(), ContractVersion: ln.ContractVersion, Entitled: ln.Amount})
	}
	out := reconcile.TakeEvents(reconcile.SaleEvents{Allocated: true, Ledger: l, Events: events})
	var taken []reconcile.Event
	for _, t := range out.Taken {
		taken = append(taken, reconcile.Event{EventID: t.EventID, SaleID: s.SaleID, Kind: reconcile.EventRefund, Amount: t.Refunded, Full: t.Full})
	}
	return out.LedgerAfter.Positions, taken, true
}

// TestPropertyRerunPaysTheDifferenceOnce: for any sale, terms and refunds,
// a rerun with nothing changed adjusts nothing; after any correction of
// the terms or the amounts, the recorded positions plus the adjustments
// are exactly the recomputed positions (each at least zero, none reversed
// beyond its entitlement), and a second rerun adjusts nothing.
func TestPropertyRerunPaysTheDifferenceOnce(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		terms := ppTerms(t)
		s := ppSale(t)
		events := ppRefunds(t, s.Gross, false)
		if rapid.Bool().Draw(t, "chargeback") {
			events = append(events, reconcile.Event{EventID: "cb", SaleID: s.SaleID, Kind: reconcile.EventChargeback, Full: true})
		}
		recorded, taken, ok := ppTaken(s, terms, events)
		if !ok {
			return
		}
		in := reconcile.RerunSale{SaleID: s.SaleID, Sale: s, Currency: s.Currency.Code, Terms: terms, Events: taken, Recorded: recorded}
		if out := reconcile.Rerun(in, reconcile.DefaultPolicy); len(out.Adjustments) != 0 || out.Skipped != nil {
			t.Fatalf("nothing changed, yet %+v", out)
		}

		// Corrections: other terms, another fee, maybe another gross.
		if rapid.Bool().Draw(t, "newTerms") {
			in.Terms = ppTerms(t)
		}
		if rapid.Bool().Draw(t, "newGross") {
			in.Sale.Gross = ppAmount(t, "gross2")
		}
		in.Sale.PlatformFee = rapid.Int64Range(0, in.Sale.Gross).Draw(t, "fee2")
		out := reconcile.Rerun(in, reconcile.DefaultPolicy)
		if out.Skipped != nil {
			return
		}
		after := map[reconcile.LineKey]reconcile.Position{}
		for _, p := range recorded {
			after[p.Key] = p
		}
		for _, a := range out.Adjustments {
			p := after[a.Key()]
			p.Key, p.ContractVersion = a.Key(), a.ContractVersion
			p.Entitled += a.Amount - a.ReversalPart
			p.Reversed += a.ReversalPart
			after[a.Key()] = p
		}
		want := map[reconcile.LineKey]int64{}
		var paid int64
		for _, p := range out.Positions {
			want[p.Key] = p.Entitled + p.Reversed
		}
		for k, p := range after {
			total := p.Entitled + p.Reversed
			paid += total
			if total != want[k] {
				t.Fatalf("%v holds %d after the adjustments, recomputed %d", k, total, want[k])
			}
			if p.Reversed > 0 || total < 0 {
				t.Fatalf("%v: entitled %d, reversed %d", k, p.Entitled, p.Reversed)
			}
		}
		for k, v := range want {
			if _, ok := after[k]; !ok && v != 0 {
				t.Fatalf("%v recomputed at %d has no line", k, v)
			}
		}
		if paid != out.Paid || paid < 0 || paid > out.Net {
			t.Fatalf("positions hold %d in all, recomputed paid %d of net %d", paid, out.Paid, out.Net)
		}
		if paid != out.Paid {
			t.Fatalf("positions hold %d in all, recomputed paid %d", paid, out.Paid)
		}
		in.Recorded = slices.Collect(maps.Values(after))
		if again := reconcile.Rerun(in, reconcile.DefaultPolicy); len(again.Adjustments) != 0 {
			t.Fatalf("a second rerun adjusts again: %+v", again.Adjustments)
		}
	})
}
