package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"payouts/internal/storetest"
	"payouts/sql/store"
)

// TestRefreshStatisticsSamplesWhatChanged: a probed table loaded with many
// rows since it was last sampled is sampled (the planner then knows its
// size), and sampled it is left alone until it changes again by a tenth.
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
// run added less than a tenth of it) is not.
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
	insert(rt, 1051, 1200)
	if got, err := rt.SampleStaleForTest(ctx, "participants"); err != nil || fmt.Sprint(got) != "[participants]" {
		t.Errorf("200 rows added to 1,000: sampled %v, %v; want participants", got, err)
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
