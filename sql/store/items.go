package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lib/pq"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
)

// ItemFilter selects payout items; empty fields select all.
type ItemFilter struct {
	State         string
	ParticipantID string
	RunID         string
}

// ItemStatusEvent is one entry of an item's status history.
type ItemStatusEvent struct {
	State      string
	ReasonCode string
	Reason     string
	OccurredAt sql.NullTime
	SourceFile string
	ImportID   int64
}

// ListedItem is a payout item (its reference, run, participant, currency,
// amount and the account it was sent to) with its state, its status
// history and what became of its money when it came back.
type ListedItem struct {
	reconcile.PayoutItem
	State       string
	CreditedRun string // the run that credited it back, when rejected or returned
	ReleasedRun string // the run that found the account changed
	History     []ItemStatusEvent
}

// Items streams the payout items the filter selects, by run and
// reference, each with its status history in order (one query).
func (s *Store) Items(ctx context.Context, f ItemFilter, fn func(ListedItem) error) error {
	rows, err := s.DB.QueryContext(ctx, `SELECT i.reference, i.run_id, i.participant_id, i.currency, i.amount, i.state,
			i.payout_account, coalesce(i.payout_bank, ''), coalesce(c.run_id, ''), coalesce(c.released_run, ''),
			coalesce(h.state, ''), coalesce(h.reason_code, ''), coalesce(h.reason, ''), h.occurred_at,
			coalesce(h.source_file, ''), coalesce(h.import_id, 0)
		FROM payout_items i
		LEFT JOIN payout_credits c ON c.reference = i.reference
		LEFT JOIN payout_status_history h ON h.reference = i.reference
		WHERE ($1 = '' OR i.state = $1) AND ($2 = '' OR i.participant_id = $2) AND ($3 = '' OR i.run_id = $3)
		ORDER BY i.run_id COLLATE "C", i.reference COLLATE "C", h.seq`, f.State, f.ParticipantID, f.RunID)
	if err != nil {
		return fmt.Errorf("list payout items: %w", err)
	}
	defer rows.Close()
	var cur *ListedItem
	for rows.Next() {
		var it ListedItem
		var ev ItemStatusEvent
		if err := rows.Scan(&it.Reference, &it.RunID, &it.ParticipantID, &it.Currency, &it.Amount, &it.State,
			&it.PayoutAccount, &it.PayoutBank, &it.CreditedRun, &it.ReleasedRun,
			&ev.State, &ev.ReasonCode, &ev.Reason, &ev.OccurredAt, &ev.SourceFile, &ev.ImportID); err != nil {
			return fmt.Errorf("list payout items: %w", err)
		}
		if cur == nil || cur.Reference != it.Reference {
			if cur != nil {
				if err := fn(*cur); err != nil {
					return err
				}
			}
			cur = &it
		}
		if ev.State != "" {
			cur.History = append(cur.History, ev)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list payout items: %w", err)
	}
	if cur != nil {
		return fn(*cur)
	}
	return nil
}

// PayoutItemTotals returns, per run (of runIDs) and currency, the items
// and the amounts issued, paid, rejected, returned and outstanding (issued
// or accepted), as they are now.
func (s *Store) PayoutItemTotals(ctx context.Context, runIDs []string) ([]ledger.ItemTotals, error) {
	var out []ledger.ItemTotals
	rows, err := s.DB.QueryContext(ctx, `SELECT run_id, currency, count(*), sum(amount)::bigint,
			coalesce(sum(amount) FILTER (WHERE state = 'paid'), 0)::bigint,
			coalesce(sum(amount) FILTER (WHERE state = 'rejected'), 0)::bigint,
			coalesce(sum(amount) FILTER (WHERE state = 'returned'), 0)::bigint,
			coalesce(sum(amount) FILTER (WHERE state IN ('issued', 'accepted')), 0)::bigint
		FROM payout_items WHERE run_id = ANY($1)
		GROUP BY run_id, currency ORDER BY run_id COLLATE "C", currency COLLATE "C"`, pq.Array(runIDs))
	if err != nil {
		return nil, fmt.Errorf("payout item totals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t ledger.ItemTotals
		if err := rows.Scan(&t.RunID, &t.Currency, &t.Count, &t.Issued, &t.Paid, &t.Rejected, &t.Returned, &t.Outstanding); err != nil {
			return nil, fmt.Errorf("payout item totals: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ItemStateCount is how many payout items are in a state, in a currency.
type ItemStateCount struct {
	State    string
	Currency string
	Count    int64
	Amount   int64
}

// ItemStateCounts counts every payout item by state and currency.
func (s *Store) ItemStateCounts(ctx context.Context) ([]ItemStateCount, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT state, currency, count(*), sum(amount)::bigint FROM payout_items
		GROUP BY state, currency ORDER BY state COLLATE "C", currency COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("count payout items: %w", err)
	}
	defer rows.Close()
	var out []ItemStateCount
	for rows.Next() {
		var c ItemStateCount
		if err := rows.Scan(&c.State, &c.Currency, &c.Count, &c.Amount); err != nil {
			return nil, fmt.Errorf("count payout items: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
