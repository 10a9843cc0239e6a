package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"payouts/reconcile"
)

// rerunSalesQuery selects the sales a nightly run allocated, as the data
// stands today (same columns as candidateSalesQuery), with the currency
// their lines were recorded in, what their lines hold per position across
// all runs, and the refunds and chargebacks already processed for them.
// A position's entitlement is its commission plus the commission part of
// earlier adjustments; its reversals are its reversal lines plus the
// reversal part of earlier adjustments.
const rerunSalesQuery = `SELECT s.sale_id, s.product_id, p.lead_producer_id, s.currency,
	trim_scale(s.gross)::text, trim_scale(s.platform_fee)::text,
	coalesce(s.affiliate_id, ''), coalesce(trim_scale(s.affiliate_rate_percent)::text, ''),
	coalesce(a.manager_id, ''), s.sold_at, s.settled_at, o.currency,
	` + positionsSQL + `,
	(SELECT coalesce(json_agg(json_build_object('event_id', pe.event_id, 'kind', e.kind, 'refunded', pe.refunded,
			'full', pe.full_reversal) ORDER BY e.occurred_at, e.event_id COLLATE "C"), '[]')
		FROM processed_events pe JOIN sale_events e ON e.event_id = pe.event_id
		WHERE pe.sale_id = s.sale_id)
FROM sale_outcomes o
JOIN sales s ON s.sale_id = o.sale_id
JOIN products p ON p.product_id = s.product_id
LEFT JOIN affiliations a ON a.product_id = s.product_id AND a.affiliate_id = s.affiliate_id
WHERE o.run_id = $1 AND o.outcome = 'allocated'
ORDER BY s.product_id COLLATE "C", s.sale_id COLLATE "C"`

// positionsSQL is what the lines of sale s hold per position (participant,
// role, contract) across all runs, as a JSON array of positionJSON.
const positionsSQL = `(SELECT coalesce(json_agg(json_build_object('participant_id', q.participant_id, 'role', q.role,
			'contract_id', q.contract_id, 'contract_version', q.contract_version,
			'entitled', q.entitled, 'reversed', q.reversed)), '[]')
		FROM (SELECT l.participant_id, l.role, coalesce(l.contract_id, '') AS contract_id,
				coalesce(max(l.contract_version), 0) AS contract_version,
				` + entitledSQL + ` AS entitled, ` + reversedSQL + ` AS reversed
			FROM lines l WHERE l.sale_id = s.sale_id
			GROUP BY l.participant_id, l.role, coalesce(l.contract_id, '')) q)`

// entitledSQL and reversedSQL split a position's lines (alias l) into what
// it is entitled to and what refunds took back from it.
const (
	entitledSQL = `coalesce(sum(CASE WHEN l.kind = 'reversal' THEN 0 ELSE l.amount - l.reversal_part END), 0)::bigint`
	reversedSQL = `coalesce(sum(CASE WHEN l.kind = 'reversal' THEN l.amount ELSE l.reversal_part END), 0)::bigint`
)

// RerunSaleRow is a sale a rerun recomputes.
type RerunSaleRow struct {
	Record           reconcile.SaleRecord // today's data
	RecordedCurrency string               // the currency its lines were written in
	Positions        []reconcile.Position // what its lines hold, across all runs
	Events           []reconcile.Event    // processed events in occurred_at order, as taken
}

type processedEventJSON struct {
	EventID  string `json:"event_id"`
	Kind     string `json:"kind"`
	Refunded int64  `json:"refunded"`
	Full     bool   `json:"full"`
}

// RerunSales streams the sales nightly run nightlyID allocated, batch by
// batch, in product order, so that a batch needs the contract terms of
// few products. fn's batch slice is reused: fn must not keep it.
func (r *RunTx) RerunSales(ctx context.Context, nightlyID string, batch int, fn func([]RerunSaleRow) error) error {
	buf := make([]RerunSaleRow, 0, batch)
	scan := func(rows *sqlx.Rows) error {
		var s RerunSaleRow
		var settled sql.NullTime
		var positions, events []byte
		rec := &s.Record
		if err := rows.Scan(&rec.SaleID, &rec.ProductID, &rec.LeadID, &rec.Currency, &rec.Gross, &rec.PlatformFee,
			&rec.AffiliateID, &rec.AffiliateRate, &rec.AffiliateManagerID, &rec.SoldAt, &settled,
			&s.RecordedCurrency, &positions, &events); err != nil {
			return fmt.Errorf("read sale to rerun: %w", err)
		}
		rec.SettledAt = settled.Time
		var ps []positionJSON
		if err := json.Unmarshal(positions, &ps); err != nil {
			return fmt.Errorf("sale %s: positions: %w", rec.SaleID, err)
		}
		for _, p := range ps {
			s.Positions = append(s.Positions, reconcile.Position{
				Key:             reconcile.LineKey{ParticipantID: p.ParticipantID, Role: reconcile.Role(p.Role), ContractID: p.ContractID},
				ContractVersion: p.ContractVersion, Entitled: p.Entitled, Reversed: p.Reversed,
			})
		}
		var es []processedEventJSON
		if err := json.Unmarshal(events, &es); err != nil {
			return fmt.Errorf("sale %s: processed events: %w", rec.SaleID, err)
		}
		for _, e := range es {
			s.Events = append(s.Events, reconcile.Event{EventID: e.EventID, SaleID: rec.SaleID,
				Kind: reconcile.EventKind(e.Kind), Amount: e.Refunded, Full: e.Full})
		}
		buf = append(buf, s)
		return nil
	}
	flush := func() error {
		err := fn(buf)
		buf = buf[:0]
		return err
	}
	return streamCursor(ctx, r.tx, "rerun_sales_cursor", rerunSalesQuery, []any{nightlyID}, batch, scan, flush)
}

// AdjustmentRow is an adjustment line with the part of its amount that
// corrects the position's reversals.
type AdjustmentRow struct {
	LineRow
	ReversalPart int64
}

// RerunSaleResult is what a rerun recomputed for a sale it adjusted.
type RerunSaleResult struct {
	SaleID   string
	Currency string
	Gross    int64
	Net      int64
	Paid     int64
}

// RerunBatch is what a batch of recomputed sales produced.
type RerunBatch struct {
	Lines    []AdjustmentRow
	Sales    []RerunSaleResult // the sales that got adjustment lines
	Findings []reconcile.Finding
}

// SaveAdjustments writes a batch's adjustment lines and recomputed sales
// with COPY and stages its findings.
func (r *RunTx) SaveAdjustments(ctx context.Context, b RerunBatch) error {
	lines := make([][]any, len(b.Lines))
	for i, l := range b.Lines {
		lines[i] = append(r.lineValues(l.LineRow), l.ReversalPart)
	}
	if err := copyRows(ctx, r.tx, "lines", append(append([]string(nil), lineColumns...), "reversal_part"), lines); err != nil {
		return err
	}
	sales := make([][]any, len(b.Sales))
	for i, s := range b.Sales {
		sales[i] = []any{r.RunID, s.SaleID, s.Currency, s.Gross, s.Net, s.Paid}
	}
	if err := copyRows(ctx, r.tx, "rerun_sales", []string{"run_id", "sale_id", "currency", "gross", "net", "paid"}, sales); err != nil {
		return err
	}
	return r.addFindings(ctx, b.Findings)
}
