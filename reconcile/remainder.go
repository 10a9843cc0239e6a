package reconcile

import (
	"math/bits"
	"sort"
)

// SplitLargestRemainder splits base (>= 0) over parties in proportion to
// their weights (>= 0, summing to more than 0): every party gets the floor
// of its exact share base*w/sum(w), and the leftover units, always fewer
// than the number of parties, go one each to the largest fractional
// remainders. Ties go to the earlier party, so callers pass parties in
// their tie-break order (SPEC 4.3). No unit is created or lost: the parts
// add up to base exactly.
//
// The products base*w are computed in 128 bits, so no amount or rate that
// fits an int64 can overflow.
func SplitLargestRemainder(base int64, weights []int64) []int64 {
	parts, _, _ := splitLargestRemainder(base, weights)
	return parts
}

// splitLargestRemainder is SplitLargestRemainder that also returns each
// party's floor and fractional remainder (the numerator over the weights'
// sum), which reversals need to settle rounding without going backwards.
func splitLargestRemainder(base int64, weights []int64) (parts, floors []int64, rems []uint64) {
	if base < 0 {
		panic("reconcile: SplitLargestRemainder of a negative base")
	}
	var sum uint64
	for _, w := range weights {
		if w < 0 {
			panic("reconcile: SplitLargestRemainder with a negative weight")
		}
		var carry uint64
		sum, carry = bits.Add64(sum, uint64(w), 0)
		if carry != 0 {
			panic("reconcile: SplitLargestRemainder weights add up beyond 2^64")
		}
	}
	if sum == 0 {
		panic("reconcile: SplitLargestRemainder with no weight")
	}
	parts = make([]int64, len(weights))
	floors = make([]int64, len(weights))
	rems = make([]uint64, len(weights))
	var given int64
	for i, w := range weights {
		hi, lo := bits.Mul64(uint64(base), uint64(w))
		q, r := bits.Div64(hi, lo, sum) // hi < sum because w <= sum
		parts[i], floors[i], rems[i] = int64(q), int64(q), r
		given += int64(q)
	}
	left := base - given
	if left == 0 {
		return parts, floors, rems
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rems[order[a]] > rems[order[b]] })
	for _, i := range order[:left] {
		parts[i]++
	}
	return parts, floors, rems
}
