package seed

import (
	"fmt"
	"time"

	"payouts/reconcile"
)

// The contract timeline. It is fixed (not relative to the seeded date) so
// that contracts are the same for every date; it is long and busy enough
// that any date's sales window, 30 to 60 days before the date, straddles
// acceptances, amendments, cancellations and ends_at.
var (
	timelineStart = time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	timelineEnd   = time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
)

const (
	hour = int64(time.Hour / time.Second)
	day  = 24 * hour
)

// rhythm is how a seat's contracts come and go. Most seats are ordinary;
// a few anchor seats renew every few weeks so that every date's 30-day
// sales window, even in the smallest seed, straddles an ends_at, a
// cancellation and an amendment.
type rhythm int

const (
	ordinary     rhythm = iota
	launchEnds          // one contract per product launch, 10-20 days, ending at its ends_at
	launchCancel        // one contract per launch, cancelled after 10-20 days
	fastAmend           // one open contract renegotiated every 20-28 days
)

// rhythmAnchor places the anchor seats: seat 1 of three products in every
// hundred, so the smallest marketplace (20 products) has each.
func rhythmAnchor(j int) rhythm {
	switch j % 100 {
	case 9:
		return launchEnds
	case 11:
		return launchCancel
	case 13:
		return fastAmend
	}
	return ordinary
}

// termRow is one row of contract_terms; times are Unix seconds, 0 for null.
type termRow struct {
	contractID   string
	version      int
	productID    string
	coproducerID string
	status       reconcile.TermStatus
	rate         reconcile.Rate // 0 for a cancellation
	scope        reconcile.Scope
	managedOnly  bool
	mayAffiliate bool
	endsAt       int64
	proposedAt   int64
	acceptedAt   int64
}

// decidedAt is when a row became a fact: its acceptance, or the proposal
// for versions never accepted. A contract's rows are decided in version
// order, so the rows decided before a cutoff are a prefix of its versions.
func (t termRow) decidedAt() int64 {
	if t.acceptedAt != 0 {
		return t.acceptedAt
	}
	return t.proposedAt
}

// slotHistory emits, in order, the contract_terms rows of seat sl of
// product p that were decided before cutoff (Unix seconds). The history is
// a function of the seed, the product and the seat only.
//
// Each generation is one contract: version 1 accepted, then (on about two
// thirds) amendments every 20 to 70 days, some proposals declined,
// sometimes a proposal left pending; it ends with an accepted cancellation
// (60%) or at its agreed ends_at (40%), after 1.5 to 8 months (80%) or 1 to
// 2 years. The next generation, a new contract with the same co-producer,
// starts 1 to 13 weeks later. Seats of cap-exceeding products hold one
// contract forever; the anchor seats of rhythm have their own tempo.
func slotHistory(seed int64, p *product, sl *slot, cutoff int64, emit func(termRow) error) error {
	r := newRNG(seed, purposeContract, uint64(p.index)*8+uint64(sl.num))
	t := timelineStart - r.between(0, 400*day)
	for gen := 1; t < timelineEnd; gen++ {
		base := termRow{
			contractID:   fmt.Sprintf("c%05d-%d-%02d", p.index+1, sl.num, gen),
			productID:    p.id,
			coproducerID: participantID(sl.coproducer),
			scope:        sl.scope,
			managedOnly:  sl.managedOnly,
			mayAffiliate: r.chance(3500),
		}
		version := 0
		out := func(row termRow) error {
			version++
			row.version = version
			if row.decidedAt() >= cutoff {
				return errStop
			}
			return emit(row)
		}

		// [lo, hi] ranges of the contract's life, the gap before the next
		// one, and the time between amendments.
		life, gap, amendEvery := [2]int64{45 * day, 240 * day}, [2]int64{7 * day, 90 * day}, [2]int64{20 * day, 70 * day}
		cancel := r.chance(6000)
		amending := r.chance(6500)
		if r.chance(2000) {
			life = [2]int64{365 * day, 730 * day}
		}
		open := sl.fixed // never ends
		switch sl.rhythm {
		case launchEnds, launchCancel:
			// Back-to-back launches: an end at least every 24 days.
			life, gap = [2]int64{10 * day, 20 * day}, [2]int64{day, 4 * day}
			cancel, amending = sl.rhythm == launchCancel, false
		case fastAmend:
			// One open contract amended at least every 28 days.
			open, amending, amendEvery = true, true, [2]int64{20 * day, 28 * day}
		}
		if sl.fixed {
			amending = false
		}
		end := t + r.between(life[0], life[1])
		switch {
		case open:
			end = timelineEnd
		case !cancel:
			base.endsAt = end
		}

		rate := shareRate(r, sl.lo, sl.hi)
		v := base
		v.status, v.rate = reconcile.TermAccepted, rate
		v.proposedAt, v.acceptedAt = t-r.between(hour, 10*day), t
		if err := out(v); err != nil {
			return stopOK(err)
		}
		last := t // the latest decision so far
		if amending {
			for next := last + r.between(amendEvery[0], amendEvery[1]); next < end-2*day; next += r.between(amendEvery[0], amendEvery[1]) {
				v := base
				v.rate = shareRate(r, sl.lo, sl.hi)
				if v.rate == rate { // an amendment changes the rate
					v.rate = sl.lo
					if rate == sl.lo {
						v.rate = sl.hi
					}
				}
				v.proposedAt = max(next-r.between(hour, 7*day), last+hour)
				if r.chance(1000) && sl.rhythm != fastAmend {
					v.status = reconcile.TermDeclined
				} else {
					v.status, v.acceptedAt = reconcile.TermAccepted, next
					rate = v.rate
				}
				if err := out(v); err != nil {
					return stopOK(err)
				}
				last = max(next, v.proposedAt)
			}
		}
		if !open && r.chance(1500) && end-last > 3*day {
			// A proposal nobody answered: pending forever, never in force.
			v := base
			v.status, v.rate = reconcile.TermPending, shareRate(r, sl.lo, sl.hi)
			v.proposedAt = r.between(last+hour, end-2*day)
			if err := out(v); err != nil {
				return stopOK(err)
			}
			last = v.proposedAt
		}
		if open {
			return nil
		}
		if cancel {
			v := base
			v.status = reconcile.TermCancelled
			v.proposedAt = max(end-r.between(hour, 5*day), last+1)
			v.acceptedAt = max(end, v.proposedAt)
			if err := out(v); err != nil {
				return stopOK(err)
			}
			end = v.acceptedAt
		}
		t = end + r.between(gap[0], gap[1])
	}
	return nil
}

// errStop ends a history at the cutoff; every later row is decided later.
var errStop = fmt.Errorf("seed: cutoff reached")

func stopOK(err error) error {
	if err == errStop {
		return nil
	}
	return err
}
