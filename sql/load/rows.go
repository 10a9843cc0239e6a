package load

import (
	"fmt"

	"payouts/reconcile"
)

// The rules of SPEC section 2 that one row can check on its own. Rules that
// need other rows or the database are in checks.go.

func validateParticipant(r *row) {
	r.id("participant_id")
	r.text("name")
	r.text("email")
	r.text("tax_id")
	r.text("payout_account")
	r.text("payout_bank")
	r.text("pix_key") // validated when a run settles a BRL balance: a bad key holds the payout (INVALID_PAYOUT_ACCOUNT)
}

func validateProduct(r *row) {
	r.id("product_id")
	r.text("name")
	r.id("lead_producer_id")
}

func validateContractTerm(r *row) {
	r.id("contract_id")
	r.id("product_id")
	r.id("coproducer_id")
	r.version("version")
	status, stStatus := oneOf(r, "status", reconcile.ParseTermStatus)
	_, stRate := r.rate("rate_percent")
	if stStatus == valid && status != reconcile.TermCancelled && stRate == absent {
		r.fail("rate_percent", "required unless status is cancelled")
	}
	// ParseScope turns empty into "all": the column's default, stored so.
	s, st := r.raw("scope")
	scope, stScope := reconcile.Scope(""), invalid
	if st != invalid {
		var err error
		if scope, err = reconcile.ParseScope(s); err != nil {
			r.fail("scope", "%v", err)
		} else {
			stScope = valid
			r.set("scope", string(scope))
		}
	}
	managed, _ := r.boolean("managed_only", false)
	if managed && stScope == valid && scope != reconcile.ScopeAffiliate {
		r.fail("managed_only", "true needs scope affiliate (scope is %s)", scope)
	}
	r.boolean("may_affiliate", false)
	r.timestamp("ends_at")
	r.timestamp("proposed_at")
	_, stAccepted := r.timestamp("accepted_at")
	if stAccepted == absent && (status == reconcile.TermAccepted || status == reconcile.TermCancelled) {
		r.fail("accepted_at", "required when status is %s", status)
	}
}

func validateAffiliation(r *row) {
	r.id("product_id")
	r.id("affiliate_id")
	r.id("manager_id")
}

func validateSale(r *row) {
	r.id("sale_id")
	r.id("product_id")
	cur, _ := r.currency("currency")
	gross, stGross := r.amount("gross", cur)
	if stGross == valid && gross <= 0 {
		r.fail("gross", "%s is not above 0", cut(r.cells[r.t.pos["gross"]]))
		r.set("gross", nil)
		stGross = invalid
	}
	fee, stFee := r.amount("platform_fee", cur)
	if stFee == valid && fee < 0 {
		r.fail("platform_fee", "%s is below 0", cut(r.cells[r.t.pos["platform_fee"]]))
		r.set("platform_fee", nil)
	} else if stFee == valid && stGross == valid && cur != nil && fee > gross {
		r.fail("platform_fee", "%s is above gross %s", cut(r.cells[r.t.pos["platform_fee"]]), cut(r.cells[r.t.pos["gross"]]))
	}
	r.id("affiliate_id")
	r.rate("affiliate_rate_percent")
	switch {
	case r.has("affiliate_id") && !r.has("affiliate_rate_percent"):
		r.fail("affiliate_rate_percent", "required when affiliate_id is set")
	case !r.has("affiliate_id") && r.has("affiliate_rate_percent"):
		r.fail("affiliate_rate_percent", "must be empty when affiliate_id is empty (a direct sale)")
	}
	r.text("buyer_tax_id")
	sold, stSold := r.timestamp("sold_at")
	settled, stSettled := r.timestamp("settled_at")
	if stSold == valid && stSettled == valid && settled.Before(sold) {
		r.fail("settled_at", "%s is before sold_at %s", reconcile.FormatTimestamp(settled), reconcile.FormatTimestamp(sold))
	}
}

func validateSaleEvent(r *row) {
	r.id("event_id")
	r.id("sale_id")
	kind, stKind := oneOf(r, "kind", reconcile.ParseEventKind)
	if stKind == valid && kind == reconcile.EventChargeback && r.has("amount") {
		r.fail("amount", "must be empty for a chargeback (a chargeback is always the full gross)")
	} else if amount, st := r.amount("amount", nil); st == valid {
		// The fraction digits depend on the sale's currency, which may be
		// in the database: checks.go compares scale(amount) with it.
		if amount <= 0 {
			r.fail("amount", "%s is not above 0", cut(r.cells[r.t.pos["amount"]]))
		} else {
			r.stageAmount("amount")
		}
	}
	r.timestamp("occurred_at")
}

// taxStatus checks a tax_records status.
func taxStatus(s string) (string, error) {
	if s == "active" || s == "cancelled" {
		return s, nil
	}
	return "", fmt.Errorf("status %s is not active or cancelled", quote(s))
}

func validateTaxRecord(r *row) {
	r.id("invoice_id")
	r.text("issuer_tax_id")
	r.id("sale_id") // not a reference (an invoice may name an unknown sale) but it may become a file name
	r.timestamp("issued_at")
	cur, _ := r.currency("currency")
	if amount, st := r.amount("amount", cur); st == valid && amount < 0 {
		r.fail("amount", "%s is below 0", cut(r.cells[r.t.pos["amount"]]))
		r.set("amount", nil)
	}
	oneOf(r, "status", taxStatus)
	r.text("buyer_tax_id")
}
