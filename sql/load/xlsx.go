package load

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// xlsxSource reads the first sheet of an XLSX workbook as a load file: its
// first non-empty row is the header, every later non-empty row a record,
// numbered by its row in the sheet (the number a spreadsheet shows).
//
// Cells are read as stored, never through their number format (which may
// round: "0" shows 12.3 as 12), so a number is its exact decimal text:
// 12.3 is "12.3", whatever the cell's format. A number stored in exponent
// form (1.5E-2) in a numeric column is written out exactly ("0.015").
// Everything else is validated as in a CSV file: an amount with more
// digits than its currency is refused (a cell holding
// 0.30000000000000004, the result of a formula, must be rounded by whoever
// made it), and a timestamp must be text in RFC 3339 with an offset: a
// date-formatted cell is a number of days without a time zone, which
// cannot say which instant it means.
type xlsxSource struct {
	f       *excelize.File
	rows    *excelize.Rows
	row     int
	fields  int               // the header's cells; 0 until the header is read
	numeric func(string) bool // whether a column (by header name) is numeric
	numCols []bool
}

// OpenXLSXSource opens the first sheet of the workbook at path. numeric
// says which columns (by header name) hold numbers; nil: none. Close the
// source when done.
func OpenXLSXSource(path string, numeric func(column string) bool) (RecordSource, io.Closer, error) {
	// UnzipSizeLimit bounds what the workbook may hold unzipped (the zip
	// reader refuses a part larger than its header says); sheets above
	// UnzipXMLSizeLimit are read from a temporary file, not memory.
	f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true,
		UnzipSizeLimit: MaxXLSXBytes, UnzipXMLSizeLimit: min(MaxXLSXBytes, 16<<20)})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size exceeds") {
			return nil, nil, fmt.Errorf("%s holds more than %d bytes once unzipped: not a tax record export", path, MaxXLSXBytes)
		}
		return nil, nil, fmt.Errorf("%s is not a readable XLSX workbook: %w", path, err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, nil, fmt.Errorf("%s has no sheet", path)
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: sheet %q: %w", path, sheets[0], err)
	}
	if numeric == nil {
		numeric = func(string) bool { return false }
	}
	s := &xlsxSource{f: f, rows: rows, numeric: numeric}
	return s, s, nil
}

func (s *xlsxSource) Close() error {
	err := s.rows.Close()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (s *xlsxSource) Next() ([]string, int, error) {
	for s.rows.Next() {
		s.row++
		if s.row > MaxRows+1 {
			return nil, 0, fmt.Errorf("more than %d rows: split the file", MaxRows)
		}
		cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, 0, fmt.Errorf("row %d: %w", s.row, err)
		}
		if len(cells) > MaxCells {
			return nil, 0, fmt.Errorf("row %d has %d cells, more than %d: not a tax record export", s.row, len(cells), MaxCells)
		}
		if empty(cells) {
			continue // spreadsheets keep formatted but empty rows
		}
		if s.fields == 0 {
			cells = trimTrailingEmpty(cells)
			s.fields = len(cells)
			s.numCols = make([]bool, len(cells))
			for i, name := range cells {
				s.numCols[i] = s.numeric(name)
			}
			return cells, s.row, nil
		}
		for i := s.fields; i < len(cells); i++ {
			if cells[i] != "" {
				col, _ := excelize.ColumnNumberToName(i + 1)
				return nil, 0, &RecordError{Line: s.row, Reason: fmt.Sprintf(
					"cell %s%d has a value (%s) beyond the header's %d columns", col, s.row, quote(cells[i]), s.fields)}
			}
		}
		if len(cells) > s.fields {
			cells = cells[:s.fields]
		}
		for i, c := range cells {
			if s.numCols[i] {
				cells[i] = plainNumber(c)
			}
		}
		return cells, s.row, nil
	}
	if err := s.rows.Error(); err != nil {
		return nil, 0, fmt.Errorf("row %d: %w", s.row+1, err)
	}
	return nil, 0, io.EOF
}

func empty(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

func trimTrailingEmpty(cells []string) []string {
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	return cells
}

// maxExponent bounds the exponents plainNumber writes out: beyond it the
// number has more digits than any amount, and is left for the amount's
// own check to refuse.
const maxExponent = 40

// plainNumber rewrites a number in exponent form ("1.5E-2", "1E+3") as the
// plain decimal it stands for ("0.015", "1000"), exactly; anything else is
// returned as it is.
func plainNumber(s string) string {
	i := strings.IndexAny(s, "eE")
	if i < 0 {
		return s
	}
	exp, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
	if err != nil || exp > maxExponent || exp < -maxExponent {
		return s
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return s
	}
	return d.String()
}
