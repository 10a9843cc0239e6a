package jobs

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
	"payouts/reconcile/runtype"
	"payouts/sql/store"
)

// compute does a run's money work inside one transaction: allocate the
// candidate sales, take the pending refunds and chargebacks, update the
// hold list, settle balances into payout items, and record discrepancies.
// Nothing is committed unless all of it succeeds.
func compute(ctx context.Context, st *store.Store, cfg Config, run ledger.Run) (store.RunCounts, error) {
	return inRunTx(ctx, st, cfg, run, func(rt *store.RunTx, counts *store.RunCounts) error {
		if err := allocateAndReverse(ctx, rt, cfg, counts); err != nil {
			return err
		}
		return payoutStatusChecks(ctx, rt, cfg, run.Date())
	})
}

// inRunTx does a run's money work in its one transaction: write writes the
// run's lines (a nightly run's allocations and reversals, a rerun's
// adjustments), then settleAndCommit. Nothing is committed unless all of it
// succeeds.
func inRunTx(ctx context.Context, st *store.Store, cfg Config, run ledger.Run,
	write func(rt *store.RunTx, counts *store.RunCounts) error) (store.RunCounts, error) {
	var counts store.RunCounts
	if sampled, err := st.RefreshStatistics(ctx); err != nil {
		return counts, err
	} else if len(sampled) > 0 {
		cfg.progress("statistics refreshed: %s", strings.Join(sampled, ", "))
	}
	rt, err := st.BeginCompute(ctx, run.RunID, run.WindowEnd)
	if err != nil {
		return counts, err
	}
	committed := false
	defer func() { // also on a panic: the scheduler recovers and goes on
		if !committed {
			rt.Rollback()
		}
	}()
	if err := write(rt, &counts); err != nil {
		return counts, err
	}
	if err := settleAndCommit(ctx, rt, cfg, run.RunID, &counts); err != nil {
		return counts, err
	}
	committed = true
	return counts, nil
}

// allocateAndReverse writes a nightly run's lines: it allocates the
// candidate sales (with their tax checks), takes the pending refunds and
// chargebacks, updates the hold list and re-checks the tax records due.
func allocateAndReverse(ctx context.Context, rt *store.RunTx, cfg Config, counts *store.RunCounts) error {
	rt.HoldPolicy = cfg.holdPolicy()
	tax, err := beginTaxChecks(ctx, rt, cfg)
	if err != nil {
		return err
	}
	if cfg.hooks.beforeAllocate != nil {
		cfg.hooks.beforeAllocate(ctx)
	}
	if err := allocate(ctx, rt, cfg, tax, counts); err != nil {
		return fmt.Errorf("allocate: %w", err)
	}

	if err := rt.FinishAllocation(ctx); err != nil {
		return err
	}
	cfg.progress("allocation done: %d sales allocated, %d lines", counts.SalesAllocated, counts.Lines)
	err = rt.EventSales(ctx, cfg.BatchSize, func(ss []store.EventSale) error {
		b := reverseBatch(ss, counts)
		return rt.SaveReversals(ctx, b)
	})
	if err != nil {
		return fmt.Errorf("reverse refunds and chargebacks: %w", err)
	}
	if counts.SalesHeld, err = rt.FinishHolds(ctx); err != nil {
		return err
	}
	cfg.progress("refunds and chargebacks done: %d events taken; %d sales held", counts.EventsReversed, counts.SalesHeld)
	rechecked, err := tax.afterReversals(ctx)
	if err != nil {
		return fmt.Errorf("check tax records: %w", err)
	}
	cfg.progress("%s", tax.summary(rechecked))

	return nil
}

// settleAndCommit ends the money work of a run (nightly or rerun): settle
// the balances of the participants with something new into payout items,
// verify the run's invariants, carry balances forward, close the tax
// checks (if the run made any) and the discrepancies, keep the workbook's
// facts, commit.
func settleAndCommit(ctx context.Context, rt *store.RunTx, cfg Config, runID string, counts *store.RunCounts) error {
	refs := map[string]int{}
	held, err := rt.HeldCredits(ctx)
	if err != nil {
		return err
	}
	err = rt.Balances(ctx, cfg.BatchSize, func(bs []store.BalanceRow) error {
		settled, findings, err := settleBatch(bs, cfg, runID, refs, held, counts)
		if err != nil {
			return err
		}
		if err := rt.SaveBalances(ctx, settled); err != nil {
			return err
		}
		return rt.AddFindings(ctx, findings)
	})
	if err != nil {
		return fmt.Errorf("settle balances: %w", err)
	}
	if cfg.hooks.beforeVerify != nil {
		if err := cfg.hooks.beforeVerify(ctx, rt); err != nil {
			return err
		}
	}
	cfg.progress("balances settled: %d payout items; verifying", counts.PayoutItems)
	for _, step := range []func(context.Context) error{rt.Verify, rt.FinishBalances, rt.FinishTaxChecks,
		rt.FinishDiscrepancies, rt.SnapshotWorkbookFacts} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return rt.Commit(ctx, *counts)
}

// maxCachedTerms bounds the contract rows termsCache keeps between
// batches (a few tens of MB).
const maxCachedTerms = 200_000

// termsCache holds the contract terms of the products the run has seen,
// loaded once per product: candidate sales come in sale order (their lines
// then enter the indexes led by sale_id in order), so a batch names most
// products again. Past maxCachedTerms rows it keeps only the current
// batch's products.
type termsCache struct {
	byProduct map[string][]reconcile.ContractTerm
	rows      int
}

func (c *termsCache) load(ctx context.Context, rt *store.RunTx, n int, productOf func(i int) string) error {
	if c.byProduct == nil {
		c.byProduct = map[string][]reconcile.ContractTerm{}
	}
	batch := map[string]bool{}
	var missing []string
	for i := 0; i < n; i++ {
		p := productOf(i)
		if batch[p] {
			continue
		}
		batch[p] = true
		if _, ok := c.byProduct[p]; !ok {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	loaded, err := rt.TermsFor(ctx, missing)
	if err != nil {
		return err
	}
	if c.rows+countTerms(loaded) > maxCachedTerms {
		keep := map[string][]reconcile.ContractTerm{}
		c.rows = 0
		for p := range batch {
			if ts, ok := c.byProduct[p]; ok {
				keep[p] = ts
				c.rows += len(ts)
			}
		}
		c.byProduct = keep
	}
	for _, p := range missing {
		ts := loaded[p]
		reconcile.SortTerms(ts) // once per product, not per sale (reconcile.TermsInForce)
		c.byProduct[p] = ts     // nil: a product without contracts, known as such
		c.rows += len(ts)
	}
	return nil
}

func countTerms(m map[string][]reconcile.ContractTerm) int {
	n := 0
	for _, ts := range m {
		n += len(ts)
	}
	return n
}

// settleBatch decides the payout of each balance and numbers the payout
// items per currency in participant order, which makes their references
// deterministic.
func settleBatch(bs []store.BalanceRow, cfg Config, runID string, refs map[string]int,
	held map[string][]reconcile.ReturnedCredit, counts *store.RunCounts) ([]store.SettledBalance, []reconcile.Finding, error) {
	out := make([]store.SettledBalance, 0, len(bs))
	var findings []reconcile.Finding
	for _, b := range bs {
		cur, err := reconcile.LookupCurrency(b.Currency)
		if err != nil {
			return nil, nil, fmt.Errorf("balance of %s: %w", b.ParticipantID, err)
		}
		bal := reconcile.Balance{ParticipantID: b.ParticipantID, Currency: cur,
			BroughtForward: b.BroughtForward, Returned: b.Returned, Commissions: b.Commissions, Reversals: b.Reversals,
			Adjustments: b.Adjustments}
		hold := reconcile.HoldReturned(b.ParticipantID, cur, held[b.ParticipantID+"|"+b.Currency], b.PayoutAccount, b.PayoutBank, b.PixKey)
		var settled reconcile.Balance
		var f *reconcile.Finding
		if hold.Held > 0 {
			settled, f = reconcile.SettleHeld(bal), hold.Finding
		} else {
			settled, f = reconcile.SettleWithPayee(bal, cfg.minPayout(cur.Code),
				reconcile.Payee{Account: b.PayoutAccount, Bank: b.PayoutBank, PixKey: b.PixKey})
		}
		sb := store.SettledBalance{BalanceRow: b, Payout: settled.Payout, CarriedForward: settled.CarriedForward,
			Released: hold.Released}
		if sb.Payout > 0 {
			refs[cur.Code]++
			sb.Reference = PayoutReference(runID, cur.Code, refs[cur.Code])
			refs[""]++ // the item's number in the run, all currencies
			if sb.ShortRef, err = ShortReference(runID, refs[""]); err != nil {
				return nil, nil, err
			}
			counts.PayoutItems++
		}
		if f != nil {
			findings = append(findings, *f)
		}
		out = append(out, sb)
	}
	return out, findings, nil
}

// ShortReference is a payout item's short reference, written in the CNAB
// 240 "seu número" (20 characters) and echoed by the bank's return file:
// the run and the item's number in the run (participant, then currency
// order), at most 20 upper-case letters and digits. A nightly run
// nightly-YYYYMMDD gives N, the date and 11 digits; a rerun
// rerun-YYYYMMDD-S gives R, the date, S in 3 digits and 8 digits. Fixed
// widths make it unique across runs (stored under a unique index), and it
// is stable when a run is redone. A run id of another form, a rerun number
// above 999 or an item number that does not fit is an error: a reference
// is never cut.
func ShortReference(runID string, n int) (string, error) {
	var ref string
	if d, ok := strings.CutPrefix(runID, string(runtype.Nightly)+"-"); ok && len(d) == 8 && allDigits(d) {
		ref = fmt.Sprintf("N%s%011d", d, n)
	} else if rest, ok := strings.CutPrefix(runID, string(runtype.Rerun)+"-"); ok && len(rest) > 9 && rest[8] == '-' && allDigits(rest[:8]) && allDigits(rest[9:]) {
		seq, err := strconv.Atoi(rest[9:])
		if err == nil && seq <= 999 {
			ref = fmt.Sprintf("R%s%03d%08d", rest[:8], seq, n)
		}
	}
	if ref == "" || len(ref) != 20 || n < 1 {
		return "", fmt.Errorf("run %s: no short reference for payout item %d (run ids nightly-YYYYMMDD and rerun-YYYYMMDD-N up to 999, at most 99,999,999 items in a rerun)", runID, n)
	}
	return ref, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// PayoutReference is a payout item's reference (the provider CSV's
// reference and the pain.001 EndToEndId): the run, the currency and the
// item's number in participant order. It is unique across runs, stable when
// a run is redone, and at most 35 characters.
func PayoutReference(runID, currency string, n int) string {
	return fmt.Sprintf("%s-%s-%06d", runID, currency, n)
}
