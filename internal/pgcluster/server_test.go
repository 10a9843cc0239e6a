package pgcluster_test

// The tests against the test binary's shared server (pgtest.Main starts it
// with this package), in a package of their own since pgtest imports
// pgcluster; export_test.go lends them what they need of the internals.

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"payouts/internal/pgcluster"
	"payouts/internal/pgtest"
)

func TestMain(m *testing.M) {
	pgtest.Main(m, nil)
}

func TestURLAndCreateDropDatabase(t *testing.T) {
	s := pgtest.Shared()
	ctx := context.Background()

	if url := s.URL("some_db"); !strings.HasPrefix(url, "postgres") || !strings.Contains(url, "/some_db") {
		t.Errorf("URL(some_db) = %s", url)
	}
	if s.Throwaway() {
		want := regexp.MustCompile(`^postgres://postgres@127\.0\.0\.1:\d+/some_db\?sslmode=disable$`)
		if url := s.URL("some_db"); !want.MatchString(url) {
			t.Errorf("URL(some_db) = %s, want match of %s", url, want)
		}
		if got := s.AdminURL(); got != s.URL("postgres") {
			t.Errorf("AdminURL() = %s, want %s", got, s.URL("postgres"))
		}
		if fi, err := os.Stat(filepath.Join(s.DataDir(), "PG_VERSION")); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("DataDir() = %q has no PG_VERSION: %v", s.DataDir(), err)
		}
	} else if s.DataDir() != "" {
		t.Errorf("DataDir() = %q for DATABASE_URL, want empty", s.DataDir())
	}

	token := strconv.Itoa(os.Getpid()) + "_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	tmpl, clone := "pgtemp_tmpl_"+token, "pgtemp_clone_"+token
	if err := s.CreateDatabase(ctx, tmpl, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.DropDatabase(context.Background(), clone)
		_ = s.DropDatabase(context.Background(), tmpl)
	})
	func() {
		db, err := sqlx.Open("postgres", s.URL(tmpl))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if got := pgtest.CurrentDatabase(t, db); got != tmpl {
			t.Errorf("URL(%s) connects to %s", tmpl, got)
		}
		db.MustExec("CREATE TABLE seeded (x int); INSERT INTO seeded VALUES (42)")
	}()

	// The template's session may still be ending: CreateDatabase waits for it.
	if err := s.CreateDatabase(ctx, clone, tmpl); err != nil {
		t.Fatal(err)
	}
	db := pgtest.Connect(t, s.URL(clone))
	var x int
	if err := db.Get(&x, "SELECT x FROM seeded"); err != nil || x != 42 {
		t.Errorf("clone of %s: SELECT x FROM seeded = %d, %v; want 42", tmpl, x, err)
	}
	if got := pgtest.CurrentDatabase(t, pgtest.Connect(t, pgtest.NewDatabase(t, tmpl))); got == tmpl || got == clone {
		t.Errorf("NewDatabase from template returned database %s", got)
	}

	// A session in the dropped database does not stop DROP (WITH (FORCE)).
	if err := s.DropDatabase(ctx, clone); err != nil {
		t.Fatal(err)
	}
	if err := s.DropDatabase(ctx, tmpl); err != nil {
		t.Fatal(err)
	}
	admin := pgtest.Connect(t, s.AdminURL())
	var n int
	if err := admin.Get(&n, "SELECT count(*) FROM pg_database WHERE datname IN ($1, $2)", tmpl, clone); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d of %s, %s still exist after DropDatabase", n, tmpl, clone)
	}
	if err := s.DropDatabase(ctx, tmpl); err != nil {
		t.Errorf("dropping a missing database: %v", err)
	}
	if err := s.CreateDatabase(ctx, "pgtemp_bad_"+token, "no_such_template_"+token); err == nil {
		_ = s.DropDatabase(ctx, "pgtemp_bad_"+token)
		t.Error("CreateDatabase from a missing template succeeded")
	} else if !strings.Contains(err.Error(), "no_such_template_"+token) {
		t.Errorf("error does not name the template: %v", err)
	}
}

func TestKillRestart(t *testing.T) {
	s := pgtest.Shared()
	if !s.Throwaway() {
		t.Log("not applicable: the server at DATABASE_URL is not a throwaway cluster")
		return
	}
	ctx := context.Background()
	db := pgtest.Connect(t, pgtest.NewDatabase(t, ""))
	db.MustExec("CREATE TABLE payout (id int PRIMARY KEY)")
	db.MustExec("INSERT INTO payout VALUES (1)")

	if err := s.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := s.Kill(); err != nil {
		t.Errorf("second Kill: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.DataDir(), "PG_VERSION")); err != nil {
		t.Errorf("Kill removed the data dir: %v", err)
	}
	var n int
	if err := db.Get(&n, "SELECT count(*) FROM payout"); err == nil {
		t.Error("query succeeded on a killed server")
	}

	began := time.Now()
	if err := s.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("Restart after Kill took %s", time.Since(began))
	// database/sql replaces the broken connection.
	db.SetMaxIdleConns(0)
	if err := db.Get(&n, "SELECT count(*) FROM payout"); err != nil {
		t.Fatalf("after Restart: %v", err)
	}
	if n != 1 {
		t.Errorf("after Kill and Restart: %d rows, want 1", n)
	}
	// Restart of a running cluster stops and starts it.
	if err := s.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&n, "SELECT count(*) FROM payout"); err != nil {
		t.Fatalf("after second Restart: %v", err)
	}
}

func TestStartStopsOrphanedClusters(t *testing.T) {
	s := pgcluster.StartOwnCluster(t)
	if s == nil {
		return
	}
	tempDir := filepath.Dir(s.DataDir())
	pidBytes, err := os.ReadFile(filepath.Join(s.DataDir(), "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	postmaster, _ := strconv.Atoi(strings.SplitN(string(pidBytes), "\n", 2)[0])

	// Make the cluster look orphaned: its owner is a process that has exited.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tempDir, pgcluster.OwnerFile), []byte(strconv.Itoa(dead.Process.Pid)), 0o600); err != nil {
		t.Fatal(err)
	}
	s2 := pgcluster.StartOwnCluster(t)
	if _, err := os.Stat(tempDir); !os.IsNotExist(err) {
		t.Errorf("orphan's temp dir %s still exists after Start: %v", tempDir, err)
	}
	// pg_ctl stop -w returns when postmaster.pid is gone, a moment before
	// the postmaster process ends.
	for deadline := time.Now().Add(10 * time.Second); pgcluster.ProcessAlive(postmaster); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("orphan's postmaster %d still runs after Start", postmaster)
			break
		}
	}
	// The shared cluster, whose owner lives, was left alone.
	if err := s2.CreateDatabase(context.Background(), "alive", ""); err != nil {
		t.Error(err)
	}
	if shared := pgtest.Shared(); shared.Throwaway() {
		if _, err := os.Stat(shared.DataDir()); err != nil {
			t.Errorf("Start removed the live shared cluster: %v", err)
		}
	}
}
