package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/jmoiron/sqlx"

	"payouts/sql/store"
)

// runLockKey is the advisory lock that lets one run at a time execute
// against a database, across processes and machines (ASCII "payoutsR").
const runLockKey = 0x7061796f75747352

// ErrBusy is returned when another run holds the run lock.
var ErrBusy = errors.New("another run is in progress")

// runLock is the run lock, held on a connection of its own for as long as
// the run lasts: if the process dies, PostgreSQL drops the connection and
// with it the lock.
type runLock struct {
	conn *sqlx.Conn
}

// lockPoll is how often a run waiting for the lock tries again.
var lockPoll = 500 * time.Millisecond

// acquireRunLock takes the run lock, trying again for up to wait while
// another session holds it, or returns ErrBusy naming the holder. what
// (e.g. "run nightly-20260303") is set as the session's application_name,
// so that whoever finds the lock taken learns what holds it.
func acquireRunLock(ctx context.Context, db *sqlx.DB, wait time.Duration, what string) (*runLock, error) {
	conn, err := db.Connx(ctx)
	if err != nil {
		return nil, fmt.Errorf("run lock: %w", err)
	}
	deadline := time.Now().Add(wait)
	for {
		var ok bool
		if err := conn.GetContext(ctx, &ok, `SELECT pg_try_advisory_lock($1)`, int64(runLockKey)); err != nil {
			conn.Close()
			return nil, fmt.Errorf("run lock: %w", err)
		}
		if ok {
			break
		}
		left := time.Until(deadline)
		if left <= 0 {
			holder := lockHolder(ctx, conn)
			conn.Close()
			if wait > 0 {
				return nil, fmt.Errorf("%w (lock held by %s; waited %s)", ErrBusy, holder, wait)
			}
			return nil, fmt.Errorf("%w (lock held by %s)", ErrBusy, holder)
		}
		select {
		case <-ctx.Done():
			conn.Close()
			return nil, fmt.Errorf("run lock: %w", ctx.Err())
		case <-time.After(min(lockPoll, left)):
		}
	}
	// Best effort: the name only serves the message others see.
	conn.ExecContext(ctx, `SELECT set_config('application_name', $1, false)`, sessionName(what))
	return &runLock{conn: conn}, nil
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

// lockHolder describes the session holding the run lock, for the message
// an operator sees.
func lockHolder(ctx context.Context, conn *sqlx.Conn) string {
	var pid int
	var app, addr sql.NullString
	var since sql.NullTime
	err := conn.QueryRowContext(ctx, `SELECT a.pid, a.application_name, host(a.client_addr), a.backend_start
		FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted
		  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND ((l.classid::bigint << 32) | l.objid::bigint) = $1 LIMIT 1`, int64(runLockKey)).Scan(&pid, &app, &addr, &since)
	if err != nil {
		return "an unknown session"
	}
	s := fmt.Sprintf("database session pid %d", pid)
	if app.String != "" {
		s += " (" + app.String + ")"
	}
	if addr.String != "" {
		s += " from " + addr.String
	}
	if since.Valid {
		s += " connected since " + since.Time.UTC().Format("2006-01-02 15:04:05Z")
	}
	return s
}

func (l *runLock) release() {
	l.conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, int64(runLockKey))
	l.conn.Close()
}

// lockAndRecover takes the run lock (waiting up to cfg.LockWait) and then,
// since the lock is the truth about who is running, marks as failed any run
// still recorded as running: its process died before it could say so.
func lockAndRecover(ctx context.Context, st *store.Store, cfg Config, what string) (*runLock, error) {
	lock, err := acquireRunLock(ctx, st.DB, cfg.LockWait, what)
	if err != nil {
		return nil, err
	}
	stale, err := st.FailStaleRuns(ctx, "interrupted: the process running it stopped before it finished (found by "+what+"); nothing of it was kept")
	if err != nil {
		lock.release()
		return nil, err
	}
	for _, id := range stale {
		cfg.progress("run %s was interrupted earlier (its process stopped); marked failed; the next run of its date redoes it", id)
	}
	return lock, nil
}

// runLockHeld reports whether any session holds the run lock of this
// database (without taking it).
func runLockHeld(ctx context.Context, db *sqlx.DB) (bool, error) {
	var held bool
	err := db.GetContext(ctx, &held, `SELECT EXISTS (SELECT 1 FROM pg_locks l
		WHERE l.locktype = 'advisory' AND l.granted
		  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND ((l.classid::bigint << 32) | l.objid::bigint) = $1)`, int64(runLockKey))
	if err != nil {
		return false, fmt.Errorf("run lock: %w", err)
	}
	return held, nil
}
