package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
)

// runColumns select a row of runs into a ledger.Run.
const runColumns = `run_id, to_char(business_date, 'YYYY-MM-DD') AS business_date, kind, seq, status, window_end, params,
	coalesce(reason, '') AS reason, coalesce(requested_by, '') AS requested_by, coalesce(error, '') AS error,
	coalesce(out_dir, '') AS out_dir, started_at, computed_at, completed_at,
	sales_allocated, sales_held, events_reversed, line_count, payout_count, report_version`

// ErrNoRun is returned when a run does not exist.
var ErrNoRun = errors.New("no such run")

// GetRun returns run id.
func (s *Store) GetRun(ctx context.Context, id string) (ledger.Run, error) {
	var r ledger.Run
	err := s.DB.GetContext(ctx, &r, `SELECT `+runColumns+` FROM runs WHERE run_id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("run %q: %w", id, ErrNoRun)
	}
	return r, err
}

// NightlyRun returns the nightly run of date d, if any.
func (s *Store) NightlyRun(ctx context.Context, d reconcile.Date) (ledger.Run, bool, error) {
	var r ledger.Run
	err := s.DB.GetContext(ctx, &r, `SELECT `+runColumns+` FROM runs WHERE kind = 'nightly' AND business_date = $1`, d.String())
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// LatestNightly returns the nightly run with the latest business date that
// got past computing (computed or completed), if any.
func (s *Store) LatestNightly(ctx context.Context) (ledger.Run, bool, error) {
	var r ledger.Run
	err := s.DB.GetContext(ctx, &r, `SELECT `+runColumns+` FROM runs
		WHERE kind = 'nightly' AND status IN ('computed', 'completed')
		ORDER BY business_date DESC LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// RecentRuns lists the latest runs, newest first.
func (s *Store) RecentRuns(ctx context.Context, limit int) ([]ledger.Run, error) {
	var rs []ledger.Run
	err := s.DB.SelectContext(ctx, &rs, `SELECT `+runColumns+` FROM runs
		ORDER BY business_date DESC, kind, seq DESC LIMIT $1`, limit)
	return rs, err
}

// StartRun records a run as running, or puts an existing run of the same id
// that did not get past computing back to running (a crashed or failed
// attempt is redone under the same id).
func (s *Store) StartRun(ctx context.Context, r ledger.Run) error {
	_, err := s.DB.ExecContext(ctx, `INSERT INTO runs (run_id, business_date, kind, seq, status, window_end, params, reason, requested_by)
		VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $8)
		ON CONFLICT (run_id) DO UPDATE SET status = 'running', error = NULL, started_at = now(),
			window_end = EXCLUDED.window_end, params = EXCLUDED.params,
			reason = EXCLUDED.reason, requested_by = EXCLUDED.requested_by
		WHERE runs.status IN ('running', 'failed')`,
		r.RunID, r.BusinessDate, r.Kind, r.Seq, r.WindowEnd, r.ParamsJSON, nullStr(r.Reason), nullStr(r.RequestedBy))
	if err != nil {
		return fmt.Errorf("start run %s: %w", r.RunID, err)
	}
	return nil
}

// FailRun marks a run that did not complete as failed, with the error.
func (s *Store) FailRun(ctx context.Context, id string, cause error) error {
	_, err := s.DB.ExecContext(ctx, `UPDATE runs SET status = 'failed', error = $2 WHERE run_id = $1 AND status = 'running'`, id, cause.Error())
	return err
}

// CompleteRun marks a computed run as published.
func (s *Store) CompleteRun(ctx context.Context, id, outDir string) error {
	_, err := s.DB.ExecContext(ctx, `UPDATE runs SET status = 'completed', completed_at = now(), out_dir = $2
		WHERE run_id = $1 AND status IN ('computed', 'completed')`, id, outDir)
	return err
}

// PayoutTotals returns the payout items of a run per currency.
func (s *Store) PayoutTotals(ctx context.Context, runID string) ([]ledger.RunTotal, error) {
	var ts []ledger.RunTotal
	err := s.DB.SelectContext(ctx, &ts, `SELECT currency, count(*) AS n, sum(amount)::bigint AS amount
		FROM payout_items WHERE run_id = $1 GROUP BY currency ORDER BY currency`, runID)
	return ts, err
}

// LineTotals returns the lines of a run per currency.
func (s *Store) LineTotals(ctx context.Context, runID string) ([]ledger.RunTotal, error) {
	var ts []ledger.RunTotal
	err := s.DB.SelectContext(ctx, &ts, `SELECT currency, count(*) AS n, sum(amount)::bigint AS amount
		FROM lines WHERE run_id = $1 GROUP BY currency ORDER BY currency`, runID)
	return ts, err
}

// KindCount is a count per discrepancy kind.
type KindCount struct {
	Kind  string `db:"kind"`
	Count int64  `db:"n"`
}

// RunDiscrepancyCounts counts, by kind, the discrepancies open after a
// run (its backlog); for a run published before the backlog was kept
// (report version 1), what it reported: everything found or still open.
func (s *Store) RunDiscrepancyCounts(ctx context.Context, runID string) ([]KindCount, error) {
	var ks []KindCount
	err := s.DB.SelectContext(ctx, &ks, `SELECT kind, sum(n)::bigint AS n FROM (
			SELECT kind, count(*) AS n FROM run_discrepancies
			WHERE run_id = $1 AND (SELECT report_version FROM runs WHERE run_id = $1) < 2 GROUP BY kind
			UNION ALL SELECT kind, sum(count) FROM run_backlog WHERE run_id = $1 GROUP BY kind) c
		GROUP BY kind ORDER BY kind`, runID)
	return ks, err
}

// CNABSequence is the file sequence number ("NSA") of run runID's CNAB 240
// remittance: its place, in the order runs were computed (one run computes
// at a time), among the runs with BRL payout items that carry a short
// reference (those that publish a remittance). It does not change once the
// run is computed, so a redone publication and an export write the same
// number.
func (s *Store) CNABSequence(ctx context.Context, runID string) (int64, error) {
	var n int64
	err := s.DB.GetContext(ctx, &n, `SELECT count(*) FROM runs r, (SELECT computed_at FROM runs WHERE run_id = $1) me
		WHERE r.computed_at IS NOT NULL AND (r.computed_at, r.run_id COLLATE "C") <= (me.computed_at, $1 COLLATE "C")
		  AND EXISTS (SELECT 1 FROM payout_items p WHERE p.run_id = r.run_id AND p.currency = 'BRL' AND p.short_ref IS NOT NULL)`, runID)
	if err != nil {
		return 0, fmt.Errorf("CNAB file sequence of run %s: %w", runID, err)
	}
	return n, nil
}
