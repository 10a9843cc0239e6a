package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"payouts/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// cli runs the command line with its own environment.
type cli struct {
	t   *testing.T
	env map[string]string
	now func() time.Time // the clock; nil is time.Now
}

func newCLI(t *testing.T) *cli {
	return &cli{t: t, env: map[string]string{"DATABASE_URL": storetest.NewURL(t), "PAYOUTS_OUT": t.TempDir()}}
}

func (c *cli) run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = runEnv(args, &environment{stdout: &out, stderr: &errb, getenv: func(k string) string { return c.env[k] }, now: c.now})
	return code, out.String(), errb.String()
}

func (c *cli) mustRun(args ...string) string {
	c.t.Helper()
	code, out, errs := c.run(args...)
	if code != 0 {
		c.t.Fatalf("payouts %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func TestRunFlow(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.mustRun("migrate")
	if out := c.mustRun("migrate"); !strings.Contains(out, "up to date") {
		t.Errorf("second migrate: %q", out)
	}
	c.mustRun("load", "../../testdata/examples/basic")
	out := c.mustRun("run", "--date", "2026-03-03")
	for _, want := range []string{"run nightly-20260303", "BRL: 22 lines totalling 1184.19; 6 payout items totalling 1179.00", "CAP_EXCEEDED 1", "MISSING_PAYOUT_ACCOUNT 1", "files: "} {
		if !strings.Contains(out, want) {
			t.Errorf("run summary lacks %q:\n%s", want, out)
		}
	}
	out = c.mustRun("run", "--date", "2026-03-03")
	if !strings.Contains(out, "already covered by run nightly-20260303") {
		t.Errorf("second run: %q", out)
	}
	c.mustRun("run", "--date", "2026-03-20")
	code, _, errs := c.run("run", "--date", "2026-03-04")
	if code != 1 || !strings.Contains(errs, "rerun") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("earlier date: exit %d, stderr %q; want 1 and one line naming rerun", code, errs)
	}
	out = c.mustRun("status")
	if !strings.Contains(out, "nightly-20260320") || !strings.Contains(out, "BRL 1179.00, JPY 8820") {
		t.Errorf("status:\n%s", out)
	}

	exportDir := t.TempDir()
	c.mustRun("export", "--run", "nightly-20260303", "--out", exportDir)
	for _, f := range []string{"manifest.json", "participants/lead1.csv", "provider/nightly-20260303-BRL.csv"} {
		a, err1 := os.ReadFile(filepath.Join(c.env["PAYOUTS_OUT"], "2026-03-03", "nightly-20260303", f))
		b, err2 := os.ReadFile(filepath.Join(exportDir, "2026-03-03", "nightly-20260303", f))
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Errorf("export of %s differs from the run's file (%v, %v)", f, err1, err2)
		}
	}
}

func TestLoadRejectsBadRows(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.mustRun("migrate")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "participants.csv"), []byte("participant_id,name\nok1,Ana\nbad/1,Bruno\n"), 0o600)
	code, _, errs := c.run("load", dir)
	if code != 1 || !strings.Contains(errs, "participants.csv:3: participant_id") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, args := range [][]string{
		{"run"}, {"run", "--date", "2026-02-30"}, {"run", "--date", "2026-03-03", "extra"},
		{"nosuchcommand"}, {"run", "--nosuchflag"}, {"export", "--run", "x"}, {"load"},
	} {
		if code, _, errs := c.run(args...); code != 2 || errs == "" {
			t.Errorf("payouts %v: exit %d, stderr %q; want 2 and a message", args, code, errs)
		}
	}
	if code, out, _ := c.run("--help"); code != 0 || !strings.Contains(out, "Commands:") {
		t.Errorf("--help: exit %d", code)
	}
	if code, _, errs := c.run("run", "--help"); code != 0 || !strings.Contains(errs, "--date") {
		t.Errorf("run --help: exit %d, %q", code, errs)
	}
}

func TestMissingDatabaseURL(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	code := runWith([]string{"status"}, &out, &errb, func(string) string { return "" })
	if code != 1 || !strings.Contains(errb.String(), "DATABASE_URL is not set") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}
