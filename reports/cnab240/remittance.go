package cnab240

import (
	"fmt"
	"io"
	"strings"

	"payouts/reconcile"
)

// Remittance is a remittance read back: the round-trip tests compare it
// with the payout items it was written from.
type Remittance struct {
	BankCode    string
	CompanyCNPJ string
	Agreement   string
	Branch      string // as written, zero-padded
	Account     string // as written, zero-padded
	Digit       string
	CompanyName string
	Generated   string // DDMMYYYY HHMMSS
	Sequence    int64
	FileLayout  string
	Payments    []ReadPayment
}

// ReadPayment is one Segment A (and its Segment B) read back.
type ReadPayment struct {
	Method      string // batch payment method
	Clearing    string // Segment A 18-20
	Reference   string
	Name        string
	Amount      int64
	PaymentDate string // DDMMYYYY
	Currency    string
	Bank        reconcile.BankAccount // zero-padded as written; zero for a PIX by key
	Initiation  string                // Segment B 15-16; empty without Segment B
	TaxIDKind   string                // Segment B 18
	TaxID       string                // Segment B 19-32
	PixKey      string                // Segment B 128-226
}

// ReadRemittance reads a remittance of ours back, after the checks of
// Check.
func ReadRemittance(r io.Reader, file string) (Remittance, error) {
	p, err := parse(r, file, codeRemittance, true)
	if err != nil {
		return Remittance{}, err
	}
	h := p.header
	seq, _ := h.number(158, 163)
	out := Remittance{BankCode: h.field(1, 3), CompanyCNPJ: h.field(19, 32), Agreement: h.trimmed(33, 52),
		Branch: h.field(53, 57), Account: h.field(59, 70), Digit: h.field(71, 71), CompanyName: h.trimmed(73, 102),
		Generated: h.field(144, 151) + " " + h.field(152, 157), Sequence: seq, FileLayout: h.field(164, 166)}
	for _, b := range p.batches {
		for _, d := range b.details {
			a := d.a
			amount, _ := a.number(120, 134)
			rp := ReadPayment{Method: b.method, Clearing: a.field(18, 20), Reference: a.trimmed(74, 93),
				Name: a.trimmed(44, 73), Amount: amount, PaymentDate: a.field(94, 101), Currency: a.field(102, 104),
				Bank: reconcile.BankAccount{Bank: a.field(21, 23), Branch: a.field(24, 28), Account: a.field(30, 41),
					Digit: strings.TrimSpace(a.field(42, 42))}}
			if b.method == MethodPix && d.b == nil {
				return out, fmt.Errorf("%s:%d: a PIX payment without its Segment B", file, d.aLine)
			}
			if d.b != nil {
				rp.Initiation, rp.TaxIDKind, rp.TaxID, rp.PixKey = d.b.field(15, 16), d.b.field(18, 18),
					d.b.field(19, 32), d.b.trimmed(128, 226)
			}
			out.Payments = append(out.Payments, rp)
		}
	}
	return out, nil
}
