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
// by a small share and nothing is sampled here: the cost does not grow
// with history.
func (s *Store) RefreshStatistics(ctx context.Context) ([]string, error) {
	sampled, err := sampleStale(ctx, s.DB, 10000, false, probedTables)
	if err != nil {
		return nil, fmt.Errorf("refresh statistics: %w", err)
	}
	return sampled, nil
}

// analyzeStale samples (ANALYZE, inside the run's transaction, which
// counts the run's own rows) those of tables whose statistics no longer
// describe them (sampleStale): never sampled, or changed since their last
// sample, by this transaction's inserts and what others changed before,
// by more rows than the statistics count; and of the others it wrote,
// run_id alone, so that the run's own rows are counted.
//
// The run's queries need statistics that know the run's rows: a big night
// after small ones, or a table that autovacuum recorded nearly empty after
// a crashed attempt, planned the run's joins as nested loops (two minutes
// instead of three seconds to settle the balances; hours for a check).
// But once a table holds many nights, a night adds a small share of it
// and its statistics still describe it, including how many rows a run
// has: sampling lines, sale outcomes and the run's report tables every
// night cost 1.2 s a night after seventeen nights of 50,000 sales, and
// grew with them.
func (r *RunTx) analyzeStale(ctx context.Context, tables ...string) error {
	_, err := r.sampleStale(ctx, tables...)
	return err
}

// sampleStale is analyzeStale, returning the tables it sampled whole.
func (r *RunTx) sampleStale(ctx context.Context, tables ...string) ([]string, error) {
	return sampleStale(ctx, r.tx, -1, true, tables)
}

// queryExecer is a transaction or the database.
type queryExecer interface {
	sqlx.QueryerContext
	sqlx.ExecerContext
}

// sampleStale samples (ANALYZE) those of tables whose statistics no longer
// describe them, and returns their names: never sampled, or changed since
// their last sample (this transaction's inserts and what was counted
// before) by more rows than the statistics count (more than half of the
// table is new to them), and by more than minChanges rows.
//
// With runKey, it also samples run_id alone (ANALYZE t (run_id), a sample
// of 3,000 rows: migration 0013) of the other tables with a run_id into
// which this transaction inserted rows: without, a new run id is unknown
// to the statistics, estimated at one row, and the run's checks nested
// their loops over its whole night.
//
// Why not sample whole tables sooner: the planner scales a table's
// counted rows by its size on disk, so a table that grew by a tenth is
// still estimated right; what a sample adds is the distribution of the
// new keys, which misleads a plan only when the new rows are a large
// share of the table (the first load, a big night after small ones,
// statistics taken of a nearly empty table) or are a new run. Sampling
// whole tables at a tenth (autovacuum's own threshold) sampled some big
// table most nights, each sample reading up to 30,000 of its pages: 0.4 s
// a night on night 5 of 50,000 sales, 0.5 to 2.9 s on nights 28 to 30. At
// this threshold a table that grows by a night a night is sampled whole
// here on nights 1, 2, 4, 8, 16...; autovacuum samples it in between.
func sampleStale(ctx context.Context, q queryExecer, minChanges int, runKey bool, tables []string) ([]string, error) {
	var found []struct {
		Table string `db:"relname"`
		Stale bool   `db:"stale"`
	}
	if err := sqlx.SelectContext(ctx, q, &found, `SELECT c.relname::text AS relname, s.stale
		FROM pg_class c
		LEFT JOIN pg_stat_user_tables t ON t.relid = c.oid
		CROSS JOIN LATERAL (SELECT pg_stat_get_xact_tuples_inserted(c.oid) AS own,
			pg_stat_get_xact_tuples_inserted(c.oid) + coalesce(t.n_mod_since_analyze, 0) AS n) changes
		CROSS JOIN LATERAL (SELECT changes.n > $2 AND (c.reltuples < 0 OR changes.n > c.reltuples) AS stale) s
		WHERE c.oid = ANY($1::regclass[])
		  AND (s.stale OR ($3 AND changes.own > 0 AND EXISTS (
			SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'run_id' AND NOT a.attisdropped)))
		ORDER BY c.relname`, pq.Array(tables), minChanges, runKey); err != nil {
		return nil, fmt.Errorf("analyze %s: %w", strings.Join(tables, ", "), err)
	}
	var stale, whole, keys []string
	for _, f := range found {
		if f.Stale {
			stale = append(stale, f.Table)
			whole = append(whole, pq.QuoteIdentifier(f.Table))
		} else {
			keys = append(keys, pq.QuoteIdentifier(f.Table)+" (run_id)")
		}
	}
	if len(found) == 0 {
		return nil, nil
	}
	if _, err := q.ExecContext(ctx, `ANALYZE `+strings.Join(append(whole, keys...), ", ")); err != nil {
		return nil, fmt.Errorf("analyze %s: %w", strings.Join(append(whole, keys...), ", "), err)
	}
	return stale, nil
}
