package reconcile

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// TestParseCurrencyAmounts: the one parser of the CURRENCY=AMOUNT settings
// (PAYOUTS_MIN_PAYOUT with a minimum of one minor unit,
// PAYOUTS_TAX_TOLERANCE with 0).
func TestParseCurrencyAmounts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v    string
		min  int64
		want string // sorted CODE:minor pairs, or the error
	}{
		{"BRL=50.00,USD=10", 1, "BRL:5000 USD:1000"},
		{"BRL=0.05, JPY=3", 0, "BRL:5 JPY:3"},
		{" KWD=0.125 ,CLF=1.5", 0, "CLF:15000 KWD:125"},
		{"BRL=0", 0, "BRL:0"},
		{"BRL=007.5", 1, "BRL:750"},
		{"JPY=99999999999999999", 1, "JPY:99999999999999999"},
		{"BRL=1.00", 100, "BRL:100"},

		{"0.05", 0, `"0.05" is not CURRENCY=AMOUNT (like BRL=50.00)`},
		{"BRL=1,", 1, `"" is not CURRENCY=AMOUNT (like BRL=50.00)`},
		{"XYZ=1", 1, `unknown currency "XYZ"`},
		{"brl=1", 1, `unknown currency "brl"`},
		{"BRL = 1", 1, `unknown currency "BRL "`},
		{"BRL=0.005", 0, "BRL=0.005: want an amount of 0 or more in BRL's digits"},
		{"JPY=1.5", 1, "JPY=1.5: want a positive amount in JPY's digits"},
		{"BRL=0", 1, "BRL=0: want a positive amount in BRL's digits"},
		{"BRL=-1", 0, "BRL=-1: want an amount of 0 or more in BRL's digits"},
		{"BRL=-0", 0, "BRL=-0: want an amount of 0 or more in BRL's digits"},
		{"BRL=-0.00", 1, "BRL=-0.00: want a positive amount in BRL's digits"},
		{"USD=+1", 1, "USD=+1: want a positive amount in USD's digits"},
		{"BRL=1e3", 1, "BRL=1e3: want a positive amount in BRL's digits"},
		{"BRL=", 0, "BRL=: want an amount of 0 or more in BRL's digits"},
		{"BRL=1=2", 0, "BRL=1=2: want an amount of 0 or more in BRL's digits"},
		{"JPY=100000000000000000", 1, "JPY=100000000000000000: want a positive amount in JPY's digits"},
		{"BRL=0.99", 100, "BRL=0.99: want an amount of at least 1.00 in BRL's digits"},
		{"BRL=1,USD=2,BRL=1", 0, "BRL is named twice"},
		{"BRL=1, BRL=2", 1, "BRL is named twice"},
	} {
		got, err := ParseCurrencyAmounts(tc.v, tc.min, "BRL=50.00")
		var s string
		if err != nil {
			s = err.Error()
		} else {
			var pairs []string
			for code, n := range got {
				pairs = append(pairs, fmt.Sprintf("%s:%d", code, n))
			}
			sort.Strings(pairs)
			s = strings.Join(pairs, " ")
		}
		if (err == nil && s != tc.want) || (err != nil && !strings.HasPrefix(s, tc.want)) {
			t.Errorf("ParseCurrencyAmounts(%q, %d) = %s\nwant %s", tc.v, tc.min, s, tc.want)
		}
	}
}
