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

// saleReevaluatedKinds name a held sale: a run re-evaluates one when it
// decides the sale again (its inputs changed: see candidateSalesQuery).
// The other re-evaluated kinds name a participant's balance, which every
// nightly run settles again.
var saleReevaluatedKinds = []string{reconcile.CapExceeded, reconcile.InvalidSale}

// FinishDiscrepancies applies the lifecycle: findings open new
// discrepancies, re-open resolved ones or refresh open ones; open ones of
// re-evaluated kinds whose subject the run re-evaluated without finding
// them are resolved. A rerun re-evaluates nothing beyond the sales and
// balances it adjusts, so it resolves nothing it did not find.
//
// It then keeps the run's report (SPEC 7): what the run opened, re-opened
// or resolved (discrepancies.csv), every blocking item still open (the
// workbook lists them), and the open backlog by kind and age. None of it
// re-lists the open backlog, so the report follows the night's data.
func (r *RunTx) FinishDiscrepancies(ctx context.Context) error {
	// The temporary run_findings is never analyzed by autovacuum: without
	// fresh statistics the joins below were planned as nested loops, and
	// at 100,000 findings one statement took more than ten minutes.
	if _, err := r.tx.ExecContext(ctx, `ANALYZE run_findings`); err != nil {
		return fmt.Errorf("update discrepancies: analyze: %w", err)
	}
	run, notices, saleKinds, kinds := r.RunID, pq.Array(noticeKinds), pq.Array(saleReevaluatedKinds), pq.Array(reevaluatedKinds)
	for _, st := range []struct {
		sql  string
		args []any
	}{
		// What each finding is to the lifecycle, before the upsert forgets
		// it: opened (new), reopened (resolved before) or seen (open).
		{`UPDATE run_findings f SET state = CASE WHEN d.resolved_run IS NULL THEN 'seen' ELSE 'reopened' END
			FROM discrepancies d WHERE d.discrepancy_key = f.discrepancy_key`, nil},
		// A re-opened discrepancy starts a new episode: its age counts
		// from the run that found it again.
		{`INSERT INTO discrepancies (discrepancy_key, kind, blocking, sale_id, invoice_id, participant_id, contract_id,
				currency, expected, actual, detail, opened_run, last_seen_run, resolved_run)
			SELECT discrepancy_key, kind, blocking, sale_id, invoice_id, participant_id, contract_id, currency,
				expected, actual, detail, $1, $1, CASE WHEN kind = ANY($2) THEN $1 END
			FROM run_findings
			ON CONFLICT (discrepancy_key) DO UPDATE SET blocking = EXCLUDED.blocking, expected = EXCLUDED.expected,
				actual = EXCLUDED.actual, detail = EXCLUDED.detail, last_seen_run = EXCLUDED.last_seen_run,
				opened_run = CASE WHEN discrepancies.resolved_run IS NULL THEN discrepancies.opened_run ELSE EXCLUDED.opened_run END,
				resolved_run = EXCLUDED.resolved_run`, []any{run, notices}},
		{`INSERT INTO run_discrepancies (run_id, discrepancy_key, kind, blocking, sale_id, invoice_id, participant_id,
				contract_id, currency, expected, actual, detail, state, opened_business_date, age_days)
			SELECT $1, f.discrepancy_key, f.kind, f.blocking, f.sale_id, f.invoice_id, f.participant_id, f.contract_id,
				f.currency, f.expected, f.actual, f.detail, f.state, (SELECT business_date FROM runs WHERE run_id = $1), 0
			FROM run_findings f WHERE f.state IN ('opened', 'reopened')`, []any{run}},
		// Held sales the run decided again (held again, paid, closed or
		// released): their discrepancies not found again are resolved.
		{`UPDATE discrepancies d SET resolved_run = $1
			FROM (SELECT sale_id FROM run_holds UNION SELECT sale_id FROM run_released) s
			WHERE d.sale_id = s.sale_id AND d.resolved_run IS NULL AND d.kind = ANY($2)
			  AND (SELECT kind FROM runs WHERE run_id = $1) = 'nightly'
			  AND NOT EXISTS (SELECT 1 FROM run_findings f WHERE f.discrepancy_key = d.discrepancy_key)`, []any{run, saleKinds}},
		// Balances: every nightly run settles every participant with a
		// balance, so what it did not find again is gone.
		{`UPDATE discrepancies d SET resolved_run = $1
			WHERE d.resolved_run IS NULL AND d.kind = ANY($2) AND d.kind <> ALL($3)
			  AND (SELECT kind FROM runs WHERE run_id = $1) = 'nightly'
			  AND NOT EXISTS (SELECT 1 FROM run_findings f WHERE f.discrepancy_key = d.discrepancy_key)`, []any{run, kinds, saleKinds}},
		// What the run resolved (here or in FinishTaxChecks), with the age
		// it reached; notices, opened and closed by the same run, are
		// reported as opened above.
		{`INSERT INTO run_discrepancies (run_id, discrepancy_key, kind, blocking, sale_id, invoice_id, participant_id,
				contract_id, currency, expected, actual, detail, state, opened_business_date, age_days)
			SELECT $1, d.discrepancy_key, d.kind, d.blocking, d.sale_id, d.invoice_id, d.participant_id, d.contract_id,
				d.currency, d.expected, d.actual, d.detail, 'resolved', o.business_date,
				greatest((SELECT business_date FROM runs WHERE run_id = $1) - o.business_date, 0)
			FROM discrepancies d JOIN runs o ON o.run_id = d.opened_run
			WHERE d.resolved_run = $1
			  AND NOT EXISTS (SELECT 1 FROM run_findings f WHERE f.discrepancy_key = d.discrepancy_key)`, []any{run}},
		// Every blocking item still open: the workbook lists them all.
		// Those the run already reported (opened or re-opened above) are
		// skipped by the primary key, one probe per item: an anti-join
		// against the run's rows, which have no statistics yet, was planned
		// as a nested loop over both lists (4 s for 7,800 items on night 9).
		{`INSERT INTO run_discrepancies (run_id, discrepancy_key, kind, blocking, sale_id, invoice_id, participant_id,
				contract_id, currency, expected, actual, detail, state, opened_business_date, age_days)
			SELECT $1, d.discrepancy_key, d.kind, d.blocking, d.sale_id, d.invoice_id, d.participant_id, d.contract_id,
				d.currency, d.expected, d.actual, d.detail, 'open', o.business_date,
				greatest((SELECT business_date FROM runs WHERE run_id = $1) - o.business_date, 0)
			FROM discrepancies d JOIN runs o ON o.run_id = d.opened_run
			WHERE d.resolved_run IS NULL AND d.blocking
			ON CONFLICT (run_id, discrepancy_key) DO NOTHING`, []any{run}},
		// The open backlog by kind, currency and age, from the backlog
		// ledger (migration 0015: what every write of discrepancies added
		// to or took from the open ones, per group and opening run), not
		// from every open discrepancy.
		{`INSERT INTO run_backlog (run_id, kind, blocking, currency, age, count)
			SELECT $1, l.kind, l.blocking, l.currency,
				CASE WHEN a.days <= 2 THEN '0-2' WHEN a.days <= 7 THEN '3-7' WHEN a.days <= 30 THEN '8-30' ELSE 'over 30' END,
				sum(l.n)
			FROM (SELECT kind, blocking, currency, opened_run, sum(n) AS n FROM discrepancy_backlog_ledger
				GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0) l
			JOIN runs o ON o.run_id = l.opened_run
			CROSS JOIN LATERAL (SELECT greatest((SELECT business_date FROM runs WHERE run_id = $1) - o.business_date, 0) AS days) a
			GROUP BY 2, 3, 4, 5`, []any{run}},
	} {
		if _, err := r.tx.ExecContext(ctx, st.sql, st.args...); err != nil {
			return fmt.Errorf("update discrepancies: %w", err)
		}
	}
	return nil
}
