package jobs

import (
	"context"
	"testing"
)

// TestSaleCommittedDuringARunIsTheNextRuns: a sale committed after a run's
// transaction began is not seen by that run, although its candidates are
// read on another connection (allocate's reader, in the run's exported
// snapshot): the run neither allocates it nor consumes its queue entry,
// and the next run allocates it, once.
func TestSaleCommittedDuringARunIsTheNextRuns(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	ctx := context.Background()
	cfg.hooks.beforeAllocate = func(ctx context.Context) {
		if _, err := st.DB.ExecContext(ctx, `INSERT INTO sales (sale_id, product_id, currency, gross, platform_fee, sold_at, settled_at)
			VALUES ('late1', 'p1', 'BRL', 100.00, 10.40, '2026-02-01T10:00:00-03:00', '2026-03-03T10:00:00-03:00')`); err != nil {
			t.Errorf("commit a sale during the run: %v", err)
		}
	}
	first := runDate(t, st, cfg, "2026-03-03")
	var decidedBy string
	err := st.DB.GetContext(ctx, &decidedBy, `SELECT coalesce((SELECT run_id FROM sale_outcomes WHERE sale_id = 'late1'), '')`)
	if err != nil {
		t.Fatal(err)
	}
	if decidedBy != "" {
		t.Fatalf("run %s saw a sale committed after it began: decided by %s", first.Run.RunID, decidedBy)
	}
	var queued int
	if err := st.DB.GetContext(ctx, &queued, `SELECT count(*) FROM sale_queue WHERE sale_id = 'late1'`); err != nil {
		t.Fatal(err)
	}
	if queued == 0 {
		t.Fatalf("run %s consumed the queue entry of a sale it did not see", first.Run.RunID)
	}

	cfg.hooks.beforeAllocate = nil
	next := runDate(t, st, cfg, "2026-03-04")
	var lines int
	if err := st.DB.GetContext(ctx, &decidedBy, `SELECT run_id FROM sale_outcomes WHERE sale_id = 'late1'`); err != nil {
		t.Fatalf("the next run did not decide the sale: %v", err)
	}
	if err := st.DB.GetContext(ctx, &lines, `SELECT count(*) FROM lines WHERE sale_id = 'late1' AND kind = 'commission'`); err != nil {
		t.Fatal(err)
	}
	if decidedBy != next.Run.RunID || lines == 0 {
		t.Errorf("sale late1: decided by %q with %d commission lines, want %s with its lines", decidedBy, lines, next.Run.RunID)
	}
}

// TestPanicWhileDecidingIsTheCallers: a panic while a batch is decided, on
// allocate's reader goroutine, reaches the caller of the run (where the
// scheduler recovers it) instead of ending the process; the run's
// transaction rolls back, and the date runs again cleanly.
func TestPanicWhileDecidingIsTheCallers(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	cfg.hooks.decide = func() { panic("rules bug") }
	got := func() (p any) {
		defer func() { p = recover() }()
		RunNightly(context.Background(), st, cfg, mustDate(t, "2026-03-03"))
		return nil
	}()
	if got != "rules bug" {
		t.Fatalf("recovered %v, want the panic of the reader", got)
	}
	var outcomes int
	if err := st.DB.GetContext(context.Background(), &outcomes, `SELECT count(*) FROM sale_outcomes`); err != nil {
		t.Fatal(err)
	}
	if outcomes != 0 {
		t.Fatalf("%d sale outcomes kept after the panic", outcomes)
	}
	cfg.hooks.decide = nil
	runAfterKill(t, st, cfg, "2026-03-03")
}
