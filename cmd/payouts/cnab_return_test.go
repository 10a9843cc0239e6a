package main

import (
	"path/filepath"
	"strings"
	"testing"

	"payouts/internal/storetest"
)

// TestCNABReturnFilesThroughTheCLI (issue 14): the bank's CNAB 240 return
// files of the basic example's runs are imported with import-status,
// matched through the short reference written in "seu número": all paid;
// some rejected with their occurrence codes; one naming a reference we
// never wrote and one with another amount are refused whole, naming the
// file and the reference, and change nothing.
func TestCNABReturnFilesThroughTheCLI(t *testing.T) {
	t.Parallel()
	bin := payoutsBinary(t)
	returns := filepath.Join("..", "..", "testdata", "cnab240", "return")
	setup := func(t *testing.T, dates ...string) *proc {
		p := newProc(t, bin, storetest.NewURL(t), t.TempDir())
		p.mustRun("migrate")
		p.mustRun("load", "../../testdata/examples/basic")
		for _, d := range dates {
			p.mustRun("run", "--date", d)
		}
		return p
	}

	t.Run("all paid, then a refused amount and an unknown reference", func(t *testing.T) {
		t.Parallel()
		p := setup(t, "2026-03-03", "2026-03-20", "2026-04-04", "2026-07-03")
		o := p.mustRun("import-status", filepath.Join(returns, "nightly-20260303-all-paid.ret"))
		if !strings.Contains(o, "cnab240-return") || !strings.Contains(o, "items changed") {
			t.Errorf("all paid:\n%s", o)
		}
		paid := p.mustRun("items", "--state", "paid", "--run", "nightly-20260303")
		if n := strings.Count(paid, "nightly-20260303-BRL-"); n != 6 {
			t.Errorf("%d BRL items of 2026-03-03 paid, want 6:\n%s", n, paid)
		}
		before := p.mustRun("items", "--run", "nightly-20260404")
		for _, tc := range []struct{ file, want string }{
			{"nightly-20260404-amount-differs.ret", "amount"},
			{"nightly-20260703-unknown-reference.ret", "no payout item has this reference"},
		} {
			out, err := p.command("import-status", filepath.Join(returns, tc.file)).CombinedOutput()
			if err == nil || !strings.Contains(string(out), tc.file) || !strings.Contains(string(out), tc.want) ||
				!strings.Contains(string(out), "nothing imported") {
				t.Errorf("%s: %v\n%s", tc.file, err, out)
			}
		}
		if after := p.mustRun("items", "--run", "nightly-20260404"); after != before {
			t.Errorf("a refused return changed items:\nbefore\n%s\nafter\n%s", before, after)
		}
	})

	t.Run("some rejected", func(t *testing.T) {
		t.Parallel()
		p := setup(t, "2026-03-03")
		p.mustRun("import-status", filepath.Join(returns, "nightly-20260303-some-rejected.ret"))
		rejected := p.mustRun("items", "--state", "rejected")
		if !strings.Contains(rejected, "nightly-20260303-BRL-") || !strings.Contains(rejected, "AG") {
			t.Errorf("items --state rejected:\n%s", rejected)
		}
		// The next run credits them back and holds them until the account changes.
		p.mustRun("run", "--date", "2026-03-20")
		o := p.mustRun("discrepancies", "--open", "--kind", "PAYOUT_RETURNED")
		if !strings.Contains(o, "PAYOUT_RETURNED") {
			t.Errorf("no PAYOUT_RETURNED after rejected CNAB items:\n%s", o)
		}
	})
}
