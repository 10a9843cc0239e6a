package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"payouts/reconcile"
)

// The tax-record checks of a run (SPEC section 8). Sales are checked in
// two passes that never overlap:
//
//   - at allocation, the candidate sales (read with their invoices by
//     CandidateSales, in the same pass), so that a
//     blocking finding can hold a sale before it is paid;
//   - after reversals, every other sale the run must look at (TaxRecheck):
//     those whose refunds or chargebacks it took, those with an open tax
//     discrepancy, and those whose check is due (grace period over, or an
//     invoice changed since the sale was checked: see migration 0003).
//
// Invoices naming no known sale and participants' tax ids are checked over
// the whole tables by every run (TaxUnlinkedInvoices, TaxParticipants).
// Each pass records the sales it checked (run_tax_checked), and an open
// tax discrepancy is resolved only when its subject was checked and the
// finding was not made again.

// taxReversedColumn and taxInvoicesColumn are a sale's reversal and its
// invoices, for a query over sales s. $1 is the window end: events and
// invoices after it are not seen, like sales settled after it.
const taxReversedColumn = `coalesce((SELECT bool_or(e.kind = 'chargeback' OR e.amount IS NULL) OR sum(e.amount) >= s.gross
		FROM sale_events e WHERE e.sale_id = s.sale_id AND e.occurred_at < $1), false)`

const taxInvoicesColumn = `(SELECT coalesce(json_agg(json_build_object('invoice_id', t.invoice_id, 'issuer_tax_id', t.issuer_tax_id,
			'sale_id', t.sale_id, 'amount', trim_scale(t.amount)::text, 'currency', t.currency, 'status', t.status,
			'buyer_tax_id', coalesce(t.buyer_tax_id, '')) ORDER BY t.invoice_id COLLATE "C"), '[]')
		FROM tax_records t WHERE t.sale_id = s.sale_id AND t.issued_at < $1)`

// taxFactsColumns are one sale's facts and invoices, for a query over
// sales s, products p and the lead producer lp.
const taxFactsColumns = `s.sale_id, s.product_id, p.lead_producer_id, coalesce(lp.tax_id, ''), s.currency,
	trim_scale(s.gross)::text, coalesce(s.buyer_tax_id, ''), s.settled_at, ` + taxReversedColumn + `, ` + taxInvoicesColumn

// taxSharesColumn is each participant's commission total on the sale
// (commissions and adjustments; reversals do not change what was
// invoiced) with its tax id, when $2 (partnership model) is true.
const taxSharesColumn = `CASE WHEN $2::boolean THEN (SELECT coalesce(json_agg(json_build_object('participant_id', q.participant_id,
		'tax_id', coalesce(pa.tax_id, ''), 'amount', q.amount) ORDER BY q.participant_id COLLATE "C"), '[]')
	FROM (SELECT l.participant_id, sum(l.amount) FILTER (WHERE l.kind <> 'reversal') AS amount
		FROM lines l WHERE l.sale_id = s.sale_id GROUP BY l.participant_id) q
	JOIN participants pa ON pa.participant_id = q.participant_id) END`

// TaxFacts is a sale with its invoices as the tax checks read it.
type TaxFacts struct {
	reconcile.TaxSale
	Outcome string // "allocated", "closed" or "" (TaxRecheck only)
}

func scanTaxFacts(rows *sqlx.Rows, withShares bool) (TaxFacts, error) {
	var f TaxFacts
	var settled sql.NullTime
	var invoices, shares []byte
	dest := []any{&f.SaleID, &f.ProductID, &f.LeadID, &f.LeadTaxID, &f.Currency, &f.Gross, &f.BuyerTaxID, &settled,
		&f.Reversed, &invoices}
	if withShares {
		dest = append(dest, &shares, &f.Outcome)
	}
	if err := rows.Scan(dest...); err != nil {
		return f, fmt.Errorf("read tax facts: %w", err)
	}
	f.SettledAt = settled.Time
	if err := json.Unmarshal(invoices, &f.Invoices); err != nil {
		return f, fmt.Errorf("sale %s: invoices: %w", f.SaleID, err)
	}
	if shares != nil {
		if err := json.Unmarshal(shares, &f.Shares); err != nil {
			return f, fmt.Errorf("sale %s: shares: %w", f.SaleID, err)
		}
	}
	return f, nil
}

// ParticipantTaxIDs returns the tax ids of the given participants ("" when
// they have none).
func (r *RunTx) ParticipantTaxIDs(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := r.tx.QueryContext(ctx, `SELECT participant_id, coalesce(tax_id, '') FROM participants WHERE participant_id = ANY($1)`,
		pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("read tax ids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, tax string
		if err := rows.Scan(&id, &tax); err != nil {
			return nil, fmt.Errorf("read tax ids: %w", err)
		}
		out[id] = tax
	}
	return out, rows.Err()
}

// LeadTaxIDs returns the normalized tax ids of every lead producer. Lead
// producers are a small part of the participants, so the run keeps them in
// memory.
func (r *RunTx) LeadTaxIDs(ctx context.Context) (reconcile.LeadTaxIDs, error) {
	rows, err := r.tx.QueryContext(ctx, `SELECT DISTINCT pa.tax_id FROM products p
		JOIN participants pa ON pa.participant_id = p.lead_producer_id WHERE coalesce(pa.tax_id, '') <> ''`)
	if err != nil {
		return nil, fmt.Errorf("read lead producers' tax ids: %w", err)
	}
	defer rows.Close()
	out := reconcile.LeadTaxIDs{}
	for rows.Next() {
		var tax string
		if err := rows.Scan(&tax); err != nil {
			return nil, fmt.Errorf("read lead producers' tax ids: %w", err)
		}
		out[reconcile.NormalizeTaxID(tax)] = true
	}
	return out, rows.Err()
}

// taxRecheckQuery selects the sales to check again: those whose events the
// run took, and those whose check is due (grace period over, or an input
// changed since the sale was checked: an invoice, the sale, its lead
// producer's tax id, a rerun; see migrations 0003 and 0008). A sale with
// an open tax discrepancy whose inputs did not change is not checked
// again: it would be found the same, and the open backlog would make
// every night's cost grow with history. The run's candidate sales (settled before the window's end and
// not allocated or closed by an earlier run) were checked at allocation and
// are left out. $1 window end, $2 partnership model, $3 run, $4 tax kinds.
const taxRecheckQuery = `WITH chk AS (
	SELECT sale_id FROM processed_events WHERE run_id = $3
	UNION SELECT sale_id FROM tax_checks_pending WHERE due_at < $1
	UNION SELECT sale_id FROM tax_recheck_requests
)
SELECT ` + taxFactsColumns + `, ` + taxSharesColumn + `, coalesce(o.outcome, '')
FROM chk
JOIN sales s ON s.sale_id = chk.sale_id
JOIN products p ON p.product_id = s.product_id
LEFT JOIN participants lp ON lp.participant_id = p.lead_producer_id
LEFT JOIN sale_outcomes o ON o.sale_id = s.sale_id
WHERE NOT (coalesce(s.settled_at < $1, false) AND (o.sale_id IS NULL OR o.run_id = $3))
ORDER BY s.sale_id COLLATE "C"`

// TaxRecheck streams the sales to check again, batch by batch (see
// taxRecheckQuery); Shares are filled under the partnership model.
func (r *RunTx) TaxRecheck(ctx context.Context, partnership bool, batch int, fn func([]TaxFacts) error) error {
	buf := make([]TaxFacts, 0, batch)
	scan := func(rows *sqlx.Rows) error {
		f, err := scanTaxFacts(rows, true)
		if err != nil {
			return err
		}
		buf = append(buf, f)
		return nil
	}
	flush := func() error {
		err := fn(buf)
		buf = buf[:0]
		return err
	}
	return streamCursor(ctx, r.tx, "tax_recheck", taxRecheckQuery,
		[]any{r.WindowEnd, partnership, r.RunID}, batch, scan, flush)
}

// TaxParticipants streams the participants with a tax id that were
// written or whose tax id changed since the last run (participant_queue),
// and records them as checked.
func (r *RunTx) TaxParticipants(ctx context.Context, batch int, fn func(ids, taxIDs []string) error) error {
	var ids, taxIDs []string
	scan := func(rows *sqlx.Rows) error {
		var id, tax string
		if err := rows.Scan(&id, &tax); err != nil {
			return fmt.Errorf("read participants' tax ids: %w", err)
		}
		ids, taxIDs = append(ids, id), append(taxIDs, tax)
		return nil
	}
	flush := func() error {
		err := fn(ids, taxIDs)
		ids, taxIDs = ids[:0], taxIDs[:0]
		return err
	}
	if err := r.beginTaxChecks(ctx); err != nil {
		return err
	}
	if _, err := r.tx.ExecContext(ctx, `INSERT INTO run_tax_checked_participants (participant_id)
		SELECT DISTINCT participant_id FROM participant_queue`); err != nil {
		return fmt.Errorf("read the participant queue: %w", err)
	}
	return streamCursor(ctx, r.tx, "tax_participants", `SELECT p.participant_id, p.tax_id
		FROM run_tax_checked_participants c JOIN participants p ON p.participant_id = c.participant_id
		WHERE coalesce(p.tax_id, '') <> '' ORDER BY p.participant_id COLLATE "C"`, nil, batch, scan, flush)
}

// TaxUnlinkedInvoices streams the active invoices issued before the
// window's end that name no sale, or a sale that does not exist, among
// those written or changed since the last run (invoice_queue), and
// records the queued invoices as checked.
func (r *RunTx) TaxUnlinkedInvoices(ctx context.Context, batch int, fn func([]reconcile.Invoice) error) error {
	buf := make([]reconcile.Invoice, 0, batch)
	scan := func(rows *sqlx.Rows) error {
		var i reconcile.Invoice
		if err := rows.Scan(&i.InvoiceID, &i.IssuerTaxID, &i.SaleID, &i.Amount, &i.Currency, &i.Status, &i.BuyerTaxID); err != nil {
			return fmt.Errorf("read invoices: %w", err)
		}
		buf = append(buf, i)
		return nil
	}
	flush := func() error {
		err := fn(buf)
		buf = buf[:0]
		return err
	}
	if err := r.beginTaxChecks(ctx); err != nil {
		return err
	}
	// An invoice issued after the window's end is not seen by this run: it
	// stays queued (FinishTaxChecks) and is checked by a later one.
	if _, err := r.tx.ExecContext(ctx, `INSERT INTO run_tax_checked_invoices (invoice_id)
		SELECT DISTINCT q.invoice_id FROM invoice_queue q
		WHERE NOT EXISTS (SELECT 1 FROM tax_records t WHERE t.invoice_id = q.invoice_id AND t.issued_at >= $1)`, r.WindowEnd); err != nil {
		return fmt.Errorf("read the invoice queue: %w", err)
	}
	return streamCursor(ctx, r.tx, "tax_unlinked", `SELECT t.invoice_id, t.issuer_tax_id, coalesce(t.sale_id, ''),
			trim_scale(t.amount)::text, t.currency, t.status, coalesce(t.buyer_tax_id, '')
		FROM run_tax_checked_invoices c JOIN tax_records t ON t.invoice_id = c.invoice_id
		WHERE t.status = 'active' AND t.issued_at < $1
		  AND (t.sale_id IS NULL OR NOT EXISTS (SELECT 1 FROM sales s WHERE s.sale_id = t.sale_id))
		ORDER BY t.invoice_id COLLATE "C"`, []any{r.WindowEnd}, batch, scan, flush)
}

// TaxPending is a sale to check again once its grace period is over.
type TaxPending struct {
	SaleID string
	DueAt  time.Time
}

// beginTaxChecks creates the run's record of what the tax checks covered.
func (r *RunTx) beginTaxChecks(ctx context.Context) error {
	if r.taxChecks {
		return nil
	}
	_, err := r.tx.ExecContext(ctx, `
		CREATE TEMP TABLE run_tax_checked (sale_id text NOT NULL) ON COMMIT DROP;
		CREATE INDEX ON run_tax_checked (sale_id);
		CREATE TEMP TABLE run_tax_pending (sale_id text NOT NULL, due_at timestamptz NOT NULL) ON COMMIT DROP;
		CREATE TEMP TABLE run_tax_checked_invoices (invoice_id text PRIMARY KEY) ON COMMIT DROP;
		CREATE TEMP TABLE run_tax_checked_participants (participant_id text PRIMARY KEY) ON COMMIT DROP;`)
	if err != nil {
		return fmt.Errorf("begin tax checks: %w", err)
	}
	r.taxChecks = true
	return nil
}

// SaveTaxChecks records the sales a pass checked and those to check again
// later, and stages the findings.
func (r *RunTx) SaveTaxChecks(ctx context.Context, checked []string, pending []TaxPending, findings []reconcile.Finding) error {
	if err := r.beginTaxChecks(ctx); err != nil {
		return err
	}
	rows := make([][]any, len(checked))
	for i, id := range checked {
		rows[i] = []any{id}
	}
	if err := copyRows(ctx, r.tx, "run_tax_checked", []string{"sale_id"}, rows); err != nil {
		return err
	}
	rows = make([][]any, len(pending))
	for i, p := range pending {
		rows[i] = []any{p.SaleID, p.DueAt}
	}
	if err := copyRows(ctx, r.tx, "run_tax_pending", []string{"sale_id", "due_at"}, rows); err != nil {
		return err
	}
	return r.addFindings(ctx, findings)
}

// resolveTaxDiscrepanciesSQL resolves ($1: the run) the open tax
// discrepancies ($2: their kinds) whose subject the run checked without
// finding them again. The subjects are reached from what the run checked,
// through indexes, never by scanning the open backlog:
//   - a sale it checked (at allocation or re-checked);
//   - an invoice it checked on its own (queued), for a discrepancy naming
//     no sale or a sale that does not exist;
//   - the invoices of a sale it checked, for a discrepancy naming an
//     invoice but no sale (an invoice on another lead producer's sale);
//   - a participant whose tax id it checked.
//
// The sale part joins through an index of run_tax_checked: written
// "d.sale_id IN (SELECT ...)" inside an OR, it became a subplan that, once
// the checked sales no longer fit in work_mem as a hash, scanned the whole
// table for every open discrepancy (more than ten minutes at 100,000 sales).
const resolveTaxDiscrepanciesSQL = `UPDATE discrepancies d SET resolved_run = $1
	FROM (
		SELECT x.discrepancy_key FROM run_tax_checked c
		JOIN discrepancies x ON x.sale_id = c.sale_id AND x.resolved_run IS NULL
		UNION
		SELECT x.discrepancy_key FROM run_tax_checked_invoices c
		JOIN discrepancies x ON x.invoice_id = c.invoice_id AND x.resolved_run IS NULL AND x.invoice_id IS NOT NULL
		WHERE x.sale_id IS NULL OR NOT EXISTS (SELECT 1 FROM sales s WHERE s.sale_id = x.sale_id)
		UNION
		SELECT x.discrepancy_key FROM discrepancies x
		JOIN tax_records t ON t.invoice_id = x.invoice_id
		WHERE x.resolved_run IS NULL AND x.sale_id IS NULL AND x.invoice_id IS NOT NULL
		  AND EXISTS (SELECT 1 FROM run_tax_checked c WHERE c.sale_id = t.sale_id)
		UNION
		SELECT x.discrepancy_key FROM run_tax_checked_participants c
		JOIN discrepancies x ON x.participant_id = c.participant_id AND x.resolved_run IS NULL
		WHERE x.sale_id IS NULL AND x.invoice_id IS NULL
	) s
	WHERE d.discrepancy_key = s.discrepancy_key AND d.resolved_run IS NULL AND d.kind = ANY($2)
	  AND NOT EXISTS (SELECT 1 FROM run_findings f WHERE f.discrepancy_key = d.discrepancy_key)`

// FinishTaxChecks resolves the open tax discrepancies whose subject the
// run checked without finding them again, and keeps the checks still to
// come. It must run after every tax check of the run and before
// FinishDiscrepancies. A run whose tax checks did not run resolves
// nothing.
func (r *RunTx) FinishTaxChecks(ctx context.Context) error {
	if !r.taxChecks {
		return nil
	}
	err := execEach(ctx, r.tx, []any{r.RunID, pq.Array(reconcile.TaxKinds)},
		`ANALYZE run_tax_checked, run_tax_checked_invoices, run_tax_checked_participants, run_findings`, // see FinishDiscrepancies
		resolveTaxDiscrepanciesSQL,
		`DELETE FROM tax_checks_pending p WHERE p.sale_id IN (SELECT sale_id FROM run_tax_checked)`,
		`DELETE FROM tax_recheck_requests q WHERE q.sale_id IN (SELECT sale_id FROM run_tax_checked)`,
		`DELETE FROM invoice_queue q WHERE q.invoice_id IN (SELECT invoice_id FROM run_tax_checked_invoices)`,
		`DELETE FROM participant_queue q WHERE q.participant_id IN (SELECT participant_id FROM run_tax_checked_participants)`,
		`INSERT INTO tax_checks_pending (sale_id, due_at) SELECT sale_id, due_at FROM run_tax_pending
			ON CONFLICT (sale_id) DO UPDATE SET due_at = EXCLUDED.due_at`)
	if err != nil {
		return fmt.Errorf("finish tax checks: %w", err)
	}
	return nil
}
