package reports

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// BankText turns a name from the data into text every bank accepts, for
// the provider files (pain.001 and the provider CSV):
//
//   - The ISO 20022 schema allows any Unicode, but payment schemes (the EPC
//     guidelines that most banks apply to pain.001) accept only the Latin
//     set a-z A-Z 0-9 / - ? : ( ) . , ' + and space. Accented letters are
//     transliterated (decomposed, marks dropped: "João Ávila" becomes "Joao
//     Avila"; ß ss, æ ae, ø o, ł l, đ d ...); any other character becomes a
//     space, and runs of spaces collapse.
//   - Leading characters a spreadsheet would read as a formula ("+", "-")
//     are dropped ("=" and "@" are outside the set already), so the
//     provider CSV is safe to open and the XML says the same thing.
//   - The result is cut to max characters, never inside a character.
//
// When nothing is left (a name in a non-Latin script), fallback is used,
// cleaned the same way: the caller passes the participant id.
func BankText(s string, max int, fallback string) string {
	out := latin(s)
	if out == "" {
		out = latin(fallback)
	}
	if r := []rune(out); len(r) > max {
		out = strings.TrimRight(string(r[:max]), " ")
	}
	return out
}

var transliterations = map[rune]string{
	'ß': "ss", 'æ': "ae", 'Æ': "AE", 'ø': "o", 'Ø': "O", 'œ': "oe", 'Œ': "OE", 'ł': "l", 'Ł': "L",
	'đ': "d", 'Đ': "D", 'ð': "d", 'Ð': "D", 'þ': "th", 'Þ': "TH", 'ı': "i", '&': "+", '"': "'",
	'‘': "'", '’': "'", '´': "'", '`': "'", '_': "-", '–': "-", '—': "-", ';': ",", '!': ".",
}

func latin(s string) string {
	var b strings.Builder
	space := true // drop leading spaces
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue // a combining accent: keep the base letter only
		}
		repl, ok := transliterations[r]
		if !ok {
			repl = string(r)
			if !inLatinSet(r) {
				repl = " "
			}
		}
		for _, c := range repl {
			if c == ' ' {
				if space {
					continue
				}
				space = true
			} else {
				if b.Len() == 0 && (c == '+' || c == '-') {
					continue // a formula start: dropped
				}
				space = false
			}
			b.WriteRune(c)
		}
	}
	return strings.TrimRight(b.String(), " ")
}

func inLatinSet(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("/-?:().,'+ ", r)
}
