package reconcile

import "testing"

func TestSettlePayee(t *testing.T) {
	t.Parallel()
	brl, _ := LookupCurrency("BRL")
	b := Balance{ParticipantID: "p1", Currency: brl, Commissions: 500}
	tests := []struct {
		account, bank string
		payout        int64
		kind          string
	}{
		{"0001-123456", "341", 500, ""},
		{"BR1800360305000010009795493C1", "", 500, ""},
		{"", "341", 0, MissingPayoutAccount},
		{"=HYPERLINK(1)", "341", 0, InvalidPayoutAccount},
		{"-0001", "341", 0, InvalidPayoutAccount},
		{"0001 123456", "341", 0, InvalidPayoutAccount},
		{"12345678901234567890123456789012345", "", 0, InvalidPayoutAccount}, // 35 characters
		{"0001-123456", "+341", 0, InvalidPayoutAccount},
	}
	for _, tc := range tests {
		got, f := SettlePayee(b, 1, tc.account, tc.bank)
		kind := ""
		if f != nil {
			kind = f.Kind
		}
		if got.Payout != tc.payout || kind != tc.kind || got.Payout+got.CarriedForward != 500 {
			t.Errorf("account %q bank %q: payout %d carried %d finding %q; want payout %d finding %q",
				tc.account, tc.bank, got.Payout, got.CarriedForward, kind, tc.payout, tc.kind)
		}
	}
	// A balance that is not payable raises nothing, whatever the account.
	if _, f := SettlePayee(Balance{ParticipantID: "p1", Currency: brl, Reversals: -5}, 1, "=bad", ""); f != nil {
		t.Errorf("negative balance flagged: %+v", f)
	}
}
