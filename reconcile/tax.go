package reconcile

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Tax-record discrepancy kinds (SPEC section 8).
const (
	MissingInvoice        = "MISSING_INVOICE"
	DuplicateInvoice      = "DUPLICATE_INVOICE"
	AmountMismatch        = "AMOUNT_MISMATCH"
	CurrencyMismatch      = "CURRENCY_MISMATCH"
	IssuerMismatch        = "ISSUER_MISMATCH"
	InvoiceOnReversedSale = "INVOICE_ON_REVERSED_SALE"
	OrphanInvoice         = "ORPHAN_INVOICE"
	InvalidTaxID          = "INVALID_TAX_ID"
	PeriodTotalMismatch   = "PERIOD_TOTAL_MISMATCH" // monthly report only, never stored
)

// TaxKinds are the kinds a run's tax checks report.
var TaxKinds = []string{MissingInvoice, DuplicateInvoice, AmountMismatch, CurrencyMismatch, IssuerMismatch,
	InvoiceOnReversedSale, OrphanInvoice, InvalidTaxID}

// BlockableTaxKinds are the kinds that may hold a sale at allocation
// (PAYOUTS_TAX_BLOCKING): those about whether the sale is properly
// invoiced. The others cannot hold anything: a fully reversed sale is
// never paid anyway, an orphan invoice names no sale of the producer, and
// a bad tax id belongs to a person or an invoice, not to a sale's payment.
var BlockableTaxKinds = []string{MissingInvoice, DuplicateInvoice, AmountMismatch, CurrencyMismatch, IssuerMismatch}

// InvoiceModel says who invoices a sale, and for how much.
type InvoiceModel string

const (
	// InvoiceCommission: the lead producer invoices the sale's full gross
	// under the lead's tax id (SPEC section 8's default).
	InvoiceCommission InvoiceModel = "commission"
	// InvoicePartnership: each participant paid on the sale invoices its
	// own share (its commission total on the sale) under its own tax id.
	InvoicePartnership InvoiceModel = "partnership"
)

// ParseInvoiceModel reads PAYOUTS_INVOICE_MODEL; empty is commission.
func ParseInvoiceModel(s string) (InvoiceModel, error) {
	switch InvoiceModel(s) {
	case "", InvoiceCommission:
		return InvoiceCommission, nil
	case InvoicePartnership:
		return InvoicePartnership, nil
	}
	return "", fmt.Errorf("invoice model %s is not commission or partnership", Quote(s))
}

// TaxPolicy holds the settings of the tax-record checks.
type TaxPolicy struct {
	Model     InvoiceModel
	Tolerance map[string]int64 // per currency, minor units an invoice may differ by; absent: 0
	GraceDays int              // calendar days after settled_at before MISSING_INVOICE
	Location  *time.Location   // the platform zone, in which grace days are counted
	Blocking  map[string]bool  // kinds (of BlockableTaxKinds) that hold a sale at allocation
}

// Invoice is a tax_records row as stored: amounts as decimal text.
type Invoice struct {
	InvoiceID   string `json:"invoice_id"`
	IssuerTaxID string `json:"issuer_tax_id"`
	SaleID      string `json:"sale_id"`
	Amount      string `json:"amount"`
	Currency    string `json:"currency"`
	Status      string `json:"status"`
	BuyerTaxID  string `json:"buyer_tax_id"`
}

// Active reports whether the invoice is in force.
func (i Invoice) Active() bool { return i.Status == "active" }

// TaxShare is what one participant earned on a sale (its commission total:
// commission and adjustment lines, reversals left out), which it invoices
// under the partnership model.
type TaxShare struct {
	ParticipantID string `json:"participant_id"`
	TaxID         string `json:"tax_id"`
	Amount        int64  `json:"amount"`
}

// TaxSale is what the tax checks need to know about one sale.
type TaxSale struct {
	SaleID     string
	ProductID  string
	LeadID     string
	LeadTaxID  string // the lead producer's tax id as recorded; "" when none
	Currency   string // as stored
	Gross      string // as stored
	BuyerTaxID string
	SettledAt  time.Time // zero: not settled
	// Reversed: fully refunded or charged back by the end of the run's
	// window (a chargeback, a refund without amount, or refunds adding up to
	// the gross).
	Reversed bool
	// Allocating: checked by the run that allocates the sale, so blocking
	// kinds hold it. A sale already paid cannot be held.
	Allocating bool
	// SharesKnown: Shares are the sale's allocation (partnership model). A
	// sale not allocated (held for another reason, or closed unpaid) has no
	// shares yet.
	SharesKnown bool
	Shares      []TaxShare
	Invoices    []Invoice // the invoices naming the sale, any status
}

// TaxHold says why a sale is held for its tax record.
type TaxHold struct {
	Kind   string
	Detail string
}

// TaxResult is the outcome of checking one sale.
type TaxResult struct {
	Findings []Finding
	// DueAt is set when an invoice is missing but the grace period lasts
	// until DueAt: the sale must be checked again by the first run whose
	// window ends after it.
	DueAt time.Time
	// Hold is set when the sale, being allocated, must not be paid: a
	// blocking finding, or (when MISSING_INVOICE blocks) an invoice still
	// awaited within the grace period.
	Hold *TaxHold
}

// LeadTaxIDs is the set of normalized tax ids of every lead producer. An
// invoice on a sale issued under the tax id of a lead producer other than
// the sale's is that producer's invoice pointing at someone else's sale:
// ORPHAN_INVOICE, not ISSUER_MISMATCH.
type LeadTaxIDs map[string]bool

// CheckSaleTax applies SPEC section 8 to one sale and its invoices, as of
// windowEnd (the end of the run's business date). Only active invoices
// count; cancelled ones are history. Findings come in a deterministic order
// and never share a Key.
func CheckSaleTax(s TaxSale, p TaxPolicy, leads LeadTaxIDs, windowEnd time.Time) TaxResult {
	c := taxCheck{s: s, p: p, leads: leads, windowEnd: windowEnd}
	c.run()
	return c.res
}

type taxCheck struct {
	s         TaxSale
	p         TaxPolicy
	leads     LeadTaxIDs
	windowEnd time.Time
	res       TaxResult

	cur      Currency
	curOK    bool
	gross    int64
	grossOK  bool
	missing  []string // participants (or "" for the sale) without an invoice, not yet past the grace period
	dueAt    time.Time
	blocking *Finding
}

func (c *taxCheck) run() {
	s := c.s
	invoices := append([]Invoice(nil), s.Invoices...)
	sort.Slice(invoices, func(i, j int) bool { return invoices[i].InvoiceID < invoices[j].InvoiceID })
	var active []Invoice
	for _, inv := range invoices {
		if inv.Active() {
			active = append(active, inv)
		}
	}
	if cur, err := LookupCurrency(s.Currency); err == nil {
		c.cur, c.curOK = cur, true
		if g, err := ParseAmount(s.Gross, cur); err == nil && g > 0 {
			c.gross, c.grossOK = g, true
		}
	}

	c.checkTaxIDs(active)
	switch {
	case s.Reversed:
		c.reversed(active)
	case c.p.Model == InvoicePartnership:
		c.partnership(active)
	default:
		c.commission(active)
	}
	c.finishMissing()
	if c.blocking != nil {
		c.res.Hold = &TaxHold{Kind: c.blocking.Kind, Detail: c.blocking.Detail}
	}
}

// add records a finding, blocking when the sale is being allocated and the
// policy says its kind blocks.
func (c *taxCheck) add(f Finding) {
	f.SaleID = c.s.SaleID
	if c.s.Allocating && c.p.Blocking[f.Kind] {
		f.Blocking = true
		if c.blocking == nil {
			c.blocking = &f
		}
	}
	c.res.Findings = append(c.res.Findings, f)
}

// checkTaxIDs flags the sale's buyer tax id and the tax ids on its active
// invoices that fail their check digits.
func (c *taxCheck) checkTaxIDs(active []Invoice) {
	if err := checkTaxID(c.s.BuyerTaxID); err != nil {
		c.add(Finding{Kind: InvalidTaxID, Actual: c.s.BuyerTaxID,
			Detail: fmt.Sprintf("buyer_tax_id of sale %s: %v", c.s.SaleID, err)})
	}
	for _, inv := range active {
		if f := invoiceTaxIDs(inv); f != nil {
			c.add(*f)
		}
	}
}

// invoiceTaxIDs is one INVALID_TAX_ID finding for an invoice whose issuer
// or buyer tax id fails its check digits (both in one finding, so that an
// invoice has one identity per kind).
func invoiceTaxIDs(inv Invoice) *Finding {
	var bad, why []string
	for _, f := range []struct{ col, v string }{{"issuer_tax_id", inv.IssuerTaxID}, {"buyer_tax_id", inv.BuyerTaxID}} {
		if err := checkTaxID(f.v); err != nil {
			bad = append(bad, f.v)
			why = append(why, f.col+": "+err.Error())
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return &Finding{Kind: InvalidTaxID, SaleID: inv.SaleID, InvoiceID: inv.InvoiceID, Actual: strings.Join(bad, " "),
		Detail: fmt.Sprintf("invoice %s: %s", inv.InvoiceID, strings.Join(why, "; "))}
}

// checkTaxID validates a tax id that is present.
func checkTaxID(v string) error {
	if v == "" {
		return nil
	}
	_, _, err := ValidateTaxID(v)
	return err
}

// otherLead reports whether an invoice issued under issuer (normalized)
// belongs to a lead producer other than the sale's.
func (c *taxCheck) otherLead(issuer string) bool {
	return issuer != "" && issuer != NormalizeTaxID(c.s.LeadTaxID) && c.leads[issuer]
}

func (c *taxCheck) orphan(inv Invoice) {
	c.add(Finding{Kind: OrphanInvoice, InvoiceID: inv.InvoiceID, Currency: inv.Currency,
		Expected: c.s.LeadTaxID, Actual: inv.IssuerTaxID,
		Detail: fmt.Sprintf("invoice %s names sale %s of product %s (lead producer %s) but was issued under %s, the tax id of another lead producer",
			inv.InvoiceID, c.s.SaleID, c.s.ProductID, c.s.LeadID, inv.IssuerTaxID)})
}

// reversed: a fully refunded or charged-back sale needs no invoice, and
// every invoice still active on it should have been cancelled.
func (c *taxCheck) reversed(active []Invoice) {
	for _, inv := range active {
		if c.otherLead(NormalizeTaxID(inv.IssuerTaxID)) {
			c.orphan(inv)
			continue
		}
		c.add(Finding{Kind: InvoiceOnReversedSale, InvoiceID: inv.InvoiceID, Currency: c.s.Currency,
			Expected: "cancelled", Actual: "active",
			Detail: fmt.Sprintf("sale %s was fully refunded or charged back but invoice %s (%s %s) is still active; cancel it",
				c.s.SaleID, inv.InvoiceID, inv.Currency, invoiceAmount(inv))})
	}
}

// commission: the lead producer invoices the full gross.
func (c *taxCheck) commission(active []Invoice) {
	lead := NormalizeTaxID(c.s.LeadTaxID)
	var own []Invoice
	for _, inv := range active {
		issuer := NormalizeTaxID(inv.IssuerTaxID)
		if issuer == lead && lead != "" {
			own = append(own, inv)
			continue
		}
		if c.otherLead(issuer) {
			c.orphan(inv)
			continue
		}
		// Issued for this sale under the wrong tax id: still the sale's
		// invoice (so not also MISSING_INVOICE), but not a valid one.
		own = append(own, inv)
		detail := fmt.Sprintf("invoice %s of sale %s was issued under %s, not under the lead producer %s's tax id %s",
			inv.InvoiceID, c.s.SaleID, inv.IssuerTaxID, c.s.LeadID, c.s.LeadTaxID)
		if lead == "" {
			detail = fmt.Sprintf("invoice %s of sale %s was issued under %s, but the lead producer %s has no tax id on record",
				inv.InvoiceID, c.s.SaleID, inv.IssuerTaxID, c.s.LeadID)
		}
		c.add(Finding{Kind: IssuerMismatch, InvoiceID: inv.InvoiceID, Currency: c.s.Currency,
			Expected: c.s.LeadTaxID, Actual: inv.IssuerTaxID, Detail: detail})
	}
	c.checkInvoices("", "the lead producer "+c.s.LeadID, own, c.gross, c.grossOK)
}

// partnership: each participant paid on the sale invoices its own share.
// Participants sharing a tax id are one issuer, expected to invoice the
// sum of their shares.
func (c *taxCheck) partnership(active []Invoice) {
	if !c.s.SharesKnown {
		// Not allocated (held for another reason, or closed unpaid): who
		// is owed what is not known yet, so only the currency can be
		// checked. The sale is checked in full once it is allocated.
		for _, inv := range active {
			c.checkCurrency(inv, "")
		}
		return
	}
	type issuer struct {
		taxID        string // normalized; "" for a participant without one
		participants []string
		amount       int64
		invoices     []Invoice
	}
	var issuers []*issuer
	byTaxID := map[string]*issuer{}
	shares := append([]TaxShare(nil), c.s.Shares...)
	sort.Slice(shares, func(i, j int) bool { return shares[i].ParticipantID < shares[j].ParticipantID })
	for _, sh := range shares {
		if sh.Amount == 0 {
			continue
		}
		t := NormalizeTaxID(sh.TaxID)
		is := byTaxID[t]
		if is == nil || t == "" {
			is = &issuer{taxID: t}
			issuers = append(issuers, is)
			if t != "" {
				byTaxID[t] = is
			}
		}
		is.participants = append(is.participants, sh.ParticipantID)
		is.amount += sh.Amount
	}
	for _, inv := range active {
		t := NormalizeTaxID(inv.IssuerTaxID)
		if is := byTaxID[t]; is != nil && t != "" {
			is.invoices = append(is.invoices, inv)
			continue
		}
		if c.otherLead(t) {
			c.orphan(inv)
			continue
		}
		var ids []string
		for _, is := range issuers {
			if is.taxID != "" {
				ids = append(ids, is.taxID)
			}
		}
		c.add(Finding{Kind: IssuerMismatch, InvoiceID: inv.InvoiceID, Currency: c.s.Currency,
			Expected: strings.Join(ids, " "), Actual: inv.IssuerTaxID,
			Detail: fmt.Sprintf("invoice %s of sale %s was issued under %s, which is not the tax id of any participant paid on the sale",
				inv.InvoiceID, c.s.SaleID, inv.IssuerTaxID)})
	}
	for _, is := range issuers {
		who := "participant " + strings.Join(is.participants, " and ")
		if is.taxID == "" {
			who += " (no tax id on record, so no invoice can be matched)"
		}
		c.checkInvoices(is.participants[0], who, is.invoices, is.amount, true)
	}
}

// checkInvoices checks the invoices of one issuer (participant "" for the
// lead producer under the commission model) against the amount it should
// invoice: one active invoice, in the sale's currency, within tolerance.
func (c *taxCheck) checkInvoices(participant, who string, invs []Invoice, expected int64, expectedOK bool) {
	switch {
	case len(invs) == 0:
		c.noInvoice(participant, who, expected, expectedOK)
	case len(invs) > 1:
		ids := make([]string, len(invs))
		for i, inv := range invs {
			ids[i] = inv.InvoiceID
		}
		c.add(Finding{Kind: DuplicateInvoice, ParticipantID: participant, Currency: c.s.Currency,
			Expected: "1", Actual: fmt.Sprint(len(invs)),
			Detail: fmt.Sprintf("sale %s has %d active invoices from %s (%s); cancel all but one",
				c.s.SaleID, len(invs), who, strings.Join(ids, ", "))})
	}
	for _, inv := range invs {
		if !c.checkCurrency(inv, participant) || !expectedOK {
			continue
		}
		amount, err := ParseAmount(inv.Amount, c.cur)
		if err != nil {
			c.add(Finding{Kind: AmountMismatch, InvoiceID: inv.InvoiceID, ParticipantID: participant, Currency: c.s.Currency,
				Expected: FormatAmount(expected, c.cur), Actual: inv.Amount,
				Detail: fmt.Sprintf("invoice %s of sale %s: amount %s cannot be read in %s: %v", inv.InvoiceID, c.s.SaleID, Quote(inv.Amount), c.cur.Code, err)})
			continue
		}
		diff := amount - expected
		if diff < 0 {
			diff = -diff
		}
		if tol := c.p.Tolerance[c.cur.Code]; diff > tol {
			what := "the sale's gross"
			if c.p.Model == InvoicePartnership {
				what = "the share of " + who
			}
			c.add(Finding{Kind: AmountMismatch, InvoiceID: inv.InvoiceID, ParticipantID: participant, Currency: c.s.Currency,
				Expected: FormatAmount(expected, c.cur), Actual: FormatAmount(amount, c.cur),
				Detail: fmt.Sprintf("invoice %s of sale %s is for %s %s, %s is %s %s (tolerance %s)", inv.InvoiceID, c.s.SaleID,
					c.cur.Code, FormatAmount(amount, c.cur), what, c.cur.Code, FormatAmount(expected, c.cur), FormatAmount(tol, c.cur))})
		}
	}
}

// checkCurrency reports an invoice in another currency than the sale's;
// its amount is then not comparable.
func (c *taxCheck) checkCurrency(inv Invoice, participant string) bool {
	if inv.Currency == c.s.Currency && c.curOK {
		return true
	}
	if inv.Currency != c.s.Currency {
		c.add(Finding{Kind: CurrencyMismatch, InvoiceID: inv.InvoiceID, ParticipantID: participant, Currency: c.s.Currency,
			Expected: c.s.Currency, Actual: inv.Currency,
			Detail: fmt.Sprintf("invoice %s of sale %s is in %s, the sale is in %s", inv.InvoiceID, c.s.SaleID, inv.Currency, c.s.Currency)})
	}
	return false
}

// noInvoice handles an issuer without an active invoice on a settled sale:
// MISSING_INVOICE once the grace period is over, otherwise a check to come.
func (c *taxCheck) noInvoice(participant, who string, expected int64, expectedOK bool) {
	s := c.s
	if s.SettledAt.IsZero() || !s.SettledAt.Before(c.windowEnd) {
		return
	}
	due := s.SettledAt
	if c.p.GraceDays > 0 {
		loc := c.p.Location
		if loc == nil {
			loc = time.UTC
		}
		due = s.SettledAt.In(loc).AddDate(0, 0, c.p.GraceDays)
	}
	if !due.Before(c.windowEnd) {
		c.missing = append(c.missing, who)
		if c.dueAt.IsZero() || due.Before(c.dueAt) {
			c.dueAt = due
		}
		return
	}
	f := Finding{Kind: MissingInvoice, ParticipantID: participant, Currency: s.Currency,
		Detail: fmt.Sprintf("settled sale %s (settled %s) has no active invoice from %s", s.SaleID, FormatTimestamp(s.SettledAt), who)}
	if expectedOK && c.curOK {
		f.Expected = FormatAmount(expected, c.cur)
	}
	if c.p.GraceDays > 0 {
		f.Detail += fmt.Sprintf(" after the %d-day grace period", c.p.GraceDays)
	}
	c.add(f)
}

// finishMissing schedules the sale's next check while an invoice is
// awaited within the grace period, and holds it meanwhile when
// MISSING_INVOICE blocks: an invoice the policy requires before paying is
// still required during the grace period, which only delays the report.
func (c *taxCheck) finishMissing() {
	if len(c.missing) == 0 {
		return
	}
	c.res.DueAt = c.dueAt
	if c.s.Allocating && c.p.Blocking[MissingInvoice] && c.blocking == nil {
		c.res.Hold = &TaxHold{Kind: MissingInvoice, Detail: fmt.Sprintf(
			"sale %s awaits an invoice from %s (grace period until %s); held until it arrives",
			c.s.SaleID, strings.Join(c.missing, ", "), FormatTimestamp(c.dueAt))}
	}
}

// CheckParticipantTaxID is INVALID_TAX_ID for a participant's tax id.
func CheckParticipantTaxID(participantID, taxID string) *Finding {
	err := checkTaxID(taxID)
	if err == nil {
		return nil
	}
	return &Finding{Kind: InvalidTaxID, ParticipantID: participantID, Actual: taxID,
		Detail: fmt.Sprintf("tax_id of participant %s: %v", participantID, err)}
}

// CheckUnlinkedInvoice checks an active invoice that names no sale, or a
// sale that does not exist: ORPHAN_INVOICE, plus INVALID_TAX_ID for its
// tax ids.
func CheckUnlinkedInvoice(inv Invoice) []Finding {
	detail := fmt.Sprintf("invoice %s (%s %s, issued under %s) names no sale", inv.InvoiceID, inv.Currency, invoiceAmount(inv), inv.IssuerTaxID)
	if inv.SaleID != "" {
		detail = fmt.Sprintf("invoice %s (%s %s, issued under %s) names sale %s, which does not exist",
			inv.InvoiceID, inv.Currency, invoiceAmount(inv), inv.IssuerTaxID, inv.SaleID)
	}
	out := []Finding{{Kind: OrphanInvoice, SaleID: inv.SaleID, InvoiceID: inv.InvoiceID, Currency: inv.Currency,
		Actual: inv.IssuerTaxID, Detail: detail}}
	if f := invoiceTaxIDs(inv); f != nil {
		out = append(out, *f)
	}
	return out
}

// invoiceAmount is an invoice's amount with its currency's digits ("49.00"
// where the database trims it to "49"), or as stored when it does not fit.
func invoiceAmount(inv Invoice) string {
	if cur, err := LookupCurrency(inv.Currency); err == nil {
		if v, err := ParseAmount(inv.Amount, cur); err == nil {
			return FormatAmount(v, cur)
		}
	}
	return inv.Amount
}
