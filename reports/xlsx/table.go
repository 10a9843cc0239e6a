package xlsx

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// A Table is one list of a workbook (participants, discrepancies, ...)
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
// sheet's buffer until the file is closed (W3a in doc.go), and excelize
// builds the whole archive in memory before writing it (W3b): the lists
// of a run of a million sales held 110 MiB that way. So rows are
// streamed in chunks of Options.ChunkRows, each in a scratch workbook of
// its own whose sheet part is appended to the sheet's part (in memory up
// to 4 MiB, then in a temporary file) as soon as the chunk is done; the
// scratch workbook is then dropped, and one chunk is in memory at a time.
// The main workbook holds an empty sheet of the same name, whose part the
// saved archive replaces by the assembled one (see saveXLSX). Style ids
// are the main workbook's: a StreamWriter writes the ids it is given.

// Column is a column of a table: its header and width (in characters).
type Column struct {
	Header string
	Width  float64
}

// TableSpec describes a table.
type TableSpec struct {
	Name    string
	Columns []Column
	CurCol  int // 0-based column holding the currency, for the totals rows
	// Totals returns the cells of the totals row of one currency; nil for a
	// table without totals.
	Totals func(t TotalsRow) ([]Cell, error)
}

// TotalsRow is what a totals row's formulas need: the currency and the
// rows of data they cover on the sheet.
type TotalsRow struct {
	Cur         string
	CurCol      int // 0-based column holding the currency
	First, Last int // data rows, from the first to the sheet's last row
}

// SumIf is the SUMIF of column col (0-based) over the sheet's rows of the
// currency.
func (t TotalsRow) SumIf(col int) string {
	c, cc := ColName(col), ColName(t.CurCol)
	return fmt.Sprintf(`SUMIF($%s$%d:$%s$%d,"%s",%s$%d:%s$%d)`, cc, t.First, cc, t.Last, t.Cur, c, t.First, c, t.Last)
}

// CountIf counts the sheet's rows of the currency.
func (t TotalsRow) CountIf() string {
	cc := ColName(t.CurCol)
	return fmt.Sprintf(`COUNTIF($%s$%d:$%s$%d,"%s")`, cc, t.First, cc, t.Last, t.Cur)
}

// SheetPart is one sheet of a table and the rows of data it holds
// (Last < First when none).
type SheetPart struct {
	Name        string
	First, Last int
}

// Table writes one table.
type Table struct {
	wb         *Book
	spec       TableSpec
	currencies []string // one totals row each, in this order
	parts      []SheetPart
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

// NewTable starts a table; currencies are those it may hold (its totals
// rows), sorted. Codes that cannot go into a formula get no totals row.
func (b *Book) NewTable(spec TableSpec, currencies []string) (*Table, error) {
	if b.opts.AllMinorDigits {
		return nil, fmt.Errorf("workbook: sheet %s: a table cannot write amounts with all their minor digits", spec.Name)
	}
	t := &Table{wb: b, spec: spec}
	b.tables = append(b.tables, t)
	if spec.Totals != nil {
		for _, c := range currencies {
			if FormulaCurrency(c) {
				t.currencies = append(t.currencies, c)
			}
		}
	}
	if t.headerRow() >= b.maxRows {
		return nil, fmt.Errorf("workbook: sheet %s: a limit of %d rows leaves no room for data", spec.Name, b.maxRows)
	}
	return t, t.startSheet()
}

// headerRow is the row of the header on every sheet of the table.
func (t *Table) headerRow() int {
	if len(t.currencies) == 0 {
		return 1
	}
	return len(t.currencies) + 2
}

func (t *Table) startSheet() error {
	name := t.spec.Name
	if n := len(t.parts); n > 0 {
		name = fmt.Sprintf("%s (%d)", t.spec.Name, n+1)
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
	t.part = &spillBuffer{dir: t.wb.opts.TmpDir, limit: spillLimit}
	t.wb.parts[path] = t.part
	t.chunks, t.row = 0, 0
	h := t.headerRow()
	t.parts = append(t.parts, SheetPart{Name: name, First: h + 1, Last: h})
	if err := t.startChunk(); err != nil {
		return err
	}
	for i, cur := range t.currencies {
		cells, err := t.spec.Totals(TotalsRow{Cur: cur, CurCol: t.spec.CurCol, First: h + 1, Last: t.wb.maxRows})
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
	header := make([]Cell, len(t.spec.Columns))
	for i, c := range t.spec.Columns {
		header[i] = String(c.Header, Style(hs))
	}
	return t.setRow(h, header)
}

// startChunk starts a scratch workbook for the next rows of the sheet,
// with the sheet's columns and frozen panes.
func (t *Table) startChunk() error {
	name := t.parts[len(t.parts)-1].Name
	t.scratch = excelize.NewFile(excelize.Options{TmpDir: t.wb.opts.TmpDir})
	if _, err := t.scratch.NewSheet(scratchSheet); err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", name, err)
	}
	sw, err := t.scratch.NewStreamWriter(scratchSheet)
	if err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", name, err)
	}
	for i, c := range t.spec.Columns {
		if err := sw.SetColWidth(i+1, i+1, c.Width); err != nil {
			return fmt.Errorf("workbook: sheet %s: %w", name, err)
		}
	}
	if err := sw.SetPanes(freezePanes(0, t.headerRow())); err != nil {
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
func (t *Table) finishChunk(last bool) error {
	name := t.parts[len(t.parts)-1].Name
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

func (t *Table) setRow(row int, cells []Cell) error {
	if t.chunkRows >= t.wb.opts.ChunkRows {
		if err := t.finishChunk(false); err != nil {
			return err
		}
		if err := t.startChunk(); err != nil {
			return err
		}
	}
	name := t.parts[len(t.parts)-1].Name
	values := make([]any, len(cells))
	for i, c := range cells {
		v, ok := c.excelize()
		if !ok {
			return fmt.Errorf("workbook: sheet %s row %d: a number with a fixed number of digits cannot be streamed", name, row)
		}
		values[i] = v
	}
	if err := t.sw.SetRow(fmt.Sprintf("A%d", row), values); err != nil {
		return fmt.Errorf("workbook: sheet %s row %d: %w", name, row, err)
	}
	t.row = row
	t.chunkRows++
	return nil
}

// Add writes one row of data, continuing on a new sheet at the limit.
func (t *Table) Add(cells ...Cell) error {
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
	t.parts[len(t.parts)-1].Last = t.row
	t.rows++
	return nil
}

// Rows is the number of data rows written, over all the table's sheets.
func (t *Table) Rows() int64 { return t.rows }

// finishSheet sets the current sheet's autofilter and completes its part.
func (t *Table) finishSheet() error {
	p := t.parts[len(t.parts)-1]
	ref := fmt.Sprintf("A%d:%s%d", p.First-1, ColName(len(t.spec.Columns)-1), max(p.Last, p.First-1))
	// The autofilter is an element of the sheet (in its part, from the
	// last chunk) and a defined name of the workbook (in the main one).
	if err := t.scratch.AutoFilter(scratchSheet, ref, nil); err != nil {
		return fmt.Errorf("workbook: sheet %s: autofilter: %w", p.Name, err)
	}
	if err := t.wb.f.AutoFilter(p.Name, ref, nil); err != nil {
		return fmt.Errorf("workbook: sheet %s: autofilter: %w", p.Name, err)
	}
	return t.finishChunk(true)
}

// abort drops the sheet being streamed, if any.
func (t *Table) abort() {
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

// Close finishes the table's last sheet.
func (t *Table) Close() error { return t.finishSheet() }

// SumOver is a formula adding, over every sheet of the table, the SUMIF
// of column col (0-based) over the rows whose column curCol holds cur.
func (t *Table) SumOver(curCol, col int, cur string) string {
	return t.Over(func(p SheetPart) string {
		return fmt.Sprintf(`SUMIF(%s,"%s",%s)`, p.RangeOf(curCol), cur, p.RangeOf(col))
	})
}

// CountOver counts the rows of cur over every sheet of the table.
func (t *Table) CountOver(curCol int, cur string) string {
	return t.Over(func(p SheetPart) string {
		return fmt.Sprintf(`COUNTIF(%s,"%s")`, p.RangeOf(curCol), cur)
	})
}

// CountPositiveOver counts the rows of cur with a positive amount in col.
func (t *Table) CountPositiveOver(curCol, col int, cur string) string {
	return t.Over(func(p SheetPart) string {
		return fmt.Sprintf(`COUNTIFS(%s,"%s",%s,">0")`, p.RangeOf(curCol), cur, p.RangeOf(col))
	})
}

// Over joins with + the terms of the table's sheets that hold data ("0"
// when none does).
func (t *Table) Over(term func(SheetPart) string) string {
	var terms []string
	for _, p := range t.parts {
		if p.Last >= p.First {
			terms = append(terms, term(p))
		}
	}
	if len(terms) == 0 {
		return "0"
	}
	return strings.Join(terms, "+")
}

// RangeOf is the absolute reference to column col of the part's data.
func (p SheetPart) RangeOf(col int) string {
	c := ColName(col)
	return fmt.Sprintf("%s!$%s$%d:$%s$%d", QuoteSheet(p.Name), c, p.First, c, p.Last)
}

// QuoteSheet quotes a sheet name for a formula reference.
func QuoteSheet(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}

// NextRow is the row the next Add writes on the current sheet (for a
// formula over that row; small tables only: at a sheet's limit the row
// moves to the next sheet).
func (t *Table) NextRow() int { return t.row + 1 }
