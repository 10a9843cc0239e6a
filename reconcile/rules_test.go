package reconcile

import (
	"strings"
	"testing"
	"time"
)

func ts(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := ParseTimestamp(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func rate(t *testing.T, s string) Rate {
	t.Helper()
	r, err := ParseShareRate(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// basicTerms is contract_terms.csv of testdata/examples/basic.
func basicTerms(t *testing.T) []ContractTerm {
	acc := func(c, p, cop string, v int, r string, sc Scope, managed, mayAff bool, ends, at string) ContractTerm {
		ct := ContractTerm{ContractID: c, ProductID: p, CoproducerID: cop, Version: v, Status: TermAccepted,
			Rate: rate(t, r), Scope: sc, ManagedOnly: managed, MayAffiliate: mayAff, AcceptedAt: ts(t, at)}
		if ends != "" {
			ct.EndsAt = ts(t, ends)
		}
		return ct
	}
	jan1 := "2026-01-01T00:00:00-03:00"
	return []ContractTerm{
		acc("c1", "p1", "cop1", 1, "10", ScopeAll, false, false, "", "2026-01-10T14:00:00-03:00"),
		acc("c1", "p1", "cop1", 2, "15", ScopeAll, false, false, "", "2026-03-05T09:00:00-03:00"),
		{ContractID: "c1", ProductID: "p1", CoproducerID: "cop1", Version: 3, Status: TermDeclined, Rate: rate(t, "40"), Scope: ScopeAll},
		{ContractID: "c1", ProductID: "p1", CoproducerID: "cop1", Version: 4, Status: TermCancelled, Scope: ScopeAll, AcceptedAt: ts(t, "2026-06-03T12:00:00-03:00")},
		acc("c2", "p2", "cop2", 1, "33", ScopeAll, false, false, "", jan1),
		acc("c3", "p2", "cop3", 1, "33", ScopeAll, false, false, "", jan1),
		acc("c4", "p3", "mgr1", 1, "20", ScopeAffiliate, true, false, "", jan1),
		acc("c5", "p3", "cop1", 1, "12.5", ScopeProducer, false, true, "2026-09-01T00:00:00-03:00", jan1),
		acc("c6", "p4", "cop2", 1, "40", ScopeAll, false, false, "", jan1),
		acc("c7", "p4", "cop3", 1, "40", ScopeAll, false, false, "", jan1),
		acc("c9", "p5", "cop4", 1, "20", ScopeAll, false, false, "", jan1),
	}
}

func mustSale(t *testing.T, id, product, cur, gross, fee, aff, affRate, manager, soldAt string) Sale {
	t.Helper()
	s, err := ParseSale(SaleRecord{SaleID: id, ProductID: product, LeadID: "lead1", Currency: cur, Gross: gross,
		PlatformFee: fee, AffiliateID: aff, AffiliateRate: affRate, AffiliateManagerID: manager, SoldAt: ts(t, soldAt)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func render(lines []Line, cur Currency) string {
	var b []string
	for _, l := range lines {
		b = append(b, string(l.Role)+":"+l.ParticipantID+":"+l.ContractID+"="+FormatAmount(l.Amount, cur))
	}
	return strings.Join(b, " ")
}

// TestAllocateBasicExample checks SPEC section 11's worked examples.
func TestAllocateBasicExample(t *testing.T) {
	t.Parallel()
	terms := basicTerms(t)
	tests := []struct {
		name, id, product, cur, gross, fee, aff, affRate, manager, soldAt string
		want                                                              string
		hold                                                              string
		note                                                              string
	}{
		{"s01 waterfall", "s01", "p1", "BRL", "100.00", "10.40", "aff1", "35", "", "2026-02-01T10:00:00-03:00",
			"lead:lead1:=52.42 coproducer:cop1:c1=5.82 affiliate:aff1:=31.36", "", ""},
		{"s02 one second before acceptance", "s02", "p1", "BRL", "100.00", "10.40", "", "", "", "2026-01-09T23:59:59-03:00",
			"lead:lead1:=89.60", "", ""},
		{"s03 one second before amendment", "s03", "p1", "BRL", "197.00", "20.50", "", "", "", "2026-03-05T08:59:59-03:00",
			"lead:lead1:=158.85 coproducer:cop1:c1=17.65", "", ""},
		{"s04 at the amendment", "s04", "p1", "BRL", "197.00", "20.50", "", "", "", "2026-03-05T09:00:00-03:00",
			"lead:lead1:=150.03 coproducer:cop1:c1=26.47", "", ""},
		{"s05 at the cancellation", "s05", "p1", "BRL", "197.00", "20.50", "", "", "", "2026-06-03T12:00:00-03:00",
			"lead:lead1:=176.50", "", ""},
		{"s06 five cents", "s06", "p2", "BRL", "0.06", "0.01", "", "", "", "2026-02-01T10:00:00-03:00",
			"lead:lead1:=0.02 coproducer:cop2:c2=0.02 coproducer:cop3:c3=0.01", "", ""},
		{"s07 managed affiliate", "s07", "p3", "BRL", "297.00", "30.40", "aff1", "40", "mgr1", "2026-02-01T10:00:00-03:00",
			"lead:lead1:=127.97 coproducer:mgr1:c4=31.99 affiliate:aff1:=106.64", "", ""},
		{"s08 co-producer as affiliate", "s08", "p3", "BRL", "297.00", "30.40", "cop1", "40", "", "2026-02-01T10:00:00-03:00",
			"lead:lead1:=159.96 affiliate:cop1:=106.64", "", ""},
		{"s09 producer scope", "s09", "p3", "BRL", "297.00", "30.40", "", "", "", "2026-02-01T10:00:00-03:00",
			"lead:lead1:=233.28 coproducer:cop1:c5=33.32", "", ""},
		{"s10 JPY", "s10", "p3", "JPY", "9800", "980", "", "", "", "2026-02-01T10:00:00-03:00",
			"lead:lead1:=7718 coproducer:cop1:c5=1102", "", ""},
		{"s13 cap", "s13", "p4", "BRL", "50.00", "5.40", "", "", "", "2026-02-01T10:00:00-03:00",
			"", CapExceeded, ""},
		{"unmanaged affiliate gets no managed_only share", "x1", "p3", "BRL", "297.00", "30.40", "aff1", "40", "", "2026-02-01T10:00:00-03:00",
			"lead:lead1:=159.96 affiliate:aff1:=106.64", "", ""},
		{"co-producer selling without may_affiliate", "x2", "p2", "BRL", "100.00", "10.00", "cop2", "10", "", "2026-02-01T10:00:00-03:00",
			"lead:lead1:=27.54 coproducer:cop2:c2=26.73 coproducer:cop3:c3=26.73 affiliate:cop2:=9.00", "", UnauthorizedAffiliate},
		{"after ends_at", "x3", "p3", "BRL", "10.00", "0.00", "", "", "", "2026-09-01T00:00:00-03:00",
			"lead:lead1:=10.00", "", ""},
	}
	for _, tc := range tests {
		s := mustSale(t, tc.id, tc.product, tc.cur, tc.gross, tc.fee, tc.aff, tc.affRate, tc.manager, tc.soldAt)
		a := Allocate(s, terms, DefaultPolicy)
		if got := render(a.Lines, s.Currency); got != tc.want {
			t.Errorf("%s: lines %q, want %q", tc.name, got, tc.want)
		}
		var sum int64
		for _, l := range a.Lines {
			sum += l.Amount
		}
		if tc.hold == "" && sum != s.Net() {
			t.Errorf("%s: lines add up to %d, net is %d", tc.name, sum, s.Net())
		}
		if (a.Hold == nil) != (tc.hold == "") || (a.Hold != nil && a.Hold.Kind != tc.hold) {
			t.Errorf("%s: hold %+v, want %q", tc.name, a.Hold, tc.hold)
		}
		if (len(a.Notes) == 1) != (tc.note != "") || (tc.note != "" && a.Notes[0].Kind != tc.note) {
			t.Errorf("%s: notes %+v, want %q", tc.name, a.Notes, tc.note)
		}
	}
}

func ledgerFor(a Allocation) SaleLedger {
	l := SaleLedger{SaleID: a.Sale.SaleID, Gross: a.Sale.Gross}
	for _, ln := range a.Lines {
		l.Positions = append(l.Positions, Position{Key: ln.Key(), ContractVersion: ln.ContractVersion, Entitled: ln.Amount})
	}
	return l
}

func TestReversals(t *testing.T) {
	t.Parallel()
	terms := basicTerms(t)
	s := mustSale(t, "s12", "p1", "BRL", "100.00", "10.40", "aff1", "35", "", "2026-02-02T10:00:00-03:00")
	brl := s.Currency
	a := Allocate(s, terms, DefaultPolicy)

	// s12: a 30.00 partial refund.
	l, lines := ApplyEvent(ledgerFor(a), Event{EventID: "e2", Kind: EventRefund, Amount: 3000})
	if got, want := render(MergeLines(lines), brl), "affiliate:aff1:=-9.41 coproducer:cop1:c1=-1.74 lead:lead1:=-15.73"; got != want {
		t.Errorf("partial refund: %q, want %q", got, want)
	}
	// Refunds reaching the gross leave every position at zero.
	l, _ = ApplyEvent(l, Event{EventID: "e3", Kind: EventRefund, Amount: 5000})
	l, _ = ApplyEvent(l, Event{EventID: "e4", Kind: EventRefund, Amount: 2000})
	if !l.Closed {
		t.Errorf("refunds adding up to the gross did not close the sale")
	}
	for _, p := range l.Positions {
		if p.Entitled+p.Reversed != 0 {
			t.Errorf("%v ends at %d, want 0", p.Key, p.Entitled+p.Reversed)
		}
	}
	// An event after closing changes nothing.
	if _, more := ApplyEvent(l, Event{EventID: "e5", Kind: EventChargeback}); len(more) != 0 {
		t.Errorf("event after close produced %v", more)
	}

	// s11: a chargeback negates everything.
	s11 := mustSale(t, "s11", "p1", "BRL", "100.00", "10.40", "aff1", "35", "", "2026-02-02T10:00:00-03:00")
	_, lines = ApplyEvent(ledgerFor(Allocate(s11, terms, DefaultPolicy)), Event{EventID: "e1", Kind: EventChargeback})
	if got, want := render(MergeLines(lines), brl), "affiliate:aff1:=-31.36 coproducer:cop1:c1=-5.82 lead:lead1:=-52.42"; got != want {
		t.Errorf("chargeback: %q, want %q", got, want)
	}
}

// TestRefundRoundingNeverOverReverses is the case a per-refund split gets
// wrong: three one-cent positions and three one-third refunds would take
// two cents from the lead.
func TestRefundRoundingNeverOverReverses(t *testing.T) {
	t.Parallel()
	l := SaleLedger{SaleID: "s", Gross: 3, Positions: []Position{
		{Key: LineKey{"lead1", RoleLead, ""}, Entitled: 1},
		{Key: LineKey{"a", RoleCoproducer, "c1"}, Entitled: 1},
		{Key: LineKey{"b", RoleCoproducer, "c2"}, Entitled: 1},
	}}
	for i := 0; i < 3; i++ {
		l, _ = ApplyEvent(l, Event{Kind: EventRefund, Amount: 1})
		for _, p := range l.Positions {
			if -p.Reversed > p.Entitled || p.Reversed > 0 {
				t.Fatalf("after refund %d: %v reversed %d of %d", i+1, p.Key, -p.Reversed, p.Entitled)
			}
		}
	}
	if !l.Closed {
		t.Fatal("not closed")
	}
}

func TestSettle(t *testing.T) {
	t.Parallel()
	brl, _ := LookupCurrency("BRL")
	tests := []struct {
		name               string
		bf, c, r           int64
		min                int64
		account            bool
		payout, carried    int64
		missingAccountFlag bool
	}{
		{"paid", 0, 500, 0, 1, true, 500, 0, false},
		{"negative carried", -4740, 2075, 0, 1, true, 0, -2665, false},
		{"below minimum", 0, 500, 0, 1000, true, 0, 500, false},
		{"zero", 100, 0, -100, 1, true, 0, 0, false},
		{"no account", 0, 519, 0, 1, false, 0, 519, true},
		{"no account, negative", 0, 0, -519, 1, false, 0, -519, false},
	}
	for _, tc := range tests {
		b, f := Settle(Balance{ParticipantID: "p", Currency: brl, BroughtForward: tc.bf, Commissions: tc.c, Reversals: tc.r}, tc.min, tc.account)
		if b.Payout != tc.payout || b.CarriedForward != tc.carried || (f != nil) != tc.missingAccountFlag {
			t.Errorf("%s: payout %d carried %d finding %v", tc.name, b.Payout, b.CarriedForward, f)
		}
		if b.Closing() != b.Payout+b.CarriedForward {
			t.Errorf("%s: balance equation broken", tc.name)
		}
	}
}

func TestWindowEnd(t *testing.T) {
	t.Parallel()
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	d, _ := ParseDate("2026-03-03")
	if got, want := WindowEnd(d, sp), ts(t, "2026-03-04T03:00:00Z"); !got.Equal(want) {
		t.Errorf("WindowEnd = %v, want %v", got, want)
	}
	// 2018-11-04: Brazil's clocks jumped from 00:00 to 01:00.
	d, _ = ParseDate("2018-11-03")
	if got, want := WindowEnd(d, sp), ts(t, "2018-11-04T03:00:00Z"); !got.Equal(want) {
		t.Errorf("WindowEnd across a skipped midnight = %v, want %v", got, want)
	}
	ny, _ := time.LoadLocation("America/New_York")
	d, _ = ParseDate("2026-03-08") // spring forward at 02:00
	if got, want := WindowEnd(d, ny), ts(t, "2026-03-09T04:00:00Z"); !got.Equal(want) {
		t.Errorf("New York window end = %v, want %v", got, want)
	}
}

func TestParseTimestamp(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"2026-03-03T10:00:00-03:00", "2026-03-04T02:30:00Z", "2026-03-03T23:59:59.999999-03:00"} {
		if _, err := ParseTimestamp(ok); err != nil {
			t.Errorf("ParseTimestamp(%q): %v", ok, err)
		}
	}
	if _, err := ParseTimestamp("2026-03-03T10:00:00"); err == nil || !strings.Contains(err.Error(), "has no offset") {
		t.Errorf("timestamp without offset: %v, want a message saying it has no offset", err)
	}
	for _, bad := range []string{"2026-03-03T10:00:00", "2026-03-03", "2026-03-03 10:00:00-03:00", "2026-03-03T10:00:00.1234567Z", ""} {
		if _, err := ParseTimestamp(bad); err == nil {
			t.Errorf("ParseTimestamp(%q) accepted", bad)
		}
	}
}
