package reconcile

import (
	"fmt"
	"strings"
)

// Currency is an ISO 4217 currency and the number of digits of its minor
// unit (BRL 2, JPY 0, KWD 3).
type Currency struct {
	Code  string
	Minor int
}

// minorUnits lists the ISO 4217 currencies payouts accepts. A code not
// listed here is rejected: guessing the minor unit of an unknown currency
// would misplace the decimal point of every amount in it.
var minorUnits = func() map[string]int {
	m := map[string]int{}
	two := `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV
BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK
DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR
ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK
MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP
PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP
SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VES WST XCD YER ZAR ZMW ZWG`
	for _, c := range strings.Fields(two) {
		m[c] = 2
	}
	for _, c := range strings.Fields(`BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF`) {
		m[c] = 0
	}
	for _, c := range strings.Fields(`BHD IQD JOD KWD LYD OMR TND`) {
		m[c] = 3
	}
	for _, c := range strings.Fields(`CLF UYW`) {
		m[c] = 4
	}
	return m
}()

// LookupCurrency returns the currency with ISO 4217 code code.
func LookupCurrency(code string) (Currency, error) {
	n, ok := minorUnits[code]
	if !ok {
		return Currency{}, fmt.Errorf("unknown currency %s (expected an ISO 4217 code such as BRL, USD, JPY)", Quote(code))
	}
	return Currency{Code: code, Minor: n}, nil
}

// maxAmountDigits bounds the digits of an amount so that it fits an int64
// with room for the waterfall's sums.
const maxAmountDigits = 17

// ParseAmount parses a plain decimal ("12.30", "-5", "0.06") into minor
// units of cur. It rejects more fraction digits than the currency has,
// exponents, thousands separators, a leading "+" or ".", and blanks: an
// amount is either read exactly or refused.
func ParseAmount(s string, cur Currency) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty amount")
	}
	body := s
	neg := false
	if body[0] == '-' {
		neg = true
		body = body[1:]
	}
	intPart, frac, hasDot := strings.Cut(body, ".")
	if intPart == "" || (hasDot && frac == "") {
		return 0, fmt.Errorf("amount %s is not a plain decimal like 12.30", Quote(s))
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, fmt.Errorf("amount %s is not a plain decimal like 12.30", Quote(s))
			}
		}
	}
	if len(frac) > cur.Minor {
		return 0, fmt.Errorf("amount %s has %d fraction digits; %s has %d", Quote(s), len(frac), cur.Code, cur.Minor)
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart)+cur.Minor > maxAmountDigits {
		return 0, fmt.Errorf("amount %s is too large", Quote(s))
	}
	var v int64
	for i := 0; i < len(intPart); i++ {
		v = v*10 + int64(intPart[i]-'0')
	}
	for i := 0; i < cur.Minor; i++ {
		v *= 10
		if i < len(frac) {
			v += int64(frac[i] - '0')
		}
	}
	if neg {
		v = -v
	}
	return v, nil
}

// FormatAmount formats minor units of cur as a plain decimal with exactly
// the currency's minor digits: -1230 BRL is "-12.30", 5 JPY is "5".
func FormatAmount(v int64, cur Currency) string {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v)
	}
	digits := fmt.Sprintf("%0*d", cur.Minor+1, u)
	out := digits
	if cur.Minor > 0 {
		cut := len(digits) - cur.Minor
		out = digits[:cut] + "." + digits[cut:]
	}
	if neg {
		return "-" + out
	}
	return out
}
