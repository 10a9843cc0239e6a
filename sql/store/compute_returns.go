package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"payouts/reconcile"
)

// CreditReturns credits every rejected or returned payout item not yet
// credited back to its participant, in this run (a nightly run; reruns
// leave it to the next night). The primary key of payout_credits makes it
// once per item, ever. It returns how many items were credited.
func (r *RunTx) CreditReturns(ctx context.Context) (int, error) {
	res, err := r.tx.ExecContext(ctx, `INSERT INTO payout_credits (reference, run_id, participant_id, currency, amount)
		SELECT i.reference, $1, i.participant_id, i.currency, i.amount FROM payout_items i
		WHERE i.state IN ('rejected', 'returned')
		  AND NOT EXISTS (SELECT 1 FROM payout_credits c WHERE c.reference = i.reference)
		ORDER BY i.reference`, r.RunID)
	if err != nil {
		return 0, fmt.Errorf("credit back rejected and returned payouts: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// HeldCredits returns the credited-back items still held, by participant
// and currency ("participant|currency"), with the account each was sent to
// and the reason it came back. There are few: each is a payout that bounced
// and has not been paid again.
func (r *RunTx) HeldCredits(ctx context.Context) (map[string][]reconcile.ReturnedCredit, error) {
	rows, err := r.tx.QueryContext(ctx, `SELECT c.participant_id, c.currency, c.reference, c.amount, i.state,
			coalesce((SELECT h.reason_code FROM payout_status_history h WHERE h.reference = c.reference AND h.state = i.state), ''),
			i.payout_account, coalesce(i.payout_bank, ''), coalesce(i.pix_key, '')
		FROM payout_credits c JOIN payout_items i ON i.reference = c.reference
		WHERE c.released_run IS NULL
		ORDER BY c.reference COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("read held credits: %w", err)
	}
	defer rows.Close()
	out := map[string][]reconcile.ReturnedCredit{}
	for rows.Next() {
		var p, cur string
		var c reconcile.ReturnedCredit
		if err := rows.Scan(&p, &cur, &c.Reference, &c.Amount, &c.State, &c.ReasonCode, &c.PayoutAccount, &c.PayoutBank, &c.PixKey); err != nil {
			return nil, fmt.Errorf("read held credits: %w", err)
		}
		out[p+"|"+cur] = append(out[p+"|"+cur], c)
	}
	return out, rows.Err()
}

// releaseCredits records that this run found the accounts of these
// credited-back items changed: they are held no more.
func (r *RunTx) releaseCredits(ctx context.Context, refs []string) error {
	if len(refs) == 0 {
		return nil
	}
	if _, err := r.tx.ExecContext(ctx, `UPDATE payout_credits SET released_run = $1 WHERE reference = ANY($2) AND released_run IS NULL`,
		r.RunID, pq.Array(refs)); err != nil {
		return fmt.Errorf("release credited-back payouts: %w", err)
	}
	return nil
}

// OutstandingItem is a payout item of an earlier run without a final
// state.
type OutstandingItem struct {
	Reference     string
	RunID         string
	IssuedOn      reconcile.Date // the business date of the run that issued it
	ParticipantID string
	Currency      string
	Amount        int64
	State         reconcile.PayoutState
}

// OutstandingItems streams the items of earlier runs that are issued or
// accepted, by reference, from the business date status tracking starts:
// the earliest run whose items an import has moved. A database into which
// no status report was ever imported expects no confirmation, and items
// issued long before the provider's first report are not flagged en masse.
func (r *RunTx) OutstandingItems(ctx context.Context, batch int, fn func([]OutstandingItem) error) error {
	scan := func(rows *sqlx.Rows) (OutstandingItem, error) {
		var o OutstandingItem
		var d string
		if err := rows.Scan(&o.Reference, &o.RunID, &d, &o.ParticipantID, &o.Currency, &o.Amount, &o.State); err != nil {
			return o, fmt.Errorf("read outstanding items: %w", err)
		}
		var err error
		o.IssuedOn, err = reconcile.ParseDate(d)
		return o, err
	}
	return streamBatches(ctx, r.tx, "run_outstanding", `SELECT i.reference, i.run_id, to_char(r.business_date, 'YYYY-MM-DD'),
			i.participant_id, i.currency, i.amount, i.state
		FROM payout_items i JOIN runs r ON r.run_id = i.run_id
		WHERE i.state IN ('issued', 'accepted') AND i.run_id <> $1
		  AND r.business_date >= (SELECT min(earliest_run_date) FROM status_imports)
		ORDER BY i.reference COLLATE "C"`, []any{r.RunID}, batch, scan, fn)
}

// StatusMismatchFindings returns the mismatches of refused status files
// no run has reported yet, as PAYOUT_STATUS_MISMATCH findings, and marks
// them reported by this run.
func (r *RunTx) StatusMismatchFindings(ctx context.Context) ([]reconcile.Finding, error) {
	rows, err := r.tx.QueryContext(ctx, `SELECT m.sha256, m.file_name, m.reference, m.detail, m.recorded_at,
			coalesce(i.participant_id, ''), coalesce(i.currency, '')
		FROM payout_status_mismatches m LEFT JOIN payout_items i ON i.reference = m.reference
		WHERE m.reported_run IS NULL
		ORDER BY m.recorded_at, m.file_name COLLATE "C", m.reference COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("read status mismatches: %w", err)
	}
	defer rows.Close()
	var out []reconcile.Finding
	for rows.Next() {
		var sum, file, ref, detail, p, cur string
		var at time.Time
		if err := rows.Scan(&sum, &file, &ref, &detail, &at, &p, &cur); err != nil {
			return nil, fmt.Errorf("read status mismatches: %w", err)
		}
		out = append(out, reconcile.Finding{Kind: reconcile.PayoutStatusMismatchKind, ParticipantID: p, Currency: cur,
			Reference: ref + "@" + sum[:12],
			Detail:    fmt.Sprintf("status report %s (sha256 %s), reference %s: %s; the file was refused", file, sum[:12], ref, detail)})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) > 0 {
		if _, err := r.tx.ExecContext(ctx, `UPDATE payout_status_mismatches SET reported_run = $1 WHERE reported_run IS NULL`, r.RunID); err != nil {
			return nil, fmt.Errorf("mark status mismatches reported: %w", err)
		}
	}
	return out, nil
}
