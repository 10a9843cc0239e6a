package jobs

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"payouts/reconcile/ledger"
	"payouts/reports"
	"payouts/reports/cnab240"
)

func TestCNABConfig(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	cfg, err := ConfigFromEnv(env())
	if err != nil {
		t.Fatal(err)
	}
	want := ledger.CNABParams{Bank: "febraban", BankCode: "000", CNPJ: DefaultCNABCNPJ, Agreement: "DEMO", Branch: "0001",
		Account: "1", Digit: "0", Name: "PAYOUTS MARKETPLACE"}
	if cfg.CNAB != want {
		t.Errorf("defaults %+v, want %+v", cfg.CNAB, want)
	}
	cfg, err = ConfigFromEnv(env("PAYOUTS_CNAB_BANK", "bradesco", "PAYOUTS_CNAB_CNPJ", "11.222.333/0001-81",
		"PAYOUTS_CNAB_AGREEMENT", "123456", "PAYOUTS_CNAB_BRANCH", "1234", "PAYOUTS_CNAB_ACCOUNT", "98765",
		"PAYOUTS_CNAB_DIGIT", "p", "PAYOUTS_CNAB_NAME", "Mercado São João Ltda"))
	if err != nil {
		t.Fatal(err)
	}
	want = ledger.CNABParams{Bank: "bradesco", BankCode: "237", CNPJ: "11222333000181", Agreement: "123456", Branch: "1234",
		Account: "98765", Digit: "P", Name: "MERCADO SAO JOAO LTDA"}
	if cfg.CNAB != want {
		t.Errorf("bradesco %+v, want %+v", cfg.CNAB, want)
	}
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{"PAYOUTS_CNAB_BANK", "itau"}, `PAYOUTS_CNAB_BANK / PAYOUTS_CNAB_BANK_CODE: unknown CNAB bank profile "itau"`},
		{[]string{"PAYOUTS_CNAB_BANK", "bradesco", "PAYOUTS_CNAB_BANK_CODE", "341"}, "pays from bank 237"},
		{[]string{"PAYOUTS_CNAB_BANK_CODE", "34"}, "not 3 digits"},
		{[]string{"PAYOUTS_CNAB_CNPJ", "11222333000182"}, "PAYOUTS_CNAB_*: company CNPJ"},
		{[]string{"PAYOUTS_CNAB_CNPJ", "11144477735"}, "PAYOUTS_CNAB_*: company CNPJ"}, // a CPF
		{[]string{"PAYOUTS_CNAB_BRANCH", "123456"}, "branch"},
		{[]string{"PAYOUTS_CNAB_ACCOUNT", "12-3"}, "account"},
		{[]string{"PAYOUTS_CNAB_AGREEMENT", strings.Repeat("A", 21)}, "agreement"},
		{[]string{"PAYOUTS_CNAB_BANK", "bradesco"}, "PAYOUTS_CNAB_AGREEMENT: the bradesco profile's agreement code is 1 to 6 digits"},
	} {
		if _, err := ConfigFromEnv(env(tc.env...)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error containing %q", tc.env, err, tc.want)
		}
	}
}

// TestCNABProfileRecordedWithRun: a run paid through the bradesco profile
// publishes Bradesco batches, and an export under another configuration
// republishes the same bytes (the settings are the run's).
func TestCNABProfileRecordedWithRun(t *testing.T) {
	t.Parallel()
	st := loadedStore(t, basicExample)
	cfg, err := ConfigFromEnv(func(k string) string {
		return map[string]string{"PAYOUTS_CNAB_BANK": "bradesco", "PAYOUTS_CNAB_AGREEMENT": "4321"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.OutDir = t.TempDir()
	res := runDate(t, st, cfg, "2026-03-03")
	rel := reports.CNAB240Path(res.Run.RunID)
	data, err := os.ReadFile(filepath.Join(res.Dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	rem, err := cnab240.ReadRemittance(bytes.NewReader(data), rel)
	if err != nil {
		t.Fatal(err)
	}
	methods := map[string]int{}
	for _, p := range rem.Payments {
		methods[p.Method]++
	}
	// aff1 (260) and cop3 (001) by TED, the four with keys by PIX; nobody banks at 237 without a key.
	if rem.BankCode != "237" || rem.Agreement != "004321" || methods["41"] != 2 || methods["45"] != 4 || len(methods) != 2 {
		t.Errorf("bank %s agreement %s methods %v", rem.BankCode, rem.Agreement, methods)
	}
	dir, _, err := Publish(context.Background(), st, res.Run, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	again, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil || !bytes.Equal(again, data) {
		t.Errorf("export differs (%v)", err)
	}
}

// TestMinPayoutConfig: PAYOUTS_MIN_PAYOUT is read per currency in its own
// digits, and a bad value is refused with the variable's name, a currency
// named twice included (the same parser as PAYOUTS_TAX_TOLERANCE).
func TestMinPayoutConfig(t *testing.T) {
	t.Parallel()
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "PAYOUTS_MIN_PAYOUT" {
				return v
			}
			return ""
		}
	}
	cfg, err := ConfigFromEnv(env("BRL=50.00, JPY=5,KWD=0.125"))
	if err != nil || len(cfg.MinPayout) != 3 || cfg.MinPayout["BRL"] != 5000 || cfg.MinPayout["JPY"] != 5 || cfg.MinPayout["KWD"] != 125 {
		t.Errorf("min payout %v (%v)", cfg.MinPayout, err)
	}
	if cfg.minPayout("USD") != 1 || cfg.minPayout("BRL") != 5000 {
		t.Errorf("thresholds: USD %d, BRL %d", cfg.minPayout("USD"), cfg.minPayout("BRL"))
	}
	for v, want := range map[string]string{
		"50":          `PAYOUTS_MIN_PAYOUT: "50" is not CURRENCY=AMOUNT (like BRL=50.00)`,
		"XYZ=1":       `PAYOUTS_MIN_PAYOUT: unknown currency "XYZ"`,
		"BRL=0":       "PAYOUTS_MIN_PAYOUT: BRL=0: want a positive amount in BRL's digits",
		"BRL=-1":      "PAYOUTS_MIN_PAYOUT: BRL=-1: want a positive amount in BRL's digits",
		"BRL=0.001":   "PAYOUTS_MIN_PAYOUT: BRL=0.001: want a positive amount in BRL's digits",
		"BRL=1,BRL=2": "PAYOUTS_MIN_PAYOUT: BRL is named twice",
	} {
		if _, err := ConfigFromEnv(env(v)); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("PAYOUTS_MIN_PAYOUT=%s: %v, want %q", v, err, want)
		}
	}
}
