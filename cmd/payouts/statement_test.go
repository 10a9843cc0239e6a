package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"payouts/reconcile"
	"payouts/reports/sheettest"
)

// expectedFor sums the basic example's expected rows of a participant
// in one currency (amount column), and counts them.
func expectedFor(t *testing.T, file, participant, currency string) (n int, sum int64) {
	t.Helper()
	f, err := os.Open(filepath.Join("../../testdata/examples/basic", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	cur, _ := reconcile.LookupCurrency(currency)
	for _, r := range recs[1:] {
		if r[col["participant_id"]] != participant || r[col["currency"]] != currency {
			continue
		}
		v, err := reconcile.ParseAmount(r[col["amount"]], cur)
		if err != nil {
			t.Fatal(err)
		}
		n++
		sum += v
	}
	return n, sum
}

// TestStatementCommand runs the basic example's four dates and asks for
// cop1's statement over all of them: its lines and payouts are the
// expected ones, and its live totals recompute to them.
func TestStatementCommand(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.mustRun("migrate")
	c.mustRun("load", "../../testdata/examples/basic")
	for _, d := range []string{"2026-03-03", "2026-03-20", "2026-04-04", "2026-07-03"} {
		c.mustRun("run", "--date", d)
	}
	out := filepath.Join(t.TempDir(), "cop1.xlsx")
	msg := c.mustRun("statement", "--participant", "cop1", "--from", "2026-03-01", "--to", "2026-07-31", "--out", out)
	if !strings.Contains(msg, "4 runs") || !strings.Contains(msg, out) {
		t.Errorf("statement says %q", msg)
	}
	fi, err := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("statement file: %v, %v", fi, err)
	}

	own, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	rows, err := own.GetRows("Lines")
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]int{}
	for _, r := range rows {
		if len(r) > 11 && strings.HasPrefix(r[0], "2026-") {
			lines[r[8]]++
		}
	}
	f := sheettest.Recalc(t, out)
	for _, code := range []string{"BRL", "JPY"} {
		cur, _ := reconcile.LookupCurrency(code)
		nLines, wantLines := expectedFor(t, "expected_lines.csv", "cop1", code)
		_, wantPayouts := expectedFor(t, "expected_payouts.csv", "cop1", code)
		if lines[code] != nLines {
			t.Errorf("%s: %d lines listed, %d expected", code, lines[code], nLines)
		}
		col := sheettest.Find(t, f, "Statement", code)
		if col == "" {
			t.Fatalf("Statement has no %s column", code)
		}
		c, _, _ := excelize.SplitCellName(col)
		for label, want := range map[string]int64{"Lines total": wantLines, "Payouts": wantPayouts,
			"Check: opening + lines - payouts - closing (0)": 0} {
			_, r, _ := excelize.SplitCellName(sheettest.Find(t, f, "Statement", label))
			if got := sheettest.Minor(t, f, "Statement", fmt.Sprintf("%s%d", c, r), cur.Minor); got != want {
				t.Errorf("%s %s: LibreOffice computes %d, want %d", code, label, got, want)
			}
		}
	}

	// The same statement again is the same file.
	again := filepath.Join(t.TempDir(), "again.xlsx")
	c.mustRun("statement", "--participant", "cop1", "--from", "2026-03-01", "--to", "2026-07-31", "--out", again)
	a, _ := os.ReadFile(out)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Error("the same statement twice differs")
	}
	// A period without runs still gives a statement, saying so.
	empty := filepath.Join(t.TempDir(), "empty.xlsx")
	if msg := c.mustRun("statement", "--participant", "cop1", "--from", "2025-01-01", "--to", "2025-01-31", "--out", empty); !strings.Contains(msg, "0 runs, 0 lines, 0 payouts") {
		t.Errorf("empty period: %q", msg)
	}
}

func TestStatementCommandErrors(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.mustRun("migrate")
	c.mustRun("load", "../../testdata/examples/basic")
	out := filepath.Join(t.TempDir(), "s.xlsx")
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--participant", "cop1", "--from", "2026-03-01", "--to", "2026-03-31"}, 2, "--out"},
		{[]string{"--participant", "cop1", "--from", "2026-03-01", "--to", "2026-03-31", "--out", "s.csv"}, 2, "FILE.xlsx"},
		{[]string{"--participant", "cop1", "--from", "2026-03-31", "--to", "2026-03-01", "--out", out}, 2, "before"},
		{[]string{"--participant", "cop1", "--to", "2026-03-01", "--out", out}, 2, "--from"},
		{[]string{"--participant", "nobody", "--from", "2026-03-01", "--to", "2026-03-31", "--out", out}, 1, `no participant "nobody"`},
	} {
		code, _, stderr := c.run(append([]string{"statement"}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) {
			t.Errorf("statement %v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, tc.code, tc.msg)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed statement left %s", out)
	}
}
