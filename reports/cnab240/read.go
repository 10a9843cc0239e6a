package cnab240

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// File codes (file header 143).
const (
	codeRemittance = '1'
	codeReturn     = '2'
)

// parsed is a CNAB 240 file whose structure and trailers were checked.
type parsed struct {
	header  line
	batches []batch
	records int64
}

type batch struct {
	header  line
	method  string
	details []detail
	line    int // of its header
}

// detail is a Segment A and the Segment B that follows it, if any.
type detail struct {
	a, b         line
	aLine, bLine int
}

// parser checks a CNAB 240 file of ours line by line: a file header with
// file code want, batches of supplier payments (header 1, Segments A and
// B, trailer 5), a file trailer 9. Every line must be 240 characters
// (crlf: ending in CR LF; otherwise CR LF or LF); every record type,
// segment, sequence number, count and total is checked. The first fault
// fails the whole file: "FILE:LINE: reason". With keep, the records are
// kept (parsed); without, only the counts, so checking a large file
// takes no memory.
type parser struct {
	file       string
	want       byte
	crlf, keep bool

	p          parsed
	n          int
	bank       string
	inBatch    bool
	seq, total int64
	details    int
	lastHasB   bool
	done       bool
	sum        Summary
}

func newParser(file string, want byte, crlf, keep bool) *parser {
	return &parser{file: file, want: want, crlf: crlf, keep: keep}
}

func (ps *parser) fail(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", ps.file, ps.n, fmt.Sprintf(format, args...))
}

// add checks the next line (without its LF; a CR before it is kept).
func (ps *parser) add(raw []byte) error {
	ps.n++
	if ps.done {
		if len(bytes.TrimSpace(raw)) == 0 {
			return nil // trailing blank lines after the file trailer
		}
		return ps.fail("a record after the file trailer")
	}
	if l := len(raw); l > 0 && raw[l-1] == '\r' {
		raw = raw[:l-1]
	} else if ps.crlf {
		return ps.fail("the line does not end in CR LF")
	}
	if len(raw) != LineLength {
		return ps.fail("the line has %d characters, not %d", len(raw), LineLength)
	}
	for i, c := range raw {
		if c < ' ' || c > '~' {
			return ps.fail("position %d holds byte 0x%02X, not printable ASCII", i+1, c)
		}
	}
	l := line(raw)
	kind := l[7]
	batchNo, err := l.number(4, 7)
	if err != nil {
		return ps.fail("batch number: %v", err)
	}
	if ps.n > 1 && l.field(1, 3) != ps.bank {
		return ps.fail("bank code %q differs from the file header's %q", l.field(1, 3), ps.bank)
	}
	keep := func() line {
		if !ps.keep {
			return nil
		}
		return line(append([]byte(nil), raw...))
	}
	p := &ps.p
	switch {
	case ps.n == 1 && kind != '0':
		return ps.fail("the first record is of type %q, not a file header (0)", kind)
	case kind == '0':
		if ps.n != 1 {
			return ps.fail("a second file header")
		}
		if batchNo != 0 {
			return ps.fail("file header batch number %d, not 0000", batchNo)
		}
		if l[142] != ps.want {
			what := map[byte]string{codeRemittance: "a remittance (1)", codeReturn: "a return (2)"}[ps.want]
			return ps.fail("file code at 143 is %q: not %s", l[142], what)
		}
		ps.bank = l.field(1, 3)
		p.header = line(append([]byte(nil), raw...))
	case kind == '1':
		if ps.inBatch {
			return ps.fail("batch header before the trailer of batch %d", ps.sum.Batches)
		}
		if batchNo != int64(ps.sum.Batches+1) {
			return ps.fail("batch number %d, want %d", batchNo, ps.sum.Batches+1)
		}
		if l[8] != 'C' || l.field(10, 11) != "20" {
			return ps.fail("batch of operation %q service %q: not a credit (C) of supplier payments (20)", l[8], l.field(10, 11))
		}
		m := l.field(12, 13)
		if m != MethodCredit && m != MethodTED && m != MethodPix {
			return ps.fail("payment method %q is not one we send (01, 41, 45)", m)
		}
		ps.sum.Batches++
		ps.inBatch, ps.seq, ps.total, ps.details, ps.lastHasB = true, 0, 0, 0, false
		if ps.keep {
			p.batches = append(p.batches, batch{header: keep(), method: m, line: ps.n})
		}
	case kind == '3':
		if !ps.inBatch {
			return ps.fail("a detail record outside a batch")
		}
		if batchNo != int64(ps.sum.Batches) {
			return ps.fail("detail of batch %d inside batch %d", batchNo, ps.sum.Batches)
		}
		s, err := l.number(9, 13)
		if err != nil {
			return ps.fail("record sequence: %v", err)
		}
		if ps.seq++; s != ps.seq {
			return ps.fail("record sequence %d, want %d", s, ps.seq)
		}
		switch l[13] {
		case 'A':
			amount, err := l.number(120, 134)
			if err != nil {
				return ps.fail("amount: %v", err)
			}
			ps.total += amount
			ps.details++
			ps.lastHasB = false
			ps.sum.Payments++
			ps.sum.Amount += amount
			if ps.keep {
				b := &p.batches[len(p.batches)-1]
				b.details = append(b.details, detail{a: keep(), aLine: ps.n})
			}
		case 'B':
			if ps.details == 0 || ps.lastHasB {
				return ps.fail("a Segment B that does not follow a Segment A")
			}
			ps.lastHasB = true
			if ps.keep {
				b := &p.batches[len(p.batches)-1]
				d := &b.details[len(b.details)-1]
				d.b, d.bLine = keep(), ps.n
			}
		default:
			// A bank's return may add segments of its own (C, Z for an
			// authentication, ...): counted, not read. Our remittance
			// has only A and B.
			if ps.want != codeReturn || l[13] < 'A' || l[13] > 'Z' {
				return ps.fail("segment %q is not A or B", l[13])
			}
		}
	case kind == '5':
		if !ps.inBatch {
			return ps.fail("a batch trailer outside a batch")
		}
		if batchNo != int64(ps.sum.Batches) {
			return ps.fail("trailer of batch %d closes batch %d", batchNo, ps.sum.Batches)
		}
		count, err := l.number(18, 23)
		if err != nil {
			return ps.fail("batch record count: %v", err)
		}
		sum, err := l.number(24, 41)
		if err != nil {
			return ps.fail("batch total: %v", err)
		}
		if count != ps.seq+2 {
			return ps.fail("batch trailer counts %d records, the batch has %d", count, ps.seq+2)
		}
		if sum != ps.total {
			return ps.fail("batch trailer total %d, the Segments A add up to %d", sum, ps.total)
		}
		if ps.details == 0 {
			return ps.fail("batch %d has no payment", batchNo)
		}
		ps.inBatch = false
	case kind == '9':
		if ps.inBatch {
			return ps.fail("file trailer inside batch %d", ps.sum.Batches)
		}
		if batchNo != 9999 {
			return ps.fail("file trailer batch number %d, not 9999", batchNo)
		}
		batches, err := l.number(18, 23)
		if err != nil {
			return ps.fail("file batch count: %v", err)
		}
		records, err := l.number(24, 29)
		if err != nil {
			return ps.fail("file record count: %v", err)
		}
		if batches != int64(ps.sum.Batches) {
			return ps.fail("file trailer counts %d batches, the file has %d", batches, ps.sum.Batches)
		}
		if records != int64(ps.n) {
			return ps.fail("file trailer counts %d records, the file has %d", records, ps.n)
		}
		ps.sum.Records = int64(ps.n)
		p.records = int64(ps.n)
		ps.done = true
	default:
		return ps.fail("unknown record type %q", kind)
	}
	return nil
}

// end checks the file is complete.
func (ps *parser) end() error {
	if ps.n == 0 {
		return fmt.Errorf("%s:1: empty file", ps.file)
	}
	if !ps.done {
		return ps.fail("the file ends without a file trailer (9)")
	}
	return nil
}

// parse reads and checks a whole file (see parser) and keeps its records.
func parse(r io.Reader, file string, want byte, crlf bool) (*parsed, error) {
	ps := newParser(file, want, crlf, true)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<16)
	sc.Split(splitLF)
	for sc.Scan() {
		if err := ps.add(sc.Bytes()); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			ps.n++
			return nil, ps.fail("the line is longer than %d characters", LineLength)
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if err := ps.end(); err != nil {
		return nil, err
	}
	return &ps.p, nil
}

// Check parses a remittance we wrote and returns what it holds, or the
// first line where its structure, counts or totals are wrong. It keeps
// no records.
func Check(data []byte) (Summary, error) {
	ps := newParser("remittance", codeRemittance, true, false)
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			i = len(data) - 1
			if err := ps.add(data); err != nil {
				return Summary{}, err
			}
		} else if err := ps.add(data[:i]); err != nil {
			return Summary{}, err
		}
		data = data[i+1:]
	}
	if err := ps.end(); err != nil {
		return Summary{}, err
	}
	return ps.sum, nil
}

// splitLF splits at LF and keeps a CR before it (bufio.ScanLines drops
// it), so that a line's end can be checked.
func splitLF(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
