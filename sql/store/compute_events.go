package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"payouts/reconcile"
)

// eventSalesQuery selects, per sale, the refunds and chargebacks that
// occurred before the window's end and are not processed yet (read from
// the event queue, migration 0008, not from the whole history of events), with
// everything a reversal needs: the sale's outcome, what was refunded
// before, and each position's entitlement and reversals so far (including
// lines this run wrote a moment ago: the allocation comes first).
const eventSalesQuery = `SELECT s.sale_id, s.product_id, s.currency, trim_scale(s.gross)::text, s.sold_at, s.settled_at,
	coalesce(o.outcome, ''),
	coalesce((SELECT sum(pe.refunded) FROM processed_events pe WHERE pe.sale_id = s.sale_id), 0)::bigint,
	coalesce((SELECT bool_or(pe.full_reversal) FROM processed_events pe WHERE pe.sale_id = s.sale_id), false),
	` + positionsSQL + `,
	json_agg(json_build_object('event_id', e.event_id, 'kind', e.kind,
		'amount', coalesce(trim_scale(e.amount)::text, '')) ORDER BY e.occurred_at, e.event_id COLLATE "C")
FROM (SELECT DISTINCT event_id FROM event_queue) q
JOIN sale_events e ON e.event_id = q.event_id
JOIN sales s ON s.sale_id = e.sale_id
LEFT JOIN sale_outcomes o ON o.sale_id = s.sale_id
WHERE e.occurred_at < $1
  AND NOT EXISTS (SELECT 1 FROM processed_events pe WHERE pe.event_id = e.event_id)
GROUP BY s.sale_id, o.sale_id
ORDER BY s.sale_id COLLATE "C"`

// EventSale is a sale with refunds or chargebacks for this run to take.
type EventSale struct {
	SaleID    string
	ProductID string
	Currency  string
	Gross     string // as stored
	SoldAt    time.Time
	SettledAt time.Time
	Outcome   string // "allocated", "closed" or "" (not allocated yet)
	Refunded  int64  // gross-terms amount already reversed
	Closed    bool   // a full reversal was already processed
	Positions []reconcile.Position
	Events    []RawEvent // in occurred_at, event_id order
}

// RawEvent is an unprocessed event as stored.
type RawEvent struct {
	EventID string `json:"event_id"`
	Kind    string `json:"kind"`
	Amount  string `json:"amount"` // "" for a chargeback or a full refund
}

type positionJSON struct {
	ParticipantID   string `json:"participant_id"`
	Role            string `json:"role"`
	ContractID      string `json:"contract_id"`
	ContractVersion int    `json:"contract_version"`
	Entitled        int64  `json:"entitled"`
	Reversed        int64  `json:"reversed"`
}

// EventSales streams the sales with events to take, batch by batch.
func (r *RunTx) EventSales(ctx context.Context, batch int, fn func([]EventSale) error) error {
	scan := func(rows *sqlx.Rows) (EventSale, error) {
		var s EventSale
		var settled sql.NullTime
		var positions, events []byte
		if err := rows.Scan(&s.SaleID, &s.ProductID, &s.Currency, &s.Gross, &s.SoldAt, &settled, &s.Outcome,
			&s.Refunded, &s.Closed, &positions, &events); err != nil {
			return s, fmt.Errorf("read sale events: %w", err)
		}
		s.SettledAt = settled.Time
		var ps []positionJSON
		if err := json.Unmarshal(positions, &ps); err != nil {
			return s, fmt.Errorf("sale %s: positions: %w", s.SaleID, err)
		}
		for _, p := range ps {
			s.Positions = append(s.Positions, reconcile.Position{
				Key:             reconcile.LineKey{ParticipantID: p.ParticipantID, Role: reconcile.Role(p.Role), ContractID: p.ContractID},
				ContractVersion: p.ContractVersion, Entitled: p.Entitled, Reversed: p.Reversed,
			})
		}
		if err := json.Unmarshal(events, &s.Events); err != nil {
			return s, fmt.Errorf("sale %s: events: %w", s.SaleID, err)
		}
		return s, nil
	}
	return streamBatches(ctx, r.tx, "event_sales", eventSalesQuery, []any{r.WindowEnd}, batch, scan, fn)
}

// ProcessedEvent records an event a run took.
type ProcessedEvent struct {
	EventID  string
	SaleID   string
	Refunded int64
	Full     bool
}

// ReversalBatch is what a batch of event sales produced.
type ReversalBatch struct {
	Lines     []LineRow
	Processed []ProcessedEvent
	Closed    []SaleOutcome // sales closed before they were ever paid
	Findings  []reconcile.Finding
}

// SaveReversals writes a batch's reversal lines, processed events and
// closed sales.
func (r *RunTx) SaveReversals(ctx context.Context, b ReversalBatch) error {
	if err := r.writeOutcomes(ctx, b.Closed); err != nil {
		return err
	}
	if err := r.writeLines(ctx, b.Lines); err != nil {
		return err
	}
	rows := make([][]any, len(b.Processed))
	for i, p := range b.Processed {
		rows[i] = []any{p.EventID, p.SaleID, r.RunID, p.Refunded, p.Full}
	}
	if err := copyRows(ctx, r.tx, "processed_events", []string{"event_id", "sale_id", "run_id", "refunded", "full_reversal"}, rows); err != nil {
		return err
	}
	return r.addFindings(ctx, b.Findings)
}

// FinishHolds updates the hold list with what this run decided: sales it
// allocated or closed leave the list, sales it held again stay with their
// first run, new ones join, and held sales it did not look at (their
// inputs did not change) stay as they are. It then consumes the sale
// queue: every queued sale settled before the window's end, or with an
// outcome, or gone, was looked at; a sale not settled yet leaves it too,
// unless its settlement time is after the window's end. It returns how
// many sales are held.
func (r *RunTx) FinishHolds(ctx context.Context) (int, error) {
	// A sale closed by a full refund in this run is released even though
	// the allocation step held it a moment earlier.
	err := execEach(ctx, r.tx, []any{r.RunID, r.HoldPolicy, r.WindowEnd},
		`DELETE FROM run_holds h USING sale_outcomes o WHERE o.sale_id = h.sale_id AND o.run_id = $1`,
		`DELETE FROM run_findings f USING sale_outcomes o
			WHERE o.sale_id = f.sale_id AND o.run_id = $1 AND o.outcome = 'closed' AND f.blocking`,
		// Held sales this run looked at (queued, or held under another
		// policy, or closed by an event) and did not hold again: paid,
		// closed, no longer settled or gone. The discrepancies of these
		// and of the sales held again are the ones the run re-evaluated.
		`INSERT INTO run_released (sale_id)
			SELECT h.sale_id FROM holds h
			WHERE NOT EXISTS (SELECT 1 FROM run_holds r WHERE r.sale_id = h.sale_id)
			  AND (h.policy IS DISTINCT FROM $2
			       OR EXISTS (SELECT 1 FROM sale_queue q WHERE q.sale_id = h.sale_id)
			       OR EXISTS (SELECT 1 FROM tax_checks_pending p WHERE p.sale_id = h.sale_id AND p.due_at < $3)
			       OR EXISTS (SELECT 1 FROM sale_outcomes o WHERE o.sale_id = h.sale_id AND o.run_id = $1))`,
		`DELETE FROM holds h USING run_released r WHERE r.sale_id = h.sale_id`)
	if err != nil {
		return 0, fmt.Errorf("update holds: %w", err)
	}
	_, err = r.tx.ExecContext(ctx, `INSERT INTO holds (sale_id, kind, detail, since_run, last_run, policy)
			SELECT sale_id, kind, detail, $1, $1, $2 FROM run_holds
			ON CONFLICT (sale_id) DO UPDATE SET kind = EXCLUDED.kind, detail = EXCLUDED.detail, last_run = EXCLUDED.last_run,
				policy = EXCLUDED.policy`, r.RunID, r.HoldPolicy)
	if err != nil {
		return 0, fmt.Errorf("update holds: %w", err)
	}
	// Rows a load appended after the run's snapshot are not seen here and
	// stay for the next run.
	_, err = r.tx.ExecContext(ctx, `DELETE FROM event_queue q
		WHERE EXISTS (SELECT 1 FROM processed_events p WHERE p.event_id = q.event_id)
		   OR NOT EXISTS (SELECT 1 FROM sale_events e WHERE e.event_id = q.event_id)`)
	if err != nil {
		return 0, fmt.Errorf("consume the event queue: %w", err)
	}
	// One probe of the sale per queued id (a scalar subquery is not turned
	// into a join): as an anti-join, the planner hashed every sale ever
	// loaded to consume one night's queue.
	//
	// Only a sale with a settlement time after the window stays queued: it
	// becomes due as time passes. A sale without settled_at can only
	// become due by an UPDATE, and that queues it again (sales_updated,
	// migration 0008); kept, the sales never settled (about 1% of a night
	// in the seeded marketplace) were probed again by every run, a cost
	// that grew with history (0.09 s on night 1, 0.46 s on night 29).
	_, err = r.tx.ExecContext(ctx, `DELETE FROM sale_queue q WHERE (
			SELECT true FROM sales s WHERE s.sale_id = q.sale_id AND s.settled_at >= $1
			  AND NOT EXISTS (SELECT 1 FROM sale_outcomes o WHERE o.sale_id = s.sale_id)) IS NULL`, r.WindowEnd)
	if err != nil {
		return 0, fmt.Errorf("consume the sale queue: %w", err)
	}
	var n int
	err = r.tx.GetContext(ctx, &n, `SELECT count(*) FROM holds`)
	return n, err
}
