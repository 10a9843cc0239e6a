package jobs

import (
	"context"
	"fmt"
	"sort"
	"time"

	"payouts/reconcile"
	"payouts/sql/store"
)

// taxChecks runs a run's tax-record checks (SPEC section 8): the candidate
// sales batch by batch as they are allocated (atAllocation), then every
// other sale the run must look at, invoices naming no known sale and
// participants' tax ids (afterReversals). See sql/store/compute_tax.go for
// which sales each pass covers.
type taxChecks struct {
	rt     *store.RunTx
	policy reconcile.TaxPolicy
	leads  reconcile.LeadTaxIDs
	batch  int

	// For the progress line: what was checked and the time it took
	// (never written to any file).
	atAllocationSales int
	spent             time.Duration
}

func beginTaxChecks(ctx context.Context, rt *store.RunTx, cfg Config) (*taxChecks, error) {
	leads, err := rt.LeadTaxIDs(ctx)
	if err != nil {
		return nil, err
	}
	p := cfg.Tax
	if p.Location == nil {
		p.Location = cfg.Location
	}
	return &taxChecks{rt: rt, policy: p, leads: leads, batch: cfg.BatchSize}, nil
}

// atAllocation checks a batch of candidate sales against their invoices,
// with the lines the allocation just computed (the shares of the
// partnership model), before anything is written: a sale with a blocking
// finding is held instead of paid, like CAP_EXCEEDED, and retried by every
// run until the finding is gone.
func (tc *taxChecks) atAllocation(ctx context.Context, cands []store.Candidate, b *store.AllocationBatch, counts *store.RunCounts) error {
	defer func(start time.Time) { tc.spent += time.Since(start) }(time.Now())
	tc.atAllocationSales += len(cands)
	ids := make([]string, len(cands))
	for i, c := range cands {
		ids[i] = c.Record.SaleID
	}
	held := map[string]bool{}
	for _, h := range b.Holds {
		held[h.SaleID] = true
	}
	shares, err := tc.shares(ctx, b.Lines)
	if err != nil {
		return err
	}

	var findings []reconcile.Finding
	var pending []store.TaxPending
	holds := map[string]*reconcile.TaxHold{}
	for _, c := range cands {
		id, s := c.Record.SaleID, c.Tax
		s.Allocating = true
		if !held[id] {
			s.SharesKnown, s.Shares = true, shares[id]
		}
		res := reconcile.CheckSaleTax(s, tc.policy, tc.leads, tc.rt.WindowEnd)
		findings = append(findings, res.Findings...)
		if !res.DueAt.IsZero() {
			pending = append(pending, store.TaxPending{SaleID: id, DueAt: res.DueAt})
		}
		if res.Hold != nil && !held[id] {
			holds[id] = res.Hold
		}
	}
	if len(holds) > 0 {
		holdForTax(b, holds, counts)
	}
	return tc.rt.SaveTaxChecks(ctx, ids, pending, findings)
}

// shares sums the lines of each sale per participant, with the
// participants' tax ids: what each invoices under the partnership model.
func (tc *taxChecks) shares(ctx context.Context, lines []store.LineRow) (map[string][]reconcile.TaxShare, error) {
	if tc.policy.Model != reconcile.InvoicePartnership {
		return nil, nil
	}
	type key struct{ sale, participant string }
	sums := map[key]int64{}
	var people []string
	seen := map[string]bool{}
	for _, l := range lines {
		sums[key{l.SaleID, l.ParticipantID}] += l.Amount
		if !seen[l.ParticipantID] {
			seen[l.ParticipantID] = true
			people = append(people, l.ParticipantID)
		}
	}
	taxIDs, err := tc.rt.ParticipantTaxIDs(ctx, people)
	if err != nil {
		return nil, err
	}
	out := map[string][]reconcile.TaxShare{}
	for k, amount := range sums {
		out[k.sale] = append(out[k.sale], reconcile.TaxShare{ParticipantID: k.participant, TaxID: taxIDs[k.participant], Amount: amount})
	}
	for _, ss := range out {
		sort.Slice(ss, func(i, j int) bool { return ss[i].ParticipantID < ss[j].ParticipantID })
	}
	return out, nil
}

// holdForTax takes the held sales' lines and outcomes out of an allocation
// batch and holds them instead. Their notes go too: a sale is reported as
// paid as recorded (UNAUTHORIZED_AFFILIATE) by the run that pays it.
func holdForTax(b *store.AllocationBatch, holds map[string]*reconcile.TaxHold, counts *store.RunCounts) {
	lines := b.Lines[:0]
	for _, l := range b.Lines {
		if holds[l.SaleID] == nil {
			lines = append(lines, l)
		} else {
			counts.Lines--
		}
	}
	b.Lines = lines
	allocated := b.Allocated[:0]
	for _, o := range b.Allocated {
		if h := holds[o.SaleID]; h != nil {
			counts.SalesAllocated--
			b.Holds = append(b.Holds, store.HoldRow{SaleID: o.SaleID, Kind: h.Kind, Detail: h.Detail})
		} else {
			allocated = append(allocated, o)
		}
	}
	b.Allocated = allocated
	findings := b.Findings[:0]
	for _, f := range b.Findings {
		if holds[f.SaleID] == nil || f.Kind != reconcile.UnauthorizedAffiliate {
			findings = append(findings, f)
		}
	}
	b.Findings = findings
}

// afterReversals checks the sales the run did not check at allocation but
// must look at, then invoices naming no known sale and participants' tax
// ids over the whole tables.
func (tc *taxChecks) afterReversals(ctx context.Context) (checked int, err error) {
	defer func(start time.Time) { tc.spent += time.Since(start) }(time.Now())
	partnership := tc.policy.Model == reconcile.InvoicePartnership
	err = tc.rt.TaxRecheck(ctx, partnership, tc.batch, func(fs []store.TaxFacts) error {
		var findings []reconcile.Finding
		var pending []store.TaxPending
		ids := make([]string, len(fs))
		for i, f := range fs {
			ids[i] = f.SaleID
			s := f.TaxSale
			s.SharesKnown = partnership && f.Outcome == string(reconcile.SaleAllocated)
			res := reconcile.CheckSaleTax(s, tc.policy, tc.leads, tc.rt.WindowEnd)
			findings = append(findings, res.Findings...)
			if !res.DueAt.IsZero() {
				pending = append(pending, store.TaxPending{SaleID: f.SaleID, DueAt: res.DueAt})
			}
		}
		checked += len(fs)
		return tc.rt.SaveTaxChecks(ctx, ids, pending, findings)
	})
	if err != nil {
		return checked, fmt.Errorf("re-check sales: %w", err)
	}
	err = tc.rt.TaxUnlinkedInvoices(ctx, tc.batch, func(invs []reconcile.Invoice) error {
		var findings []reconcile.Finding
		for _, inv := range invs {
			findings = append(findings, reconcile.CheckUnlinkedInvoice(inv)...)
		}
		return tc.rt.SaveTaxChecks(ctx, nil, nil, findings)
	})
	if err != nil {
		return checked, fmt.Errorf("check invoices without a sale: %w", err)
	}
	err = tc.rt.TaxParticipants(ctx, tc.batch, func(ids, taxIDs []string) error {
		var findings []reconcile.Finding
		for i, id := range ids {
			if f := reconcile.CheckParticipantTaxID(id, taxIDs[i]); f != nil {
				findings = append(findings, *f)
			}
		}
		return tc.rt.SaveTaxChecks(ctx, nil, nil, findings)
	})
	if err != nil {
		return checked, fmt.Errorf("check participants' tax ids: %w", err)
	}
	return checked, nil
}

// summary is the progress line of the tax checks.
func (tc *taxChecks) summary(rechecked int) string {
	return fmt.Sprintf("tax records checked: %d sales at allocation, %d more re-checked (%s in tax checks)",
		tc.atAllocationSales, rechecked, tc.spent.Round(time.Millisecond))
}
