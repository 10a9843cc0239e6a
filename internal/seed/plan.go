package seed

// special is a rare kind of sale placed at chosen positions of the day
// rather than drawn per sale, so that each appears (at least once) even in
// a small seed and in a predictable number in a large one.
type special uint8

const (
	spNone special = iota
	spInvalid
	spOneMinorUnit
	spSettledAtDayStart
	spSettledAtDayEnd
	spCoproducerAsAffiliate
	spTwoPartialRefunds
	spPartialRefundsToGross
	spZeroFee
	spFeeEqualsGross
)

// specialRates is how many sales per million get each special.
var specialRates = []struct {
	sp         special
	perMillion int
}{
	{spInvalid, 500},
	{spOneMinorUnit, 300},
	{spSettledAtDayStart, 100},
	{spSettledAtDayEnd, 100},
	{spCoproducerAsAffiliate, 3000},
	{spTwoPartialRefunds, 500},
	{spPartialRefundsToGross, 500},
	{spZeroFee, 200},
	{spFeeEqualsGross, 100},
}

// planSpecials places the specials among the n sales settled on the date.
// At most a quarter of the sales are special, so tiny seeds stay mostly
// ordinary. The map holds a few thousand entries at a million sales.
func planSpecials(r rng, n int) map[int]special {
	plan := map[int]special{}
	budget := n / 4
	for _, s := range specialRates {
		count := max(1, (n*s.perMillion+500_000)/1_000_000)
		for range count {
			if len(plan) >= budget {
				return plan
			}
			for {
				if i := r.IntN(n); plan[i] == spNone {
					plan[i] = s.sp
					break
				}
			}
		}
	}
	return plan
}
