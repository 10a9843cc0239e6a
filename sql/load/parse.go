package load

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// parseFile decodes r as the CSV file of t and validates every row on its
// own. It is pure: it touches no database, and holds one record at a time.
//
// Every problem goes to report as a RowError, and parsing goes on so that
// all bad rows are found. Every record that decoded with the header's
// number of fields goes to emit, as the staging values line, ok, then t's
// columns (nil for NULL, and for invalid cells); emit must not keep vals.
// readable is false when the header could not be used, so no row was
// read. The returned error is for reading r or from emit, never for bad
// content.
func parseFile(t *table, r io.Reader, emit func(vals []any) error, report func(RowError)) (records int, readable bool, err error) {
	cr := csv.NewReader(skipBOM(r))
	cr.ReuseRecord = true // one record at a time: files may have millions of rows

	header, err := cr.Read()
	if err == io.EOF {
		report(RowError{File: t.file, Line: 1, Reason: "no header row (expected " + strings.Join(t.columnNames(), ",") + ")"})
		return 0, false, nil
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			report(csvError(t, pe, nil, 0))
			return 0, false, nil
		}
		return 0, false, err
	}
	headerLine, _ := cr.FieldPos(0)
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
		rec, err := cr.Read()
		if err == io.EOF {
			return records, true, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return records, true, err
			}
			// A bad record is reported and skipped; the reader resumes at
			// the next line, so later records are still checked.
			report(csvError(t, pe, rec, len(header)))
			continue
		}
		records++
		line, _ := cr.FieldPos(0)
		rw.line, rw.ok = line, true
		for i, j := range idx {
			rw.cells[i], rw.unsafe[i], rw.vals[i] = "", false, nil
			if j >= 0 {
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

// csvError turns a CSV syntax error into a RowError on the record's first
// line. rec is the record the reader returned with the error, if any.
func csvError(t *table, pe *csv.ParseError, rec []string, headerFields int) RowError {
	reason := "bad CSV: " + pe.Err.Error()
	switch {
	case errors.Is(pe.Err, csv.ErrFieldCount):
		reason = fmt.Sprintf("bad CSV: %d fields, the header has %d (quote a value that contains a comma)", len(rec), headerFields)
	case pe.Line != pe.StartLine:
		reason += fmt.Sprintf(" (at line %d, column %d)", pe.Line, pe.Column)
	default:
		reason += fmt.Sprintf(" (column %d)", pe.Column)
	}
	return RowError{File: t.file, Line: pe.StartLine, Reason: reason}
}
