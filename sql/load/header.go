package load

import (
	"bufio"
	"bytes"
	"io"
	"strings"

	"payouts/reconcile"
)

// utf8BOM is what some spreadsheet programs put before the first header;
// it is not part of the first column's name.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// skipBOM returns r without a leading UTF-8 byte order mark. It is removed
// from the bytes, not from the first field, so that a BOM before a quoted
// header ("\ufeff\"sale_id\"") is not a bare quote.
func skipBOM(r io.Reader) io.Reader {
	br := bufio.NewReaderSize(r, 64*1024)
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	return br
}

// mapHeader maps t's columns to positions in the header (-1: the file
// leaves that optional column out, all NULL). It returns the problems of
// the header; any problem stops the file, since its rows cannot be read
// with certainty.
func mapHeader(t *table, header []string) (idx []int, problems []string) {
	idx = make([]int, len(t.cols))
	for i := range idx {
		idx[i] = -1
	}
	for j, name := range header {
		i, ok := t.pos[name]
		switch {
		case !ok:
			problems = append(problems, "unknown column "+quote(name)+" (the columns of "+t.file+" are "+strings.Join(t.columnNames(), ", ")+")")
		case idx[i] >= 0:
			problems = append(problems, "column "+quote(name)+" appears more than once")
		default:
			idx[i] = j
		}
	}
	for i, c := range t.cols {
		if c.required && idx[i] < 0 {
			problems = append(problems, "missing required column "+quote(c.name))
		}
	}
	return idx, problems
}

// quote is %q, capped so that one absurd cell cannot make a huge
// message (reconcile.Quote).
func quote(s string) string { return reconcile.Quote(s) }

// cut is a value as written, cut like quote when it is long (a number
// that parsed, but with a million leading zeros).
func cut(s string) string {
	if len(s) <= reconcile.QuoteMax {
		return s
	}
	q := reconcile.Quote(s)
	return q[1:strings.LastIndex(q, `"`)] + q[strings.LastIndex(q, `"`)+1:]
}
