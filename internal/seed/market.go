package seed

import (
	"context"
	"sort"
	"strconv"
	"time"

	"payouts/reconcile"
)

// marketplace is the part of the seed that depends on the seed and size
// only, kept in memory (about 10,000 participants at a million sales).
type marketplace struct {
	seed         int64
	participants []participant
	products     []product
	cumWeight    []uint64    // cumulative product weights, for picking by popularity
	coAffiliates []coAffSeat // co-producers registered as affiliates
	leads        []int       // participant indexes that lead some product
}

// coAffSeat is a co-producer who may also sell their product as an
// affiliate (UNAUTHORIZED_AFFILIATE unless the version in force allows it).
type coAffSeat struct{ product, participant int }

func newMarketplace(seed int64, sales int) *marketplace {
	nProducts, nParticipants := sizes(sales)
	m := &marketplace{seed: seed}
	m.participants = make([]participant, nParticipants)
	for i := range m.participants {
		m.participants[i] = makeParticipant(seed, i)
	}
	m.products = make([]product, nProducts)
	m.cumWeight = make([]uint64, nProducts)
	var total uint64
	isLead := make([]bool, nParticipants)
	for j := range m.products {
		p := makeProduct(seed, j)
		m.products[j] = p
		total += p.weight
		m.cumWeight[j] = total
		isLead[p.lead] = true
		for _, sl := range p.slots {
			if sl.coAffiliate {
				m.coAffiliates = append(m.coAffiliates, coAffSeat{j, sl.coproducer})
			}
		}
	}
	for i, ok := range isLead {
		if ok {
			m.leads = append(m.leads, i)
		}
	}
	return m
}

// pickProduct draws a product by popularity.
func (m *marketplace) pickProduct(r rng) *product {
	x := r.Uint64N(m.cumWeight[len(m.cumWeight)-1])
	j := sort.Search(len(m.cumWeight), func(i int) bool { return m.cumWeight[i] > x })
	return &m.products[j]
}

// write stages the marketplace rows: participants, products, affiliations,
// and the contract history decided before cutoff.
func (m *marketplace) write(ctx context.Context, w *stager, cutoff time.Time, c *counters, sum *Summary) error {
	for i, p := range m.participants {
		if err := w.put(ctx, tParticipant, p.id, p.name, nullable(p.email), p.taxID, nullable(p.account), nullable(p.bank), nullable(p.pixKey)); err != nil {
			return err
		}
		sum.Participants++
		if missingAccount(i) {
			c.add(fParticipantMissingAccount)
		}
		if invalidTaxID(i) {
			c.add(fParticipantInvalidTaxID)
		}
		if hostileName(i) {
			c.add(fParticipantHostileName)
		}
	}
	for _, p := range m.products {
		if err := w.put(ctx, tProduct, p.id, p.name, participantID(p.lead)); err != nil {
			return err
		}
		sum.Products++
		if p.capExceeded {
			c.add(fProductCapExceeded)
		}
	}
	for _, p := range m.products {
		for k, a := range p.affiliates {
			var mgr any
			if p.managers[k] >= 0 {
				mgr = participantID(p.managers[k])
				c.add(fAffiliationManaged)
			}
			if err := w.put(ctx, tAffiliation, p.id, participantID(a), mgr); err != nil {
				return err
			}
			sum.Affiliations++
		}
		for _, sl := range p.slots {
			if !sl.coAffiliate {
				continue
			}
			if err := w.put(ctx, tAffiliation, p.id, participantID(sl.coproducer), nil); err != nil {
				return err
			}
			sum.Affiliations++
			c.add(fAffiliationCoproducer)
		}
	}
	cut := cutoff.Unix()
	for j := range m.products {
		p := &m.products[j]
		for s := range p.slots {
			err := slotHistory(m.seed, p, &p.slots[s], cut, func(t termRow) error {
				sum.ContractTerms++
				countTerm(c, t)
				return w.put(ctx, tContractTerm, t.contractID, strconv.Itoa(t.version), t.productID, t.coproducerID,
					string(t.status), rateText(t.rate), string(t.scope), strconv.FormatBool(t.managedOnly),
					strconv.FormatBool(t.mayAffiliate), unixText(t.endsAt), unixText(t.proposedAt), unixText(t.acceptedAt))
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func countTerm(c *counters, t termRow) {
	switch {
	case t.status == reconcile.TermAccepted && t.version > 1:
		c.add(fContractAmendment)
	case t.status == reconcile.TermCancelled:
		c.add(fContractCancelled)
	case t.status == reconcile.TermPending:
		c.add(fContractPending)
	case t.status == reconcile.TermDeclined:
		c.add(fContractDeclined)
	}
	if t.version == 1 {
		if t.endsAt != 0 {
			c.add(fContractEndsAt)
		}
		if t.managedOnly {
			c.add(fContractManagedOnly)
		}
	}
	if t.mayAffiliate && t.version == 1 {
		c.add(fContractMayAffiliate)
	}
}

func rateText(r reconcile.Rate) any {
	if r == 0 {
		return nil
	}
	return r.String()
}

// unixText formats Unix seconds as RFC 3339 in UTC; 0 is null.
func unixText(sec int64) any {
	if sec == 0 {
		return nil
	}
	return time.Unix(sec, 0).UTC().Format(time.RFC3339)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
