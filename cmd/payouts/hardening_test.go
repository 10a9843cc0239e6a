package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"payouts/internal/storetest"
)

// TestDatabaseURLPasswordNeverShown (issue 15.9): a DATABASE_URL that does
// not parse, or names a server that does not answer, is reported in one
// line that never carries its password, by every command and by serve.
func TestDatabaseURLPasswordNeverShown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ url, secret string }{
		{"postgres://payouts:S3cr%et@db.example/payouts", "S3cr"},
		{"postgres://payouts:S3cr%zzet@db.example/payouts", "S3cr"},
		{"postgres://payouts:S3 cret@db.example:5432/payouts", "S3 cret"},
		{"postgres://payouts:S3cret@db.example:99x/payouts", "S3cret"},
		{"postgres://payouts:S3c/ret@db.example/payouts", "S3c"},
		{"postgres://payouts:S3cret@127.0.0.1:1/payouts?sslmode=disable&connect_timeout=2", "S3cret"},
		{"host=127.0.0.1 port=bad user=payouts password=S3cret", "S3cret"},
		{"host=127.0.0.1 port=1 user=payouts password='S3 cret' sslmode=disable connect_timeout=2", "S3 cret"},
	} {
		for _, cmd := range []string{"status", "serve"} {
			c := &cli{t: t, env: map[string]string{"DATABASE_URL": tc.url, "PAYOUTS_ADMIN_ADDR": "127.0.0.1:0"}}
			code, out, errs := c.run(cmd)
			if code != 1 {
				t.Errorf("%s with %q: exit %d, want 1 (stderr %q)", cmd, tc.url, code, errs)
			}
			if strings.Contains(out+errs, tc.secret) || strings.Contains(out+errs, "ret@") {
				t.Errorf("%s with %q shows the password: %q %q", cmd, tc.url, out, errs)
			}
			if strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, "database") {
				t.Errorf("%s with %q: stderr %q, want one line about the database", cmd, tc.url, errs)
			}
		}
	}
}

// TestFutureOrImpossibleDateIsUsageError (issue 15.3): run and rerun of a
// date whose day has not ended in PAYOUTS_TZ, or of year 0, exit 2 and
// change nothing; the day's end is the boundary.
func TestFutureOrImpossibleDateIsUsageError(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.mustRun("migrate")
	c.mustRun("load", "../../testdata/examples/basic")
	// 2026-03-04 00:00 in America/Sao_Paulo is 03:00Z: 03-03 has just ended
	c.now = func() time.Time { return time.Date(2026, 3, 4, 2, 59, 59, 0, time.UTC) }
	for _, args := range [][]string{
		{"run", "--date", "9999-12-31"},
		{"run", "--date", "2026-03-03"},
		{"run", "--date", "0000-01-01"},
		{"rerun", "--date", "9999-12-31", "--reason", "typo"},
		{"rerun", "--date", "0000-01-01", "--reason", "typo"},
	} {
		code, _, errs := c.run(args...)
		if code != 2 || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, "--date") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line naming --date", args, code, errs)
		}
	}
	if out := c.mustRun("status"); strings.Contains(out, "nightly-") {
		t.Errorf("a refused date left a run:\n%s", out)
	}
	c.now = func() time.Time { return time.Date(2026, 3, 4, 3, 0, 0, 0, time.UTC) }
	c.mustRun("run", "--date", "2026-03-03")
}

// TestSmallMessages (issue 15.12): status shows a rerun's reason escaped
// (no newline or terminal escape reaches the terminal); a bad flag value
// is one line, not the whole usage; one bad row is "1 bad row"; seed
// without --sales writes nothing.
func TestSmallMessages(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.mustRun("migrate")

	code, out, errs := c.run("seed")
	if code != 2 || !strings.Contains(errs, "--sales") {
		t.Errorf("seed without --sales: exit %d, stderr %q", code, errs)
	}
	if n := strings.TrimSpace(c.mustRun("status")); n != "no runs yet" {
		t.Errorf("status after refused seed: %q", n)
	}
	var sales int
	db := storetest.Open(t, c.env["DATABASE_URL"])
	if err := db.DB.Get(&sales, `SELECT count(*) FROM sales`); err != nil || sales != 0 {
		t.Errorf("seed without --sales wrote %d sales (%v)", sales, err)
	}

	for _, args := range [][]string{{"run", "--date", "2026-03-03", "--wait", "soon"}, {"status", "--limit", "x"}, {"load", "--nosuchflag", "dir"}} {
		code, out, errs = c.run(args...)
		if code != 2 || strings.Count(strings.TrimSpace(errs), "\n") != 0 || strings.Contains(errs, "Usage") || out != "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line", args, code, errs)
		}
	}
	if code, _, errs := c.run("status", "--help"); code != 0 || !strings.Contains(errs, "Usage: payouts status") || !strings.Contains(errs, "-limit") {
		t.Errorf("status --help: exit %d, %q", code, errs)
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "participants.csv"), []byte("participant_id,name\nok1,Ana\nbad/1,Bruno\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := c.run("load", dir); code != 1 || !strings.Contains(errs, ": 1 bad row; nothing was written") {
		t.Errorf("one bad row: exit %d, stderr %q", code, errs)
	}

	c.mustRun("load", "../../testdata/examples/basic")
	c.mustRun("run", "--date", "2026-03-03")
	c.mustRun("rerun", "--date", "2026-03-03", "--reason", "audit\nnightly-20260999  2099-01-01  forged\x1b[2J\x1b]0;x\x07\u202e")
	out = c.mustRun("status")
	if strings.ContainsAny(out, "\x1b\x07\u202e") || strings.Contains(out, "\nnightly-20260999") ||
		strings.Count(strings.SplitN(out, "\n\n", 2)[0], "\n") != 2 { // the runs table: header and two runs (then payout items by state)
		t.Errorf("status prints the reason raw:\n%s", out)
	}
	if !strings.Contains(out, `audit\x0anightly-20260999`) {
		t.Errorf("status does not show the reason escaped:\n%s", out)
	}
}

// TestDemoInstallsOnlyWhatItUses (issue 15.13): make demo ensures only
// PostgreSQL; make test ensures everything the tests need (LibreOffice
// for the workbook tests, xmllint for pain.001).
func TestDemoInstallsOnlyWhatItUses(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("make", "-C", "../..", "-n", "demo").CombinedOutput()
	if err != nil {
		t.Fatalf("make -n demo: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), ".ci/ensure-tools demo") {
		t.Errorf("make demo does not ensure only the demo's tools:\n%s", out)
	}
	out, err = exec.Command("make", "-C", "../..", "-n", "test").CombinedOutput()
	if err != nil || !strings.Contains(string(out), ".ci/ensure-tools test") {
		t.Errorf("make test does not ensure the tests' tools (%v):\n%s", err, out)
	}

	// a machine with bash and nothing else on its PATH
	bin := t.TempDir()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(bash, filepath.Join(bin, "bash")); err != nil {
		t.Fatal(err)
	}
	ensure := func(args ...string) string {
		cmd := exec.Command("../../.ci/ensure-tools", args...)
		cmd.Env = []string{"PATH=" + bin, "ENSURE_TOOLS_DRY_RUN=1", "DATABASE_URL=postgres://db/x"}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("ensure-tools %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if got := ensure("demo"); got != "" {
		t.Errorf("ensure-tools demo with DATABASE_URL set: %q, want nothing to install", got)
	}
	for _, args := range [][]string{{}, {"test"}} {
		if got := ensure(args...); !strings.Contains(got, "libreoffice-calc-nogui") || !strings.Contains(got, "libxml2-utils") {
			t.Errorf("ensure-tools %v: %q, want LibreOffice and xmllint", args, got)
		}
	}
}

// TestReversedEventIsImmutable (issue 15.2): once a run has taken a
// refund, a load that changes its amount or moves it to another sale is
// refused with FILE:LINE naming the run, and nothing is written; the same
// row again, or a new event, loads.
func TestReversedEventIsImmutable(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.mustRun("migrate")
	c.mustRun("load", "../../testdata/examples/basic")
	c.mustRun("run", "--date", "2026-03-03")
	c.mustRun("run", "--date", "2026-03-20") // takes e1 (chargeback of s11) and e2 (refund of s12)
	header := "event_id,sale_id,kind,amount,occurred_at\n"
	for _, tc := range []struct{ row, want string }{
		{"e2,s12,refund,25.00,2026-03-20T11:00:00-03:00", `sale_events.csv:2: event_id: event "e2" was reversed by run nightly-20260320 and cannot change (amount 30.00 to 25.00); a correction is a new event with its own event_id`},
		{"e2,s01,refund,30.00,2026-03-20T11:00:00-03:00", `sale_events.csv:2: event_id: event "e2" was reversed by run nightly-20260320 and cannot change (sale s12 to s01); a correction is a new event with its own event_id`},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "sale_events.csv"), []byte(header+tc.row+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, errs := c.run("load", dir)
		if code != 1 || !strings.Contains(errs, tc.want+"\n") || !strings.Contains(errs, "1 bad row; nothing was written") {
			t.Errorf("load %s: exit %d, stderr %q; want %q", tc.row, code, errs, tc.want)
		}
	}
	db := storetest.Open(t, c.env["DATABASE_URL"])
	var amount, sale string
	if err := db.DB.QueryRow(`SELECT amount::text, sale_id FROM sale_events WHERE event_id = 'e2'`).Scan(&amount, &sale); err != nil || amount != "30.00" || sale != "s12" {
		t.Errorf("e2 is now %s of %s (%v)", amount, sale, err)
	}
	if _, err := db.DB.Exec(`UPDATE sale_events SET amount = 25 WHERE event_id = 'e2'`); err == nil || !strings.Contains(err.Error(), "nightly-20260320") {
		t.Errorf("a direct UPDATE of a reversed event: %v", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sale_events.csv"), []byte(header+
		"e2,s12,refund,30.00,2026-03-20T11:00:00-03:00\ne3,s12,refund,5.00,2026-03-21T11:00:00-03:00\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.mustRun("load", dir)
}

// TestLoadNamesDatesToRerun (issue 15.2): a load that changes sales a run
// already paid says which business dates need a rerun.
func TestLoadNamesDatesToRerun(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.mustRun("migrate")
	c.mustRun("load", "../../testdata/examples/basic")
	c.mustRun("run", "--date", "2026-03-03")
	if out := c.mustRun("load", "../../testdata/examples/basic"); strings.Contains(out, "rerun") {
		t.Errorf("reloading unchanged data asks for a rerun: %q", out)
	}
	data, err := os.ReadFile("../../testdata/examples/basic/sales.csv")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	changed := strings.Replace(string(data), "s01,p1,BRL,100.00,10.40", "s01,p1,BRL,100.00,9.40", 1)
	if changed == string(data) {
		t.Fatal("s01 not found")
	}
	if err := os.WriteFile(filepath.Join(dir, "sales.csv"), []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	out := c.mustRun("load", dir)
	if !strings.Contains(out, "changed 1 sale already paid: rerun business dates 2026-03-03") {
		t.Errorf("load of a changed paid sale: %q", out)
	}
}
