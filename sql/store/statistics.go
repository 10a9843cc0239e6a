package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// probedTables are the source tables a run probes once per candidate sale
// (its events and invoices) or per batch (products, terms, affiliations).
var probedTables = []string{"sales", "sale_events", "tax_records", "products", "contract_terms", "affiliations", "participants"}

// RefreshStatistics samples (ANALYZE) the probed tables whose statistics
// no longer describe them (sampleStale) and that changed by more than
// 10,000 rows, and returns their names. It runs before the run's transaction,
// so the run holds no lock for it.
//
// Why: autovacuum samples a table some time after it changed, and a run
// that starts right after a big load plans its probes with the statistics
// of the table before it. After a load of a million sales into empty
// tables, the planner expected hundreds of invoices and events per sale,
// probed each sale's with a bitmap scan instead of an index scan, and the
// candidate query took twice as long (2.8 s against 1.4 s for the probes
// of 200,000 sales). Once a table is many nights big, a night changes it
// by less than a tenth and nothing is sampled here: the cost does not
// grow with history.
func (s *Store) RefreshStatistics(ctx context.Context) ([]string, error) {
	sampled, err := sampleStale(ctx, s.DB, 10000, probedTables)
	if err != nil {
		return nil, fmt.Errorf("refresh statistics: %w", err)
	}
	return sampled, nil
}

// analyzeStale samples (ANALYZE, inside the run's transaction, which
// counts the run's own rows) those of tables whose statistics no longer
// describe them: never sampled, or changed since their last sample, by
// this transaction's inserts and what others changed before, by more than
// a tenth of the rows the statistics count.
//
// The run's queries need statistics that know the run's rows: a big night
// after small ones, or a table that autovacuum recorded nearly empty after
// a crashed attempt, planned the run's joins as nested loops (two minutes
// instead of three seconds to settle the balances; hours for a check).
// But once a table holds many nights, a night adds less than a tenth of
// it and its statistics still describe it, including how many rows a run
// has: sampling lines, sale outcomes and the run's report tables every
// night cost 1.2 s a night after seventeen nights of 50,000 sales, and
// grew with them.
func (r *RunTx) analyzeStale(ctx context.Context, tables ...string) error {
	_, err := r.sampleStale(ctx, tables...)
	return err
}

// sampleStale is analyzeStale, returning the tables it sampled.
func (r *RunTx) sampleStale(ctx context.Context, tables ...string) ([]string, error) {
	return sampleStale(ctx, r.tx, -1, tables)
}

// queryExecer is a transaction or the database.
type queryExecer interface {
	sqlx.QueryerContext
	sqlx.ExecerContext
}

// sampleStale samples (ANALYZE) those of tables whose statistics no longer
// describe them, and returns their names: never sampled, or changed since
// their last sample (this transaction's inserts and what was counted
// before) by more than a tenth of the rows the statistics count, and by
// more than minChanges rows.
func sampleStale(ctx context.Context, q queryExecer, minChanges int, tables []string) ([]string, error) {
	var stale []string
	if err := sqlx.SelectContext(ctx, q, &stale, `SELECT c.relname::text
		FROM pg_class c
		LEFT JOIN pg_stat_user_tables t ON t.relid = c.oid
		CROSS JOIN LATERAL (SELECT pg_stat_get_xact_tuples_inserted(c.oid) + coalesce(t.n_mod_since_analyze, 0) AS n) changes
		WHERE c.oid = ANY($1::regclass[]) AND changes.n > $2
		  AND (c.reltuples < 0 OR changes.n > 0.1 * c.reltuples)
		ORDER BY c.relname`, pq.Array(tables), minChanges); err != nil {
		return nil, fmt.Errorf("analyze %s: %w", strings.Join(tables, ", "), err)
	}
	if len(stale) == 0 {
		return nil, nil
	}
	quoted := make([]string, len(stale))
	for i, t := range stale {
		quoted[i] = pq.QuoteIdentifier(t)
	}
	if _, err := q.ExecContext(ctx, `ANALYZE `+strings.Join(quoted, ", ")); err != nil {
		return nil, fmt.Errorf("analyze %s: %w", strings.Join(stale, ", "), err)
	}
	return stale, nil
}
