package reconcile

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// Tax ids with valid check digits (see taxid_test.go).
const (
	leadTax  = "11144477735"        // the sale's lead producer
	copTax   = "52998224725"        // a co-producer
	otherTax = "11.222.333/0001-81" // the lead producer of another product
	alnumTax = "12.ABC.345/01DE-35" // someone else entirely
)

var (
	saoPaulo   = mustLoadLocation("America/Sao_Paulo")
	settled    = time.Date(2026, 3, 3, 13, 0, 0, 0, time.UTC)      // 10:00 in São Paulo
	windowEnd  = time.Date(2026, 3, 4, 3, 0, 0, 0, time.UTC)       // end of 2026-03-03 in São Paulo
	leadTaxIDs = LeadTaxIDs{leadTax: true, "11222333000181": true} // normalized
)

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func baseSale() TaxSale {
	return TaxSale{SaleID: "s1", ProductID: "p1", LeadID: "lead1", LeadTaxID: leadTax, Currency: "BRL", Gross: "100.00",
		SettledAt: settled, Allocating: true}
}

func inv(id, issuer, amount, cur, status string) Invoice {
	return Invoice{InvoiceID: id, IssuerTaxID: issuer, SaleID: "s1", Amount: amount, Currency: cur, Status: status}
}

// summary is a finding reduced to what a table test compares.
func summary(f Finding) string {
	parts := []string{f.Kind}
	for _, v := range []string{f.InvoiceID, f.ParticipantID} {
		if v != "" {
			parts = append(parts, v)
		}
	}
	if f.Expected != "" || f.Actual != "" {
		parts = append(parts, f.Expected+"->"+f.Actual)
	}
	if f.Blocking {
		parts = append(parts, "blocking")
	}
	return strings.Join(parts, " ")
}

func summaries(fs []Finding) string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = summary(f)
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

func TestCheckSaleTaxCommission(t *testing.T) {
	t.Parallel()
	policy := TaxPolicy{Model: InvoiceCommission, Location: saoPaulo}
	cases := []struct {
		name   string
		edit   func(*TaxSale)
		policy func(*TaxPolicy)
		want   string
	}{
		{"one correct invoice", func(s *TaxSale) { s.Invoices = []Invoice{inv("i1", leadTax, "100.00", "BRL", "active")} }, nil, ""},
		{"punctuated issuer and trailing zeros trimmed", func(s *TaxSale) {
			s.Invoices = []Invoice{inv("i1", "111.444.777-35", "100", "BRL", "active")}
		}, nil, ""},
		{"no invoice", nil, nil, "MISSING_INVOICE 100.00->"},
		{"only a cancelled invoice", func(s *TaxSale) { s.Invoices = []Invoice{inv("i1", leadTax, "100.00", "BRL", "cancelled")} }, nil,
			"MISSING_INVOICE 100.00->"},
		{"cancelled and reissued", func(s *TaxSale) {
			s.Invoices = []Invoice{inv("i1", leadTax, "100.00", "BRL", "cancelled"), inv("i2", leadTax, "100.00", "BRL", "active")}
		}, nil, ""},
		{"not settled yet", func(s *TaxSale) { s.SettledAt = time.Time{} }, nil, ""},
		{"two active invoices", func(s *TaxSale) {
			s.Invoices = []Invoice{inv("i2", leadTax, "100.00", "BRL", "active"), inv("i1", leadTax, "100.00", "BRL", "active")}
		}, nil, "DUPLICATE_INVOICE 1->2"},
		{"amount off by a cent", func(s *TaxSale) { s.Invoices = []Invoice{inv("i1", leadTax, "99.99", "BRL", "active")} }, nil,
			"AMOUNT_MISMATCH i1 100.00->99.99"},
		{"amount within tolerance", func(s *TaxSale) { s.Invoices = []Invoice{inv("i1", leadTax, "100.05", "BRL", "active")} },
			func(p *TaxPolicy) { p.Tolerance = map[string]int64{"BRL": 5} }, ""},
		{"amount just beyond tolerance", func(s *TaxSale) { s.Invoices = []Invoice{inv("i1", leadTax, "100.06", "BRL", "active")} },
			func(p *TaxPolicy) { p.Tolerance = map[string]int64{"BRL": 5} }, "AMOUNT_MISMATCH i1 100.00->100.06"},
		{"tolerance of another currency does not apply", func(s *TaxSale) { s.Invoices = []Invoice{inv("i1", leadTax, "100.01", "BRL", "active")} },
			func(p *TaxPolicy) { p.Tolerance = map[string]int64{"USD": 5} }, "AMOUNT_MISMATCH i1 100.00->100.01"},
		{"amount that does not parse", func(s *TaxSale) { s.Invoices = []Invoice{inv("i1", leadTax, "100.001", "BRL", "active")} }, nil,
			"AMOUNT_MISMATCH i1 100.00->100.001"},
		{"other currency, amount not compared", func(s *TaxSale) { s.Invoices = []Invoice{inv("i1", leadTax, "20.00", "USD", "active")} }, nil,
			"CURRENCY_MISMATCH i1 BRL->USD"},
		{"issued by a co-producer", func(s *TaxSale) { s.Invoices = []Invoice{inv("i1", copTax, "100.00", "BRL", "active")} }, nil,
			"ISSUER_MISMATCH i1 11144477735->52998224725"},
		{"issued by the lead of another product", func(s *TaxSale) { s.Invoices = []Invoice{inv("i1", otherTax, "100.00", "BRL", "active")} }, nil,
			"MISSING_INVOICE 100.00->; ORPHAN_INVOICE i1 11144477735->11.222.333/0001-81"},
		{"lead without a tax id", func(s *TaxSale) {
			s.LeadTaxID = ""
			s.Invoices = []Invoice{inv("i1", copTax, "100.00", "BRL", "active")}
		}, nil, "ISSUER_MISMATCH i1 ->52998224725"},
		{"fully reversed, invoice still active", func(s *TaxSale) {
			s.Reversed = true
			s.Invoices = []Invoice{inv("i1", leadTax, "100.00", "BRL", "active"), inv("i2", leadTax, "1.00", "USD", "active")}
		}, nil, "INVOICE_ON_REVERSED_SALE i1 cancelled->active; INVOICE_ON_REVERSED_SALE i2 cancelled->active"},
		{"fully reversed, invoice cancelled", func(s *TaxSale) {
			s.Reversed = true
			s.Invoices = []Invoice{inv("i1", leadTax, "100.00", "BRL", "cancelled")}
		}, nil, ""},
		{"fully reversed, never invoiced", func(s *TaxSale) { s.Reversed = true }, nil, ""},
		{"invalid tax ids", func(s *TaxSale) {
			s.BuyerTaxID = "123.456.789-00"
			i := inv("i1", "11144477736", "100.00", "BRL", "active")
			i.BuyerTaxID = "12ABC34501DE36"
			s.Invoices = []Invoice{i}
			s.LeadTaxID = "11144477736"
		}, nil, "INVALID_TAX_ID ->123.456.789-00; INVALID_TAX_ID i1 ->11144477736 12ABC34501DE36"},
		{"a sale whose gross does not parse: amounts not compared", func(s *TaxSale) {
			s.Gross = "100.005"
			s.Invoices = []Invoice{inv("i1", leadTax, "1.00", "BRL", "active")}
		}, nil, ""},
		{"JPY without minor units", func(s *TaxSale) {
			s.Currency, s.Gross = "JPY", "9800"
			s.Invoices = []Invoice{inv("i1", leadTax, "9799", "JPY", "active")}
		}, nil, "AMOUNT_MISMATCH i1 9800->9799"},
		{"several problems at once", func(s *TaxSale) {
			s.Invoices = []Invoice{inv("i1", copTax, "90.00", "BRL", "active"), inv("i2", leadTax, "100.00", "EUR", "active")}
		}, nil, "AMOUNT_MISMATCH i1 100.00->90.00; CURRENCY_MISMATCH i2 BRL->EUR; DUPLICATE_INVOICE 1->2; ISSUER_MISMATCH i1 11144477735->52998224725"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, p := baseSale(), policy
			if c.edit != nil {
				c.edit(&s)
			}
			if c.policy != nil {
				c.policy(&p)
			}
			res := CheckSaleTax(s, p, leadTaxIDs, windowEnd)
			if got := summaries(res.Findings); got != c.want {
				t.Errorf("findings:\n got %s\nwant %s", got, c.want)
			}
			checkFindings(t, s, res)
		})
	}
}

// checkFindings: unique keys (run_findings' primary key), a detail on
// every finding, every finding about the sale, no hold without blocking.
func checkFindings(t *testing.T, s TaxSale, res TaxResult) {
	t.Helper()
	keys := map[string]bool{}
	for _, f := range res.Findings {
		if keys[f.Key()] {
			t.Errorf("two findings with key %s", f.Key())
		}
		keys[f.Key()] = true
		if f.Detail == "" || f.SaleID != s.SaleID {
			t.Errorf("finding %+v: empty detail or not about sale %s", f, s.SaleID)
		}
		if f.Blocking && res.Hold == nil {
			t.Errorf("blocking finding %s but no hold", summary(f))
		}
	}
}

func TestCheckSaleTaxPartnership(t *testing.T) {
	t.Parallel()
	policy := TaxPolicy{Model: InvoicePartnership, Location: saoPaulo}
	shares := []TaxShare{{"lead1", leadTax, 6000}, {"cop1", copTax, 2500}, {"aff1", alnumTax, 1500}}
	allInvoiced := func() []Invoice {
		return []Invoice{inv("i1", leadTax, "60.00", "BRL", "active"), inv("i2", copTax, "25.00", "BRL", "active"),
			inv("i3", alnumTax, "15.00", "BRL", "active")}
	}
	cases := []struct {
		name string
		edit func(*TaxSale)
		want string
	}{
		{"everyone invoiced their share", nil, ""},
		{"a participant did not invoice", func(s *TaxSale) { s.Invoices = s.Invoices[:2] }, "MISSING_INVOICE aff1 15.00->"},
		{"the lead invoiced the gross", func(s *TaxSale) { s.Invoices[0].Amount = "100.00" }, "AMOUNT_MISMATCH i1 lead1 60.00->100.00"},
		{"a participant invoiced twice", func(s *TaxSale) {
			s.Invoices = append(s.Invoices, inv("i4", copTax, "25.00", "BRL", "active"))
		}, "DUPLICATE_INVOICE cop1 1->2"},
		{"an invoice from outside the sale", func(s *TaxSale) {
			s.Invoices = append(s.Invoices, inv("i4", "39053344705", "25.00", "BRL", "active"))
		}, "ISSUER_MISMATCH i4 12ABC34501DE35 52998224725 11144477735->39053344705"},
		{"an invoice from another lead producer", func(s *TaxSale) {
			s.Invoices = append(s.Invoices, inv("i4", otherTax, "25.00", "BRL", "active"))
		}, "ORPHAN_INVOICE i4 11144477735->11.222.333/0001-81"},
		{"a participant without a tax id", func(s *TaxSale) {
			s.Shares = append([]TaxShare(nil), shares...)
			s.Shares[2].TaxID = ""
			s.Invoices = s.Invoices[:2]
		}, "MISSING_INVOICE aff1 15.00->"},
		{"two participants with one tax id invoice the sum", func(s *TaxSale) {
			s.Shares = append([]TaxShare(nil), shares...)
			s.Shares[2].TaxID = copTax
			s.Invoices = []Invoice{inv("i1", leadTax, "60.00", "BRL", "active"), inv("i2", copTax, "40.00", "BRL", "active")}
		}, ""},
		{"shares not known: only the currency", func(s *TaxSale) {
			s.SharesKnown, s.Shares = false, nil
			s.Invoices = []Invoice{inv("i1", leadTax, "1.00", "USD", "active")}
		}, "CURRENCY_MISMATCH i1 BRL->USD"},
		{"nothing to share (fee took the gross)", func(s *TaxSale) { s.Shares, s.Invoices = nil, nil }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := baseSale()
			s.SharesKnown, s.Shares, s.Invoices = true, shares, allInvoiced()
			if c.edit != nil {
				c.edit(&s)
			}
			res := CheckSaleTax(s, policy, leadTaxIDs, windowEnd)
			if got := summaries(res.Findings); got != c.want {
				t.Errorf("findings:\n got %s\nwant %s", got, c.want)
			}
			checkFindings(t, s, res)
		})
	}
}

// TestCheckSaleTaxGrace: MISSING_INVOICE waits for PAYOUTS_INVOICE_GRACE
// calendar days (in the platform zone) after settled_at, and the result
// says when to look again.
func TestCheckSaleTaxGrace(t *testing.T) {
	t.Parallel()
	p := TaxPolicy{Model: InvoiceCommission, Location: saoPaulo, GraceDays: 3}
	s := baseSale()
	due := time.Date(2026, 3, 6, 13, 0, 0, 0, time.UTC) // 2026-03-06 10:00 in São Paulo
	for _, c := range []struct {
		end     time.Time
		missing bool
	}{
		{windowEnd, false},
		{time.Date(2026, 3, 6, 3, 0, 0, 0, time.UTC), false}, // end of 03-05
		{due, false}, // the grace period ends at due, exclusive
		{due.Add(time.Microsecond), true},
		{time.Date(2026, 3, 7, 3, 0, 0, 0, time.UTC), true}, // end of 03-06
	} {
		res := CheckSaleTax(s, p, leadTaxIDs, c.end)
		got := summaries(res.Findings) == "MISSING_INVOICE 100.00->"
		if got != c.missing {
			t.Errorf("window end %s: findings %q, want missing=%v", c.end, summaries(res.Findings), c.missing)
		}
		if !c.missing && !res.DueAt.Equal(due) {
			t.Errorf("window end %s: due %s, want %s", c.end, res.DueAt, due)
		}
		if c.missing && !res.DueAt.IsZero() {
			t.Errorf("window end %s: reported and still due at %s", c.end, res.DueAt)
		}
	}
	// Grace days are calendar days in the zone, not 24-hour periods: over
	// the end of daylight saving time (Brazil, 2019-02-17, 00:00 -02 became
	// 23:00 -03 on the 16th) a day is 25 hours.
	old := baseSale()
	old.SettledAt = time.Date(2019, 2, 16, 12, 0, 0, 0, time.UTC) // 10:00 -02
	res := CheckSaleTax(old, TaxPolicy{Model: InvoiceCommission, Location: saoPaulo, GraceDays: 1}, leadTaxIDs,
		time.Date(2019, 3, 1, 3, 0, 0, 0, time.UTC))
	if len(res.Findings) != 1 {
		t.Fatalf("long past the grace period: %v", summaries(res.Findings))
	}
	res = CheckSaleTax(old, TaxPolicy{Model: InvoiceCommission, Location: saoPaulo, GraceDays: 1}, leadTaxIDs,
		time.Date(2019, 2, 17, 3, 0, 0, 0, time.UTC))
	if want := time.Date(2019, 2, 17, 13, 0, 0, 0, time.UTC); !res.DueAt.Equal(want) { // 10:00 -03
		t.Errorf("due %s, want %s", res.DueAt, want)
	}
}

// TestCheckSaleTaxBlocking: configured kinds hold a sale being allocated,
// never one already paid; with MISSING_INVOICE blocking, a sale waits for
// its invoice through the grace period too.
func TestCheckSaleTaxBlocking(t *testing.T) {
	t.Parallel()
	p := TaxPolicy{Model: InvoiceCommission, Location: saoPaulo,
		Blocking: map[string]bool{MissingInvoice: true, AmountMismatch: true}}
	s := baseSale()
	res := CheckSaleTax(s, p, leadTaxIDs, windowEnd)
	if res.Hold == nil || res.Hold.Kind != MissingInvoice || summaries(res.Findings) != "MISSING_INVOICE 100.00-> blocking" {
		t.Errorf("missing invoice: hold %+v, findings %s", res.Hold, summaries(res.Findings))
	}

	s.Invoices = []Invoice{inv("i1", copTax, "99.00", "BRL", "active")}
	res = CheckSaleTax(s, p, leadTaxIDs, windowEnd)
	if res.Hold == nil || res.Hold.Kind != AmountMismatch ||
		summaries(res.Findings) != "AMOUNT_MISMATCH i1 100.00->99.00 blocking; ISSUER_MISMATCH i1 11144477735->52998224725" {
		t.Errorf("amount: hold %+v, findings %s", res.Hold, summaries(res.Findings))
	}

	s.Allocating = false // already paid: reported, not blocking
	res = CheckSaleTax(s, p, leadTaxIDs, windowEnd)
	if res.Hold != nil || strings.Contains(summaries(res.Findings), "blocking") {
		t.Errorf("paid sale: hold %+v, findings %s", res.Hold, summaries(res.Findings))
	}

	s = baseSale()
	s.Invoices = []Invoice{inv("i1", leadTax, "100.00", "USD", "active")} // CURRENCY_MISMATCH does not block here
	if res = CheckSaleTax(s, p, leadTaxIDs, windowEnd); res.Hold != nil {
		t.Errorf("non-blocking kind held the sale: %+v", res.Hold)
	}

	p.GraceDays = 5
	s = baseSale()
	res = CheckSaleTax(s, p, leadTaxIDs, windowEnd)
	if res.Hold == nil || res.Hold.Kind != MissingInvoice || len(res.Findings) != 0 || res.DueAt.IsZero() ||
		!strings.Contains(res.Hold.Detail, "grace period until 2026-03-08T13:00:00Z") {
		t.Errorf("within the grace period: hold %+v, findings %s, due %s", res.Hold, summaries(res.Findings), res.DueAt)
	}
	delete(p.Blocking, MissingInvoice)
	if res = CheckSaleTax(s, p, leadTaxIDs, windowEnd); res.Hold != nil || res.DueAt.IsZero() {
		t.Errorf("grace without blocking: hold %+v, due %s", res.Hold, res.DueAt)
	}
}

func TestCheckSaleTaxInvoiceOrderDoesNotMatter(t *testing.T) {
	t.Parallel()
	s := baseSale()
	s.Invoices = []Invoice{inv("i3", copTax, "1.00", "BRL", "active"), inv("i1", leadTax, "2.00", "EUR", "active"),
		inv("i2", otherTax, "100.00", "BRL", "active")}
	p := TaxPolicy{Model: InvoiceCommission, Location: saoPaulo}
	first := fmt.Sprint(CheckSaleTax(s, p, leadTaxIDs, windowEnd))
	s.Invoices[0], s.Invoices[2] = s.Invoices[2], s.Invoices[0]
	if again := fmt.Sprint(CheckSaleTax(s, p, leadTaxIDs, windowEnd)); again != first {
		t.Errorf("depends on invoice order:\n%s\n%s", first, again)
	}
}

func TestCheckParticipantAndUnlinked(t *testing.T) {
	t.Parallel()
	if f := CheckParticipantTaxID("u1", leadTax); f != nil {
		t.Errorf("valid tax id flagged: %+v", f)
	}
	if f := CheckParticipantTaxID("u1", ""); f != nil {
		t.Errorf("empty tax id flagged: %+v", f)
	}
	if f := CheckParticipantTaxID("u1", "111.444.777-36"); f == nil || f.Kind != InvalidTaxID || f.ParticipantID != "u1" ||
		!strings.Contains(f.Detail, "check digits") {
		t.Errorf("bad CPF: %+v", f)
	}
	got := CheckUnlinkedInvoice(Invoice{InvoiceID: "i9", IssuerTaxID: "11144477736", Amount: "5.00", Currency: "BRL", Status: "active"})
	if summaries(got) != "INVALID_TAX_ID i9 ->11144477736; ORPHAN_INVOICE i9 ->11144477736" || !strings.Contains(got[0].Detail, "names no sale") {
		t.Errorf("unlinked: %s %v", summaries(got), got)
	}
	got = CheckUnlinkedInvoice(Invoice{InvoiceID: "i9", IssuerTaxID: leadTax, SaleID: "nope", Amount: "5", Currency: "BRL", Status: "active"})
	if len(got) != 1 || got[0].SaleID != "nope" || !strings.Contains(got[0].Detail, "(BRL 5.00, issued under 11144477735) names sale nope, which does not exist") {
		t.Errorf("unknown sale: %+v", got)
	}
}

func TestParseInvoiceModel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]InvoiceModel{"": InvoiceCommission, "commission": InvoiceCommission, "partnership": InvoicePartnership} {
		if got, err := ParseInvoiceModel(in); err != nil || got != want {
			t.Errorf("%q: %s %v", in, got, err)
		}
	}
	if _, err := ParseInvoiceModel("Partnership"); err == nil {
		t.Error("case-insensitive model accepted")
	}
}
