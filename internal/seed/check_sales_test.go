package seed

import (
	"database/sql"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"payouts/reconcile"
)

type saleRow struct {
	reconcile.SaleRecord
	Sale       reconcile.Sale
	Valid      bool
	BuyerTaxID string
}

func checkSales(t *testing.T, db *sqlx.DB, f map[string]int) map[string]*saleRow {
	rows, err := db.Query(`SELECT s.sale_id, s.product_id, p.lead_producer_id, s.currency, s.gross::text, s.platform_fee::text,
			coalesce(s.affiliate_id, ''), coalesce(s.affiliate_rate_percent::text, ''), coalesce(a.manager_id, ''),
			coalesce(s.buyer_tax_id, ''), s.sold_at, s.settled_at
		FROM sales s JOIN products p USING (product_id)
		LEFT JOIN affiliations a ON a.product_id = s.product_id AND a.affiliate_id = s.affiliate_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	sales := map[string]*saleRow{}
	invalid := 0
	currencies := map[string]int{}
	for rows.Next() {
		var s saleRow
		var settled sql.NullTime
		if err := rows.Scan(&s.SaleID, &s.ProductID, &s.LeadID, &s.Currency, &s.Gross, &s.PlatformFee, &s.AffiliateID,
			&s.AffiliateRate, &s.AffiliateManagerID, &s.BuyerTaxID, &s.SoldAt, &settled); err != nil {
			t.Fatal(err)
		}
		s.SettledAt = settled.Time
		sale, err := reconcile.ParseSale(s.SaleRecord)
		if err != nil {
			invalid++
		} else {
			s.Sale, s.Valid = sale, true
			currencies[s.Currency]++
		}
		if s.BuyerTaxID != "" && !validTaxID(s.BuyerTaxID) {
			t.Errorf("%s: invalid buyer tax id %s", s.SaleID, s.BuyerTaxID)
		}
		sales[s.SaleID] = &s
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if invalid != f["invalid_sale"] || invalid == 0 {
		t.Errorf("%d sales break the data contract, want the %d deliberate ones", invalid, f["invalid_sale"])
	}
	for _, c := range []string{"BRL", "USD", "EUR", "MXN", "COP", "CLP", "JPY", "KWD"} {
		if currencies[c] == 0 {
			t.Errorf("no valid %s sales", c)
		}
		delete(currencies, c)
	}
	if len(currencies) > 0 {
		t.Errorf("unexpected currencies %v", currencies)
	}
	if share := float64(f["affiliate_sale"]) / float64(len(sales)); share < 0.3 || share > 0.5 {
		t.Errorf("%.2f of the sales through an affiliate, want about 0.4", share)
	}
	return sales
}

type eventRow struct {
	ID         string         `db:"event_id"`
	SaleID     string         `db:"sale_id"`
	Kind       string         `db:"kind"`
	Amount     sql.NullString `db:"amount"`
	OccurredAt time.Time      `db:"occurred_at"`
}

func checkEvents(t *testing.T, db *sqlx.DB, sales map[string]*saleRow, start, end time.Time) {
	var rows []eventRow
	if err := db.Select(&rows, `SELECT event_id, sale_id, kind, amount::text, occurred_at FROM sale_events ORDER BY event_id`); err != nil {
		t.Fatal(err)
	}
	refunded := map[string]int64{}
	refunds := map[string]int{}
	kinds := map[string]int{}
	for _, e := range rows {
		mustID(t, "event_id", e.ID)
		s := sales[e.SaleID]
		if s == nil || !s.Valid {
			t.Errorf("%s: on sale %s that is missing or invalid", e.ID, e.SaleID)
			continue
		}
		if e.OccurredAt.Before(start) || !e.OccurredAt.Before(end) {
			t.Errorf("%s: occurred at %s, outside the date", e.ID, e.OccurredAt)
		}
		if !s.SettledAt.IsZero() && e.OccurredAt.Before(s.SettledAt) {
			t.Errorf("%s: before its sale settled", e.ID)
		}
		switch {
		case e.Kind == "chargeback" && !e.Amount.Valid:
			kinds["chargeback"]++
			refunded[e.SaleID] += s.Sale.Gross
		case e.Kind == "refund" && !e.Amount.Valid:
			kinds["full"]++
			refunded[e.SaleID] += s.Sale.Gross
		case e.Kind == "refund":
			a, err := reconcile.ParseAmount(e.Amount.String, s.Sale.Currency)
			if err != nil || a <= 0 {
				t.Errorf("%s: amount %q: %v", e.ID, e.Amount.String, err)
			}
			kinds["partial"]++
			refunded[e.SaleID] += a
			refunds[e.SaleID]++
		default:
			t.Errorf("%s: kind %s with amount %v", e.ID, e.Kind, e.Amount)
		}
	}
	toGross, twoPartials := 0, 0
	for id, r := range refunded {
		g := sales[id].Sale.Gross
		if r > g {
			t.Errorf("%s: refunds of %d exceed gross %d", id, r, g)
		}
		if refunds[id] == 2 {
			twoPartials++
			if r == g {
				toGross++
			}
		}
	}
	t.Logf("events %v, two partial refunds on %d sales (%d adding up to the gross)", kinds, twoPartials, toGross)
	if kinds["chargeback"] == 0 || kinds["full"] == 0 || kinds["partial"] == 0 || twoPartials == 0 || toGross == 0 {
		t.Errorf("events %v, sales with two partial refunds %d (%d adding up to the gross): want some of each", kinds, twoPartials, toGross)
	}
}
