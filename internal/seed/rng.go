package seed

import "math/rand/v2"

// Purposes keep the random streams of unrelated parts of the marketplace
// apart: each entity draws from its own stream, so a change in how one part
// is generated never shifts the values of another.
const (
	purposeParticipant uint64 = iota + 1
	purposeProduct
	purposeContract
	purposePlan
	purposeDay
)

// mix is SplitMix64's finalizer. PCG states that differ by a small amount
// give correlated streams, so seeds are scrambled before use.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// rng is a PCG stream with the few draws the generators need. Only integer
// draws are used, so values do not depend on floating-point details.
type rng struct{ *rand.Rand }

// newRNG returns the stream for entity index of the given purpose.
func newRNG(seed int64, purpose, index uint64) rng {
	a := mix(uint64(seed) ^ mix(purpose))
	b := mix(a ^ mix(index^purpose<<56))
	return rng{rand.New(rand.NewPCG(a, b))}
}

// chance is true with probability bp/10000 (bp in basis points).
func (r rng) chance(bp int) bool { return r.IntN(10000) < bp }

// between draws uniformly from [lo, hi].
func (r rng) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + r.Int64N(hi-lo+1)
}

// intBetween draws uniformly from [lo, hi].
func (r rng) intBetween(lo, hi int) int { return int(r.between(int64(lo), int64(hi))) }

// pickOne draws one element of a non-empty slice.
func pickOne[T any](r rng, xs []T) T { return xs[r.IntN(len(xs))] }
