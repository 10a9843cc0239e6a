package main

import (
	"strings"
	"testing"
	"time"
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
