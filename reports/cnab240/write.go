package cnab240

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
	"time"

	"payouts/reconcile"
)

// Settings are the file-level facts of a remittance.
type Settings struct {
	Profile     Profile
	Company     Company
	Generated   time.Time      // file header 144-157, in the run's zone: derived from the run, never the clock
	Sequence    int64          // file header 158-163 ("NSA"): the run's remittance number
	PaymentDate reconcile.Date // Segment A 94-101: the requested execution date
}

// Payment is one payout item as the remittance carries it.
type Payment struct {
	Reference string // "seu número" 74-93: the item's short reference
	Name      string // payee name, already transliterated (reports.BankText); upper-cased and cut to 30 here
	Amount    int64  // centavos, > 0
	// PixKey, when its Type is set, pays by PIX key; otherwise Bank.
	PixKey reconcile.PixKey
	Bank   reconcile.BankAccount
	// TaxID is the payee's CPF or CNPJ (normalized) or empty when unknown
	// or invalid: Segment B 18-32.
	TaxID string
}

// Summary is what a written file holds.
type Summary struct {
	Batches  int
	Records  int64 // every line, file header and trailer included
	Payments int64
	Amount   int64
}

// Write writes the remittance of payments, in their order within each
// batch, batches by payment method. It validates every payment before
// writing anything, and checks each record as it is written (the checks
// of Check: sequence, counts and totals against the trailers): a file that
// does not add up is an error, and the caller must discard what was
// written (reports.RunDir publishes nothing then). The file is streamed:
// memory does not grow with it.
func Write(w io.Writer, s Settings, payments []Payment) (Summary, error) {
	if err := s.Company.Validate(); err != nil {
		return Summary{}, fmt.Errorf("cnab240: %w", err)
	}
	if err := s.Profile.CheckCompany(s.Company); err != nil {
		return Summary{}, fmt.Errorf("cnab240: %w", err)
	}
	if s.Sequence < 1 || s.Sequence > 999999 {
		return Summary{}, fmt.Errorf("cnab240: file sequence %d out of 1-999999", s.Sequence)
	}
	if s.Generated.IsZero() || s.PaymentDate.Year == 0 {
		return Summary{}, fmt.Errorf("cnab240: generation time and payment date are required")
	}
	if len(payments) == 0 {
		return Summary{}, fmt.Errorf("cnab240: no payments")
	}
	batches := map[string][]int{}
	seen := make(map[string]bool, len(payments))
	var want int64
	for i, p := range payments {
		if err := validatePayment(p); err != nil {
			return Summary{}, fmt.Errorf("cnab240: payment %q: %w", p.Reference, err)
		}
		if seen[p.Reference] {
			return Summary{}, fmt.Errorf("cnab240: reference %q appears twice", p.Reference)
		}
		seen[p.Reference] = true
		m, _ := s.Profile.method(p)
		batches[m] = append(batches[m], i)
		want += p.Amount
	}
	methods := make([]string, 0, len(batches))
	for m := range batches {
		methods = append(methods, m)
	}
	sort.Strings(methods)

	bw := bufio.NewWriter(w)
	ck := newParser("remittance", codeRemittance, true, false)
	var scratch [LineLength + 1]byte
	var lines int64
	var err error
	put := func(r *record) {
		if err != nil {
			return
		}
		lines++
		copy(scratch[:], r[:])
		scratch[LineLength] = '\r'
		if err = ck.add(scratch[:]); err != nil {
			err = fmt.Errorf("cnab240: the file written does not add up: %w", err)
			return
		}
		if _, err = bw.Write(scratch[:]); err == nil {
			err = bw.WriteByte('\n')
		}
	}
	put(s.fileHeader())
	for bi, m := range methods {
		n := int64(bi + 1)
		put(s.batchHeader(n, m))
		var seq, total int64
		for _, i := range batches[m] {
			p := payments[i]
			_, clearing := s.Profile.method(p)
			seq++
			put(s.segmentA(n, seq, clearing, p))
			total += p.Amount
			if m == MethodPix {
				seq++
				put(s.segmentB(n, seq, p))
			}
		}
		put(s.batchTrailer(n, seq+2, total))
	}
	put(s.fileTrailer(int64(len(methods)), lines+1))
	if err == nil {
		err = ck.end()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return Summary{}, err
	}
	sum := ck.sum
	if sum.Payments != int64(len(payments)) || sum.Amount != want {
		return Summary{}, fmt.Errorf("cnab240: the file holds %d payments totalling %d, given %d totalling %d",
			sum.Payments, sum.Amount, len(payments), want)
	}
	return sum, nil
}

// maxAmount is the largest amount Segment A 120-134 carries (13 digits and
// 2 decimals).
const maxAmount = 999999999999999

func validatePayment(p Payment) error {
	if p.Reference == "" || len(p.Reference) > 20 || !upperText(p.Reference) {
		return fmt.Errorf("reference: 1 to 20 upper-case ASCII characters")
	}
	if p.Amount <= 0 || p.Amount > maxAmount {
		return fmt.Errorf("amount %d out of 1-%d centavos", p.Amount, int64(maxAmount))
	}
	if name := upperName(p.Name); name == "" || !upperText(name) {
		return fmt.Errorf("name %q is empty or not ASCII text", p.Name)
	}
	if p.PixKey.Type != "" {
		k, err := reconcile.ParsePixKey(p.PixKey.Value)
		if err != nil || k != p.PixKey {
			return fmt.Errorf("PIX key %q is not a valid key of type %s", p.PixKey.Value, p.PixKey.Type)
		}
	} else if _, err := reconcile.ParseBankAccount(p.Bank.Branch+"-"+p.Bank.Account+"-"+p.Bank.Digit, p.Bank.Bank); err != nil {
		return err
	}
	if p.TaxID != "" {
		if _, n, err := reconcile.ValidateTaxID(p.TaxID); err != nil || n != p.TaxID {
			return fmt.Errorf("tax id %q is not a normalized valid CPF or CNPJ", p.TaxID)
		}
	}
	return nil
}

// upperName is a name as the records carry it: upper case, cut to 30.
func upperName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	if len(b) > 30 {
		b = bytes.TrimRight(b[:30], " ")
	}
	return string(b)
}

// company fills the paying company's fields, the same in the file header
// and every batch header (18-102) but for the agreement code's width in a
// profile with a numeric one.
func (s Settings) company(r *record, fileHeader bool) {
	c := s.Company
	r.text(18, 18, "2")    // CNPJ
	r.text(19, 32, c.CNPJ) // 14 characters: digits, or letters in an alphanumeric CNPJ
	switch n := s.Profile.AgreementDigits; {
	case n == 0:
		r.text(33, 52, c.Agreement)
	case fileHeader:
		r.digitsField(33, 32+n, c.Agreement)
	default:
		r.digitsField(33, 52, c.Agreement)
	}
	r.digitsField(53, 57, c.Branch)
	r.digitsField(59, 70, c.Account)
	r.text(71, 71, c.Digit)
	r.text(73, 102, upperName(c.Name))
}

func (s Settings) control(r *record, batch int64, kind byte) {
	r.text(1, 3, s.Profile.BankCode)
	r.num(4, 7, batch)
	r[7] = kind
}

func (s Settings) fileHeader() *record {
	r := newRecord()
	s.control(r, 0, '0')
	s.company(r, true)
	r.text(103, 132, s.Profile.BankName)
	r.text(143, 143, "1") // remittance
	r.text(144, 151, s.Generated.Format("02012006"))
	r.text(152, 157, s.Generated.Format("150405"))
	r.num(158, 163, s.Sequence)
	r.text(164, 166, s.Profile.FileLayout)
	r.text(167, 171, s.Profile.Density)
	return r
}

func (s Settings) batchHeader(batch int64, method string) *record {
	r := newRecord()
	s.control(r, batch, '1')
	r.text(9, 9, "C")    // credit
	r.text(10, 11, "20") // supplier payments
	r.text(12, 13, method)
	r.text(14, 16, s.Profile.BatchLayout)
	s.company(r, false)
	r.num(173, 177, 0) // address number
	r.num(213, 217, 0) // CEP
	r.text(223, 224, s.Profile.PaymentForm)
	return r
}

func (s Settings) segmentA(batch, seq int64, clearing string, p Payment) *record {
	r := newRecord()
	s.control(r, batch, '3')
	r.num(9, 13, seq)
	r.text(14, 14, "A")
	r.text(15, 15, "0")  // movement: inclusion
	r.text(16, 17, "00") // instruction: inclusion of a detail record
	r.text(18, 20, clearing)
	if p.PixKey.Type != "" {
		r.num(21, 23, 0) // by key: no bank data
		r.num(24, 28, 0)
		r.num(30, 41, 0)
	} else {
		r.text(21, 23, p.Bank.Bank)
		r.digitsField(24, 28, p.Bank.Branch)
		r.digitsField(30, 41, p.Bank.Account)
		r.text(42, 42, p.Bank.Digit)
	}
	r.text(44, 73, upperName(p.Name))
	r.text(74, 93, p.Reference)
	r.text(94, 101, fmt.Sprintf("%02d%02d%04d", s.PaymentDate.Day, s.PaymentDate.Month, s.PaymentDate.Year))
	r.text(102, 104, "BRL")
	r.num(105, 119, 0)
	r.num(120, 134, p.Amount)
	r.num(155, 162, 0) // actual date: the bank's, in the return
	r.num(163, 177, 0) // actual amount: the bank's, in the return
	if clearing == clearingTED {
		r.text(220, 224, "00005") // TED purpose: payment to suppliers
		r.text(225, 226, "CC")    // to a current account
	}
	r.text(230, 230, "0") // no notice to the payee
	return r
}

// bankDataInitiation is Segment B 15-16 of a PIX by bank data.
const bankDataInitiation = "05"

func (s Settings) segmentB(batch, seq int64, p Payment) *record {
	r := newRecord()
	s.control(r, batch, '3')
	r.num(9, 13, seq)
	r.text(14, 14, "B")
	if p.PixKey.Type != "" {
		r.text(15, 16, string(p.PixKey.Type))
	} else {
		r.text(15, 16, bankDataInitiation)
	}
	switch len(p.TaxID) {
	case 11:
		r.text(18, 18, "1")
		r.digitsField(19, 32, p.TaxID)
	case 14:
		r.text(18, 18, "2")
		r.text(19, 32, p.TaxID)
	default:
		r.text(18, 18, "0") // not informed
		r.num(19, 32, 0)
	}
	if p.PixKey.Type != "" {
		r.text(128, 226, p.PixKey.Value) // as registered: an e-mail key stays lower case
	}
	r.num(227, 232, 0)
	r.num(233, 240, 0)
	return r
}

func (s Settings) batchTrailer(batch, records, total int64) *record {
	r := newRecord()
	s.control(r, batch, '5')
	r.num(18, 23, records)
	r.num(24, 41, total)
	r.num(42, 59, 0)
	r.num(60, 65, 0)
	return r
}

func (s Settings) fileTrailer(batches, records int64) *record {
	r := newRecord()
	s.control(r, 9999, '9')
	r.num(18, 23, batches)
	r.num(24, 29, records)
	r.num(30, 35, 0)
	return r
}
