package reports

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// A table is one list of a workbook (participants, discrepancies, ...)
// written row by row through excelize's StreamWriter, so that only one
// buffer of rows is in memory whatever its length. Its layout:
//
//	rows 1..k   one totals row per currency (live SUMIF formulas over the
//	            rows below), when the table has amounts
//	row k+1     blank
//	row k+2     the header, frozen, with an autofilter
//	row k+3...  the data
//
// A table that would pass the sheet's last row continues on a new sheet,
// "Name (2)", with the same layout; each sheet's totals cover its own rows
// and the Summary adds the sheets up.
//
// Memory: excelize's StreamWriter keeps up to 16 MiB of a sheet in a
// buffer (twice that while the buffer grows) and keeps every streamed
// sheet's buffer until the whole file is written: the lists of a run of a
// million sales held 110 MiB that way. So rows are streamed in chunks of
// chunkRows, each in a scratch workbook of its own whose sheet part is
// appended to the sheet's part (in memory up to 4 MiB, then in a
// temporary file) as soon as the chunk is done; the scratch
// workbook is then dropped, and one chunk is in memory at a time. The
// main workbook holds an empty sheet of the same name, whose part the
// saved archive replaces by the assembled one (see saveXLSX). Style ids
// are the main workbook's: a StreamWriter writes the ids it is given.

// xlsxColumn is a column of a table: its header and width (in characters).
type xlsxColumn struct {
	header string
	width  float64
}

// tableSpec describes a table.
type tableSpec struct {
	name    string
	columns []xlsxColumn
	curCol  int // 0-based column holding the currency, for the totals rows
	// totals returns the cells of the totals row of one currency; nil for a
	// table without totals.
	totals func(t totalsRow) ([]any, error)
}

// totalsRow is what a totals row's formulas need: the currency and the
// rows of data they cover on the sheet.
type totalsRow struct {
	cur         string
	curCol      int // 0-based column holding the currency
	first, last int // data rows, from the first to the sheet's last row
}

// sumIf is the SUMIF of column col (0-based) over the sheet's rows of the
// currency.
func (t totalsRow) sumIf(col int) excelize.Cell {
	c, cc := colName(col), colName(t.curCol)
	return excelize.Cell{Formula: fmt.Sprintf(`SUMIF($%s$%d:$%s$%d,"%s",%s$%d:%s$%d)`,
		cc, t.first, cc, t.last, t.cur, c, t.first, c, t.last)}
}

// countIf counts the sheet's rows of the currency.
func (t totalsRow) countIf() excelize.Cell {
	cc := colName(t.curCol)
	return excelize.Cell{Formula: fmt.Sprintf(`COUNTIF($%s$%d:$%s$%d,"%s")`, cc, t.first, cc, t.last, t.cur)}
}

// sheetPart is one sheet of a table and the rows of data it holds
// (last < first when none).
type sheetPart struct {
	name        string
	first, last int
}

// xlsxTable writes one table.
type xlsxTable struct {
	wb         *xlsxBook
	spec       tableSpec
	currencies []string // one totals row each, in this order
	parts      []sheetPart
	part       *spillBuffer   // the current sheet's part being assembled
	chunks     int            // chunks of the current sheet appended to part
	scratch    *excelize.File // the workbook the current chunk is streamed in
	sw         *excelize.StreamWriter
	chunkRows  int   // rows in the current chunk
	row        int   // last row written on the current sheet
	rows       int64 // data rows written, all sheets
}

// scratchSheet is the sheet a table's sheet is streamed into in its
// scratch workbook: a second sheet, so that it is not the selected one.
const scratchSheet = "Data"

// newTable starts a table; currencies are those it may hold (its totals
// rows), sorted. Codes that cannot go into a formula get no totals row.
func (b *xlsxBook) newTable(spec tableSpec, currencies []string) (*xlsxTable, error) {
	t := &xlsxTable{wb: b, spec: spec}
	b.tables = append(b.tables, t)
	if spec.totals != nil {
		for _, c := range currencies {
			if currencyCode.MatchString(c) {
				t.currencies = append(t.currencies, c)
			}
		}
	}
	if t.headerRow() >= b.maxRows {
		return nil, fmt.Errorf("workbook: sheet %s: a limit of %d rows leaves no room for data", spec.name, b.maxRows)
	}
	return t, t.startSheet()
}

// headerRow is the row of the header on every sheet of the table.
func (t *xlsxTable) headerRow() int {
	if len(t.currencies) == 0 {
		return 1
	}
	return len(t.currencies) + 2
}

func (t *xlsxTable) startSheet() error {
	name := t.spec.name
	if n := len(t.parts); n > 0 {
		name = fmt.Sprintf("%s (%d)", t.spec.name, n+1)
	}
	if len(name) > 31 {
		return fmt.Errorf("workbook: sheet name %q is longer than 31 characters", name)
	}
	if _, err := t.wb.f.NewSheet(name); err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", name, err)
	}
	path, err := sheetPath(t.wb.f, name)
	if err != nil {
		return err
	}
	t.part = &spillBuffer{dir: t.wb.tmpDir, limit: spillLimit}
	t.wb.parts[path] = t.part
	t.chunks, t.row = 0, 0
	h := t.headerRow()
	t.parts = append(t.parts, sheetPart{name: name, first: h + 1, last: h})
	if err := t.startChunk(); err != nil {
		return err
	}
	for i, cur := range t.currencies {
		cells, err := t.spec.totals(totalsRow{cur: cur, curCol: t.spec.curCol, first: h + 1, last: t.wb.maxRows})
		if err != nil {
			return err
		}
		if err := t.setRow(i+1, cells); err != nil {
			return err
		}
	}
	hs, err := t.wb.styles.header()
	if err != nil {
		return err
	}
	header := make([]any, len(t.spec.columns))
	for i, c := range t.spec.columns {
		header[i] = excelize.Cell{StyleID: hs, Value: c.header}
	}
	return t.setRow(h, header)
}

// startChunk starts a scratch workbook for the next rows of the sheet,
// with the sheet's columns and frozen panes.
func (t *xlsxTable) startChunk() error {
	name := t.parts[len(t.parts)-1].name
	t.scratch = excelize.NewFile(excelize.Options{TmpDir: t.wb.tmpDir})
	if _, err := t.scratch.NewSheet(scratchSheet); err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", name, err)
	}
	sw, err := t.scratch.NewStreamWriter(scratchSheet)
	if err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", name, err)
	}
	for i, c := range t.spec.columns {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return fmt.Errorf("workbook: sheet %s: %w", name, err)
		}
	}
	h := t.headerRow()
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: h, TopLeftCell: fmt.Sprintf("A%d", h+1),
		ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", name, err)
	}
	t.sw, t.chunkRows = sw, 0
	return nil
}

// finishChunk flushes the scratch workbook and appends its part to the
// sheet's: the part up to and including <sheetData> from the first chunk,
// the rows of every chunk, and the rest after </sheetData> (the
// autofilter, page setup) from the last one. Cell text is escaped XML, so
// those two tags appear once in a part, where excelize writes them.
func (t *xlsxTable) finishChunk(last bool) error {
	name := t.parts[len(t.parts)-1].name
	scratch := t.scratch
	t.scratch = nil
	defer scratch.Close()
	if err := t.sw.Flush(); err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", name, err)
	}
	from, err := sheetPath(scratch, scratchSheet)
	if err != nil {
		return err
	}
	body := &t.wb.chunk
	body.Reset()
	if err := extractPart(scratch, from, body); err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", name, err)
	}
	b := body.Bytes()
	open, end := bytes.Index(b, []byte(sheetDataOpen)), bytes.LastIndex(b, []byte(sheetDataClose))
	if open < 0 || end < open {
		return fmt.Errorf("workbook: sheet %s: streamed part has no %s...%s", name, sheetDataOpen, sheetDataClose)
	}
	from2, to := open+len(sheetDataOpen), end
	if t.chunks == 0 {
		from2 = 0
	}
	if last {
		to = len(b)
	}
	t.chunks++
	if _, err := t.part.Write(b[from2:to]); err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", name, err)
	}
	return nil
}

const (
	sheetDataOpen  = "<sheetData>"
	sheetDataClose = "</sheetData>"
)

func (t *xlsxTable) setRow(row int, cells []any) error {
	if t.chunkRows >= t.wb.chunkRows {
		if err := t.finishChunk(false); err != nil {
			return err
		}
		if err := t.startChunk(); err != nil {
			return err
		}
	}
	if err := t.sw.SetRow(fmt.Sprintf("A%d", row), cells); err != nil {
		return fmt.Errorf("workbook: sheet %s row %d: %w", t.parts[len(t.parts)-1].name, row, err)
	}
	t.row = row
	t.chunkRows++
	return nil
}

// add writes one row of data, continuing on a new sheet at the limit.
func (t *xlsxTable) add(cells []any) error {
	if t.row >= t.wb.maxRows {
		if err := t.finishSheet(); err != nil {
			return err
		}
		if err := t.startSheet(); err != nil {
			return err
		}
	}
	if err := t.setRow(t.row+1, cells); err != nil {
		return err
	}
	t.parts[len(t.parts)-1].last = t.row
	t.rows++
	return nil
}

// finishSheet sets the current sheet's autofilter and completes its part.
func (t *xlsxTable) finishSheet() error {
	p := t.parts[len(t.parts)-1]
	ref := fmt.Sprintf("A%d:%s%d", p.first-1, colName(len(t.spec.columns)-1), max(p.last, p.first-1))
	// The autofilter is an element of the sheet (in its part, from the
	// last chunk) and a defined name of the workbook (in the main one).
	if err := t.scratch.AutoFilter(scratchSheet, ref, nil); err != nil {
		return fmt.Errorf("workbook: sheet %s: autofilter: %w", p.name, err)
	}
	if err := t.wb.f.AutoFilter(p.name, ref, nil); err != nil {
		return fmt.Errorf("workbook: sheet %s: autofilter: %w", p.name, err)
	}
	return t.finishChunk(true)
}

// abort drops the sheet being streamed, if any.
func (t *xlsxTable) abort() {
	if t.scratch != nil {
		t.scratch.Close()
		t.scratch = nil
	}
}

// sheetPath is the part name of a sheet: excelize names the part of the
// sheet with id n xl/worksheets/sheet<n>.xml.
func sheetPath(f *excelize.File, name string) (string, error) {
	for id, n := range f.GetSheetMap() {
		if n == name {
			return fmt.Sprintf("xl/worksheets/sheet%d.xml", id), nil
		}
	}
	return "", fmt.Errorf("workbook: no sheet %s", name)
}

// close finishes the table's last sheet.
func (t *xlsxTable) close() error { return t.finishSheet() }

// sumOver is a formula adding, over every sheet of the table, the SUMIF
// of column col (0-based) over the rows whose column curCol holds cur.
func (t *xlsxTable) sumOver(curCol, col int, cur string) string {
	return t.over(func(p sheetPart) string {
		return fmt.Sprintf(`SUMIF(%s,"%s",%s)`, p.rangeOf(curCol), cur, p.rangeOf(col))
	})
}

// countOver counts the rows of cur over every sheet of the table.
func (t *xlsxTable) countOver(curCol int, cur string) string {
	return t.over(func(p sheetPart) string {
		return fmt.Sprintf(`COUNTIF(%s,"%s")`, p.rangeOf(curCol), cur)
	})
}

// countPositiveOver counts the rows of cur with a positive amount in col.
func (t *xlsxTable) countPositiveOver(curCol, col int, cur string) string {
	return t.over(func(p sheetPart) string {
		return fmt.Sprintf(`COUNTIFS(%s,"%s",%s,">0")`, p.rangeOf(curCol), cur, p.rangeOf(col))
	})
}

func (t *xlsxTable) over(term func(sheetPart) string) string {
	var terms []string
	for _, p := range t.parts {
		if p.last >= p.first {
			terms = append(terms, term(p))
		}
	}
	if len(terms) == 0 {
		return "0"
	}
	return strings.Join(terms, "+")
}

// rangeOf is the absolute reference to column col of the part's data.
func (p sheetPart) rangeOf(col int) string {
	c := colName(col)
	return fmt.Sprintf("%s!$%s$%d:$%s$%d", quoteSheet(p.name), c, p.first, c, p.last)
}

// quoteSheet quotes a sheet name for a formula reference.
func quoteSheet(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}

// colName is the letter(s) of a 0-based column: 0 is A, 26 is AA.
func colName(col int) string {
	name, err := excelize.ColumnNumberToName(col + 1)
	if err != nil {
		panic(err) // our own column numbers, always in range
	}
	return name
}

// nextRow is the row the next add writes on the current sheet (for a
// formula over that row; small tables only: at a sheet's limit the row
// moves to the next sheet).
func (t *xlsxTable) nextRow() int { return t.row + 1 }
