package reconcile

import (
	"fmt"
	"sort"
	"strings"
)

// Policy holds the settings the waterfall checks against.
type Policy struct {
	// MaxCoproducerShare is the most the co-producers applying to one sale
	// may take together (PAYOUTS_MAX_COPRODUCER_SHARE, default 70%).
	MaxCoproducerShare Rate
}

// DefaultPolicy is SPEC 4.4's default: the lead producer keeps at least 30%.
var DefaultPolicy = Policy{MaxCoproducerShare: 70 * 10000}

// Allocation is the outcome of allocating one sale: its commission lines,
// or the hold that keeps it from being paid, plus non-blocking notes.
type Allocation struct {
	Sale  Sale
	Lines []Line    // lead, co-producers by contract_id, affiliate; only non-zero amounts
	Hold  *Finding  // non-nil: the sale is held and has no lines
	Notes []Finding // reported while the sale is paid as recorded
}

// Allocate applies SPEC section 4 to a valid sale. terms are the rows of
// contract_terms of the sale's product (every version and status, in any
// order); the version of each contract in force at the moment of the sale
// is chosen here.
func Allocate(s Sale, terms []ContractTerm, p Policy) Allocation {
	a := Allocation{Sale: s}
	if h := contractConflict(s, terms); h != nil {
		a.Hold = h
		return a
	}
	var applying []ContractTerm
	var total Rate
	for _, t := range TermsInForce(terms, s.SoldAt) {
		if t.ProductID != s.ProductID {
			continue
		}
		if s.AffiliateID != "" && t.CoproducerID == s.AffiliateID && !t.MayAffiliate {
			a.Notes = append(a.Notes, Finding{
				Kind: UnauthorizedAffiliate, SaleID: s.SaleID, ParticipantID: s.AffiliateID,
				ContractID: t.ContractID, Currency: s.Currency.Code,
				Detail: fmt.Sprintf("co-producer %s sold product %s as an affiliate, but version %d of contract %s does not allow it (may_affiliate=false); paid as recorded",
					s.AffiliateID, s.ProductID, t.Version, t.ContractID),
			})
		}
		if t.appliesTo(s) {
			applying = append(applying, t)
			total += t.Rate
		}
	}
	if total > p.MaxCoproducerShare {
		names := make([]string, len(applying))
		for i, t := range applying {
			names[i] = fmt.Sprintf("%s v%d %s%%", t.ContractID, t.Version, t.Rate)
		}
		a.Hold = &Finding{
			Kind: CapExceeded, Blocking: true, SaleID: s.SaleID, Currency: s.Currency.Code,
			Expected: p.MaxCoproducerShare.String(), Actual: total.String(),
			Detail: fmt.Sprintf("co-producer rates on product %s add up to %s%%, above the %s%% cap (%s); sale held",
				s.ProductID, total, p.MaxCoproducerShare, strings.Join(names, ", ")),
		}
		a.Notes = nil
		return a
	}

	net := s.Net()
	pool := net
	var affiliateLine *Line
	if s.AffiliateID != "" {
		// Step 2: the producer side comes first on a tie.
		parts := SplitLargestRemainder(net, []int64{int64(RateHundred - s.AffiliateRate), int64(s.AffiliateRate)})
		pool = parts[0]
		affiliateLine = &Line{SaleID: s.SaleID, ParticipantID: s.AffiliateID, Role: RoleAffiliate,
			Kind: KindCommission, Amount: parts[1], Base: net, Rate: s.AffiliateRate}
	}

	// Step 3: parties in tie-break order: the lead, then co-producers by
	// participant_id, then contract_id.
	sort.Slice(applying, func(i, j int) bool {
		if applying[i].CoproducerID != applying[j].CoproducerID {
			return applying[i].CoproducerID < applying[j].CoproducerID
		}
		return applying[i].ContractID < applying[j].ContractID
	})
	weights := make([]int64, 0, len(applying)+1)
	weights = append(weights, int64(RateHundred-total))
	for _, t := range applying {
		weights = append(weights, int64(t.Rate))
	}
	parts := SplitLargestRemainder(pool, weights)

	a.Lines = make([]Line, 0, len(parts)+1)
	if parts[0] != 0 {
		a.Lines = append(a.Lines, Line{SaleID: s.SaleID, ParticipantID: s.LeadID, Role: RoleLead,
			Kind: KindCommission, Amount: parts[0], Base: pool})
	}
	cops := make([]Line, 0, len(applying))
	for i, t := range applying {
		if parts[i+1] != 0 {
			cops = append(cops, Line{SaleID: s.SaleID, ParticipantID: t.CoproducerID, Role: RoleCoproducer,
				Kind: KindCommission, ContractID: t.ContractID, ContractVersion: t.Version,
				Amount: parts[i+1], Base: pool, Rate: t.Rate})
		}
	}
	sort.Slice(cops, func(i, j int) bool { return cops[i].ContractID < cops[j].ContractID })
	a.Lines = append(a.Lines, cops...)
	if affiliateLine != nil && affiliateLine.Amount != 0 {
		a.Lines = append(a.Lines, *affiliateLine)
	}
	return a
}

// contractConflict holds a sale of a product one of whose contracts names
// several products in its versions (a contract is about one product): which
// version applies cannot be told.
func contractConflict(s Sale, terms []ContractTerm) *Finding {
	var bad []ContractTerm
	for _, t := range terms {
		if len(t.Products) > 1 {
			bad = append(bad, t)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Slice(bad, func(i, j int) bool { return bad[i].ContractID < bad[j].ContractID })
	t := bad[0]
	return &Finding{Kind: InvalidSale, Blocking: true, SaleID: s.SaleID, ContractID: t.ContractID, Currency: s.Currency.Code,
		Detail: fmt.Sprintf("sale %s breaks the data contract: contract %s names products %s in its versions (a contract is about one product); held until corrected",
			s.SaleID, t.ContractID, strings.Join(t.Products, ", "))}
}
