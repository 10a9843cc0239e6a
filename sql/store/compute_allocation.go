package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"payouts/reconcile"
)

// candidateSalesQuery selects the sales this run must decide: those
// listed in run_candidates (candidateIDsQuery: the sale queue, written or
// changed while they had no outcome, or held sales whose inputs changed,
// migration 0008; and the held sales whose policy differs from this run's
// or whose tax check is due, grace period over), that are settled before the
// window's end ($1) and have no outcome yet. A held sale whose inputs did
// not change is not retried: the rules are deterministic, so it would be
// held again; this keeps a night's cost to that night's data, whatever
// the size of the hold list. trim_scale drops trailing zeros the platform
// may have written ("100.00" of JPY); what is left is checked per currency
// by reconcile.ParseSale. Sales come in sale_id order: their lines and
// outcomes then enter the indexes led by sale_id (lines_run_participant_unique,
// lines_commission_once, the outcomes' key) at one end instead of all over
// them, which at a million sales no longer fit in memory. Each comes with what its tax check
// needs (the lead producer's tax id, its reversal and its invoices), read
// in the same pass: asked for per batch by id (= ANY($2)), the planner
// scanned every sale ever loaded for each batch of 5,000 (0.5 s a batch
// at 350,000 sales, 60 s for a night of 1,000,000).
const candidateSalesQuery = `SELECT s.sale_id, s.product_id, p.lead_producer_id, s.currency,
	trim_scale(s.gross)::text, trim_scale(s.platform_fee)::text,
	coalesce(s.affiliate_id, ''), coalesce(trim_scale(s.affiliate_rate_percent)::text, ''),
	coalesce(a.manager_id, ''), s.sold_at, s.settled_at,
	coalesce(lp.tax_id, ''), coalesce(s.buyer_tax_id, ''), ` + taxReversedColumn + `, ` + taxInvoicesColumn + `
FROM run_candidates q
JOIN sales s ON s.sale_id = q.sale_id
JOIN products p ON p.product_id = s.product_id
LEFT JOIN participants lp ON lp.participant_id = p.lead_producer_id
LEFT JOIN affiliations a ON a.product_id = s.product_id AND a.affiliate_id = s.affiliate_id
WHERE s.settled_at < $1
  AND NOT EXISTS (SELECT 1 FROM sale_outcomes o WHERE o.sale_id = s.sale_id)
ORDER BY s.sale_id COLLATE "C"`

// candidateIDsQuery fills run_candidates: the ids the queue and the hold
// list name. They are counted (ANALYZE) before the candidate query is
// planned: the queue's statistics are those of the last autovacuum, often
// of an empty queue, and planned with them the query nested its loops over
// products and affiliations (4 to 7 s on nights 2 to 6 of 50,000 sales,
// 0.3 s on the first).
const candidateIDsQuery = `INSERT INTO run_candidates (sale_id)
	SELECT sale_id FROM sale_queue
	UNION SELECT sale_id FROM holds WHERE policy IS DISTINCT FROM $2
	UNION SELECT p.sale_id FROM tax_checks_pending p JOIN holds h ON h.sale_id = p.sale_id WHERE p.due_at < $1`

// Candidate is a sale the run must decide, as the platform wrote it, with
// what its tax check needs.
type Candidate struct {
	Record reconcile.SaleRecord
	Tax    reconcile.TaxSale
}

// CandidateSales streams the sales this run allocates, batch by batch, in
// sale_id order.
// fn's batch slice is reused: fn must not keep it.
func (r *RunTx) CandidateSales(ctx context.Context, batch int, fn func([]Candidate) error) error {
	scan := func(rows *sqlx.Rows) (Candidate, error) {
		var c Candidate
		s, t := &c.Record, &c.Tax
		var settled sql.NullTime
		var invoices []byte
		if err := rows.Scan(&s.SaleID, &s.ProductID, &s.LeadID, &s.Currency, &s.Gross, &s.PlatformFee,
			&s.AffiliateID, &s.AffiliateRate, &s.AffiliateManagerID, &s.SoldAt, &settled,
			&t.LeadTaxID, &t.BuyerTaxID, &t.Reversed, &invoices); err != nil {
			return c, fmt.Errorf("read candidate sale: %w", err)
		}
		s.SettledAt = settled.Time
		t.SaleID, t.ProductID, t.LeadID, t.Currency, t.Gross, t.SettledAt = s.SaleID, s.ProductID, s.LeadID, s.Currency, s.Gross, s.SettledAt
		if err := json.Unmarshal(invoices, &t.Invoices); err != nil {
			return c, fmt.Errorf("sale %s: invoices: %w", s.SaleID, err)
		}
		return c, nil
	}
	// No primary key: the UNION already yields each id once, and inserting
	// a night's ids in random order into a btree in the session's 8 MB of
	// temporary buffers took 35 s at a million sales.
	if _, err := r.tx.ExecContext(ctx, `CREATE TEMP TABLE run_candidates (sale_id text NOT NULL) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("list candidate sales: %w", err)
	}
	if _, err := r.tx.ExecContext(ctx, candidateIDsQuery, r.WindowEnd, r.HoldPolicy); err != nil {
		return fmt.Errorf("list candidate sales: %w", err)
	}
	if _, err := r.tx.ExecContext(ctx, `ANALYZE run_candidates`); err != nil {
		return fmt.Errorf("list candidate sales: %w", err)
	}
	return streamBatches(ctx, r.tx, "candidate_sales", candidateSalesQuery, []any{r.WindowEnd}, batch, scan, fn)
}

// AllocationBatch is what a batch of candidate sales produced.
type AllocationBatch struct {
	Lines     []LineRow
	Allocated []SaleOutcome
	Holds     []HoldRow
	Findings  []reconcile.Finding // holds' discrepancies and notes
}

// HoldRow is a sale held by this run.
type HoldRow struct {
	SaleID string
	Kind   string
	Detail string
}

// SaveAllocations writes a batch's lines and outcomes with COPY and stages
// its holds and findings.
func (r *RunTx) SaveAllocations(ctx context.Context, b AllocationBatch) error {
	if err := r.writeOutcomes(ctx, b.Allocated); err != nil {
		return err
	}
	if err := r.writeLines(ctx, b.Lines); err != nil {
		return err
	}
	holds := make([][]any, len(b.Holds))
	for i, h := range b.Holds {
		holds[i] = []any{h.SaleID, h.Kind, h.Detail}
	}
	if err := copyRows(ctx, r.tx, "run_holds", []string{"sale_id", "kind", "detail"}, holds); err != nil {
		return err
	}
	return r.addFindings(ctx, b.Findings)
}

// FinishAllocation refreshes the statistics of the tables allocation just
// filled. A night far bigger than the ones before (the first real night
// after a small one, a sales peak) otherwise plans the reversal, tax and
// balance queries for the row counts of the night before: at 1,000,000
// sales after a night of 1,000, settling the balances took two minutes
// instead of three seconds. ANALYZE inside the transaction counts the
// run's own rows.
func (r *RunTx) FinishAllocation(ctx context.Context) error {
	if err := r.analyzeStale(ctx, "lines", "sale_outcomes"); err != nil {
		return fmt.Errorf("finish allocation: %w", err)
	}
	r.analyzedLines = true
	return nil
}
