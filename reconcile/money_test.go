package reconcile

import "testing"

func TestParseAmount(t *testing.T) {
	t.Parallel()
	brl, _ := LookupCurrency("BRL")
	jpy, _ := LookupCurrency("JPY")
	kwd, _ := LookupCurrency("KWD")
	tests := []struct {
		in   string
		cur  Currency
		want int64
		bad  bool
	}{
		{"100.00", brl, 10000, false},
		{"0.06", brl, 6, false},
		{"12.3", brl, 1230, false},
		{"5", brl, 500, false},
		{"-12.30", brl, -1230, false},
		{"007", brl, 700, false},
		{"9800", jpy, 9800, false},
		{"1.234", kwd, 1234, false},
		{"10.005", brl, 0, true},
		{"9800.5", jpy, 0, true},
		{"9800.0", jpy, 0, true},
		{"12,30", brl, 0, true},
		{"1e3", brl, 0, true},
		{"+5", brl, 0, true},
		{".5", brl, 0, true},
		{"5.", brl, 0, true},
		{" 5", brl, 0, true},
		{"", brl, 0, true},
		{"-", brl, 0, true},
		{"99999999999999999999", brl, 0, true},
	}
	for _, tc := range tests {
		got, err := ParseAmount(tc.in, tc.cur)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseAmount(%q, %s) = %d, want an error", tc.in, tc.cur.Code, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseAmount(%q, %s) = %d, %v; want %d", tc.in, tc.cur.Code, got, err, tc.want)
		}
	}
}

func TestFormatAmount(t *testing.T) {
	t.Parallel()
	brl, _ := LookupCurrency("BRL")
	jpy, _ := LookupCurrency("JPY")
	kwd, _ := LookupCurrency("KWD")
	tests := []struct {
		v    int64
		cur  Currency
		want string
	}{
		{-1230, brl, "-12.30"}, {5, jpy, "5"}, {1, brl, "0.01"}, {-1, brl, "-0.01"},
		{0, brl, "0.00"}, {0, jpy, "0"}, {1234, kwd, "1.234"}, {8960, brl, "89.60"},
	}
	for _, tc := range tests {
		if got := FormatAmount(tc.v, tc.cur); got != tc.want {
			t.Errorf("FormatAmount(%d, %s) = %q, want %q", tc.v, tc.cur.Code, got, tc.want)
		}
	}
}

func TestRates(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Rate{"35": 350000, "12.5": 125000, "0.0001": 1, "99.9999": 999999, "7.3333": 73333} {
		got, err := ParseShareRate(in)
		if err != nil || got != want {
			t.Errorf("ParseShareRate(%q) = %d, %v; want %d", in, got, err, want)
		}
		if got.String() != in {
			t.Errorf("Rate(%d).String() = %q, want %q", got, got.String(), in)
		}
	}
	for _, in := range []string{"0", "100", "100.5", "12.34567", "-5", "abc", "", "1e2", "12."} {
		if r, err := ParseShareRate(in); err == nil {
			t.Errorf("ParseShareRate(%q) = %d, want an error", in, r)
		}
	}
}

func TestValidateID(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"s01", "A-b_9", "x"} {
		if err := ValidateID(ok); err != nil {
			t.Errorf("ValidateID(%q) = %v", ok, err)
		}
	}
	long := make([]byte, 65)
	for i := range long {
		long[i] = 'a'
	}
	for _, bad := range []string{"", "a/b", "..", "a.b", "a b", "é", string(long)} {
		if err := ValidateID(bad); err == nil {
			t.Errorf("ValidateID(%q) accepted", bad)
		}
	}
}

func TestSplitLargestRemainder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		base    int64
		weights []int64
		want    []int64
	}{
		{"exact", 100, []int64{1, 1}, []int64{50, 50}},
		{"tie goes first", 5, []int64{1, 1}, []int64{3, 2}},
		{"s06: 5 cents 33/33/rest", 5, []int64{340000, 330000, 330000}, []int64{2, 2, 1}},
		{"zero base", 0, []int64{3, 7}, []int64{0, 0}},
		{"zero weight", 10, []int64{0, 1}, []int64{0, 10}},
		{"huge", 9_000_000_000_000_000_000, []int64{1, 2}, []int64{3_000_000_000_000_000_000, 6_000_000_000_000_000_000}},
	}
	for _, tc := range tests {
		got := SplitLargestRemainder(tc.base, tc.weights)
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
				break
			}
		}
	}
}

func TestAddBusinessDays(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{{"2026-03-03", 1, "2026-03-04"}, {"2026-03-06", 1, "2026-03-09"}, {"2026-03-07", 1, "2026-03-09"}, {"2026-03-05", 3, "2026-03-10"}, {"2026-03-05", 0, "2026-03-05"}} {
		d, _ := ParseDate(tc.from)
		if got := d.AddBusinessDays(tc.n).String(); got != tc.want {
			t.Errorf("%s + %d business days = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
}
