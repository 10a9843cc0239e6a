package reconcile

import (
	"fmt"
	"strings"
	"time"
)

// SaleRecord is a sale as it is stored: amounts and rates as decimal text,
// exactly as the platform wrote them. ParseSale turns it into a Sale or
// says why it breaks the data contract.
type SaleRecord struct {
	SaleID             string
	ProductID          string
	LeadID             string // the product's lead producer
	Currency           string
	Gross              string
	PlatformFee        string
	AffiliateID        string
	AffiliateRate      string
	AffiliateManagerID string // affiliations.manager_id of the affiliate on this product
	SoldAt             time.Time
	SettledAt          time.Time
}

// Sale is a validated sale in minor units.
type Sale struct {
	SaleID             string
	ProductID          string
	LeadID             string
	Currency           Currency
	Gross              int64
	PlatformFee        int64
	AffiliateID        string
	AffiliateRate      Rate
	AffiliateManagerID string
	SoldAt             time.Time
	SettledAt          time.Time
}

// Net is gross less the platform fee: what the waterfall splits.
func (s Sale) Net() int64 { return s.Gross - s.PlatformFee }

// FieldError names the field of a record that breaks the data contract.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

func fieldErr(field string, err error) *FieldError {
	return &FieldError{Field: field, Reason: err.Error()}
}

// ParseSale validates a stored sale against SPEC section 2. Sales written
// straight into the tables can break rules the schema cannot see (the
// currency's minor digits, an unknown currency); such a sale is held as
// INVALID_SALE with every reason, joined by "; ".
func ParseSale(r SaleRecord) (Sale, error) {
	var errs []string
	add := func(field string, err error) { errs = append(errs, fieldErr(field, err).Error()) }
	s := Sale{
		SaleID: r.SaleID, ProductID: r.ProductID, LeadID: r.LeadID,
		AffiliateID: r.AffiliateID, AffiliateManagerID: r.AffiliateManagerID,
		SoldAt: r.SoldAt, SettledAt: r.SettledAt,
	}
	for _, f := range []struct{ name, v string }{{"sale_id", r.SaleID}, {"product_id", r.ProductID}} {
		if err := ValidateID(f.v); err != nil {
			add(f.name, err)
		}
	}
	cur, err := LookupCurrency(r.Currency)
	if err != nil {
		add("currency", err)
	} else {
		s.Currency = cur
		if s.Gross, err = ParseAmount(r.Gross, cur); err != nil {
			add("gross", err)
		} else if s.Gross <= 0 {
			add("gross", fmt.Errorf("gross %s must be greater than 0", r.Gross))
		}
		if s.PlatformFee, err = ParseAmount(r.PlatformFee, cur); err != nil {
			add("platform_fee", err)
		} else if s.PlatformFee < 0 {
			add("platform_fee", fmt.Errorf("platform_fee %s is negative", r.PlatformFee))
		} else if s.Gross > 0 && s.PlatformFee > s.Gross {
			add("platform_fee", fmt.Errorf("platform_fee %s is above gross %s", r.PlatformFee, r.Gross))
		}
	}
	switch {
	case r.AffiliateID != "" && r.AffiliateRate == "":
		add("affiliate_rate_percent", fmt.Errorf("required when affiliate_id is set"))
	case r.AffiliateID == "" && r.AffiliateRate != "":
		add("affiliate_rate_percent", fmt.Errorf("set without an affiliate_id"))
	case r.AffiliateID != "":
		if err := ValidateID(r.AffiliateID); err != nil {
			add("affiliate_id", err)
		}
		if s.AffiliateRate, err = ParseShareRate(r.AffiliateRate); err != nil {
			add("affiliate_rate_percent", err)
		}
	}
	if r.SoldAt.IsZero() {
		add("sold_at", fmt.Errorf("missing"))
	} else if !r.SettledAt.IsZero() && r.SettledAt.Before(r.SoldAt) {
		add("settled_at", fmt.Errorf("settled %s before it was sold %s", FormatTimestamp(r.SettledAt), FormatTimestamp(r.SoldAt)))
	}
	if len(errs) > 0 {
		return Sale{}, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return s, nil
}
