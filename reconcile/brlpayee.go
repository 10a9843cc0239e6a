package reconcile

import (
	"fmt"
	"strings"
)

// PixKeyType is the kind of a PIX key, numbered as CNAB 240 Segment B
// writes it ("forma de iniciação").
type PixKeyType string

const (
	PixPhone  PixKeyType = "01" // +55, area code, number
	PixEmail  PixKeyType = "02"
	PixTaxID  PixKeyType = "03" // CPF or CNPJ
	PixRandom PixKeyType = "04" // the random key (EVP), a UUID
)

// PixKey is a validated PIX key in the form it is sent: a phone as
// +55DDNNNNNNNNN, an e-mail and a random key in lower case (DICT keeps
// both in lower case), a CPF or CNPJ as its 11 or 14 characters without
// punctuation.
type PixKey struct {
	Type  PixKeyType
	Value string
}

// ParsePixKey validates a PIX key as registered and tells its type:
//
//   - a phone: "+55", a two-digit area code (11-99) and 8 or 9 digits;
//   - an e-mail: at most 77 characters, one "@", a local part and a domain
//     of ASCII letters, digits and the usual punctuation, the domain with a
//     dot;
//   - a CPF or CNPJ: with valid check digits (punctuation allowed);
//   - a random key: a UUID, 8-4-4-4-12 hexadecimal digits.
//
// Anything else is refused: a key is never guessed or rewritten.
func ParsePixKey(s string) (PixKey, error) {
	switch {
	case s == "":
		return PixKey{}, fmt.Errorf("pix_key is empty")
	case strings.HasPrefix(s, "+"):
		if !strings.HasPrefix(s, "+55") {
			return PixKey{}, fmt.Errorf("pix_key %q: a phone key is a Brazilian number starting with +55", s)
		}
		n := s[3:]
		if !allDigits(n) || len(n) != 10 && len(n) != 11 || n[0] == '0' {
			return PixKey{}, fmt.Errorf("pix_key %q: a phone key is +55, a two-digit area code and 8 or 9 digits", s)
		}
		return PixKey{PixPhone, s}, nil
	case strings.Contains(s, "@"):
		if err := validateEmailKey(s); err != nil {
			return PixKey{}, err
		}
		return PixKey{PixEmail, strings.ToLower(s)}, nil
	case uuidLike(s):
		return PixKey{PixRandom, strings.ToLower(s)}, nil
	}
	kind, n, err := ValidateTaxID(s)
	if kind == "" {
		return PixKey{}, fmt.Errorf("pix_key %q is none of a +55 phone, an e-mail, a CPF/CNPJ or a random key (UUID)", s)
	}
	if err != nil {
		return PixKey{}, fmt.Errorf("pix_key: %w", err)
	}
	return PixKey{PixTaxID, n}, nil
}

func validateEmailKey(s string) error {
	local, domain, ok := strings.Cut(s, "@")
	bad := !ok || len(s) > 77 || local == "" || domain == "" || strings.Contains(domain, "@") ||
		!strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.Contains(domain, "..") || strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".")
	for i := 0; !bad && i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		switch {
		case alnum || c == '@' || c == '.' || c == '-':
		case i < len(local) && strings.IndexByte("_+!#$%&'*/=?^`{|}~", c) >= 0:
		default:
			bad = true
		}
	}
	if bad {
		return fmt.Errorf("pix_key %q is not an e-mail address a PIX key can be (ASCII, at most 77 characters, name@domain.tld)", s)
	}
	return nil
}

func uuidLike(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// BankAccount is Brazilian bank data as a CNAB 240 file carries it.
type BankAccount struct {
	Bank    string // COMPE code, 3 digits
	Branch  string // "agência", 1 to 5 digits, without check digit
	Account string // "conta", 1 to 12 digits
	Digit   string // the account's check digit: one digit or letter (X, P ...)
}

// ParseBankAccount reads BRL bank data: payout_account in the form
// BRANCH-ACCOUNT-DIGIT ("0001-00123456-7": branch of 1 to 5 digits,
// account of 1 to 12 digits, one check digit or letter) and payout_bank
// the bank's 3-digit COMPE code. The check digit's algorithm differs from
// bank to bank and is not verified here: the paying bank does, and
// reports a wrong one in its return file (occurrence AN).
func ParseBankAccount(account, bank string) (BankAccount, error) {
	if len(bank) != 3 || !allDigits(bank) {
		return BankAccount{}, fmt.Errorf("payout_bank %q is not a 3-digit Brazilian bank code (COMPE)", bank)
	}
	parts := strings.Split(account, "-")
	if len(parts) != 3 || len(parts[0]) < 1 || len(parts[0]) > 5 || !allDigits(parts[0]) ||
		len(parts[1]) < 1 || len(parts[1]) > 12 || !allDigits(parts[1]) || len(parts[2]) != 1 ||
		!(allDigits(parts[2]) || parts[2][0] >= 'A' && parts[2][0] <= 'Z') {
		return BankAccount{}, fmt.Errorf("payout_account %q is not Brazilian bank data BRANCH-ACCOUNT-DIGIT (like 0001-00123456-7)", account)
	}
	return BankAccount{Bank: bank, Branch: parts[0], Account: parts[1], Digit: parts[2]}, nil
}

// Payee is what a payout needs to know about whom it pays.
type Payee struct {
	Account string // payout_account
	Bank    string // payout_bank
	PixKey  string // pix_key
}

// ValidateBRLPayee checks that a BRL payout can be sent through a CNAB 240
// remittance: by PIX key when the payee has one (which must be valid: a
// payee who registered a key is paid to it, never to other data), else to
// bank data BRANCH-ACCOUNT-DIGIT at a 3-digit bank.
func ValidateBRLPayee(p Payee) error {
	if p.PixKey != "" {
		_, err := ParsePixKey(p.PixKey)
		return err
	}
	_, err := ParseBankAccount(p.Account, p.Bank)
	return err
}

// SettleWithPayee is SettlePayee with every payout detail: a BRL balance
// whose payee the CNAB 240 remittance cannot carry (ValidateBRLPayee) is
// INVALID_PAYOUT_ACCOUNT too, and carried forward, never sent.
func SettleWithPayee(b Balance, minPayout int64, p Payee) (Balance, *Finding) {
	if p.Account == "" || b.Currency.Code != "BRL" {
		return SettlePayee(b, minPayout, p.Account, p.Bank)
	}
	settled, f := SettlePayee(b, minPayout, p.Account, p.Bank)
	if f != nil || settled.Payout == 0 {
		return settled, f
	}
	problem := ValidateBRLPayee(p)
	if problem == nil {
		return settled, nil
	}
	settled, f = Settle(b, minPayout, false)
	if f != nil {
		f.Kind = InvalidPayoutAccount
		f.Detail = fmt.Sprintf("participant %s has %s %s to be paid but %v; carried forward",
			b.ParticipantID, FormatAmount(b.Closing(), b.Currency), b.Currency.Code, problem)
	}
	return settled, f
}
