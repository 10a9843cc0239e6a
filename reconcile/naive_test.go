package reconcile_test

// The naive model: SPEC 4.1-4.3 and 5, written a second time the slow and
// obvious way, so that differential_test.go can compare it with the
// production rules sale by sale.
//
// It shares no code with the production package: rates and amounts arrive
// here as exact fractions (big.Rat parsed from the same decimal text the
// production code parses), every exact share is a big.Rat, and the
// largest-remainder rule sorts the fractional remainders themselves instead
// of comparing 128-bit numerators. Only the output types of the production
// package are used, and only by the comparison code, never in here. The
// one documented product decision it reproduces on purpose is the
// cumulative partial-refund rule of reversal.go (see nvApply).

import (
	"math/big"
	"sort"
	"time"
)

// nvTerm is one contract_terms row as the naive model reads it.
type nvTerm struct {
	contract     string
	product      string
	coproducer   string
	version      int
	status       string   // accepted, pending, declined, cancelled
	rate         *big.Rat // percent, exact; nil on a cancellation
	scope        string   // all, affiliate, producer
	managedOnly  bool
	mayAffiliate bool
	endsAt       time.Time // zero: unlimited
	acceptedAt   time.Time // zero: never accepted
}

// nvSale is a sale in minor units, with its affiliate rate as an exact
// percentage.
type nvSale struct {
	id, product, lead string
	gross, fee        int64
	affiliate         string
	affRate           *big.Rat // percent; nil without an affiliate
	manager           string   // affiliations.manager_id of the affiliate on this product
	soldAt            time.Time
}

// nvLine is a commission line of the naive model.
type nvLine struct {
	participant, role, contract string
	version                     int
	amount, base                int64
	rate                        *big.Rat // percent; nil on the lead line
}

// nvNote is an UNAUTHORIZED_AFFILIATE note: who sold as an affiliate under
// which contract.
type nvNote struct{ participant, contract string }

// nvAllocation is the naive outcome of SPEC 4 for one sale.
type nvAllocation struct {
	held  bool
	total *big.Rat // sum of the rates of the applying co-producers
	lines []nvLine // lead, co-producers by contract_id, affiliate
	notes []nvNote // by contract_id
}

var nvHundred = big.NewRat(100, 1)

// nvLargestRemainder is SPEC 4.3 read literally: every party gets the floor
// of its exact share, and the leftover units go one each to the largest
// fractional remainders, ties to the earlier party. The shares must add up
// to base exactly; the model panics otherwise, because then the caller
// computed the exact shares wrong.
func nvLargestRemainder(base int64, shares []*big.Rat) []int64 {
	sum := new(big.Rat)
	for _, s := range shares {
		if s.Sign() < 0 {
			panic("naive: negative exact share")
		}
		sum.Add(sum, s)
	}
	if sum.Cmp(new(big.Rat).SetInt64(base)) != 0 {
		panic("naive: exact shares do not add up to the base")
	}
	parts := make([]int64, len(shares))
	rems := make([]*big.Rat, len(shares))
	var given int64
	for i, s := range shares {
		fl := new(big.Int).Quo(s.Num(), s.Denom()) // s >= 0, so truncation is the floor
		parts[i] = fl.Int64()
		rems[i] = new(big.Rat).Sub(s, new(big.Rat).SetInt(fl))
		given += parts[i]
	}
	order := make([]int, len(shares))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rems[order[a]].Cmp(rems[order[b]]) > 0 })
	for k := int64(0); k < base-given; k++ {
		parts[order[k]]++
	}
	return parts
}

// nvShare is the exact share base*num/den.
func nvShare(base int64, num, den *big.Rat) *big.Rat {
	r := new(big.Rat).SetInt64(base)
	r.Mul(r, num)
	return r.Quo(r, den)
}

// nvVersionAt is SPEC 4.1 for one contract: a cancellation accepted at or
// before the instant ends the contract (nothing accepted after it counts,
// and whatever was accepted before it is over); otherwise the accepted
// version with the latest accepted_at at or before the instant is in force
// (equal instants: the higher version), unless its ends_at has passed.
func nvVersionAt(rows []nvTerm, at time.Time) (nvTerm, bool) {
	var best *nvTerm
	for i := range rows {
		r := &rows[i]
		if r.acceptedAt.IsZero() || r.acceptedAt.After(at) {
			continue
		}
		switch r.status {
		case "cancelled":
			return nvTerm{}, false
		case "accepted":
			if best == nil || r.acceptedAt.After(best.acceptedAt) ||
				(r.acceptedAt.Equal(best.acceptedAt) && r.version > best.version) {
				best = r
			}
		}
	}
	if best == nil {
		return nvTerm{}, false
	}
	if !best.endsAt.IsZero() && !at.Before(best.endsAt) {
		return nvTerm{}, false
	}
	return *best, true
}

// nvApplies is the scope rule of SPEC 4.1.
func nvApplies(t nvTerm, s nvSale) bool {
	switch t.scope {
	case "affiliate":
		if s.affiliate == "" {
			return false
		}
		if t.managedOnly {
			return s.manager == t.coproducer
		}
		return true
	case "producer":
		return s.affiliate == ""
	case "all":
		return true
	}
	panic("naive: unknown scope " + t.scope)
}

// nvAllocate is SPEC 4 for one valid sale. terms may hold rows of other
// products; only the sale's product counts. A held sale reports no notes:
// it is retried by a later run, which reports them if it pays the sale
// (the production code makes the same choice).
func nvAllocate(s nvSale, terms []nvTerm, capPct *big.Rat) nvAllocation {
	byContract := map[string][]nvTerm{}
	for _, t := range terms {
		if t.product == s.product {
			byContract[t.contract] = append(byContract[t.contract], t)
		}
	}
	ids := make([]string, 0, len(byContract))
	for id := range byContract {
		ids = append(ids, id)
	}
	sort.Strings(ids)

	out := nvAllocation{total: new(big.Rat)}
	var applying []nvTerm
	for _, id := range ids {
		v, ok := nvVersionAt(byContract[id], s.soldAt)
		if !ok {
			continue
		}
		if s.affiliate != "" && v.coproducer == s.affiliate && !v.mayAffiliate {
			out.notes = append(out.notes, nvNote{participant: s.affiliate, contract: id})
		}
		if nvApplies(v, s) {
			applying = append(applying, v)
			out.total.Add(out.total, v.rate)
		}
	}
	if out.total.Cmp(capPct) > 0 {
		out.held, out.notes = true, nil
		return out
	}

	net := s.gross - s.fee
	pool := net
	var affLine *nvLine
	if s.affiliate != "" {
		aff := nvShare(net, s.affRate, nvHundred)
		producerSide := new(big.Rat).Sub(new(big.Rat).SetInt64(net), aff)
		parts := nvLargestRemainder(net, []*big.Rat{producerSide, aff}) // the producer side first on a tie
		pool = parts[0]
		affLine = &nvLine{participant: s.affiliate, role: "affiliate", amount: parts[1], base: net, rate: s.affRate}
	}

	// The tie order of 4.3: the lead, then participant_id, then contract_id.
	sort.Slice(applying, func(i, j int) bool {
		if applying[i].coproducer != applying[j].coproducer {
			return applying[i].coproducer < applying[j].coproducer
		}
		return applying[i].contract < applying[j].contract
	})
	lead := new(big.Rat).SetInt64(pool)
	shares := []*big.Rat{lead}
	for _, t := range applying {
		sh := nvShare(pool, t.rate, nvHundred)
		lead.Sub(lead, sh)
		shares = append(shares, sh)
	}
	parts := nvLargestRemainder(pool, shares)

	if parts[0] != 0 {
		out.lines = append(out.lines, nvLine{participant: s.lead, role: "lead", amount: parts[0], base: pool})
	}
	var cops []nvLine
	for i, t := range applying {
		if parts[i+1] != 0 {
			cops = append(cops, nvLine{participant: t.coproducer, role: "coproducer", contract: t.contract,
				version: t.version, amount: parts[i+1], base: pool, rate: t.rate})
		}
	}
	sort.Slice(cops, func(i, j int) bool { return cops[i].contract < cops[j].contract })
	out.lines = append(out.lines, cops...)
	if affLine != nil && affLine.amount != 0 {
		out.lines = append(out.lines, *affLine)
	}
	return out
}

// nvPos is a participant's standing on an allocated sale.
type nvPos struct {
	participant, role, contract string
	version                     int
	entitled                    int64
	reversed                    int64 // zero or negative
}

// nvKey identifies a position.
type nvKey struct{ participant, role, contract string }

func (p nvPos) key() nvKey { return nvKey{p.participant, p.role, p.contract} }

// nvTieLess is the tie order of SPEC 4.3 and 5: the lead first, then
// participant_id, then contract_id (an affiliate position has none, so it
// comes before the same participant's co-producer positions).
func nvTieLess(a, b nvKey) bool {
	if (a.role == "lead") != (b.role == "lead") {
		return a.role == "lead"
	}
	if a.participant != b.participant {
		return a.participant < b.participant
	}
	if a.contract != b.contract {
		return a.contract < b.contract
	}
	return a.role < b.role // never reached with real positions
}

// nvLedger is an allocated sale's positions and refund history.
type nvLedger struct {
	gross    int64
	refunded int64
	closed   bool
	pos      []nvPos
}

func (l nvLedger) clone() nvLedger {
	l.pos = append([]nvPos(nil), l.pos...)
	return l
}

// nvEvent is a refund or chargeback.
type nvEvent struct {
	id     string
	kind   string // refund, chargeback
	amount int64  // partial refunds only
	full   bool   // a refund whose amount is empty
}

// nvRev is one reversal line.
type nvRev struct {
	key     nvKey
	version int
	amount  int64
	base    int64
}

// nvApply reverses one event on an allocated ledger (SPEC 5 with the
// cumulative reading of reversal.go). A full event brings every position
// to zero. A partial refund takes the cumulative refunded amount R: the
// reversed total is net*R/gross rounded against the kept part by the
// largest-remainder rule, the total is split over the positions in
// proportion to their entitlement, and each position is moved to minus its
// part.
func nvApply(l nvLedger, ev nvEvent) (nvLedger, []nvRev) {
	l = l.clone()
	if l.closed {
		return l, nil
	}
	full := ev.kind == "chargeback" || ev.full || l.refunded+ev.amount >= l.gross
	targets := make([]int64, len(l.pos))
	var base int64
	if full {
		base = l.gross - l.refunded
		for i, p := range l.pos {
			targets[i] = p.entitled
		}
		l.refunded, l.closed = l.gross, true
	} else {
		base = ev.amount
		l.refunded += ev.amount
		var netE int64
		for _, p := range l.pos {
			netE += max(p.entitled, 0)
		}
		if netE > 0 {
			exact := nvShare(netE, big.NewRat(l.refunded, 1), big.NewRat(l.gross, 1))
			kept := new(big.Rat).Sub(new(big.Rat).SetInt64(netE), exact)
			total := nvLargestRemainder(netE, []*big.Rat{kept, exact})[1]

			order := make([]int, len(l.pos))
			for i := range order {
				order[i] = i
			}
			sort.Slice(order, func(a, b int) bool { return nvTieLess(l.pos[order[a]].key(), l.pos[order[b]].key()) })
			shares := make([]*big.Rat, len(order))
			for k, i := range order {
				shares[k] = nvShare(total, big.NewRat(max(l.pos[i].entitled, 0), 1), big.NewRat(netE, 1))
			}
			parts := nvLargestRemainder(total, shares)
			parts = nvNeverBackwards(l, order, shares, parts, total)
			for k, i := range order {
				targets[i] = parts[k]
			}
		}
	}
	var revs []nvRev
	for i := range l.pos {
		p := &l.pos[i]
		amount := -targets[i] - p.reversed
		if amount != 0 {
			p.reversed += amount
			revs = append(revs, nvRev{key: p.key(), version: p.version, amount: amount, base: base})
		}
	}
	return l, revs
}

// nvTaken is an event a run took, with the gross-terms amount it applied.
type nvTaken struct {
	id       string
	refunded int64
	full     bool
}

// nvOutcome is what one run does with a sale's pending events.
type nvOutcome struct {
	revs        map[nvKey]nvRev // merged over the run's events; zero sums dropped
	taken       []nvTaken
	closeUnpaid bool
	after       nvLedger
}

// nvTake is SPEC 5 for one run and one sale. On an allocated sale every
// event is reversed in order. On a sale closed unpaid earlier every event
// is taken and changes nothing. On a sale without lines, a full refund or
// chargeback (or a refund bringing the cumulative refunds to the gross,
// when the gross is known) closes the sale unpaid and takes every event
// with it; partial refunds alone wait, untaken, for the allocating run.
func nvTake(allocated, closedUnpaid bool, l nvLedger, events []nvEvent) nvOutcome {
	out := nvOutcome{after: l.clone()}
	switch {
	case closedUnpaid:
		for _, ev := range events {
			out.taken = append(out.taken, nvTaken{id: ev.id})
		}
	case allocated:
		out.revs = map[nvKey]nvRev{}
		cur := l
		for _, ev := range events {
			before, wasClosed := cur.refunded, cur.closed
			var revs []nvRev
			cur, revs = nvApply(cur, ev)
			for _, r := range revs {
				m := out.revs[r.key]
				m.key, m.version = r.key, r.version
				m.amount += r.amount
				m.base += r.base
				out.revs[r.key] = m
			}
			out.taken = append(out.taken, nvTaken{id: ev.id, refunded: cur.refunded - before, full: cur.closed && !wasClosed})
		}
		for k, r := range out.revs {
			if r.amount == 0 {
				delete(out.revs, k)
			}
		}
		out.after = cur
	default:
		closing := -1
		cum := l.refunded
		for i, ev := range events {
			if ev.kind == "chargeback" || ev.full || (l.gross > 0 && cum+ev.amount >= l.gross) {
				closing = i
				break
			}
			cum += ev.amount
		}
		if closing < 0 {
			return out // every partial refund waits for the allocation
		}
		out.closeUnpaid = true
		cum = l.refunded
		for i, ev := range events {
			tk := nvTaken{id: ev.id}
			switch {
			case i < closing:
				tk.refunded = ev.amount
				cum += ev.amount
			case i == closing:
				tk.full = true
				if l.gross > 0 {
					tk.refunded = l.gross - cum
				}
			}
			out.taken = append(out.taken, tk)
		}
	}
	return out
}

// nvNeverBackwards is the rule of reversal.go's monotoneTargets, read
// literally: a position whose new part is below what it has already been
// reversed keeps what it has, and each unit this puts over the total is
// taken back from a position that still moves, preferring one rounded up
// (part above the floor of its exact share), then the smallest fractional
// remainder, then the latest in the tie order. parts, shares and order are
// in tie order.
func nvNeverBackwards(l nvLedger, order []int, shares []*big.Rat, parts []int64, total int64) []int64 {
	out := append([]int64(nil), parts...)
	var sum int64
	for k, i := range order {
		if prev := -l.pos[i].reversed; out[k] < prev {
			out[k] = prev
		}
		sum += out[k]
	}
	floor := func(r *big.Rat) int64 { return new(big.Int).Quo(r.Num(), r.Denom()).Int64() }
	rem := func(k int) *big.Rat { return new(big.Rat).Sub(shares[k], new(big.Rat).SetInt64(floor(shares[k]))) }
	for ; sum > total; sum-- {
		best := -1
		for k, i := range order {
			if out[k] <= -l.pos[i].reversed {
				continue
			}
			if best < 0 {
				best = k
				continue
			}
			upK, upB := out[k] > floor(shares[k]), out[best] > floor(shares[best])
			switch c := rem(k).Cmp(rem(best)); {
			case upK != upB:
				if upK {
					best = k
				}
			case c < 0:
				best = k
			case c == 0 && k > best:
				best = k
			}
		}
		out[best]--
	}
	return out
}
