package seed

import (
	"database/sql"
	"testing"

	"github.com/jmoiron/sqlx"

	"payouts/reconcile"
)

type invoiceRow struct {
	ID       string         `db:"invoice_id"`
	Issuer   string         `db:"issuer_tax_id"`
	SaleID   sql.NullString `db:"sale_id"`
	Amount   string         `db:"amount"`
	Currency string         `db:"currency"`
	Status   string         `db:"status"`
	Buyer    sql.NullString `db:"buyer_tax_id"`
}

func checkInvoices(t *testing.T, db *sqlx.DB, sales map[string]*saleRow, taxIDs map[string]bool) {
	var rows []invoiceRow
	if err := db.Select(&rows, `SELECT invoice_id, issuer_tax_id, sale_id, amount::text, currency, status, buyer_tax_id FROM tax_records`); err != nil {
		t.Fatal(err)
	}
	var leadTax = map[string]string{}
	if err := func() error {
		r, err := db.Query(`SELECT p.product_id, pa.tax_id FROM products p JOIN participants pa ON pa.participant_id = p.lead_producer_id`)
		if err != nil {
			return err
		}
		defer r.Close()
		for r.Next() {
			var id, tax string
			if err := r.Scan(&id, &tax); err != nil {
				return err
			}
			leadTax[id] = digitsOnly(tax)
		}
		return r.Err()
	}(); err != nil {
		t.Fatal(err)
	}
	active := map[string]int{}
	found := map[string]int{}
	for _, inv := range rows {
		mustID(t, "invoice_id", inv.ID)
		if inv.Status != "active" && inv.Status != "cancelled" {
			t.Errorf("%s: status %q", inv.ID, inv.Status)
		}
		if !taxIDs[digitsOnly(inv.Issuer)] {
			t.Errorf("%s: issuer %s is nobody's tax id", inv.ID, inv.Issuer)
		}
		s := sales[inv.SaleID.String]
		cur, err := reconcile.LookupCurrency(inv.Currency)
		if err == nil {
			_, err = reconcile.ParseAmount(inv.Amount, cur)
		}
		if err != nil && (s == nil || s.Valid) {
			t.Errorf("%s: %v", inv.ID, err)
		}
		if s == nil {
			found["orphan"]++
			continue
		}
		if inv.Status != "active" || !s.Valid {
			continue
		}
		active[s.SaleID]++
		switch {
		case inv.Currency != s.Currency:
			found["currency"]++
		case inv.Amount != s.Gross:
			found["amount"]++
		}
		if digitsOnly(inv.Issuer) != leadTax[s.ProductID] {
			found["issuer"]++
		}
	}
	for id, s := range sales {
		if s.Valid && !s.SettledAt.IsZero() && active[id] == 0 {
			found["missing"]++
		}
		if active[id] > 1 {
			found["duplicate"]++
		}
	}
	for _, inv := range rows {
		if inv.Buyer.Valid && !validTaxID(inv.Buyer.String) {
			found["invalid_buyer"]++
		}
	}
	t.Logf("invoice discrepancies: %v", found)
	for _, k := range []string{"orphan", "currency", "amount", "issuer", "missing", "duplicate", "invalid_buyer"} {
		if found[k] == 0 {
			t.Errorf("no %s invoice discrepancy (found %v)", k, found)
		}
	}
	if n := count(t, db, `SELECT count(DISTINCT t.sale_id) FROM tax_records t JOIN sale_events e ON e.sale_id = t.sale_id
		WHERE t.status = 'active' AND e.amount IS NULL`); n == 0 {
		t.Error("no active invoice on a fully reversed sale")
	}
	if share := float64(found["missing"]) / float64(len(sales)); share < 0.03 || share > 0.08 {
		t.Errorf("%.3f of the sales without an active invoice, want about 0.05", share)
	}
}
