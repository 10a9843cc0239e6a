package store

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"payouts/reconcile"
)

// reevaluatedKinds are re-checked in full by every run (held sales are all
// retried, every balance is settled again), so an open one that a run
// does not find again is resolved by that run.
var reevaluatedKinds = []string{reconcile.CapExceeded, reconcile.InvalidSale, reconcile.MissingPayoutAccount,
	reconcile.InvalidPayoutAccount, reconcile.PayoutReturnedKind, reconcile.PayoutUnconfirmedKind}

// noticeKinds are reported once, by the run that finds them, and closed by
// that same run: the sale was paid as recorded and nothing later can change
// what happened.
var noticeKinds = []string{reconcile.UnauthorizedAffiliate, reconcile.RerunSkipped, reconcile.PayoutStatusMismatchKind}

// AddFindings stages discrepancies found outside allocation and reversal.
func (r *RunTx) AddFindings(ctx context.Context, fs []reconcile.Finding) error {
	return r.addFindings(ctx, fs)
}

// FinishDiscrepancies applies the lifecycle: findings open new
// discrepancies or refresh open ones, open ones of re-evaluated kinds that
// were not found are resolved, and the run's report is kept as reported.
// A rerun re-evaluates nothing beyond the sales and balances it adjusts,
// so it resolves nothing it did not find.
func (r *RunTx) FinishDiscrepancies(ctx context.Context) error {
	// The temporary run_findings is never analyzed by autovacuum, and
	// discrepancies may just have grown by a day's findings: without fresh
	// statistics the anti-joins below were planned as nested loops, and at
	// 100,000 findings one statement took more than ten minutes.
	if _, err := r.tx.ExecContext(ctx, `ANALYZE run_findings, discrepancies`); err != nil {
		return fmt.Errorf("update discrepancies: analyze: %w", err)
	}
	_, err := r.tx.ExecContext(ctx, `INSERT INTO discrepancies (discrepancy_key, kind, blocking, sale_id, invoice_id, participant_id, contract_id,
				currency, expected, actual, detail, opened_run, last_seen_run, resolved_run)
			SELECT discrepancy_key, kind, blocking, sale_id, invoice_id, participant_id, contract_id, currency,
				expected, actual, detail, $1, $1, CASE WHEN kind = ANY($2) THEN $1 END
			FROM run_findings
			ON CONFLICT (discrepancy_key) DO UPDATE SET blocking = EXCLUDED.blocking, expected = EXCLUDED.expected,
				actual = EXCLUDED.actual, detail = EXCLUDED.detail, last_seen_run = EXCLUDED.last_seen_run,
				resolved_run = EXCLUDED.resolved_run`, r.RunID, pq.Array(noticeKinds))
	if err != nil {
		return fmt.Errorf("update discrepancies: %w", err)
	}
	_, err = r.tx.ExecContext(ctx, `UPDATE discrepancies d SET resolved_run = $1
			WHERE d.resolved_run IS NULL AND d.kind = ANY($2)
			  AND (SELECT kind FROM runs WHERE run_id = $1) = 'nightly'
			  AND NOT EXISTS (SELECT 1 FROM run_findings f WHERE f.discrepancy_key = d.discrepancy_key)`,
		r.RunID, pq.Array(reevaluatedKinds))
	if err != nil {
		return fmt.Errorf("resolve discrepancies: %w", err)
	}
	// The report is what the run found plus what is still open without
	// being found again (a discrepancy whose subject the run did not
	// check): discrepancies.csv shows everything open.
	_, err = r.tx.ExecContext(ctx, `INSERT INTO run_discrepancies (run_id, discrepancy_key, kind, blocking, sale_id, invoice_id, participant_id,
				contract_id, currency, expected, actual, detail)
			SELECT $1, discrepancy_key, kind, blocking, sale_id, invoice_id, participant_id, contract_id, currency,
				expected, actual, detail FROM run_findings
			UNION ALL
			SELECT $1, d.discrepancy_key, d.kind, d.blocking, d.sale_id, d.invoice_id, d.participant_id, d.contract_id, d.currency,
				d.expected, d.actual, d.detail FROM discrepancies d
			WHERE d.resolved_run IS NULL
			  AND NOT EXISTS (SELECT 1 FROM run_findings f WHERE f.discrepancy_key = d.discrepancy_key)`, r.RunID)
	if err != nil {
		return fmt.Errorf("update discrepancies: %w", err)
	}
	return nil
}
