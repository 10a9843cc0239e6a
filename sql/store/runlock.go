package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// RunLockKey is the PostgreSQL advisory lock that lets one run at a time
// execute against a database, across processes and machines (ASCII
// "payoutsR").
const RunLockKey int64 = 0x7061796f75747352

// RunLockSession is a connection of its own on which a process takes the
// run lock and holds it for as long as its run lasts: if the process
// dies, PostgreSQL drops the connection and with it the lock. How long to
// keep trying and what to tell the caller is the caller's business
// (jobs); this is the SQL.
type RunLockSession struct {
	conn *sqlx.Conn
}

// OpenRunLockSession takes a connection of the pool for the run lock.
// Close it (or Release it once the lock is taken).
func (s *Store) OpenRunLockSession(ctx context.Context) (*RunLockSession, error) {
	conn, err := s.DB.Connx(ctx)
	if err != nil {
		return nil, err
	}
	return &RunLockSession{conn: conn}, nil
}

// TryLock tries once to take the run lock, without waiting: false when
// another session holds it.
func (l *RunLockSession) TryLock(ctx context.Context) (bool, error) {
	var ok bool
	err := l.conn.GetContext(ctx, &ok, `SELECT pg_try_advisory_lock($1)`, RunLockKey)
	return ok, err
}

// SetName sets the session's application_name (PostgreSQL keeps 63
// bytes), so that whoever finds the lock taken learns what holds it. Best
// effort: the name only serves the message others see.
func (l *RunLockSession) SetName(ctx context.Context, name string) {
	l.conn.ExecContext(ctx, `SELECT set_config('application_name', $1, false)`, name)
}

// Holder describes the session holding the run lock, for the message an
// operator sees: its pid, application_name, client address and since
// when it is connected.
func (l *RunLockSession) Holder(ctx context.Context) string {
	var pid int
	var app, addr sql.NullString
	var since sql.NullTime
	err := l.conn.QueryRowContext(ctx, `SELECT a.pid, a.application_name, host(a.client_addr), a.backend_start
		FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted
		  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND ((l.classid::bigint << 32) | l.objid::bigint) = $1 LIMIT 1`, RunLockKey).Scan(&pid, &app, &addr, &since)
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

// Release gives the run lock up and the connection back.
func (l *RunLockSession) Release() {
	l.conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, RunLockKey)
	l.conn.Close()
}

// Close gives the connection back (the lock not taken).
func (l *RunLockSession) Close() { l.conn.Close() }

// RunLockHeld reports whether any session holds the run lock of this
// database (without taking it).
func (s *Store) RunLockHeld(ctx context.Context) (bool, error) {
	var held bool
	err := s.DB.GetContext(ctx, &held, `SELECT EXISTS (SELECT 1 FROM pg_locks l
		WHERE l.locktype = 'advisory' AND l.granted
		  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND ((l.classid::bigint << 32) | l.objid::bigint) = $1)`, RunLockKey)
	if err != nil {
		return false, fmt.Errorf("run lock: %w", err)
	}
	return held, nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.DB.PingContext(ctx) }
