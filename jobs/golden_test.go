package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"payouts/reconcile"
	"payouts/reports"
	"payouts/reports/reportstest"
	"payouts/sql/store"
)

const basicExample = "../testdata/examples/basic"

// update rewrites the golden files under testdata/golden instead of only
// comparing with them: go test ./jobs -run TestGolden -update, then review
// the difference (git diff testdata/golden) before committing it.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden (review the diff before committing)")

// goldenDir holds the published files the tests compare byte for byte.
const goldenDir = "../testdata/golden"

// TestGoldenBasicExample runs the four dates of SPEC section 11 in order
// and matches expected_lines.csv and expected_payouts.csv to the cent,
// reading the participant files and provider CSVs the runs published.
//
// It also compares every file each run published, but the finance
// workbook, byte for byte with testdata/golden/basic/<run-id>/ (participant
// CSVs, provider CSVs, pain.001 XML, CNAB 240 remittances,
// discrepancies.csv, manifest.json; -update rewrites them), and reads each
// pain.001 back and compares it with the payout items stored for the run.
// The runs have the default configuration but for a real-looking paying
// account (an IBAN) and bank (a BIC), as production sets them.
func TestGoldenBasicExample(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := goldenConfig(t)
	var gotLines, gotPayouts []string
	for _, date := range []string{"2026-03-03", "2026-03-20", "2026-04-04", "2026-07-03"} {
		res := runDate(t, st, cfg, date)
		gotLines = append(gotLines, readCSVColumns(t, filepath.Join(res.Dir, "participants", "*.csv"), date,
			"sale_id", "kind", "role", "participant_id", "contract_id", "currency", "amount")...)
		gotPayouts = append(gotPayouts, readCSVColumns(t, filepath.Join(res.Dir, "provider", "*.csv"), date,
			"participant_id", "currency", "amount")...)
		checkGoldenRun(t, res)
		checkPain001Items(t, st, cfg, res)
	}
	wantLines := readCSVColumns(t, filepath.Join(basicExample, "expected_lines.csv"), "",
		"business_date", "sale_id", "kind", "role", "participant_id", "contract_id", "currency", "amount")
	wantPayouts := readCSVColumns(t, filepath.Join(basicExample, "expected_payouts.csv"), "",
		"business_date", "participant_id", "currency", "amount")
	if len(wantLines) == 0 || len(wantPayouts) == 0 {
		t.Fatal("expected files are empty")
	}
	diffLists(t, "lines", wantLines, gotLines)
	diffLists(t, "payouts", wantPayouts, gotPayouts)
}

// goldenConfig is testConfig with the paying side production has: an
// IBAN and a BIC instead of the demo's NOTPROVIDED (the debtor's name, and
// so the CNAB 240 company, stay the defaults TestCNAB240BasicExample runs
// with: both compare the same remittances).
func goldenConfig(t *testing.T) Config {
	t.Helper()
	env := map[string]string{"PAYOUTS_DEBTOR_ACCOUNT": "BR1800360305000010009795493C1", "PAYOUTS_DEBTOR_AGENT_BIC": "BOFABRSPXXX"}
	cfg, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.OutDir = t.TempDir()
	cfg.BatchSize = 7
	return cfg
}

// checkGolden compares got with the golden file testdata/golden/<rel>
// byte for byte; with -update it writes the file first.
func checkGolden(t *testing.T, rel string, got []byte) {
	t.Helper()
	path := filepath.Join(goldenDir, filepath.FromSlash(rel))
	if *update {
		writeGolden(t, path, got)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%v (go test ./jobs -run TestGolden -update writes it; review it before committing)", err)
		return
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.SplitAfter(string(got), "\n"), strings.SplitAfter(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Errorf("%s differs from the golden file %s, first at line %d:\n got %q\nwant %q\n"+
				"(a reviewed change: go test ./jobs -run TestGolden -update, then git diff testdata/golden)", rel, path, i+1, g, w)
			return
		}
	}
}

// writeGolden replaces the file at path in one rename: tests that compare
// the same golden file (TestCNAB240BasicExample) may read it meanwhile.
func writeGolden(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".golden-*")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err == nil {
		err = tmp.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		t.Fatal(err)
	}
}

// checkGoldenRun compares the files of a run directory with
// testdata/golden/basic/<run-id>/: every file but the finance workbook,
// and no golden file the run did not publish.
//
// The workbook is not golden: it is a zip, whose compressed bytes belong
// to the Go release and the spreadsheet library as much as to this
// product (its content is checked by the workbook tests, its determinism
// by the redo tests). So in manifest.json, and only there, the workbook's
// "bytes" and "sha256" are replaced by placeholders before the comparison,
// once checked against the file itself. Nothing else is normalised: every
// file depends only on the database and the run's parameters.
func checkGoldenRun(t *testing.T, res Result) {
	t.Helper()
	base := "basic/" + res.Run.RunID
	published := map[string]bool{}
	for rel := range reportstest.DirDigests(t, res.Dir) {
		if strings.HasSuffix(rel, ".xlsx") {
			continue
		}
		published[rel] = true
		data, err := os.ReadFile(filepath.Join(res.Dir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		if rel == reports.ManifestName {
			data = goldenManifest(t, res.Dir, data)
		}
		checkGolden(t, base+"/"+rel, data)
	}
	dir := filepath.Join(goldenDir, filepath.FromSlash(base))
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || published[filepath.ToSlash(rel)] {
			return err
		}
		if *update {
			return os.Remove(p)
		}
		t.Errorf("golden file %s was not published by run %s (if that is right: -update removes it)", p, res.Run.RunID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// goldenManifest checks that manifest.json lists every file of runDir
// with its size and digest, and returns it with the workbook's size and
// digest replaced by placeholders (see checkGoldenRun).
func goldenManifest(t *testing.T, runDir string, body []byte) []byte {
	t.Helper()
	var m reports.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	digests := reportstest.DirDigests(t, runDir)
	if len(m.Files) != len(digests)-1 {
		t.Errorf("manifest.json lists %d files, the run directory holds %d besides it", len(m.Files), len(digests)-1)
	}
	out := string(body)
	for _, f := range m.Files {
		fi, err := os.Stat(filepath.Join(runDir, filepath.FromSlash(f.Path)))
		if err != nil || fi.Size() != f.Bytes || digests[f.Path] != f.SHA256 {
			t.Errorf("manifest.json lists %s with %d bytes, SHA-256 %s; the file: %v, %s", f.Path, f.Bytes, f.SHA256, err, digests[f.Path])
			continue
		}
		if f.Kind != reports.KindFinanceWorkbook {
			continue
		}
		entry := regexp.MustCompile(`"bytes": ` + fmt.Sprint(f.Bytes) + `,(\s*)"sha256": "` + f.SHA256 + `"`)
		if len(entry.FindAllString(out, -1)) != 1 {
			t.Fatalf("manifest.json: the entry of %s is not as expected:\n%s", f.Path, body)
		}
		out = entry.ReplaceAllString(out, `"bytes": 0,${1}"sha256": "(the workbook is not a golden file)"`)
	}
	return []byte(out)
}

// painCheck is what TestGoldenBasicExample reads back of a pain.001 file:
// the paying side and, per transaction, whom it pays how much.
type painCheck struct {
	MsgID    string `xml:"CstmrCdtTrfInitn>GrpHdr>MsgId"`
	CreDtTm  string `xml:"CstmrCdtTrfInitn>GrpHdr>CreDtTm"`
	Debtor   string `xml:"CstmrCdtTrfInitn>PmtInf>Dbtr>Nm"`
	DbtrIBAN string `xml:"CstmrCdtTrfInitn>PmtInf>DbtrAcct>Id>IBAN"`
	DbtrCcy  string `xml:"CstmrCdtTrfInitn>PmtInf>DbtrAcct>Ccy"`
	DbtrBIC  string `xml:"CstmrCdtTrfInitn>PmtInf>DbtrAgt>FinInstnId>BICFI"`
	ExecDate string `xml:"CstmrCdtTrfInitn>PmtInf>ReqdExctnDt>Dt"`
	Tx       []struct {
		InstrID    string `xml:"PmtId>InstrId"`
		EndToEndID string `xml:"PmtId>EndToEndId"`
		Amount     struct {
			Value    string `xml:",chardata"`
			Currency string `xml:"Ccy,attr"`
		} `xml:"Amt>InstdAmt"`
		Bank    string `xml:"CdtrAgt>FinInstnId>ClrSysMmbId>MmbId"`
		Name    string `xml:"Cdtr>Nm"`
		IBAN    string `xml:"CdtrAcct>Id>IBAN"`
		Account string `xml:"CdtrAcct>Id>Othr>Id"`
	} `xml:"CstmrCdtTrfInitn>PmtInf>CdtTrfTxInf"`
}

// checkPain001Items parses every pain.001 file of a run back and compares
// it with the payout items stored for the run: one file per currency with
// items, one transaction per item, with its reference as InstrId and
// EndToEndId, the amount in the currency, the creditor's name (as bank
// text), account and bank; and the run's paying side and dates.
func checkPain001Items(t *testing.T, st *store.Store, cfg Config, res Result) {
	t.Helper()
	byCurrency := map[string][]reconcile.PayoutItem{}
	if err := st.RunPayoutItems(context.Background(), res.Run.RunID, func(it reconcile.PayoutItem) error {
		byCurrency[it.Currency] = append(byCurrency[it.Currency], it)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(res.Dir, "provider", "*.xml"))
	if len(files) != len(byCurrency) {
		t.Errorf("run %s: %d pain.001 files for payout items in %d currencies", res.Run.RunID, len(files), len(byCurrency))
	}
	exec := res.Run.Date().AddBusinessDays(cfg.Debtor.ExecutionLagDays).String()
	for code, items := range byCurrency {
		rel := reports.Pain001Path(res.Run.RunID, code)
		body, err := os.ReadFile(filepath.Join(res.Dir, rel))
		if err != nil {
			t.Errorf("run %s has %d %s payout items but: %v", res.Run.RunID, len(items), code, err)
			continue
		}
		var doc painCheck
		if err := xml.Unmarshal(body, &doc); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		if doc.MsgID != res.Run.RunID+"-"+code || doc.CreDtTm != res.Run.WindowEnd.UTC().Format("2006-01-02T15:04:05Z") ||
			doc.Debtor != cfg.Debtor.Name || doc.DbtrIBAN != cfg.Debtor.Account || doc.DbtrCcy != code ||
			doc.DbtrBIC != cfg.Debtor.AgentBIC || doc.ExecDate != exec {
			t.Errorf("%s: message %q created %s, debtor %q %s (%s) at %s, execution %s; want %s-%s, %s, %q %s (%s) at %s, %s",
				rel, doc.MsgID, doc.CreDtTm, doc.Debtor, doc.DbtrIBAN, doc.DbtrCcy, doc.DbtrBIC, doc.ExecDate,
				res.Run.RunID, code, res.Run.WindowEnd.UTC(), cfg.Debtor.Name, cfg.Debtor.Account, code, cfg.Debtor.AgentBIC, exec)
		}
		cur, err := reconcile.LookupCurrency(code)
		if err != nil {
			t.Fatal(err)
		}
		if len(doc.Tx) != len(items) {
			t.Errorf("%s: %d transactions, %d payout items", rel, len(doc.Tx), len(items))
		}
		for i, it := range items {
			if i >= len(doc.Tx) {
				break
			}
			tx := doc.Tx[i]
			if tx.IBAN != "" && tx.Account != "" {
				t.Errorf("%s transaction %d: both an IBAN and another account", rel, i+1)
			}
			got := fmt.Sprintf("%s/%s %s %s to %q, account %q, bank %q", tx.InstrID, tx.EndToEndID, tx.Amount.Value,
				tx.Amount.Currency, tx.Name, tx.IBAN+tx.Account, tx.Bank)
			want := fmt.Sprintf("%s/%s %s %s to %q, account %q, bank %q", it.Reference, it.Reference,
				reconcile.FormatAmount(it.Amount, cur), it.Currency, reports.BankText(it.Name, 140, it.ParticipantID),
				it.PayoutAccount, it.PayoutBank)
			if got != want {
				t.Errorf("%s transaction %d:\n got %s\nwant %s (payout item of %s)", rel, i+1, got, want, it.ParticipantID)
			}
		}
	}
}
