package store

import "fmt"

// statusChecks are the payout status invariants of SPEC 12, checked by
// Verify inside every run's transaction:
//   - per currency, everything ever issued = paid + rejected + returned +
//     outstanding, from the payout ledger (migration 0014), which sums
//     every write of an item as the database makes it: an item changed
//     or deleted after it was issued breaks the equality;
//   - each item's state is the last state of its status history (issued
//     without one): checked for the items whose state or history changed
//     since the last run's check (payout_status_queue) and the run's own
//     items, so a night reads what changed, not every item ever issued;
//     only when one disagrees are all items summed, to name the sums;
//   - every rejected or returned item is credited back exactly once, after
//     a nightly run, for its amount, to its participant; nothing else is;
//   - the balances' returned column is what the run credited back.
//
// ledgerTotals sums the payout ledger (migration 0014) per currency:
// issued_ever, what entered the books as issued; issued, what the items
// hold now (paid + rejected + returned + outstanding); and each state's
// share; items, how many items there are. The check and the workbook's
// item totals read it.
const ledgerTotals = `SELECT currency, sum(issued)::bigint AS issued_ever, sum(amount)::bigint AS issued,
		coalesce(sum(amount) FILTER (WHERE state = 'paid'), 0)::bigint AS paid,
		coalesce(sum(amount) FILTER (WHERE state = 'rejected'), 0)::bigint AS rejected,
		coalesce(sum(amount) FILTER (WHERE state = 'returned'), 0)::bigint AS returned,
		coalesce(sum(amount) FILTER (WHERE state IN ('issued', 'accepted')), 0)::bigint AS outstanding,
		sum(items)::bigint AS items
	FROM payout_item_ledger GROUP BY currency`

var statusChecks = []check{
	{
		name: "payout ledger: everything issued is paid, rejected, returned or outstanding",
		query: `SELECT currency, issued_ever, issued, paid, rejected, returned, outstanding
			FROM (` + ledgerTotals + `) t
			WHERE $1::text IS NOT NULL AND issued_ever <> issued
			ORDER BY currency COLLATE "C"`,
		scan: func(scan func(...any) error) (string, error) {
			var cur string
			var issued, held, paid, rej, ret, out int64
			err := scan(&cur, &issued, &held, &paid, &rej, &ret, &out)
			return fmt.Sprintf("payout items in %s: issued %s, but the items now hold %s (paid %s + rejected %s + returned %s + outstanding %s): "+
				"an item's amount was changed or an item deleted after it was issued",
				cur, money(issued, cur), money(held, cur), money(paid, cur), money(rej, cur), money(ret, cur), money(out, cur)), err
		},
	},
	{
		name: "payout items conserved by state",
		when: `SELECT EXISTS (
				SELECT 1 FROM (SELECT reference FROM payout_status_queue
					UNION SELECT reference FROM payout_items WHERE run_id = $1) q
				JOIN payout_items i ON i.reference = q.reference
				WHERE i.state <> coalesce((SELECT h.state FROM payout_status_history h
					WHERE h.reference = i.reference ORDER BY h.seq DESC LIMIT 1), 'issued'))`,
		query: `WITH last AS (
				SELECT DISTINCT ON (reference) reference, state FROM payout_status_history ORDER BY reference, seq DESC
			), s AS (
				SELECT i.currency, i.amount, i.state AS item_state, coalesce(l.state, 'issued') AS history_state
				FROM payout_items i LEFT JOIN last l ON l.reference = i.reference
			), t AS (
				SELECT currency, sum(amount)::bigint AS issued,
					coalesce(sum(amount) FILTER (WHERE item_state = 'paid'), 0)::bigint AS paid,
					coalesce(sum(amount) FILTER (WHERE item_state = 'rejected'), 0)::bigint AS rejected,
					coalesce(sum(amount) FILTER (WHERE item_state = 'returned'), 0)::bigint AS returned,
					coalesce(sum(amount) FILTER (WHERE item_state IN ('issued', 'accepted')), 0)::bigint AS outstanding,
					coalesce(sum(amount) FILTER (WHERE history_state = 'paid'), 0)::bigint AS h_paid,
					coalesce(sum(amount) FILTER (WHERE history_state = 'rejected'), 0)::bigint AS h_rejected,
					coalesce(sum(amount) FILTER (WHERE history_state = 'returned'), 0)::bigint AS h_returned,
					coalesce(sum(amount) FILTER (WHERE history_state IN ('issued', 'accepted')), 0)::bigint AS h_outstanding,
					count(*) FILTER (WHERE item_state <> history_state) AS disagree
				FROM s GROUP BY currency
			)
			SELECT currency, issued, paid, rejected, returned, outstanding, h_paid, h_rejected, h_returned, h_outstanding, disagree
			FROM t
			WHERE $1::text IS NOT NULL
			  AND (issued <> paid + rejected + returned + outstanding OR disagree > 0
			   OR paid <> h_paid OR rejected <> h_rejected OR returned <> h_returned OR outstanding <> h_outstanding)
			ORDER BY currency`,
		scan: func(scan func(...any) error) (string, error) {
			var cur string
			var issued, paid, rej, ret, out, hp, hrj, hrt, ho, disagree int64
			err := scan(&cur, &issued, &paid, &rej, &ret, &out, &hp, &hrj, &hrt, &ho, &disagree)
			return fmt.Sprintf("payout items in %s: issued %s; by their states paid %s + rejected %s + returned %s + outstanding %s; "+
				"by their status history paid %s + rejected %s + returned %s + outstanding %s (%d items disagree)",
				cur, money(issued, cur), money(paid, cur), money(rej, cur), money(ret, cur), money(out, cur),
				money(hp, cur), money(hrj, cur), money(hrt, cur), money(ho, cur), disagree), err
		},
	},
	{
		name: "rejected and returned items credited back once",
		query: `SELECT coalesce(i.reference, c.reference), coalesce(i.state, ''), coalesce(i.currency, c.currency),
				coalesce(i.amount, 0), coalesce(c.amount, 0), c.reference IS NOT NULL,
				coalesce(i.participant_id = c.participant_id AND i.currency = c.currency, true)
			FROM (SELECT * FROM payout_items WHERE state IN ('rejected', 'returned')) i
			FULL JOIN payout_credits c ON c.reference = i.reference
			WHERE (c.reference IS NULL AND (SELECT kind FROM runs WHERE run_id = $1) = 'nightly')
			   OR (c.reference IS NOT NULL AND i.reference IS NULL)
			   OR (c.reference IS NOT NULL AND i.reference IS NOT NULL
			       AND (c.amount <> i.amount OR c.participant_id <> i.participant_id OR c.currency <> i.currency))
			ORDER BY coalesce(i.reference, c.reference) COLLATE "C"`,
		scan: func(scan func(...any) error) (string, error) {
			var ref, state, cur string
			var amount, credited int64
			var has, same bool
			err := scan(&ref, &state, &cur, &amount, &credited, &has, &same)
			switch {
			case !has:
				return fmt.Sprintf("payout item %s is %s for %s and was never credited back", ref, state, money(amount, cur)), err
			case state == "":
				return fmt.Sprintf("payout item %s was credited back %s but is neither rejected nor returned", ref, money(credited, cur)), err
			case !same:
				return fmt.Sprintf("payout item %s was credited back to another participant or currency", ref), err
			}
			return fmt.Sprintf("payout item %s is %s for %s and was credited back %s", ref, state, money(amount, cur), money(credited, cur)), err
		},
	},
	{
		name: "balances credit back what the run credited",
		query: `SELECT coalesce(b.participant_id, c.participant_id), coalesce(b.currency, c.currency),
				coalesce(b.returned, 0), coalesce(c.amount, 0)
			FROM (SELECT participant_id, currency, returned FROM balances WHERE run_id = $1 AND returned <> 0) b
			FULL JOIN (SELECT participant_id, currency, sum(amount)::bigint AS amount FROM payout_credits WHERE run_id = $1
				GROUP BY participant_id, currency) c
				ON c.participant_id = b.participant_id AND c.currency = b.currency
			WHERE coalesce(b.returned, 0) <> coalesce(c.amount, 0)
			ORDER BY coalesce(b.participant_id, c.participant_id) COLLATE "C", coalesce(b.currency, c.currency) COLLATE "C"`,
		scan: func(scan func(...any) error) (string, error) {
			var p, cur string
			var ret, credited int64
			err := scan(&p, &cur, &ret, &credited)
			return fmt.Sprintf("participant %s, %s: balance says returned %s, the run credited back %s",
				p, cur, money(ret, cur), money(credited, cur)), err
		},
	},
}
