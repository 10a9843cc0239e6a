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
	// The statistics collector reports a backend's counts at its
	// transaction's end, at most every second: wait for them.
	waitFor := func(want string) {
		t.Helper()
		for range 100 {
			var n int64
			if err := st.DB.GetContext(ctx, &n, `SELECT n_mod_since_analyze FROM pg_stat_user_tables
				WHERE schemaname = current_schema() AND relname = 'participants'`); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(n >= 20000) == want {
				return
			}
			st.DB.ExecContext(ctx, `SELECT pg_stat_clear_snapshot(), pg_sleep(0.1)`)
		}
		t.Fatalf("participants never reported %s changes since its last sample", want)
	}
	waitFor("true")
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
	waitFor("false")
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
	changes := func() int64 {
		t.Helper()
		var n int64
		if err := st.DB.GetContext(ctx, &n, `SELECT n_mod_since_analyze FROM pg_stat_user_tables
			WHERE schemaname = current_schema() AND relname = 'participants'`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	deadline := time.Now().Add(30 * time.Second)
	for changes() < 1000 {
		if time.Now().After(deadline) {
			t.Fatal("the server never counted the committed inserts")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := st.DB.ExecContext(ctx, `ANALYZE participants`); err != nil {
		t.Fatal(err)
	}
	if n := changes(); n != 0 {
		t.Fatalf("%d changes counted after a sample", n)
	}
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
