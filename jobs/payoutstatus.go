package jobs

import (
	"context"
	"fmt"

	"payouts/reconcile"
	"payouts/sql/store"
)

// payoutStatusChecks is a nightly run's part of SPEC 12, before its
// balances are settled: it credits back every rejected or returned item
// not yet credited (the balances then carry them in their returned
// column), reports the mismatches of refused status files, and finds the
// items still without a final state PAYOUTS_CONFIRM_DAYS business days
// after their requested execution date (PAYOUT_UNCONFIRMED).
func payoutStatusChecks(ctx context.Context, rt *store.RunTx, cfg Config, today reconcile.Date) error {
	credited, err := rt.CreditReturns(ctx)
	if err != nil {
		return err
	}
	findings, err := rt.StatusMismatchFindings(ctx)
	if err != nil {
		return err
	}
	if err := rt.AddFindings(ctx, findings); err != nil {
		return err
	}
	unconfirmed := 0
	err = rt.OutstandingItems(ctx, cfg.BatchSize, func(items []store.OutstandingItem) error {
		var fs []reconcile.Finding
		for _, it := range items {
			if !reconcile.Unconfirmed(it.IssuedOn, cfg.Debtor.ExecutionLagDays, cfg.ConfirmDays, today) {
				continue
			}
			cur, err := reconcile.LookupCurrency(it.Currency)
			if err != nil {
				return fmt.Errorf("payout item %s: %w", it.Reference, err)
			}
			exec := it.IssuedOn.AddBusinessDays(cfg.Debtor.ExecutionLagDays)
			fs = append(fs, reconcile.Finding{Kind: reconcile.PayoutUnconfirmedKind, ParticipantID: it.ParticipantID,
				Currency: it.Currency, Reference: it.Reference, Expected: reconcile.FormatAmount(it.Amount, cur),
				Detail: fmt.Sprintf("payout item %s of run %s (%s %s to %s), requested for execution on %s, is still %s %d business days later",
					it.Reference, it.RunID, reconcile.FormatAmount(it.Amount, cur), it.Currency, it.ParticipantID, exec, it.State, cfg.ConfirmDays)})
		}
		unconfirmed += len(fs)
		return rt.AddFindings(ctx, fs)
	})
	if err != nil {
		return fmt.Errorf("find unconfirmed payout items: %w", err)
	}
	cfg.progress("payout status: %d rejected or returned items credited back, %d status mismatches reported, %d items unconfirmed",
		credited, len(findings), unconfirmed)
	return nil
}
