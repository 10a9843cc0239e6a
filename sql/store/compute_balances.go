package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// carriedSQL is what participants carry into run $1, for the balances the
// run settles: a nightly run settles every carried balance; a rerun only
// those of the participants and currencies it has adjustment lines for
// (the CTE sums holds the run's lines).
const carriedSQL = `SELECT c.participant_id, c.currency, c.amount FROM carried_balances c
	WHERE c.amount <> 0
	  AND ((SELECT kind FROM runs WHERE run_id = $1) = 'nightly'
	       OR EXISTS (SELECT 1 FROM sums s WHERE s.participant_id = c.participant_id AND s.currency = c.currency))`

// balancesQuery joins what each participant carries into the run with the
// sums of the run's lines, per currency. Participants with nothing carried
// and no lines are left out.
const balancesQuery = `WITH sums AS (
	SELECT participant_id, currency,
		coalesce(sum(amount) FILTER (WHERE kind = 'commission'), 0)::bigint AS commissions,
		coalesce(sum(amount) FILTER (WHERE kind = 'reversal'), 0)::bigint AS reversals,
		coalesce(sum(amount) FILTER (WHERE kind = 'adjustment'), 0)::bigint AS adjustments
	FROM lines WHERE run_id = $1
	GROUP BY participant_id, currency
), carried AS (
	` + carriedSQL + `
), credited AS (
	SELECT participant_id, currency, sum(amount)::bigint AS amount FROM payout_credits WHERE run_id = $1
	GROUP BY participant_id, currency
)
SELECT p.participant_id, b.currency, coalesce(c.amount, 0), coalesce(cr.amount, 0), coalesce(s.commissions, 0),
	coalesce(s.reversals, 0), coalesce(s.adjustments, 0),
	p.name, coalesce(p.payout_account, ''), coalesce(p.payout_bank, ''), coalesce(p.pix_key, ''),
	coalesce(p.tax_id, '')
FROM (SELECT participant_id, currency FROM sums UNION SELECT participant_id, currency FROM carried
	UNION SELECT participant_id, currency FROM credited) b
JOIN participants p ON p.participant_id = b.participant_id
LEFT JOIN sums s ON s.participant_id = b.participant_id AND s.currency = b.currency
LEFT JOIN carried c ON c.participant_id = b.participant_id AND c.currency = b.currency
LEFT JOIN credited cr ON cr.participant_id = b.participant_id AND cr.currency = b.currency
ORDER BY p.participant_id COLLATE "C", b.currency COLLATE "C"`

// BalanceRow is a participant's position in one currency as the run
// starts settling, with the payee details a payout item needs.
type BalanceRow struct {
	ParticipantID  string
	Currency       string
	BroughtForward int64
	Returned       int64 // rejected or returned payouts the run credits back (payout_credits)
	Commissions    int64
	Reversals      int64
	Adjustments    int64
	Name           string
	PayoutAccount  string
	PayoutBank     string
	PixKey         string
	TaxID          string
}

// Balances streams the run's balances in participant, currency order.
func (r *RunTx) Balances(ctx context.Context, batch int, fn func([]BalanceRow) error) error {
	scan := func(rows *sqlx.Rows) (BalanceRow, error) {
		var b BalanceRow
		if err := rows.Scan(&b.ParticipantID, &b.Currency, &b.BroughtForward, &b.Returned, &b.Commissions, &b.Reversals,
			&b.Adjustments, &b.Name, &b.PayoutAccount, &b.PayoutBank, &b.PixKey, &b.TaxID); err != nil {
			return b, fmt.Errorf("read balance: %w", err)
		}
		return b, nil
	}
	return streamBatches(ctx, r.tx, "run_balances", balancesQuery, []any{r.RunID}, batch, scan, fn)
}

// SettledBalance is a balance after the payout decision.
type SettledBalance struct {
	BalanceRow
	Payout         int64
	CarriedForward int64
	Reference      string   // the payout item's reference, when Payout > 0
	ShortRef       string   // its short reference (CNAB "seu número"), when Payout > 0
	Released       []string // credited-back items no longer held (the account changed)
}

// SaveBalances writes a batch of settled balances and their payout items,
// and stages the amounts carried forward.
func (r *RunTx) SaveBalances(ctx context.Context, bs []SettledBalance) error {
	var bal, items, carried [][]any
	var released []string
	for _, b := range bs {
		bal = append(bal, []any{r.RunID, b.ParticipantID, b.Currency, b.BroughtForward, b.Returned, b.Commissions, b.Reversals,
			b.Adjustments, b.Payout, b.CarriedForward})
		released = append(released, b.Released...)
		carried = append(carried, []any{b.ParticipantID, b.Currency, b.CarriedForward})
		if b.Payout > 0 {
			items = append(items, []any{r.RunID, b.ParticipantID, b.Currency, b.Payout, b.Reference, b.Name,
				b.PayoutAccount, nullStr(b.PayoutBank), nullStr(b.PixKey), nullStr(b.TaxID), nullStr(b.ShortRef)})
		}
	}
	if err := r.releaseCredits(ctx, released); err != nil {
		return err
	}
	if err := copyRows(ctx, r.tx, "balances", []string{"run_id", "participant_id", "currency", "brought_forward", "returned",
		"commissions", "reversals", "adjustments", "payout", "carried_forward"}, bal); err != nil {
		return err
	}
	if err := copyRows(ctx, r.tx, "payout_items", []string{"run_id", "participant_id", "currency", "amount",
		"reference", "name", "payout_account", "payout_bank", "pix_key", "tax_id", "short_ref"}, items); err != nil {
		return err
	}
	return copyRows(ctx, r.tx, "run_carried", []string{"participant_id", "currency", "amount"}, carried)
}

// FinishBalances makes the staged carried-forward amounts the balances the
// next run brings forward.
func (r *RunTx) FinishBalances(ctx context.Context) error {
	_, err := r.tx.ExecContext(ctx, `INSERT INTO carried_balances (participant_id, currency, amount, run_id)
		SELECT participant_id, currency, amount, $1 FROM run_carried
		ON CONFLICT (participant_id, currency) DO UPDATE SET amount = EXCLUDED.amount, run_id = EXCLUDED.run_id`, r.RunID)
	if err != nil {
		return fmt.Errorf("carry balances forward: %w", err)
	}
	return nil
}
