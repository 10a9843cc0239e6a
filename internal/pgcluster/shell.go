package pgcluster

import "strings"

// shellQuote quotes s for a POSIX shell. pg_ctl passes its -o options to
// the shell, so paths in them must be quoted.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
