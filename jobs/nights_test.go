package jobs

import (
	"path/filepath"
	"strings"
	"testing"
)

// The tests of a year of nights (issue 11): a run looks only at what
// changed since it last looked, and discrepancies.csv lists what the run
// opened, re-opened or resolved, with the age it reached.

// TestHeldSaleRetriedOnlyWhenItsInputsOrThePolicyChange: s13 is held
// (CAP_EXCEEDED) on 2026-03-03. A run with nothing changed does not decide
// it again: the hold keeps its last run and the discrepancy stays open
// without being reported again (the workbook lists it as an open blocking
// item). A run under another cap retries it and pays it.
func TestHeldSaleRetriedOnlyWhenItsInputsOrThePolicyChange(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	runDate(t, st, cfg, "2026-03-03")
	res := runDate(t, st, cfg, "2026-03-20")
	var last string
	if err := st.DB.Get(&last, `SELECT last_run FROM holds WHERE sale_id = 's13'`); err != nil || last != "nightly-20260303" {
		t.Errorf("s13's hold was last decided by %q (%v), want nightly-20260303: nothing changed, it must not be retried", last, err)
	}
	for _, r := range readCSV(t, filepath.Join(res.Dir, "discrepancies.csv")) {
		if r["sale_id"] == "s13" {
			t.Errorf("s13 reported again by a run that did not look at it: %v", r)
		}
	}
	var reported string
	if err := st.DB.Get(&reported, `SELECT state || ' ' || opened_business_date || ' ' || age_days FROM run_discrepancies
		WHERE run_id = 'nightly-20260320' AND sale_id = 's13' AND kind = 'CAP_EXCEEDED'`); err != nil || reported != "open 2026-03-03 17" {
		t.Errorf("s13 in the run's report: %q (%v), want it listed as an open blocking item, 17 days old", reported, err)
	}

	cfg.Policy.MaxCoproducerShare = cfg.Policy.MaxCoproducerShare * 90 / 70
	res = runDate(t, st, cfg, "2026-04-04")
	lines := readCSVColumns(t, filepath.Join(res.Dir, "participants", "*.csv"), "", "sale_id", "participant_id", "amount")
	for _, want := range []string{"s13,cop2,17.84", "s13,cop3,17.84", "s13,lead1,8.92"} {
		if !contains(lines, want) {
			t.Errorf("under a 90%% cap s13 is not held: missing %s in %v", want, lines)
		}
	}
	disc := readCSVColumns(t, filepath.Join(res.Dir, "discrepancies.csv"), "", "kind", "sale_id", "state", "age_days")
	if !contains(disc, "CAP_EXCEEDED,s13,resolved,32") {
		t.Errorf("CAP_EXCEEDED s13 not reported resolved at 32 days: %v", disc)
	}
}

// TestOpenTaxDiscrepancyCheckedAgainOnlyWhenItsInputsChange: the basic
// example has no invoices, so every sale of 2026-03-03 is MISSING_INVOICE.
// The next run does not check them again (their last_seen_run stays); an
// invoice imported for s01 sends s01 back, and the run after resolves it
// at 32 days; cancelling that invoice re-opens it, with a new age.
func TestOpenTaxDiscrepancyCheckedAgainOnlyWhenItsInputsChange(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	first := runDate(t, st, cfg, "2026-03-03")
	opened := readCSVColumns(t, filepath.Join(first.Dir, "discrepancies.csv"), "", "kind", "sale_id", "state", "opened_business_date", "age_days")
	if !contains(opened, "MISSING_INVOICE,s01,opened,2026-03-03,0") {
		t.Fatalf("first run: %v", opened)
	}
	runDate(t, st, cfg, "2026-03-20")
	var last string
	if err := st.DB.Get(&last, `SELECT last_seen_run FROM discrepancies WHERE kind = 'MISSING_INVOICE' AND sale_id = 's01'`); err != nil || last != "nightly-20260303" {
		t.Errorf("MISSING_INVOICE s01 last seen by %q (%v): a run re-checked it though nothing changed", last, err)
	}
	invoice(t, st, "inv-s01", lead1Tax, "s01", "100.00", "BRL", "active")
	res := runDate(t, st, cfg, "2026-04-04")
	disc := readCSVColumns(t, filepath.Join(res.Dir, "discrepancies.csv"), "", "kind", "sale_id", "state", "opened_business_date", "age_days")
	if !contains(disc, "MISSING_INVOICE,s01,resolved,2026-03-03,32") {
		t.Errorf("after the invoice: %v", disc)
	}
	for _, d := range disc {
		if d != "MISSING_INVOICE,s01,resolved,2026-03-03,32" && strings.Contains(d, ",2026-03-03,") {
			t.Errorf("a discrepancy whose inputs did not change is reported again: %s", d)
		}
	}
	mustExec(t, st, `UPDATE tax_records SET status = 'cancelled' WHERE invoice_id = 'inv-s01'`)
	res = runDate(t, st, cfg, "2026-07-03")
	disc = readCSVColumns(t, filepath.Join(res.Dir, "discrepancies.csv"), "", "kind", "sale_id", "state", "opened_business_date", "age_days")
	if !contains(disc, "MISSING_INVOICE,s01,reopened,2026-07-03,0") {
		t.Errorf("after the invoice was cancelled: %v", disc)
	}
}

// TestBacklogLedgerCountsTheOpenDiscrepancies: the backlog ledger
// (migration 0015) holds, per kind, blocking flag, currency and opening
// run, exactly the open discrepancies, through openings, a resolution, a
// re-opening, a held sale paid under another cap and a blocking flag that
// changes with the settings; and each run's Backlog rows are those the
// open discrepancies give when grouped directly.
func TestBacklogLedgerCountsTheOpenDiscrepancies(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	agrees := func(when, runID string) {
		t.Helper()
		var diff []string
		if err := st.DB.Select(&diff, `SELECT coalesce(l.kind, d.kind) || ' ' || coalesce(l.blocking, d.blocking)::text || ' '
				|| coalesce(l.currency, d.currency) || ' ' || coalesce(l.opened_run, d.opened_run) || ': ledger '
				|| coalesce(l.n, 0)::text || ', discrepancies ' || coalesce(d.n, 0)::text
			FROM (SELECT kind, blocking, currency, opened_run, sum(n) AS n FROM discrepancy_backlog_ledger GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0) l
			FULL JOIN (SELECT kind, blocking, coalesce(currency, '') AS currency, opened_run, count(*) AS n FROM discrepancies
				WHERE resolved_run IS NULL GROUP BY 1, 2, 3, 4) d
				ON d.kind = l.kind AND d.blocking = l.blocking AND d.currency = l.currency AND d.opened_run = l.opened_run
			WHERE l.n IS DISTINCT FROM d.n`); err != nil {
			t.Fatal(err)
		}
		if len(diff) > 0 {
			t.Errorf("%s: the backlog ledger and the open discrepancies disagree:\n%s", when, strings.Join(diff, "\n"))
		}
		var sheet, direct int
		if err := st.DB.Get(&sheet, `SELECT coalesce(sum(count), 0) FROM run_backlog WHERE run_id = $1`, runID); err != nil {
			t.Fatal(err)
		}
		if err := st.DB.Get(&direct, `SELECT count(*) FROM discrepancies WHERE resolved_run IS NULL`); err != nil {
			t.Fatal(err)
		}
		if sheet != direct || sheet == 0 {
			t.Errorf("%s: run %s's backlog counts %d open discrepancies, the table has %d", when, runID, sheet, direct)
		}
	}
	runDate(t, st, cfg, "2026-03-03")
	agrees("first run", "nightly-20260303")
	invoice(t, st, "inv-s01", lead1Tax, "s01", "100.00", "BRL", "active")
	runDate(t, st, cfg, "2026-03-20")
	agrees("an invoice resolved MISSING_INVOICE s01", "nightly-20260320")
	mustExec(t, st, `UPDATE tax_records SET status = 'cancelled' WHERE invoice_id = 'inv-s01'`)
	cfg.Policy.MaxCoproducerShare = cfg.Policy.MaxCoproducerShare * 90 / 70
	runDate(t, st, cfg, "2026-04-04")
	agrees("re-opened, and the capped sale paid under a 90% cap", "nightly-20260404")
}
