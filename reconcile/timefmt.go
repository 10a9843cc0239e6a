package reconcile

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// ParseTimestamp parses an RFC 3339 timestamp that carries its offset
// ("2026-03-03T10:00:00-03:00", "2026-03-04T02:30:00Z"). A timestamp without
// an offset is refused: its instant would depend on the reader's zone. At
// most microsecond precision is accepted, which is what PostgreSQL keeps.
func ParseTimestamp(s string) (time.Time, error) {
	// time.Parse alone is lenient (a one-digit hour, a comma before the
	// fraction, a +24:00 offset), so the shape is checked first.
	if !timestampShape.MatchString(s) {
		if noOffsetShape.MatchString(s) {
			return time.Time{}, fmt.Errorf("timestamp %s has no offset (add Z or -03:00)", Quote(s))
		}
		return time.Time{}, fmt.Errorf("timestamp %s is not RFC 3339 with an offset (like 2026-03-03T10:00:00-03:00)", Quote(s))
	}
	if _, frac, ok := strings.Cut(s[len("2006-01-02T15:04:05"):], "."); ok {
		if digits := strings.IndexFunc(frac, func(r rune) bool { return r < '0' || r > '9' }); digits > 6 {
			return time.Time{}, fmt.Errorf("timestamp %s is more precise than microseconds", Quote(s))
		}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %s is not a valid instant: %v", Quote(s), err)
	}
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return time.Time{}, fmt.Errorf("timestamp %s is outside the years 0001-9999 in UTC", Quote(s))
	}
	return t, nil
}

var (
	timestampShape = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$`)
	noOffsetShape  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?$`)
)

// FormatTimestamp is the canonical text of an instant in outputs: RFC 3339
// in UTC with the fraction only when there is one.
func FormatTimestamp(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// Date is a calendar day, with no zone of its own.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses YYYY-MM-DD and refuses dates that do not exist.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("date %s is not a valid YYYY-MM-DD date", Quote(s))
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Compact is the date as YYYYMMDD, for ids.
func (d Date) Compact() string { return fmt.Sprintf("%04d%02d%02d", d.Year, d.Month, d.Day) }

// AddDays returns the date n calendar days later.
func (d Date) AddDays(n int) Date {
	t := time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC)
	return Date{t.Year(), t.Month(), t.Day()}
}

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool { return d.String() < e.String() }

// DateOf is the calendar day of instant t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	l := t.In(loc)
	return Date{l.Year(), l.Month(), l.Day()}
}

// StartOfDay is the first instant whose calendar day in loc is d. Where a
// daylight-saving jump skips midnight (Brazil until 2019: 00:00 became
// 01:00), that is the first instant after the jump.
func StartOfDay(d Date, loc *time.Location) time.Time {
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
	// time.Date resolves a skipped local midnight to some instant near the
	// gap; step back while the previous instant is still on day d, then
	// forward while we are still on the day before.
	for DateOf(t.Add(-time.Hour), loc) == d {
		t = t.Add(-time.Hour)
	}
	for DateOf(t, loc) != d {
		t = t.Add(time.Hour)
	}
	// t is now within an hour after the true start; walk back in minutes.
	for DateOf(t.Add(-time.Minute), loc) == d {
		t = t.Add(-time.Minute)
	}
	return t
}

// WindowEnd is the end (exclusive) of business date d in the platform zone:
// the start of d+1.
func WindowEnd(d Date, loc *time.Location) time.Time {
	return StartOfDay(d.AddDays(1), loc)
}

// AddBusinessDays returns the date n weekdays (Monday to Friday) after d.
// Bank holidays are not known here; a provider moves a requested execution
// date that falls on one to its next business day.
func (d Date) AddBusinessDays(n int) Date {
	for n > 0 {
		d = d.AddDays(1)
		if wd := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return d
}
