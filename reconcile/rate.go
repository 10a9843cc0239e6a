package reconcile

import (
	"fmt"
	"strings"
)

// Rate is a percentage in units of 0.0001 percent: 12.5% is 125000 and
// 100% is RateHundred. Rates in the data have at most four decimals, so
// every rate is an exact integer here.
type Rate int64

// RateHundred is 100% in Rate units.
const RateHundred Rate = 1_000_000

const rateDecimals = 4

// ParseRate parses a percentage with at most four decimals ("35",
// "12.5", "0.0001"). It does not check the range; see ParseShareRate.
func ParseRate(s string) (Rate, error) {
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || (hasDot && frac == "") {
		return 0, fmt.Errorf("rate %s is not a plain decimal like 12.5", Quote(s))
	}
	if len(frac) > rateDecimals {
		return 0, fmt.Errorf("rate %s has more than %d decimals", Quote(s), rateDecimals)
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > 6 {
		return 0, fmt.Errorf("rate %s is too large", Quote(s))
	}
	var v int64
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			c := part[i]
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("rate %s is not a plain decimal like 12.5", Quote(s))
			}
			v = v*10 + int64(c-'0')
		}
	}
	for i := len(frac); i < rateDecimals; i++ {
		v *= 10
	}
	return Rate(v), nil
}

// ParseShareRate parses a commission rate, which must satisfy
// 0 < rate < 100.
func ParseShareRate(s string) (Rate, error) {
	r, err := ParseRate(s)
	if err != nil {
		return 0, err
	}
	if r <= 0 || r >= RateHundred {
		return 0, fmt.Errorf("rate %s is outside 0 < rate < 100", s)
	}
	return r, nil
}

// String formats the rate with no trailing zeros: "12.5", "35", "0.0001".
func (r Rate) String() string {
	neg := r < 0
	if neg {
		r = -r
	}
	s := fmt.Sprintf("%d.%04d", int64(r)/10000, int64(r)%10000)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if neg {
		return "-" + s
	}
	return s
}
