package jobs

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"payouts/reconcile"
	"payouts/reports/reportstest"
	"payouts/sql/store"
)

// isoSchema finds an official ISO 20022 schema: $env, or ../shared/iso20022
// beside the checkout (not copied into the repository). Without it or
// without xmllint the validation cannot run: that fails under CI and is
// said loudly elsewhere, like the pain.001 test.
func isoSchema(t *testing.T, env, file string) string {
	t.Helper()
	path := os.Getenv(env)
	if path == "" {
		path = filepath.Join("..", "..", "shared", "iso20022", file)
	}
	_, statErr := os.Stat(path)
	_, lintErr := exec.LookPath("xmllint")
	if statErr == nil && lintErr == nil {
		return path
	}
	msg := fmt.Sprintf("cannot validate %s: schema %s: %v; xmllint: %v (set %s, run .ci/ensure-tools)", file, path, statErr, lintErr, env)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	fmt.Fprintln(os.Stderr, "WARNING: "+msg)
	t.Skip(msg)
	return ""
}

func xmllint(t *testing.T, xsd, file string) {
	t.Helper()
	if out, err := exec.Command("xmllint", "--noout", "--schema", xsd, file).CombinedOutput(); err != nil {
		t.Fatalf("xmllint %s: %v\n%s", file, err, out)
	}
}

// testItem is a payout item as the tests see it.
type testItem struct {
	Reference, RunID, ParticipantID, Currency, State string
	Amount                                           int64
}

func allItems(t *testing.T, st *store.Store) []testItem {
	t.Helper()
	var items []testItem
	if err := st.DB.Select(&items, `SELECT reference AS "reference", run_id AS "runid", participant_id AS "participantid",
		currency AS "currency", state AS "state", amount AS "amount" FROM payout_items ORDER BY reference`); err != nil {
		t.Fatal(err)
	}
	return items
}

func itemStates(t *testing.T, st *store.Store) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, it := range allItems(t, st) {
		m[it.Reference] = it.State
	}
	return m
}

func importStatus(t *testing.T, st *store.Store, path string) ImportResult {
	t.Helper()
	res, err := ImportStatus(context.Background(), st, path, nil)
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	return res
}

func amountText(v int64, code string) string {
	cur, _ := reconcile.LookupCurrency(code)
	return reconcile.FormatAmount(v, cur)
}

// writePain002v11 writes a pain.002.001.11 report on the items of one
// original message (<run>-<CUR>), each with the given pain.002 status and
// reason code.
func writePain002v11(t *testing.T, path, msgID string, items []testItem, sts func(i int) (string, string)) {
	t.Helper()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.11">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>STS-` + msgID + `</MsgId><CreDtTm>2026-03-04T09:00:00-03:00</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts><OrgnlMsgId>` + msgID + `</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId></OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>` + msgID + `</OrgnlPmtInfId>
`)
	for i, it := range items {
		code, reason := sts(i)
		fmt.Fprintf(&b, "      <TxInfAndSts>\n        <OrgnlEndToEndId>%s</OrgnlEndToEndId>\n        <TxSts>%s</TxSts>\n", it.Reference, code)
		if reason != "" {
			fmt.Fprintf(&b, "        <StsRsnInf><Rsn><Cd>%s</Cd></Rsn><AddtlInf>bank says %s</AddtlInf></StsRsnInf>\n", reason, reason)
		}
		fmt.Fprintf(&b, "        <AccptncDtTm>2026-03-04T10:00:00-03:00</AccptncDtTm>\n")
		fmt.Fprintf(&b, "        <OrgnlTxRef><Amt><InstdAmt Ccy=\"%s\">%s</InstdAmt></Amt></OrgnlTxRef>\n      </TxInfAndSts>\n",
			it.Currency, amountText(it.Amount, it.Currency))
	}
	b.WriteString("    </OrgnlPmtInfAndSts>\n  </CstmrPmtStsRpt>\n</Document>\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// writeCamt054v08 writes a camt.054.001.08 notification: a booked debit
// entry per paid item, a booked credit entry with return information per
// returned item.
func writeCamt054v08(t *testing.T, path string, paid, returned []testItem) {
	t.Helper()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>NTF-1</MsgId><CreDtTm>2026-03-06T18:00:00-03:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>NTF-1-1</Id>
      <Acct><Id><Othr><Id>NOTPROVIDED</Id></Othr></Id></Acct>
`)
	entry := func(it testItem, dir, sub, extra string) {
		amt := amountText(it.Amount, it.Currency)
		fmt.Fprintf(&b, `      <Ntry>
        <Amt Ccy="%[1]s">%[2]s</Amt><CdtDbtInd>%[3]s</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-03-06</Dt></BookgDt>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>%[4]s</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>%[5]s</EndToEndId></Refs>
          <Amt Ccy="%[1]s">%[2]s</Amt><CdtDbtInd>%[3]s</CdtDbtInd>%[6]s
        </TxDtls></NtryDtls>
      </Ntry>
`, it.Currency, amt, dir, sub, it.Reference, extra)
	}
	for _, it := range paid {
		entry(it, "DBIT", "ESCT", "")
	}
	for _, it := range returned {
		entry(it, "CRDT", "RRTN", "\n          <RtrInf><Rsn><Cd>AC06</Cd></Rsn><AddtlInf>blocked account</AddtlInf></RtrInf>")
	}
	b.WriteString("    </Ntfctn>\n  </BkToCstmrDbtCdtNtfctn>\n</Document>\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestStatusReportsOfficialSchemas writes pain.002.001.11 reports and a
// camt.054.001.08 notification for every run of the basic example,
// validates them against the official schemas, imports them and checks
// every item's state and kept reason.
func TestStatusReportsOfficialSchemas(t *testing.T) {
	t.Parallel()
	painXSD := isoSchema(t, "PAYOUTS_PAIN002_XSD", "pain.002.001.11.xsd")
	camtXSD := isoSchema(t, "PAYOUTS_CAMT054_XSD", "camt.054.001.08.xsd")
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	for _, d := range []string{"2026-03-03", "2026-03-20", "2026-04-04", "2026-07-03"} {
		runDate(t, st, cfg, d)
	}
	items := allItems(t, st)
	if len(items) != 11 {
		t.Fatalf("%d items, want the 11 of expected_payouts.csv", len(items))
	}
	byMsg := map[string][]testItem{}
	for _, it := range items {
		byMsg[it.RunID+"-"+it.Currency] = append(byMsg[it.RunID+"-"+it.Currency], it)
	}
	msgs := make([]string, 0, len(byMsg))
	for m := range byMsg {
		msgs = append(msgs, m)
	}
	sort.Strings(msgs)
	dir := t.TempDir()
	// Item k of every message: ACSC, RJCT AC01, ACSP, RJCT AC04, ACCC, PDNG, ...
	codes := [][2]string{{"ACSC", ""}, {"RJCT", "AC01"}, {"ACSP", ""}, {"RJCT", "AC04"}, {"ACCC", ""}, {"PDNG", ""}}
	want := map[string]string{}
	var paidLater, returnLater []testItem
	for _, m := range msgs {
		path := filepath.Join(dir, "pain002-"+m+".xml")
		writePain002v11(t, path, m, byMsg[m], func(i int) (string, string) { c := codes[i%len(codes)]; return c[0], c[1] })
		xmllint(t, painXSD, path)
		res := importStatus(t, st, path)
		if res.Format != "pain.002" || res.Reports != len(byMsg[m]) || res.Changed != len(byMsg[m]) {
			t.Errorf("%s: %+v", m, res)
		}
		for i, it := range byMsg[m] {
			switch codes[i%len(codes)][0] {
			case "ACSC", "ACCC":
				want[it.Reference] = "paid"
				if len(returnLater) < 2 {
					returnLater = append(returnLater, it)
					want[it.Reference] = "returned"
				}
			case "RJCT":
				want[it.Reference] = "rejected"
			default:
				want[it.Reference] = "paid"
				paidLater = append(paidLater, it)
			}
		}
	}
	path := filepath.Join(dir, "camt054.xml")
	writeCamt054v08(t, path, paidLater, returnLater)
	xmllint(t, camtXSD, path)
	res := importStatus(t, st, path)
	if res.Format != "camt.054" || res.Changed != len(paidLater)+len(returnLater) {
		t.Errorf("camt.054: %+v", res)
	}
	got := itemStates(t, st)
	for ref, w := range want {
		if got[ref] != w {
			t.Errorf("item %s: %s, want %s", ref, got[ref], w)
		}
	}
	var reasons []string
	if err := st.DB.Select(&reasons, `SELECT reference || ' ' || state || ' ' || reason_code || ' ' || reason FROM payout_status_history
		WHERE reason_code IS NOT NULL ORDER BY reference, seq`); err != nil {
		t.Fatal(err)
	}
	if len(reasons) != 4+len(returnLater) || !strings.Contains(strings.Join(reasons, "\n"), "rejected AC01 bank says AC01") ||
		!strings.Contains(strings.Join(reasons, "\n"), "returned AC06 blocked account") {
		t.Errorf("reasons kept:\n%s", strings.Join(reasons, "\n"))
	}
	// The same report again is a no-op.
	again := importStatus(t, st, path)
	if again.Previous == nil || again.Previous.ImportID != res.ImportID {
		t.Errorf("second import: %+v, want the first import named", again)
	}
}

// TestImportHandWrittenReports imports the hand-written Swiss pain.002 and
// camt.054.001.04 and the status CSV over the basic example's first run.
func TestImportHandWrittenReports(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	runDate(t, st, cfg, "2026-03-03")
	for _, f := range []string{"pain.002.001.03.ch.02.xml", "camt.054.001.04.xml", "status-jpy.csv"} {
		importStatus(t, st, filepath.Join("..", "testdata", "status", f))
	}
	got := itemStates(t, st)
	want := map[string]string{
		"nightly-20260303-BRL-000001": "rejected", "nightly-20260303-BRL-000002": "rejected",
		"nightly-20260303-BRL-000003": "paid", "nightly-20260303-BRL-000004": "paid",
		"nightly-20260303-BRL-000005": "returned", "nightly-20260303-BRL-000006": "accepted",
		"nightly-20260303-JPY-000001": "paid", "nightly-20260303-JPY-000002": "paid",
	}
	for ref, w := range want {
		if got[ref] != w {
			t.Errorf("item %s: %s, want %s", ref, got[ref], w)
		}
	}
}

// TestImportBadInput: one test per kind of bad input. Each refuses the
// whole file with one line naming the file and the reference, changes no
// item, records no import; a mismatch is reported by the next run as
// PAYOUT_STATUS_MISMATCH.
func TestImportBadInput(t *testing.T) {
	t.Parallel()
	csvHead := "reference,status,reason_code,reason,amount,currency,occurred_at\n"
	tests := []struct {
		name, file, body string
		want             string
		mismatch         bool
	}{
		{"unknown reference", "unknown.csv", csvHead + "nightly-20260303-BRL-000001,paid,,,200.72,BRL,\nnightly-20260303-BRL-999999,paid,,,1.00,BRL,\n",
			"unknown.csv: reference nightly-20260303-BRL-999999: no payout item has this reference; file refused, nothing imported", true},
		{"another amount", "amount.csv", csvHead + "nightly-20260303-BRL-000001,paid,,,200.71,BRL,\n",
			"amount.csv: reference nightly-20260303-BRL-000001: reported amount 200.71, the item is 200.72 BRL; file refused", true},
		{"another currency", "currency.csv", csvHead + "nightly-20260303-BRL-000001,paid,,,200.72,USD,\n",
			"currency.csv: reference nightly-20260303-BRL-000001: reported in USD, the item is in BRL; file refused", true},
		{"status going backwards", "backwards.csv", csvHead + "nightly-20260303-BRL-000003,accepted,,,,,\n",
			"backwards.csv: reference nightly-20260303-BRL-000003: accepted after paid goes backwards; file refused", true},
		{"paid after rejected", "rejected-paid.csv", csvHead + "nightly-20260303-BRL-000002,paid,,,,,\n",
			"rejected-paid.csv: reference nightly-20260303-BRL-000002: paid after rejected goes backwards", true},
		{"not well-formed XML", "broken.xml", `<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.11"><CstmrPmtStsRpt>
<OrgnlPmtInfAndSts><TxInfAndSts><OrgnlEndToEndId>nightly-20260303-BRL-000001</OrgnlEndToEndId><TxSts>ACSC</TxSts></TxInfAndSts>
<TxInfAndSts><OrgnlEndToEndId>nightly-20260303-BRL-000004</OrgnlEndToEndId><TxSts>ACSC</TxSts></TxInfAndSts>
</CstmrPmtStsRpt></Document>`, "broken.xml: not well-formed XML: XML syntax error on line 4", false},
		{"a file of another kind", "participants.csv", "participant_id,name\np1,Ana\n", "participants.csv: not a status report", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := loadedStore(t, basicExample)
			cfg := testConfig(t)
			runDate(t, st, cfg, "2026-03-03")
			dir := t.TempDir()
			setup := filepath.Join(dir, "setup.csv")
			os.WriteFile(setup, []byte(csvHead+"nightly-20260303-BRL-000002,rejected,AC04,,,,\nnightly-20260303-BRL-000003,paid,,,,,\n"), 0o600)
			importStatus(t, st, setup)
			before := itemStates(t, st)
			path := filepath.Join(dir, tc.file)
			if err := os.WriteFile(path, []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := ImportStatus(context.Background(), st, path, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v\nwant one line containing %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("err %q does not name the file", err)
			}
			after := itemStates(t, st)
			for ref, s := range before {
				if after[ref] != s {
					t.Errorf("item %s moved from %s to %s", ref, s, after[ref])
				}
			}
			var imports, history, mismatches int
			st.DB.Get(&imports, `SELECT count(*) FROM status_imports`)
			st.DB.Get(&history, `SELECT count(*) FROM payout_status_history`)
			st.DB.Get(&mismatches, `SELECT count(*) FROM payout_status_mismatches`)
			if imports != 1 || history != 2 {
				t.Errorf("%d imports and %d history rows, want the setup's 1 and 2", imports, history)
			}
			if (mismatches > 0) != tc.mismatch {
				t.Errorf("%d mismatches recorded, want some: %v", mismatches, tc.mismatch)
			}
			res := runDate(t, st, cfg, "2026-03-04")
			rows := readCSVColumns(t, filepath.Join(res.Dir, "discrepancies.csv"), "", "kind", "detail")
			found := false
			for _, r := range rows {
				found = found || strings.HasPrefix(r, reconcile.PayoutStatusMismatchKind+",")
			}
			if found != tc.mismatch {
				t.Errorf("PAYOUT_STATUS_MISMATCH in the next run: %v, want %v\n%s", found, tc.mismatch, strings.Join(rows, "\n"))
			}
		})
	}
}

// TestVerifyCatchesPayoutStatusCorruption corrupts each payout status
// invariant inside a run's transaction and sees the run refuse to commit.
func TestVerifyCatchesPayoutStatusCorruption(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, corrupt, want string
	}{
		{"item state without history", `UPDATE payout_items SET state = 'paid' WHERE reference = 'nightly-20260303-BRL-000006'`,
			"payout items in BRL: issued 1199.75 BRL; by their states paid 820.86 BRL + rejected 358.14 BRL + returned 0.00 BRL + outstanding 20.75 BRL; " +
				"by their status history paid 788.87 BRL + rejected 358.14 BRL + returned 0.00 BRL + outstanding 52.74 BRL (1 items disagree)"},
		{"history without the item's state", `INSERT INTO payout_status_history (reference, state, source_file, import_id)
			SELECT 'nightly-20260303-BRL-000006', 'paid', 'forged.csv', min(import_id) FROM status_imports`,
			"by their status history paid 820.86 BRL + rejected 358.14 BRL + returned 0.00 BRL + outstanding 20.75 BRL (1 items disagree)"},
		{"rejected item not credited back", `DELETE FROM payout_credits WHERE run_id = $1 AND reference = 'nightly-20260303-BRL-000001'`,
			"payout item nightly-20260303-BRL-000001 is rejected for 200.72 BRL and was never credited back"},
		{"paid item credited back", `INSERT INTO payout_credits (reference, run_id, participant_id, currency, amount)
			SELECT reference, $1, participant_id, currency, amount FROM payout_items WHERE reference = 'nightly-20260303-BRL-000003'`,
			"payout item nightly-20260303-BRL-000003 was credited back 0.02 BRL but is neither rejected nor returned"},
		{"credited back twice", `INSERT INTO payout_credits (reference, run_id, participant_id, currency, amount)
			SELECT reference, $1, participant_id, currency, amount FROM payout_items WHERE reference = 'nightly-20260303-BRL-000002'`,
			"duplicate key value violates unique constraint \"payout_credits_pkey\""},
		{"item amount changed after it was issued", `UPDATE payout_items SET amount = amount + 1 WHERE reference = 'nightly-20260303-BRL-000003'`,
			"payout items in BRL: issued 1199.75 BRL, but the items now hold 1199.76 BRL"},
		{"balance without the credit", `UPDATE balances SET returned = returned - 1, carried_forward = carried_forward - 1 WHERE run_id = $1 AND participant_id = 'aff1'`,
			"participant aff1, BRL: balance says returned 200.71 BRL, the run credited back 200.72 BRL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := loadedStore(t, basicExample)
			cfg := testConfig(t)
			runDate(t, st, cfg, "2026-03-03")
			importStatus(t, st, filepath.Join("..", "testdata", "status", "pain.002.001.03.ch.02.xml"))
			cfg.hooks.beforeVerify = func(ctx context.Context, rt *store.RunTx) error {
				if strings.Contains(tc.corrupt, "$1") {
					return rt.Exec(ctx, tc.corrupt, rt.RunID)
				}
				return rt.Exec(ctx, tc.corrupt)
			}
			_, err := RunNightly(context.Background(), st, cfg, mustDate(t, "2026-03-04"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tc.want)
			}
			assertNothingOf(t, st, cfg, "2026-03-04", "nightly-20260304")
			var credits int
			st.DB.Get(&credits, `SELECT count(*) FROM payout_credits`)
			if credits != 0 {
				t.Errorf("failed run left %d credits", credits)
			}
		})
	}
}

// TestCreditsRedoneIdentically: a run that fails after it computed the
// credits back (here: inside its transaction, just before its checks) is
// redone with the same bytes as a clean run of the same data; and its
// export after the bank reported more is still byte-identical (the
// workbook shows the items as the run saw them).
func TestCreditsRedoneIdentically(t *testing.T) {
	t.Parallel()
	pain := filepath.Join("..", "testdata", "status", "pain.002.001.03.ch.02.xml")
	// The reference: a clean run.
	ref := loadedStore(t, basicExample)
	refCfg := testConfig(t)
	runDate(t, ref, refCfg, "2026-03-03")
	importStatus(t, ref, pain)
	refDir := runDate(t, ref, refCfg, "2026-03-04").Dir

	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	runDate(t, st, cfg, "2026-03-03")
	importStatus(t, st, pain)
	crashing := cfg
	crashing.hooks.beforeVerify = func(ctx context.Context, rt *store.RunTx) error {
		return fmt.Errorf("simulated crash after the credits were computed")
	}
	_, err := RunNightly(context.Background(), st, crashing, mustDate(t, "2026-03-04"))
	if err == nil || !strings.Contains(err.Error(), "simulated crash") {
		t.Fatalf("err = %v", err)
	}
	var credits int
	st.DB.Get(&credits, `SELECT count(*) FROM payout_credits`)
	if credits != 0 {
		t.Fatalf("the failed run left %d credits", credits)
	}
	dir := runDate(t, st, cfg, "2026-03-04").Dir
	want, got := reportstest.DirDigests(t, refDir), reportstest.DirDigests(t, dir)
	if len(want) < 3 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("redo differs from a clean run:\n got %v\nwant %v", got, want)
	}
	st.DB.Get(&credits, `SELECT count(*) FROM payout_credits`)
	if credits != 2 {
		t.Errorf("%d credits after the redo, want 2", credits)
	}

	// The bank reports more; exporting the run again gives the same bytes.
	importStatus(t, st, filepath.Join("..", "testdata", "status", "camt.054.001.04.xml"))
	run, err := st.GetRun(context.Background(), "nightly-20260304")
	if err != nil {
		t.Fatal(err)
	}
	exported, _, err := Publish(context.Background(), st, run, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if again := reportstest.DirDigests(t, exported); fmt.Sprint(again) != fmt.Sprint(got) {
		t.Errorf("export after a later status report differs:\n got %v\nwant %v", again, got)
	}
}

// TestPayoutLedgerAndQueueFollowTheWrites: the payout ledger (migration
// 0014) sums, per currency and state, exactly what the items hold after
// runs and an import; the status queue holds the items an import changed
// until the next run checked them; and an item whose state is changed
// between runs, outside any import, is caught by the next run although it
// is not one of the run's own items.
func TestPayoutLedgerAndQueueFollowTheWrites(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	queued := func() int {
		t.Helper()
		var n int
		if err := st.DB.Get(&n, `SELECT count(DISTINCT reference) FROM payout_status_queue`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ledgerAgrees := func(when string) {
		t.Helper()
		var diff []string
		if err := st.DB.Select(&diff, `SELECT coalesce(l.currency, i.currency) || ' ' || coalesce(l.state, i.state)
			FROM (SELECT currency, state, sum(items) AS n, sum(amount) AS amount FROM payout_item_ledger GROUP BY 1, 2 HAVING sum(items) <> 0) l
			FULL JOIN (SELECT currency, state, count(*) AS n, sum(amount) AS amount FROM payout_items GROUP BY 1, 2) i
				ON i.currency = l.currency AND i.state = l.state
			WHERE l.n IS DISTINCT FROM i.n OR l.amount IS DISTINCT FROM i.amount`); err != nil {
			t.Fatal(err)
		}
		if len(diff) > 0 {
			t.Errorf("%s: the ledger and the items disagree on %v", when, diff)
		}
	}
	runDate(t, st, cfg, "2026-03-03")
	ledgerAgrees("after the first run")
	if n := queued(); n != 0 {
		t.Errorf("%d items queued after a run checked them, want 0", n)
	}
	importStatus(t, st, filepath.Join("..", "testdata", "status", "pain.002.001.03.ch.02.xml"))
	ledgerAgrees("after the import")
	if n := queued(); n == 0 {
		t.Errorf("no item queued after an import changed their states")
	}
	runDate(t, st, cfg, "2026-03-04")
	ledgerAgrees("after the second run")
	if n := queued(); n != 0 {
		t.Errorf("%d items queued after the second run, want 0", n)
	}
	if _, err := st.DB.Exec(`UPDATE payout_items SET state = 'paid' WHERE reference = 'nightly-20260303-BRL-000006'`); err != nil {
		t.Fatal(err)
	}
	_, err := RunNightly(context.Background(), st, cfg, mustDate(t, "2026-03-05"))
	if err == nil || !strings.Contains(err.Error(), "(1 items disagree)") {
		t.Errorf("an item paid without a status report, between runs: err = %v, want the run to refuse it", err)
	}
}
