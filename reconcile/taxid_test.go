package reconcile

import (
	"strings"
	"testing"
)

func TestValidateTaxID(t *testing.T) {
	t.Parallel()
	valid := map[string]TaxIDKind{
		"11144477735":        CPF, // the basic example's lead producer
		"529.982.247-25":     CPF, // a commonly published valid CPF
		"52998224725":        CPF,
		"11.222.333/0001-81": CNPJ, // a commonly published valid numeric CNPJ
		"11222333000181":     CNPJ,
		"12.ABC.345/01DE-35": CNPJ, // the Receita Federal's example of an alphanumeric CNPJ
		"12abc34501de35":     CNPJ, // the same, lower case and without punctuation
		// Published CNPJs of large companies (public registry data).
		"00.000.000/0001-91": CNPJ, // Banco do Brasil: a root of zeros is valid
		"60.701.190/0001-04": CNPJ, // Itaú Unibanco
		"33.000.167/0001-01": CNPJ, // Petrobras
		"00.360.305/0001-04": CNPJ, // Caixa Econômica Federal
		"000.000.001-91":     CPF,  // a CPF with leading zeros (kept as text, never a number)
		"390.533.447-05":     CPF,
	}
	for in, kind := range valid {
		k, _, err := ValidateTaxID(in)
		if err != nil || k != kind {
			t.Errorf("ValidateTaxID(%q) = %s, %v; want a valid %s", in, k, err, kind)
		}
	}
	invalid := map[string]string{
		"11144477736":        "check digits",
		"529.982.247-24":     "check digits",
		"11111111111":        "repeated",
		"11.222.333/0001-82": "check digits",
		"12.ABC.345/01DE-36": "check digits",
		"12.ABC.345/01DE-3A": "ends in 2 check digits",
		"1234":               "neither",
		"":                   "neither",
		"12.ABC.345/01D!-35": "12 letters or digits",
		"00000000000000":     "repeated",
		"00.000.000/0001-90": "check digits", // Banco do Brasil, last digit changed
		"60.701.190/0001-40": "check digits", // Itaú, check digits swapped
		"191":                "neither",      // 000.000.001-91 read as a number: the zeros are lost
		"1.2E+10":            "neither",
		"12.ABC.345/01DE-53": "check digits", // the alphanumeric example, check digits swapped
		"12.ABÇ.345/01DE-35": "neither",      // not ASCII: more than 14 bytes
	}
	for in, why := range invalid {
		if _, _, err := ValidateTaxID(in); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("ValidateTaxID(%q) = %v, want an error about %q", in, err, why)
		}
	}
}

// FuzzValidateTaxID: no panic, and an accepted id is stable under
// normalization and keeps its meaning when written with punctuation.
func FuzzValidateTaxID(f *testing.F) {
	for _, s := range []string{"11144477735", "12.ABC.345/01DE-35", "11.222.333/0001-81", "", "abc", "00000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		kind, n, err := ValidateTaxID(s)
		if err != nil {
			return
		}
		k2, n2, err2 := ValidateTaxID(n)
		if err2 != nil || k2 != kind || n2 != n {
			t.Fatalf("%q valid as %s %s, but its normal form %q gives %s %s %v", s, kind, n, n, k2, n2, err2)
		}
		punct := n[:2] + "." + n[2:5] + "/" + n[5:] + "-"
		if k3, n3, err3 := ValidateTaxID(punct); err3 != nil || k3 != kind || n3 != n {
			t.Fatalf("%q with punctuation %q: %s %s %v", n, punct, k3, n3, err3)
		}
	})
}
