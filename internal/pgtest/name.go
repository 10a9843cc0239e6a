package pgtest

import (
	"crypto/rand"
	"strconv"
	"strings"
)

// maxIdentifier is PostgreSQL's identifier length limit in bytes (NAMEDATALEN-1).
const maxIdentifier = 63

// processToken tells apart the databases of test binaries that share one
// server (go test ./... runs packages in parallel against DATABASE_URL).
var processToken = randomToken(4)

// databaseName is the name of the n-th database of this process for the
// test named testName: the sanitized test name, the process token and n,
// lower-case [a-z0-9_], starting with a letter, at most 63 bytes. Only the
// test name part is shortened.
func databaseName(testName, token string, n uint64) string {
	suffix := "_" + token + "_" + strconv.FormatUint(n, 10)
	base := sanitize(testName)
	if base == "" {
		base = "db"
	} else if base[0] < 'a' || base[0] > 'z' {
		base = "t_" + base
	}
	if limit := maxIdentifier - len(suffix); len(base) > limit {
		base = strings.TrimRight(base[:limit], "_")
	}
	return base + suffix
}

// sanitize lower-cases s and replaces every run of characters other than
// [a-z0-9] with one underscore, trimming underscores at both ends.
func sanitize(s string) string {
	var b strings.Builder
	underscore := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			underscore = false
		} else if !underscore {
			b.WriteByte('_')
			underscore = true
		}
	}
	return strings.Trim(b.String(), "_")
}

// randomToken returns n random characters from [a-z0-9].
func randomToken(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead of erring)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
