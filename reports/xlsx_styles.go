package reports

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/xuri/excelize/v2"

	"payouts/reconcile"
)

// xlsxStyles creates the cell styles of one workbook on first use and
// hands out their ids. Ids are numbered in creation order, and the order
// in which a workbook asks for styles depends only on its data, so the
// same data gives the same ids.
type xlsxStyles struct {
	f      *excelize.File
	ids    map[string]int // by style key; looked up, never ranged over
	amount map[string]amountFormat
}

// amountFormat is how amounts of one currency are written.
type amountFormat struct {
	known bool // an ISO 4217 currency payouts knows; otherwise amounts are shown as they are
	cur   reconcile.Currency
}

func newXLSXStyles(f *excelize.File) *xlsxStyles {
	return &xlsxStyles{f: f, ids: map[string]int{}, amount: map[string]amountFormat{}}
}

var (
	headerFill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE3EA"}}
	totalFill  = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}
)

// style returns the id of the style key names, creating it from def the
// first time.
func (s *xlsxStyles) style(key string, def func() *excelize.Style) (int, error) {
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

func (s *xlsxStyles) header() (int, error) {
	return s.style("header", func() *excelize.Style {
		return &excelize.Style{Font: &excelize.Font{Bold: true}, Fill: headerFill,
			Border:    []excelize.Border{{Type: "bottom", Color: "7F8C99", Style: 1}},
			Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}
	})
}

func (s *xlsxStyles) title() (int, error) {
	return s.style("title", func() *excelize.Style {
		return &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}
	})
}

func (s *xlsxStyles) bold() (int, error) {
	return s.style("bold", func() *excelize.Style { return &excelize.Style{Font: &excelize.Font{Bold: true}} })
}

// totalLabel is the style of the label cells of a totals row.
func (s *xlsxStyles) totalLabel() (int, error) {
	return s.style("total-label", func() *excelize.Style {
		return &excelize.Style{Font: &excelize.Font{Bold: true}, Fill: totalFill}
	})
}

// text is the style of text cells: plain, but "@" (text) so that what a
// person types into them later stays text too.
func (s *xlsxStyles) text() (int, error) {
	return s.style("text", func() *excelize.Style { return &excelize.Style{NumFmt: 49} })
}

// count is an integer count: 1,234.
func (s *xlsxStyles) count(total bool) (int, error) {
	return s.style(fmt.Sprintf("count/%v", total), func() *excelize.Style {
		st := &excelize.Style{NumFmt: 3}
		if total {
			st.Font, st.Fill = &excelize.Font{Bold: true}, totalFill
		}
		return st
	})
}

// countOf is a count with a unit after it ("3 sales"), for totals rows.
func (s *xlsxStyles) countOf(unit string) (int, error) {
	return s.style("count-of/"+unit, func() *excelize.Style {
		f := `#,##0 "` + unit + `"`
		return &excelize.Style{CustomNumFmt: &f, Font: &excelize.Font{Bold: true}, Fill: totalFill}
	})
}

// rate is a percentage held as a fraction: 0.35 shows as 35.00%.
func (s *xlsxStyles) rate() (int, error) {
	return s.style("rate", func() *excelize.Style {
		f := "0.00##%"
		return &excelize.Style{CustomNumFmt: &f}
	})
}

// date is a calendar date, yyyy-mm-dd whatever the reader's locale.
func (s *xlsxStyles) date() (int, error) {
	return s.style("date", func() *excelize.Style {
		f := "yyyy-mm-dd"
		return &excelize.Style{CustomNumFmt: &f}
	})
}

// dateTime is a wall-clock time in the run's platform zone.
func (s *xlsxStyles) dateTime() (int, error) {
	return s.style("datetime", func() *excelize.Style {
		f := "yyyy-mm-dd hh:mm:ss"
		return &excelize.Style{CustomNumFmt: &f}
	})
}

// money is the style of an amount in currency code: the currency's minor
// digits and its code (`#,##0.00 "BRL"`, `#,##0 "JPY"`,
// `#,##0.000 "KWD"`). A code payouts does not know (only possible on a
// sale held as INVALID_SALE) gets a general number format.
func (s *xlsxStyles) money(code string, total bool) (int, error) {
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

func (s *xlsxStyles) amountFormat(code string) amountFormat {
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
