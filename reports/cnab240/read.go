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

// parse reads a CNAB 240 file of ours: a file header with file code want,
// batches of supplier payments (header 1, Segments A and B, trailer 5), a
// file trailer 9. Every line must be 240 characters (crlf: ending in CR
// LF; otherwise CR LF or LF); every record type, segment, sequence number,
// count and total is checked. The first fault fails the whole file:
// "FILE:LINE: reason".
func parse(r io.Reader, file string, want byte, crlf bool) (*parsed, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<16)
	sc.Split(splitLF)
	n := 0
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", file, n, fmt.Sprintf(format, args...))
	}
	p := &parsed{}
	var cur *batch
	var seq, total int64
	done := false
	for sc.Scan() {
		n++
		raw := sc.Bytes()
		if done {
			if len(bytes.TrimSpace(raw)) == 0 {
				continue // trailing blank lines after the file trailer
			}
			return nil, fail("a record after the file trailer")
		}
		if l := len(raw); l > 0 && raw[l-1] == '\r' {
			raw = raw[:l-1]
		} else if crlf {
			return nil, fail("the line does not end in CR LF")
		}
		if len(raw) != LineLength {
			return nil, fail("the line has %d characters, not %d", len(raw), LineLength)
		}
		for i, c := range raw {
			if c < ' ' || c > '~' {
				return nil, fail("position %d holds byte 0x%02X, not printable ASCII", i+1, c)
			}
		}
		l := line(append([]byte(nil), raw...))
		kind := l[7]
		batchNo, err := l.number(4, 7)
		if err != nil {
			return nil, fail("batch number: %v", err)
		}
		if n > 1 && l.field(1, 3) != p.header.field(1, 3) {
			return nil, fail("bank code %q differs from the file header's %q", l.field(1, 3), p.header.field(1, 3))
		}
		switch {
		case n == 1 && kind != '0':
			return nil, fail("the first record is of type %q, not a file header (0)", kind)
		case kind == '0':
			if n != 1 {
				return nil, fail("a second file header")
			}
			if batchNo != 0 {
				return nil, fail("file header batch number %d, not 0000", batchNo)
			}
			if l[142] != want {
				what := map[byte]string{codeRemittance: "a remittance (1)", codeReturn: "a return (2)"}[want]
				return nil, fail("file code at 143 is %q: not %s", l[142], what)
			}
			p.header = l
		case kind == '1':
			if cur != nil {
				return nil, fail("batch header before the trailer of batch %d", len(p.batches))
			}
			if batchNo != int64(len(p.batches)+1) {
				return nil, fail("batch number %d, want %d", batchNo, len(p.batches)+1)
			}
			if l[8] != 'C' || l.field(10, 11) != "20" {
				return nil, fail("batch of operation %q service %q: not a credit (C) of supplier payments (20)", l[8], l.field(10, 11))
			}
			m := l.field(12, 13)
			if m != MethodCredit && m != MethodTED && m != MethodPix {
				return nil, fail("payment method %q is not one we send (01, 41, 45)", m)
			}
			p.batches = append(p.batches, batch{header: l, method: m, line: n})
			cur = &p.batches[len(p.batches)-1]
			seq, total = 0, 0
		case kind == '3':
			if cur == nil {
				return nil, fail("a detail record outside a batch")
			}
			if batchNo != int64(len(p.batches)) {
				return nil, fail("detail of batch %d inside batch %d", batchNo, len(p.batches))
			}
			s, err := l.number(9, 13)
			if err != nil {
				return nil, fail("record sequence: %v", err)
			}
			if seq++; s != seq {
				return nil, fail("record sequence %d, want %d", s, seq)
			}
			switch l[13] {
			case 'A':
				amount, err := l.number(120, 134)
				if err != nil {
					return nil, fail("amount: %v", err)
				}
				total += amount
				cur.details = append(cur.details, detail{a: l, aLine: n})
			case 'B':
				if len(cur.details) == 0 || cur.details[len(cur.details)-1].b != nil {
					return nil, fail("a Segment B that does not follow a Segment A")
				}
				d := &cur.details[len(cur.details)-1]
				d.b, d.bLine = l, n
			default:
				// A bank's return may add segments of its own (C, Z for an
				// authentication, ...): counted, not read. Our remittance
				// has only A and B.
				if want != codeReturn || l[13] < 'A' || l[13] > 'Z' {
					return nil, fail("segment %q is not A or B", l[13])
				}
			}
		case kind == '5':
			if cur == nil {
				return nil, fail("a batch trailer outside a batch")
			}
			if batchNo != int64(len(p.batches)) {
				return nil, fail("trailer of batch %d closes batch %d", batchNo, len(p.batches))
			}
			count, err := l.number(18, 23)
			if err != nil {
				return nil, fail("batch record count: %v", err)
			}
			sum, err := l.number(24, 41)
			if err != nil {
				return nil, fail("batch total: %v", err)
			}
			if count != seq+2 {
				return nil, fail("batch trailer counts %d records, the batch has %d", count, seq+2)
			}
			if sum != total {
				return nil, fail("batch trailer total %d, the Segments A add up to %d", sum, total)
			}
			if len(cur.details) == 0 {
				return nil, fail("batch %d has no payment", batchNo)
			}
			cur = nil
		case kind == '9':
			if cur != nil {
				return nil, fail("file trailer inside batch %d", len(p.batches))
			}
			if batchNo != 9999 {
				return nil, fail("file trailer batch number %d, not 9999", batchNo)
			}
			batches, err := l.number(18, 23)
			if err != nil {
				return nil, fail("file batch count: %v", err)
			}
			records, err := l.number(24, 29)
			if err != nil {
				return nil, fail("file record count: %v", err)
			}
			if batches != int64(len(p.batches)) {
				return nil, fail("file trailer counts %d batches, the file has %d", batches, len(p.batches))
			}
			if records != int64(n) {
				return nil, fail("file trailer counts %d records, the file has %d", records, n)
			}
			p.records = int64(n)
			done = true
		default:
			return nil, fail("unknown record type %q", kind)
		}
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			n++
			return nil, fail("the line is longer than %d characters", LineLength)
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("%s:1: empty file", file)
	}
	if !done {
		return nil, fail("the file ends without a file trailer (9)")
	}
	return p, nil
}

// Check parses a remittance we wrote and returns what it holds, or the
// first line where its structure, counts or totals are wrong.
func Check(data []byte) (Summary, error) {
	p, err := parse(bytes.NewReader(data), "remittance", codeRemittance, true)
	if err != nil {
		return Summary{}, err
	}
	s := Summary{Batches: len(p.batches), Records: p.records}
	for _, b := range p.batches {
		for _, d := range b.details {
			amount, _ := d.a.number(120, 134)
			s.Payments++
			s.Amount += amount
		}
	}
	return s, nil
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
