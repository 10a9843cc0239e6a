package reconcile

import (
	"fmt"
	"strings"
)

// ParseCurrencyAmounts reads a per-currency setting written as
// comma-separated CURRENCY=AMOUNT pairs, each amount in its own
// currency's digits ("BRL=50.00,JPY=5,KWD=0.125"), into minor units per
// currency. One figure for every currency would mean very different sums
// in JPY and KWD, so each currency is named; what the currencies not
// named get is the caller's rule.
//
// It refuses, naming the pair: a pair that is not CURRENCY=AMOUNT, an
// unknown currency, an amount that is not a plain decimal or has more
// fraction digits than its currency, a signed amount (even "-0"), an
// amount below min minor units (0 for a tolerance, 1 for a threshold),
// and a currency named twice. example is a well-formed pair shown in the
// message of a malformed one ("BRL=50.00").
func ParseCurrencyAmounts(v string, min int64, example string) (map[string]int64, error) {
	min = max(min, 0)
	out := map[string]int64{}
	for _, part := range strings.Split(v, ",") {
		code, amount, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("%q is not CURRENCY=AMOUNT (like %s)", part, example)
		}
		cur, err := LookupCurrency(code)
		if err != nil {
			return nil, err
		}
		n, err := ParseAmount(amount, cur)
		if err != nil || strings.HasPrefix(amount, "-") || n < min {
			return nil, fmt.Errorf("%s: want %s in %s's digits", part, wantedAmount(min, cur), code)
		}
		if _, dup := out[code]; dup {
			return nil, fmt.Errorf("%s is named twice", code)
		}
		out[code] = n
	}
	return out, nil
}

// wantedAmount says which amounts a setting takes.
func wantedAmount(min int64, cur Currency) string {
	switch min {
	case 0:
		return "an amount of 0 or more"
	case 1:
		return "a positive amount"
	}
	return "an amount of at least " + FormatAmount(min, cur)
}
