package reports

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"payouts/reconcile"
)

// xlsxBook is a workbook being written: the excelize file, its styles,
// the row limit of a sheet and the instant its properties carry.
type xlsxBook struct {
	f       *excelize.File
	styles  *xlsxStyles
	maxRows int
	stamp   time.Time
	tmpDir  string                  // temporary files ("": the system's)
	parts   map[string]*spillBuffer // streamed sheets' parts, by part name (see xlsxTable)
	tables  []*xlsxTable
	// chunkRows is how many rows a sheet streams in one scratch workbook
	// (see xlsxTable): a few hundred KiB of sheet XML.
	chunkRows int
	chunk     bytes.Buffer // a chunk's part, reused
	err       error        // the first error of a cell helper; checked when rows are written
}

// defaultChunkRows is the chunk of rows streamed at a time.
const defaultChunkRows = 2000

// newXLSXBook starts a workbook whose first sheet is named first. stamp
// is the instant the document says it was created and modified (never the
// wall clock: the same data must give the same bytes); maxRows is the last
// row a sheet may use (0: Excel's 1,048,576); temporary files go to tmpDir.
func newXLSXBook(first string, maxRows int, stamp time.Time, title, subject, tmpDir string) (*xlsxBook, error) {
	if maxRows <= 0 {
		maxRows = excelize.TotalRows
	}
	f := excelize.NewFile(excelize.Options{TmpDir: tmpDir})
	b := &xlsxBook{f: f, styles: newXLSXStyles(f), maxRows: min(maxRows, excelize.TotalRows), stamp: stamp,
		tmpDir: tmpDir, parts: map[string]*spillBuffer{}, chunkRows: defaultChunkRows}
	if err := f.SetSheetName("Sheet1", first); err != nil {
		return nil, fmt.Errorf("workbook: %w", err)
	}
	w3c := stamp.UTC().Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{Title: title, Subject: subject, Creator: "payouts",
		LastModifiedBy: "payouts", Created: w3c, Modified: w3c, Language: "en-US"}); err != nil {
		return nil, fmt.Errorf("workbook: %w", err)
	}
	// Ask spreadsheet applications to compute every formula on opening:
	// excelize writes formulas without cached results.
	full := true
	if err := f.SetCalcProps(&excelize.CalcPropsOptions{FullCalcOnLoad: &full}); err != nil {
		return nil, fmt.Errorf("workbook: %w", err)
	}
	return b, nil
}

// save writes the workbook to w (see saveXLSX) and releases the
// temporary files.
func (b *xlsxBook) save(w io.Writer) error {
	defer b.close()
	if b.err != nil {
		return b.err
	}
	return saveXLSX(b.f, w, b.stamp, b.parts)
}

// close releases the temporary files (of a workbook saved or not).
func (b *xlsxBook) close() {
	for _, t := range b.tables {
		t.abort()
	}
	for name, p := range b.parts {
		p.release()
		delete(b.parts, name)
	}
	b.f.Close()
}

func (b *xlsxBook) keep(id int, err error) int {
	if err != nil && b.err == nil {
		b.err = err
	}
	return id
}

// text is a text cell. Text from the data always goes through here: an
// inline string is text to every spreadsheet application whatever it
// starts with (=, +, -, @), and never a formula. Empty text is an empty
// cell.
func (b *xlsxBook) text(s string) any {
	if s == "" {
		return nil
	}
	return excelize.Cell{StyleID: b.keep(b.styles.text()), Value: s}
}

// label is a bold text cell of our own.
func (b *xlsxBook) label(s string) excelize.Cell {
	return excelize.Cell{StyleID: b.keep(b.styles.totalLabel()), Value: s}
}

// money is an amount of minor units in currency code, as a number with
// the currency's format.
func (b *xlsxBook) money(minor int64, code string) excelize.Cell {
	af := b.styles.amountFormat(code)
	if !af.known {
		return excelize.Cell{StyleID: b.keep(b.styles.money(code, false)), Value: float64(minor)}
	}
	return excelize.Cell{StyleID: b.keep(b.styles.money(code, false)), Value: moneyValue(minor, af.cur)}
}

// decimalMoney is an amount written by the platform as decimal text (a
// held sale's gross: it may not fit its currency, which may be unknown).
// It is a number whenever it is a finite one, shown with the currency's
// format when the amount fits it; anything else the platform wrote there
// (NaN, Infinity: the reason the sale is held) is shown as text, so that
// a held sale's recorded values can never stop a publication.
func (b *xlsxBook) decimalMoney(s, code string) any {
	if af := b.styles.amountFormat(code); af.known {
		if v, err := reconcile.ParseAmount(trimFraction(s), af.cur); err == nil {
			return b.money(v, code)
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return b.text(s)
	}
	return excelize.Cell{StyleID: b.keep(b.styles.money(code, false)), Value: v}
}

// trimFraction drops trailing zeros of a decimal's fraction ("9800.00"
// is 9800), as the run reads amounts written straight into the tables.
func trimFraction(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// count is a whole number (a count of sales, lines, items).
func (b *xlsxBook) count(n int64) excelize.Cell {
	return excelize.Cell{StyleID: b.keep(b.styles.count(false)), Value: n}
}

// rate is a percentage, held as a fraction (35% is 0.35) with a percent
// format; no rate is an empty cell.
func (b *xlsxBook) rate(r reconcile.Rate) any {
	if r == 0 {
		return nil
	}
	return excelize.Cell{StyleID: b.keep(b.styles.rate()), Value: float64(r) / float64(reconcile.RateHundred)}
}

// date is a calendar date cell ("2026-03-03"); a value that is not a date
// stays text.
func (b *xlsxBook) date(s string) excelize.Cell {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return excelize.Cell{StyleID: b.keep(b.styles.text()), Value: s}
	}
	return excelize.Cell{StyleID: b.keep(b.styles.date()), Value: t}
}

// dateTime is the wall-clock time of t in loc (spreadsheets have no
// zones); a zero time is an empty cell.
func (b *xlsxBook) dateTime(t time.Time, loc *time.Location) any {
	if t.IsZero() {
		return nil
	}
	wall := t.In(loc)
	return excelize.Cell{StyleID: b.keep(b.styles.dateTime()),
		Value: time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), time.UTC)}
}

// formula is one of our own formulas in a cell of style id.
func formula(f string, style int) excelize.Cell { return excelize.Cell{StyleID: style, Formula: f} }

// moneyTotal is the style of a total of code.
func (b *xlsxBook) moneyTotal(code string) int { return b.keep(b.styles.money(code, true)) }

// countTotal is the style of a count in a totals row.
func (b *xlsxBook) countTotal() int { return b.keep(b.styles.count(true)) }

// countOf is the style of a count of unit in a totals row ("3 sales").
func (b *xlsxBook) countOf(unit string) int { return b.keep(b.styles.countOf(unit)) }

// setCells writes cells of a normal (not streamed) sheet, from cell ref
// rightwards; nil leaves a cell empty.
func (b *xlsxBook) setCells(sheet string, col, row int, cells ...any) error {
	for i, v := range cells {
		if v == nil {
			continue
		}
		ref, err := excelize.CoordinatesToCellName(col+i, row)
		if err != nil {
			return err
		}
		c, ok := v.(excelize.Cell)
		if !ok {
			return fmt.Errorf("workbook: %s!%s: not a cell: %T", sheet, ref, v)
		}
		if c.Formula != "" {
			err = b.f.SetCellFormula(sheet, ref, c.Formula)
		} else {
			switch x := c.Value.(type) {
			case string:
				err = b.f.SetCellStr(sheet, ref, x) // text, never a formula
			default:
				err = b.f.SetCellValue(sheet, ref, x)
			}
		}
		if err == nil && c.StyleID != 0 {
			err = b.f.SetCellStyle(sheet, ref, ref, c.StyleID)
		}
		if err != nil {
			return fmt.Errorf("workbook: %s!%s: %w", sheet, ref, err)
		}
	}
	return b.err
}
