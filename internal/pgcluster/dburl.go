package pgcluster

import (
	"fmt"
	"net/url"
	"strings"
)

// parseDatabaseURL parses a postgres:// or postgresql:// URL such as $DATABASE_URL.
func parseDatabaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error repeats the URL, which may hold a password.
		return nil, fmt.Errorf("DATABASE_URL is not a URL (want postgres://user:password@host:port/dbname?sslmode=disable)")
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return nil, fmt.Errorf("DATABASE_URL %s: scheme is %q, want postgres:// or postgresql://", u.Redacted(), u.Scheme)
	}
	return u, nil
}

// databaseOf returns the database name in URL u ("" when it names none).
func databaseOf(u *url.URL) string {
	return strings.TrimPrefix(u.Path, "/")
}

// withDatabase returns a copy of u that names database dbname.
func withDatabase(u *url.URL, dbname string) string {
	c := *u
	c.Path = "/" + dbname
	c.RawPath = ""
	return c.String()
}
