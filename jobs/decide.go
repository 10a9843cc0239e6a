package jobs

import (
	"context"
	"fmt"

	"payouts/reconcile"
	"payouts/sql/store"
)

// decideBatch decides each candidate sale of a batch once, before anything
// of the batch is written: the sale is parsed (INVALID_SALE holds it),
// allocated under the terms in force at its sale (CAP_EXCEEDED holds it),
// and checked against its invoices, read with the candidate, with its
// allocation's shares under the partnership model (a blocking tax finding
// holds it). Only then does it join the batch, allocated or held.
//
// It runs on allocate's reader: it reads (the participants' tax ids under
// the partnership model) through reader, and writes nothing; the batch and
// its tax checks are written by the run's transaction.
func decideBatch(ctx context.Context, reader *store.RunTx, cands []store.Candidate, terms map[string][]reconcile.ContractTerm,
	p reconcile.Policy, tax *taxChecks) (decidedBatch, error) {
	var d decidedBatch
	b, counts := &d.alloc, &d.counts
	allocs := make([]reconcile.Allocation, len(cands))
	invalid := make([]error, len(cands))
	for i, c := range cands {
		sale, err := reconcile.ParseSale(c.Record)
		if err != nil {
			invalid[i] = err
			continue
		}
		allocs[i] = reconcile.Allocate(sale, terms[sale.ProductID], p)
	}
	taxIDs, err := tax.partnershipTaxIDs(ctx, reader, allocs)
	if err != nil {
		return d, err
	}

	checks := &d.checks
	checks.ids = make([]string, len(cands))
	for i, c := range cands {
		rec, a := c.Record, allocs[i]
		checks.ids[i] = rec.SaleID
		paid := invalid[i] == nil && a.Hold == nil
		taxHold := tax.check(c.Tax, paid, a.Lines, taxIDs, checks)
		switch {
		case invalid[i] != nil:
			detail := fmt.Sprintf("sale %s breaks the data contract: %v; held until corrected", rec.SaleID, invalid[i])
			b.Holds = append(b.Holds, store.HoldRow{SaleID: rec.SaleID, Kind: reconcile.InvalidSale, Detail: detail})
			b.Findings = append(b.Findings, reconcile.Finding{Kind: reconcile.InvalidSale, Blocking: true,
				SaleID: rec.SaleID, Currency: rec.Currency, Detail: detail})
		case a.Hold != nil:
			b.Holds = append(b.Holds, store.HoldRow{SaleID: rec.SaleID, Kind: a.Hold.Kind, Detail: a.Hold.Detail})
			b.Findings = append(b.Findings, *a.Hold)
		case taxHold != nil:
			// A sale is reported as paid as recorded (UNAUTHORIZED_AFFILIATE)
			// by the run that pays it.
			b.Holds = append(b.Holds, store.HoldRow{SaleID: rec.SaleID, Kind: taxHold.Kind, Detail: taxHold.Detail})
			for _, n := range a.Notes {
				if n.Kind != reconcile.UnauthorizedAffiliate {
					b.Findings = append(b.Findings, n)
				}
			}
		default:
			sale := a.Sale
			counts.SalesAllocated++
			b.Allocated = append(b.Allocated, store.SaleOutcome{SaleID: sale.SaleID, Outcome: string(reconcile.SaleAllocated),
				Currency: sale.Currency.Code, Gross: sale.Gross, Net: sale.Net()})
			for _, l := range a.Lines {
				b.Lines = append(b.Lines, store.LineRow{Line: l, ProductID: sale.ProductID, Currency: sale.Currency.Code,
					SoldAt: sale.SoldAt, SettledAt: sale.SettledAt})
			}
			counts.Lines += len(a.Lines)
			b.Findings = append(b.Findings, a.Notes...)
		}
	}
	return d, nil
}
