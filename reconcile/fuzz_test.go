package reconcile_test

// Fuzz targets of the parsing rules of the data contract (SPEC 2) and of
// the largest-remainder rule (SPEC 4.3). `go test` runs their seed corpora
// in testdata/fuzz/<Name>/; `go test -run '^$' -fuzz '^FuzzParseAmount$'
// -fuzztime 20s ./reconcile/` searches further.
//
// Each target states the rule it checks in terms independent of the
// implementation: a regular expression for the accepted syntax, big.Rat
// for the value a decimal denotes.

import (
	"encoding/binary"
	"math"
	"math/big"
	"regexp"
	"strings"
	"testing"

	"payouts/reconcile"
)

// fzCurrencies are the minor-unit sizes the data has: 0, 2, 3 and 4.
var fzCurrencies = []string{"JPY", "BRL", "KWD", "CLF"}

// fzPlainDecimal is the amount syntax of SPEC 2: optional minus, digits,
// optional dot and digits.
var fzPlainDecimal = regexp.MustCompile(`^-?([0-9]+)(\.([0-9]+))?$`)

// FuzzParseAmount: for any text and currency, ParseAmount either refuses
// it or returns v such that the text denotes v minor units exactly, and
// FormatAmount(v) has exactly the currency's digits, denotes the same
// number and parses back to v. A plain decimal that fits (at most the
// currency's digits after the dot, at most 17 significant digits in all)
// is never refused.
func FuzzParseAmount(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string, which uint8) {
		t.Parallel()
		cur, err := reconcile.LookupCurrency(fzCurrencies[int(which)%len(fzCurrencies)])
		if err != nil {
			t.Fatal(err)
		}
		v, err := reconcile.ParseAmount(s, cur)
		m := fzPlainDecimal.FindStringSubmatch(s)
		if err != nil {
			if m != nil && len(m[3]) <= cur.Minor && len(strings.TrimLeft(m[1], "0"))+cur.Minor <= 17 {
				t.Fatalf("ParseAmount(%q, %s) refused a valid amount: %v", s, cur.Code, err)
			}
			return
		}
		if m == nil || len(m[3]) > cur.Minor {
			t.Fatalf("ParseAmount(%q, %s) = %d, want an error: not a plain decimal with at most %d decimals", s, cur.Code, v, cur.Minor)
		}
		scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(cur.Minor)), nil))
		want := new(big.Rat).Quo(new(big.Rat).SetInt64(v), scale)
		in, ok := new(big.Rat).SetString(s)
		if !ok || in.Cmp(want) != 0 {
			t.Fatalf("ParseAmount(%q, %s) = %d minor units, which is %s, not the input", s, cur.Code, v, want.FloatString(cur.Minor))
		}
		out := reconcile.FormatAmount(v, cur)
		om := fzPlainDecimal.FindStringSubmatch(out)
		if om == nil || len(om[3]) != cur.Minor || (cur.Minor == 0 && om[2] != "") {
			t.Fatalf("FormatAmount(%d, %s) = %q: not a decimal with exactly %d digits", v, cur.Code, out, cur.Minor)
		}
		if o, ok := new(big.Rat).SetString(out); !ok || o.Cmp(want) != 0 {
			t.Fatalf("FormatAmount(%d, %s) = %q, which is not %s", v, cur.Code, out, want.FloatString(cur.Minor))
		}
		back, err := reconcile.ParseAmount(out, cur)
		if err != nil || back != v {
			t.Fatalf("ParseAmount(FormatAmount(%d, %s) = %q) = %d, %v", v, cur.Code, out, back, err)
		}
	})
}

// fzRate is the rate syntax: digits, optional dot and one to four digits.
var fzRate = regexp.MustCompile(`^([0-9]+)(\.([0-9]{1,4}))?$`)

// FuzzParseRate: ParseRate accepts exactly the plain non-negative decimals
// with at most four decimals (and at most six integer digits), the Rate it
// returns is the input times 10000, Rate.String denotes the same number
// without trailing zeros and parses back, and ParseShareRate accepts it
// exactly when 0 < rate < 100.
func FuzzParseRate(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		t.Parallel()
		r, err := reconcile.ParseRate(s)
		m := fzRate.FindStringSubmatch(s)
		if err != nil {
			if m != nil && len(strings.TrimLeft(m[1], "0")) <= 6 {
				t.Fatalf("ParseRate(%q) refused a valid rate: %v", s, err)
			}
			return
		}
		if m == nil {
			t.Fatalf("ParseRate(%q) = %d, want an error", s, r)
		}
		in, _ := new(big.Rat).SetString(s)
		if want := new(big.Rat).SetInt64(int64(r)); in.Mul(in, big.NewRat(10000, 1)).Cmp(want) != 0 {
			t.Fatalf("ParseRate(%q) = %d units of 0.0001%%, want %s", s, r, in.FloatString(4))
		}
		str := r.String()
		if strings.Contains(str, ".") && strings.HasSuffix(str, "0") || strings.HasSuffix(str, ".") {
			t.Fatalf("Rate(%d).String() = %q has trailing zeros", r, str)
		}
		back, err := reconcile.ParseRate(str)
		if err != nil || back != r {
			t.Fatalf("ParseRate(Rate(%d).String() = %q) = %d, %v", r, str, back, err)
		}
		_, err = reconcile.ParseShareRate(s)
		if inRange := r > 0 && r < reconcile.RateHundred; (err == nil) != inRange {
			t.Fatalf("ParseShareRate(%q) error %v, but 0 < %s < 100 is %v", s, err, str, inRange)
		}
	})
}

// fzRFC3339 is RFC 3339's date-time (section 5.6: two-digit hour, "." before
// the fraction, offset hours 00-23) with at most six fraction digits, which
// is what SPEC 2 and PostgreSQL accept.
var fzRFC3339 = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$`)

// FuzzParseTimestamp: ParseTimestamp never panics; what it accepts is RFC
// 3339 with an offset and at most microseconds, and the canonical text
// FormatTimestamp writes for it parses back to the same instant (outputs
// and reruns read their own timestamps back).
func FuzzParseTimestamp(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		t.Parallel()
		ts, err := reconcile.ParseTimestamp(s)
		if err != nil {
			return
		}
		if !fzRFC3339.MatchString(s) {
			t.Fatalf("ParseTimestamp(%q) = %v, want an error: not RFC 3339 with an offset and at most microseconds", s, ts)
		}
		if ts.Nanosecond()%1000 != 0 {
			t.Fatalf("ParseTimestamp(%q) = %v: finer than a microsecond", s, ts)
		}
		out := reconcile.FormatTimestamp(ts)
		back, err := reconcile.ParseTimestamp(out)
		if err != nil || !back.Equal(ts) {
			t.Fatalf("ParseTimestamp(%q) = %v, but its canonical form %q parses to %v, %v", s, ts, out, back, err)
		}
		if !strings.HasSuffix(out, "Z") {
			t.Fatalf("canonical form %q of %q is not in UTC", out, s)
		}
	})
}

// fzID is SPEC 2's id rule.
var fzID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// FuzzValidateID: ValidateID accepts exactly the ids of SPEC 2; anything
// else (which could escape a file name) is refused.
func FuzzValidateID(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		t.Parallel()
		err := reconcile.ValidateID(s)
		if want := fzID.MatchString(s); (err == nil) != want {
			t.Fatalf("ValidateID(%q) = %v, but the id rule says valid=%v", s, err, want)
		}
	})
}

// FuzzSplitLargestRemainder: for any base >= 0 and up to eight weights,
// the parts add up to the base, each is the floor or ceiling of its exact
// share, and the extra units go to the largest remainders, earlier party
// first. raw[0] picks the width of each weight (1 to 8 bytes), so that
// both tiny weights (many ties) and weights that push base*w past 64 bits
// are covered. The weights are scaled to add up to at most MaxInt64: the
// callers' weights (rates, entitlements) always do, and wider sums are a
// separate, known limit (bugs_test.go).
func FuzzSplitLargestRemainder(f *testing.F) {
	f.Fuzz(func(t *testing.T, base int64, raw []byte) {
		t.Parallel()
		if base < 0 {
			base = ^base
		}
		if len(raw) == 0 {
			return
		}
		width := int(raw[0]%8) + 1
		raw = raw[1:]
		var weights []int64
		for len(raw) > 0 && len(weights) < 8 {
			var b [8]byte
			n := copy(b[:width], raw)
			raw = raw[n:]
			weights = append(weights, int64(binary.LittleEndian.Uint64(b[:])&math.MaxInt64))
		}
		var sum int64
		for i := range weights {
			weights[i] /= int64(len(weights))
			sum += weights[i]
		}
		if sum == 0 {
			return // no weight: the function's precondition
		}
		ppCheckSplit(t, base, weights, reconcile.SplitLargestRemainder(base, weights))
	})
}

// fzAmountMins are the least amounts a CURRENCY=AMOUNT setting takes: a
// tolerance (0), a threshold (1) and a larger floor.
var fzAmountMins = []int64{0, 1, 100}

// FuzzParseCurrencyAmounts: ParseCurrencyAmounts accepts exactly the
// comma-separated lists whose every pair, blanks around it trimmed, is a
// known ISO 4217 code, "=" and an unsigned plain decimal with at most the
// currency's digits (and at most 17 digits in all) worth at least the
// minimum, no currency twice; and it returns each amount's exact value
// in minor units. Writing the result back as pairs parses to the same.
func FuzzParseCurrencyAmounts(f *testing.F) {
	unsigned := regexp.MustCompile(`^([0-9]+)(\.([0-9]+))?$`)
	f.Fuzz(func(t *testing.T, v string, which uint8) {
		t.Parallel()
		min := fzAmountMins[int(which)%len(fzAmountMins)]
		want, valid := map[string]int64{}, true
		for _, part := range strings.Split(v, ",") {
			code, amount, ok := strings.Cut(strings.TrimSpace(part), "=")
			cur, err := reconcile.LookupCurrency(code)
			m := unsigned.FindStringSubmatch(amount)
			if !ok || err != nil || m == nil || len(m[3]) > cur.Minor || len(strings.TrimLeft(m[1], "0"))+cur.Minor > 17 {
				valid = false
				break
			}
			r, _ := new(big.Rat).SetString(amount)
			r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(cur.Minor)), nil)))
			if _, dup := want[code]; dup || !r.IsInt() || r.Num().Int64() < min {
				valid = false
				break
			}
			want[code] = r.Num().Int64()
		}
		got, err := reconcile.ParseCurrencyAmounts(v, min, "BRL=1.00")
		if !valid {
			if err == nil {
				t.Fatalf("ParseCurrencyAmounts(%q, %d) = %v, want an error", v, min, got)
			}
			return
		}
		if err != nil {
			t.Fatalf("ParseCurrencyAmounts(%q, %d) refused a valid setting: %v", v, min, err)
		}
		if len(got) != len(want) {
			t.Fatalf("ParseCurrencyAmounts(%q, %d) = %v, want %v", v, min, got, want)
		}
		var pairs []string
		for code, n := range want {
			if got[code] != n {
				t.Fatalf("ParseCurrencyAmounts(%q, %d) = %v, want %v", v, min, got, want)
			}
			cur, _ := reconcile.LookupCurrency(code)
			pairs = append(pairs, code+"="+reconcile.FormatAmount(n, cur))
		}
		back, err := reconcile.ParseCurrencyAmounts(strings.Join(pairs, ","), min, "BRL=1.00")
		if err != nil || len(back) != len(got) {
			t.Fatalf("ParseCurrencyAmounts of its own result %v: %v, %v", pairs, back, err)
		}
		for code, n := range got {
			if back[code] != n {
				t.Fatalf("ParseCurrencyAmounts of its own result %v: %v", pairs, back)
			}
		}
	})
}
