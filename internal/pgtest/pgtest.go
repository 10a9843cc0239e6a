// Package pgtest is the PostgreSQL side of the test binaries: one server
// per test binary (the DATABASE_URL one, or a throwaway cluster of
// internal/pgcluster), started and stopped by Main, and a fresh database
// per test. It imports testing, so nothing the product links may import
// it (cmd/payouts's TestNoTestCodeInTheBinary checks).
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"payouts/internal/pgcluster"
)

// shared is the server started by Main.
var shared atomic.Pointer[pgcluster.Server]

// dbCounter numbers the databases NewDatabase creates in this process.
var dbCounter atomic.Uint64

// Main runs the tests of a package against one server (started once per
// test binary): call it from TestMain. It calls pgcluster.Start, then setup
// (may be nil), runs m.Run(), stops the server, and os.Exit's with the
// code. If Start or setup fails it prints the error (for a missing
// PostgreSQL, it contains the exact command that fixes it) and exits 1: a
// database test is never skipped.
//
// The server is stopped by a defer, so also when setup or m.Run panics on
// the main goroutine. A panic in a test's goroutine, a test timeout or a
// kill ends the process without it; the next Start cleans up the orphan.
func Main(m *testing.M, setup func(ctx context.Context, s *pgcluster.Server) error) {
	os.Exit(runMain(m, setup))
}

func runMain(m *testing.M, setup func(ctx context.Context, s *pgcluster.Server) error) (code int) {
	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "pgtest: "+format+"\n", args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s, err := pgcluster.Start(ctx, logf)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: cannot start the test database server: %v\n", err)
		return 1
	}
	defer func() {
		if err := s.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}()
	shared.Store(s)
	if setup != nil {
		if err := setup(ctx, s); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: test setup: %v\n", err)
			return 1
		}
	}
	cancel()
	return m.Run()
}

// Shared returns the server started by Main (panics if Main did not run).
func Shared() *pgcluster.Server {
	s := shared.Load()
	if s == nil {
		panic("pgtest.Shared: no server; call pgtest.Main(m, nil) from the package's TestMain")
	}
	return s
}

// NewDatabase creates a fresh database for one test on the Shared server,
// named from t.Name() sanitized plus a per-process token and a counter (at
// most 63 bytes, lower-case [a-z0-9_]), optionally cloned from template, and
// dropped in t.Cleanup. It returns the database's URL. Safe for parallel
// tests.
func NewDatabase(t testing.TB, template string) string {
	t.Helper()
	s := Shared()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var name string
	for attempt := 1; ; attempt++ {
		name = databaseName(t.Name(), processToken, dbCounter.Add(1))
		err := s.CreateDatabase(ctx, name, template)
		if err == nil {
			break
		}
		// Another process may have picked the same name (or left it behind).
		if !isDuplicateDatabase(err) || attempt == 5 {
			t.Fatalf("pgtest.NewDatabase: %v", err)
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.DropDatabase(ctx, name); err != nil {
			t.Errorf("pgtest.NewDatabase cleanup: %v", err)
		}
	})
	return s.URL(name)
}

// isDuplicateDatabase reports whether err is PostgreSQL's "database
// already exists" (SQLSTATE 42P04).
func isDuplicateDatabase(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "42P04"
}

// Connect opens url for the test and closes it at its end.
func Connect(t testing.TB, url string) *sqlx.DB {
	t.Helper()
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// CurrentDatabase is the name of the database db is connected to.
func CurrentDatabase(t testing.TB, db *sqlx.DB) string {
	t.Helper()
	var name string
	if err := db.Get(&name, "SELECT current_database()"); err != nil {
		t.Fatalf("SELECT current_database(): %v", err)
	}
	return name
}
