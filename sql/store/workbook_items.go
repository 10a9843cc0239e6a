package store

import (
	"context"
	"fmt"

	"payouts/reconcile/ledger"
)

// WorkbookItemTotals returns the payout item totals by currency as the
// run saw them: every item issued up to it (run_item_totals).
func (s *Store) WorkbookItemTotals(ctx context.Context, runID string) ([]ledger.ItemTotals, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT run_id, currency, issued, paid, rejected, returned, outstanding,
			aged_0_2, aged_3_7, aged_8_30, aged_over_30
		FROM run_item_totals WHERE run_id = $1 ORDER BY currency COLLATE "C"`, runID)
	if err != nil {
		return nil, fmt.Errorf("workbook of run %s: payout item totals: %w", runID, err)
	}
	defer rows.Close()
	var out []ledger.ItemTotals
	for rows.Next() {
		var t ledger.ItemTotals
		if err := rows.Scan(&t.RunID, &t.Currency, &t.Issued, &t.Paid, &t.Rejected, &t.Returned, &t.Outstanding,
			&t.Aged0to2, &t.Aged3to7, &t.Aged8to30, &t.AgedOver30); err != nil {
			return nil, fmt.Errorf("workbook of run %s: payout item totals: %w", runID, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// WorkbookItems streams the payout items the run's workbook lists, by
// currency then reference.
func (s *Store) WorkbookItems(ctx context.Context, runID string, fn func(ledger.ItemState) error) error {
	return eachRow(ctx, s.DB, fmt.Sprintf("workbook of run %s: payout items", runID), `SELECT w.reference, i.run_id, i.participant_id, i.currency, i.amount, w.state,
			coalesce(w.reason_code, ''), coalesce(w.reason, ''), w.age_days,
			coalesce((SELECT c.run_id FROM payout_credits c WHERE c.reference = w.reference AND c.run_id IN
				(SELECT run_id FROM runs WHERE business_date <= (SELECT business_date FROM runs WHERE run_id = $1))), '')
		FROM run_item_states w JOIN payout_items i ON i.reference = w.reference
		WHERE w.run_id = $1
		ORDER BY i.currency COLLATE "C", w.reference COLLATE "C"`, []any{runID},
		func(scan func(...any) error) (ledger.ItemState, error) {
			var it ledger.ItemState
			if err := scan(&it.Reference, &it.RunID, &it.ParticipantID, &it.Currency, &it.Amount, &it.State,
				&it.ReasonCode, &it.Reason, &it.AgeDays, &it.CreditedRun); err != nil {
				return it, err
			}
			return it, nil
		}, fn)
}
