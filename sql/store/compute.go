package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"payouts/reconcile"
)

// RunTx is the transaction a run computes in: its lines, outcomes, holds,
// balances, payout items and discrepancies commit together or not at all,
// and it reads one snapshot of the source tables (REPEATABLE READ), so
// rows the platform writes meanwhile wait for the next run.
type RunTx struct {
	tx        *sqlx.Tx
	db        *sqlx.DB // for Reader's connection
	snapshot  string   // the transaction's snapshot, exported for Reader
	RunID     string
	WindowEnd time.Time
	taxChecks bool // the run's tax checks began (compute_tax.go)
	// analyzedLines: FinishAllocation counted lines and sale_outcomes; the
	// reversals a nightly run adds after it are a few percent of a night,
	// so Verify does not sample those two big tables again.
	analyzedLines bool

	// HoldPolicy identifies the settings a sale is held under (the cap,
	// the tax blocking settings): a held sale recorded under another
	// policy is retried (candidateSalesQuery). Set before allocation.
	HoldPolicy string
}

// runSettings are the settings of a run's transactions (the run's own and
// its Reader's). jit off: the run's per-batch queries (tax facts, terms)
// cost just above jit_above_cost, and compiling them each time took longer
// than running them: a 100,000-sale run took 23.0 s with JIT, 17.5 s
// without, publishing the same bytes. work_mem: the run sorts and hashes a
// night's sales (50,000 candidates took a 5 MB external merge under the
// default 4 MB); 64 MB keeps a night of that size in memory.
const runSettings = `SET LOCAL jit = off; SET LOCAL work_mem = '64MB';`

// BeginCompute opens the compute transaction of run runID.
func (s *Store) BeginCompute(ctx context.Context, runID string, windowEnd time.Time) (*RunTx, error) {
	tx, err := s.DB.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, fmt.Errorf("begin run %s: %w", runID, err)
	}
	// The run's snapshot, taken by this first statement, for Reader.
	var snapshot string
	if err := tx.GetContext(ctx, &snapshot, `SELECT pg_export_snapshot()`); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("begin run %s: %w", runID, err)
	}
	_, err = tx.ExecContext(ctx, runSettings+`
		CREATE TEMP TABLE run_holds (sale_id text PRIMARY KEY, kind text NOT NULL, detail text NOT NULL) ON COMMIT DROP;
		CREATE TEMP TABLE run_findings (discrepancy_key text PRIMARY KEY, kind text NOT NULL, blocking boolean NOT NULL,
			sale_id text, invoice_id text, participant_id text, contract_id text, currency text,
			expected text, actual text, detail text NOT NULL, state text NOT NULL DEFAULT 'opened') ON COMMIT DROP;
		CREATE TEMP TABLE run_carried (participant_id text NOT NULL, currency text NOT NULL, amount bigint NOT NULL) ON COMMIT DROP;
		CREATE TEMP TABLE run_released (sale_id text PRIMARY KEY) ON COMMIT DROP;`)
	if err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("begin run %s: %w", runID, err)
	}
	return &RunTx{tx: tx, db: s.DB, snapshot: snapshot, RunID: runID, WindowEnd: windowEnd}, nil
}

// Reader opens a second transaction, on a connection of its own, that
// sees the database as the run's transaction saw it when it began (the
// snapshot the run exported), without the run's own writes. Allocation
// reads and decides its candidate sales there while the run's connection
// writes the batches decided before: one connection does one thing at a
// time, and on one connection the server sat idle while the sales were
// decided and the decisions waited while the server wrote.
//
// Only reads that do not depend on what the run wrote may go through a
// Reader: the candidate sales (CandidateSales, which fills its own
// run_candidates), their products' terms (TermsFor) and participants' tax
// ids (ParticipantTaxIDs). Close it with Rollback.
func (r *RunTx) Reader(ctx context.Context) (*RunTx, error) {
	tx, err := r.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, fmt.Errorf("run %s: open reader: %w", r.RunID, err)
	}
	if _, err := tx.ExecContext(ctx, `SET TRANSACTION SNAPSHOT `+pq.QuoteLiteral(r.snapshot)); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("run %s: open reader: %w", r.RunID, err)
	}
	if _, err := tx.ExecContext(ctx, runSettings); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("run %s: open reader: %w", r.RunID, err)
	}
	return &RunTx{tx: tx, db: r.db, RunID: r.RunID, WindowEnd: r.WindowEnd, HoldPolicy: r.HoldPolicy}, nil
}

// Rollback abandons the computation; nothing of it is kept.
func (r *RunTx) Rollback() error { return r.tx.Rollback() }

// RunCounts are the figures a computed run records.
type RunCounts struct {
	SalesAllocated int
	SalesHeld      int
	EventsReversed int
	Lines          int
	PayoutItems    int
}

// Commit records the run as computed, with its counts, and commits.
func (r *RunTx) Commit(ctx context.Context, c RunCounts) error {
	_, err := r.tx.ExecContext(ctx, `UPDATE runs SET status = 'computed', computed_at = now(),
		sales_allocated = $2, sales_held = $3, events_reversed = $4, line_count = $5, payout_count = $6
		WHERE run_id = $1`, r.RunID, c.SalesAllocated, c.SalesHeld, c.EventsReversed, c.Lines, c.PayoutItems)
	if err != nil {
		r.tx.Rollback()
		return fmt.Errorf("record run %s as computed: %w", r.RunID, err)
	}
	if err := r.tx.Commit(); err != nil {
		return fmt.Errorf("commit run %s: %w", r.RunID, err)
	}
	return nil
}

// TermsFor returns the contract_terms rows (every version and status) of
// the given products, by product. The run asks once per batch of sales,
// for the batch's products only, so memory holds the terms of a batch, not
// of the marketplace.
func (r *RunTx) TermsFor(ctx context.Context, products []string) (map[string][]reconcile.ContractTerm, error) {
	out := map[string][]reconcile.ContractTerm{}
	if len(products) == 0 {
		return out, nil
	}
	// products: every product the contract's versions name, when more
	// than one (a contract written straight into the table)
	rows, err := r.tx.QueryxContext(ctx, `SELECT contract_id, product_id, coproducer_id, version, status,
		coalesce(trim_scale(rate_percent)::text, ''), scope, managed_only, may_affiliate, ends_at, accepted_at,
		(SELECT CASE WHEN count(DISTINCT o.product_id) > 1 THEN array_agg(DISTINCT o.product_id::text ORDER BY o.product_id::text) END
		 FROM contract_terms o WHERE o.contract_id = t.contract_id) AS products
		FROM contract_terms t WHERE product_id = ANY($1) AND status IN ('accepted', 'cancelled')`, pq.Array(products))
	if err != nil {
		return nil, fmt.Errorf("load contract terms: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t reconcile.ContractTerm
		var status, rate, scope string
		var ends, accepted sql.NullTime
		if err := rows.Scan(&t.ContractID, &t.ProductID, &t.CoproducerID, &t.Version, &status, &rate, &scope,
			&t.ManagedOnly, &t.MayAffiliate, &ends, &accepted, pq.Array(&t.Products)); err != nil {
			return nil, fmt.Errorf("load contract terms: %w", err)
		}
		t.Status, t.Scope = reconcile.TermStatus(status), reconcile.Scope(scope)
		if rate != "" {
			// The schema's share_rate domain guarantees 0 < rate < 100 with
			// at most four decimals, so this cannot fail on stored data.
			if t.Rate, err = reconcile.ParseShareRate(rate); err != nil {
				return nil, fmt.Errorf("contract %s version %d: rate_percent: %w", t.ContractID, t.Version, err)
			}
		}
		t.EndsAt, t.AcceptedAt = ends.Time, accepted.Time
		out[t.ProductID] = append(out[t.ProductID], t)
	}
	return out, rows.Err()
}

// addFindings stages discrepancies the run found.
func (r *RunTx) addFindings(ctx context.Context, fs []reconcile.Finding) error {
	rows := make([][]any, len(fs))
	for i, f := range fs {
		rows[i] = []any{f.Key(), f.Kind, f.Blocking, nullStr(f.SaleID), nullStr(f.InvoiceID), nullStr(f.ParticipantID),
			nullStr(f.ContractID), nullStr(f.Currency), nullStr(f.Expected), nullStr(f.Actual), f.Detail}
	}
	return copyRows(ctx, r.tx, "run_findings", []string{"discrepancy_key", "kind", "blocking", "sale_id", "invoice_id",
		"participant_id", "contract_id", "currency", "expected", "actual", "detail"}, rows)
}

// LineRow is a line with the sale facts the outputs show.
type LineRow = reconcile.LineRecord

var lineColumns = []string{"run_id", "sale_id", "participant_id", "role", "kind", "contract_id", "contract_version",
	"product_id", "currency", "amount", "base", "rate_percent", "sold_at", "settled_at"}

func (r *RunTx) writeLines(ctx context.Context, ls []LineRow) error {
	rows := make([][]any, len(ls))
	for i, l := range ls {
		rows[i] = r.lineValues(l)
	}
	return copyRows(ctx, r.tx, "lines", lineColumns, rows)
}

// lineValues is a line as the values of lineColumns.
func (r *RunTx) lineValues(l LineRow) []any {
	var rate, settled any
	if l.Rate != 0 {
		rate = l.Rate.String()
	}
	if !l.SettledAt.IsZero() {
		settled = l.SettledAt
	}
	var version any
	if l.ContractID != "" {
		version = l.ContractVersion
	}
	return []any{r.RunID, l.SaleID, l.ParticipantID, string(l.Role), string(l.Kind), nullStr(l.ContractID), version,
		l.ProductID, l.Currency, l.Amount, l.Base, rate, l.SoldAt, settled}
}

// SaleOutcome marks a sale allocated or closed by this run.
type SaleOutcome struct {
	SaleID   string
	Outcome  string // "allocated" or "closed"
	Currency string
	Gross    int64 // 0: unknown (a closed sale whose amounts never parsed)
	Net      int64
}

func (r *RunTx) writeOutcomes(ctx context.Context, os []SaleOutcome) error {
	rows := make([][]any, len(os))
	for i, o := range os {
		var gross, net any
		if o.Gross > 0 {
			gross, net = o.Gross, o.Net
		}
		rows[i] = []any{o.SaleID, r.RunID, o.Outcome, o.Currency, gross, net}
	}
	return copyRows(ctx, r.tx, "sale_outcomes", []string{"sale_id", "run_id", "outcome", "currency", "gross", "net"}, rows)
}
