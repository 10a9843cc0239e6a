package store_test

import (
	"context"
	"fmt"
	"testing"

	"payouts/internal/storetest"
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
