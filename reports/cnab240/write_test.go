package cnab240

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"payouts/reconcile"
)

func testSettings(t *testing.T, profile, bank string) Settings {
	t.Helper()
	p, err := LookupProfile(profile, bank)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("America/Sao_Paulo")
	return Settings{Profile: p, Company: demo, Generated: time.Date(2026, 3, 4, 0, 0, 0, 0, loc), Sequence: 7,
		PaymentDate: reconcile.Date{Year: 2026, Month: 3, Day: 4}}
}

func key(t *testing.T, s string) reconcile.PixKey {
	t.Helper()
	k, err := reconcile.ParsePixKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testPayments(t *testing.T) []Payment {
	return []Payment{
		{Reference: "N2026030300000000001", Name: "Ana Lima", Amount: 78884, PixKey: key(t, "bruno@example.com"), TaxID: "11144477735"},
		{Reference: "N2026030300000000002", Name: "Bruno Reis", Amount: 15742,
			Bank: reconcile.BankAccount{Bank: "237", Branch: "1", Account: "654321", Digit: "P"}},
		{Reference: "N2026030300000000003", Name: "Carla Dias", Amount: 2,
			Bank: reconcile.BankAccount{Bank: "001", Branch: "2", Account: "111111", Digit: "X"}, TaxID: "11222333000181"},
	}
}

// TestBradescoProfile: payees at Bradesco are credited (01), other bank
// data go by TED (41) with a purpose code, keys by PIX (45); batches in
// method order, each with its own trailer.
func TestBradescoProfile(t *testing.T) {
	var buf bytes.Buffer
	s := testSettings(t, "bradesco", "")
	if _, err := Write(&buf, s, testPayments(t)); err == nil || !strings.Contains(err.Error(), "agreement code is 1 to 6 digits") {
		t.Errorf("bradesco with agreement DEMO: %v", err)
	}
	s.Company.Agreement = "4321"
	sum, err := Write(&buf, s, testPayments(t))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Batches != 3 || sum.Records != 12 || sum.Payments != 3 || sum.Amount != 94628 {
		t.Errorf("summary %+v", sum)
	}
	rem, err := ReadRemittance(bytes.NewReader(buf.Bytes()), "b.rem")
	if err != nil {
		t.Fatal(err)
	}
	if rem.BankCode != "237" || rem.FileLayout != "089" || rem.Sequence != 7 || rem.Generated != "04032026 000000" {
		t.Errorf("header %+v", rem)
	}
	got := []string{}
	for _, p := range rem.Payments {
		got = append(got, p.Method+"/"+p.Clearing+"/"+p.Reference+"/"+p.Name+"/"+p.Bank.Bank+p.Bank.Branch+p.Bank.Account+p.Bank.Digit+"/"+p.PixKey)
	}
	want := []string{
		"01/000/N2026030300000000002/BRUNO REIS/23700001000000654321P/",
		"41/018/N2026030300000000003/CARLA DIAS/00100002000000111111X/",
		"45/009/N2026030300000000001/ANA LIMA/00000000000000000000/bruno@example.com",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("payments:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	lines := strings.Split(buf.String(), "\r\n")
	if ted := lines[5]; ted[219:226] != "00005CC" || ted[7] != '3' || ted[13] != 'A' {
		t.Errorf("TED Segment A purpose %q", ted[219:226])
	}
	if h := lines[0]; h[166:171] != "01600" || h[102:110] != "BRADESCO" || h[32:52] != "004321              " {
		t.Errorf("file header density %q bank %q agreement %q", h[166:171], h[102:132], h[32:52])
	}
	if b := lines[1]; b[32:52] != "00000000000000004321" || b[222:224] != "01" || b[13:16] != "045" {
		t.Errorf("batch header agreement %q payment form %q layout %q", b[32:52], b[222:224], b[13:16])
	}
	if _, err := LookupProfile("bradesco", "341"); err == nil {
		t.Error("bradesco profile with bank 341 accepted")
	}
	if _, err := LookupProfile("itau", ""); err == nil {
		t.Error("unknown profile accepted")
	}
}

// TestWriteRefuses: the writer validates before writing and writes
// nothing on a refusal.
func TestWriteRefuses(t *testing.T) {
	base := testPayments(t)
	for _, tc := range []struct {
		name string
		edit func(s *Settings, ps []Payment) []Payment
		want string
	}{
		{"long reference", func(s *Settings, ps []Payment) []Payment { ps[0].Reference = strings.Repeat("N", 21); return ps }, "reference"},
		{"lower-case reference", func(s *Settings, ps []Payment) []Payment { ps[0].Reference = "n1"; return ps }, "reference"},
		{"repeated reference", func(s *Settings, ps []Payment) []Payment { ps[1].Reference = ps[0].Reference; return ps }, "appears twice"},
		{"zero amount", func(s *Settings, ps []Payment) []Payment { ps[0].Amount = 0; return ps }, "amount"},
		{"too large", func(s *Settings, ps []Payment) []Payment { ps[0].Amount = maxAmount + 1; return ps }, "amount"},
		{"bad key", func(s *Settings, ps []Payment) []Payment {
			ps[0].PixKey = reconcile.PixKey{Type: reconcile.PixEmail, Value: "x"}
			return ps
		}, "PIX key"},
		{"bad bank data", func(s *Settings, ps []Payment) []Payment { ps[1].Bank.Account = "12A"; return ps }, "payout_account"},
		{"non-ASCII name", func(s *Settings, ps []Payment) []Payment { ps[1].Name = "João"; return ps }, "name"},
		{"unnormalized tax id", func(s *Settings, ps []Payment) []Payment { ps[0].TaxID = "111.444.777-35"; return ps }, "tax id"},
		{"no payments", func(s *Settings, ps []Payment) []Payment { return nil }, "no payments"},
		{"bad company", func(s *Settings, ps []Payment) []Payment { s.Company.CNPJ = "11222333000182"; return ps }, "CNPJ"},
		{"no sequence", func(s *Settings, ps []Payment) []Payment { s.Sequence = 0; return ps }, "sequence"},
	} {
		s := testSettings(t, "febraban", "341")
		ps := tc.edit(&s, append([]Payment(nil), base...))
		var buf bytes.Buffer
		_, err := Write(&buf, s, ps)
		if err == nil || !strings.Contains(err.Error(), tc.want) || buf.Len() != 0 {
			t.Errorf("%s: %v (wrote %d bytes); want an error about %s", tc.name, err, buf.Len(), tc.want)
		}
	}
}

// TestCheckRefusesWrongTrailers: a remittance whose trailers do not add
// up is refused at the line of the trailer.
func TestCheckRefusesWrongTrailers(t *testing.T) {
	var buf bytes.Buffer
	if _, err := Write(&buf, testSettings(t, "febraban", "341"), testPayments(t)); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	lines := strings.Split(good, "\r\n")
	bad := append([]string(nil), lines...)
	bt := []byte(bad[len(bad)-3])
	copy(bt[40:41], "9")
	bad[len(bad)-3] = string(bt)
	if _, err := Check([]byte(strings.Join(bad, "\r\n"))); err == nil || !strings.Contains(err.Error(), "batch trailer total") {
		t.Errorf("wrong batch total: %v", err)
	}
	if _, err := Check([]byte(strings.ReplaceAll(good, "\r\n", "\n"))); err == nil || !strings.Contains(err.Error(), "CR LF") {
		t.Errorf("LF remittance: %v", err)
	}
	for i, l := range lines[:len(lines)-1] {
		if len(l) != LineLength {
			t.Errorf("line %d: %d characters", i+1, len(l))
		}
	}
}
