package seed

import (
	"testing"
	"time"

	"payouts/reconcile"
)

// Whatever the date, the smallest marketplace's contract history has an
// amendment, a cancellation and an ends_at inside the window its sales
// were sold in (30 to 60 days before the date), and the rows written for a
// date are exactly those decided before its end.
func TestEveryDateStraddlesContractChanges(t *testing.T) {
	t.Parallel()
	for _, seed := range []int64{1, 2, 3} {
		m := newMarketplace(seed, 0)
		for d := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2036; d = d.AddDate(0, 0, 13) {
			date := reconcile.DateOf(d, time.UTC)
			cutoff := reconcile.WindowEnd(date, saoPaulo).Unix()
			lo, hi := cutoff-60*day, cutoff-30*day-day
			in := func(x int64) bool { return x > lo && x < hi }
			var amend, cancel, ends int
			for j := range m.products {
				p := &m.products[j]
				for s := range p.slots {
					last := int64(0)
					err := slotHistory(seed, p, &p.slots[s], cutoff, func(r termRow) error {
						if r.decidedAt() >= cutoff || r.decidedAt() < last {
							t.Fatalf("seed %d %s: %s v%d decided at %d, cutoff %d, previous %d", seed, date, r.contractID, r.version, r.decidedAt(), cutoff, last)
						}
						last = r.decidedAt()
						switch {
						case r.status == reconcile.TermAccepted && r.version > 1 && in(r.acceptedAt):
							amend++
						case r.status == reconcile.TermCancelled && in(r.acceptedAt):
							cancel++
						}
						if r.version == 1 && in(r.endsAt) {
							ends++
						}
						return nil
					})
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			if amend == 0 || cancel == 0 || ends == 0 {
				t.Errorf("seed %d, %s: %d amendments, %d cancellations, %d ends in the sales window", seed, date, amend, cancel, ends)
			}
		}
	}
}

func TestPlanSpecials(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 3, 100, 20000} {
		plan := planSpecials(newRNG(1, purposePlan, 1), n)
		if len(plan) > n/4 {
			t.Errorf("n=%d: %d specials, more than a quarter", n, len(plan))
		}
		for i := range plan {
			if i < 0 || i >= n {
				t.Errorf("n=%d: special at %d", n, i)
			}
		}
	}
	plan := planSpecials(newRNG(1, purposePlan, 1), 20000)
	got := map[special]int{}
	for _, sp := range plan {
		got[sp]++
	}
	for _, s := range specialRates {
		if want := max(1, 20000*s.perMillion/1_000_000); got[s.sp] != want {
			t.Errorf("special %d: %d, want %d", s.sp, got[s.sp], want)
		}
	}
}
