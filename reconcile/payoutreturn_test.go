package reconcile

import (
	"strings"
	"testing"
)

func TestJudgeStatus(t *testing.T) {
	t.Parallel()
	it := func(s PayoutState) ItemStatus {
		return ItemStatus{Reference: "R", State: s, Amount: 20072, Currency: "BRL"}
	}
	rep := func(s PayoutState) StatusReport { return StatusReport{Reference: "R", State: s} }
	tests := []struct {
		item    ItemStatus
		report  StatusReport
		verdict StatusVerdict
		why     string
	}{
		{it(PayoutIssued), rep(PayoutAccepted), StatusApply, ""},
		{it(PayoutIssued), rep(PayoutPaid), StatusApply, ""},
		{it(PayoutAccepted), rep(PayoutRejected), StatusApply, ""},
		{it(PayoutPaid), rep(PayoutReturned), StatusApply, ""},
		{it(PayoutPaid), rep(PayoutPaid), StatusSame, ""},
		{it(PayoutRejected), rep(PayoutRejected), StatusSame, ""},
		{it(PayoutRejected), rep(PayoutPaid), StatusMismatch, "paid after rejected goes backwards"},
		{it(PayoutPaid), rep(PayoutAccepted), StatusMismatch, "accepted after paid goes backwards"},
		{it(PayoutIssued), rep(PayoutReturned), StatusMismatch, "returned after issued"},
		{it(PayoutReturned), rep(PayoutPaid), StatusMismatch, "paid after returned"},
		{it(PayoutIssued), StatusReport{State: PayoutPaid, Amount: 20071, HasAmount: true, Currency: "BRL"}, StatusMismatch,
			"reported amount 200.71, the item is 200.72 BRL"},
		{it(PayoutIssued), StatusReport{State: PayoutPaid, Currency: "USD"}, StatusMismatch, "reported in USD, the item is in BRL"},
		{it(PayoutIssued), StatusReport{State: PayoutPaid, Amount: 20072, HasAmount: true, Currency: "BRL"}, StatusApply, ""},
	}
	for _, tc := range tests {
		v, why := JudgeStatus(tc.item, tc.report)
		if v != tc.verdict || !strings.Contains(why, tc.why) {
			t.Errorf("%s then %s: %v %q, want %v %q", tc.item.State, tc.report.State, v, why, tc.verdict, tc.why)
		}
	}
}

func TestHoldReturned(t *testing.T) {
	t.Parallel()
	brl, _ := LookupCurrency("BRL")
	credits := []ReturnedCredit{
		{Reference: "R1", Amount: 20072, State: PayoutRejected, ReasonCode: "AC01", PayoutAccount: "0004-333333", PayoutBank: "260"},
		{Reference: "R2", Amount: 100, State: PayoutReturned, PayoutAccount: "0001-000001", PayoutBank: "260"},
	}
	h := HoldReturned("aff1", brl, credits, "0004-333333", "260", "")
	if h.Held != 20072 || strings.Join(h.Released, ",") != "R2" || h.Finding == nil ||
		h.Finding.Kind != PayoutReturnedKind || !h.Finding.Blocking || h.Finding.Expected != "200.72" ||
		!strings.Contains(h.Finding.Detail, "R1 (rejected AC01)") {
		t.Errorf("same account: %+v %+v", h, h.Finding)
	}
	// Another bank code is another account.
	if h := HoldReturned("aff1", brl, credits, "0004-333333", "341", ""); h.Held != 0 || len(h.Released) != 2 || h.Finding != nil {
		t.Errorf("changed bank: %+v", h)
	}
	// A new PIX key is a new destination too.
	if h := HoldReturned("aff1", brl, credits[:1], "0004-333333", "260", "eva@example.com"); h.Held != 0 || len(h.Released) != 1 {
		t.Errorf("changed PIX key: %+v", h)
	}
	if h := HoldReturned("aff1", brl, nil, "x", "", ""); h.Held != 0 || h.Finding != nil || h.Released != nil {
		t.Errorf("no credits: %+v", h)
	}
	b := SettleHeld(Balance{Currency: brl, BroughtForward: 5, Returned: 20072, Commissions: 10})
	if b.Payout != 0 || b.CarriedForward != 20087 {
		t.Errorf("held balance: %+v", b)
	}
}

func TestUnconfirmed(t *testing.T) {
	t.Parallel()
	d := func(s string) Date { v, _ := ParseDate(s); return v }
	// Issued Tue 2026-03-03, executed Wed 03-04, 5 business days later: Wed 03-11.
	for day, want := range map[string]bool{"2026-03-10": false, "2026-03-11": true, "2026-03-12": true} {
		if got := Unconfirmed(d("2026-03-03"), 1, 5, d(day)); got != want {
			t.Errorf("on %s: %v, want %v", day, got, want)
		}
	}
	// Issued Fri 03-06: executed Mon 03-09, due Mon 03-16.
	if Unconfirmed(d("2026-03-06"), 1, 5, d("2026-03-13")) || !Unconfirmed(d("2026-03-06"), 1, 5, d("2026-03-16")) {
		t.Error("weekend not skipped")
	}
}
