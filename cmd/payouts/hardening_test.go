package main

import (
	"strings"
	"testing"
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
