package jobs

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"testing"
)

// TestPoisonedSaleDoesNotBlockPublication (issue 15.1): a sale whose gross
// is NaN or Infinity, written before the schema refused them, is held as
// INVALID_SALE; the night is published and paid, and so are later nights.
func TestPoisonedSaleDoesNotBlockPublication(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"NaN", "Infinity"} {
		t.Run(bad, func(t *testing.T) {
			t.Parallel()
			st := loadedStore(t, basicExample)
			cfg := testConfig(t)
			// a database that holds the row from before migration 0005
			if _, err := st.DB.Exec(`ALTER TABLE sales DROP CONSTRAINT sales_gross_finite, DROP CONSTRAINT sales_platform_fee_finite`); err != nil {
				t.Fatal(err)
			}
			if _, err := st.DB.Exec(`INSERT INTO sales (sale_id, product_id, currency, gross, platform_fee, sold_at, settled_at)
				VALUES ('poison', 'p1', 'BRL', $1, 0, '2026-02-01T10:00:00-03:00', '2026-03-03T10:00:00-03:00')`, bad); err != nil {
				t.Fatal(err)
			}
			res := runDate(t, st, cfg, "2026-03-03")
			if res.Run.Status != "completed" {
				t.Fatalf("run status %s", res.Run.Status)
			}
			disc := readCSVColumns(t, filepath.Join(res.Dir, "discrepancies.csv"), "", "kind", "sale_id")
			if !contains(disc, "INVALID_SALE,poison") {
				t.Errorf("poisoned sale not held: %v", disc)
			}
			lines := readCSVColumns(t, filepath.Join(res.Dir, "participants", "*.csv"), "", "sale_id", "participant_id", "amount")
			if !contains(lines, "s01,aff1,31.36") {
				t.Errorf("the rest of the night was not paid: %v", lines)
			}
			// fixing the row lets the next night pay it
			if _, err := st.DB.Exec(`UPDATE sales SET gross = 100, platform_fee = 10 WHERE sale_id = 'poison'`); err != nil {
				t.Fatal(err)
			}
			res = runDate(t, st, cfg, "2026-03-20")
			lines = readCSVColumns(t, filepath.Join(res.Dir, "participants", "*.csv"), "", "sale_id", "participant_id", "amount")
			if !contains(lines, "poison,lead1,81.00") {
				t.Errorf("corrected sale not paid: %v", lines)
			}
			// and an export of the first night still publishes
			first, err := st.GetRun(context.Background(), "nightly-20260303")
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := Publish(context.Background(), st, first, t.TempDir(), nil); err != nil {
				t.Errorf("export of the night that held it: %v", err)
			}
		})
	}
}

// TestHealthzUnhealthyWhileRunStuck (issue 15.1): a run left computed (its
// publication fails) with nobody publishing it, or a failed tick, is 503.
func TestHealthzUnhealthyWhileRunStuck(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	sched := NewScheduler(st, cfg, ServeConfig{}, nil)
	srv := httptest.NewServer(AdminHandler(st, sched))
	defer srv.Close()
	runDate(t, st, cfg, "2026-03-03")
	if code, _ := healthOf(t, srv); code != 200 {
		t.Fatalf("after a completed run: %d", code)
	}
	mustExec(t, st, `UPDATE runs SET status = 'computed' WHERE run_id = 'nightly-20260303'`)
	if code, h := healthOf(t, srv); code != 503 || h.Status != "unhealthy" || h.LastRun.State != "computed" {
		t.Errorf("run left computed, nobody publishing: %d %+v", code, h)
	}
	mustExec(t, st, `UPDATE runs SET status = 'completed' WHERE run_id = 'nightly-20260303'`)
	sched.mu.Lock()
	sched.lastErr = errors.New("publish run nightly-20260303: boom")
	sched.mu.Unlock()
	if code, h := healthOf(t, srv); code != 503 || h.Status != "unhealthy" {
		t.Errorf("last tick failed: %d %+v", code, h)
	}
}
