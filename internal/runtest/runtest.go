// Package runtest holds the fixtures the tests of jobs and of its daemon
// share (a loaded database, a date, a failed run's traces), so that both
// packages' tests use one copy. Test infrastructure: it imports testing
// and is never linked into the binary (cmd/payouts TestNoTestCodeInTheBinary).
package runtest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"payouts/internal/storetest"
	"payouts/reconcile"
	"payouts/sql/load"
	"payouts/sql/store"
)

// LoadedStore is a fresh database with the load-format directory dir loaded.
func LoadedStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st := storetest.New(t)
	LoadInto(t, st, dir)
	return st
}

// LoadInto loads the load-format directory dir into st.
func LoadInto(t *testing.T, st *store.Store, dir string) {
	t.Helper()
	if _, err := load.Dir(context.Background(), st.DB, dir, nil); err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
}

// MustDate parses a business date.
func MustDate(t *testing.T, s string) reconcile.Date {
	t.Helper()
	d, err := reconcile.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// AssertNothingOf checks that the failed run runID of date committed and
// published nothing (under outDir) and is recorded as failed with its
// error.
func AssertNothingOf(t *testing.T, st *store.Store, outDir, date, runID string) {
	t.Helper()
	var n int
	if err := st.DB.Get(&n, `SELECT (SELECT count(*) FROM lines WHERE run_id = $1) + (SELECT count(*) FROM balances WHERE run_id = $1)
		+ (SELECT count(*) FROM payout_items WHERE run_id = $1) + (SELECT count(*) FROM sale_outcomes WHERE run_id = $1)`, runID); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("failed run %s left %d rows", runID, n)
	}
	var status, msg string
	if err := st.DB.QueryRow(`SELECT status, coalesce(error, '') FROM runs WHERE run_id = $1`, runID).Scan(&status, &msg); err != nil || status != "failed" || msg == "" {
		t.Errorf("run %s: status %q error %q (%v), want failed with the error", runID, status, msg, err)
	}
	if _, err := os.Stat(filepath.Join(outDir, date, runID)); !os.IsNotExist(err) {
		t.Errorf("failed run %s published a directory", runID)
	}
}
