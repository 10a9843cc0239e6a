package reports

import (
	"encoding/csv"
	"io"
)

// SafeText neutralises text from the data that a spreadsheet would read as
// a formula: a cell starting with =, +, -, @, tab or carriage return gets
// a leading apostrophe (the OWASP recommendation), which spreadsheets show
// as text. Only text cells go through it; amounts we format ourselves
// ("-12.30") are numbers and stay as they are.
func SafeText(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// csvWriter writes RFC 4180 CSV with LF line ends and counts data rows.
type csvWriter struct {
	w    *csv.Writer
	rows int64
}

func newCSV(w io.Writer, header []string) (*csvWriter, error) {
	c := &csvWriter{w: csv.NewWriter(w)}
	if err := c.w.Write(header); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *csvWriter) row(fields ...string) error {
	c.rows++
	return c.w.Write(fields)
}

func (c *csvWriter) flush() error {
	c.w.Flush()
	return c.w.Error()
}
