package seed

import "fmt"

// participant is one row of participants.
type participant struct {
	id, name, email, taxID, account, bank string
	pixKey                                string
}

var banks = []string{"001", "033", "104", "237", "260", "290", "323", "336", "341", "077"}

// Deliberate features are placed by index rather than drawn, so that even
// the smallest marketplace (60 participants) has each of them.
func missingAccount(i int) bool { return i%50 == 7 } // about 2%: MISSING_PAYOUT_ACCOUNT
func hostileName(i int) bool    { return i%37 == 11 }
func invalidTaxID(i int) bool   { return i%45 == 23 } // INVALID_TAX_ID

func participantID(i int) string { return fmt.Sprintf("u%06d", i+1) }

// makeParticipant builds participant i from the seed alone.
func makeParticipant(seed int64, i int) participant {
	r := newRNG(seed, purposeParticipant, uint64(i))
	p := participant{id: participantID(i)}
	company := r.chance(1500)
	switch {
	case hostileName(i):
		p.name = hostileNames[(i/37)%len(hostileNames)]
	case company:
		p.name = companyName(r)
	default:
		p.name = personName(r)
	}
	if !r.chance(500) {
		if hostileName(i) {
			p.email = fmt.Sprintf("contato%d@%s", i+1, pickOne(r, emailDomains))
		} else {
			p.email = emailFor(r, p.name, r.IntN(100))
		}
	}
	if company {
		p.taxID = newCNPJ(r)
	} else {
		p.taxID = newCPF(r)
	}
	if invalidTaxID(i) {
		p.taxID = breakCheckDigit(p.taxID)
	}
	if r.chance(1000) {
		p.taxID = punctuate(p.taxID)
	}
	if !missingAccount(i) {
		// Brazilian bank data BRANCH-ACCOUNT-DIGIT, as a CNAB 240
		// remittance carries it; the digit is derived (mod 11 of the
		// account), not drawn, so the rest of the marketplace is the same.
		branch, acct := r.intBetween(1, 3999), r.IntN(10_000_000)
		p.account = fmt.Sprintf("%04d-%07d-%d", branch, acct, accountDigit(acct))
		p.bank = pickOne(r, banks)
		p.pixKey = seededPixKey(i, p.taxID)
	}
	return p
}

// digitsOnly strips the punctuation of a tax id, as SPEC section 2 does
// before comparing.
func digitsOnly(id string) string {
	b := make([]byte, 0, len(id))
	for i := 0; i < len(id); i++ {
		if c := id[i]; c != '.' && c != '/' && c != '-' {
			b = append(b, c)
		}
	}
	return string(b)
}

// accountDigit is a check digit for a seeded account: mod 11 of its digits
// weighted 2..9 from the right, 10 and 11 written 0.
func accountDigit(n int) int {
	sum, w := 0, 2
	for ; n > 0; n /= 10 {
		sum += (n % 10) * w
		if w++; w > 9 {
			w = 2
		}
	}
	d := 11 - sum%11
	if d >= 10 {
		d = 0
	}
	return d
}

// seededPixKey gives about half the participants with an account a PIX
// key, derived from the index (no random draws, so the rest of the
// marketplace does not change): their CPF/CNPJ when it is valid, a phone
// or a random key (UUID).
func seededPixKey(i int, taxID string) string {
	switch i % 6 {
	case 1:
		if !invalidTaxID(i) {
			return taxID
		}
	case 3:
		return fmt.Sprintf("+55119%08d", i%100_000_000)
	case 5:
		return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(i*2654435761), i%0x10000, i%0x1000, (i/7)%0x1000, uint64(i)*0x9E3779B9%0x1000000000000)
	}
	return ""
}
