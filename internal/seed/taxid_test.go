package seed

import "testing"

func TestTaxIDs(t *testing.T) {
	t.Parallel()
	// Published examples: two CPFs, a CNPJ, and the Receita's alphanumeric
	// CNPJ example.
	for _, id := range []string{"11144477735", "529.982.247-25", "11.222.333/0001-81", "12.ABC.345/01DE-35"} {
		if !validTaxID(id) {
			t.Errorf("validTaxID(%s) = false", id)
		}
	}
	r := newRNG(1, 99, 0)
	for range 1000 {
		cpf, cnpj := newCPF(r), newCNPJ(r)
		for _, id := range []string{cpf, cnpj, punctuate(cpf), punctuate(cnpj)} {
			if !validTaxID(id) {
				t.Fatalf("generated %s fails its check digits", id)
			}
		}
		if digitsOnly(punctuate(cnpj)) != cnpj || len(punctuate(cpf)) != 14 {
			t.Fatalf("punctuate(%s) = %s", cnpj, punctuate(cnpj))
		}
		for _, id := range []string{cpf, cnpj} {
			if validTaxID(breakCheckDigit(id)) {
				t.Fatalf("broken %s still valid", breakCheckDigit(id))
			}
		}
	}
}
