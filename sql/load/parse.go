package load

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// parseFile decodes r as the CSV file of t and validates every row on its
// own: parseRecords over a CSV source.
func parseFile(t *table, r io.Reader, emit func(vals []any) error, report func(RowError)) (records int, readable bool, err error) {
	return parseRecords(t, NewCSVSource(r), emit, report)
}

// parseRecords reads src as the file of t and validates every row on its
// own. It is pure: it touches no database, and holds one record at a time.
//
// Every problem goes to report as a RowError, and parsing goes on so that
// all bad rows are found. Every record that decoded with the header's
// number of fields goes to emit, as the staging values line, ok, then t's
// columns (nil for NULL, and for invalid cells); emit must not keep vals.
// readable is false when the header could not be used, so no row was
// read. The returned error is for reading src or from emit, never for bad
// content.
func parseRecords(t *table, src RecordSource, emit func(vals []any) error, report func(RowError)) (records int, readable bool, err error) {
	header, headerLine, err := src.Next()
	var bad *RecordError
	switch {
	case err == io.EOF:
		report(RowError{File: t.file, Line: 1, Reason: "no header row (expected " + strings.Join(t.columnNames(), ",") + ")"})
		return 0, false, nil
	case errors.As(err, &bad):
		report(RowError{File: t.file, Line: bad.Line, Reason: bad.Reason})
		return 0, false, nil
	case err != nil:
		return 0, false, err
	}
	idx, problems := mapHeader(t, header)
	for _, p := range problems {
		report(RowError{File: t.file, Line: headerLine, Reason: p})
	}
	if len(problems) > 0 {
		return 0, false, nil
	}

	rw := &row{
		t:      t,
		cells:  make([]string, len(t.cols)),
		unsafe: make([]bool, len(t.cols)),
		vals:   make([]any, len(t.cols)),
		report: report,
	}
	vals := make([]any, 2+len(t.cols))
	for {
		rec, line, err := src.Next()
		if err == io.EOF {
			return records, true, nil
		}
		if errors.As(err, &bad) {
			// A record that cannot be read is reported and skipped; the
			// source resumes at the next one, so later records are still
			// checked.
			report(RowError{File: t.file, Line: bad.Line, Reason: bad.Reason})
			continue
		}
		if err != nil {
			return records, true, err
		}
		records++
		if records > MaxRows {
			return records, true, fmt.Errorf("more than %d rows: split the file", MaxRows)
		}
		rw.line, rw.ok = line, true
		for i, j := range idx {
			rw.cells[i], rw.unsafe[i], rw.vals[i] = "", false, nil
			if j >= 0 && j < len(rec) {
				rw.cells[i] = rec[j]
			}
		}
		rw.checkEncoding()
		t.validate(rw)
		vals[0], vals[1] = int64(line), rw.ok
		copy(vals[2:], rw.vals)
		if err := emit(vals); err != nil {
			return records, true, err
		}
	}
}

// RecordSource yields the records of one load file: first the header,
// then the data records, each with the line (CSV) or row (XLSX) of the
// file where it starts, which error messages name.
type RecordSource interface {
	// Next returns the next record, io.EOF after the last one, a
	// *RecordError for a record that cannot be read (reported; reading
	// goes on with the next record), or any other error, which stops the
	// load. The returned slice may be reused by the next call.
	Next() (rec []string, line int, err error)
}

// RecordError is a record a source could not read (bad CSV quoting, more
// cells than the header).
type RecordError struct {
	Line   int
	Reason string
}

func (e *RecordError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// csvSource reads RFC 4180 CSV (SPEC section 2's conventions).
type csvSource struct {
	r      *csv.Reader
	fields int // the header's
}

// NewCSVSource reads CSV from r, skipping a leading UTF-8 byte order mark.
func NewCSVSource(r io.Reader) RecordSource {
	cr := csv.NewReader(skipBOM(&lineLimit{r: r, max: MaxLineBytes}))
	cr.ReuseRecord = true // one record at a time: files may have millions of rows
	return &csvSource{r: cr}
}

func (s *csvSource) Next() ([]string, int, error) {
	rec, err := s.r.Read()
	if err == io.EOF {
		return nil, 0, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, 0, &RecordError{Line: pe.StartLine, Reason: csvReason(pe, rec, s.fields)}
		}
		return nil, 0, err
	}
	line, _ := s.r.FieldPos(0)
	if s.fields == 0 {
		s.fields = len(rec)
	}
	return rec, line, nil
}

// csvReason describes a CSV syntax error. rec is the record the reader
// returned with the error, if any.
func csvReason(pe *csv.ParseError, rec []string, headerFields int) string {
	reason := "bad CSV: " + pe.Err.Error()
	switch {
	case errors.Is(pe.Err, csv.ErrFieldCount):
		reason = fmt.Sprintf("bad CSV: %d fields, the header has %d (quote a value that contains a comma)", len(rec), headerFields)
	case pe.Line != pe.StartLine:
		reason += fmt.Sprintf(" (at line %d, column %d)", pe.Line, pe.Column)
	default:
		reason += fmt.Sprintf(" (column %d)", pe.Column)
	}
	return reason
}
