package daemon

import (
	"context"
	"testing"

	"payouts/internal/runtest"
	"payouts/internal/storetest"
	"payouts/jobs"
	"payouts/reconcile"
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
	return runtest.LoadedStore(t, dir)
}

func mustDate(t *testing.T, s string) reconcile.Date { t.Helper(); return runtest.MustDate(t, s) }

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
	runtest.AssertNothingOf(t, st, cfg.OutDir, date, runID)
}
