package jobs

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"payouts/sql/store"
)

// Tax ids of the basic example: lead1 has 11144477735 and cop1 52998224725
// (both valid CPFs); the others have none.
const (
	lead1Tax = "111.444.777-35" // written with punctuation on purpose
	cop1Tax  = "52998224725"
	lead2Tax = "11222333000181" // a second lead producer, added by withSecondLead
)

// envConfig is testConfig with the given PAYOUTS_* settings.
func envConfig(t *testing.T, env map[string]string) Config {
	t.Helper()
	cfg, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.OutDir = t.TempDir()
	cfg.BatchSize = 7
	return cfg
}

func mustExec(t *testing.T, st *store.Store, q string, args ...any) {
	t.Helper()
	if _, err := st.DB.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// invoice inserts one tax record issued on 2026-03-03.
func invoice(t *testing.T, st *store.Store, id, issuer, saleID, amount, currency, status string) {
	t.Helper()
	var sale any
	if saleID != "" {
		sale = saleID
	}
	mustExec(t, st, `INSERT INTO tax_records (invoice_id, issuer_tax_id, sale_id, issued_at, amount, currency, status)
		VALUES ($1, $2, $3, '2026-03-03T09:00:00-03:00', $4, $5, $6)`, id, issuer, sale, amount, currency, status)
}

// correctInvoices gives every sale of the basic example settled by
// 2026-03-20 one correct invoice, so a test sees only what it breaks.
func correctInvoices(t *testing.T, st *store.Store, except ...string) {
	t.Helper()
	skip := map[string]bool{}
	for _, s := range except {
		skip[s] = true
	}
	var sales []struct {
		ID, Gross, Currency string
	}
	if err := st.DB.Select(&sales, `SELECT sale_id AS id, gross::text AS gross, currency FROM sales ORDER BY sale_id`); err != nil {
		t.Fatal(err)
	}
	for _, s := range sales {
		if !skip[s.ID] {
			invoice(t, st, "inv-"+s.ID, lead1Tax, s.ID, s.Gross, s.Currency, "active")
		}
	}
}

// withSecondLead adds lead producer lead2 (valid CNPJ) with product p9.
func withSecondLead(t *testing.T, st *store.Store) {
	t.Helper()
	mustExec(t, st, `INSERT INTO participants (participant_id, name, tax_id, payout_account) VALUES ('lead2', 'Lia Costa', $1, '0009-1')`, lead2Tax)
	mustExec(t, st, `INSERT INTO products (product_id, name, lead_producer_id) VALUES ('p9', 'Outro', 'lead2')`)
}

// seenByRun lists what a run sees, as "KIND sale invoice participant"
// (empty fields left out) plus the blocking flag when true: the
// discrepancies open after it (the worklist of `payouts discrepancies
// --open`) and the notices it opened and closed at once (discrepancies.csv,
// state opened). discrepancies.csv held this list before it listed only
// what a run opened, re-opened or resolved (SPEC 7); these tests of what
// is open kept their meaning.
func seenByRun(t *testing.T, st *store.Store, res Result) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	add := func(d map[string]string) {
		parts := []string{d["kind"]}
		for _, c := range []string{"sale_id", "invoice_id", "participant_id"} {
			if d[c] != "" {
				parts = append(parts, d[c])
			}
		}
		if d["blocking"] == "true" {
			parts = append(parts, "blocking")
		}
		if k := strings.Join(parts, " "); !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	rows, err := st.DB.Query(`SELECT kind, coalesce(sale_id, ''), coalesce(invoice_id, ''),
		coalesce(participant_id, ''), blocking::text
		FROM discrepancies WHERE resolved_run IS NULL ORDER BY kind, 2, 3, 4`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k, s, i, p, b string
		if err := rows.Scan(&k, &s, &i, &p, &b); err != nil {
			t.Fatal(err)
		}
		add(map[string]string{"kind": k, "sale_id": s, "invoice_id": i, "participant_id": p, "blocking": b})
	}
	rows.Close()
	for _, d := range readCSV(t, filepath.Join(res.Dir, "discrepancies.csv")) {
		if d["state"] == "opened" || d["state"] == "reopened" {
			add(d)
		}
	}
	return out
}

func taxOnly(list []string) []string {
	var out []string
	for _, s := range list {
		if !strings.HasPrefix(s, "CAP_EXCEEDED") && !strings.HasPrefix(s, "MISSING_PAYOUT_ACCOUNT") {
			out = append(out, s)
		}
	}
	return out
}

// TestTaxKindsDetected: every kind of SPEC section 8 a run reports, each
// on its own sale of the basic example, under the default settings
// (commission model, no tolerance, no grace, nothing blocking).
func TestTaxKindsDetected(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	withSecondLead(t, st)
	correctInvoices(t, st, "s02", "s06", "s07", "s08", "s09", "s10", "s12")
	// s02: none at all; s06: two active; s07 a cent off; s08 in USD;
	// s09 issued by the co-producer; s10 issued by another lead producer.
	invoice(t, st, "inv-s06a", lead1Tax, "s06", "0.06", "BRL", "active")
	invoice(t, st, "inv-s06b", lead1Tax, "s06", "0.06", "BRL", "active")
	invoice(t, st, "inv-s07", lead1Tax, "s07", "297.01", "BRL", "active")
	invoice(t, st, "inv-s08", lead1Tax, "s08", "297.00", "USD", "active")
	invoice(t, st, "inv-s09", cop1Tax, "s09", "297.00", "BRL", "active")
	invoice(t, st, "inv-s10", lead2Tax, "s10", "9800", "JPY", "active")
	// Invoices naming no sale, or a sale nobody has.
	invoice(t, st, "inv-none", lead1Tax, "", "10.00", "BRL", "active")
	invoice(t, st, "inv-ghost", lead1Tax, "s99", "10.00", "BRL", "active")
	invoice(t, st, "inv-ghost-cancelled", lead1Tax, "s98", "10.00", "BRL", "cancelled")
	// Tax ids failing their check digits: a participant's, an invoice's
	// buyer, a sale's buyer.
	mustExec(t, st, `UPDATE participants SET tax_id = '111.444.777-36' WHERE participant_id = 'cop2'`)
	invoice(t, st, "inv-s12", lead1Tax, "s12", "100.00", "BRL", "active")
	mustExec(t, st, `UPDATE tax_records SET buyer_tax_id = '52998224724' WHERE invoice_id = 'inv-s12'`)
	mustExec(t, st, `UPDATE sales SET buyer_tax_id = '12.ABC.345/01DE-36' WHERE sale_id = 's14'`)

	cfg := envConfig(t, nil)
	res := runDate(t, st, cfg, "2026-03-03")
	diffLists(t, "discrepancies of 2026-03-03", []string{
		"MISSING_INVOICE s02",
		"DUPLICATE_INVOICE s06",
		"AMOUNT_MISMATCH s07 inv-s07",
		"CURRENCY_MISMATCH s08 inv-s08",
		"ISSUER_MISMATCH s09 inv-s09",
		"ORPHAN_INVOICE s10 inv-s10",
		"MISSING_INVOICE s10", // lead2's invoice is not lead1's
		"ORPHAN_INVOICE inv-none",
		"ORPHAN_INVOICE s99 inv-ghost",
		"INVALID_TAX_ID cop2",
		"INVALID_TAX_ID s12 inv-s12",
		"INVALID_TAX_ID s14",
	}, taxOnly(seenByRun(t, st, res)))
	rows := readCSV(t, filepath.Join(res.Dir, "discrepancies.csv"))
	for _, r := range rows {
		if r["kind"] == "AMOUNT_MISMATCH" && (r["expected"] != "297.00" || r["actual"] != "297.01" || r["currency"] != "BRL") {
			t.Errorf("AMOUNT_MISMATCH row %v", r)
		}
		if r["kind"] == "ISSUER_MISMATCH" && (r["expected"] != "11144477735" || r["actual"] != cop1Tax) {
			t.Errorf("ISSUER_MISMATCH row %v", r)
		}
	}
	// Reported, not blocking: every sale was paid as usual.
	if res.Run.SalesAllocated != 10 || res.Run.SalesHeld != 1 {
		t.Errorf("allocated %d, held %d; want 10 and s13 held (CAP_EXCEEDED)", res.Run.SalesAllocated, res.Run.SalesHeld)
	}

	// 2026-03-20 takes s11's chargeback: its invoice is still active.
	res = runDate(t, st, cfg, "2026-03-20")
	got := taxOnly(seenByRun(t, st, res))
	if !contains(got, "INVOICE_ON_REVERSED_SALE s11 inv-s11") {
		t.Errorf("no INVOICE_ON_REVERSED_SALE for s11: %v", got)
	}
	if contains(got, "INVOICE_ON_REVERSED_SALE s12 inv-s12") {
		t.Errorf("a partial refund is not a reversed sale: %v", got)
	}
	// Nothing fixed: everything of the first run is still reported.
	if len(got) != 13 {
		t.Errorf("2026-03-20 reports %d tax discrepancies, want the 12 still open and s11's: %v", len(got), got)
	}
}

// TestTaxDiscrepancyLifecycle: a discrepancy is opened once, seen again
// while it lasts, and resolved by the first run that no longer finds it
// (an invoice arrives, a duplicate is cancelled, an amount is corrected);
// an invoice changed on a sale already checked sends it back for a check.
func TestTaxDiscrepancyLifecycle(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	correctInvoices(t, st, "s02", "s06", "s07")
	invoice(t, st, "inv-s06a", lead1Tax, "s06", "0.06", "BRL", "active")
	invoice(t, st, "inv-s06b", lead1Tax, "s06", "0.06", "BRL", "active")
	invoice(t, st, "inv-s07", lead1Tax, "s07", "297.01", "BRL", "active")
	invoice(t, st, "inv-orphan", lead1Tax, "", "1.00", "BRL", "active")
	mustExec(t, st, `UPDATE sales SET buyer_tax_id = '529.982.247-24' WHERE sale_id = 's14'`)
	cfg := envConfig(t, nil)
	first := runDate(t, st, cfg, "2026-03-03")
	want := []string{"MISSING_INVOICE s02", "DUPLICATE_INVOICE s06", "AMOUNT_MISMATCH s07 inv-s07", "ORPHAN_INVOICE inv-orphan",
		"INVALID_TAX_ID s14"}
	diffLists(t, "first run", want, taxOnly(seenByRun(t, st, first)))

	// Fix all five, and break s01, which was clean and is not re-checked
	// unless its invoices changed. s14's fix touches no invoice: it is
	// re-checked because its discrepancy is open.
	mustExec(t, st, `UPDATE sales SET buyer_tax_id = '529.982.247-25' WHERE sale_id = 's14'`)
	invoice(t, st, "inv-s02", lead1Tax, "s02", "100.00", "BRL", "active")
	mustExec(t, st, `UPDATE tax_records SET status = 'cancelled' WHERE invoice_id = 'inv-s06b'`)
	mustExec(t, st, `UPDATE tax_records SET amount = 297.00 WHERE invoice_id = 'inv-s07'`)
	mustExec(t, st, `UPDATE tax_records SET sale_id = 's02', status = 'cancelled' WHERE invoice_id = 'inv-orphan'`)
	invoice(t, st, "inv-s01b", lead1Tax, "s01", "100.00", "BRL", "active")
	second := runDate(t, st, cfg, "2026-03-20")
	got := taxOnly(seenByRun(t, st, second))
	diffLists(t, "second run", []string{"DUPLICATE_INVOICE s01", "INVOICE_ON_REVERSED_SALE s11 inv-s11"}, got)

	type row struct {
		Kind, Sale, Opened, Last, Resolved string
	}
	var rows []row
	if err := st.DB.Select(&rows, `SELECT kind, coalesce(sale_id, invoice_id) AS sale, opened_run AS opened,
		last_seen_run AS last, coalesce(resolved_run, '') AS resolved
		FROM discrepancies WHERE kind NOT IN ('CAP_EXCEEDED', 'MISSING_PAYOUT_ACCOUNT') ORDER BY kind, sale`); err != nil {
		t.Fatal(err)
	}
	var lifecycle []string
	for _, r := range rows {
		lifecycle = append(lifecycle, fmt.Sprintf("%s %s %s %s %s", r.Kind, r.Sale, r.Opened, r.Last, r.Resolved))
	}
	diffLists(t, "lifecycle", []string{
		"AMOUNT_MISMATCH s07 nightly-20260303 nightly-20260303 nightly-20260320",
		"DUPLICATE_INVOICE s01 nightly-20260320 nightly-20260320 ",
		"DUPLICATE_INVOICE s06 nightly-20260303 nightly-20260303 nightly-20260320",
		"INVOICE_ON_REVERSED_SALE s11 nightly-20260320 nightly-20260320 ",
		"INVALID_TAX_ID s14 nightly-20260303 nightly-20260303 nightly-20260320",
		"MISSING_INVOICE s02 nightly-20260303 nightly-20260303 nightly-20260320",
		"ORPHAN_INVOICE inv-orphan nightly-20260303 nightly-20260303 nightly-20260320",
	}, lifecycle)

	// What a run consumed is gone; nothing is left to re-check but what
	// the third run must see again.
	var requests int
	if err := st.DB.Get(&requests, `SELECT count(*) FROM tax_recheck_requests`); err != nil || requests != 0 {
		t.Errorf("%d re-check requests left after the run (%v)", requests, err)
	}
	third := runDate(t, st, cfg, "2026-04-04")
	got = taxOnly(seenByRun(t, st, third))
	diffLists(t, "third run", []string{"DUPLICATE_INVOICE s01", "INVOICE_ON_REVERSED_SALE s11 inv-s11"}, got)
	mustExec(t, st, `DELETE FROM tax_records WHERE invoice_id IN ('inv-s01b', 'inv-s11')`)
	fourth := runDate(t, st, cfg, "2026-07-03")
	if got := taxOnly(seenByRun(t, st, fourth)); len(got) != 0 {
		t.Errorf("fourth run, all fixed: %v", got)
	}
}

// TestTaxGracePeriod: with PAYOUTS_INVOICE_GRACE, MISSING_INVOICE waits
// that many days after settlement, and the sale is checked again by the
// first run after the grace period, whatever runs happen meanwhile.
func TestTaxGracePeriod(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	correctInvoices(t, st, "s02", "s14")
	cfg := envConfig(t, map[string]string{"PAYOUTS_INVOICE_GRACE": "20"})
	res := runDate(t, st, cfg, "2026-03-03")
	if got := taxOnly(seenByRun(t, st, res)); len(got) != 0 {
		t.Errorf("within the grace period: %v", got)
	}
	var due []string
	if err := st.DB.Select(&due, `SELECT sale_id || ' ' || to_char(due_at AT TIME ZONE 'America/Sao_Paulo', 'YYYY-MM-DD HH24:MI')
		FROM tax_checks_pending ORDER BY sale_id`); err != nil {
		t.Fatal(err)
	}
	diffLists(t, "pending checks", []string{"s02 2026-03-23 10:00", "s14 2026-03-23 23:30"}, due)
	res = runDate(t, st, cfg, "2026-03-20")
	if got := taxOnly(seenByRun(t, st, res)); len(got) != 1 || got[0] != "INVOICE_ON_REVERSED_SALE s11 inv-s11" {
		t.Errorf("still within the grace period: %v", got)
	}
	// s14's invoice arrives late but within the grace period.
	invoice(t, st, "inv-s14", lead1Tax, "s14", "29.90", "BRL", "active")
	res = runDate(t, st, cfg, "2026-04-04")
	diffLists(t, "after the grace period", []string{"MISSING_INVOICE s02", "INVOICE_ON_REVERSED_SALE s11 inv-s11"},
		taxOnly(seenByRun(t, st, res)))
	var left int
	if err := st.DB.Get(&left, `SELECT count(*) FROM tax_checks_pending`); err != nil || left != 0 {
		t.Errorf("%d pending checks left (%v)", left, err)
	}
}

// TestTaxBlocking: with PAYOUTS_TAX_BLOCKING, a sale with a blocking
// finding is held like CAP_EXCEEDED, then paid by the run that no longer
// finds it; a non-blocking kind is only reported.
func TestTaxBlocking(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	correctInvoices(t, st, "s02", "s07", "s08")
	invoice(t, st, "inv-s07", lead1Tax, "s07", "290.00", "BRL", "active")
	invoice(t, st, "inv-s08", lead1Tax, "s08", "297.00", "USD", "active") // CURRENCY_MISMATCH: not configured to block
	cfg := envConfig(t, map[string]string{"PAYOUTS_TAX_BLOCKING": "MISSING_INVOICE,AMOUNT_MISMATCH"})
	res := runDate(t, st, cfg, "2026-03-03")
	diffLists(t, "first run", []string{"MISSING_INVOICE s02 blocking", "AMOUNT_MISMATCH s07 inv-s07 blocking",
		"CURRENCY_MISMATCH s08 inv-s08"}, taxOnly(seenByRun(t, st, res)))
	lines := readCSVColumns(t, filepath.Join(res.Dir, "participants", "*.csv"), "", "sale_id", "participant_id", "amount")
	for _, l := range lines {
		if strings.HasPrefix(l, "s02,") || strings.HasPrefix(l, "s07,") {
			t.Errorf("held sale paid: %s", l)
		}
	}
	if !contains(lines, "s08,lead1,159.96") {
		t.Errorf("s08 (non-blocking finding) not paid: %v", lines)
	}
	if res.Run.SalesHeld != 3 { // s02, s07, and s13 (CAP_EXCEEDED)
		t.Errorf("held %d sales, want 3", res.Run.SalesHeld)
	}
	var holds []string
	if err := st.DB.Select(&holds, `SELECT sale_id || ' ' || kind FROM holds ORDER BY sale_id`); err != nil {
		t.Fatal(err)
	}
	diffLists(t, "holds", []string{"s02 MISSING_INVOICE", "s07 AMOUNT_MISMATCH", "s13 CAP_EXCEEDED"}, holds)

	// The invoice arrives and the amount is corrected: the next run pays
	// both and resolves their discrepancies.
	invoice(t, st, "inv-s02", lead1Tax, "s02", "100.00", "BRL", "active")
	mustExec(t, st, `UPDATE tax_records SET amount = 297.00 WHERE invoice_id = 'inv-s07'`)
	res = runDate(t, st, cfg, "2026-03-20")
	lines = readCSVColumns(t, filepath.Join(res.Dir, "participants", "*.csv"), "", "sale_id", "participant_id", "amount")
	for _, want := range []string{"s02,lead1,89.60", "s07,lead1,127.97", "s07,mgr1,31.99", "s07,aff1,106.64"} {
		if !contains(lines, want) {
			t.Errorf("released sale not paid: missing %s in %v", want, lines)
		}
	}
	got := taxOnly(seenByRun(t, st, res))
	if contains(got, "MISSING_INVOICE s02 blocking") || contains(got, "AMOUNT_MISMATCH s07 inv-s07 blocking") {
		t.Errorf("resolved findings still reported: %v", got)
	}
	var resolved int
	if err := st.DB.Get(&resolved, `SELECT count(*) FROM discrepancies WHERE kind IN ('MISSING_INVOICE', 'AMOUNT_MISMATCH')
		AND resolved_run = 'nightly-20260320'`); err != nil || resolved != 2 {
		t.Errorf("%d blocking discrepancies resolved by the second run, want 2 (%v)", resolved, err)
	}

	// With the grace period, MISSING_INVOICE blocking holds the sale
	// quietly until its invoice arrives: nothing reported yet.
	st2 := loadedStore(t, basicExample)
	correctInvoices(t, st2, "s02")
	cfg2 := envConfig(t, map[string]string{"PAYOUTS_TAX_BLOCKING": "MISSING_INVOICE", "PAYOUTS_INVOICE_GRACE": "5"})
	res = runDate(t, st2, cfg2, "2026-03-03")
	if got := taxOnly(seenByRun(t, st2, res)); len(got) != 0 || res.Run.SalesHeld != 2 {
		t.Errorf("within the grace period: held %d, reported %v; want s02 and s13 held, nothing reported", res.Run.SalesHeld, got)
	}
}

// TestTaxPartnershipModel: each participant paid on a sale invoices its
// own share under its own tax id.
func TestTaxPartnershipModel(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	mustExec(t, st, `UPDATE participants SET tax_id = '39053344705' WHERE participant_id = 'mgr1'`)
	// s01: lead1 52.42, cop1 5.82, aff1 31.36 (aff1 has no tax id).
	invoice(t, st, "p-s01-lead", lead1Tax, "s01", "52.42", "BRL", "active")
	invoice(t, st, "p-s01-cop", cop1Tax, "s01", "5.82", "BRL", "active")
	// s07: lead1 127.97 (invoiced the gross instead), mgr1 31.99, aff1.
	invoice(t, st, "p-s07-lead", lead1Tax, "s07", "297.00", "BRL", "active")
	invoice(t, st, "p-s07-mgr", "390.533.447-05", "s07", "31.99", "BRL", "active")
	// s09: cop1 33.32 invoiced twice, lead1 233.28.
	invoice(t, st, "p-s09-lead", lead1Tax, "s09", "233.28", "BRL", "active")
	invoice(t, st, "p-s09-cop", cop1Tax, "s09", "33.32", "BRL", "active")
	invoice(t, st, "p-s09-cop2", cop1Tax, "s09", "33.32", "BRL", "active")
	mustExec(t, st, `DELETE FROM sale_events WHERE sale_id = 's11'`)
	mustExec(t, st, `DELETE FROM sales WHERE sale_id NOT IN ('s01', 's07', 's09', 's12')`)
	invoice(t, st, "p-s12-lead", lead1Tax, "s12", "52.42", "BRL", "active")
	invoice(t, st, "p-s12-cop", cop1Tax, "s12", "5.82", "BRL", "active")

	cfg := envConfig(t, map[string]string{"PAYOUTS_INVOICE_MODEL": "partnership"})
	res := runDate(t, st, cfg, "2026-03-03")
	want := []string{
		"MISSING_INVOICE s01 aff1",
		"AMOUNT_MISMATCH s07 p-s07-lead lead1",
		"MISSING_INVOICE s07 aff1",
		"DUPLICATE_INVOICE s09 cop1",
		"MISSING_INVOICE s12 aff1",
	}
	diffLists(t, "partnership", want, taxOnly(seenByRun(t, st, res)))
	for _, r := range readCSV(t, filepath.Join(res.Dir, "discrepancies.csv")) {
		if r["kind"] == "AMOUNT_MISMATCH" && (r["expected"] != "127.97" || r["actual"] != "297.00") {
			t.Errorf("lead1's share on s07: %v", r)
		}
		if r["kind"] == "MISSING_INVOICE" && (!strings.Contains(r["detail"], "no tax id on record") || r["expected"] != map[string]string{
			"s01": "31.36", "s07": "106.64", "s12": "31.36"}[r["sale_id"]]) {
			t.Errorf("aff1's missing invoice: %v", r)
		}
	}
	// 2026-03-20 refunds 30.00 of s12: the shares invoiced do not change,
	// and the re-check (s12's events, the open discrepancies) finds the
	// same as before, from the stored lines.
	res = runDate(t, st, cfg, "2026-03-20")
	diffLists(t, "partnership, second run", want, taxOnly(seenByRun(t, st, res)))
}

// TestTaxConfig: the settings are read and bad values refused with the
// variable's name.
func TestTaxConfig(t *testing.T) {
	t.Parallel()
	cfg := envConfig(t, map[string]string{"PAYOUTS_INVOICE_MODEL": "partnership", "PAYOUTS_TAX_TOLERANCE": "BRL=0.05, JPY=3",
		"PAYOUTS_INVOICE_GRACE": "7", "PAYOUTS_TAX_BLOCKING": "MISSING_INVOICE, ISSUER_MISMATCH"})
	if cfg.Tax.Model != "partnership" || cfg.Tax.Tolerance["BRL"] != 5 || cfg.Tax.Tolerance["JPY"] != 3 || cfg.Tax.GraceDays != 7 ||
		!cfg.Tax.Blocking["MISSING_INVOICE"] || !cfg.Tax.Blocking["ISSUER_MISMATCH"] || len(cfg.Tax.Blocking) != 2 {
		t.Errorf("tax policy %+v", cfg.Tax)
	}
	def := envConfig(t, nil)
	if def.Tax.Model != "commission" || len(def.Tax.Tolerance) != 0 || def.Tax.GraceDays != 0 || len(def.Tax.Blocking) != 0 {
		t.Errorf("default tax policy %+v", def.Tax)
	}
	for env, want := range map[[2]string]string{
		{"PAYOUTS_INVOICE_MODEL", "gross"}:              "PAYOUTS_INVOICE_MODEL",
		{"PAYOUTS_TAX_TOLERANCE", "0.05"}:               "CURRENCY=AMOUNT",
		{"PAYOUTS_TAX_TOLERANCE", "BRL=0.005"}:          "BRL's digits",
		{"PAYOUTS_TAX_TOLERANCE", "BRL=-1"}:             "0 or more",
		{"PAYOUTS_TAX_TOLERANCE", "BRL=1,BRL=2"}:        "named twice",
		{"PAYOUTS_INVOICE_GRACE", "-1"}:                 "PAYOUTS_INVOICE_GRACE",
		{"PAYOUTS_INVOICE_GRACE", "2d"}:                 "PAYOUTS_INVOICE_GRACE",
		{"PAYOUTS_TAX_BLOCKING", "ORPHAN_INVOICE"}:      "is not one of",
		{"PAYOUTS_TAX_BLOCKING", "missing_invoice"}:     "is not one of",
		{"PAYOUTS_TAX_BLOCKING", "INVOICE_ON_REVERSED"}: "is not one of",
	} {
		_, err := ConfigFromEnv(func(k string) string {
			if k == env[0] {
				return env[1]
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s=%s: %v, want an error containing %q", env[0], env[1], err, want)
		}
	}
}
