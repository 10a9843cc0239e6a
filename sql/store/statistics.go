package store

import (
	"context"
	"fmt"

	"github.com/lib/pq"
)

// probedTables are the source tables a run probes once per candidate sale
// (its events and invoices) or per batch (products, terms, affiliations).
var probedTables = []string{"sales", "sale_events", "tax_records", "products", "contract_terms", "affiliations", "participants"}

// RefreshStatistics samples (ANALYZE) the probed tables that changed by
// more than a tenth, and by more than 10,000 rows, since they were last
// sampled, and returns their names. It runs before the run's transaction,
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
	var stale []string
	if err := s.DB.SelectContext(ctx, &stale, `SELECT t.relname::text FROM pg_stat_user_tables t
		JOIN pg_class c ON c.oid = t.relid
		WHERE t.schemaname = current_schema() AND t.relname = ANY($1)
		  AND t.n_mod_since_analyze > 10000 AND t.n_mod_since_analyze > 0.1 * greatest(c.reltuples, 0)
		ORDER BY t.relname`, pq.Array(probedTables)); err != nil {
		return nil, fmt.Errorf("refresh statistics: %w", err)
	}
	for _, t := range stale {
		if _, err := s.DB.ExecContext(ctx, `ANALYZE `+pq.QuoteIdentifier(t)); err != nil {
			return nil, fmt.Errorf("refresh statistics: analyze %s: %w", t, err)
		}
	}
	return stale, nil
}
