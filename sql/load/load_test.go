package load

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestLoadBasic(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	start := time.Now()
	res := mustLoad(t, db, basicDir)
	t.Logf("basic example loaded in %v", time.Since(start))

	got := counts(t, db)
	for _, tb := range tables {
		if want := dataRows(t, basicDir, tb.file); got[tb.name] != want {
			t.Errorf("%s: %d rows, want %d", tb.name, got[tb.name], want)
		}
	}
	if got["sales"] != 15 || got["tax_records"] != 0 {
		t.Errorf("counts %v", got)
	}
	// tax_records.csv is absent: skipped, not in the result.
	var names []string
	for _, f := range res.Files {
		names = append(names, f.Name)
		if f.Inserted != int64(f.Rows) || f.Updated != 0 {
			t.Errorf("%+v: first load should insert every row", f)
		}
	}
	if strings.Join(names, " ") != "participants.csv products.csv contract_terms.csv affiliations.csv sales.csv sale_events.csv" {
		t.Errorf("files %v", names)
	}

	// Values as written: the scale of decimals, the instant of timestamps,
	// defaults for empty optional cells.
	var s struct {
		Gross, Fee, Rate string
		Sold             time.Time
		Settled          *time.Time
	}
	row := db.QueryRow(`SELECT gross::text, platform_fee::text, coalesce(affiliate_rate_percent::text, ''), sold_at, settled_at FROM sales WHERE sale_id = 's01'`)
	if err := row.Scan(&s.Gross, &s.Fee, &s.Rate, &s.Sold, &s.Settled); err != nil {
		t.Fatal(err)
	}
	if s.Gross != "100.00" || s.Fee != "10.40" || s.Rate != "35" || !s.Sold.Equal(time.Date(2026, 2, 1, 13, 0, 0, 0, time.UTC)) {
		t.Errorf("s01 = %+v", s)
	}
	var jpy string
	if err := db.Get(&jpy, `SELECT gross::text FROM sales WHERE sale_id = 's10'`); err != nil || jpy != "9800" {
		t.Errorf("s10 gross %q %v", jpy, err)
	}
	var c4 struct {
		Scope   string
		Managed bool
		Rate    *string
		Ends    *time.Time
	}
	if err := db.QueryRow(`SELECT scope, managed_only, rate_percent::text, ends_at FROM contract_terms WHERE contract_id = 'c1' AND version = 4`).
		Scan(&c4.Scope, &c4.Managed, &c4.Rate, &c4.Ends); err != nil {
		t.Fatal(err)
	}
	if c4.Scope != "all" || c4.Managed || c4.Rate != nil || c4.Ends != nil {
		t.Errorf("c1 v4 (cancellation, empty cells) = %+v", c4)
	}
	var ends time.Time
	if err := db.Get(&ends, `SELECT ends_at FROM contract_terms WHERE contract_id = 'c5'`); err != nil ||
		!ends.Equal(time.Date(2026, 9, 1, 3, 0, 0, 0, time.UTC)) {
		t.Errorf("c5 ends_at %v %v", ends, err)
	}
	var manager *string
	if err := db.Get(&manager, `SELECT manager_id FROM affiliations WHERE product_id = 'p1' AND affiliate_id = 'aff1'`); err != nil || manager != nil {
		t.Errorf("empty manager_id should be NULL: %v %v", manager, err)
	}
}

func TestLoadTwiceIsIdempotent(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustLoad(t, db, basicDir)
	before := snapshot(t, db)
	res := mustLoad(t, db, basicDir)
	for _, f := range res.Files {
		if f.Inserted != 0 || f.Updated != 0 {
			t.Errorf("second load of the same files: %+v", f)
		}
	}
	if after := snapshot(t, db); !equalSnapshots(before, after) {
		t.Errorf("second load changed rows")
	}

	// A corrected export updates in place: same counts, new values.
	dir := basicCopy(t)
	editFile(t, dir, "sales.csv", "s01,p1,BRL,100.00,10.40", "s01,p1,BRL,100.00,10.50")
	editFile(t, dir, "participants.csv", "cop4,Gil Prado,gil@example.com,,,", "cop4,Gil Prado,gil@example.com,,0006-555555,033")
	res = mustLoad(t, db, dir)
	for _, f := range res.Files {
		want := int64(0)
		if f.Name == "sales.csv" || f.Name == "participants.csv" {
			want = 1
		}
		if f.Inserted != 0 || f.Updated != want {
			t.Errorf("corrected load: %+v, want %d updated", f, want)
		}
	}
	var fee, account string
	if err := db.QueryRow(`SELECT platform_fee::text FROM sales WHERE sale_id = 's01'`).Scan(&fee); err != nil || fee != "10.50" {
		t.Errorf("fee %q %v", fee, err)
	}
	if err := db.QueryRow(`SELECT payout_account FROM participants WHERE participant_id = 'cop4'`).Scan(&account); err != nil || account != "0006-555555" {
		t.Errorf("account %q %v", account, err)
	}
	after := counts(t, db)
	for name, rows := range before {
		if after[name] != len(rows) {
			t.Errorf("%s: %d rows after the corrected load, want %d", name, after[name], len(rows))
		}
	}
}

func equalSnapshots(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, rows := range a {
		if strings.Join(rows, "\n") != strings.Join(b[k], "\n") {
			return false
		}
	}
	return true
}

func TestLoadQuotedCommaAndNewline(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	dir := basicCopy(t)
	// Line 3 holds a record spanning lines 3-4; the next record starts on
	// line 5, and a bad one on line 10 (not 9) must say so.
	editFile(t, dir, "participants.csv", "cop1,Bruno Reis,", "cop1,\"Reis, Bruno\nJr.\",")
	mustLoad(t, db, dir)
	var name string
	if err := db.Get(&name, `SELECT name FROM participants WHERE participant_id = 'cop1'`); err != nil || name != "Reis, Bruno\nJr." {
		t.Errorf("name %q %v", name, err)
	}

	db2 := newDB(t)
	appendLine(t, dir, "participants.csv", "x.y,Bad Id,,,,,")
	e := loadErrors(t, db2, dir)
	wantExactly(t, e, `participants.csv:10: participant_id: id "x.y" has "."; ids are 1-64 characters of A-Z a-z 0-9 _ -`)
}

func TestLoadEventOnSaleInDatabase(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustLoad(t, db, basicDir)
	// Only sale_events.csv: its sales are already in the database.
	dir := t.TempDir()
	writeFile(t, dir, "sale_events.csv", "event_id,sale_id,kind,amount,occurred_at\ne3,s12,refund,70.00,2026-03-21T10:00:00-03:00\ne4,s10,refund,100,2026-03-21T10:00:00-03:00\n")
	res := mustLoad(t, db, dir)
	if len(res.Files) != 1 || res.Files[0].Inserted != 2 {
		t.Errorf("result %+v", res)
	}
}

func TestLoadTaxRecords(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	dir := basicCopy(t)
	// A bad check digit is loaded (the run flags it); an invoice may name
	// a sale that does not exist.
	writeFile(t, dir, "tax_records.csv", "invoice_id,issuer_tax_id,sale_id,issued_at,amount,currency,status,buyer_tax_id\n"+
		"i1,11.144.477/0001-99,s01,2026-02-01T10:00:00-03:00,100.00,BRL,active,\n"+
		"i2,11144477735,nosale,2026-02-01T10:00:00-03:00,0,JPY,cancelled,12345678900\n")
	mustLoad(t, db, dir)
	var issuer string
	if err := db.Get(&issuer, `SELECT issuer_tax_id FROM tax_records WHERE invoice_id = 'i1'`); err != nil || issuer != "11.144.477/0001-99" {
		t.Errorf("issuer %q %v", issuer, err)
	}
}

func TestLoadBOMAndColumnOrder(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	dir := t.TempDir()
	writeFile(t, dir, "participants.csv", "\ufeff\"name\",participant_id\nAna,lead1\n")
	writeFile(t, dir, "products.csv", "lead_producer_id,product_id,name\nlead1,p1,Curso\n")
	res := mustLoad(t, db, dir)
	if len(res.Files) != 2 {
		t.Errorf("result %+v", res)
	}
}

func TestLoadEmptyDirIsAnError(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	dir := t.TempDir()
	writeFile(t, dir, "notes.csv", "a,b\n")
	if _, err := Dir(context.Background(), db, dir, nil); err == nil || !strings.Contains(err.Error(), "has none of participants.csv") {
		t.Errorf("err = %v", err)
	}
	if _, err := Dir(context.Background(), db, dir+"/missing", nil); err == nil {
		t.Errorf("missing dir: no error")
	}
}

// Values at the edges of what parse accepts must also be accepted by
// PostgreSQL: a bad row is always a RowError, never a failed COPY.
// (Instants are accepted only when their UTC form has a year 0001-9999, so
// that they can be written back as RFC 3339.)
func TestLoadExtremeValues(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	dir := t.TempDir()
	long := strings.Repeat("x", 64)
	writeFile(t, dir, "participants.csv", "participant_id,name,email\n"+long+",\"Zoë \"\"Q\"\" O'Neil\\\t\",\n")
	writeFile(t, dir, "products.csv", "product_id,name,lead_producer_id\nP_-9,Curso,"+long+"\n")
	writeFile(t, dir, "sales.csv", "sale_id,product_id,currency,gross,platform_fee,affiliate_id,affiliate_rate_percent,sold_at,settled_at\n"+
		"a,P_-9,BRL,999999999999999.99,999999999999999.99,"+long+",99.9999,0001-01-01T00:00:00Z,9999-12-31T23:59:59Z\n"+
		"b,P_-9,JPY,00099999999999999999,0,,,0001-01-02T00:00:00+23:59,2026-01-01T00:00:00.123456+05:45\n"+
		"c,P_-9,CLF,0.0001,-0.0000,,,2026-01-01T00:00:00Z,\n")
	writeFile(t, dir, "sale_events.csv", "event_id,sale_id,kind,amount,occurred_at\ne,b,refund,00099999999999999999,2026-01-01T00:00:00Z\n")
	mustLoad(t, db, dir)
	var name string
	if err := db.Get(&name, `SELECT name FROM participants`); err != nil || name != "Zoë \"Q\" O'Neil\\\t" {
		t.Errorf("name %q %v", name, err)
	}
	var settled time.Time
	if err := db.Get(&settled, `SELECT settled_at FROM sales WHERE sale_id = 'a'`); err != nil ||
		!settled.Equal(time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)) {
		t.Errorf("settled_at %v %v", settled, err)
	}
}

// TestLoadPixKeys: pix_key is loaded as written, empty is null; a key is
// validated when a run pays it, not here (SettleWithPayee).
func TestLoadPixKeys(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustLoad(t, db, basicDir)
	rows, err := db.Query(`SELECT participant_id, coalesce(pix_key, '<null>') FROM participants ORDER BY participant_id COLLATE "C"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id, key string
		if err := rows.Scan(&id, &key); err != nil {
			t.Fatal(err)
		}
		got = append(got, id+"="+key)
	}
	want := "aff1=<null> cop1=bruno@example.com cop2=+5511987654321 cop3=<null> cop4=<null> lead1=11144477735 mgr1=7d9f0335-8dcc-4054-9bf9-0310cd7a9a5e"
	if strings.Join(got, " ") != want {
		t.Errorf("pix keys:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}
