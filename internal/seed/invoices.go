package seed

import (
	"context"
	"strconv"
)

// invoices writes the lead producer's tax records for a sale: normally one
// active invoice of the gross, in the sale's currency, under the lead's tax
// id, issued shortly before settlement. A few percent carry the
// discrepancies of SPEC section 8, drawn per sale.
func (g *dayGen) invoices(ctx context.Context, s *saleFacts, reversed bool) error {
	r, c := g.r, g.c
	lead := &g.m.participants[s.p.lead]
	issuer := lead.taxID
	if r.chance(300) && digitsOnly(issuer) == issuer {
		issuer = punctuate(issuer) // the same id as typed by a person
		c.add(fInvoicePunctuatedIssuer)
	}
	issued := s.sold + r.Int64N(2*hourUS)
	if s.settled != 0 {
		issued = max(s.settled-r.Int64N(36*hourUS), s.sold)
	}
	buyer := s.buyer
	if buyer != "" && g.seq%invalidBuyerEvery == invalidBuyerEvery/2 {
		// The buyer's tax id mistyped on the invoice (the sale has it
		// right): INVALID_TAX_ID. Placed by position, not drawn, so the
		// other values of the day do not move.
		buyer = breakCheckDigit(buyer)
		c.add(fInvoiceInvalidBuyerTaxID)
	}
	n := 0
	write := func(issuer string, saleID any, at int64, amount, cur, status string) error {
		n++
		id := "i" + s.id[1:] + "-" + strconv.Itoa(n)
		if err := g.w.put(ctx, tInvoice, id, issuer, saleID, microsText(at), amount, cur, status, nullable(buyer)); err != nil {
			return err
		}
		g.sum.Invoices++
		return nil
	}

	var err error
	switch x := r.IntN(10000); {
	case x < 500: // MISSING_INVOICE
		c.add(fInvoiceMissing)
	case x < 550: // DUPLICATE_INVOICE
		if err = write(issuer, s.id, issued, s.grossText, s.curCode, "active"); err == nil {
			err = write(issuer, s.id, issued+r.between(secondUS, hourUS), s.grossText, s.curCode, "active")
		}
		c.add(fInvoiceDuplicate)
	case x < 600: // AMOUNT_MISMATCH by a few minor units
		delta := r.between(1, 5)
		if s.gross > delta && r.chance(5000) {
			delta = -delta
		}
		err = write(issuer, s.id, issued, s.cur.format(s.gross+delta), s.curCode, "active")
		c.add(fInvoiceAmountOff)
	case x < 620: // CURRENCY_MISMATCH
		err = write(issuer, s.id, issued, s.cur.format(s.gross), s.cur.sameMinor, "active")
		c.add(fInvoiceWrongCurrency)
	case x < 650: // ISSUER_MISMATCH: a co-producer or someone else issued it
		other := g.otherParticipant(s.p)
		err = write(g.m.participants[other].taxID, s.id, issued, s.grossText, s.curCode, "active")
		c.add(fInvoiceWrongIssuer)
	case x < 680: // cancelled and never reissued: MISSING_INVOICE
		err = write(issuer, s.id, issued, s.grossText, s.curCode, "cancelled")
		c.add(fInvoiceCancelledOnly)
	case x < 730: // cancelled and reissued: no discrepancy
		if err = write(issuer, s.id, issued, s.grossText, s.curCode, "cancelled"); err == nil {
			err = write(issuer, s.id, issued+r.between(secondUS, 2*hourUS), s.grossText, s.curCode, "active")
		}
		c.add(fInvoiceCancelledReissued)
	default:
		status := "active"
		if reversed {
			// Half the producers cancel the invoice of a refunded sale; the
			// others leave INVOICE_ON_REVERSED_SALE behind.
			if r.chance(5000) {
				status = "cancelled"
				c.add(fInvoiceCancelledOnReversal)
			} else {
				c.add(fInvoiceOnReversedSale)
			}
		}
		err = write(issuer, s.id, issued, s.grossText, s.curCode, status)
	}
	if err != nil {
		return err
	}

	if !r.chance(20) {
		return nil
	}
	// ORPHAN_INVOICE: no sale, an unknown sale, or a sale of another lead
	// producer's product.
	c.add(fInvoiceOrphan)
	var saleID any
	orphanIssuer := issuer
	switch r.IntN(3) {
	case 0:
	case 1:
		saleID = "x" + s.id[1:] // a sale id nobody has
	default:
		saleID = s.id
		for len(g.m.leads) > 1 {
			if l := pickOne(r, g.m.leads); l != s.p.lead {
				orphanIssuer = g.m.participants[l].taxID
				break
			}
		}
	}
	id := "i" + s.id[1:] + "-x"
	if err := g.w.put(ctx, tInvoice, id, orphanIssuer, saleID, microsText(issued), s.grossText, s.curCode, "active", nullable(s.buyer)); err != nil {
		return err
	}
	g.sum.Invoices++
	return nil
}

// invalidBuyerEvery places a mistyped buyer tax id on the invoices of
// one sale in this many (about 0.5%).
const invalidBuyerEvery = 211

// otherParticipant is someone other than the product's lead producer:
// usually one of its co-producers, otherwise anyone.
func (g *dayGen) otherParticipant(p *product) int {
	if len(p.slots) > 0 && g.r.chance(7000) {
		return pickOne(g.r, p.slots).coproducer
	}
	for {
		if i := g.r.IntN(len(g.m.participants)); i != p.lead {
			return i
		}
	}
}
