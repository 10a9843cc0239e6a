package cnab240

import (
	"fmt"
	"strings"
)

// LineLength is the length of every record, without its CR LF.
const LineLength = 240

// record is one line being written: 240 bytes, spaces where nothing is
// put. Positions are 1-based and inclusive, as in the FEBRABAN manual.
type record [LineLength]byte

func newRecord() *record {
	var r record
	for i := range r {
		r[i] = ' '
	}
	return &r
}

// text puts s left-aligned and space-padded in from..to; s must fit.
func (r *record) text(from, to int, s string) {
	if len(s) > to-from+1 {
		panic(fmt.Sprintf("cnab240: %q does not fit in %d-%d", s, from, to))
	}
	copy(r[from-1:to], s)
}

// num puts n right-aligned and zero-padded in from..to; n must fit.
func (r *record) num(from, to int, n int64) {
	s := fmt.Sprintf("%0*d", to-from+1, n)
	if n < 0 || len(s) > to-from+1 {
		panic(fmt.Sprintf("cnab240: %d does not fit in %d-%d", n, from, to))
	}
	copy(r[from-1:to], s)
}

// digitsField puts a string of digits right-aligned and zero-padded.
func (r *record) digitsField(from, to int, s string) {
	w := to - from + 1
	if len(s) > w {
		panic(fmt.Sprintf("cnab240: %q does not fit in %d-%d", s, from, to))
	}
	copy(r[from-1:to], strings.Repeat("0", w-len(s))+s)
}

// line is a record read back.
type line []byte

func (l line) field(from, to int) string { return string(l[from-1 : to]) }

// trimmed is a text field without its padding.
func (l line) trimmed(from, to int) string { return strings.TrimRight(l.field(from, to), " ") }

// number reads a zero-padded numeric field.
func (l line) number(from, to int) (int64, error) {
	s := l.field(from, to)
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("positions %d-%d %q: not a number", from, to, s)
		}
		if n > (1<<62)/10 {
			return 0, fmt.Errorf("positions %d-%d %q: too large", from, to, s)
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}
