package store

import (
	"context"
	"fmt"
)

// SnapshotWorkbookFacts keeps, with the run, the source facts its finance
// workbook shows that the platform may change later (migration 0004):
// the names of the participants with a balance, the contract versions of
// its co-producer lines, and the sales it held. It runs in the compute
// transaction, after the balances and discrepancies are written, so the
// facts are those the run computed with.
func (r *RunTx) SnapshotWorkbookFacts(ctx context.Context) error {
	for _, q := range []struct{ what, sql string }{
		{"names", `INSERT INTO run_names (run_id, participant_id, name)
			SELECT $1, p.participant_id, p.name FROM participants p
			WHERE p.participant_id IN (SELECT participant_id FROM balances WHERE run_id = $1)`},
		{"contract terms", `INSERT INTO run_contract_terms (run_id, contract_id, version, coproducer_id, product_id, rate_percent, scope)
			SELECT $1, t.contract_id, t.version, t.coproducer_id, t.product_id, t.rate_percent, t.scope
			FROM contract_terms t
			WHERE (t.contract_id, t.version) IN
				(SELECT contract_id, contract_version FROM lines WHERE run_id = $1 AND role = 'coproducer')`},
		{"held sales", `INSERT INTO run_held_sales (run_id, sale_id, product_id, currency, gross)
			SELECT $1, s.sale_id, s.product_id, s.currency, trim_scale(s.gross)::text
			FROM (SELECT DISTINCT sale_id FROM run_discrepancies
				WHERE run_id = $1 AND blocking AND kind IN ('CAP_EXCEEDED', 'INVALID_SALE') AND sale_id IS NOT NULL
				  AND state IS DISTINCT FROM 'resolved') d
			JOIN sales s ON s.sale_id = d.sale_id`},
		// Everything ever issued, by state, from the payout ledger
		// (migration 0014: a sum of the writes, not of every item ever
		// issued); the outstanding items by age, through the index of
		// items not paid.
		{"payout item totals", `INSERT INTO run_item_totals (run_id, currency, issued, paid, rejected, returned, outstanding,
				aged_0_2, aged_3_7, aged_8_30, aged_over_30)
			SELECT $1, l.currency, l.issued, l.paid, l.rejected, l.returned, l.outstanding,
				coalesce(a.aged_0_2, 0), coalesce(a.aged_3_7, 0), coalesce(a.aged_8_30, 0), coalesce(a.aged_over_30, 0)
			FROM (` + ledgerTotals + `) l
			LEFT JOIN (SELECT i.currency,
					sum(i.amount) FILTER (WHERE me.d - r.business_date <= 2) AS aged_0_2,
					sum(i.amount) FILTER (WHERE me.d - r.business_date BETWEEN 3 AND 7) AS aged_3_7,
					sum(i.amount) FILTER (WHERE me.d - r.business_date BETWEEN 8 AND 30) AS aged_8_30,
					sum(i.amount) FILTER (WHERE me.d - r.business_date > 30) AS aged_over_30
				FROM payout_items i JOIN runs r ON r.run_id = i.run_id,
					(SELECT business_date AS d FROM runs WHERE run_id = $1) me
				WHERE i.state <> 'paid' AND i.state IN ('issued', 'accepted')
				GROUP BY i.currency) a ON a.currency = l.currency
			WHERE l.items > 0`},
		// The run's items, the outstanding ones and those it credited
		// back, each found through an index (as one OR, every item ever
		// issued was read).
		{"payout items", `INSERT INTO run_item_states (run_id, reference, state, reason_code, reason, age_days)
			SELECT $1, i.reference, i.state, h.reason_code, h.reason, me.d - r.business_date
			FROM (SELECT reference FROM payout_items WHERE run_id = $1
				UNION SELECT reference FROM payout_items WHERE state <> 'paid' AND state IN ('issued', 'accepted')
				UNION SELECT reference FROM payout_credits WHERE run_id = $1) s
			JOIN payout_items i ON i.reference = s.reference
			JOIN runs r ON r.run_id = i.run_id
			CROSS JOIN (SELECT business_date AS d FROM runs WHERE run_id = $1) me
			LEFT JOIN payout_status_history h ON h.reference = i.reference AND h.state = i.state`},
	} {
		if _, err := r.tx.ExecContext(ctx, q.sql, r.RunID); err != nil {
			return fmt.Errorf("run %s: keep the workbook's %s: %w", r.RunID, q.what, err)
		}
	}
	// Publication reads these right after the commit, before autovacuum
	// has seen the run's rows: with statistics that say the run has none,
	// the held-sales query nested its loops and took 10 s at 13,000 held
	// sales. ANALYZE here counts the run's own rows (when the tables'
	// statistics no longer describe them: analyzeStale); its statistics
	// commit with them.
	if err := r.analyzeStale(ctx, "run_discrepancies", "run_held_sales", "run_names", "run_contract_terms", "run_backlog"); err != nil {
		return fmt.Errorf("run %s: the workbook's facts: %w", r.RunID, err)
	}
	return nil
}
