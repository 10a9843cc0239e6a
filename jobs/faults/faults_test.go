package faults_test

import (
	"context"
	"os"
	"path/filepath"
	"payouts/reports/reportstest"
	"strings"
	"testing"
	"time"

	"payouts/internal/pgtest"
	"payouts/internal/seed"
	"payouts/internal/storetest"
	"payouts/jobs"
	"payouts/reconcile"
	"payouts/sql/store"
)

// TestMain always starts a throwaway cluster for this binary, even when
// DATABASE_URL names a server: these tests kill and restart the server,
// which they may only do to one of their own. No test here runs in
// parallel with another.
func TestMain(m *testing.M) {
	os.Unsetenv("DATABASE_URL")
	storetest.Main(m)
}

var date = reconcile.Date{Year: 2026, Month: 3, Day: 3}

const runID = "nightly-20260303"

// seeded is a fresh database with 2,000 seeded sales, and its URL.
func seeded(t *testing.T) string {
	t.Helper()
	url := storetest.NewURL(t)
	st := open(t, url)
	loc, err := time.LoadLocation(jobs.DefaultTimeZone)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Run(context.Background(), st.DB, seed.Options{Sales: 2000, Date: date, Seed: 3, Location: loc}); err != nil {
		t.Fatal(err)
	}
	return url
}

func open(t *testing.T, url string) *store.Store {
	t.Helper()
	return storetest.Open(t, url)
}

func config(t *testing.T, out string, progress func(string)) jobs.Config {
	t.Helper()
	cfg, err := jobs.ConfigFromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.OutDir, cfg.BatchSize = out, 500
	cfg.Progress = func(format string, args ...any) {
		if progress != nil {
			progress(format)
		}
	}
	return cfg
}

// killAt returns a progress hook that kills the server at the first
// progress message starting with prefix.
func killAt(t *testing.T, prefix string) func(string) {
	done := false
	return func(format string) {
		if !done && strings.HasPrefix(format, prefix) {
			done = true
			if err := pgtest.Shared().Kill(); err != nil {
				t.Errorf("kill the server: %v", err)
			}
		}
	}
}

func restart(t *testing.T) {
	t.Helper()
	if err := pgtest.Shared().Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func status(t *testing.T, st *store.Store) (string, string) {
	t.Helper()
	var s, msg string
	if err := st.DB.QueryRow(`SELECT status, coalesce(error, '') FROM runs WHERE run_id = $1`, runID).Scan(&s, &msg); err != nil {
		t.Fatal(err)
	}
	return s, msg
}

// assertLikeACleanRun runs the same seed cleanly in another database and
// compares every published file and the lines.
func assertLikeACleanRun(t *testing.T, st *store.Store, out string) {
	t.Helper()
	refOut := t.TempDir()
	ref := open(t, seeded(t))
	if _, err := jobs.RunNightly(context.Background(), ref, config(t, refOut, nil), date); err != nil {
		t.Fatal(err)
	}
	want, got := reportstest.DirDigests(t, filepath.Join(refOut, "2026-03-03", runID)), reportstest.DirDigests(t, filepath.Join(out, "2026-03-03", runID))
	if len(want) < 10 || len(got) != len(want) {
		t.Fatalf("%d files published, a clean run %d", len(got), len(want))
	}
	for p, h := range want {
		if got[p] != h {
			t.Errorf("%s differs from a clean run's", p)
		}
	}
	var a, b string
	q := `SELECT count(*) || ' lines, ' || coalesce(sum(amount), 0) FROM lines`
	if err := st.DB.Get(&a, q); err != nil {
		t.Fatal(err)
	}
	if err := ref.DB.Get(&b, q); err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("lines: %s, a clean run %s", a, b)
	}
}

// TestServerStoppedMidRun: PostgreSQL stops while a run computes. The run
// fails (non-zero: an error) and publishes nothing; it cannot record its
// failure, so its row stays running until the next attempt, which finds it
// stale (nobody holds the lock), marks it failed and redoes the date
// identically.
func TestServerStoppedMidRun(t *testing.T) {
	url := seeded(t)
	out := t.TempDir()
	_, err := jobs.RunNightly(context.Background(), open(t, url), config(t, out, killAt(t, "allocated")), date)
	if err == nil {
		t.Fatal("a run whose database stopped succeeded")
	}
	t.Logf("the run failed with: %v", err)
	if files := reportstest.DirDigests(t, out); len(files) != 0 {
		t.Errorf("published %d files", len(files))
	}
	restart(t)
	st := open(t, url) // the next attempt is a new process
	if s, _ := status(t, st); s != "running" {
		t.Errorf("after the crash the run is %s, want running (stale)", s)
	}
	var logged []string
	cfg := config(t, out, nil)
	cfg.Progress = func(format string, args ...any) { logged = append(logged, format) }
	res, err := jobs.RunNightly(context.Background(), st, cfg, date)
	if err != nil || res.Run.Status != "completed" || res.Run.RunID != runID {
		t.Fatalf("next attempt: %v %+v", err, res.Run)
	}
	if !strings.Contains(strings.Join(logged, "\n"), "was interrupted earlier") {
		t.Errorf("the stale run was not reported: %v", logged)
	}
	assertLikeACleanRun(t, st, out)
}

// TestServerStoppedDuringPublication: PostgreSQL stops after the run
// committed, while its files are written. Nothing is left published (no
// manifest, no partial directory) and the run stays computed; the next
// attempt publishes it, identical to a clean run.
func TestServerStoppedDuringPublication(t *testing.T) {
	url := seeded(t)
	out := t.TempDir()
	_, err := jobs.RunNightly(context.Background(), open(t, url), config(t, out, killAt(t, "run %s: publishing")), date)
	if err == nil {
		t.Fatal("a publication whose database stopped succeeded")
	}
	if files := reportstest.DirDigests(t, out); len(files) != 0 {
		t.Errorf("a failed publication left %d files", len(files))
	}
	restart(t)
	st := open(t, url)
	if s, _ := status(t, st); s != "computed" {
		t.Errorf("after the crash the run is %s, want computed", s)
	}
	if _, err := jobs.RunNightly(context.Background(), st, config(t, out, nil), date); err != nil {
		t.Fatal(err)
	}
	assertLikeACleanRun(t, st, out)
}

// TestRunConnectionCut: the run's database session is terminated while it
// computes (a network cut, a failover). The run is recorded as failed with
// the error, nothing is kept or published, and the next attempt succeeds.
func TestRunConnectionCut(t *testing.T) {
	url := seeded(t)
	out := t.TempDir()
	st := open(t, url)
	cut := func(format string) {
		if strings.HasPrefix(format, "allocation done") {
			// The compute transaction is the session of this database with
			// a transaction open (the lock's session has none).
			if _, err := st.DB.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL`); err != nil {
				t.Error(err)
			}
		}
	}
	_, err := jobs.RunNightly(context.Background(), st, config(t, out, cut), date)
	if err == nil {
		t.Fatal("a run whose connection was cut succeeded")
	}
	if s, msg := status(t, st); s != "failed" || msg == "" {
		t.Errorf("run %s %q, want failed with the error", s, msg)
	} else {
		t.Logf("recorded: %s", msg)
	}
	var n int
	if err := st.DB.Get(&n, `SELECT count(*) FROM lines`); err != nil || n != 0 {
		t.Errorf("%d lines kept (%v)", n, err)
	}
	if files := reportstest.DirDigests(t, out); len(files) != 0 {
		t.Errorf("published %d files", len(files))
	}
	if _, err := jobs.RunNightly(context.Background(), st, config(t, out, nil), date); err != nil {
		t.Fatal(err)
	}
	assertLikeACleanRun(t, st, out)
}

// TestServerDownAtStart: with PostgreSQL down a run fails at once and
// records nothing; once it is back the run succeeds.
func TestServerDownAtStart(t *testing.T) {
	url := seeded(t)
	out := t.TempDir()
	st := open(t, url)
	if err := pgtest.Shared().Kill(); err != nil {
		t.Fatal(err)
	}
	_, err := jobs.RunNightly(context.Background(), st, config(t, out, nil), date)
	restart(t)
	if err == nil {
		t.Fatal("a run without its database succeeded")
	}
	st = open(t, url)
	var n int
	if err := st.DB.Get(&n, `SELECT count(*) FROM runs`); err != nil || n != 0 {
		t.Errorf("%d runs recorded (%v)", n, err)
	}
	if _, err := jobs.RunNightly(context.Background(), st, config(t, out, nil), date); err != nil {
		t.Fatal(err)
	}
	assertLikeACleanRun(t, st, out)
}
