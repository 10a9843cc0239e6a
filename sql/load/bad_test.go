package load

import (
	"fmt"
	"strings"
	"testing"
)

// wantExactly checks the whole error text.
func wantExactly(t *testing.T, e *Errors, lines ...string) {
	t.Helper()
	if got, want := e.Error(), strings.Join(lines, "\n"); got != want {
		t.Errorf("errors:\n%s\nwant:\n%s", got, want)
	}
}

type badCase struct {
	name string
	edit func(t *testing.T, dir string)
	want []string // the complete error text, one line each
}

func replaceIn(file, old, new string) func(*testing.T, string) {
	return func(t *testing.T, dir string) { editFile(t, dir, file, old, new) }
}

func appendTo(file, line string) func(*testing.T, string) {
	return func(t *testing.T, dir string) { appendLine(t, dir, file, line) }
}

const s01 = "s01,p1,BRL,100.00,10.40,aff1,35,,2026-02-01T10:00:00-03:00,"

var badCases = []badCase{
	{"unknown column", replaceIn("sales.csv", "sold_at,settled_at", "sold_at,settled_at,discount"), []string{
		`sales.csv:1: unknown column "discount" (the columns of sales.csv are sale_id, product_id, currency, gross, platform_fee, affiliate_id, affiliate_rate_percent, buyer_tax_id, sold_at, settled_at)`}},
	{"missing required column", replaceIn("products.csv", "product_id,name,lead_producer_id", "product_id,name"), []string{
		`products.csv:1: missing required column "lead_producer_id"`}},
	{"duplicate column", replaceIn("affiliations.csv", "product_id,affiliate_id,manager_id", "product_id,affiliate_id,product_id"), []string{
		`affiliations.csv:1: column "product_id" appears more than once`}},
	{"decimal comma quoted", replaceIn("sales.csv", s01, `s01,p1,BRL,"12,30",10.40,aff1,35,,2026-02-01T10:00:00-03:00,`), []string{
		`sales.csv:2: gross: amount "12,30" is not a plain decimal like 12.30`}},
	{"decimal comma unquoted", replaceIn("sales.csv", s01, `s01,p1,BRL,12,30,10.40,aff1,35,,2026-02-01T10:00:00-03:00,`), []string{
		`sales.csv:2: bad CSV: 11 fields, the header has 10 (quote a value that contains a comma)`}},
	{"BRL fraction digits", replaceIn("sales.csv", s01, "s01,p1,BRL,10.005,0.40,aff1,35,,2026-02-01T10:00:00-03:00,"), []string{
		`sales.csv:2: gross: amount "10.005" has 3 fraction digits; BRL has 2`}},
	{"JPY fraction digits", replaceIn("sales.csv", "s10,p3,JPY,9800,980", "s10,p3,JPY,9800.5,980"), []string{
		`sales.csv:11: gross: amount "9800.5" has 1 fraction digits; JPY has 0`}},
	{"fee above gross", replaceIn("sales.csv", s01, "s01,p1,BRL,100.00,120.00,aff1,35,,2026-02-01T10:00:00-03:00,"), []string{
		`sales.csv:2: platform_fee: 120.00 is above gross 100.00`}},
	{"affiliate without rate", replaceIn("sales.csv", s01, "s01,p1,BRL,100.00,10.40,aff1,,,2026-02-01T10:00:00-03:00,"), []string{
		`sales.csv:2: affiliate_rate_percent: required when affiliate_id is set`}},
	{"unknown product", replaceIn("sales.csv", s01, "s01,p9,BRL,100.00,10.40,aff1,35,,2026-02-01T10:00:00-03:00,"), []string{
		`sales.csv:2: product_id: unknown product "p9"`}},
	{"timestamp without offset", replaceIn("sales.csv", s01, "s01,p1,BRL,100.00,10.40,aff1,35,,2026-02-01T10:00:00,"), []string{
		`sales.csv:2: sold_at: timestamp "2026-02-01T10:00:00" has no offset (add Z or -03:00)`}},
	{"id with slash", appendTo("participants.csv", "a/b,Slash,,,,,"), []string{
		`participants.csv:9: participant_id: id "a/b" has "/"; ids are 1-64 characters of A-Z a-z 0-9 _ -`}},
	{"id with dots", appendTo("participants.csv", "..,Dots,,,,,"), []string{
		`participants.csv:9: participant_id: id ".." has "."; ids are 1-64 characters of A-Z a-z 0-9 _ -`}},
	{"refunds above gross", appendTo("sale_events.csv", "e3,s12,refund,80.00,2026-03-21T10:00:00-03:00"), []string{
		`sale_events.csv:4: amount: refunds of sale "s12" add up to 110.00, above its gross 100.00`}},
	{"full refund after a partial one", appendTo("sale_events.csv", "e3,s12,refund,,2026-03-21T10:00:00-03:00"), []string{
		`sale_events.csv:4: amount: refunds of sale "s12" add up to 130.00, above its gross 100.00`}},
	{"chargeback with amount", replaceIn("sale_events.csv", "e1,s11,chargeback,,", "e1,s11,chargeback,100.00,"), []string{
		`sale_events.csv:2: amount: must be empty for a chargeback (a chargeback is always the full gross)`}},
	{"event amount digits of its sale's currency", appendTo("sale_events.csv", "e3,s10,refund,100.5,2026-03-21T10:00:00-03:00"), []string{
		`sale_events.csv:4: amount: amount "100.5" has 1 fraction digits; JPY has 0`}},
	{"duplicate key", appendTo("sales.csv", "s01,p1,BRL,50.00,1.00,,,,2026-02-01T10:00:00-03:00,"), []string{
		`sales.csv:17: sale_id: "s01" is already on line 2`}},
	{"duplicate composite key", appendTo("contract_terms.csv", "c2,p2,cop2,1,pending,10,,,,,,"), []string{
		`contract_terms.csv:13: version: contract "c2" version 1 is already on line 6`}},
	{"contract versions on different products", appendTo("contract_terms.csv", "c2,p3,cop2,2,pending,10,,,,,,"), []string{
		`contract_terms.csv:13: product_id: contract "c2" has product "p2" on line 6`}},
	{"managed_only without scope affiliate", replaceIn("contract_terms.csv", "c6,p4,cop2,1,accepted,40,all,false", "c6,p4,cop2,1,accepted,40,all,true"), []string{
		`contract_terms.csv:10: managed_only: true needs scope affiliate (scope is all)`}},
	{"accepted without accepted_at", replaceIn("contract_terms.csv", ",2026-01-05T10:00:00-03:00,2026-01-10T14:00:00-03:00", ",2026-01-05T10:00:00-03:00,"), []string{
		`contract_terms.csv:2: accepted_at: required when status is accepted`}},
	{"rate required unless cancelled", replaceIn("contract_terms.csv", "c9,p5,cop4,1,accepted,20,", "c9,p5,cop4,1,accepted,,"), []string{
		`contract_terms.csv:12: rate_percent: required unless status is cancelled`}},
	{"boolean", replaceIn("contract_terms.csv", "c7,p4,cop3,1,accepted,40,all,false,false", "c7,p4,cop3,1,accepted,40,all,no,false"), []string{
		`contract_terms.csv:11: managed_only: "no" is not true or false`}},
	{"unknown manager", replaceIn("affiliations.csv", "p3,aff1,mgr1", "p3,aff1,mgr9"), []string{
		`affiliations.csv:3: manager_id: unknown participant "mgr9"`}},
	{"event on unknown sale", appendTo("sale_events.csv", "e3,s99,chargeback,,2026-03-21T10:00:00-03:00"), []string{
		`sale_events.csv:4: sale_id: unknown sale "s99"`}},
	{"bad row keeps its key for references", replaceIn("products.csv", "p5,Podcast Premium,lead1", "p5,,lead1"), []string{
		`products.csv:6: name: required`}},
	{"several files, every bad row", func(t *testing.T, dir string) {
		appendLine(t, dir, "participants.csv", "a/b,Slash,,,,,")
		editFile(t, dir, "sales.csv", "s03,p1,BRL,197.00,20.50", "s03,p9,BRL,197.000,20.50")
		editFile(t, dir, "sales.csv", "s10,p3,JPY,9800,980", "s10,p3,XYZ,9800,980")
		editFile(t, dir, "sale_events.csv", "e1,s11,chargeback,,2026-03-20T10:00:00-03:00", "e1,s11,chargeback,1.00,2026-03-20T10:00")
	}, []string{
		`participants.csv:9: participant_id: id "a/b" has "/"; ids are 1-64 characters of A-Z a-z 0-9 _ -`,
		`sales.csv:4: gross: amount "197.000" has 3 fraction digits; BRL has 2`,
		`sales.csv:4: product_id: unknown product "p9"`,
		`sales.csv:11: currency: unknown currency "XYZ" (expected an ISO 4217 code such as BRL, USD, JPY)`,
		`sale_events.csv:2: amount: must be empty for a chargeback (a chargeback is always the full gross)`,
		`sale_events.csv:2: occurred_at: timestamp "2026-03-20T10:00" is not RFC 3339 with an offset (like 2026-03-03T10:00:00-03:00)`,
	}},
}

// Every bad case fails the whole load with exactly its errors, and writes
// nothing: neither into an empty database nor over a previous good load.
func TestLoadBadRows(t *testing.T) {
	t.Parallel()
	for _, c := range badCases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			dir := basicCopy(t)
			c.edit(t, dir)

			db := newDB(t)
			wantExactly(t, loadErrors(t, db, dir), c.want...)
			for name, n := range counts(t, db) {
				if n != 0 {
					t.Errorf("%s: %d rows written by a failed load", name, n)
				}
			}

			db2 := newDB(t)
			mustLoad(t, db2, basicDir)
			before := snapshot(t, db2)
			wantExactly(t, loadErrors(t, db2, dir), c.want...)
			if !equalSnapshots(before, snapshot(t, db2)) {
				t.Errorf("a failed load changed a previous good load")
			}
		})
	}
}

// Checks against rows that are only in the database.
func TestLoadBadAgainstDatabase(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, file, content string
		want                []string
	}{
		{"event amount digits of a sale in the database", "sale_events.csv",
			"event_id,sale_id,kind,amount,occurred_at\ne3,s10,refund,0.5,2026-03-21T10:00:00-03:00\n",
			[]string{`sale_events.csv:2: amount: amount "0.5" has 1 fraction digits; JPY has 0`}},
		{"refunds above the gross with database refunds", "sale_events.csv",
			"event_id,sale_id,kind,amount,occurred_at\ne3,s12,refund,60.00,2026-03-21T10:00:00-03:00\ne4,s12,refund,10.01,2026-03-21T10:00:00-03:00\n",
			[]string{`sale_events.csv:3: amount: refunds of sale "s12" add up to 100.01, above its gross 100.00`}},
		{"gross lowered below database refunds", "sales.csv",
			"sale_id,product_id,currency,gross,platform_fee,sold_at\ns12,p1,BRL,20.00,1.00,2026-02-02T10:00:00-03:00\n",
			[]string{`sales.csv:2: gross: 20.00 is below the 30.00 already refunded in sale_events`}},
		{"currency changed under a database refund", "sales.csv",
			"sale_id,product_id,currency,gross,platform_fee,sold_at\ns12,p1,JPY,100,10,2026-02-02T10:00:00-03:00\n",
			[]string{`sales.csv:2: currency: JPY has 0 fraction digits but refund "e2" of this sale, in the database, is 30.00`}},
		{"contract version on another co-producer", "contract_terms.csv",
			"contract_id,product_id,coproducer_id,version,status,rate_percent\nc1,p1,cop2,5,pending,10\n",
			[]string{`contract_terms.csv:2: coproducer_id: contract "c1" has co-producer "cop1" in its version 1 in the database`}},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			db := newDB(t)
			mustLoad(t, db, basicDir)
			before := snapshot(t, db)
			dir := t.TempDir()
			writeFile(t, dir, c.file, c.content)
			wantExactly(t, loadErrors(t, db, dir), c.want...)
			if !equalSnapshots(before, snapshot(t, db)) {
				t.Errorf("a failed load changed the database")
			}
		})
	}
}

// A corrected contract that moves every version to another product is
// consistent: the database versions it replaces do not count.
func TestLoadReplacingAllVersions(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustLoad(t, db, basicDir)
	dir := t.TempDir()
	writeFile(t, dir, "contract_terms.csv", "contract_id,product_id,coproducer_id,version,status,rate_percent,accepted_at\n"+
		"c2,p2,cop1,1,accepted,33,2026-01-01T00:00:00-03:00\n")
	mustLoad(t, db, dir)
}

// Thousands of bad rows: the first MaxReported are listed, the rest
// counted.
func TestLoadErrorCap(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	dir := basicCopy(t)
	var b strings.Builder
	b.WriteString(readFile(t, dir, "sales.csv"))
	for i := range 1500 {
		fmt.Fprintf(&b, "x%d,p9,BRL,1.00,0,,,,2026-02-01T10:00:00-03:00,\n", i)
	}
	writeFile(t, dir, "sales.csv", b.String())
	e := loadErrors(t, db, dir)
	if len(e.Rows) != MaxReported || e.More != 500 {
		t.Fatalf("%d rows listed, %d more", len(e.Rows), e.More)
	}
	if e.Rows[0].Line != 17 || e.Rows[MaxReported-1].Line != 17+MaxReported-1 {
		t.Errorf("first %v last %v", e.Rows[0], e.Rows[MaxReported-1])
	}
	if !strings.HasSuffix(e.Error(), "\n... and 500 more errors") {
		t.Errorf("no final count line")
	}
}
