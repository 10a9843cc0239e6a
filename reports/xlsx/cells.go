package xlsx

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"payouts/reconcile"
)

// Cell is the content of one cell: text, a number, a date or one of our
// formulas, with its style. The zero Cell is an empty cell.
type Cell struct {
	value   any // string, int64, float64 or time.Time; nil with no formula: empty
	formula string
	style   Style
	digits  int // a float64's digits after the point plus one; 0: the shortest form
}

// Empty reports whether c is an empty cell.
func (c Cell) Empty() bool { return c.value == nil && c.formula == "" }

// excelize is the cell as the stream writer takes it (nil: empty).
func (c Cell) excelize() (any, bool) {
	if c.Empty() {
		return nil, true
	}
	if c.digits > 0 {
		return nil, false // the stream writer has no precision for numbers
	}
	return excelize.Cell{StyleID: int(c.style), Value: c.value, Formula: c.formula}, true
}

// String is text in style st, whatever it holds: written as a string,
// never as a formula, even when it starts with =, +, - or @. Empty text is
// still written, as an empty string.
func String(s string, st Style) Cell { return Cell{value: s, style: st} }

// Int is a whole number in style st.
func Int(n int64, st Style) Cell { return Cell{value: n, style: st} }

// Formula is one of our own formulas (never text from the data) in style
// st. It has no cached result (W4).
func Formula(f string, st Style) Cell { return Cell{formula: f, style: st} }

// Text is a text cell of the data. It always goes through here: a string
// cell is text to every spreadsheet application whatever it starts with
// (=, +, -, @), and never a formula; its format is text ("@"), so that
// what a person types into it later stays text too. Empty text is an
// empty cell.
func (b *Book) Text(s string) Cell {
	if s == "" {
		return Cell{}
	}
	return Cell{value: s, style: b.keep(b.styles.text())}
}

// TotalLabel is a label of a totals row: bold on the totals fill.
func (b *Book) TotalLabel(s string) Cell {
	return Cell{value: s, style: b.keep(b.styles.totalLabel())}
}

// Money is an amount of minor units in currency code, as a number with
// the currency's format (MoneyStyle): 1230 BRL is the number 12.3 shown
// "12.30 BRL". In a code payouts does not know, the number of minor units
// as it is, with a general format.
func (b *Book) Money(minor int64, code string) Cell {
	st := b.keep(b.styles.money(code, false))
	af := b.styles.amountFormat(code)
	if !af.known {
		return Cell{value: float64(minor), style: st}
	}
	c := Cell{value: moneyValue(minor, af.cur), style: st}
	if b.opts.AllMinorDigits {
		c.digits = af.cur.Minor + 1
	}
	return c
}

// ParsedMoney is an amount written as decimal text s (trailing zeros of
// its fraction ignored: "9800.00" is 9800) as a Money cell, when code is
// a currency payouts knows and s an amount of it; ok is false otherwise.
func (b *Book) ParsedMoney(s, code string) (c Cell, ok bool) {
	af := b.styles.amountFormat(code)
	if !af.known {
		return Cell{}, false
	}
	v, err := reconcile.ParseAmount(trimFraction(s), af.cur)
	if err != nil {
		return Cell{}, false
	}
	return b.Money(v, code), true
}

// DecimalMoney is an amount written by the platform as decimal text (a
// held sale's gross: it may not fit its currency, which may be unknown).
// It is a number whenever it is a finite one, shown with the currency's
// format when the amount fits it; anything else the platform wrote there
// (NaN, Infinity: the reason the sale is held) is shown as text, so that
// a held sale's recorded values can never stop a publication.
func (b *Book) DecimalMoney(s, code string) Cell {
	if c, ok := b.ParsedMoney(s, code); ok {
		return c
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return b.Text(s)
	}
	return Cell{value: v, style: b.keep(b.styles.money(code, false))}
}

// trimFraction drops trailing zeros of a decimal's fraction ("9800.00"
// is 9800), as the run reads amounts written straight into the tables.
func trimFraction(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// Count is a whole number (a count of sales, lines, items): 1,234.
func (b *Book) Count(n int64) Cell { return Int(n, b.CountStyle()) }

// Rate is a percentage, held as a fraction (35% is 0.35) with a percent
// format (0.00##%); no rate is an empty cell.
func (b *Book) Rate(r reconcile.Rate) Cell {
	if r == 0 {
		return Cell{}
	}
	return Cell{value: float64(r) / float64(reconcile.RateHundred), style: b.keep(b.styles.rate())}
}

// Date is a calendar date cell ("2026-03-03", shown yyyy-mm-dd); a value
// that is not a date stays text.
func (b *Book) Date(s string) Cell {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Cell{value: s, style: b.keep(b.styles.text())}
	}
	return Cell{value: t, style: b.keep(b.styles.date())}
}

// DateTime is the wall-clock time of t in loc (yyyy-mm-dd hh:mm:ss), as
// a time in UTC with that wall clock (spreadsheets have no zones); a zero
// time is an empty cell.
func (b *Book) DateTime(t time.Time, loc *time.Location) Cell {
	if t.IsZero() {
		return Cell{}
	}
	wall := t.In(loc)
	return Cell{value: time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(),
		wall.Nanosecond(), time.UTC), style: b.keep(b.styles.dateTime())}
}
