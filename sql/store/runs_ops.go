package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
	"payouts/reconcile/runtype"
)

// FailStaleRuns marks every run still recorded as running as failed: the
// caller holds the run lock, so no process is computing them, and a
// running row can only be the trace of a process that died (killed, its
// machine lost, the database gone) before it could record its failure.
// Nothing of such a run was committed; the next run of its date redoes it.
func (s *Store) FailStaleRuns(ctx context.Context, note string) ([]string, error) {
	var ids []string
	err := s.DB.SelectContext(ctx, &ids, `UPDATE runs SET status = 'failed', error = $1
		WHERE status = 'running' RETURNING run_id`, note)
	if err != nil {
		return nil, fmt.Errorf("mark interrupted runs failed: %w", err)
	}
	return ids, nil
}

// LatestCompletedNightly returns the completed nightly run with the latest
// business date, if any.
func (s *Store) LatestCompletedNightly(ctx context.Context) (ledger.Run, bool, error) {
	var r ledger.Run
	err := s.DB.GetContext(ctx, &r, `SELECT `+runColumns+` FROM runs
		WHERE kind = 'nightly' AND status = 'completed'
		ORDER BY business_date DESC LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// NextRerunSeq is the sequence number of the next rerun of date d: one
// more than the reruns of d that got past computing. A rerun that failed
// or was interrupted before committing is redone under its number.
func (s *Store) NextRerunSeq(ctx context.Context, d reconcile.Date) (int, error) {
	var n int
	err := s.DB.GetContext(ctx, &n, `SELECT coalesce(max(seq), 0) + 1 FROM runs
		WHERE kind = 'rerun' AND business_date = $1 AND status IN ('computed', 'completed')`, d.String())
	return n, err
}

// ComputedRuns lists the runs that committed their computation but did not
// publish (their process stopped in between), oldest first.
func (s *Store) ComputedRuns(ctx context.Context) ([]ledger.Run, error) {
	var rs []ledger.Run
	err := s.DB.SelectContext(ctx, &rs, `SELECT `+runColumns+` FROM runs WHERE status = 'computed'
		ORDER BY business_date, kind, seq`)
	return rs, err
}

// LatestRun returns the run started last, if any.
func (s *Store) LatestRun(ctx context.Context) (ledger.Run, bool, error) {
	var r ledger.Run
	err := s.DB.GetContext(ctx, &r, `SELECT `+runColumns+` FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// LatestCompleted returns the run of kind completed last, if any.
func (s *Store) LatestCompleted(ctx context.Context, kind runtype.Kind) (ledger.Run, bool, error) {
	var r ledger.Run
	err := s.DB.GetContext(ctx, &r, `SELECT `+runColumns+` FROM runs WHERE kind = $1 AND status = 'completed'
		ORDER BY completed_at DESC, run_id DESC LIMIT 1`, kind)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, err
}

// RunStateCount counts runs of one kind in one state.
type RunStateCount struct {
	Kind   runtype.Kind   `db:"kind"`
	Status runtype.Status `db:"status"`
	Count  int64          `db:"n"`
}

// RunStateCounts counts the runs by kind and state.
func (s *Store) RunStateCounts(ctx context.Context) ([]RunStateCount, error) {
	var cs []RunStateCount
	err := s.DB.SelectContext(ctx, &cs, `SELECT kind, status, count(*) AS n FROM runs GROUP BY kind, status ORDER BY kind, status`)
	return cs, err
}
