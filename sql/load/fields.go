package load

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"payouts/reconcile"
)

// row is one data record being validated. Each typed accessor reads a
// cell, reports what is wrong with it (naming the column), and on success
// stores the value to stage. A cell that is invalid is staged as NULL and
// the row as not ok, so cross-row checks still see the row's other cells
// (an unknown product is reported even when the same row's gross is bad)
// but never trust its values.
type row struct {
	t      *table
	line   int
	cells  []string // per table column; "" when the header lacks the column
	unsafe []bool   // cell is not valid UTF-8 or has a NUL: already reported
	vals   []any    // per table column; nil is NULL
	ok     bool
	report func(RowError)
}

// state is what an accessor found in a cell.
type state uint8

const (
	absent  state = iota // empty cell of an optional column: NULL
	valid                // read and stored
	invalid              // reported (or required and empty)
)

func (r *row) fail(col, format string, args ...any) {
	r.ok = false
	r.report(RowError{File: r.t.file, Line: r.line, Reason: col + ": " + fmt.Sprintf(format, args...)})
}

func (r *row) set(col string, v any) { r.vals[r.t.pos[col]] = v }

// has reports whether the cell is non-empty, whatever its validity.
func (r *row) has(col string) bool { return r.cells[r.t.pos[col]] != "" }

// checkEncoding reports cells PostgreSQL would refuse as text (invalid
// UTF-8, NUL bytes), so that what parse accepts can always be copied.
func (r *row) checkEncoding() {
	for i, s := range r.cells {
		if !utf8.ValidString(s) {
			r.unsafe[i] = true
			r.fail(r.t.cols[i].name, "not valid UTF-8")
		} else if strings.IndexByte(s, 0) >= 0 {
			r.unsafe[i] = true
			r.fail(r.t.cols[i].name, "contains a NUL character")
		}
	}
}

// raw returns the cell for further checks: absent when empty and optional,
// invalid when empty and required (reported) or unsafe.
func (r *row) raw(col string) (string, state) {
	i := r.t.pos[col]
	if r.unsafe[i] {
		return "", invalid
	}
	s := r.cells[i]
	if s == "" {
		if r.t.cols[i].required {
			r.fail(col, "required")
			return "", invalid
		}
		return "", absent
	}
	return s, valid
}

// text stores free text as written (names, e-mails, tax ids: tax ids are
// checked by the run, which flags bad check digits but keeps the row).
func (r *row) text(col string) (string, state) {
	s, st := r.raw(col)
	if st == valid {
		r.set(col, s)
	}
	return s, st
}

// id stores an id (reconcile.ValidateID: ids become file names).
func (r *row) id(col string) (string, state) {
	s, st := r.raw(col)
	if st != valid {
		return s, st
	}
	if err := reconcile.ValidateID(s); err != nil {
		r.fail(col, "%v", err)
		return s, invalid
	}
	r.set(col, s)
	return s, valid
}

// boolean stores exactly "true" or "false"; empty is def.
func (r *row) boolean(col string, def bool) (bool, state) {
	s, st := r.raw(col)
	switch {
	case st == absent:
		r.set(col, def)
		return def, absent
	case st == invalid:
		return false, invalid
	case s == "true" || s == "false":
		r.set(col, s == "true")
		return s == "true", valid
	}
	r.fail(col, "%s is not true or false", quote(s))
	return false, invalid
}

// timestamp stores an RFC 3339 instant with offset, in UTC: PostgreSQL
// refuses offsets beyond ±15:59 that Go accepts, and the instant is what
// counts.
func (r *row) timestamp(col string) (time.Time, state) {
	s, st := r.raw(col)
	if st != valid {
		return time.Time{}, st
	}
	t, err := reconcile.ParseTimestamp(s)
	if err != nil {
		if _, numErr := strconv.ParseFloat(s, 64); numErr == nil {
			// What a spreadsheet's date cell holds: days since 1899-12-30,
			// in no particular zone.
			r.fail(col, "%v; a date cell of a spreadsheet is a number of days with no time zone: write the timestamp as text", err)
		} else {
			r.fail(col, "%v", err)
		}
		return time.Time{}, invalid
	}
	r.set(col, t.UTC())
	return t, valid
}

// rate stores a commission rate (0 < r < 100, at most 4 decimals) as
// written.
func (r *row) rate(col string) (reconcile.Rate, state) {
	s, st := r.raw(col)
	if st != valid {
		return 0, st
	}
	v, err := reconcile.ParseShareRate(s)
	if err != nil {
		r.fail(col, "%v", err)
		return 0, invalid
	}
	r.set(col, s)
	return v, valid
}

// amount reads a decimal in cur, or, when cur is nil (currency unknown
// here: bad, or a sale_events amount whose sale may be in the database),
// checks only that it is a plain decimal; the fraction digits are then
// checked elsewhere. The value is minor units of cur (nil: of the number's
// own fraction digits, only good for its sign). The staged value is the
// text as written: numeric keeps its scale, which the SQL checks read.
func (r *row) amount(col string, cur *reconcile.Currency) (int64, state) {
	s, st := r.raw(col)
	if st != valid {
		return 0, st
	}
	c := reconcile.Currency{Code: "?"}
	if cur != nil {
		c = *cur
	} else if _, frac, ok := strings.Cut(s, "."); ok {
		c.Minor = len(frac)
	}
	v, err := reconcile.ParseAmount(s, c)
	if err != nil {
		r.fail(col, "%v", err)
		return 0, invalid
	}
	if cur != nil {
		r.set(col, s)
	}
	return v, valid
}

// stageAmount stores an amount checked without its currency.
func (r *row) stageAmount(col string) { r.set(col, r.cells[r.t.pos[col]]) }

// currency stores a known ISO 4217 code.
func (r *row) currency(col string) (*reconcile.Currency, state) {
	s, st := r.raw(col)
	if st != valid {
		return nil, st
	}
	c, err := reconcile.LookupCurrency(s)
	if err != nil {
		r.fail(col, "%v", err)
		return nil, invalid
	}
	r.set(col, s)
	return &c, valid
}

// version stores a positive integer that fits PostgreSQL's integer.
func (r *row) version(col string) (int64, state) {
	s, st := r.raw(col)
	if st != valid {
		return 0, st
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil || n <= 0 || strings.TrimLeft(s, "0123456789") != "" {
		r.fail(col, "%s is not a positive integer", quote(s))
		return 0, invalid
	}
	r.set(col, n)
	return n, valid
}

// oneOf stores a value out of a fixed set, checked by parse.
func oneOf[T ~string](r *row, col string, parse func(string) (T, error)) (T, state) {
	s, st := r.raw(col)
	if st != valid {
		return "", st
	}
	v, err := parse(s)
	if err != nil {
		r.fail(col, "%v", err)
		return "", invalid
	}
	r.set(col, string(v))
	return v, valid
}
