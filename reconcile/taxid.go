package reconcile

import (
	"fmt"
	"strings"
)

// TaxIDKind is the kind of a Brazilian tax id.
type TaxIDKind string

const (
	CPF  TaxIDKind = "CPF"  // individuals: 11 digits
	CNPJ TaxIDKind = "CNPJ" // companies: 12 alphanumeric characters + 2 check digits
)

// NormalizeTaxID strips the punctuation (". / -") people write tax ids
// with and upper-cases letters, so "12.ABC.345/01DE-35" and "12abc34501de35"
// compare equal.
func NormalizeTaxID(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' || c == '/' || c == '-':
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// ValidateTaxID checks a CPF or CNPJ, including the alphanumeric CNPJ in
// use from July 2026: check digits mod 11, each character valued ASCII-48
// (digits 0-9, 'A' 17 ... 'Z' 42). It returns the kind and the normalized
// id, or why it is not valid.
func ValidateTaxID(s string) (TaxIDKind, string, error) {
	n := NormalizeTaxID(s)
	switch len(n) {
	case 11:
		if !allDigits(n) {
			return "", n, fmt.Errorf("tax id %s: a CPF has 11 digits", Quote(s))
		}
		if strings.Count(n, n[:1]) == len(n) {
			return CPF, n, fmt.Errorf("tax id %s: a CPF of one repeated digit is not valid", Quote(s))
		}
		if n[9] != checkDigit(n[:9], 10) || n[10] != checkDigit(n[:10], 11) {
			return CPF, n, fmt.Errorf("tax id %s: CPF check digits do not match", Quote(s))
		}
		return CPF, n, nil
	case 14:
		for i := 0; i < 12; i++ {
			c := n[i]
			if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
				return "", n, fmt.Errorf("tax id %s: a CNPJ has 12 letters or digits and 2 check digits", Quote(s))
			}
		}
		if !allDigits(n[12:]) {
			return "", n, fmt.Errorf("tax id %s: a CNPJ ends in 2 check digits", Quote(s))
		}
		if strings.Count(n, n[:1]) == len(n) {
			return CNPJ, n, fmt.Errorf("tax id %s: a CNPJ of one repeated digit is not valid", Quote(s))
		}
		if n[12] != cnpjCheckDigit(n[:12]) || n[13] != cnpjCheckDigit(n[:13]) {
			return CNPJ, n, fmt.Errorf("tax id %s: CNPJ check digits do not match", Quote(s))
		}
		return CNPJ, n, nil
	}
	return "", n, fmt.Errorf("tax id %s is neither a CPF (11 digits) nor a CNPJ (14 characters)", Quote(s))
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// checkDigit is the CPF rule: weights from first down to 2, remainder of
// the sum by 11; below 2 gives 0, otherwise 11 minus it.
func checkDigit(s string, first int) byte {
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += int(s[i]-'0') * (first - i)
	}
	return dvFromSum(sum)
}

// cnpjCheckDigit is the CNPJ rule: weights 2..9 repeating from the right,
// each character valued ASCII-48.
func cnpjCheckDigit(s string) byte {
	sum, w := 0, 2
	for i := len(s) - 1; i >= 0; i-- {
		sum += int(s[i]-'0') * w
		if w++; w > 9 {
			w = 2
		}
	}
	return dvFromSum(sum)
}

func dvFromSum(sum int) byte {
	r := sum % 11
	if r < 2 {
		return '0'
	}
	return byte('0' + 11 - r)
}
