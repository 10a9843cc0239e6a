package xlsx

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// Options describe a new book.
type Options struct {
	// FirstSheet is the name of the book's first sheet.
	FirstSheet string
	// MaxRows is the last row a sheet may use; 0 is Excel's 1,048,576.
	// Tables continue on a new sheet past it.
	MaxRows int
	// TmpDir is where temporary files go ("": the system's). A published
	// file's own directory, so that a failed publication cleans them up.
	TmpDir string
	// Properties are the document's title, subject and date; nil leaves
	// excelize's template (the tax report has always had those).
	Properties *Properties
	// RecalcOnOpen asks spreadsheet applications to compute every formula
	// on opening (fullCalcOnLoad): excelize writes formulas without their
	// results (workaround W4 in doc.go).
	RecalcOnOpen bool
	// AllMinorDigits writes amounts with every minor digit of their
	// currency ("197.00" rather than "197"). The number is the same; the
	// tax report has always been written so. Sheets only, not tables: the
	// stream writer writes the shortest form.
	AllMinorDigits bool
	// ChunkRows is how many rows a table streams at a time (see Table);
	// 0 is DefaultChunkRows.
	ChunkRows int
}

// Properties are a document's properties.
type Properties struct {
	Title, Subject string
	// Stamp is the instant the document says it was created and modified,
	// and the time of every entry of its archive when the archive is
	// packed again (see Save). Never the wall clock: the same data must
	// give the same bytes.
	Stamp time.Time
}

// DefaultChunkRows is the chunk of rows a table streams at a time: a few
// hundred KiB of sheet XML.
const DefaultChunkRows = 2000

// Book is a workbook being written: its sheets, tables and styles. Cells
// are built by its methods (which create the styles they need, in the
// order they are asked for) and written with SetCells or Table.Add.
// Errors of the cell helpers are kept and returned by the next write.
type Book struct {
	f        *excelize.File
	styles   *styles
	opts     Options
	maxRows  int
	stamp    time.Time
	parts    map[string]*spillBuffer // streamed sheets' parts, by part name (see Table)
	tables   []*Table
	drawings bool         // a chart was added: [Content_Types].xml lists image types in map order (W2)
	chunk    bytes.Buffer // a chunk's part, reused
	err      error        // the first error of a cell or style helper
}

// New starts a book whose first sheet is opts.FirstSheet.
func New(opts Options) (*Book, error) {
	maxRows := opts.MaxRows
	if maxRows <= 0 {
		maxRows = excelize.TotalRows
	}
	if opts.ChunkRows <= 0 {
		opts.ChunkRows = DefaultChunkRows
	}
	f := excelize.NewFile(excelize.Options{TmpDir: opts.TmpDir})
	b := &Book{f: f, styles: newStyles(f), opts: opts, maxRows: min(maxRows, excelize.TotalRows),
		parts: map[string]*spillBuffer{}}
	if err := f.SetSheetName("Sheet1", opts.FirstSheet); err != nil {
		f.Close()
		return nil, fmt.Errorf("workbook: %w", err)
	}
	if p := opts.Properties; p != nil {
		b.stamp = p.Stamp
		w3c := p.Stamp.UTC().Format(time.RFC3339)
		if err := f.SetDocProps(&excelize.DocProperties{Title: p.Title, Subject: p.Subject, Creator: "payouts",
			LastModifiedBy: "payouts", Created: w3c, Modified: w3c, Language: "en-US"}); err != nil {
			f.Close()
			return nil, fmt.Errorf("workbook: %w", err)
		}
	}
	if opts.RecalcOnOpen {
		full := true
		if err := f.SetCalcProps(&excelize.CalcPropsOptions{FullCalcOnLoad: &full}); err != nil {
			f.Close()
			return nil, fmt.Errorf("workbook: %w", err)
		}
	}
	return b, nil
}

// NewSheet adds a sheet after the others.
func (b *Book) NewSheet(name string) error {
	if _, err := b.f.NewSheet(name); err != nil {
		return fmt.Errorf("workbook: sheet %s: %w", name, err)
	}
	return nil
}

// Err is the first error of a cell or style helper, if any.
func (b *Book) Err() error { return b.err }

func (b *Book) keep(id int, err error) Style {
	if err != nil && b.err == nil {
		b.err = err
	}
	return Style(id)
}

// Save writes the book to w and releases its temporary files. When
// excelize's own archive would not be the same for the same book (it has
// tables, which are streamed sheets: W1; or a chart: W2), the archive is
// packed again (see saveXLSX), its entries in name order and stamped with
// Properties.Stamp; otherwise it is written as excelize writes it.
func (b *Book) Save(w io.Writer) error {
	defer b.Close()
	if b.err != nil {
		return b.err
	}
	if len(b.parts) == 0 && !b.drawings {
		if err := b.f.Write(w); err != nil {
			return fmt.Errorf("workbook: %w", err)
		}
		return nil
	}
	return saveXLSX(b.f, w, b.stamp, b.parts)
}

// Close releases the temporary files of a book, saved or not.
func (b *Book) Close() {
	for _, t := range b.tables {
		t.abort()
	}
	for name, p := range b.parts {
		p.release()
		delete(b.parts, name)
	}
	b.f.Close()
}

// SetCells writes cells of a sheet (not a table's) from column col, row
// row (both from 1) rightwards; an empty Cell leaves its cell alone.
func (b *Book) SetCells(sheet string, col, row int, cells ...Cell) error {
	for i, c := range cells {
		if c.Empty() {
			continue
		}
		ref, err := excelize.CoordinatesToCellName(col+i, row)
		if err != nil {
			return err
		}
		if c.formula != "" {
			err = b.f.SetCellFormula(sheet, ref, c.formula)
		} else {
			switch x := c.value.(type) {
			case string:
				err = b.f.SetCellStr(sheet, ref, x) // text, never a formula
			case float64:
				if c.digits > 0 {
					err = b.f.SetCellFloat(sheet, ref, x, c.digits-1, 64)
				} else {
					err = b.f.SetCellValue(sheet, ref, x)
				}
			default:
				err = b.f.SetCellValue(sheet, ref, x)
			}
		}
		if err == nil && c.style != 0 {
			err = b.f.SetCellStyle(sheet, ref, ref, int(c.style))
		}
		if err != nil {
			return fmt.Errorf("workbook: %s!%s: %w", sheet, ref, err)
		}
	}
	return b.err
}

// SetColWidth sets the width (in characters) of the columns first..last
// (0-based) of a sheet.
func (b *Book) SetColWidth(sheet string, first, last int, width float64) error {
	return b.f.SetColWidth(sheet, ColName(first), ColName(last), width)
}

// Freeze freezes the first cols columns and rows rows of a sheet.
func (b *Book) Freeze(sheet string, cols, rows int) error {
	return b.f.SetPanes(sheet, freezePanes(cols, rows))
}

// freezePanes are the panes that freeze cols columns and rows rows.
func freezePanes(cols, rows int) *excelize.Panes {
	pane := "bottomRight"
	switch {
	case cols == 0:
		pane = "bottomLeft"
	case rows == 0:
		pane = "topRight"
	}
	top, _ := excelize.CoordinatesToCellName(cols+1, rows+1)
	return &excelize.Panes{Freeze: true, XSplit: cols, YSplit: rows, TopLeftCell: top, ActivePane: pane}
}

// ColumnChart is a column chart of one series.
type ColumnChart struct {
	Title      string
	Name       string // reference to the series' name
	Categories string // reference to the categories
	Values     string // reference to the values
	Width      uint   // pixels
	Height     uint
}

// AddColumnChart adds c with its top left corner at column col, row row
// (from 1) of sheet: no legend, one colour, the values' number format on
// the axis.
func (b *Book) AddColumnChart(sheet string, col, row int, c ColumnChart) error {
	cell, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return err
	}
	b.drawings = true
	none := false
	return b.f.AddChart(sheet, cell, &excelize.Chart{
		Type:       excelize.Col,
		Series:     []excelize.ChartSeries{{Name: c.Name, Categories: c.Categories, Values: c.Values}},
		Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: c.Title}}},
		Legend:     excelize.ChartLegend{Position: "none"},
		Dimension:  excelize.ChartDimension{Width: c.Width, Height: c.Height},
		VaryColors: &none,
		YAxis:      excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{SourceLinked: true}},
	})
}

// ColName is the letter(s) of a 0-based column: 0 is A, 26 is AA.
func ColName(col int) string {
	name, err := excelize.ColumnNumberToName(col + 1)
	if err != nil {
		panic(err) // our own column numbers, always in range
	}
	return name
}
