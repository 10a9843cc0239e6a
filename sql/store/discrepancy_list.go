package store

import (
	"context"
	"database/sql"
	"fmt"

	"payouts/reconcile/ledger"
)

// DiscrepancyFilter selects discrepancies for `payouts discrepancies`.
type DiscrepancyFilter struct {
	OpenOnly bool
	Kind     string // "" for every kind
	// Producer keeps what concerns one participant: discrepancies of the
	// sales of the products it leads, those naming it, and those of
	// invoices issued under its tax id.
	Producer string
}

// ListDiscrepancies streams the discrepancies that pass f, sorted like
// discrepancies.csv: by kind, then ids.
func (s *Store) ListDiscrepancies(ctx context.Context, f DiscrepancyFilter, fn func(ledger.DiscrepancyRecord) error) error {
	rows, err := s.DB.QueryContext(ctx, `SELECT d.discrepancy_key, d.kind, d.blocking, coalesce(d.sale_id, ''), coalesce(d.invoice_id, ''),
			coalesce(d.participant_id, ''), coalesce(d.contract_id, ''), coalesce(d.currency, ''), coalesce(d.expected, ''),
			coalesce(d.actual, ''), d.detail, d.opened_run, d.last_seen_run, d.resolved_run
		FROM discrepancies d
		WHERE (NOT $1 OR d.resolved_run IS NULL)
		  AND ($2 = '' OR d.kind = $2)
		  AND ($3 = '' OR d.participant_id = $3
		       OR EXISTS (SELECT 1 FROM sales s JOIN products p ON p.product_id = s.product_id
		                  WHERE s.sale_id = d.sale_id AND p.lead_producer_id = $3)
		       OR EXISTS (SELECT 1 FROM tax_records t JOIN participants pa ON pa.participant_id = $3
		                  WHERE t.invoice_id = d.invoice_id AND coalesce(pa.tax_id, '') <> ''
		                    AND `+taxNorm("t.issuer_tax_id")+` = `+taxNorm("pa.tax_id")+`))
		ORDER BY d.kind COLLATE "C", coalesce(d.sale_id, '') COLLATE "C", coalesce(d.invoice_id, '') COLLATE "C",
			coalesce(d.participant_id, '') COLLATE "C", coalesce(d.contract_id, '') COLLATE "C",
			coalesce(d.currency, '') COLLATE "C", d.discrepancy_key COLLATE "C"`, f.OpenOnly, f.Kind, f.Producer)
	if err != nil {
		return fmt.Errorf("list discrepancies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ledger.DiscrepancyRecord
		var resolved sql.NullString
		if err := rows.Scan(&r.Key, &r.Kind, &r.Blocking, &r.SaleID, &r.InvoiceID, &r.ParticipantID, &r.ContractID,
			&r.Currency, &r.Expected, &r.Actual, &r.Detail, &r.OpenedRun, &r.LastSeenRun, &resolved); err != nil {
			return fmt.Errorf("list discrepancies: %w", err)
		}
		r.ResolvedRun = resolved.String
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
