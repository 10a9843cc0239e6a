// Package cnab240 writes the CNAB 240 remittance of a run's BRL payout
// items (FEBRABAN layout for supplier payments, service type 20) and reads
// it back, and reads the bank's CNAB 240 return file into status reports
// (SPEC sections 12 and 13). It knows nothing of the database or the
// clock: everything comes from the caller. docs/file-formats.md describes
// every record and field.
package cnab240

import (
	"fmt"
	"strings"

	"payouts/reconcile"
)

// Payment methods ("forma de lançamento", batch header 12-13).
const (
	MethodCredit = "01" // credit in an account at the paying bank
	MethodTED    = "41" // TED to another holder
	MethodPix    = "45" // PIX transfer (by key, or by bank data)
)

// Clearing codes ("câmara centralizadora", Segment A 18-20).
const (
	clearingSameBank = "000"
	clearingTED      = "018"
	clearingPix      = "009"
)

// Profile is what differs from one bank to another in the fields we fill:
// the bank's code and name, the layout versions it takes, and how it pays
// bank data.
type Profile struct {
	Name        string // PAYOUTS_CNAB_BANK: "febraban" or "bradesco"
	BankCode    string // COMPE code of the paying bank, every record 1-3
	BankName    string // file header 103-132
	FileLayout  string // file header 164-166
	BatchLayout string // batch header 14-16
	Density     string // file header 167-171
	// BankData is how a payee without a PIX key is paid: MethodPix (PIX by
	// bank data, Segment B initiation 05) or MethodTED; SameBankCredit pays
	// payees at the paying bank by MethodCredit instead.
	BankData       string
	SameBankCredit bool
	// AgreementDigits > 0: the agreement code is numeric, at most that
	// many digits, zero-padded in file header 33-(32+AgreementDigits)
	// (the rest of 33-52 blank) and in batch header 33-52. 0: text,
	// space-padded in 33-52 of both.
	AgreementDigits int
	// PaymentForm is batch header 223-224 ("forma de pagamento do
	// serviço"), blank when empty.
	PaymentForm string
}

// ProfileNames lists the profiles PAYOUTS_CNAB_BANK accepts.
var ProfileNames = []string{"febraban", "bradesco"}

// LookupProfile returns a bank profile. bankCode is the paying bank's
// COMPE code for the generic profile (the bank's own profiles fix it; an
// empty code there means the profile's).
func LookupProfile(name, bankCode string) (Profile, error) {
	var p Profile
	switch name {
	case "", "febraban":
		// FEBRABAN 240 v10.x: PIX for every payee, by key or by bank data.
		p = Profile{Name: "febraban", BankCode: bankCode, BankName: "", FileLayout: "103", BatchLayout: "046",
			Density: "00000", BankData: MethodPix}
		if p.BankCode == "" {
			p.BankCode = "000"
		}
	case "bradesco":
		// Bradesco Multipag: layout 089 / 045, density 01600, a numeric
		// agreement of up to 6 digits, payment of the service by debit in
		// account (01); bank data paid by credit in account at Bradesco and
		// TED elsewhere.
		p = Profile{Name: "bradesco", BankCode: "237", BankName: "BRADESCO", FileLayout: "089", BatchLayout: "045",
			Density: "01600", BankData: MethodTED, SameBankCredit: true, AgreementDigits: 6, PaymentForm: "01"}
		if bankCode != "" && bankCode != "237" {
			return p, fmt.Errorf("the bradesco profile pays from bank 237, not %s", bankCode)
		}
	default:
		return p, fmt.Errorf("unknown CNAB bank profile %q (one of %s)", name, strings.Join(ProfileNames, ", "))
	}
	if len(p.BankCode) != 3 || !digits(p.BankCode) {
		return p, fmt.Errorf("paying bank code %q is not 3 digits", p.BankCode)
	}
	return p, nil
}

// Company is the paying company: who the bank debits.
type Company struct {
	CNPJ      string // 14 characters, valid check digits
	Agreement string // "convênio": the bank's code for the service contract, up to 20
	Branch    string // up to 5 digits
	Account   string // up to 12 digits
	Digit     string // the account's check digit, one character
	Name      string // up to 30 characters after transliteration
}

// Validate checks the company's fields fit the records.
func (c Company) Validate() error {
	if kind, n, err := reconcile.ValidateTaxID(c.CNPJ); err != nil || kind != reconcile.CNPJ || n != c.CNPJ {
		return fmt.Errorf("company CNPJ %q is not a valid CNPJ of 14 characters without punctuation", c.CNPJ)
	}
	if len(c.Agreement) > 20 || !upperText(c.Agreement) {
		return fmt.Errorf("agreement code %q: at most 20 upper-case letters, digits and spaces", c.Agreement)
	}
	if len(c.Branch) < 1 || len(c.Branch) > 5 || !digits(c.Branch) {
		return fmt.Errorf("branch %q: 1 to 5 digits", c.Branch)
	}
	if len(c.Account) < 1 || len(c.Account) > 12 || !digits(c.Account) {
		return fmt.Errorf("account %q: 1 to 12 digits", c.Account)
	}
	if len(c.Digit) != 1 || !upperText(c.Digit) || c.Digit == " " {
		return fmt.Errorf("account digit %q: one digit or upper-case letter", c.Digit)
	}
	if c.Name == "" || len(c.Name) > 30 || !upperText(c.Name) {
		return fmt.Errorf("company name %q: 1 to 30 upper-case ASCII characters", c.Name)
	}
	return nil
}

// CheckCompany checks what the profile requires of the company beyond
// Company.Validate.
func (p Profile) CheckCompany(c Company) error {
	if p.AgreementDigits > 0 && (len(c.Agreement) < 1 || len(c.Agreement) > p.AgreementDigits || !digits(c.Agreement)) {
		return fmt.Errorf("the %s profile's agreement code is 1 to %d digits, not %q", p.Name, p.AgreementDigits, c.Agreement)
	}
	return nil
}

// method is how a payment goes: its batch's payment method, the Segment A
// clearing code and, in a PIX batch, the Segment B initiation.
func (p Profile) method(pay Payment) (method, clearing string) {
	if pay.PixKey.Type != "" {
		return MethodPix, clearingPix
	}
	if p.SameBankCredit && pay.Bank.Bank == p.BankCode {
		return MethodCredit, clearingSameBank
	}
	if p.BankData == MethodTED {
		return MethodTED, clearingTED
	}
	return MethodPix, clearingPix
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// upperText reports whether s is text a record may carry: printable ASCII
// without lower-case letters.
func upperText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c >= 'a' && c <= 'z' {
			return false
		}
	}
	return true
}
