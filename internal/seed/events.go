package seed

import (
	"context"
	"strconv"
)

// events writes a sale's refunds and chargebacks, all on the date: after
// settlement for settled sales (clawbacks), anywhere in the day for sales
// not settled yet (which a full refund closes for good). It reports
// whether the sale ends fully reversed.
func (g *dayGen) events(ctx context.Context, s *saleFacts, sp special) (fullyReversed bool, err error) {
	r, c := g.r, g.c
	var amounts []int64 // 0: the full gross (empty amount)
	kind := "refund"
	switch {
	case sp == spTwoPartialRefunds && s.gross >= 3:
		amounts = []int64{r.between(1, s.gross/3), r.between(1, s.gross/3)}
		c.add(fTwoPartialRefunds)
	case sp == spPartialRefundsToGross && s.gross >= 2:
		first := r.between(1, s.gross-1)
		amounts = []int64{first, s.gross - first}
		fullyReversed = true
		c.add(fPartialRefundsToGross)
	default:
		switch x := r.IntN(10000); {
		case x < 150 && s.gross >= 2:
			amounts = []int64{r.between(1, s.gross-1)}
			c.add(fRefundPartial)
		case x < 300:
			amounts, fullyReversed = []int64{0}, true
			c.add(fRefundFull)
		case x < 400:
			amounts, kind, fullyReversed = []int64{0}, "chargeback", true
			c.add(fChargeback)
		default:
			return false, nil
		}
	}
	at := s.settled
	if at == 0 {
		at = max(g.start, s.sold)
	}
	for k, a := range amounts {
		if at < g.end-1 {
			at = r.between(at, g.end-1)
		}
		var amount any
		if a > 0 {
			amount = s.cur.format(a)
		}
		id := "e" + s.id[1:] + "-" + strconv.Itoa(k+1)
		if err := g.w.put(ctx, tEvent, id, s.id, kind, amount, microsText(at)); err != nil {
			return false, err
		}
		g.sum.Events++
	}
	return fullyReversed, nil
}
