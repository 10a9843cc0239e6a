package jobs

import (
	"context"
	"fmt"
	"time"

	"payouts/reconcile"
	"payouts/sql/store"
)

// taxChecks runs a run's tax-record checks (SPEC section 8): the candidate
// sales batch by batch as they are decided (check, from decideBatch), then every
// other sale the run must look at, invoices naming no known sale and
// participants' tax ids (afterReversals). See sql/store/compute_tax.go for
// which sales each pass covers.
type taxChecks struct {
	rt     *store.RunTx
	policy reconcile.TaxPolicy
	leads  reconcile.LeadTaxIDs
	batch  int

	// For the progress line: what was checked and the time it took
	// (never written to any file). During allocation, check and
	// partnershipTaxIDs run on allocate's reader goroutine (spent) and
	// save on the run's (saving): two fields, never one written by both.
	atAllocationSales int
	spent             time.Duration
	saving            time.Duration
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

// taxBatch is what the checks at allocation of one batch found, saved
// with the batch.
type taxBatch struct {
	ids      []string // the sales checked
	pending  []store.TaxPending
	findings []reconcile.Finding
}

// partnershipTaxIDs returns the tax ids of the participants of a batch's
// allocations, for their shares under the partnership model (nil under
// the commission model, which needs none).
func (tc *taxChecks) partnershipTaxIDs(ctx context.Context, reader *store.RunTx, allocs []reconcile.Allocation) (map[string]string, error) {
	if tc.policy.Model != reconcile.InvoicePartnership {
		return nil, nil
	}
	defer func(start time.Time) { tc.spent += time.Since(start) }(time.Now())
	var people []string
	seen := map[string]bool{}
	for _, a := range allocs {
		for _, l := range a.Lines {
			if !seen[l.ParticipantID] {
				seen[l.ParticipantID] = true
				people = append(people, l.ParticipantID)
			}
		}
	}
	return reader.ParticipantTaxIDs(ctx, people)
}

// check checks a candidate sale against its invoices at allocation (SPEC
// section 8), with its allocation's shares when it is to be paid (paid):
// a blocking finding holds it instead, like CAP_EXCEEDED, and every run
// retries it until the finding is gone. It returns that hold, if the sale
// is to be paid and the check holds it.
func (tc *taxChecks) check(s reconcile.TaxSale, paid bool, lines []reconcile.Line, taxIDs map[string]string, b *taxBatch) *reconcile.TaxHold {
	defer func(start time.Time) { tc.spent += time.Since(start) }(time.Now())
	tc.atAllocationSales++
	s.Allocating = true
	if paid && tc.policy.Model == reconcile.InvoicePartnership {
		s.SharesKnown, s.Shares = true, reconcile.TaxShares(lines, taxIDs)
	}
	res := reconcile.CheckSaleTax(s, tc.policy, tc.leads, tc.rt.WindowEnd)
	b.findings = append(b.findings, res.Findings...)
	if !res.DueAt.IsZero() {
		b.pending = append(b.pending, store.TaxPending{SaleID: s.SaleID, DueAt: res.DueAt})
	}
	if paid {
		return res.Hold
	}
	return nil
}

// save records the checks of a batch.
func (tc *taxChecks) save(ctx context.Context, b taxBatch) error {
	defer func(start time.Time) { tc.saving += time.Since(start) }(time.Now())
	if err := tc.rt.SaveTaxChecks(ctx, b.ids, b.pending, b.findings); err != nil {
		return fmt.Errorf("check tax records: %w", err)
	}
	return nil
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
		tc.atAllocationSales, rechecked, (tc.spent + tc.saving).Round(time.Millisecond))
}
