package seed

import (
	"context"
	"maps"
	"testing"

	"payouts/internal/storetest"
	"payouts/reconcile"
)

func TestSeedExactSalesAndIdempotent(t *testing.T) {
	t.Parallel()
	db := storetest.New(t).DB
	d := mustDate(t, "2026-03-03")
	o := Options{Sales: 2000, Date: d, Seed: 7}
	sum := seedDB(t, db, o)

	start, end := reconcile.StartOfDay(d, saoPaulo), reconcile.WindowEnd(d, saoPaulo)
	if n := count(t, db, `SELECT count(*) FROM sales WHERE settled_at >= $1 AND settled_at < $2`, start, end); n != 2000 {
		t.Errorf("sales settled on %s = %d, want 2000", d, n)
	}
	if sum.SettledOnDate != 2000 || sum.Sales != sum.SettledOnDate+sum.SettledNextDay+sum.Unsettled {
		t.Errorf("summary %+v", sum)
	}
	if sum.SettledNextDay == 0 || sum.Unsettled == 0 {
		t.Errorf("no next-day or unsettled sales: %+v", sum)
	}
	if n := count(t, db, `SELECT count(*) FROM sales`); n != sum.Sales {
		t.Errorf("sales rows = %d, summary says %d", n, sum.Sales)
	}
	for table, want := range map[string]int{
		"participants": sum.Participants, "products": sum.Products, "contract_terms": sum.ContractTerms,
		"affiliations": sum.Affiliations, "sale_events": sum.Events, "tax_records": sum.Invoices,
	} {
		if n := count(t, db, `SELECT count(*) FROM `+table); n != want {
			t.Errorf("%s rows = %d, summary says %d", table, n, want)
		}
	}
	if sum.Inserted != sum.rows() {
		t.Errorf("first seed inserted %d of %d rows", sum.Inserted, sum.rows())
	}

	before := digests(t, db)
	again := seedDB(t, db, o)
	if again.Inserted != 0 {
		t.Errorf("re-seeding inserted %d rows, want 0", again.Inserted)
	}
	again.Inserted = sum.Inserted
	if !summariesEqual(sum, again) {
		t.Errorf("re-seed summary differs:\n%+v\n%+v", sum, again)
	}
	if after := digests(t, db); !maps.Equal(before, after) {
		t.Errorf("re-seeding changed the data:\n%v\n%v", before, after)
	}
}

func TestSeedDeterministic(t *testing.T) {
	t.Parallel()
	d := mustDate(t, "2026-03-03")
	a, b, c := storetest.New(t).DB, storetest.New(t).DB, storetest.New(t).DB
	seedDB(t, a, Options{Sales: 2000, Date: d, Seed: 42})
	seedDB(t, b, Options{Sales: 2000, Date: d, Seed: 42})
	seedDB(t, c, Options{Sales: 2000, Date: d, Seed: 43})
	da, db, dc := digests(t, a), digests(t, b), digests(t, c)
	if !maps.Equal(da, db) {
		t.Errorf("same options, different content:\n%v\n%v", da, db)
	}
	for _, tb := range sourceTables {
		if da[tb.name] == dc[tb.name] {
			t.Errorf("%s: seeds 42 and 43 wrote the same rows", tb.name)
		}
	}
}

// Seeding several dates builds one marketplace: the shared tables end up
// as if only the latest date had been seeded, and each date adds its own
// sales.
func TestSeedSeveralDates(t *testing.T) {
	t.Parallel()
	d1, d2 := mustDate(t, "2026-03-03"), mustDate(t, "2026-03-04")
	both, only := storetest.New(t).DB, storetest.New(t).DB
	s1 := seedDB(t, both, Options{Sales: 1000, Date: d2, Seed: 5})
	s2 := seedDB(t, both, Options{Sales: 1000, Date: d1, Seed: 5})
	seedDB(t, only, Options{Sales: 1000, Date: d2, Seed: 5})
	db, do := digests(t, both), digests(t, only)
	for _, table := range []string{"participants", "products", "contract_terms", "affiliations"} {
		if db[table] != do[table] {
			t.Errorf("%s after seeding %s and %s differs from seeding %s alone", table, d2, d1, d2)
		}
	}
	if n := count(t, both, `SELECT count(*) FROM sales`); n != s1.Sales+s2.Sales {
		t.Errorf("sales = %d, want %d + %d", n, s1.Sales, s2.Sales)
	}
	if s2.ContractTerms > s1.ContractTerms {
		t.Errorf("an earlier date wrote more contract rows (%d) than a later one (%d)", s2.ContractTerms, s1.ContractTerms)
	}
}

func TestSeedValidatesOptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := mustDate(t, "2026-03-03")
	for _, o := range []Options{
		{Sales: -1, Date: d, Location: saoPaulo},
		{Sales: 10, Location: saoPaulo},
		{Sales: 10, Date: d},
	} {
		if _, err := Run(ctx, nil, o); err == nil {
			t.Errorf("Run(%+v) = nil error", o)
		}
	}
}

func summariesEqual(a, b Summary) bool {
	return maps.Equal(a.ByCurrency, b.ByCurrency) && maps.Equal(a.Features, b.Features) &&
		a.Participants == b.Participants && a.Products == b.Products && a.ContractTerms == b.ContractTerms &&
		a.Affiliations == b.Affiliations && a.Sales == b.Sales && a.Events == b.Events && a.Invoices == b.Invoices &&
		a.SettledOnDate == b.SettledOnDate && a.SettledNextDay == b.SettledNextDay && a.Unsettled == b.Unsettled &&
		a.Inserted == b.Inserted
}
