package reconcile

import (
	"errors"
	"strings"
	"testing"
)

// recordedAfter is what a sale's lines hold after its allocation and the
// events (as the nightly runs take them).
func recordedAfter(s Sale, terms []ContractTerm, events []Event) []Position {
	l := ledgerFor(Allocate(s, terms, DefaultPolicy))
	for _, ev := range events {
		l, _ = ApplyEvent(l, ev)
	}
	return l.Positions
}

func renderAdjustments(adjs []Adjustment, cur Currency) string {
	var b []string
	for _, a := range adjs {
		s := string(a.Role) + ":" + a.ParticipantID + ":" + a.ContractID + "=" + FormatAmount(a.Amount, cur)
		if a.ReversalPart != 0 {
			s += "(rev " + FormatAmount(a.ReversalPart, cur) + ")"
		}
		b = append(b, s)
	}
	return strings.Join(b, " ")
}

// TestRerun checks the adjustments (in output order: participant, then
// sale, role, contract) of SPEC 9 on the basic example's sales:
// new (today's allocation followed by the reversals already taken) less
// what is recorded, per position.
func TestRerun(t *testing.T) {
	t.Parallel()
	terms := basicTerms(t)
	with := func(f func(*ContractTerm)) []ContractTerm {
		out := append([]ContractTerm(nil), terms...)
		for i := range out {
			f(&out[i])
		}
		return out
	}
	c1At12 := with(func(ct *ContractTerm) {
		if ct.ContractID == "c1" && ct.Version == 1 {
			ct.Rate = rate(t, "12")
		}
	})
	c1Gone := with(func(ct *ContractTerm) {
		if ct.ContractID == "c1" {
			ct.Status = TermDeclined
		}
	})
	c1Earlier := with(func(ct *ContractTerm) {
		if ct.ContractID == "c1" && ct.Version == 1 {
			ct.AcceptedAt = ts(t, "2026-01-01T00:00:00-03:00")
		}
	})
	s01 := mustSale(t, "s01", "p1", "BRL", "100.00", "10.40", "aff1", "35", "", "2026-02-01T10:00:00-03:00")
	s02 := mustSale(t, "s02", "p1", "BRL", "100.00", "10.40", "", "", "", "2026-01-09T23:59:59-03:00")
	s12 := mustSale(t, "s12", "p1", "BRL", "100.00", "10.40", "aff1", "35", "", "2026-02-02T10:00:00-03:00")
	s12fee := s12
	s12fee.PlatformFee = 1040 - 200
	refund30 := []Event{{EventID: "e2", Kind: EventRefund, Amount: 3000}}
	chargeback := []Event{{EventID: "e1", Kind: EventChargeback, Full: true}}

	tests := []struct {
		name       string
		sale       Sale // today
		terms      []ContractTerm
		events     []Event
		recorded   []Position
		want       string
		paid, net  int64
		wantSkipOf string
	}{
		{name: "nothing changed", sale: s01, terms: terms, recorded: recordedAfter(s01, terms, nil), want: "", paid: 8960, net: 8960},
		{name: "nothing changed after a partial refund", sale: s12, terms: terms, events: refund30,
			recorded: recordedAfter(s12, terms, refund30), want: "", paid: 8960 - 2688, net: 8960},
		{name: "rate corrected", sale: s01, terms: c1At12, recorded: recordedAfter(s01, terms, nil),
			want: "coproducer:cop1:c1=1.17 lead:lead1:=-1.17", paid: 8960, net: 8960},
		{name: "contract never took effect: its position goes to zero", sale: s01, terms: c1Gone, recorded: recordedAfter(s01, terms, nil),
			want: "coproducer:cop1:c1=-5.82 lead:lead1:=5.82", paid: 8960, net: 8960},
		{name: "contract in force earlier: a new position", sale: s02, terms: c1Earlier, recorded: recordedAfter(s02, terms, nil),
			// pool 89.60, cop1 10% = 8.96, lead 80.64
			want: "coproducer:cop1:c1=8.96 lead:lead1:=-8.96", paid: 8960, net: 8960},
		{name: "fee corrected after a partial refund", sale: s12fee, terms: terms, events: refund30,
			// net 91.60: aff 32.06, pool 59.54: cop1 5.954 -> 5.95, lead 53.586 -> 53.59;
			// 30% of 91.60 = 27.48 over 32.06/5.95/53.59: 9.618/1.785/16.077 -> 9.62/1.78/16.08;
			// recorded 31.36-9.41 / 5.82-1.74 / 52.42-15.73.
			recorded: recordedAfter(s12, terms, refund30),
			want:     "affiliate:aff1:=0.49(rev -0.21) coproducer:cop1:c1=0.09(rev -0.04) lead:lead1:=0.82(rev -0.35)",
			paid:     9160 - 2748, net: 9160},
		{name: "rate corrected on a charged-back sale: nothing to pay or take", sale: s12, terms: c1At12, events: chargeback,
			recorded: recordedAfter(s12, terms, chargeback), want: "", paid: 0, net: 8960},
		{name: "now above the cap", sale: s01, terms: with(func(ct *ContractTerm) {
			if ct.ContractID == "c1" {
				ct.Rate = rate(t, "80")
			}
		}), recorded: recordedAfter(s01, terms, nil), wantSkipOf: "would now be held (CAP_EXCEEDED"},
	}
	for _, tc := range tests {
		out := Rerun(RerunSale{SaleID: tc.sale.SaleID, Sale: tc.sale, Currency: "BRL", Terms: tc.terms,
			Events: tc.events, Recorded: tc.recorded}, DefaultPolicy)
		if tc.wantSkipOf != "" {
			if out.Skipped == nil || out.Skipped.Kind != RerunSkipped || !strings.Contains(out.Skipped.Detail, tc.wantSkipOf) || len(out.Adjustments) != 0 {
				t.Errorf("%s: %+v, want skipped with %q", tc.name, out, tc.wantSkipOf)
			}
			continue
		}
		if out.Skipped != nil {
			t.Errorf("%s: skipped: %s", tc.name, out.Skipped.Detail)
			continue
		}
		if got := renderAdjustments(out.Adjustments, tc.sale.Currency); got != tc.want {
			t.Errorf("%s: adjustments %q, want %q", tc.name, got, tc.want)
		}
		if out.Paid != tc.paid || out.Net != tc.net {
			t.Errorf("%s: paid %d net %d, want %d %d", tc.name, out.Paid, out.Net, tc.paid, tc.net)
		}
		for _, a := range out.Adjustments {
			if a.Kind != KindAdjustment || a.Amount == 0 {
				t.Errorf("%s: bad adjustment %+v", tc.name, a)
			}
			if a.Role == RoleCoproducer && a.ContractVersion == 0 {
				t.Errorf("%s: co-producer adjustment without a contract version", tc.name)
			}
		}
	}
}

// TestRerunSkips: sales that cannot be recomputed from today's data are
// reported and left as recorded.
func TestRerunSkips(t *testing.T) {
	t.Parallel()
	terms := basicTerms(t)
	s01 := mustSale(t, "s01", "p1", "BRL", "100.00", "10.40", "aff1", "35", "", "2026-02-01T10:00:00-03:00")
	rec := recordedAfter(s01, terms, nil)
	usd := s01
	usd.Currency, _ = LookupCurrency("USD")
	for _, tc := range []struct {
		name string
		in   RerunSale
		want string
	}{
		{"no longer parses", RerunSale{SaleID: "s01", SaleErr: errors.New("gross: too many digits"), Currency: "BRL", Recorded: rec},
			"sale s01 no longer parses: gross: too many digits; its lines are left as recorded"},
		{"currency changed", RerunSale{SaleID: "s01", Sale: usd, Currency: "BRL", Terms: terms, Recorded: rec},
			"sale s01 is now in USD, its lines were recorded in BRL"},
	} {
		out := Rerun(tc.in, DefaultPolicy)
		if out.Skipped == nil || !strings.Contains(out.Skipped.Detail, tc.want) || out.Skipped.SaleID != "s01" || out.Skipped.Blocking {
			t.Errorf("%s: %+v", tc.name, out.Skipped)
		}
	}
}
