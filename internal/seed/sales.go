package seed

import (
	"context"
	"fmt"
	"time"

	"payouts/reconcile"
)

const (
	secondUS = int64(time.Second / time.Microsecond)
	hourUS   = 3600 * secondUS
	dayUS    = 24 * hourUS
)

// settlement says when a generated sale settles relative to the date.
type settlement int

const (
	settledOnDate  settlement = iota
	settledNextDay            // picked up by the next night's run
	notSettled                // still in its guarantee window
)

// dayGen generates the sales of one date, with their events and invoices,
// one sale at a time straight into the COPY.
type dayGen struct {
	m        *marketplace
	r        rng
	w        *stager
	c        *counters
	sum      *Summary
	compact  string
	start    int64 // Unix microseconds: the date's window [start, end)
	end      int64
	nextEnd  int64 // end of the next date
	seq      int
	invalidN int
}

// saleFacts is what a sale's events and invoices need to know about it.
type saleFacts struct {
	id        string
	p         *product
	cur       *currency
	gross     int64
	grossText string
	curCode   string
	buyer     string
	sold      int64 // Unix microseconds
	settled   int64 // 0 when not settled
	invalid   bool
}

// run writes n sales settled on the date, and after each, with 1% chance
// each, one settled the next day and one not yet settled.
func (g *dayGen) run(ctx context.Context, n int, plan map[int]special, progress func(string, ...any)) error {
	for i := range n {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if progress != nil && i > 0 && i%progressEvery == 0 {
			progress("seed: %d of %d sales", i, n)
		}
		if err := g.sale(ctx, settledOnDate, plan[i]); err != nil {
			return err
		}
		if g.r.chance(100) {
			if err := g.sale(ctx, settledNextDay, spNone); err != nil {
				return err
			}
		}
		if g.r.chance(100) {
			if err := g.sale(ctx, notSettled, spNone); err != nil {
				return err
			}
		}
	}
	if progress != nil && n > 0 {
		progress("seed: %d of %d sales", n, n)
	}
	return nil
}

func (g *dayGen) sale(ctx context.Context, when settlement, sp special) error {
	r, c := g.r, g.c
	g.seq++
	s := saleFacts{id: fmt.Sprintf("s%s-%07d", g.compact, g.seq)}

	affiliate := -1
	if sp == spCoproducerAsAffiliate && len(g.m.coAffiliates) > 0 {
		ca := pickOne(r, g.m.coAffiliates)
		s.p, affiliate = &g.m.products[ca.product], ca.participant
		c.add(fCoproducerAsAffiliate)
	} else {
		s.p = g.m.pickProduct(r)
		if n := len(s.p.affiliates); n > 0 && r.chance(4400) {
			k := r.IntN(n)
			affiliate = s.p.affiliates[k]
			if s.p.managers[k] >= 0 {
				c.add(fManagedAffiliateSale)
			}
		}
	}
	var affID, affRate any
	if affiliate >= 0 {
		rate := s.p.offerRate
		if r.chance(2000) {
			rate = affiliateRate(r) // another offer of the product
		}
		affID, affRate = participantID(affiliate), rate.String()
		c.add(fAffiliateSale)
	}

	s.cur = pickCurrency(r)
	variant := -1
	if sp == spInvalid {
		variant = g.invalidN % len(invalidVariants)
		g.invalidN++
		s.cur = currencyByCode(invalidVariants[variant].amountsIn)
	}
	s.gross = s.cur.price(r, s.p.tier)
	fee := s.cur.platformFee(s.gross)
	switch sp {
	case spOneMinorUnit:
		s.gross, fee = 1, 0
		if r.chance(5000) {
			s.gross, fee = 2, 1
		}
		c.add(fOneMinorUnit)
	case spZeroFee:
		fee = 0
		c.add(fZeroFee)
	case spFeeEqualsGross:
		fee = s.gross
		c.add(fFeeEqualsGross)
	}

	switch when {
	case settledOnDate:
		s.settled = g.start + r.Int64N(g.end-g.start)
		switch sp {
		case spSettledAtDayStart:
			s.settled = g.start
			c.add(fSettledAtDayStart)
		case spSettledAtDayEnd:
			s.settled = g.end - 1
			c.add(fSettledAtDayEnd)
		}
		s.sold = s.settled - r.between(30*dayUS, 60*dayUS)
		g.sum.SettledOnDate++
	case settledNextDay:
		s.settled = g.end + r.Int64N(g.nextEnd-g.end)
		s.sold = s.settled - r.between(30*dayUS, 60*dayUS)
		g.sum.SettledNextDay++
	case notSettled:
		s.sold = g.end - r.between(secondUS, 29*dayUS)
		g.sum.Unsettled++
	}

	switch x := r.IntN(100); {
	case x < 75:
		s.buyer = newCPF(r)
	case x < 80:
		s.buyer = newCNPJ(r)
	}

	s.grossText, s.curCode = s.cur.format(s.gross), s.cur.Code
	feeText := s.cur.format(fee)
	if variant >= 0 {
		v := invalidVariants[variant]
		s.invalid = true
		s.curCode = v.code
		s.grossText += v.grossSuffix
		feeText += v.feeSuffix
		c.add(fInvalidSale)
	}
	var settled any
	if s.settled != 0 {
		settled = microsText(s.settled)
	}
	if err := g.w.put(ctx, tSale, s.id, s.p.id, s.curCode, s.grossText, feeText, affID, affRate,
		nullable(s.buyer), microsText(s.sold), settled); err != nil {
		return err
	}
	g.sum.Sales++
	g.sum.ByCurrency[s.curCode]++

	reversed := false
	if !s.invalid && when != settledNextDay {
		var err error
		if reversed, err = g.events(ctx, &s, sp); err != nil {
			return err
		}
	}
	return g.invoices(ctx, &s, reversed)
}

// invalidVariants are sales that pass the schema's CHECKs but break the
// data contract (SPEC 2), so the run holds them as INVALID_SALE: more
// fraction digits than the currency has, or a code that is not ISO 4217.
// Amounts are drawn in amountsIn and then altered.
var invalidVariants = []struct {
	amountsIn, code, grossSuffix, feeSuffix string
}{
	{"BRL", "BRL", "5", ""},  // "97.005"
	{"BRL", "ZZZ", "", ""},   // unknown currency
	{"JPY", "JPY", ".5", ""}, // "1980.5"
	{"BRL", "BRL", "", "3"},  // fee "9.603"
	{"CLP", "CLP", ".90", ""},
	{"USD", "XXX", "", ""},
	{"KWD", "KWD", "0", ""}, // "4.7500"
}

func currencyByCode(code string) *currency {
	for i := range currencies {
		if currencies[i].Code == code {
			return &currencies[i]
		}
	}
	panic("seed: no currency " + code)
}

// microsText formats Unix microseconds as RFC 3339 in UTC, with the
// fraction only when there is one.
func microsText(us int64) string {
	return time.UnixMicro(us).UTC().Format("2006-01-02T15:04:05.999999Z07:00")
}

// window returns the date's window and the next date's end in Unix
// microseconds, in the platform zone (daylight-saving days are 23 or 25
// hours long).
func window(d reconcile.Date, loc *time.Location) (start, end, nextEnd int64) {
	return reconcile.StartOfDay(d, loc).UnixMicro(),
		reconcile.WindowEnd(d, loc).UnixMicro(),
		reconcile.WindowEnd(d.AddDays(1), loc).UnixMicro()
}
