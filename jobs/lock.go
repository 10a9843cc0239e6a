package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"payouts/sql/store"
)

// ErrBusy is returned when another run holds the run lock.
var ErrBusy = errors.New("another run is in progress")

// lockPoll is how often a run waiting for the lock tries again.
var lockPoll = 500 * time.Millisecond

// acquireRunLock takes the run lock (store.RunLockSession), trying again
// for up to wait while another session holds it, or returns ErrBusy
// naming the holder. what (e.g. "run nightly-20260303") is set as the
// session's application_name, so that whoever finds the lock taken learns
// what holds it. The lock is held until the session is released.
func acquireRunLock(ctx context.Context, st *store.Store, wait time.Duration, what string) (*store.RunLockSession, error) {
	lock, err := st.OpenRunLockSession(ctx)
	if err != nil {
		return nil, fmt.Errorf("run lock: %w", err)
	}
	deadline := time.Now().Add(wait)
	for {
		ok, err := lock.TryLock(ctx)
		if err != nil {
			lock.Close()
			return nil, fmt.Errorf("run lock: %w", err)
		}
		if ok {
			break
		}
		left := time.Until(deadline)
		if left <= 0 {
			holder := lock.Holder(ctx)
			lock.Close()
			if wait > 0 {
				return nil, fmt.Errorf("%w (lock held by %s; waited %s)", ErrBusy, holder, wait)
			}
			return nil, fmt.Errorf("%w (lock held by %s)", ErrBusy, holder)
		}
		select {
		case <-ctx.Done():
			lock.Close()
			return nil, fmt.Errorf("run lock: %w", ctx.Err())
		case <-time.After(min(lockPoll, left)):
		}
	}
	lock.SetName(ctx, sessionName(what))
	return lock, nil
}

// sessionName describes this process for application_name (at most 63
// bytes are kept by PostgreSQL): payouts, the host, the pid and the work.
func sessionName(what string) string {
	host, _ := os.Hostname()
	s := fmt.Sprintf("payouts %s on %s pid %d", what, host, os.Getpid())
	if len(s) > 63 {
		s = s[:63]
	}
	return s
}

// lockAndRecover takes the run lock (waiting up to cfg.LockWait) and then,
// since the lock is the truth about who is running, marks as failed any run
// still recorded as running: its process died before it could say so.
func lockAndRecover(ctx context.Context, st *store.Store, cfg Config, what string) (*store.RunLockSession, error) {
	lock, err := acquireRunLock(ctx, st, cfg.LockWait, what)
	if err != nil {
		return nil, err
	}
	stale, err := st.FailStaleRuns(ctx, "interrupted: the process running it stopped before it finished (found by "+what+"); nothing of it was kept")
	if err != nil {
		lock.Release()
		return nil, err
	}
	for _, id := range stale {
		cfg.progress("run %s was interrupted earlier (its process stopped); marked failed; the next run of its date redoes it", id)
	}
	return lock, nil
}
