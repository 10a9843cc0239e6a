package seed

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"payouts/internal/storetest"
	"payouts/reconcile"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var saoPaulo = func() *time.Location {
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		panic(err)
	}
	return loc
}()

func mustDate(t testing.TB, s string) reconcile.Date {
	t.Helper()
	d, err := reconcile.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func seedDB(t testing.TB, db *sqlx.DB, o Options) Summary {
	t.Helper()
	if o.Location == nil {
		o.Location = saoPaulo
	}
	sum, err := Run(context.Background(), db, o)
	if err != nil {
		t.Fatalf("seed %+v: %v", o, err)
	}
	return sum
}

// sourceTables and their primary keys, for digests.
var sourceTables = []struct{ name, pk string }{
	{"participants", "participant_id"},
	{"products", "product_id"},
	{"contract_terms", "contract_id, version"},
	{"affiliations", "product_id, affiliate_id"},
	{"sales", "sale_id"},
	{"sale_events", "event_id"},
	{"tax_records", "invoice_id"},
}

// digests is an md5 of every row of every source table in key order.
func digests(t testing.TB, db *sqlx.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tb := range sourceTables {
		var d string
		q := `SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, ',' ORDER BY ` + tb.pk + `)), '') FROM ` + tb.name + ` x`
		if err := db.Get(&d, q); err != nil {
			t.Fatalf("digest %s: %v", tb.name, err)
		}
		out[tb.name] = d
	}
	return out
}

func count(t testing.TB, db *sqlx.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Get(&n, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
