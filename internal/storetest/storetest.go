// Package storetest gives tests a real, migrated PostgreSQL database of
// their own: one server per test binary (the DATABASE_URL one, or a
// throwaway cluster; internal/pgtest), one migrated template, and a fresh
// clone of it per test, so tests run in parallel without seeing each
// other's rows. It is test infrastructure (it imports testing): the
// product never imports it.
package storetest

import (
	"context"
	"fmt"
	"os"
	"testing"

	"payouts/internal/pgcluster"
	"payouts/internal/pgtest"
	"payouts/sql/store"
)

var template string

// Main runs a package's tests against PostgreSQL. Use it from TestMain:
//
//	func TestMain(m *testing.M) { storetest.Main(m) }
func Main(m *testing.M) {
	pgtest.Main(m, func(ctx context.Context, s *pgcluster.Server) error {
		template = fmt.Sprintf("payouts_tmpl_%d", os.Getpid())
		_ = s.DropDatabase(ctx, template)
		if err := s.CreateDatabase(ctx, template, ""); err != nil {
			return err
		}
		st, err := store.Open(ctx, s.URL(template))
		if err != nil {
			return err
		}
		defer st.Close()
		if _, err := st.Migrate(ctx); err != nil {
			return err
		}
		return nil
	})
}

// NewURL returns the URL of a fresh migrated database for t, dropped when
// the test ends.
func NewURL(t testing.TB) string {
	t.Helper()
	if template == "" {
		t.Fatal("storetest: call storetest.Main(m) from TestMain")
	}
	return pgtest.NewDatabase(t, template)
}

// New returns a Store on a fresh migrated database for t.
func New(t testing.TB) *store.Store {
	t.Helper()
	return Open(t, NewURL(t))
}

// Open returns a Store on the database at url, closed when the test ends.
func Open(t testing.TB, url string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
