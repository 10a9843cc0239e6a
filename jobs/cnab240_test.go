package jobs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"payouts/reconcile"
	"payouts/reports"
	"payouts/reports/cnab240"
	"payouts/sql/store"
)

// TestCNAB240BasicExample runs the four dates of the basic example and, for
// every run with BRL payout items: reads its published remittance back and
// compares it with the stored payout items field by field, checks the
// manifest lists it with the BRL control totals, and compares it byte for
// byte with its golden file, the one TestGoldenBasicExample compares too:
// testdata/golden/basic/<run-id>/provider/<run-id>-BRL.rem (go test ./jobs
// -run 'TestGolden|CNAB240' -update rewrites them; review a rewrite by
// hand against docs/file-formats.md).
func TestCNAB240BasicExample(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg := testConfig(t)
	files := 0
	for _, date := range []string{"2026-03-03", "2026-03-20", "2026-04-04", "2026-07-03"} {
		res := runDate(t, st, cfg, date)
		var items []reconcile.PayoutItem
		if err := st.RunPayoutItems(context.Background(), res.Run.RunID, func(it reconcile.PayoutItem) error {
			if it.Currency == "BRL" {
				items = append(items, it)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		rel := reports.CNAB240Path(res.Run.RunID)
		data, err := os.ReadFile(filepath.Join(res.Dir, rel))
		if len(items) == 0 {
			if err == nil {
				t.Errorf("%s: a remittance without BRL payout items", rel)
			}
			continue
		}
		if err != nil {
			t.Fatalf("run %s has %d BRL items but: %v", res.Run.RunID, len(items), err)
		}
		files++
		checkRemittance(t, cfg, res, data, items, int64(files))
		checkGolden(t, "basic/"+res.Run.RunID+"/"+rel, data)
	}
	if files < 3 {
		t.Errorf("%d remittances published, want one per run with BRL items (3)", files)
	}
}

// checkRemittance compares a published remittance with the stored items.
func checkRemittance(t *testing.T, cfg Config, res Result, data []byte, items []reconcile.PayoutItem, seq int64) {
	t.Helper()
	rel := reports.CNAB240Path(res.Run.RunID)
	for i, l := range strings.SplitAfter(string(data), "\r\n") {
		if l != "" && (len(l) != 242 || !strings.HasSuffix(l, "\r\n")) {
			t.Fatalf("%s:%d: %d bytes with its line end, want 240 + CR LF", rel, i+1, len(l))
		}
	}
	rem, err := cnab240.ReadRemittance(bytes.NewReader(data), rel)
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.cnab()
	loc := cfg.Location
	gen := res.Run.WindowEnd.In(loc)
	if rem.CompanyCNPJ != c.CNPJ || rem.Agreement != c.Agreement || rem.CompanyName != c.Name ||
		rem.Sequence != seq || rem.Generated != gen.Format("02012006 150405") || rem.BankCode != c.BankCode {
		t.Errorf("%s header: %+v; want company %+v, sequence %d, generated %s", rel, rem, c, seq, gen)
	}
	if len(rem.Payments) != len(items) {
		t.Fatalf("%s: %d payments, %d BRL items", rel, len(rem.Payments), len(items))
	}
	byRef := map[string]cnab240.ReadPayment{}
	for _, p := range rem.Payments {
		byRef[p.Reference] = p
	}
	exec := res.Run.Date().AddBusinessDays(cfg.Debtor.ExecutionLagDays)
	var total int64
	for _, it := range items {
		p, ok := byRef[it.ShortRef]
		if !ok || it.ShortRef == "" {
			t.Errorf("%s: item %s (short reference %q) missing", rel, it.Reference, it.ShortRef)
			continue
		}
		total += it.Amount
		wantName := strings.ToUpper(reports.BankText(it.Name, 30, it.ParticipantID))
		wantDate := fmt.Sprintf("%02d%02d%04d", exec.Day, exec.Month, exec.Year)
		if p.Name != wantName || p.Amount != it.Amount || p.Currency != "BRL" || p.PaymentDate != wantDate {
			t.Errorf("%s %s: %+v; want name %q amount %d on %s", rel, it.ShortRef, p, wantName, it.Amount, wantDate)
		}
		_, taxID, taxErr := reconcile.ValidateTaxID(it.TaxID)
		switch {
		case taxErr == nil && len(taxID) == 11 && p.Initiation != "" && (p.TaxIDKind != "1" || p.TaxID != "000"+taxID),
			taxErr == nil && len(taxID) == 14 && p.Initiation != "" && (p.TaxIDKind != "2" || p.TaxID != taxID),
			taxErr != nil && p.Initiation != "" && p.TaxIDKind != "0":
			t.Errorf("%s %s: payee document %s %q, want tax id %q", rel, it.ShortRef, p.TaxIDKind, p.TaxID, it.TaxID)
		}
		if it.PixKey != "" {
			k, err := reconcile.ParsePixKey(it.PixKey)
			if err != nil || p.Method != cnab240.MethodPix || p.Clearing != "009" || p.Initiation != string(k.Type) ||
				p.PixKey != k.Value || p.Bank.Bank != "000" {
				t.Errorf("%s %s: %+v; want PIX by key %+v", rel, it.ShortRef, p, k)
			}
			continue
		}
		b, err := reconcile.ParseBankAccount(it.PayoutAccount, it.PayoutBank)
		if err != nil {
			t.Fatalf("%s: stored item %s cannot be paid: %v", rel, it.Reference, err)
		}
		if p.Bank.Bank != b.Bank || strings.TrimLeft(p.Bank.Branch, "0") != strings.TrimLeft(b.Branch, "0") ||
			strings.TrimLeft(p.Bank.Account, "0") != strings.TrimLeft(b.Account, "0") || p.Bank.Digit != b.Digit ||
			p.Method != cnab240.MethodPix || p.Initiation != "05" || p.PixKey != "" {
			t.Errorf("%s %s: %+v; want PIX by bank data %+v", rel, it.ShortRef, p, b)
		}
	}
	var listed bool
	for _, f := range res.Manifest.Files {
		if f.Path == rel {
			listed = true
			brl := res.Manifest.ControlTotals.PayoutItems["BRL"]
			if f.Kind != reports.KindProviderCNAB240 || f.Rows != brl.Count || f.Totals["BRL"] != brl.Amount ||
				f.Bytes != int64(len(data)) {
				t.Errorf("manifest lists %s as %+v; BRL payout items %+v", rel, f, brl)
			}
		}
	}
	if !listed {
		t.Errorf("manifest does not list %s", rel)
	}
}

// TestShortReference: fixed widths, unique across runs, errors rather
// than a cut reference.
func TestShortReference(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		run  string
		n    int
		want string
	}{
		{"nightly-20260303", 1, "N2026030300000000001"},
		{"nightly-20260303", 99999999999, "N2026030399999999999"},
		{"rerun-20260303-1", 1, "R2026030300100000001"},
		{"rerun-20260303-12", 7, "R2026030301200000007"},
		{"rerun-20260303-999", 99999999, "R2026030399999999999"},
		{"rerun-20260303-1000", 1, ""},
		{"rerun-20260303-1", 100000000, ""},
		{"nightly-2026033", 1, ""},
		{"other", 1, ""},
		{"nightly-20260303", 0, ""},
	} {
		got, err := ShortReference(tc.run, tc.n)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("ShortReference(%q, %d) = %q, %v; want %q", tc.run, tc.n, got, err, tc.want)
		}
	}
}

// TestCNAB240HoldsWhatItCannotCarry: a BRL payee with a bad key or bank
// data the remittance cannot carry is held as INVALID_PAYOUT_ACCOUNT and
// appears in no file; the others are paid.
func TestCNAB240HoldsWhatItCannotCarry(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	mustExec(t, st, `UPDATE participants SET pix_key = '11144477736' WHERE participant_id = 'lead1'`) // check digits fail
	mustExec(t, st, `UPDATE participants SET payout_account = '0001-123456' WHERE participant_id = 'cop3'`)
	res := runDate(t, st, testConfig(t), "2026-03-03")
	var kinds []string
	if err := st.RunDiscrepancies(context.Background(), res.Run.RunID, store.DiscrepanciesChanged, func(f reconcile.ReportedDiscrepancy) error {
		if f.Kind == reconcile.InvalidPayoutAccount {
			kinds = append(kinds, f.ParticipantID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(kinds, ",") != "cop3,lead1" {
		t.Errorf("INVALID_PAYOUT_ACCOUNT for %v, want cop3 and lead1", kinds)
	}
	data, err := os.ReadFile(filepath.Join(res.Dir, reports.CNAB240Path(res.Run.RunID)))
	if err != nil {
		t.Fatal(err)
	}
	rem, err := cnab240.ReadRemittance(bytes.NewReader(data), "rem")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := st.DB.Get(&n, `SELECT count(*) FROM payout_items WHERE run_id = $1 AND currency = 'BRL'
		AND participant_id IN ('lead1', 'cop3')`, res.Run.RunID); err != nil || n != 0 {
		t.Errorf("held payees have %d payout items (%v)", n, err)
	}
	if len(rem.Payments) == 0 {
		t.Error("nobody paid")
	}
}
