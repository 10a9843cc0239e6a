package jobs

import (
	"context"
	"errors"
	"testing"

	"payouts/sql/store"
)

// TestRunRefreshesStaleStatistics: after a failed attempt whose rows were
// vacuumed away, PostgreSQL records the lines table as empty, and with
// such statistics the checks' self-joins of lines take quadratic time (a
// redo after a crash hung for minutes over 20,000 sales). The run analyzes
// the tables it checks inside its transaction, so the next plans see its
// rows.
func TestRunRefreshesStaleStatistics(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	crashing := cfg
	crashing.hooks.beforeVerify = func(ctx context.Context, rt *store.RunTx) error { return errors.New("crash") }
	_, err := RunNightly(context.Background(), st, crashing, mustDate(t, "2026-03-03"))
	if err == nil {
		t.Fatal("the failing attempt succeeded")
	}
	mustExec(t, st, `VACUUM lines`)
	reltuples := func() float64 {
		var n float64
		if err := st.DB.Get(&n, `SELECT reltuples FROM pg_class WHERE oid = 'lines'::regclass`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := reltuples(); n != 0 {
		t.Fatalf("precondition: lines recorded with %v rows after the vacuum, want 0", n)
	}
	res := runDate(t, st, cfg, "2026-03-03")
	if n := reltuples(); n != float64(res.Run.LineCount) {
		t.Errorf("lines recorded with %v rows after the run, it wrote %d", n, res.Run.LineCount)
	}
}
