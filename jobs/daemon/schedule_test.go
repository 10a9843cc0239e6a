package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"payouts/jobs"
	"payouts/reconcile"
	"payouts/sql/store"
)

func TestDatesDue(t *testing.T) {
	t.Parallel()
	d := func(s string) reconcile.Date { return mustDate(t, s) }
	for _, tc := range []struct {
		name    string
		latest  string // "" no run yet
		today   string
		catchup int
		want    string
		skipped int
	}{
		{"first start runs yesterday only", "", "2026-03-04", 7, "2026-03-03", 0},
		{"yesterday done", "2026-03-03", "2026-03-04", 7, "", 0},
		{"one night missed", "2026-03-02", "2026-03-04", 7, "2026-03-03", 0},
		{"three nights missed", "2026-02-27", "2026-03-03", 7, "2026-02-28 2026-03-01 2026-03-02", 0},
		{"more than the bound", "2026-02-01", "2026-03-04", 7, "2026-02-25 2026-02-26 2026-02-27 2026-02-28 2026-03-01 2026-03-02 2026-03-03", 23},
		{"bound of one", "2026-02-01", "2026-03-04", 1, "2026-03-03", 29},
		{"a run of today or later (clock behind)", "2026-03-04", "2026-03-04", 7, "", 0},
		{"across a year", "2025-12-30", "2026-01-02", 7, "2025-12-31 2026-01-01", 0},
	} {
		due, skipped := DatesDue(d(orDefault(tc.latest, "2000-01-01")), tc.latest != "", d(tc.today), tc.catchup)
		var got []string
		for _, x := range due {
			got = append(got, x.String())
		}
		if strings.Join(got, " ") != tc.want || skipped != tc.skipped {
			t.Errorf("%s: due %v skipped %d, want %q skipped %d", tc.name, got, skipped, tc.want, tc.skipped)
		}
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// fakeClock returns a settable instant.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// testScheduler is a scheduler on st with a fake clock at the given
// platform time and a log kept for assertions.
func testScheduler(t *testing.T, st *store.Store, cfg jobs.Config, at string) (*Scheduler, *fakeClock, *logBuffer) {
	t.Helper()
	clock := &fakeClock{t: mustTime(t, at)}
	log := &logBuffer{}
	s := NewScheduler(st, cfg, Config{Schedule: DefaultSchedule, CatchupDays: DefaultCatchupDays, Grace: time.Minute}, log.logf)
	s.now = clock.now
	return s, clock, log
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := reconcile.ParseTimestamp(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type logBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (l *logBuffer) logf(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func runIDs(t *testing.T, st *store.Store) string {
	t.Helper()
	var ids []string
	if err := st.DB.Select(&ids, `SELECT run_id || ':' || status FROM runs ORDER BY business_date, kind, seq`); err != nil {
		t.Fatal(err)
	}
	return strings.Join(ids, " ")
}

// TestSchedulerTicks drives the scheduler's ticks with a fake clock: the
// first start runs yesterday; after two weeks away it catches up the last
// PAYOUTS_CATCHUP_DAYS dates in order (the sales of the dates before are
// paid by the first of them); a tick with nothing due does nothing; a run
// left computed by a process that stopped is published by the next tick.
func TestSchedulerTicks(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	s, clock, log := testScheduler(t, st, cfg, "2026-03-04T02:30:00-03:00")
	ctx := context.Background()
	if err := s.Tick(ctx, ctx); err != nil {
		t.Fatal(err)
	}
	if got := runIDs(t, st); got != "nightly-20260303:completed" {
		t.Errorf("first tick: %s", got)
	}

	clock.set(mustTime(t, "2026-03-21T02:30:00-03:00"))
	if err := s.Tick(ctx, ctx); err != nil {
		t.Fatal(err)
	}
	want := "nightly-20260303:completed"
	for day := 14; day <= 20; day++ {
		want += fmt.Sprintf(" nightly-202603%02d:completed", day)
	}
	if got := runIDs(t, st); got != want {
		t.Errorf("catch-up:\n got %s\nwant %s", got, want)
	}
	if !strings.Contains(log.String(), "10 business dates after 2026-03-03 were not run (PAYOUTS_CATCHUP_DAYS=7); their sales are paid by the run of 2026-03-14") {
		t.Errorf("log:\n%s", log)
	}
	var s15 string
	if err := st.DB.Get(&s15, `SELECT run_id FROM sale_outcomes WHERE sale_id = 's15'`); err != nil || s15 != "nightly-20260314" {
		t.Errorf("s15 (settled on 03-04) allocated by %q (%v), want the first run after the gap", s15, err)
	}

	if err := s.Tick(ctx, ctx); err != nil {
		t.Fatal(err)
	}
	if got := runIDs(t, st); got != want {
		t.Errorf("tick with nothing due changed the runs: %s", got)
	}

	// The process that ran 03-20 stopped after computing, before publishing.
	mustExec(t, st, `UPDATE runs SET status = 'computed', completed_at = NULL WHERE run_id = 'nightly-20260320'`)
	dir := filepath.Join(cfg.OutDir, "2026-03-20", "nightly-20260320")
	before, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(dir)
	if err := s.Tick(ctx, ctx); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil || string(after) != string(before) {
		t.Errorf("the pending run was not published again identically (%v)", err)
	}
	if got := runIDs(t, st); got != want {
		t.Errorf("after publishing the pending run: %s", got)
	}
}

// TestSchedulerStopsAtFirstFailure: a date that fails stops the tick (the
// dates after it wait for it) and the next tick retries it; a lock held
// by another process makes the tick leave the work to it.
func TestSchedulerStopsAtFirstFailure(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	runDate(t, st, cfg, "2026-03-03")
	s, _, log := testScheduler(t, st, cfg, "2026-03-07T02:30:00-03:00")
	var tried []string
	fail := true
	s.run = func(ctx context.Context, st *store.Store, cfg jobs.Config, d reconcile.Date) (jobs.Result, error) {
		tried = append(tried, d.String())
		if d.String() == "2026-03-05" && fail {
			return jobs.Result{}, errors.New("boom")
		}
		return jobs.RunNightly(ctx, st, cfg, d)
	}
	ctx := context.Background()
	if err := s.Tick(ctx, ctx); err == nil || !strings.Contains(err.Error(), "run of 2026-03-05: boom") {
		t.Errorf("tick: %v", err)
	}
	if strings.Join(tried, " ") != "2026-03-04 2026-03-05" {
		t.Errorf("tried %v", tried)
	}
	if st := s.State(); !strings.Contains(st.LastError, "boom") || st.Running != "" {
		t.Errorf("state %+v", st)
	}
	fail = false
	tried = nil
	if err := s.Tick(ctx, ctx); err != nil {
		t.Fatal(err)
	}
	if strings.Join(tried, " ") != "2026-03-05 2026-03-06" {
		t.Errorf("retry tried %v", tried)
	}

	// Another replica holds the lock.
	conn, err := st.DB.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, store.RunLockKey); err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return mustTime(t, "2026-03-08T02:30:00-03:00") }
	if err := s.Tick(ctx, ctx); err != nil {
		t.Errorf("tick while another process runs: %v", err)
	}
	if !strings.Contains(log.String(), "another process holds the run lock; leaving 2026-03-07 to it") {
		t.Errorf("log:\n%s", log)
	}
}

// TestSchedulerRunsOnItsSchedule: Run catches up at start, then ticks on
// the schedule (here every second) and each tick runs the previous
// business date of the (fake) clock.
func TestSchedulerRunsOnItsSchedule(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	s, clock, log := testScheduler(t, st, cfg, "2026-03-04T10:00:00-03:00")
	s.serve.Schedule = "@every 1s"
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	waitFor(t, func() bool { return strings.Contains(runIDs(t, st), "nightly-20260303:completed") })
	clock.set(mustTime(t, "2026-03-05T10:00:00-03:00"))
	waitFor(t, func() bool { return strings.Contains(runIDs(t, st), "nightly-20260304:completed") })
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("Run did not return after its context was cancelled; log:\n%s", log)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestShutdownLetsARunFinish: on shutdown a run in progress that ends
// within the grace period finishes normally.
func TestShutdownLetsARunFinish(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	s, _, _ := testScheduler(t, st, cfg, "2026-03-04T10:00:00-03:00")
	started, finish := make(chan struct{}), make(chan struct{})
	var runErr error
	s.run = func(ctx context.Context, st *store.Store, cfg jobs.Config, d reconcile.Date) (jobs.Result, error) {
		close(started)
		<-finish
		res, err := jobs.RunNightly(ctx, st, cfg, d)
		runErr = err
		return res, err
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	<-started
	stop()
	time.Sleep(100 * time.Millisecond)
	select {
	case <-done:
		t.Fatal("Run returned while a run was in progress")
	default:
	}
	close(finish)
	if err := <-done; err != nil || runErr != nil {
		t.Fatalf("Run: %v; the run: %v", err, runErr)
	}
	if got := runIDs(t, st); got != "nightly-20260303:completed" {
		t.Errorf("runs: %s", got)
	}
}

// TestShutdownAbortsARunAfterGrace: a run still computing when the grace
// period ends is aborted: its transaction rolls back, nothing is published,
// it is recorded as failed, and Run returns nil (exit status 0).
func TestShutdownAbortsARunAfterGrace(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	computing, resume := make(chan struct{}), make(chan struct{})
	cfg.Progress = func(format string, args ...any) {
		if strings.HasPrefix(format, "allocation done") {
			close(computing)
			<-resume
		}
	}
	s, _, log := testScheduler(t, st, cfg, "2026-03-04T10:00:00-03:00")
	s.serve.Grace = 200 * time.Millisecond
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case <-computing:
	case <-time.After(30 * time.Second):
		t.Fatalf("the run did not start; log:\n%s", log)
	}
	stop()
	waitFor(t, func() bool {
		return strings.Contains(log.String(), "grace period over, aborting the run of 2026-03-03")
	})
	close(resume) // the run goes on with its context cancelled
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	assertNothingOf(t, st, cfg, "2026-03-03", "nightly-20260303")
	var msg string
	if err := st.DB.Get(&msg, `SELECT error FROM runs WHERE run_id = 'nightly-20260303'`); err != nil || !strings.Contains(msg, "context canceled") {
		t.Errorf("error recorded: %q (%v)", msg, err)
	}
	if !strings.Contains(log.String(), "tick failed") {
		t.Errorf("log:\n%s", log)
	}
	// The next start redoes the date.
	s2, _, _ := testScheduler(t, st, testConfig(t), "2026-03-04T10:00:00-03:00")
	if err := s2.Tick(context.Background(), context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := runIDs(t, st); got != "nightly-20260303:completed" {
		t.Errorf("after the restart: %s", got)
	}
}
