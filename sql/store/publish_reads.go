package store

import (
	"context"
	"database/sql"
	"fmt"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
)

// RunLines streams a run's lines in the order the participant files list
// them: participant, then sale_id, role (lead, coproducer, affiliate),
// contract_id and kind (commission, reversal, adjustment), ids in byte
// order whatever the database's collation.
func (s *Store) RunLines(ctx context.Context, runID string, fn func(LineRow) error) error {
	return eachRow(ctx, s.DB, fmt.Sprintf("read lines of run %s", runID), `SELECT sale_id, participant_id, role, kind, coalesce(contract_id, ''),
			coalesce(contract_version, 0), product_id, currency, amount, coalesce(base, 0),
			coalesce(rate_percent::text, ''), sold_at, settled_at
		FROM lines WHERE run_id = $1
		ORDER BY participant_id COLLATE "C", sale_id COLLATE "C",
			CASE role WHEN 'lead' THEN 0 WHEN 'coproducer' THEN 1 ELSE 2 END,
			coalesce(contract_id, '') COLLATE "C",
			CASE kind WHEN 'commission' THEN 0 WHEN 'reversal' THEN 1 ELSE 2 END`, []any{runID},
		func(scan func(...any) error) (LineRow, error) {
			var l LineRow
			var err error
			var role, kind, rate string
			var settled sql.NullTime
			if err := scan(&l.SaleID, &l.ParticipantID, &role, &kind, &l.ContractID, &l.ContractVersion, &l.ProductID,
				&l.Currency, &l.Amount, &l.Base, &rate, &l.SoldAt, &settled); err != nil {
				return l, err
			}
			l.Role, l.Kind, l.SettledAt = reconcile.Role(role), reconcile.LineKind(kind), settled.Time
			if rate != "" {
				if l.Rate, err = reconcile.ParseRate(rate); err != nil {
					return l, fmt.Errorf("run %s line of sale %s: rate_percent: %w", runID, l.SaleID, err)
				}
			}
			return l, nil
		}, fn)
}

// RunPayoutItems streams a run's payout items by currency, then participant.
func (s *Store) RunPayoutItems(ctx context.Context, runID string, fn func(reconcile.PayoutItem) error) error {
	rows, err := s.DB.QueryxContext(ctx, `SELECT run_id, participant_id, currency, amount, reference, name, payout_account,
			coalesce(payout_bank, '') AS payout_bank, coalesce(pix_key, '') AS pix_key,
			coalesce(tax_id, '') AS tax_id, coalesce(short_ref, '') AS short_ref
		FROM payout_items WHERE run_id = $1
		ORDER BY currency COLLATE "C", participant_id COLLATE "C"`, runID)
	if err != nil {
		return fmt.Errorf("read payout items of run %s: %w", runID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var p reconcile.PayoutItem
		if err := rows.StructScan(&p); err != nil {
			return fmt.Errorf("read payout items of run %s: %w", runID, err)
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return rows.Err()
}

// DiscrepancySelection picks rows of a run's report.
type DiscrepancySelection int

const (
	// DiscrepanciesChanged are those the run opened, re-opened or
	// resolved (discrepancies.csv); for a version 1 run, all its rows.
	DiscrepanciesChanged DiscrepancySelection = iota
	// DiscrepanciesReported adds the blocking items still open (the
	// workbook's Discrepancies sheet).
	DiscrepanciesReported
)

// RunDiscrepancies streams what a run reported, sorted by kind, then ids.
func (s *Store) RunDiscrepancies(ctx context.Context, runID string, sel DiscrepancySelection, fn func(reconcile.ReportedDiscrepancy) error) error {
	rows, err := s.DB.QueryContext(ctx, `SELECT kind, blocking, coalesce(sale_id, ''), coalesce(invoice_id, ''),
			coalesce(participant_id, ''), coalesce(contract_id, ''), coalesce(currency, ''),
			coalesce(expected, ''), coalesce(actual, ''), detail, coalesce(state, ''),
			coalesce(to_char(opened_business_date, 'YYYY-MM-DD'), ''), coalesce(age_days, 0)
		FROM run_discrepancies WHERE run_id = $1 AND ($2 OR state IS DISTINCT FROM 'open')
		ORDER BY kind COLLATE "C", coalesce(sale_id, '') COLLATE "C", coalesce(invoice_id, '') COLLATE "C",
			coalesce(participant_id, '') COLLATE "C", coalesce(contract_id, '') COLLATE "C",
			coalesce(currency, '') COLLATE "C", discrepancy_key COLLATE "C"`, runID, sel == DiscrepanciesReported)
	if err != nil {
		return fmt.Errorf("read discrepancies of run %s: %w", runID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var d reconcile.ReportedDiscrepancy
		f := &d.Finding
		if err := rows.Scan(&f.Kind, &f.Blocking, &f.SaleID, &f.InvoiceID, &f.ParticipantID, &f.ContractID,
			&f.Currency, &f.Expected, &f.Actual, &f.Detail, &d.State, &d.OpenedBusinessDate, &d.AgeDays); err != nil {
			return fmt.Errorf("read discrepancies of run %s: %w", runID, err)
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	return rows.Err()
}

// RecordRunFiles keeps the list of a run's files (for status and export
// checks). Re-publishing replaces it.
func (s *Store) RecordRunFiles(ctx context.Context, runID string, files []ledger.RunFile) error {
	tx, err := s.DB.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM run_files WHERE run_id = $1`, runID); err != nil {
		return fmt.Errorf("record files of run %s: %w", runID, err)
	}
	rows := make([][]any, len(files))
	for i, f := range files {
		rows[i] = []any{runID, f.Path, f.Kind, f.Bytes, f.SHA256, f.Rows}
	}
	if err := copyRows(ctx, tx, "run_files", []string{"run_id", "path", "kind", "bytes", "sha256", "rows"}, rows); err != nil {
		return err
	}
	return tx.Commit()
}
