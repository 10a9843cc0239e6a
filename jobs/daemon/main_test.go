package daemon

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"payouts/internal/storetest"
	"payouts/jobs"
	"payouts/reconcile"
	"payouts/sql/load"
	"payouts/sql/store"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// The fixtures below are the ones of the jobs tests, for the runs the
// scheduler and the admin endpoints are tested on.

const basicExample = "../../testdata/examples/basic"

// testConfig is the default configuration with files under a temp dir.
func testConfig(t *testing.T) jobs.Config {
	t.Helper()
	cfg, err := jobs.ConfigFromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.OutDir = t.TempDir()
	cfg.BatchSize = 7
	return cfg
}

// loadedStore is a fresh database with dir loaded.
func loadedStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st := storetest.New(t)
	if _, err := load.Dir(context.Background(), st.DB, dir, nil); err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	return st
}

func mustDate(t *testing.T, s string) reconcile.Date {
	t.Helper()
	d, err := reconcile.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustExec(t *testing.T, st *store.Store, q string, args ...any) {
	t.Helper()
	if _, err := st.DB.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func runDate(t *testing.T, st *store.Store, cfg jobs.Config, date string) jobs.Result {
	t.Helper()
	res, err := jobs.RunNightly(context.Background(), st, cfg, mustDate(t, date))
	if err != nil {
		t.Fatalf("run %s: %v", date, err)
	}
	return res
}

func rerunDate(t *testing.T, st *store.Store, cfg jobs.Config, date, reason string) jobs.Result {
	t.Helper()
	res, err := jobs.RunRerun(context.Background(), st, cfg, jobs.RerunRequest{Date: mustDate(t, date), Reason: reason, RequestedBy: "ops"})
	if err != nil {
		t.Fatalf("rerun %s: %v", date, err)
	}
	return res
}

func importStatus(t *testing.T, st *store.Store, path string) jobs.ImportResult {
	t.Helper()
	res, err := jobs.ImportStatus(context.Background(), st, path, nil)
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	return res
}

// assertNothingOf checks that the failed run runID of date kept no row
// and published no directory, and is recorded as failed with its error.
func assertNothingOf(t *testing.T, st *store.Store, cfg jobs.Config, date, runID string) {
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
	if _, err := os.Stat(filepath.Join(cfg.OutDir, date, runID)); !os.IsNotExist(err) {
		t.Errorf("failed run %s published a directory", runID)
	}
}
