package reconcile

import "testing"

func TestParsePixKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		typ   PixKeyType
		value string // "" means refused
	}{
		{"+5511987654321", PixPhone, "+5511987654321"},
		{"+551133334444", PixPhone, "+551133334444"},
		{"+55 11987654321", "", ""},
		{"+5411987654321", "", ""},
		{"+550187654321", "", ""},
		{"+55119876543210", "", ""},
		{"11987654321", "", ""}, // 11 digits without +55 is read as a CPF, and fails its check digits
		{"bruno@example.com", PixEmail, "bruno@example.com"},
		{"Bruno.Reis+pix@Example.COM", PixEmail, "bruno.reis+pix@example.com"},
		{"bruno@example", "", ""},
		{"bruno@@example.com", "", ""},
		{"@example.com", "", ""},
		{"bruno@.example.com", "", ""},
		{"joão@example.com", "", ""},
		{"a b@example.com", "", ""},
		{"11144477735", PixTaxID, "11144477735"},
		{"111.444.777-35", PixTaxID, "11144477735"},
		{"11144477736", "", ""},
		{"11222333000181", PixTaxID, "11222333000181"},
		{"11.222.333/0001-81", PixTaxID, "11222333000181"},
		{"11222333000182", "", ""},
		{"7d9f0335-8dcc-4054-9bf9-0310cd7a9a5e", PixRandom, "7d9f0335-8dcc-4054-9bf9-0310cd7a9a5e"},
		{"7D9F0335-8DCC-4054-9BF9-0310CD7A9A5E", PixRandom, "7d9f0335-8dcc-4054-9bf9-0310cd7a9a5e"},
		{"7d9f0335-8dcc-4054-9bf9-0310cd7a9a5", "", ""},
		{"7d9f0335x8dcc-4054-9bf9-0310cd7a9a5e", "", ""},
		{"7d9f0335-8dcc-4054-9bf9-0310cd7a9a5g", "", ""},
		{"", "", ""},
		{"hello", "", ""},
	}
	for _, tc := range tests {
		got, err := ParsePixKey(tc.in)
		if tc.value == "" {
			if err == nil {
				t.Errorf("ParsePixKey(%q) = %+v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got.Type != tc.typ || got.Value != tc.value {
			t.Errorf("ParsePixKey(%q) = %+v, %v; want %s %q", tc.in, got, err, tc.typ, tc.value)
		}
	}
}

func TestParseBankAccount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		account, bank string
		want          BankAccount
		ok            bool
	}{
		{"0001-00123456-7", "341", BankAccount{"341", "0001", "00123456", "7"}, true},
		{"1-1-X", "001", BankAccount{"001", "1", "1", "X"}, true},
		{"12345-123456789012-P", "237", BankAccount{"237", "12345", "123456789012", "P"}, true},
		{"123456-1-1", "237", BankAccount{}, false},           // branch of 6 digits
		{"1-1234567890123-1", "237", BankAccount{}, false},    // account of 13 digits
		{"0001-123456", "341", BankAccount{}, false},          // no check digit
		{"0001-00123456-77", "341", BankAccount{}, false},     // two-character digit
		{"0001-00123456-x", "341", BankAccount{}, false},      // lower case
		{"0001-0012345A-7", "341", BankAccount{}, false},      // letter in account
		{"0001-00123456-7", "34", BankAccount{}, false},       // bank of 2 digits
		{"0001-00123456-7", "", BankAccount{}, false},         // no bank
		{"0001-00123456-7", "BOFABRSP", BankAccount{}, false}, // a BIC
		{"BR1800360305000010009795493C1", "", BankAccount{}, false},
	}
	for _, tc := range tests {
		got, err := ParseBankAccount(tc.account, tc.bank)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseBankAccount(%q, %q) = %+v, %v; want %+v ok=%v", tc.account, tc.bank, got, err, tc.want, tc.ok)
		}
	}
}

func TestSettleWithPayee(t *testing.T) {
	t.Parallel()
	brl, _ := LookupCurrency("BRL")
	usd, _ := LookupCurrency("USD")
	tests := []struct {
		cur   Currency
		payee Payee
		paid  bool
		kind  string
	}{
		{brl, Payee{"0001-00123456-7", "341", ""}, true, ""},
		{brl, Payee{"0001-00123456-7", "341", "bruno@example.com"}, true, ""},
		{brl, Payee{"ACC-1", "", "+5511987654321"}, true, ""},                              // paid by key; the account is only what pain.001 shows
		{brl, Payee{"0001-00123456-7", "341", "11144477736"}, false, InvalidPayoutAccount}, // a bad key is held, not paid to the bank data
		{brl, Payee{"0001-123456", "341", ""}, false, InvalidPayoutAccount},                // bank data CNAB cannot carry
		{brl, Payee{"0001-00123456-7", "", ""}, false, InvalidPayoutAccount},
		{brl, Payee{"", "", "bruno@example.com"}, false, MissingPayoutAccount},
		{usd, Payee{"ACC-1", "", ""}, true, ""}, // only BRL goes through CNAB 240
		{usd, Payee{"ACC-1", "", "not a key"}, true, ""},
	}
	for _, tc := range tests {
		b := Balance{ParticipantID: "p1", Currency: tc.cur, Commissions: 500}
		got, f := SettleWithPayee(b, 1, tc.payee)
		kind := ""
		if f != nil {
			kind = f.Kind
		}
		if (got.Payout == 500) != tc.paid || got.Payout+got.CarriedForward != 500 || kind != tc.kind {
			t.Errorf("%s %+v: payout %d carried %d finding %q; want paid=%v finding %q", tc.cur.Code, tc.payee,
				got.Payout, got.CarriedForward, kind, tc.paid, tc.kind)
		}
	}
	// Below the threshold nothing is reported, whatever the key.
	if _, f := SettleWithPayee(Balance{ParticipantID: "p1", Currency: brl, Commissions: 5}, 10, Payee{"x", "", "bad"}); f != nil {
		t.Errorf("sub-threshold balance flagged: %+v", f)
	}
}
