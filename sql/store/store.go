// Package store is the PostgreSQL store of payouts: the embedded
// migrations, the loader of the CSV load format, and the queries the runs
// stream through. It depends on reconcile for the rules and on nothing
// above it.
package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the PostgreSQL driver
)

// Store is a connection pool to the payouts database.
type Store struct {
	DB *sqlx.DB
}

// Open connects to the database at url and checks that it answers.
func Open(ctx context.Context, url string) (*Store, error) {
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", openError(url, err))
	}
	db.SetMaxOpenConns(8)
	db.SetConnMaxIdleTime(time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", openError(url, err))
	}
	return &Store{DB: db}, nil
}

// Close closes the pool.
func (s *Store) Close() error { return s.DB.Close() }
