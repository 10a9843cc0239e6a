package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"payouts/internal/storetest"
	"payouts/sql/store"
)

// TestRefreshStatisticsSamplesWhatChanged: a probed table loaded with many
// rows since it was last sampled is sampled (the planner then knows its
// size), and sampled it is left alone until it changes again by as many
// rows as it has.
func TestRefreshStatisticsSamplesWhatChanged(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	if _, err := st.DB.ExecContext(ctx, `INSERT INTO participants (participant_id, name)
		SELECT 'p' || g, 'P ' || g FROM generate_series(1, 20000) g`); err != nil {
		t.Fatal(err)
	}
	waitForChanges(t, st, "participants", "20,000 or more", func(n int64) bool { return n >= 20000 })
	sampled, err := st.RefreshStatistics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sampled) != "[participants]" {
		t.Fatalf("sampled %v, want [participants]", sampled)
	}
	var tuples float64
	if err := st.DB.GetContext(ctx, &tuples, `SELECT reltuples FROM pg_class WHERE oid = 'participants'::regclass`); err != nil {
		t.Fatal(err)
	}
	if tuples != 20000 {
		t.Errorf("participants has %v rows by its statistics, want 20000", tuples)
	}
	waitForChanges(t, st, "participants", "fewer than 20,000", func(n int64) bool { return n < 20000 })
	if again, err := st.RefreshStatistics(ctx); err != nil || len(again) != 0 {
		t.Errorf("sampled again: %v, %v; want nothing", again, err)
	}
}

// TestRunSamplesOnlyStaleTables: inside a run's transaction, a table never
// sampled is sampled, and one whose statistics still describe it (the
// run added fewer rows than it had) is not.
func TestRunSamplesOnlyStaleTables(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	insert := func(rt *store.RunTx, from, to int) {
		t.Helper()
		if _, err := rt.TxForTest().ExecContext(ctx, `INSERT INTO participants (participant_id, name)
			SELECT 'p' || g, 'P ' || g FROM generate_series($1::int, $2::int) g`, from, to); err != nil {
			t.Fatal(err)
		}
	}
	rt, err := st.BeginCompute(ctx, "nightly-20260301", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	insert(rt, 1, 1000)
	if got, err := rt.SampleStaleForTest(ctx, "participants", "payout_items"); err != nil || fmt.Sprint(got) != "[participants payout_items]" {
		t.Fatalf("never sampled: sampled %v, %v; want both", got, err)
	}
	if err := rt.TxForTest().Commit(); err != nil {
		t.Fatal(err)
	}
	// The committed inserts count as changes since that sample (once the
	// server has them: it gathers a backend's counts up to a second or
	// more after its commit); a sample outside any run starts the count
	// again.
	waitForChanges(t, st, "participants", "1,000 or more", func(n int64) bool { return n >= 1000 })
	if _, err := st.DB.ExecContext(ctx, `ANALYZE participants`); err != nil {
		t.Fatal(err)
	}
	waitForChanges(t, st, "participants", "none", func(n int64) bool { return n == 0 })
	rt, err = st.BeginCompute(ctx, "nightly-20260302", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Rollback()
	insert(rt, 1001, 1050)
	if got, err := rt.SampleStaleForTest(ctx, "participants"); err != nil || len(got) != 0 {
		t.Errorf("50 rows added to 1,000: sampled %v, %v; want nothing", got, err)
	}
	insert(rt, 1051, 1900)
	if got, err := rt.SampleStaleForTest(ctx, "participants"); err != nil || len(got) != 0 {
		t.Errorf("900 rows added to 1,000: sampled %v, %v; want nothing", got, err)
	}
	insert(rt, 1901, 2100)
	if got, err := rt.SampleStaleForTest(ctx, "participants"); err != nil || fmt.Sprint(got) != "[participants]" {
		t.Errorf("1,100 rows added to 1,000: sampled %v, %v; want participants", got, err)
	}
}

// waitForChanges waits until the server counts, for table, changes since
// its last sample that satisfy ok (described by want). The statistics
// collector gathers a backend's counts after its transaction ends, up to
// a second or more later.
func waitForChanges(t *testing.T, st *store.Store, table, want string, ok func(int64) bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int64
		if err := st.DB.GetContext(context.Background(), &n, `SELECT n_mod_since_analyze FROM pg_stat_user_tables
			WHERE schemaname = current_schema() AND relname = $1`, table); err != nil {
			t.Fatal(err)
		}
		if ok(n) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d changes since its last sample, never %s", table, n, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestRunSamplesItsRunID: a run's rows in a table whose statistics still
// describe it are counted (its run_id sampled), so the planner estimates
// the run's rows instead of one row for a run id its statistics never saw.
func TestRunSamplesItsRunID(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	insert := func(rt *store.RunTx, n int) {
		t.Helper()
		if _, err := rt.TxForTest().ExecContext(ctx, `INSERT INTO run_held_sales (run_id, sale_id, product_id, currency, gross)
			SELECT $1, 's' || g, 'p1', 'BRL', '1' FROM generate_series(1, $2::int) g`, rt.RunID, n); err != nil {
			t.Fatal(err)
		}
	}
	estimate := func(rt *store.RunTx) int {
		t.Helper()
		var plan string
		if err := rt.TxForTest().GetContext(ctx, &plan, `EXPLAIN SELECT * FROM run_held_sales WHERE run_id = '`+rt.RunID+`'`); err != nil {
			t.Fatal(err)
		}
		var rows int
		if i := strings.Index(plan, "rows="); i < 0 {
			t.Fatalf("no estimate in %q", plan)
		} else if _, err := fmt.Sscanf(plan[i:], "rows=%d", &rows); err != nil {
			t.Fatalf("%q: %v", plan, err)
		}
		return rows
	}
	rt, err := st.BeginCompute(ctx, "nightly-20260301", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	insert(rt, 4000)
	if err := rt.TxForTest().Commit(); err != nil {
		t.Fatal(err)
	}
	// Sampled after the server counted the inserts (waitForChanges), so
	// that they are not counted again as changes since the sample; an
	// empty participants (no run_id) is sampled too.
	waitForChanges(t, st, "run_held_sales", "4,000 or more", func(n int64) bool { return n >= 4000 })
	if _, err := st.DB.ExecContext(ctx, `ANALYZE run_held_sales, participants`); err != nil {
		t.Fatal(err)
	}
	waitForChanges(t, st, "run_held_sales", "none", func(n int64) bool { return n == 0 })
	rt, err = st.BeginCompute(ctx, "nightly-20260302", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Rollback()
	insert(rt, 1000)
	if got := estimate(rt); got > 10 {
		t.Fatalf("before sampling, the new run's 1,000 rows are estimated at %d rows; the statistics were meant not to know the run", got)
	}
	got, err := rt.SampleStaleForTest(ctx, "run_held_sales", "participants")
	if err != nil || len(got) != 0 {
		t.Fatalf("1,000 rows added to 4,000: sampled whole %v, %v; want nothing whole", got, err)
	}
	if got := estimate(rt); got < 500 || got > 2000 {
		t.Errorf("after sampling run_id, the new run's 1,000 rows are estimated at %d rows", got)
	}
}
