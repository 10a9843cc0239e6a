package main

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"payouts/sql/store"
)

// holdRunLock takes the run lock from a session of the test, as another
// process would, until the test ends.
func holdRunLock(t *testing.T, url string) {
	t.Helper()
	st, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := st.DB.Connx(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(); st.Close() })
	// 0x7061796f75747352: store.RunLockKey ("payoutsR").
	if _, err := conn.ExecContext(context.Background(), `SELECT pg_advisory_lock(8097887124607759186)`); err != nil {
		t.Fatal(err)
	}
}

// TestBusyExitsWith75: a run or rerun that finds the run lock taken exits
// with status 75 and a one-line message naming the holder, at once or
// after --wait.
func TestBusyExitsWith75(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.mustRun("migrate")
	c.mustRun("load", "../../testdata/examples/basic")
	c.mustRun("run", "--date", "2026-03-03")
	holdRunLock(t, c.env["DATABASE_URL"])
	for _, args := range [][]string{
		{"run", "--date", "2026-03-20"},
		{"rerun", "--date", "2026-03-03", "--reason", "x"},
		{"run", "--date", "2026-03-20", "--wait", "1s"},
	} {
		start := time.Now()
		code, _, errs := c.run(args...)
		if code != 75 || !strings.Contains(errs, "another run is in progress (lock held by database session pid") ||
			strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("payouts %v: exit %d, stderr %q; want 75 and one line naming the holder", args, code, errs)
		}
		if args[len(args)-1] == "1s" && (time.Since(start) < time.Second || !strings.Contains(errs, "waited 1s")) {
			t.Errorf("--wait 1s gave up after %s: %q", time.Since(start), errs)
		}
	}
}

// TestRerunCommand: rerun after a correction prints its adjustments and
// payouts; status shows the rerun with its reason and who asked.
func TestRerunCommand(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.mustRun("migrate")
	c.mustRun("load", "../../testdata/examples/basic")
	c.mustRun("run", "--date", "2026-03-03")
	st, err := store.Open(context.Background(), c.env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.DB.Exec(`UPDATE contract_terms SET rate_percent = 12 WHERE contract_id = 'c1' AND version = 1`); err != nil {
		t.Fatal(err)
	}
	out := c.mustRun("rerun", "--date", "2026-03-03", "--reason", "c1 v1 was signed at 12%")
	for _, want := range []string{"run rerun-20260303-1 (rerun 2026-03-03): completed",
		`reason "c1 v1 was signed at 12%" (requested by `, "sales adjusted 3, adjustment lines 6, payout items 1", "BRL: 6 lines totalling 0.00; 1 payout items totalling 3.51"} {
		if !strings.Contains(out, want) {
			t.Errorf("rerun output lacks %q:\n%s", want, out)
		}
	}
	out = c.mustRun("status")
	if !strings.Contains(out, "rerun-20260303-1") || !strings.Contains(out, "c1 v1 was signed at 12% (by ") {
		t.Errorf("status:\n%s", out)
	}
	for _, args := range [][]string{
		{"rerun", "--date", "2026-03-03"},
		{"rerun", "--reason", "x"},
		{"rerun", "--date", "2026-03-03", "--reason", "x", "--wait", "-1s"},
		{"run", "--date", "2026-03-03", "--wait", "soon"},
	} {
		if code, _, errs := c.run(args...); code != 2 || errs == "" {
			t.Errorf("payouts %v: exit %d, stderr %q; want 2", args, code, errs)
		}
	}
	code, _, errs := c.run("rerun", "--date", "2026-03-20", "--reason", "x")
	if code != 1 || !strings.Contains(errs, "later than the latest completed nightly run") {
		t.Errorf("rerun of a later date: exit %d, %q", code, errs)
	}
}

// TestUnreachableDatabase: with PostgreSQL unreachable a run exits 1 with
// the reason, and nothing is published.
func TestUnreachableDatabase(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more
	c := newCLI(t)
	c.env["DATABASE_URL"] = "postgres://postgres@" + addr + "/payouts?sslmode=disable&connect_timeout=5"
	for _, args := range [][]string{{"run", "--date", "2026-03-03"}, {"serve"}} {
		code, _, errs := c.run(args...)
		if code != 1 || !strings.Contains(errs, "connect to database") {
			t.Errorf("payouts %v: exit %d, stderr %q", args, code, errs)
		}
	}
}

// TestServeConfigErrors: a bad serve setting stops serve at start with
// exit status 1 and the variable's name.
func TestServeConfigErrors(t *testing.T) {
	t.Parallel()
	for v, val := range map[string]string{"PAYOUTS_SCHEDULE": "every night", "PAYOUTS_CATCHUP_DAYS": "0",
		"PAYOUTS_SHUTDOWN_GRACE": "5 minutes"} {
		c := newCLI(t)
		c.env[v] = val
		code, _, errs := c.run("serve")
		if code != 1 || !strings.Contains(errs, v) {
			t.Errorf("%s=%q: exit %d, %q", v, val, code, errs)
		}
	}
}
