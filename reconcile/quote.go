package reconcile

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// QuoteMax is the most bytes of a value a message quotes.
const QuoteMax = 80

// Quote is a value for a message: %q, cut after QuoteMax bytes (on a
// character boundary) with its length said, so that one absurd value (a
// 100 MB cell) cannot make a huge message.
func Quote(s string) string {
	if len(s) <= QuoteMax {
		return strconv.Quote(s)
	}
	cut := s[:QuoteMax]
	for i := 0; i < utf8.UTFMax && !utf8.ValidString(cut); i++ {
		cut = cut[:len(cut)-1]
	}
	return fmt.Sprintf("%s... (%d bytes)", strconv.Quote(cut), len(s))
}

// charAt is the character of s starting at byte i, quoted for a message
// (a byte that is not UTF-8 shows as \xNN), and its length in bytes.
func charAt(s string, i int) (string, int) {
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size <= 1 {
		return fmt.Sprintf("%q", s[i:i+1]), 1
	}
	return strconv.Quote(string(r)), size
}

// Plural is n with word, made plural unless n is 1 ("1 bad row", "2 bad
// rows"); plural is the plural form ("" adds an s).
func Plural(n int64, word, plural string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	if plural == "" {
		plural = word + "s"
	}
	return fmt.Sprintf("%d %s", n, plural)
}
