package seed

// feature is a deliberate property of the data, counted in
// Summary.Features so that reports and tests can see what a seed holds.
type feature int

const (
	fInvalidSale feature = iota
	fOneMinorUnit
	fSettledAtDayStart
	fSettledAtDayEnd
	fCoproducerAsAffiliate
	fZeroFee
	fFeeEqualsGross
	fAffiliateSale
	fManagedAffiliateSale
	fRefundPartial
	fRefundFull
	fTwoPartialRefunds
	fPartialRefundsToGross
	fChargeback
	fInvoiceMissing
	fInvoiceDuplicate
	fInvoiceAmountOff
	fInvoiceWrongCurrency
	fInvoiceWrongIssuer
	fInvoiceCancelledOnly
	fInvoiceCancelledReissued
	fInvoicePunctuatedIssuer
	fInvoiceOrphan
	fInvoiceOnReversedSale
	fInvoiceCancelledOnReversal
	fInvoiceInvalidBuyerTaxID
	fParticipantMissingAccount
	fParticipantInvalidTaxID
	fParticipantHostileName
	fProductCapExceeded
	fContractAmendment
	fContractCancelled
	fContractPending
	fContractDeclined
	fContractEndsAt
	fContractManagedOnly
	fContractMayAffiliate
	fAffiliationManaged
	fAffiliationCoproducer
	numFeatures
)

var featureNames = [numFeatures]string{
	fInvalidSale:                "invalid_sale",
	fOneMinorUnit:               "one_minor_unit_sale",
	fSettledAtDayStart:          "settled_at_day_start",
	fSettledAtDayEnd:            "settled_at_day_last_microsecond",
	fCoproducerAsAffiliate:      "coproducer_as_affiliate_sale",
	fZeroFee:                    "zero_fee_sale",
	fFeeEqualsGross:             "fee_equals_gross_sale",
	fAffiliateSale:              "affiliate_sale",
	fManagedAffiliateSale:       "managed_affiliate_sale",
	fRefundPartial:              "refund_partial",
	fRefundFull:                 "refund_full",
	fTwoPartialRefunds:          "two_partial_refunds",
	fPartialRefundsToGross:      "partial_refunds_to_gross",
	fChargeback:                 "chargeback",
	fInvoiceMissing:             "invoice_missing",
	fInvoiceDuplicate:           "invoice_duplicate",
	fInvoiceAmountOff:           "invoice_amount_off",
	fInvoiceWrongCurrency:       "invoice_wrong_currency",
	fInvoiceWrongIssuer:         "invoice_wrong_issuer",
	fInvoiceCancelledOnly:       "invoice_cancelled_only",
	fInvoiceCancelledReissued:   "invoice_cancelled_and_reissued",
	fInvoicePunctuatedIssuer:    "invoice_punctuated_issuer",
	fInvoiceOrphan:              "invoice_orphan",
	fInvoiceOnReversedSale:      "invoice_on_reversed_sale",
	fInvoiceCancelledOnReversal: "invoice_cancelled_on_reversal",
	fInvoiceInvalidBuyerTaxID:   "invoice_invalid_buyer_tax_id",
	fParticipantMissingAccount:  "participant_missing_payout_account",
	fParticipantInvalidTaxID:    "participant_invalid_tax_id",
	fParticipantHostileName:     "participant_hostile_name",
	fProductCapExceeded:         "product_cap_exceeded",
	fContractAmendment:          "contract_amendment",
	fContractCancelled:          "contract_cancellation",
	fContractPending:            "contract_pending_version",
	fContractDeclined:           "contract_declined_version",
	fContractEndsAt:             "contract_with_ends_at",
	fContractManagedOnly:        "contract_managed_only",
	fContractMayAffiliate:       "contract_may_affiliate",
	fAffiliationManaged:         "affiliation_managed",
	fAffiliationCoproducer:      "affiliation_of_coproducer",
}

type counters [numFeatures]int

func (c *counters) add(f feature) { c[f]++ }

func (c *counters) toMap() map[string]int {
	m := make(map[string]int, numFeatures)
	for f, n := range c {
		m[featureNames[f]] = n
	}
	return m
}
