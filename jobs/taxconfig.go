package jobs

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"payouts/reconcile"
)

// taxPolicyFromEnv reads the settings of the tax-record checks:
//
//	PAYOUTS_INVOICE_MODEL  commission (default) or partnership
//	PAYOUTS_TAX_TOLERANCE  per currency, like PAYOUTS_MIN_PAYOUT: "BRL=0.05,USD=0.01" (default 0)
//	PAYOUTS_INVOICE_GRACE  calendar days after settled_at before MISSING_INVOICE (default 0)
//	PAYOUTS_TAX_BLOCKING   kinds that hold a sale at allocation: "MISSING_INVOICE,AMOUNT_MISMATCH" (default none)
func taxPolicyFromEnv(getenv func(string) string, loc *time.Location) (reconcile.TaxPolicy, error) {
	p := reconcile.TaxPolicy{Tolerance: map[string]int64{}, Blocking: map[string]bool{}, Location: loc}
	var err error
	if p.Model, err = reconcile.ParseInvoiceModel(getenv("PAYOUTS_INVOICE_MODEL")); err != nil {
		return p, fmt.Errorf("PAYOUTS_INVOICE_MODEL: %w", err)
	}
	if v := getenv("PAYOUTS_TAX_TOLERANCE"); v != "" {
		if p.Tolerance, err = ParseTaxTolerance(v); err != nil {
			return p, err
		}
	}
	if v := getenv("PAYOUTS_INVOICE_GRACE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 366 {
			return p, fmt.Errorf("PAYOUTS_INVOICE_GRACE=%q: want a number of days from 0 to 366", v)
		}
		p.GraceDays = n
	}
	if v := getenv("PAYOUTS_TAX_BLOCKING"); v != "" {
		if p.Blocking, err = ParseTaxBlocking(v); err != nil {
			return p, err
		}
	}
	return p, nil
}

// ParseTaxTolerance reads PAYOUTS_TAX_TOLERANCE: CURRENCY=AMOUNT pairs in
// each currency's own digits ("BRL=0.05,JPY=5"), how far an invoice amount
// may be from the expected amount. One figure for every currency would mean
// very different sums in JPY and KWD, so each currency is named; those not
// named must match exactly.
func ParseTaxTolerance(v string) (map[string]int64, error) {
	out := map[string]int64{}
	for _, part := range strings.Split(v, ",") {
		code, amount, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("PAYOUTS_TAX_TOLERANCE: %q is not CURRENCY=AMOUNT (like BRL=0.05)", part)
		}
		cur, err := reconcile.LookupCurrency(code)
		if err != nil {
			return nil, fmt.Errorf("PAYOUTS_TAX_TOLERANCE: %w", err)
		}
		n, err := reconcile.ParseAmount(amount, cur)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("PAYOUTS_TAX_TOLERANCE: %s: want an amount of 0 or more in %s's digits", part, code)
		}
		if _, dup := out[code]; dup {
			return nil, fmt.Errorf("PAYOUTS_TAX_TOLERANCE: %s is named twice", code)
		}
		out[code] = n
	}
	return out, nil
}

// ParseTaxBlocking reads PAYOUTS_TAX_BLOCKING: a comma-separated list of
// the kinds that hold a sale being allocated ("none" or empty: none).
func ParseTaxBlocking(v string) (map[string]bool, error) {
	out := map[string]bool{}
	if strings.TrimSpace(v) == "none" {
		return out, nil
	}
	for _, part := range strings.Split(v, ",") {
		k := strings.TrimSpace(part)
		if !slices.Contains(reconcile.BlockableTaxKinds, k) {
			return nil, fmt.Errorf("PAYOUTS_TAX_BLOCKING: %q is not one of %s", k, strings.Join(reconcile.BlockableTaxKinds, ", "))
		}
		out[k] = true
	}
	return out, nil
}
