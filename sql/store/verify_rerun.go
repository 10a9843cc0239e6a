package store

import "fmt"

// rerunChecks are the invariants of a rerun's adjustments. They find
// nothing in a nightly run, which has no adjustment lines. Together with
// the position check of verifyChecks (no position reversed beyond what it
// is entitled to, a fully reversed sale at zero, now over every sale with
// reversal or adjustment lines in the run) and the balance checks, they
// make sure a rerun pays exactly the difference it computed:
//   - every adjustment line belongs to a sale the rerun recomputed;
//   - every sale the rerun adjusted now holds, over all its lines in all
//     runs, exactly what the rerun recomputed it should have paid by now
//     (for a sale never refunded: commissions plus adjustments equal its
//     recomputed net).
var rerunChecks = []check{
	{
		name: "adjustments belong to recomputed sales",
		query: `SELECT DISTINCT l.sale_id FROM lines l
			WHERE l.run_id = $1 AND l.kind = 'adjustment'
			  AND NOT EXISTS (SELECT 1 FROM rerun_sales r WHERE r.run_id = $1 AND r.sale_id = l.sale_id)
			ORDER BY l.sale_id`,
		scan: func(scan func(...any) error) (string, error) {
			var sale string
			err := scan(&sale)
			return fmt.Sprintf("sale %s: adjustment lines on a sale this rerun did not recompute", sale), err
		},
	},
	{
		name: "adjusted sales hold what was recomputed",
		query: `SELECT r.sale_id, r.currency, r.net, r.paid, coalesce(sum(l.amount), 0)::bigint
			FROM rerun_sales r
			LEFT JOIN lines l ON l.sale_id = r.sale_id
			WHERE r.run_id = $1
			GROUP BY r.sale_id, r.currency, r.net, r.paid
			HAVING coalesce(sum(l.amount), 0) <> r.paid
			ORDER BY r.sale_id COLLATE "C"`,
		scan: func(scan func(...any) error) (string, error) {
			var sale, cur string
			var net, paid, sum int64
			err := scan(&sale, &cur, &net, &paid, &sum)
			return fmt.Sprintf("sale %s: its lines add up to %s after the adjustments, the rerun recomputed %s (net %s)",
				sale, money(sum, cur), money(paid, cur), money(net, cur)), err
		},
	},
}
