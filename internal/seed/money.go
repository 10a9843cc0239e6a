package seed

import "payouts/reconcile"

// currency is how sales in one currency look: its share of sales, the
// price points products are sold at, and the fixed part of the platform fee.
type currency struct {
	reconcile.Currency
	weight   int     // percent of sales
	ladder   []int64 // price points in minor units, cheapest first
	fixedFee int64   // minor units
	// sameMinor is another currency with the same minor digits: an invoice
	// issued in it keeps a well-formed amount but mismatches the sale.
	sameMinor string
}

// currencies is the sales mix. The weights add up to 100.
var currencies = []currency{
	{reconcile.Currency{Code: "BRL", Minor: 2}, 70, []int64{990, 1990, 2700, 3700, 4700, 6700, 9700, 14700, 19700, 29700, 49700, 99700}, 100, "USD"},
	{reconcile.Currency{Code: "USD", Minor: 2}, 10, []int64{499, 999, 1900, 2700, 4700, 9700, 19700, 29700}, 50, "BRL"},
	{reconcile.Currency{Code: "EUR", Minor: 2}, 6, []int64{499, 990, 1900, 2900, 4900, 9900, 17900, 24900}, 50, "USD"},
	{reconcile.Currency{Code: "MXN", Minor: 2}, 4, []int64{9900, 19900, 34900, 49900, 99900, 199900, 349900}, 500, "BRL"},
	{reconcile.Currency{Code: "COP", Minor: 2}, 3, []int64{1990000, 4990000, 9990000, 19990000, 49990000, 99990000}, 100000, "MXN"},
	{reconcile.Currency{Code: "CLP", Minor: 0}, 3, []int64{4990, 9990, 19990, 49990, 99990, 199990}, 300, "JPY"},
	{reconcile.Currency{Code: "JPY", Minor: 0}, 2, []int64{980, 1980, 2980, 4980, 9800, 19800, 49800, 98000}, 100, "CLP"},
	{reconcile.Currency{Code: "KWD", Minor: 3}, 2, []int64{1500, 2990, 4750, 9900, 19990, 49500, 99000}, 100, "BHD"},
}

func pickCurrency(r rng) *currency {
	x := r.IntN(100)
	for i := range currencies {
		if x < currencies[i].weight {
			return &currencies[i]
		}
		x -= currencies[i].weight
	}
	return &currencies[0]
}

func (c *currency) format(v int64) string { return reconcile.FormatAmount(v, c.Currency) }

// price draws a sale's gross: the product's price point on this currency's
// ladder, sometimes the neighbouring one (another offer), sometimes with a
// coupon.
func (c *currency) price(r rng, tierPermille int) int64 {
	i := tierPermille * len(c.ladder) / 1000
	if r.chance(2000) {
		i += r.intBetween(-1, 1)
	}
	i = min(max(i, 0), len(c.ladder)-1)
	gross := c.ladder[i]
	if r.chance(1500) {
		off := r.between(5, 50) // percent
		gross = max(gross*(100-off)/100, 1)
	}
	return gross
}

// platformFee is 9.9% of gross rounded half up to the minor unit, plus the
// currency's fixed fee, capped at gross (0 <= fee <= gross).
func (c *currency) platformFee(gross int64) int64 {
	return min((gross*99+500)/1000+c.fixedFee, gross)
}

// shareRate draws a commission rate in [lo, hi] the way people write them:
// mostly whole percents, then halves, two decimals and a few with four
// decimals ("10", "12.5", "7.25", "7.3333").
func shareRate(r rng, lo, hi reconcile.Rate) reconcile.Rate {
	var step reconcile.Rate
	switch x := r.IntN(100); {
	case x < 50:
		step = 10000
	case x < 65:
		step = 5000
	case x < 82:
		step = 100
	default:
		step = 1
	}
	first := (lo + step - 1) / step * step
	if first > hi {
		first, step = lo, 1
	}
	n := int64((hi-first)/step) + 1
	return first + reconcile.Rate(r.Int64N(n))*step
}

// affiliateRate draws an offer's affiliate commission: 10% to 60%, with at
// most two decimals.
func affiliateRate(r rng) reconcile.Rate {
	if r.chance(7000) {
		return reconcile.Rate(r.between(10, 60) * 10000)
	}
	return reconcile.Rate(r.between(1000, 6000) * 100)
}
