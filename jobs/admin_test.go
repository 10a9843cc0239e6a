package jobs

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"payouts/sql/pgtemp"
	"payouts/sql/store"
)

func get(t *testing.T, srv *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func healthOf(t *testing.T, srv *httptest.Server) (int, Health) {
	t.Helper()
	code, body := get(t, srv, "/healthz")
	var h Health
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		t.Fatalf("/healthz body %q: %v", body, err)
	}
	return code, h
}

// TestHealthz: 200 with the last run's state while all is well; 503 when
// the last run failed, when it is recorded as running but nobody holds the
// run lock (its process died), and when the database does not answer.
func TestHealthz(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	sched := NewScheduler(st, cfg, ServeConfig{}, nil)
	srv := httptest.NewServer(AdminHandler(st, sched))
	defer srv.Close()

	if code, h := healthOf(t, srv); code != 200 || h.Status != "ok" || h.Database != "ok" || h.LastRun != nil || h.Scheduler == nil {
		t.Errorf("no runs yet: %d %+v", code, h)
	}
	runDate(t, st, cfg, "2026-03-03")
	if code, h := healthOf(t, srv); code != 200 || h.LastRun == nil || h.LastRun.RunID != "nightly-20260303" || h.LastRun.State != "completed" {
		t.Errorf("after a run: %d %+v", code, h.LastRun)
	}

	mustExec(t, st, `INSERT INTO runs (run_id, business_date, kind, status, window_end, params, started_at)
		VALUES ('nightly-20260304', '2026-03-04', 'nightly', 'running', '2026-03-05T03:00:00Z', '{}', now() + interval '1 minute')`)
	if code, h := healthOf(t, srv); code != 503 || h.LastRun.State != "interrupted" || h.Status != "unhealthy" {
		t.Errorf("running row without a lock holder: %d %+v", code, h.LastRun)
	}
	conn, err := st.DB.Connx(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), `SELECT pg_advisory_lock($1)`, store.RunLockKey); err != nil {
		t.Fatal(err)
	}
	if code, h := healthOf(t, srv); code != 200 || h.LastRun.State != "running" {
		t.Errorf("running row with the lock held: %d %+v", code, h.LastRun)
	}
	conn.Close()

	mustExec(t, st, `UPDATE runs SET status = 'failed', error = 'boom' WHERE run_id = 'nightly-20260304'`)
	if code, h := healthOf(t, srv); code != 503 || h.LastRun.State != "failed" || h.LastRun.Error != "boom" {
		t.Errorf("failed run: %d %+v", code, h.LastRun)
	}

	closed, err := store.Open(context.Background(), storeURL(t, st))
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	down := httptest.NewServer(AdminHandler(closed, nil))
	defer down.Close()
	if code, h := healthOf(t, down); code != 503 || h.Database == "ok" {
		t.Errorf("database closed: %d %+v", code, h)
	}
	if code, body := get(t, down, "/metrics"); code != 200 || !strings.Contains(body, "payouts_database_up 0\n") {
		t.Errorf("metrics with the database closed: %d %q", code, body)
	}
}

// storeURL is the URL of st's database.
func storeURL(t *testing.T, st *store.Store) string {
	t.Helper()
	var db string
	if err := st.DB.Get(&db, `SELECT current_database()`); err != nil {
		t.Fatal(err)
	}
	return pgtemp.Shared().URL(db)
}

// TestMetrics: the exposition after the basic example's 03-03, a rerun of
// it after a rate correction, and 03-20 carries the figures of the last completed run of each kind.
func TestMetrics(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	runDate(t, st, cfg, "2026-03-03")
	mustExec(t, st, `UPDATE contract_terms SET rate_percent = 12 WHERE contract_id = 'c1' AND version = 1`)
	rerunDate(t, st, cfg, "2026-03-03", "rate")
	runDate(t, st, cfg, "2026-03-20")
	mustExec(t, st, `INSERT INTO runs (run_id, business_date, kind, status, window_end, params, error)
		VALUES ('nightly-20260321', '2026-03-21', 'nightly', 'failed', '2026-03-22T03:00:00Z', '{}', 'boom')`)

	srv := httptest.NewServer(AdminHandler(st, nil))
	defer srv.Close()
	code, body := get(t, srv, "/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d %s", code, body)
	}
	for _, want := range []string{
		"# TYPE payouts_runs gauge\n",
		"payouts_database_up 1\n",
		"payouts_run_in_progress 0\n",
		`payouts_runs{run_kind="nightly",state="completed"} 2` + "\n",
		`payouts_runs{run_kind="nightly",state="failed"} 1` + "\n",
		`payouts_runs{run_kind="rerun",state="completed"} 1` + "\n",
		`payouts_last_run_sales_allocated{run_kind="nightly"} 1` + "\n", // s15
		`payouts_last_run_events_reversed{run_kind="nightly"} 2` + "\n",
		// 03-20: s11 charged back, s12 refunded, s15 paid to lead1; cop4 carried.
		`payouts_last_run_lines{run_kind="nightly",currency="BRL"} 8` + "\n",
		`payouts_last_run_lines_amount{run_kind="nightly",currency="BRL"} -90.54` + "\n", // -89.60 - 26.88 + 25.94
		// The rerun: cop1 +1.17 on s01, s11 and s12, lead1 the opposite.
		`payouts_last_run_lines{run_kind="rerun",currency="BRL"} 6` + "\n",
		`payouts_last_run_lines_amount{run_kind="rerun",currency="BRL"} 0.00` + "\n",
		`payouts_last_run_payout_items{run_kind="rerun",currency="BRL"} 1` + "\n",
		`payouts_last_run_payout_amount{run_kind="rerun",currency="BRL"} 3.51` + "\n",
		`payouts_last_run_discrepancies{run_kind="nightly",kind="MISSING_PAYOUT_ACCOUNT"} 1` + "\n",
		`payouts_last_success_timestamp_seconds{run_kind="nightly"} `,
		`payouts_last_run_duration_seconds{run_kind="rerun"} `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		if !strings.HasPrefix(line, "# HELP ") && !strings.HasPrefix(line, "# TYPE ") && len(strings.Fields(line)) != 2 {
			t.Errorf("malformed sample %q", line)
		}
	}
}
