package load

import (
	"strings"
	"testing"
	"time"
)

// parsed is what parseFile produced, for tests.
type parsed struct {
	rows     [][]any
	errs     []RowError
	readable bool
}

func parseString(t testing.TB, tableName, content string) parsed {
	t.Helper()
	var p parsed
	emit := func(vals []any) error {
		p.rows = append(p.rows, append([]any(nil), vals...))
		return nil
	}
	var err error
	_, p.readable, err = parseFile(byName[tableName], strings.NewReader(content), emit, func(e RowError) { p.errs = append(p.errs, e) })
	if err != nil {
		t.Fatalf("parseFile: %v", err)
	}
	return p
}

func (p parsed) errorText() string {
	var lines []string
	for _, e := range p.errs {
		lines = append(lines, e.Error())
	}
	return strings.Join(lines, "\n")
}

func (p parsed) lines() []int64 {
	var out []int64
	for _, r := range p.rows {
		out = append(out, r[0].(int64))
	}
	return out
}

func TestParseLineNumbers(t *testing.T) {
	t.Parallel()
	// CRLF, a quoted comma, a quoted field over three lines, blank lines:
	// each record's line is the physical line where it starts.
	in := "participant_id,name\r\n" +
		"a,\"Lima, Ana\"\r\n" +
		"b,\"one\r\ntwo\r\nthree\"\r\n" +
		"\r\n" +
		"c/d,Carla\r\n"
	p := parseString(t, "participants", in)
	if got := p.lines(); len(got) != 3 || got[0] != 2 || got[1] != 3 || got[2] != 7 {
		t.Errorf("lines %v", got)
	}
	if p.rows[0][3] != "Lima, Ana" || p.rows[1][3] != "one\ntwo\nthree" {
		t.Errorf("values %v %v", p.rows[0], p.rows[1])
	}
	if want := `participants.csv:7: participant_id: id "c/d" has "/"; ids are 1-64 characters of A-Z a-z 0-9 _ -`; p.errorText() != want {
		t.Errorf("errors %q", p.errorText())
	}
	if p.rows[2][1] != false || p.rows[2][2] != nil || p.rows[2][3] != "Carla" {
		t.Errorf("a bad row is staged not ok, its bad cell NULL: %v", p.rows[2])
	}
}

func TestParseBOM(t *testing.T) {
	t.Parallel()
	for _, header := range []string{"\ufeffparticipant_id,name", "\ufeff\"participant_id\",name"} {
		p := parseString(t, "participants", header+"\na,Ana\n")
		if len(p.errs) != 0 || len(p.rows) != 1 {
			t.Errorf("%q: %s", header, p.errorText())
		}
	}
	// A BOM anywhere else is data, and here an unknown column.
	p := parseString(t, "participants", "name,\ufeffparticipant_id\na,Ana\n")
	if !strings.Contains(p.errorText(), `unknown column "\ufeffparticipant_id"`) || p.readable {
		t.Errorf("errors %q", p.errorText())
	}
}

func TestParseHeaderProblems(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":                           `participants.csv:1: no header row (expected participant_id,name,email,tax_id,payout_account,payout_bank,pix_key)`,
		"\n\nname\n":                 `participants.csv:3: missing required column "participant_id"`,
		"participant_id,name,Name\n": `participants.csv:1: unknown column "Name" (the columns of participants.csv are participant_id, name, email, tax_id, payout_account, payout_bank, pix_key)`,
		"participant_id,name,name\n": `participants.csv:1: column "name" appears more than once`,
		"participant_id,\"na\"me\n":  `participants.csv:1: bad CSV: extraneous or missing " in quoted-field (column 19)`,
	}
	for in, want := range cases {
		p := parseString(t, "participants", in+"a,b\n")
		if in == "" {
			p = parseString(t, "participants", "")
		}
		if p.errorText() != want || p.readable || len(p.rows) != 0 {
			t.Errorf("%q: %q, want %q", in, p.errorText(), want)
		}
	}
	// Optional columns may be left out; a header with no rows is fine.
	if p := parseString(t, "participants", "name,participant_id\n"); len(p.errs) != 0 || !p.readable {
		t.Errorf("header only: %s", p.errorText())
	}
}

func TestParseCSVErrorsDoNotStopTheFile(t *testing.T) {
	t.Parallel()
	in := "participant_id,name\n" +
		"a,Ana\n" +
		"b,Bru\"no\n" +
		"c,Carla,extra\n" +
		"d\n" +
		"e,Eva\n" +
		"f,\"unterminated\n" +
		"g,Gil\n"
	p := parseString(t, "participants", in)
	want := strings.Join([]string{
		`participants.csv:3: bad CSV: bare " in non-quoted-field (column 6)`,
		`participants.csv:4: bad CSV: 3 fields, the header has 2 (quote a value that contains a comma)`,
		`participants.csv:5: bad CSV: 1 fields, the header has 2 (quote a value that contains a comma)`,
		`participants.csv:7: bad CSV: extraneous or missing " in quoted-field (at line 8, column 7)`,
	}, "\n")
	if p.errorText() != want {
		t.Errorf("errors:\n%s\nwant:\n%s", p.errorText(), want)
	}
	if got := p.lines(); len(got) != 2 || got[0] != 2 || got[1] != 6 {
		t.Errorf("staged lines %v", got)
	}
}

func TestParseEncoding(t *testing.T) {
	t.Parallel()
	p := parseString(t, "participants", "participant_id,name,email\na,Ana\xff,x\x00y\nb,Bruno,\n")
	want := "participants.csv:2: name: not valid UTF-8\nparticipants.csv:2: email: contains a NUL character"
	if p.errorText() != want {
		t.Errorf("errors %q", p.errorText())
	}
	if p.rows[0][1] != false || p.rows[0][3] != nil || p.rows[0][4] != nil || p.rows[0][2] != "a" {
		t.Errorf("row %v", p.rows[0])
	}
}

func TestParseValues(t *testing.T) {
	t.Parallel()
	p := parseString(t, "contract_terms",
		"contract_id,product_id,coproducer_id,version,status,rate_percent,scope,managed_only,ends_at,accepted_at\n"+
			"c1,p1,u1,2,accepted,12.5,,,2026-09-01T00:00:00-03:00,2026-01-01T00:00:00+14:00\n"+
			"c1,p1,u1,0,accepted,100,everyone,true,2026-09-01,\n"+
			"c1,p1,u1,+3,cancelled,,affiliate,yes,,2026-01-01T00:00:00Z\n")
	r := p.rows[0]
	// line, ok, contract_id, product_id, coproducer_id, version, status, rate, scope, managed_only, may_affiliate, ends_at, proposed_at, accepted_at
	if r[1] != true || r[5] != int64(2) || r[7] != "12.5" || r[8] != "all" || r[9] != false || r[10] != false || r[12] != nil {
		t.Errorf("row 2: %v", r)
	}
	if at := r[13].(time.Time); at.Location() != time.UTC || !at.Equal(time.Date(2025, 12, 31, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("accepted_at %v: want the instant, in UTC", at)
	}
	want := strings.Join([]string{
		`contract_terms.csv:3: version: "0" is not a positive integer`,
		`contract_terms.csv:3: rate_percent: rate 100 is outside 0 < rate < 100`,
		`contract_terms.csv:3: scope: scope "everyone" is not one of all, affiliate, producer`,
		`contract_terms.csv:3: ends_at: timestamp "2026-09-01" is not RFC 3339 with an offset (like 2026-03-03T10:00:00-03:00)`,
		`contract_terms.csv:3: accepted_at: required when status is accepted`,
		`contract_terms.csv:4: version: "+3" is not a positive integer`,
		`contract_terms.csv:4: managed_only: "yes" is not true or false`,
	}, "\n")
	if p.errorText() != want {
		t.Errorf("errors:\n%s\nwant:\n%s", p.errorText(), want)
	}
}

func TestParseSales(t *testing.T) {
	t.Parallel()
	p := parseString(t, "sales",
		"sale_id,product_id,currency,gross,platform_fee,affiliate_id,affiliate_rate_percent,sold_at\n"+
			"s1,p1,KWD,1.234,0.001,,,2026-01-01T00:00:00Z\n"+
			"s2,p1,brl,1,2,,35,2026-01-01T00:00:00Z\n"+
			"s3,p1,BRL,0.00,-1,a/b,,2026-01-01T00:00:00Z\n"+
			"s4,p1,BRL,1e3,,,,\n")
	want := strings.Join([]string{
		`sales.csv:3: currency: unknown currency "brl" (expected an ISO 4217 code such as BRL, USD, JPY)`,
		`sales.csv:3: affiliate_rate_percent: must be empty when affiliate_id is empty (a direct sale)`,
		`sales.csv:4: gross: 0.00 is not above 0`,
		`sales.csv:4: platform_fee: -1 is below 0`,
		`sales.csv:4: affiliate_id: id "a/b" has "/"; ids are 1-64 characters of A-Z a-z 0-9 _ -`,
		`sales.csv:4: affiliate_rate_percent: required when affiliate_id is set`,
		`sales.csv:5: gross: amount "1e3" is not a plain decimal like 12.30`,
		`sales.csv:5: platform_fee: required`,
		`sales.csv:5: sold_at: required`,
	}, "\n")
	if p.errorText() != want {
		t.Errorf("errors:\n%s\nwant:\n%s", p.errorText(), want)
	}
	if r := p.rows[0]; r[1] != true || r[5] != "1.234" || r[6] != "0.001" || r[7] != nil {
		t.Errorf("row 2 %v", r)
	}
}

func TestCollectorOrderAndCap(t *testing.T) {
	t.Parallel()
	c := newCollector(3)
	c.add(RowError{File: "sales.csv", Line: 9, Reason: "a"})
	c.add(RowError{File: "participants.csv", Line: 5, Reason: "b"})
	c.add(RowError{File: "sales.csv", Line: 2, Reason: "c"})
	c.add(RowError{File: "participants.csv", Line: 5, Reason: "d"})
	for i := range 100 {
		c.add(RowError{File: "tax_records.csv", Line: i, Reason: "e"})
	}
	e := c.errors()
	want := "participants.csv:5: b\nparticipants.csv:5: d\nsales.csv:2: c\n... and 101 more errors"
	if e.Error() != want || e.More != 101 {
		t.Errorf("%q", e.Error())
	}
	if newCollector(3).errors() != nil {
		t.Errorf("no problems should be a nil *Errors")
	}
}
