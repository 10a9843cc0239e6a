package jobs

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"payouts/internal/storetest"
	"payouts/sql/load"
	"payouts/sql/store"
)

// twoStores are two connection pools on one fresh database, as two
// processes (or machines) would have.
func twoStores(t *testing.T) (*store.Store, *store.Store) {
	t.Helper()
	url := storetest.NewURL(t)
	var sts [2]*store.Store
	for i := range sts {
		st, err := store.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		sts[i] = st
	}
	if _, err := load.Dir(context.Background(), sts[0].DB, basicExample, nil); err != nil {
		t.Fatal(err)
	}
	return sts[0], sts[1]
}

// TestOneRunAtATime: while a run computes, a second run of the same date
// from another pool is refused with ErrBusy naming the holder, a rerun
// too, and one that may wait runs once the first is done and finds it
// completed. No line is written twice.
func TestOneRunAtATime(t *testing.T) {
	t.Parallel()
	a, b := twoStores(t)
	cfg := testConfig(t)
	computing, release := make(chan struct{}), make(chan struct{})
	cfgA := cfg
	cfgA.Progress = func(format string, args ...any) {
		if strings.HasPrefix(format, "allocation done") {
			close(computing)
			<-release
		}
	}
	var wg sync.WaitGroup
	var resA Result
	var errA error
	wg.Add(1)
	go func() {
		defer wg.Done()
		resA, errA = RunNightly(context.Background(), a, cfgA, mustDate(t, "2026-03-03"))
	}()
	<-computing

	_, err := RunNightly(context.Background(), b, cfg, mustDate(t, "2026-03-03"))
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "payouts run nightly-20260303 on ") {
		t.Errorf("second run: %v, want ErrBusy naming the holder", err)
	}
	_, err = RunRerun(context.Background(), b, cfg, RerunRequest{Date: mustDate(t, "2026-03-03"), Reason: "x"})
	if !errors.Is(err, ErrBusy) {
		t.Errorf("rerun during a run: %v, want ErrBusy", err)
	}

	cfgB := cfg
	cfgB.LockWait = time.Minute
	var resB Result
	var errB error
	waiting := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		close(waiting)
		resB, errB = RunNightly(context.Background(), b, cfgB, mustDate(t, "2026-03-03"))
	}()
	<-waiting
	time.Sleep(2 * lockPoll) // let it find the lock taken at least once
	close(release)
	wg.Wait()
	if errA != nil || errB != nil {
		t.Fatalf("runs: %v / %v", errA, errB)
	}
	if resA.AlreadyDone || !resB.AlreadyDone || resB.Run.RunID != resA.Run.RunID {
		t.Errorf("first run AlreadyDone=%v; the waiting one AlreadyDone=%v (%s)", resA.AlreadyDone, resB.AlreadyDone, resB.Run.RunID)
	}
	var lines, dup int
	if err := a.DB.Get(&lines, `SELECT count(*) FROM lines`); err != nil || lines != resA.Run.LineCount || lines == 0 {
		t.Errorf("%d lines stored, the run wrote %d (%v)", lines, resA.Run.LineCount, err)
	}
	if err := a.DB.Get(&dup, `SELECT count(*) FROM (SELECT 1 FROM lines GROUP BY sale_id, participant_id, role, contract_id, kind HAVING count(*) > 1) d`); err != nil || dup != 0 {
		t.Errorf("%d duplicated lines (%v)", dup, err)
	}
}

// TestRunLockWaitGivesUp: a run that may wait for the lock gives up after
// --wait with ErrBusy; the lock's holder here is a plain session.
func TestRunLockWaitGivesUp(t *testing.T) {
	t.Parallel()
	a, b := twoStores(t)
	conn, err := a.DB.Connx(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `SELECT pg_advisory_lock($1)`, store.RunLockKey); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.LockWait = 1200 * time.Millisecond
	start := time.Now()
	_, err = RunNightly(context.Background(), b, cfg, mustDate(t, "2026-03-03"))
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "database session pid") || !strings.Contains(err.Error(), "waited 1.2s") {
		t.Errorf("err = %v, want ErrBusy naming the session and the wait", err)
	}
	if waited := time.Since(start); waited < cfg.LockWait {
		t.Errorf("gave up after %s, before --wait %s", waited, cfg.LockWait)
	}
	var n int
	if err := b.DB.Get(&n, `SELECT count(*) FROM runs`); err != nil || n != 0 {
		t.Errorf("a refused run left %d runs (%v)", n, err)
	}
}

// TestStaleRunningRowIsFailed: a run recorded as running whose process died
// does not block the next run; the run that holds the lock marks it failed
// and, for the same date, redoes it.
func TestStaleRunningRowIsFailed(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	mustExec(t, st, `INSERT INTO runs (run_id, business_date, kind, status, window_end, params)
		VALUES ('nightly-20260302', '2026-03-02', 'nightly', 'running', '2026-03-03T03:00:00Z', '{}'),
		       ('nightly-20260303', '2026-03-03', 'nightly', 'running', '2026-03-04T03:00:00Z', '{}')`)
	res := runDate(t, st, cfg, "2026-03-03")
	if res.Run.Status != "completed" || res.Run.LineCount == 0 {
		t.Errorf("run over a stale row: %+v", res.Run)
	}
	var status, msg string
	if err := st.DB.QueryRow(`SELECT status, error FROM runs WHERE run_id = 'nightly-20260302'`).Scan(&status, &msg); err != nil ||
		status != "failed" || !strings.Contains(msg, "interrupted") || !strings.Contains(msg, "run nightly-20260303") {
		t.Errorf("stale run: %s %q (%v)", status, msg, err)
	}
}
