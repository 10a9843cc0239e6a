package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
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

// acquireRunLock takes the run lock or returns ErrBusy naming its holder.
func acquireRunLock(ctx context.Context, db *sqlx.DB) (*runLock, error) {
	conn, err := db.Connx(ctx)
	if err != nil {
		return nil, fmt.Errorf("run lock: %w", err)
	}
	var ok bool
	if err := conn.GetContext(ctx, &ok, `SELECT pg_try_advisory_lock($1)`, int64(runLockKey)); err != nil {
		conn.Close()
		return nil, fmt.Errorf("run lock: %w", err)
	}
	if !ok {
		holder := lockHolder(ctx, conn)
		conn.Close()
		return nil, fmt.Errorf("%w (lock held by %s)", ErrBusy, holder)
	}
	return &runLock{conn: conn}, nil
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
