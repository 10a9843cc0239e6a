package seed

import (
	"fmt"

	"payouts/reconcile"
)

// slot is a co-producer's seat on a product. Its history is a sequence of
// contracts (see contracts.go); the co-producer, scope and rate budget stay
// with the seat.
type slot struct {
	num         int // 1-based, part of the contract ids
	coproducer  int // participant index
	scope       reconcile.Scope
	managedOnly bool
	coAffiliate bool // the co-producer is also an affiliate of the product
	lo, hi      reconcile.Rate
	fixed       bool // one open contract from before the timeline, never amended
	rhythm      rhythm
}

// product is one row of products plus what sales and contracts need.
type product struct {
	index       int
	id, name    string
	lead        int // participant index
	weight      uint64
	tier        int // price point, per mille of the currency ladders
	offerRate   reconcile.Rate
	capExceeded bool
	slots       []slot
	affiliates  []int // participant indexes of the affiliates (not co-producers)
	managers    []int // manager per affiliate, -1 for none
}

// Feature placement by index, so that the smallest marketplace (20
// products) has each of them; see makeProduct.
func capExceeded(j int) bool          { return j%100 == 7 } // about 1%: CAP_EXCEEDED
func managedAnchor(j int) bool        { return j%20 == 2 }
func coAffiliateAnchor(j int) bool    { return j%20 == 4 }
func missingAccountAnchor(j int) bool { return j%25 == 5 }

func productID(j int) string { return fmt.Sprintf("p%05d", j+1) }

// poolSize is how many participants product j draws its people from. It
// grows with j, so product j is the same in every marketplace that has it.
func poolSize(j int) int { return max(60, 5*(j+1)/2) }

// sizes is the marketplace for a number of sales per day: about one product
// per 250 sales and 2.5 participants per product.
func sizes(sales int) (products, participants int) {
	products = max(20, sales/250)
	return products, poolSize(products - 1)
}

// maxCoproducerShare is the default PAYOUTS_MAX_COPRODUCER_SHARE: the rate
// budget of a product's seats adds up to it, except on cap-exceeding ones.
const maxCoproducerShare reconcile.Rate = 700000

// makeProduct builds product j from the seed alone.
func makeProduct(seed int64, j int) product {
	r := newRNG(seed, purposeProduct, uint64(j))
	pool := poolSize(j)
	p := product{index: j, id: productID(j), capExceeded: capExceeded(j)}
	if j%61 == 13 {
		p.name = hostileProductNames[(j/61)%len(hostileProductNames)]
	} else {
		p.name = productName(r)
	}
	p.lead = r.IntN(pool)
	u := r.IntN(100) + 1
	p.weight = uint64(u*u*u/100 + 1) // heavy tail: a few best sellers
	p.tier = r.IntN(1000)
	p.offerRate = affiliateRate(r)

	used := []int{p.lead}
	nSlots := 0
	switch x := r.IntN(100); {
	case x < 25:
	case x < 60:
		nSlots = 1
	case x < 85:
		nSlots = 2
	default:
		nSlots = 3
	}
	if p.capExceeded {
		nSlots = 2
	} else if nSlots == 0 && (managedAnchor(j) || coAffiliateAnchor(j) || missingAccountAnchor(j) || rhythmAnchor(j) != ordinary) {
		nSlots = 1
	}
	for s := range nSlots {
		co := -1
		if s == 0 && missingAccountAnchor(j) {
			// A co-producer who earns but cannot be paid.
			if cand := j/50*50 + 7; cand < pool && !contains(used, cand) {
				co = cand
			}
		}
		if co < 0 {
			co = drawDistinct(r, pool, used)
		}
		used = append(used, co)
		sl := slot{num: s + 1, coproducer: co, scope: reconcile.ScopeAll, lo: 10000}
		if s == 0 {
			sl.rhythm = rhythmAnchor(j)
		}
		switch x := r.IntN(100); {
		case p.capExceeded:
		case x < 55:
		case x < 70:
			sl.scope = reconcile.ScopeAffiliate
		case x < 85:
			sl.scope, sl.managedOnly = reconcile.ScopeAffiliate, true
		default:
			sl.scope = reconcile.ScopeProducer
		}
		if s == 0 && rhythmAnchor(j) != ordinary {
			sl.scope, sl.managedOnly = reconcile.ScopeAll, false // every sale straddles
		}
		if s == 0 && managedAnchor(j) && !p.capExceeded {
			sl.scope, sl.managedOnly = reconcile.ScopeAffiliate, true
		}
		sl.coAffiliate = r.chance(2000) || (s == 0 && coAffiliateAnchor(j))
		if p.capExceeded {
			// 40-50% plus 31-40%: always above the 70% cap.
			sl.fixed = true
			sl.lo, sl.hi = 400000, 500000
			if s == 1 {
				sl.lo, sl.hi = 310000, 400000
			}
		} else {
			sl.hi = maxCoproducerShare / reconcile.Rate(nSlots)
		}
		p.slots = append(p.slots, sl)
	}

	var managers []int
	for _, sl := range p.slots {
		if sl.managedOnly {
			managers = append(managers, sl.coproducer)
		}
	}
	nAff := 0
	if !r.chance(1500) {
		nAff = r.intBetween(1, 12)
	}
	if len(managers) > 0 {
		nAff = max(nAff, 2)
	}
	for k := range nAff {
		a := drawDistinct(r, pool, used)
		used = append(used, a)
		m := -1
		// The first affiliates go to each manager, so every managed_only
		// seat has someone to manage; then about half are managed.
		if len(managers) > 0 && (k < len(managers) || r.chance(5000)) {
			m = managers[k%len(managers)]
		}
		p.affiliates = append(p.affiliates, a)
		p.managers = append(p.managers, m)
	}
	return p
}

// drawDistinct draws a participant index below pool that is not in used.
func drawDistinct(r rng, pool int, used []int) int {
	for {
		if c := r.IntN(pool); !contains(used, c) {
			return c
		}
	}
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
