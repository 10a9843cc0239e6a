package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
)

// taxNorm is reconcile.NormalizeTaxID in SQL, for the ASCII ids tax ids
// are (a non-ASCII one fails its check digits anyway).
func taxNorm(col string) string { return `upper(translate(` + col + `, './-', ''))` }

// taxPeriodQuery: $1, $2 the period, $3, $4 the known currencies and
// their minor digits, $5 the partnership model.
var taxPeriodQuery = `WITH cur AS (SELECT * FROM unnest($3::text[], $4::integer[]) AS c(code, minor)),
party AS (
	SELECT pa.participant_id, pa.name, coalesce(pa.tax_id, '') AS tax_id,
		CASE WHEN coalesce(pa.tax_id, '') = '' THEN 'id:' || pa.participant_id ELSE ` + taxNorm("pa.tax_id") + ` END AS k
	FROM participants pa
	WHERE $5::boolean OR pa.participant_id IN (SELECT lead_producer_id FROM products)
),
commission AS (
	SELECT pt.k, s.currency, s.gross AS amount, s.sale_id
	FROM sales s
	JOIN products p ON p.product_id = s.product_id
	JOIN party pt ON pt.participant_id = p.lead_producer_id
	WHERE NOT $5::boolean AND s.settled_at >= $1 AND s.settled_at < $2
),
partnership AS (
	SELECT pt.k, l.currency, sum(l.amount)::numeric / power(10::numeric, coalesce(max(c.minor), 0)) AS amount, l.sale_id
	FROM lines l
	JOIN sales s ON s.sale_id = l.sale_id
	JOIN party pt ON pt.participant_id = l.participant_id
	LEFT JOIN cur c ON c.code = l.currency
	WHERE $5::boolean AND s.settled_at >= $1 AND s.settled_at < $2 AND l.kind <> 'reversal'
	GROUP BY pt.k, l.currency, l.sale_id
),
expected AS (
	SELECT e.k, e.currency,
		count(*) FILTER (WHERE ok) AS n, coalesce(sum(e.amount) FILTER (WHERE ok), 0) AS amount,
		count(*) FILTER (WHERE NOT ok) AS bad
	FROM (SELECT x.*, c.minor IS NOT NULL AND scale(trim_scale(x.amount)) <= c.minor AS ok
		FROM (SELECT * FROM commission UNION ALL SELECT * FROM partnership) x
		LEFT JOIN cur c ON c.code = x.currency) e
	GROUP BY e.k, e.currency
),
invoiced AS (
	SELECT i.k, i.currency, min(i.issuer_tax_id) AS tax_id,
		count(*) FILTER (WHERE ok) AS n, coalesce(sum(i.amount) FILTER (WHERE ok), 0) AS amount,
		count(*) FILTER (WHERE NOT ok) AS bad
	FROM (SELECT ` + taxNorm("t.issuer_tax_id") + ` AS k, t.currency, t.amount, t.issuer_tax_id,
			c.minor IS NOT NULL AND scale(trim_scale(t.amount)) <= c.minor AS ok
		FROM tax_records t LEFT JOIN cur c ON c.code = t.currency
		WHERE t.status = 'active' AND t.issued_at >= $1 AND t.issued_at < $2) i
	GROUP BY i.k, i.currency
),
parties AS (
	SELECT k, string_agg(participant_id, ' ' ORDER BY participant_id COLLATE "C") AS ids,
		min(name COLLATE "C") AS name, min(tax_id COLLATE "C") AS tax_id
	FROM party GROUP BY k
)
SELECT coalesce(e.k, i.k), coalesce(pt.ids, ''), coalesce(pt.name, ''), coalesce(pt.tax_id, i.tax_id, ''),
	coalesce(e.currency, i.currency),
	coalesce(e.n, 0), trim_scale(coalesce(e.amount, 0))::text, coalesce(i.n, 0), trim_scale(coalesce(i.amount, 0))::text,
	coalesce(e.bad, 0) + coalesce(i.bad, 0)
FROM expected e
FULL JOIN invoiced i ON i.k = e.k AND i.currency = e.currency
LEFT JOIN parties pt ON pt.k = coalesce(e.k, i.k)
ORDER BY coalesce(pt.ids, '') = '', coalesce(pt.ids, '') COLLATE "C", coalesce(e.k, i.k) COLLATE "C",
	coalesce(e.currency, i.currency) COLLATE "C"`

// TaxPeriodTotals streams, per issuer and currency, what should have been
// invoiced for the sales settled in [from, to) against the active invoices
// issued in it: producers first (by id), then tax ids that are no
// producer's. Under the commission model the issuers are the lead
// producers and they owe the gross; under the partnership model every
// participant owes its shares (commission and adjustment lines). A
// currency payouts does not know has no row: its sales and invoices cannot
// be shown as amounts, and are counted in no row's NotSummed.
func (s *Store) TaxPeriodTotals(ctx context.Context, from, to time.Time, partnership bool, fn func(ledger.TaxPeriodTotal) error) error {
	var codes []string
	if err := s.DB.SelectContext(ctx, &codes, `SELECT currency FROM sales WHERE settled_at >= $1 AND settled_at < $2
		UNION SELECT currency FROM tax_records WHERE issued_at >= $1 AND issued_at < $2`, from, to); err != nil {
		return fmt.Errorf("tax report: currencies: %w", err)
	}
	var known []string
	var minor []int64
	for _, code := range codes {
		if c, err := reconcile.LookupCurrency(code); err == nil {
			known, minor = append(known, c.Code), append(minor, int64(c.Minor))
		}
	}
	rows, err := s.DB.QueryContext(ctx, taxPeriodQuery, from, to, pq.Array(known), pq.Array(minor), partnership)
	if err != nil {
		return fmt.Errorf("tax report: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ledger.TaxPeriodTotal
		var code, expected, invoiced string // decimal text in the currency's major unit; "0" when none
		if err := rows.Scan(&r.Key, &r.Producers, &r.Name, &r.TaxID, &code, &r.Sales, &expected, &r.Invoices,
			&invoiced, &r.NotSummed); err != nil {
			return fmt.Errorf("tax report: %w", err)
		}
		if r.Currency, err = reconcile.LookupCurrency(code); err != nil {
			continue
		}
		if r.Expected, err = reconcile.ParseAmount(expected, r.Currency); err != nil {
			return fmt.Errorf("tax report: %s %s: expected %w", r.Key, code, err)
		}
		if r.Invoiced, err = reconcile.ParseAmount(invoiced, r.Currency); err != nil {
			return fmt.Errorf("tax report: %s %s: invoiced %w", r.Key, code, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
