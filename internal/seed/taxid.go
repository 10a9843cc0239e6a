package seed

// Brazilian tax ids with real check digits: SPEC section 2 flags a tax id
// whose check digits fail (INVALID_TAX_ID), so the seed must compute them
// for the ids meant to be valid and break them on purpose for a few.

var (
	cpfWeights1  = []int{10, 9, 8, 7, 6, 5, 4, 3, 2}
	cpfWeights2  = []int{11, 10, 9, 8, 7, 6, 5, 4, 3, 2}
	cnpjWeights1 = []int{5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}
	cnpjWeights2 = []int{6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}
)

// checkDigit is the mod-11 check digit of chars under weights, each
// character valued ASCII - 48 (which also covers the alphanumeric CNPJ).
func checkDigit(chars []byte, weights []int) byte {
	sum := 0
	for i, c := range chars {
		sum += int(c-'0') * weights[i]
	}
	if r := sum % 11; r >= 2 {
		return byte('0' + 11 - r)
	}
	return '0'
}

// newCPF draws a valid 11-digit CPF. Ids of one repeated digit pass the
// check digits but are rejected by the Receita, so they are never drawn.
func newCPF(r rng) string {
	b := make([]byte, 11)
	for {
		for i := 0; i < 9; i++ {
			b[i] = byte('0' + r.IntN(10))
		}
		if !sameDigits(b[:9]) {
			break
		}
	}
	b[9] = checkDigit(b[:9], cpfWeights1)
	b[10] = checkDigit(b[:10], cpfWeights2)
	return string(b)
}

// newCNPJ draws a valid numeric 14-digit CNPJ: an 8-digit root, a branch
// number (mostly 0001, the head office) and the two check digits.
func newCNPJ(r rng) string {
	b := make([]byte, 14)
	for {
		for i := 0; i < 8; i++ {
			b[i] = byte('0' + r.IntN(10))
		}
		if !sameDigits(b[:8]) {
			break
		}
	}
	branch := 1
	if r.chance(1000) {
		branch = r.intBetween(2, 40)
	}
	for i := 11; i >= 8; i-- {
		b[i] = byte('0' + branch%10)
		branch /= 10
	}
	b[12] = checkDigit(b[:12], cnpjWeights1)
	b[13] = checkDigit(b[:13], cnpjWeights2)
	return string(b)
}

func sameDigits(b []byte) bool {
	for _, c := range b {
		if c != b[0] {
			return false
		}
	}
	return true
}

// breakCheckDigit returns id with its last check digit changed, so that it
// fails validation.
func breakCheckDigit(id string) string {
	b := []byte(id)
	last := len(b) - 1
	b[last] = '0' + (b[last]-'0'+1)%10
	return string(b)
}

// punctuate writes a CPF as 123.456.789-09 and a CNPJ as
// 12.345.678/0001-95, as people type them. SPEC section 2 strips the
// punctuation before comparing, so the same id appears both ways.
func punctuate(id string) string {
	switch len(id) {
	case 11:
		return id[0:3] + "." + id[3:6] + "." + id[6:9] + "-" + id[9:11]
	case 14:
		return id[0:2] + "." + id[2:5] + "." + id[5:8] + "/" + id[8:12] + "-" + id[12:14]
	}
	return id
}
