// Package reconcile holds the money rules of payouts as pure functions over
// plain types: the contract terms in force at a moment, the waterfall that
// splits a sale, the largest-remainder rule, refund and chargeback
// reversals, balances and payouts, and the parsing rules of the data
// contract (amounts per currency, rates, ids, timestamps).
//
// Nothing here touches SQL, files or the clock: every function's result
// depends only on its arguments, so the same inputs always give the same
// cents. Amounts are int64 counts of the currency's minor unit. Decimals
// appear only as text being parsed or formatted, and rates are applied with
// exact 128-bit integer arithmetic.
package reconcile
