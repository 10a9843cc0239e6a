package xlsx

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/xuri/excelize/v2"

	"payouts/reconcile"
)

// Style is a cell style of one book, as its methods hand it out (0: none).
// Styles are created on first use and numbered in creation order, and the
// order in which a workbook asks for styles depends only on its data, so
// the same data gives the same ids.
type Style int

// styles creates the cell styles of one workbook on first use and hands
// out their ids.
type styles struct {
	f      *excelize.File
	ids    map[string]int // by style key; looked up, never ranged over
	amount map[string]amountFormat
}

// amountFormat is how amounts of one currency are written.
type amountFormat struct {
	known bool // an ISO 4217 currency payouts knows; otherwise amounts are shown as they are
	cur   reconcile.Currency
}

func newStyles(f *excelize.File) *styles {
	return &styles{f: f, ids: map[string]int{}, amount: map[string]amountFormat{}}
}

var (
	headerFill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE3EA"}}
	totalFill  = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}
)

// style returns the id of the style key names, creating it from def the
// first time.
func (s *styles) style(key string, def func() *excelize.Style) (int, error) {
	if id, ok := s.ids[key]; ok {
		return id, nil
	}
	id, err := s.f.NewStyle(def())
	if err != nil {
		return 0, fmt.Errorf("workbook style %s: %w", key, err)
	}
	s.ids[key] = id
	return id, nil
}

// header is the style of a table's header row.
func (s *styles) header() (int, error) {
	return s.style("header", func() *excelize.Style {
		return &excelize.Style{Font: &excelize.Font{Bold: true}, Fill: headerFill,
			Border:    []excelize.Border{{Type: "bottom", Color: "7F8C99", Style: 1}},
			Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}
	})
}

func (s *styles) title() (int, error) {
	return s.style("title", func() *excelize.Style {
		return &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}
	})
}

func (s *styles) bold() (int, error) {
	return s.style("bold", func() *excelize.Style { return &excelize.Style{Font: &excelize.Font{Bold: true}} })
}

// totalLabel is the style of the label cells of a totals row.
func (s *styles) totalLabel() (int, error) {
	return s.style("total-label", func() *excelize.Style {
		return &excelize.Style{Font: &excelize.Font{Bold: true}, Fill: totalFill}
	})
}

// text is the style of text cells: plain, but "@" (text) so that what a
// person types into them later stays text too.
func (s *styles) text() (int, error) {
	return s.style("text", func() *excelize.Style { return &excelize.Style{NumFmt: 49} })
}

// count is an integer count: 1,234.
func (s *styles) count(total bool) (int, error) {
	return s.style(fmt.Sprintf("count/%v", total), func() *excelize.Style {
		st := &excelize.Style{NumFmt: 3}
		if total {
			st.Font, st.Fill = &excelize.Font{Bold: true}, totalFill
		}
		return st
	})
}

// countOf is a count with a unit after it ("3 sales"), for totals rows.
func (s *styles) countOf(unit string) (int, error) {
	return s.style("count-of/"+unit, func() *excelize.Style {
		f := `#,##0 "` + unit + `"`
		return &excelize.Style{CustomNumFmt: &f, Font: &excelize.Font{Bold: true}, Fill: totalFill}
	})
}

// rate is a percentage held as a fraction: 0.35 shows as 35.00%.
func (s *styles) rate() (int, error) {
	return s.style("rate", func() *excelize.Style {
		f := "0.00##%"
		return &excelize.Style{CustomNumFmt: &f}
	})
}

// date is a calendar date, yyyy-mm-dd whatever the reader's locale.
func (s *styles) date() (int, error) {
	return s.style("date", func() *excelize.Style {
		f := "yyyy-mm-dd"
		return &excelize.Style{CustomNumFmt: &f}
	})
}

// dateTime is a wall-clock time.
func (s *styles) dateTime() (int, error) {
	return s.style("datetime", func() *excelize.Style {
		f := "yyyy-mm-dd hh:mm:ss"
		return &excelize.Style{CustomNumFmt: &f}
	})
}

// money is the style of an amount in currency code: the currency's minor
// digits and its code (`#,##0.00 "BRL"`, `#,##0 "JPY"`,
// `#,##0.000 "KWD"`). A code payouts does not know (only possible on a
// sale held as INVALID_SALE) gets a general number format.
func (s *styles) money(code string, total bool) (int, error) {
	af := s.amountFormat(code)
	return s.style(fmt.Sprintf("money/%s/%v", code, total), func() *excelize.Style {
		st := &excelize.Style{}
		if af.known {
			f := moneyFormat(af.cur)
			st.CustomNumFmt = &f
		} else {
			f := "#,##0.##########"
			st.CustomNumFmt = &f
		}
		if total {
			st.Font, st.Fill = &excelize.Font{Bold: true}, totalFill
		}
		return st
	})
}

// moneyFormat is the number format of amounts in cur.
func moneyFormat(cur reconcile.Currency) string {
	digits := "#,##0"
	if cur.Minor > 0 {
		digits += "." + strings.Repeat("0", cur.Minor)
	}
	return digits + ` "` + cur.Code + `"`
}

func (s *styles) amountFormat(code string) amountFormat {
	if af, ok := s.amount[code]; ok {
		return af
	}
	cur, err := reconcile.LookupCurrency(code)
	af := amountFormat{known: err == nil, cur: cur}
	s.amount[code] = af
	return af
}

// moneyValue is minor units of code as the number a spreadsheet holds:
// 1230 BRL is 12.3. The division of two exactly representable numbers is
// correctly rounded, so the cell holds the double nearest the decimal
// amount (exact to the minor unit up to 2^53 minor units).
func moneyValue(minor int64, cur reconcile.Currency) float64 {
	return float64(minor) / math.Pow10(cur.Minor)
}

// currencyCode is what a currency may look like inside one of our
// formulas (a SUMIF criterion): three capital letters, nothing to escape.
var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// FormulaCurrency reports whether code can go into one of our formulas
// (a SUMIF criterion): three capital letters, nothing to escape. Amounts
// in other codes (a held sale's, unknown to payouts) get no live total.
func FormulaCurrency(code string) bool { return currencyCode.MatchString(code) }

// The styles of a book, created on first use. An error creating one is
// kept and returned by the next SetCells, Table.Add or Save.

// TitleStyle is a sheet's title: bold, 14 points.
func (b *Book) TitleStyle() Style { return b.keep(b.styles.title()) }

// BoldStyle is bold text (labels of our own).
func (b *Book) BoldStyle() Style { return b.keep(b.styles.bold()) }

// HeaderStyle is a header row: bold on a grey-blue fill, a bottom border,
// wrapped.
func (b *Book) HeaderStyle() Style { return b.keep(b.styles.header()) }

// MoneyStyle is the format of amounts in code (see Money).
func (b *Book) MoneyStyle(code string) Style { return b.keep(b.styles.money(code, false)) }

// MoneyTotalStyle is the style of a total of code: its format, bold, on
// the totals fill.
func (b *Book) MoneyTotalStyle(code string) Style { return b.keep(b.styles.money(code, true)) }

// CountStyle is a whole number: 1,234.
func (b *Book) CountStyle() Style { return b.keep(b.styles.count(false)) }

// CountTotalStyle is a count in a totals row.
func (b *Book) CountTotalStyle() Style { return b.keep(b.styles.count(true)) }

// CountOfStyle is a count of unit in a totals row ("3 sales").
func (b *Book) CountOfStyle(unit string) Style { return b.keep(b.styles.countOf(unit)) }
