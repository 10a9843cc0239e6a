package store

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// userinfoPassword finds the password of a URL's userinfo, and
// keywordPassword the password of a key=value connection string.
var (
	userinfoPassword = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://[^/@:]*:([^@]*)@`)
	keywordPassword  = regexp.MustCompile(`(?i)\bpassword\s*=\s*('(?:[^'\\]|\\.)*'|\S+)`)
)

// RedactURL returns a database URL or connection string with its password
// replaced by "xxxxx", for messages. It never fails: a URL that does not
// parse is redacted by pattern.
func RedactURL(dsn string) string {
	if m := userinfoPassword.FindStringSubmatchIndex(dsn); m != nil {
		dsn = dsn[:m[2]] + "xxxxx" + dsn[m[3]:]
	}
	return keywordPassword.ReplaceAllString(dsn, "password=xxxxx")
}

// openError is err (from opening or reaching dsn) in words that never
// carry dsn's password: a URL that does not parse is described, not
// echoed (net/url's errors quote the URL or pieces of it), and any
// remaining copy of the password is cut out.
func openError(dsn string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Op == "parse" {
		return fmt.Errorf("DATABASE_URL is not a valid URL (%s): %s", urlProblem(ue.Err), RedactURL(dsn))
	}
	msg := err.Error()
	if dsn != "" {
		msg = strings.ReplaceAll(msg, dsn, RedactURL(dsn))
	}
	for _, pw := range passwords(dsn) {
		msg = strings.ReplaceAll(msg, pw, "xxxxx")
	}
	return errors.New(msg)
}

// urlProblem names what is wrong with a URL without quoting it.
func urlProblem(err error) string {
	var esc url.EscapeError
	switch msg := err.Error(); {
	case errors.As(err, &esc):
		return "a % not followed by two hex digits; write a literal % as %25"
	case strings.Contains(msg, "userinfo"):
		return "invalid character in the user name or password; percent-encode it"
	case strings.Contains(msg, "port"):
		return "invalid port"
	case strings.Contains(msg, "host"):
		return "invalid host"
	default:
		return "malformed"
	}
}

// passwords are the password texts dsn may carry, raw and decoded.
func passwords(dsn string) []string {
	var out []string
	if m := userinfoPassword.FindStringSubmatch(dsn); m != nil && m[1] != "" {
		out = append(out, m[1])
		if d, err := url.PathUnescape(m[1]); err == nil && d != m[1] && d != "" {
			out = append(out, d)
		}
	}
	for _, m := range keywordPassword.FindAllStringSubmatch(dsn, -1) {
		if pw := strings.Trim(m[1], "'"); pw != "" {
			out = append(out, pw)
		}
	}
	return out
}
