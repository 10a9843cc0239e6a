package seed

import (
	"database/sql"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"payouts/reconcile"
)

type termRecord struct {
	ContractID   string         `db:"contract_id"`
	Version      int            `db:"version"`
	ProductID    string         `db:"product_id"`
	CoproducerID string         `db:"coproducer_id"`
	Status       string         `db:"status"`
	Rate         sql.NullString `db:"rate_percent"`
	Scope        string         `db:"scope"`
	ManagedOnly  bool           `db:"managed_only"`
	MayAffiliate bool           `db:"may_affiliate"`
	EndsAt       sql.NullTime   `db:"ends_at"`
	ProposedAt   sql.NullTime   `db:"proposed_at"`
	AcceptedAt   sql.NullTime   `db:"accepted_at"`
}

// checkContractTerms validates contract_terms and returns them by product
// as reconcile terms.
func checkContractTerms(t *testing.T, db *sqlx.DB) map[string][]reconcile.ContractTerm {
	var rows []termRecord
	if err := db.Select(&rows, `SELECT contract_id, version, product_id, coproducer_id, status, rate_percent::text,
		scope, managed_only, may_affiliate, ends_at, proposed_at, accepted_at FROM contract_terms ORDER BY contract_id, version`); err != nil {
		t.Fatal(err)
	}
	byProduct := map[string][]reconcile.ContractTerm{}
	statuses := map[reconcile.TermStatus]int{}
	amendments, endsAt, managed, mayAff := 0, 0, 0, 0
	for i, r := range rows {
		mustID(t, "contract_id", r.ContractID)
		if i > 0 && rows[i-1].ContractID == r.ContractID {
			if r.Version != rows[i-1].Version+1 {
				t.Errorf("%s: version %d follows %d", r.ContractID, r.Version, rows[i-1].Version)
			}
		} else if r.Version != 1 {
			t.Errorf("%s starts at version %d", r.ContractID, r.Version)
		}
		st, err := reconcile.ParseTermStatus(r.Status)
		if err != nil {
			t.Errorf("%s v%d: %v", r.ContractID, r.Version, err)
		}
		statuses[st]++
		var rate reconcile.Rate
		if st != reconcile.TermCancelled {
			if rate, err = reconcile.ParseShareRate(r.Rate.String); err != nil {
				t.Errorf("%s v%d: rate: %v", r.ContractID, r.Version, err)
			}
		}
		scope, err := reconcile.ParseScope(r.Scope)
		if err != nil {
			t.Errorf("%s v%d: %v", r.ContractID, r.Version, err)
		}
		if r.ManagedOnly && scope != reconcile.ScopeAffiliate {
			t.Errorf("%s v%d: managed_only with scope %s", r.ContractID, r.Version, scope)
		}
		decided := st == reconcile.TermAccepted || st == reconcile.TermCancelled
		if decided != r.AcceptedAt.Valid {
			t.Errorf("%s v%d: status %s with accepted_at %v", r.ContractID, r.Version, st, r.AcceptedAt)
		}
		if r.AcceptedAt.Valid && r.ProposedAt.Valid && r.ProposedAt.Time.After(r.AcceptedAt.Time) {
			t.Errorf("%s v%d: proposed after it was accepted", r.ContractID, r.Version)
		}
		if st == reconcile.TermAccepted && r.Version > 1 {
			amendments++
		}
		if r.EndsAt.Valid {
			endsAt++
		}
		if r.ManagedOnly {
			managed++
		}
		if r.MayAffiliate {
			mayAff++
		}
		byProduct[r.ProductID] = append(byProduct[r.ProductID], reconcile.ContractTerm{
			ContractID: r.ContractID, ProductID: r.ProductID, CoproducerID: r.CoproducerID, Version: r.Version,
			Status: st, Rate: rate, Scope: scope, ManagedOnly: r.ManagedOnly, MayAffiliate: r.MayAffiliate,
			EndsAt: r.EndsAt.Time, AcceptedAt: r.AcceptedAt.Time,
		})
	}
	for _, st := range []reconcile.TermStatus{reconcile.TermAccepted, reconcile.TermPending, reconcile.TermDeclined, reconcile.TermCancelled} {
		if statuses[st] == 0 {
			t.Errorf("no %s contract versions", st)
		}
	}
	if amendments == 0 || endsAt == 0 || managed == 0 || mayAff == 0 {
		t.Errorf("amendments %d, with ends_at %d, managed_only %d, may_affiliate %d: want some of each", amendments, endsAt, managed, mayAff)
	}
	return byProduct
}

// checkTerms applies SPEC 4.1 to every valid sale: the terms in force must
// straddle amendments, and some sales must exceed the co-producer cap or
// be sold by an unauthorized co-producer affiliate, but only a few.
func checkTerms(t *testing.T, terms map[string][]reconcile.ContractTerm, sales map[string]*saleRow) {
	capped, amended, unauthorized, authorized, withTerms, valid := 0, 0, 0, 0, 0, 0
	cappedProducts := map[string]bool{}
	for _, s := range sales {
		if !s.Valid {
			continue
		}
		valid++
		var sum reconcile.Rate
		inForce := reconcile.TermsInForce(terms[s.ProductID], s.SoldAt)
		for _, v := range inForce {
			if v.CoproducerID == s.AffiliateID {
				if v.MayAffiliate {
					authorized++
				} else {
					unauthorized++
				}
			}
			if !applies(v, s.Sale) {
				continue
			}
			sum += v.Rate
			if v.Version > 1 {
				amended++
			}
		}
		if len(inForce) > 0 {
			withTerms++
		}
		if sum > maxCoproducerShare {
			capped++
			cappedProducts[s.ProductID] = true
		}
	}
	t.Logf("%d valid sales: %d above the cap (%d products), %d under amended versions, %d with terms in force, co-producer affiliates %d unauthorized / %d authorized",
		valid, capped, len(cappedProducts), amended, withTerms, unauthorized, authorized)
	if capped == 0 || capped > valid/20 {
		t.Errorf("%d of %d sales above the 70%% cap, want a few", capped, valid)
	}
	if len(cappedProducts) > len(terms)/20+1 {
		t.Errorf("%d products above the cap, want about 1%%", len(cappedProducts))
	}
	if amended == 0 || withTerms < valid/3 {
		t.Errorf("%d sales under an amended version, %d of %d with contracts in force", amended, withTerms, valid)
	}
	if unauthorized == 0 || authorized == 0 {
		t.Errorf("co-producers selling as affiliates: %d unauthorized, %d authorized; want both", unauthorized, authorized)
	}
	// The sales window straddles acceptances, cancellations and ends.
	var lo, hi time.Time
	for _, s := range sales {
		if lo.IsZero() || s.SoldAt.Before(lo) {
			lo = s.SoldAt
		}
		if s.SoldAt.After(hi) {
			hi = s.SoldAt
		}
	}
	in := func(x time.Time) bool { return !x.IsZero() && x.After(lo) && x.Before(hi) }
	var amendIn, cancelIn, endIn int
	for _, ts := range terms {
		for _, v := range ts {
			switch {
			case v.Status == reconcile.TermAccepted && v.Version > 1 && in(v.AcceptedAt):
				amendIn++
			case v.Status == reconcile.TermCancelled && in(v.AcceptedAt):
				cancelIn++
			}
			if v.Version == 1 && in(v.EndsAt) {
				endIn++
			}
		}
	}
	t.Logf("in the sales window %s to %s: %d amendments, %d cancellations, %d ends", lo.Format(time.DateOnly), hi.Format(time.DateOnly), amendIn, cancelIn, endIn)
	if amendIn == 0 || cancelIn == 0 || endIn == 0 {
		t.Errorf("in the sales window: %d amendments, %d cancellations, %d ends; want some of each", amendIn, cancelIn, endIn)
	}
}

// applies is SPEC 4.1's scope rule.
func applies(v reconcile.ContractTerm, s reconcile.Sale) bool {
	switch v.Scope {
	case reconcile.ScopeAffiliate:
		return s.AffiliateID != "" && (!v.ManagedOnly || s.AffiliateManagerID == v.CoproducerID)
	case reconcile.ScopeProducer:
		return s.AffiliateID == ""
	}
	return true
}
