package load

import (
	"fmt"
	"sort"
	"strings"
)

// RowError is one problem with one row of one file. A row with several
// problems has several RowErrors, one per field, so each reason names
// exactly one field.
type RowError struct {
	File   string // e.g. "sales.csv"
	Line   int    // physical line where the record starts; the header is line 1
	Reason string // starts with the field (column) name, e.g. "gross: ..."
}

func (e RowError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason) }

// MaxReported caps the RowErrors a failed load returns. A wrong export can
// make every one of millions of rows bad; the first thousand (in file order,
// then line order) show the pattern, and memory stays bounded. The rest are
// only counted (Errors.More).
const MaxReported = 1000

// Errors is returned by Dir when any row is bad; nothing was written.
type Errors struct {
	Rows []RowError // sorted by file order (SPEC section 2's table order), then line
	More int64      // problems found beyond MaxReported and not listed
}

// Error lists one "FILE:LINE: reason" per line and, when the list was
// capped, a final "... and N more errors" line.
func (e *Errors) Error() string {
	var b strings.Builder
	for i, r := range e.Rows {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(r.Error())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n... and %d more errors", e.More)
	}
	return b.String()
}

// collector keeps the MaxReported smallest problems by (file order, line)
// however many arrive and in whatever order: parse errors arrive file by
// file, SQL checks arrive check by check.
type collector struct {
	order map[string]int // file name -> position in tables
	max   int
	rows  []keyed
	more  int64
	seq   int64
}

type keyed struct {
	file int
	seq  int64 // arrival order, so several reasons of one row keep theirs
	RowError
}

func newCollector(max int) *collector {
	c := &collector{order: map[string]int{}, max: max}
	for i, t := range tables {
		c.order[t.file] = i
	}
	return c
}

func (c *collector) add(e RowError) {
	c.seq++
	c.rows = append(c.rows, keyed{file: c.order[e.File], seq: c.seq, RowError: e})
	if len(c.rows) >= 2*c.max+16 {
		c.trim()
	}
}

func (c *collector) count() int64 { return int64(len(c.rows)) + c.more }

func (c *collector) trim() {
	sort.Slice(c.rows, func(i, j int) bool {
		a, b := c.rows[i], c.rows[j]
		if a.file != b.file {
			return a.file < b.file
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.seq < b.seq
	})
	if len(c.rows) > c.max {
		c.more += int64(len(c.rows) - c.max)
		c.rows = c.rows[:c.max]
	}
}

// errors returns the collected problems, or nil when there are none.
func (c *collector) errors() *Errors {
	if c.count() == 0 {
		return nil
	}
	c.trim()
	out := &Errors{Rows: make([]RowError, len(c.rows)), More: c.more}
	for i, k := range c.rows {
		out.Rows[i] = k.RowError
	}
	return out
}
