package pgcluster

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// sqlstateObjectInUse is the SQLSTATE CreateDatabase waits out: the
// template database still has sessions.
const sqlstateObjectInUse = "55006"

// templateBusyWait is how long CreateDatabase retries while the template
// database still has sessions (a session closed by a client ends a moment
// later on the server).
const templateBusyWait = 10 * time.Second

// CreateDatabase creates database name, optionally from template (CREATE
// DATABASE .. TEMPLATE ..; the template must have no other sessions).
func (s *Server) CreateDatabase(ctx context.Context, name, template string) error {
	if name == "" {
		return errors.New("pgcluster: CreateDatabase: empty database name")
	}
	query := "CREATE DATABASE " + pq.QuoteIdentifier(name)
	if template != "" {
		query += " TEMPLATE " + pq.QuoteIdentifier(template)
	}
	deadline := time.Now().Add(templateBusyWait)
	for {
		err := s.adminExec(ctx, query)
		if err == nil {
			return nil
		}
		if template == "" || !hasSQLState(err, sqlstateObjectInUse) || time.Now().After(deadline) {
			return fmt.Errorf("pgcluster: %s on %s: %w", query, s.base.Host, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("pgcluster: %s on %s: %w (gave up: %w)", query, s.base.Host, err, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// DropDatabase drops database name (DROP DATABASE IF EXISTS .. WITH
// (FORCE), which ends its sessions). Dropping a missing database succeeds.
func (s *Server) DropDatabase(ctx context.Context, name string) error {
	query := "DROP DATABASE IF EXISTS " + pq.QuoteIdentifier(name) + " WITH (FORCE)"
	if err := s.adminExec(ctx, query); err != nil {
		return fmt.Errorf("pgcluster: %s on %s: %w", query, s.base.Host, err)
	}
	return nil
}

// adminExec runs query in the maintenance database on a connection of its
// own, so that a killed and restarted cluster leaves no stale connection.
func (s *Server) adminExec(ctx context.Context, query string) error {
	db, err := sql.Open("postgres", s.AdminURL())
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, query)
	return err
}

func hasSQLState(err error, code string) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && string(pqErr.Code) == code
}
