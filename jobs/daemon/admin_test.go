package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"payouts/internal/pgtest"
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
	sched := NewScheduler(st, cfg, Config{}, nil)
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
	return pgtest.Shared().URL(db)
}

// TestHealthzUnhealthyWhileRunStuck (issue 15.1): a run left computed (its
// publication fails) with nobody publishing it, or a failed tick, is 503.
func TestHealthzUnhealthyWhileRunStuck(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	sched := NewScheduler(st, cfg, Config{}, nil)
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
