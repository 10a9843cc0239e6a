package cnab240

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"payouts/reconcile"
)

// Sniff reports whether the first line of a file looks like a CNAB 240
// return file: 240 characters (CR LF or LF) and a file header (batch
// 0000, record type 0) with file code 2 at 143.
func Sniff(firstLine []byte) bool {
	l := bytes.TrimRight(firstLine, "\r\n")
	return len(l) == LineLength && string(l[3:8]) == "00000" && l[142] == codeReturn
}

// ReadReturn reads the bank's return file of one of our remittances into
// one status report per Segment A, in file order: Reference from "seu
// número" (74-93), Amount from 120-134, Currency BRL, and the state from
// the occurrence codes at 231-240 (up to five codes of two characters):
// 00 paid, BD accepted (scheduled), any other code rejected, with the
// first such code as ReasonCode and every such code with its meaning as
// Reason. A Segment A without codes takes its batch header's (a batch the
// bank refused whole). A file that is not a return, that is not of company
// c (file header CNPJ 19-32), or whose structure, counts or totals are
// wrong is refused whole: "FILE:LINE: reason".
func (c Company) ReadReturn(r io.Reader, file string) ([]reconcile.StatusReport, error) {
	p, err := parse(r, file, codeReturn, false)
	if err != nil {
		return nil, err
	}
	if got := p.header.field(19, 32); got != c.CNPJ {
		return nil, fmt.Errorf("%s:1: company CNPJ %q at 19-32 is not ours (%s): not a return of our remittances", file, strings.TrimSpace(got), c.CNPJ)
	}
	var out []reconcile.StatusReport
	for _, b := range p.batches {
		batchCodes := occurrences(b.header)
		for _, d := range b.details {
			ref := d.a.trimmed(74, 93)
			if ref == "" {
				return nil, fmt.Errorf("%s:%d: Segment A without a reference (seu número, 74-93)", file, d.aLine)
			}
			codes := occurrences(d.a)
			if len(codes) == 0 {
				codes = batchCodes
			}
			if len(codes) == 0 {
				return nil, fmt.Errorf("%s:%d: Segment A without occurrence codes (231-240)", file, d.aLine)
			}
			amount, _ := d.a.number(120, 134)
			rep := reconcile.StatusReport{Reference: ref, Amount: amount, HasAmount: true, Currency: "BRL",
				Source: fmt.Sprintf("%s:%d", file, d.aLine)}
			var rejected []string
			paid, accepted := false, false
			for _, code := range codes {
				switch code {
				case "00":
					paid = true
				case "BD":
					accepted = true
				default:
					rejected = append(rejected, code)
				}
			}
			switch {
			case len(rejected) > 0:
				rep.State, rep.ReasonCode = reconcile.PayoutRejected, rejected[0]
				reasons := make([]string, len(rejected))
				for i, code := range rejected {
					reasons[i] = code + " " + Occurrence(code)
				}
				rep.Reason = strings.Join(reasons, "; ")
			case paid:
				rep.State = reconcile.PayoutPaid
			case accepted:
				rep.State = reconcile.PayoutAccepted
			}
			out = append(out, rep)
		}
	}
	return out, nil
}

// occurrences are the codes at 231-240, two characters each, blanks
// skipped.
func occurrences(l line) []string {
	var out []string
	for i := 231; i < 240; i += 2 {
		if c := l.field(i, i+1); strings.TrimSpace(c) != "" {
			out = append(out, c)
		}
	}
	return out
}
