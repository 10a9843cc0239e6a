package seed

import (
	"strings"
	"testing"
	"time"

	"payouts/internal/storetest"
	"payouts/reconcile"
)

// TestSeedKeepsTheDataContract reads back a 20,000-sale seed and checks
// every row against SPEC section 2 (only the deliberate INVALID_SALE rows
// may break it), and that each deliberate feature is there.
func TestSeedKeepsTheDataContract(t *testing.T) {
	t.Parallel()
	db := storetest.New(t).DB
	d := mustDate(t, "2026-03-03")
	sum := seedDB(t, db, Options{Sales: 20000, Date: d, Seed: 1})
	start, end := reconcile.StartOfDay(d, saoPaulo), reconcile.WindowEnd(d, saoPaulo)
	f := sum.Features
	for name, n := range f {
		if n == 0 {
			t.Errorf("feature %s: none in a 20,000-sale seed", name)
		}
	}

	people := checkParticipants(t, db, f)
	terms := checkContractTerms(t, db)
	sales := checkSales(t, db, f)
	checkTerms(t, terms, sales)
	checkEvents(t, db, sales, start, end)
	checkInvoices(t, db, sales, people)

	onDate := 0
	for _, s := range sales {
		if !s.SettledAt.IsZero() && !s.SettledAt.Before(start) && s.SettledAt.Before(end) {
			onDate++
		}
	}
	if onDate != 20000 {
		t.Errorf("%d sales settled on %s, want 20000", onDate, d)
	}
	for _, at := range []time.Time{start, end.Add(-time.Microsecond)} {
		if n := count(t, db, `SELECT count(*) FROM sales WHERE settled_at = $1`, at); n == 0 {
			t.Errorf("no sale settled at %s", at.In(saoPaulo).Format(time.RFC3339Nano))
		}
	}
}

func mustID(t *testing.T, field, id string) {
	t.Helper()
	if err := reconcile.ValidateID(id); err != nil {
		t.Errorf("%s: %v", field, err)
	}
}

// validTaxID checks a CPF or a CNPJ (numeric or alphanumeric) as SPEC
// section 2 says, written independently of the generator.
func validTaxID(s string) bool {
	id := strings.NewReplacer(".", "", "/", "", "-", "").Replace(s)
	dv := func(body string, w0 int, cnpj bool) byte {
		sum := 0
		for i := 0; i < len(body); i++ {
			w := w0 - i
			if cnpj {
				w = (len(body)-1-i)%8 + 2
			}
			sum += int(body[i]-'0') * w
		}
		if sum%11 < 2 {
			return '0'
		}
		return byte('0' + 11 - sum%11)
	}
	switch len(id) {
	case 11:
		for _, c := range id {
			if c < '0' || c > '9' {
				return false
			}
		}
		return dv(id[:9], 10, false) == id[9] && dv(id[:10], 11, false) == id[10]
	case 14:
		return dv(id[:12], 0, true) == id[12] && dv(id[:13], 0, true) == id[13]
	}
	return false
}
