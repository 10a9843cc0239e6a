package main

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"payouts/internal/storetest"
	"payouts/reports/sheettest"
	"payouts/sql/store"
)

// TestPayoutsThatComeBack runs issue 13's story through the binary over
// several business days: a run pays 6 BRL items; the bank rejects 2
// (AC01, AC04), pays 3 and leaves 1 pending; the next run credits the 2
// back and holds them (PAYOUT_RETURNED); a camt.054 returns one of the
// paid items; the accounts are corrected with payouts load; the following
// run pays each of them once, with new references; the pending item is
// PAYOUT_UNCONFIRMED on the fifth business day after its requested
// execution date, and resolved by its final status. Totals tie out every
// day.
func TestPayoutsThatComeBack(t *testing.T) {
	t.Parallel()
	bin := payoutsBinary(t)
	dbURL := storetest.NewURL(t)
	out := t.TempDir()
	p := newProc(t, bin, dbURL, out)
	st := storetest.Open(t, dbURL)
	status := filepath.Join("..", "..", "testdata", "status")
	p.mustRun("migrate")
	p.mustRun("load", "../../testdata/examples/basic")

	run := func(date string) string {
		t.Helper()
		p.mustRun("run", "--date", date)
		tieOut(t, st, date)
		return filepath.Join(out, date, "nightly-"+strings.ReplaceAll(date, "-", ""))
	}
	dir := run("2026-03-03")
	items := providerRows(t, filepath.Join(dir, "provider", "nightly-20260303-BRL.csv"))
	if len(items) != 6 {
		t.Fatalf("run 2026-03-03 paid %d BRL items, want 6", len(items))
	}

	// The bank's status report: 000001 AC01, 000002 AC04, three paid, one pending.
	o := p.mustRun("import-status", filepath.Join(status, "pain.002.001.03.ch.02.xml"), filepath.Join(status, "status-jpy.csv"))
	if !strings.Contains(o, "pain.002, import 1: 6 reports, 6 items changed") || !strings.Contains(o, "status-csv, import 2: 3 reports, 3 items changed") {
		t.Errorf("import-status:\n%s", o)
	}
	o = p.mustRun("import-status", filepath.Join(status, "pain.002.001.03.ch.02.xml"))
	if !strings.Contains(o, "already imported as import 1") {
		t.Errorf("second import: %s", o)
	}
	tieOut(t, st, "after the pain.002")
	o = p.mustRun("items", "--state", "rejected")
	for _, want := range []string{"nightly-20260303-BRL-000001", "AC01 Kontonummer ungueltig", "nightly-20260303-BRL-000002", "AC04 closed account number"} {
		if !strings.Contains(o, want) {
			t.Errorf("items --state rejected lacks %q:\n%s", want, o)
		}
	}

	// The next run credits the two back and holds them.
	dir = run("2026-03-04")
	disc := discrepancyRows(t, dir)
	for _, who := range []string{"aff1", "cop1"} {
		if !hasRow(disc, "PAYOUT_RETURNED,true,"+who+",BRL") {
			t.Errorf("run 2026-03-04: no blocking PAYOUT_RETURNED for %s:\n%s", who, strings.Join(disc, "\n"))
		}
	}
	assertCredited(t, st, "nightly-20260304", map[string]int64{"nightly-20260303-BRL-000001": 20072, "nightly-20260303-BRL-000002": 15742})
	assertNotPaid(t, dir, "aff1", "cop1")

	// A camt.054 returns a paid item (lead1's 788.84).
	p.mustRun("import-status", filepath.Join(status, "camt.054.001.04.xml"))
	tieOut(t, st, "after the camt.054")
	dir = run("2026-03-05")
	assertCredited(t, st, "nightly-20260305", map[string]int64{"nightly-20260303-BRL-000005": 78884})
	disc = discrepancyRows(t, dir)
	if !hasRow(disc, "PAYOUT_RETURNED,true,lead1,BRL") {
		t.Errorf("run 2026-03-05: no PAYOUT_RETURNED for lead1:\n%s", strings.Join(disc, "\n"))
	}
	assertNotPaid(t, dir, "aff1", "cop1", "lead1")

	// Accounts corrected; the following run pays each once, new references.
	fixed := t.TempDir()
	body, err := os.ReadFile("../../testdata/examples/basic/participants.csv")
	if err != nil {
		t.Fatal(err)
	}
	// The basic example's accounts are BRANCH-ACCOUNT-DIGIT (issue 14).
	b := strings.NewReplacer("0004-00333333-4,260", "0004-00999999-4,260", "0001-00654321-0,237", "0009-00654321-0,237",
		"0001-00123456-7,341", "0001-00777777-7,341").Replace(string(body))
	if err := os.WriteFile(filepath.Join(fixed, "participants.csv"), []byte(b), 0o600); err != nil {
		t.Fatal(err)
	}
	p.mustRun("load", fixed)
	dir = run("2026-03-06")
	paid := providerRows(t, filepath.Join(dir, "provider", "nightly-20260306-BRL.csv"))
	for who, atLeast := range map[string]int64{"aff1": 20072, "cop1": 15742, "lead1": 78884} {
		r, ok := paid[who]
		if !ok || r.amount < atLeast || !strings.HasPrefix(r.reference, "nightly-20260306-BRL-") {
			t.Errorf("run 2026-03-06 pays %s %+v, want at least %d under a new reference", who, r, atLeast)
		}
	}
	if disc = discrepancyRows(t, dir); hasRow(disc, "PAYOUT_RETURNED") {
		t.Errorf("PAYOUT_RETURNED still open after the accounts changed:\n%s", strings.Join(disc, "\n"))
	}
	for _, who := range []string{"aff1", "cop1", "lead1"} {
		if res := resolvedRows(t, dir); !hasRow(res, "PAYOUT_RETURNED,"+who) {
			t.Errorf("run 2026-03-06 does not report PAYOUT_RETURNED of %s resolved: %v", who, res)
		}
	}
	var released int
	st.DB.Get(&released, `SELECT count(*) FROM payout_credits WHERE released_run = 'nightly-20260306'`)
	if released != 3 {
		t.Errorf("%d credits released by nightly-20260306, want 3", released)
	}
	dir = run("2026-03-09")
	if paid := providerRows(t, filepath.Join(dir, "provider", "nightly-20260309-BRL.csv")); len(paid) > 0 {
		t.Errorf("run 2026-03-09 pays again: %+v", paid)
	}

	// The pending item: requested for 2026-03-04, unconfirmed on 2026-03-11.
	dir = run("2026-03-10")
	if hasRow(discrepancyRows(t, dir), "PAYOUT_UNCONFIRMED") {
		t.Error("PAYOUT_UNCONFIRMED a day early")
	}
	dir = run("2026-03-11")
	if disc = discrepancyRows(t, dir); !hasRow(disc, "PAYOUT_UNCONFIRMED,false,mgr1,BRL") || !strings.Contains(strings.Join(disc, "\n"), "nightly-20260303-BRL-000006") {
		t.Errorf("run 2026-03-11: no PAYOUT_UNCONFIRMED for nightly-20260303-BRL-000006:\n%s", strings.Join(disc, "\n"))
	}
	p.mustRun("import-status", filepath.Join(status, "status-pending-paid.csv"))
	dir = run("2026-03-12")
	if strings.Contains(strings.Join(discrepancyRows(t, dir), "\n"), "nightly-20260303-BRL-000006") {
		t.Error("PAYOUT_UNCONFIRMED of nightly-20260303-BRL-000006 still open after it was paid")
	}
	// aff1's statement over the days: the credited-back amount is in it,
	// and its check is 0 (LibreOffice recomputes it).
	stmt := filepath.Join(t.TempDir(), "aff1.xlsx")
	p.mustRun("statement", "--participant", "aff1", "--from", "2026-03-03", "--to", "2026-03-12", "--out", stmt)
	f := sheettest.Recalc(t, stmt)
	for label, want := range map[string]int64{"Returned (credited back)": 20072,
		"Check: opening + returned + lines - payouts - closing (0)": 0} {
		if got := sheettest.Minor(t, f, "Statement", sheettest.Cell(t, f, "Statement", label, "BRL"), 2); got != want {
			t.Errorf("aff1's statement: %s = %d, want %d", label, got, want)
		}
	}
	o = p.mustRun("status")
	if flat := strings.Join(strings.Fields(o), " "); !strings.Contains(flat, "Payout items by state:") ||
		!strings.Contains(flat, "nightly-20260303 BRL 6 1179.00 32.02 358.14 788.84 0.00") ||
		!strings.Contains(flat, "nightly-20260306 BRL 3 1146.98 0.00 0.00 0.00 1146.98") {
		t.Errorf("status:\n%s", o)
	}
}

type providerRow struct {
	reference string
	amount    int64
}

// providerRows reads a provider CSV by participant; a missing file is no rows.
func providerRows(t *testing.T, path string) map[string]providerRow {
	t.Helper()
	out := map[string]providerRow{}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return out
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[1:] {
		amt := strings.Replace(r[5], ".", "", 1)
		var v int64
		for _, c := range amt {
			v = v*10 + int64(c-'0')
		}
		out[r[0]] = providerRow{reference: r[6], amount: v}
	}
	return out
}

// discrepancyRows are a run's discrepancies as kind,blocking,participant,currency,detail.
func discrepancyRows(t *testing.T, dir string) []string {
	t.Helper()
	// What the run found: discrepancies.csv also lists what it resolved
	// (state resolved, SPEC 7), which is checked by resolvedRows.
	var out []string
	for _, r := range discrepancyCSV(t, dir) {
		if r["state"] != "resolved" {
			out = append(out, strings.Join([]string{r["kind"], r["blocking"], r["participant_id"], r["currency"], r["detail"]}, ","))
		}
	}
	return out
}

// resolvedRows lists "KIND,participant" of what a run resolved.
func resolvedRows(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, r := range discrepancyCSV(t, dir) {
		if r["state"] == "resolved" {
			out = append(out, r["kind"]+","+r["participant_id"])
		}
	}
	return out
}

// discrepancyCSV reads a run's discrepancies.csv, one map per row.
func discrepancyCSV(t *testing.T, dir string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "discrepancies.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func hasRow(rows []string, prefix string) bool {
	for _, r := range rows {
		if strings.HasPrefix(r, prefix) {
			return true
		}
	}
	return false
}

func assertCredited(t *testing.T, st *store.Store, runID string, want map[string]int64) {
	t.Helper()
	var rows []struct {
		Reference string `db:"reference"`
		Amount    int64  `db:"amount"`
	}
	if err := st.DB.Select(&rows, `SELECT reference, amount FROM payout_credits WHERE run_id = $1`, runID); err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, r := range rows {
		got[r.Reference] = r.Amount
	}
	if len(got) != len(want) {
		t.Errorf("run %s credited back %v, want %v", runID, got, want)
	}
	for ref, a := range want {
		if got[ref] != a {
			t.Errorf("run %s credited back %s: %d, want %d", runID, ref, got[ref], a)
		}
	}
}

func assertNotPaid(t *testing.T, dir string, who ...string) {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(dir, "provider", "*-BRL.csv"))
	for _, path := range paths {
		rows := providerRows(t, path)
		for _, w := range who {
			if r, ok := rows[w]; ok {
				t.Errorf("%s pays %s %+v while the returned payout is held", path, w, r)
			}
		}
	}
}

// tieOut checks the money of every currency: everything participants
// earned (all lines) plus everything credited back equals everything ever
// issued plus what they carry; and issued = paid + rejected + returned +
// outstanding.
func tieOut(t *testing.T, st *store.Store, when string) {
	t.Helper()
	var bad []string
	err := st.DB.SelectContext(context.Background(), &bad, `
		WITH cur AS (SELECT currency FROM lines UNION SELECT currency FROM payout_items UNION SELECT currency FROM carried_balances),
		l AS (SELECT currency, sum(amount) AS v FROM lines GROUP BY currency),
		c AS (SELECT currency, sum(amount) AS v FROM payout_credits GROUP BY currency),
		i AS (SELECT currency, sum(amount) AS v,
			sum(amount) FILTER (WHERE state IN ('paid', 'rejected', 'returned', 'issued', 'accepted')) AS parts FROM payout_items GROUP BY currency),
		k AS (SELECT currency, sum(amount) AS v FROM carried_balances GROUP BY currency)
		SELECT cur.currency || ': lines ' || coalesce(l.v, 0) || ' + credited ' || coalesce(c.v, 0) || ' <> issued ' || coalesce(i.v, 0) || ' + carried ' || coalesce(k.v, 0)
		FROM cur LEFT JOIN l USING (currency) LEFT JOIN c USING (currency) LEFT JOIN i USING (currency) LEFT JOIN k USING (currency)
		WHERE coalesce(l.v, 0) + coalesce(c.v, 0) <> coalesce(i.v, 0) + coalesce(k.v, 0) OR coalesce(i.v, 0) <> coalesce(i.parts, 0)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Errorf("%s: totals do not tie out: %s", when, b)
	}
}
