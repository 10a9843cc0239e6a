package store

import (
	"context"
	"fmt"
	"strings"

	"payouts/reconcile"
)

// maxViolations bounds how many violations a failed check lists.
const maxViolations = 20

// VerifyError is a run that broke a money invariant: the run fails, and
// nothing of it is committed or published.
type VerifyError struct {
	RunID      string
	Violations []string
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("run %s failed its checks, nothing was published: %s", e.RunID, strings.Join(e.Violations, "; "))
}

// check is one invariant: a query returning one row per violation, and how
// to describe that row.
type check struct {
	name  string
	query string
	scan  func(scan func(...any) error) (string, error)
	// when, if set, is a cheap query ($1: the run) that says whether query
	// can find anything: query, which reads more than the night (every
	// item ever issued), runs only then, to name what is wrong.
	when string
}

// Verify checks, inside the run's transaction and before anything is
// committed, that the run's money adds up:
//   - every sale allocated by the run has commission lines that add up to
//     its net, and no commission line lacks such a sale;
//   - no position on a sale the run reversed has been reversed beyond what
//     it was paid, and a fully reversed sale leaves every position at zero;
//   - per participant and currency, the balance rows agree with the run's
//     lines and with the balance brought forward, every carried balance is
//     settled, and payout items match the balances that pay out;
//   - a rerun's adjustments add up (see rerunChecks).
//
// Verify runs after the balances are saved and before they are carried
// forward. Every violation is listed, naming the sale or participant.
func (r *RunTx) Verify(ctx context.Context) error {
	// The checks join lines with lines. After a crash, autovacuum may have
	// cleaned up the dead attempt's rows and recorded the tables as empty;
	// with such statistics the planner nests loops over every line and a
	// check takes hours. ANALYZE inside the transaction sees the run's own
	// rows, so the plans fit the data: analyzeStale samples the tables
	// whose statistics no longer describe them.
	// A nightly run counted lines and sale_outcomes after allocation
	// (FinishAllocation); sampling them again cost 1 s a night once they
	// held twenty nights.
	tables := []string{"processed_events", "balances", "payout_items", "rerun_sales", "payout_credits"}
	if !r.analyzedLines {
		tables = append([]string{"lines", "sale_outcomes"}, tables...)
	}
	if err := r.analyzeStale(ctx, tables...); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	var violations []string
	checks := append(verifyChecks[:len(verifyChecks):len(verifyChecks)], rerunChecks...)
	for _, c := range append(checks, statusChecks...) {
		if c.when != "" {
			var suspect bool
			if err := r.tx.GetContext(ctx, &suspect, c.when, r.RunID); err != nil {
				return fmt.Errorf("verify %s: %w", c.name, err)
			}
			if !suspect {
				continue
			}
		}
		rows, err := r.tx.QueryContext(ctx, c.query, r.RunID)
		if err != nil {
			return fmt.Errorf("verify %s: %w", c.name, err)
		}
		for rows.Next() {
			msg, err := c.scan(rows.Scan)
			if err != nil {
				rows.Close()
				return fmt.Errorf("verify %s: %w", c.name, err)
			}
			if len(violations) < maxViolations {
				violations = append(violations, msg)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("verify %s: %w", c.name, err)
		}
	}
	if len(violations) > 0 {
		return &VerifyError{RunID: r.RunID, Violations: violations}
	}
	// The items queued since the last check were checked: the rows this
	// transaction sees leave the queue; those a status import commits
	// meanwhile stay for the next run.
	if _, err := r.tx.ExecContext(ctx, `DELETE FROM payout_status_queue`); err != nil {
		return fmt.Errorf("verify: consume the payout status queue: %w", err)
	}
	return nil
}

// money formats minor units of a currency code for a message.
func money(v int64, code string) string {
	cur, err := reconcile.LookupCurrency(code)
	if err != nil {
		return fmt.Sprintf("%d minor units of %s", v, code)
	}
	return reconcile.FormatAmount(v, cur) + " " + code
}

var verifyChecks = []check{
	{
		// The guard of the foreign key migration 0009 dropped from
		// sale_outcomes.
		name: "outcomes name existing sales",
		// One probe of the sales' primary key per outcome of the run (a
		// scalar subquery is not turned into a join): joined, the planner
		// hashed every sale ever loaded, and the check grew with history.
		query: `SELECT o.sale_id FROM sale_outcomes o
			WHERE o.run_id = $1 AND (SELECT true FROM sales s WHERE s.sale_id = o.sale_id) IS NULL
			ORDER BY o.sale_id COLLATE "C"`,
		scan: func(scan func(...any) error) (string, error) {
			var sale string
			err := scan(&sale)
			return fmt.Sprintf("outcome of sale %s: the sale does not exist", sale), err
		},
	},
	{
		// The guard of the foreign keys migration 0009 dropped from lines
		// (one query per row on the hot path), over the run's lines at once.
		name: "lines name existing sales, participants and contract versions",
		// A line whose sale has an outcome of this run names an existing
		// sale if the outcome does (the check above); the others (the
		// sales of reversals and adjustments, or a line gone wrong) are
		// probed, one primary-key probe each, never a hash of every sale
		// ever loaded.
		query: `SELECT q.sale_id, q.participant_id, q.contract_id, q.contract_version, q.no_sale, q.no_participant, q.no_contract
			FROM (SELECT l.sale_id, l.participant_id, coalesce(l.contract_id, '') AS contract_id,
					coalesce(l.contract_version, 0) AS contract_version,
					o.sale_id IS NULL AND (SELECT true FROM sales s WHERE s.sale_id = l.sale_id) IS NULL AS no_sale,
					p.participant_id IS NULL AS no_participant,
					l.contract_id IS NOT NULL AND t.contract_id IS NULL AS no_contract
				FROM lines l
				LEFT JOIN (SELECT sale_id FROM sale_outcomes WHERE run_id = $1) o ON o.sale_id = l.sale_id
				LEFT JOIN participants p ON p.participant_id = l.participant_id
				LEFT JOIN contract_terms t ON t.contract_id = l.contract_id AND t.version = l.contract_version
				WHERE l.run_id = $1) q
			WHERE q.no_sale OR q.no_participant OR q.no_contract
			ORDER BY q.sale_id COLLATE "C", q.participant_id COLLATE "C"`,
		scan: func(scan func(...any) error) (string, error) {
			var sale, p, contract string
			var version int
			var noSale, noParticipant, noContract bool
			err := scan(&sale, &p, &contract, &version, &noSale, &noParticipant, &noContract)
			var what []string
			if noSale {
				what = append(what, "sale "+sale+" does not exist")
			}
			if noParticipant {
				what = append(what, "participant "+p+" does not exist")
			}
			if noContract {
				what = append(what, fmt.Sprintf("contract %s version %d does not exist", contract, version))
			}
			return fmt.Sprintf("line of sale %s, participant %s: %s", sale, p, strings.Join(what, ", ")), err
		},
	},
	{
		name: "commissions add up to net",
		// Only this run's lines: a sale has one outcome ever (primary
		// key), so its commissions are all written by the run that
		// allocated it, and "commissions belong to allocated sales" refuses
		// any other. Joined with every commission ever written, the check
		// grew with history.
		query: `SELECT o.sale_id, o.currency, o.net, coalesce(l.amount, 0)
			FROM sale_outcomes o
			LEFT JOIN (SELECT sale_id, sum(amount)::bigint AS amount FROM lines
				WHERE run_id = $1 AND kind = 'commission' GROUP BY sale_id) l ON l.sale_id = o.sale_id
			WHERE o.run_id = $1 AND o.outcome = 'allocated' AND coalesce(l.amount, 0) <> o.net
			ORDER BY o.sale_id COLLATE "C"`,
		scan: func(scan func(...any) error) (string, error) {
			var sale, cur string
			var net, sum int64
			err := scan(&sale, &cur, &net, &sum)
			return fmt.Sprintf("sale %s: commission lines add up to %s, its net is %s", sale, money(sum, cur), money(net, cur)), err
		},
	},
	{
		name: "commissions belong to allocated sales",
		query: `SELECT DISTINCT l.sale_id FROM lines l
			WHERE l.run_id = $1 AND l.kind = 'commission'
			  AND NOT EXISTS (SELECT 1 FROM sale_outcomes o WHERE o.sale_id = l.sale_id AND o.run_id = $1 AND o.outcome = 'allocated')
			ORDER BY l.sale_id`,
		scan: func(scan func(...any) error) (string, error) {
			var sale string
			err := scan(&sale)
			return fmt.Sprintf("sale %s: commission lines without an allocation by this run", sale), err
		},
	},
	{
		name: "reversals within what was paid",
		query: `SELECT q.sale_id, q.participant_id, q.role, q.contract_id, q.currency, q.entitled, q.reversed, q.closed
			FROM (SELECT l.sale_id, l.participant_id, l.role, coalesce(l.contract_id, '') AS contract_id, min(l.currency) AS currency,
					` + entitledSQL + ` AS entitled, ` + reversedSQL + ` AS reversed,
					EXISTS (SELECT 1 FROM processed_events pe WHERE pe.sale_id = l.sale_id AND pe.full_reversal) AS closed
				FROM lines l
				WHERE l.sale_id IN (SELECT sale_id FROM lines WHERE run_id = $1 AND kind IN ('reversal', 'adjustment'))
				GROUP BY l.sale_id, l.participant_id, l.role, coalesce(l.contract_id, '')) q
			WHERE q.reversed > 0 OR -q.reversed > q.entitled OR (q.closed AND q.entitled + q.reversed <> 0)
			ORDER BY q.sale_id COLLATE "C", q.participant_id COLLATE "C", q.role, q.contract_id COLLATE "C"`,
		scan: func(scan func(...any) error) (string, error) {
			var sale, p, role, contract, cur string
			var entitled, reversed int64
			var closed bool
			err := scan(&sale, &p, &role, &contract, &cur, &entitled, &reversed, &closed)
			what := "reversed beyond what it was paid"
			if closed && -reversed <= entitled && reversed <= 0 {
				what = "not at zero after a full reversal"
			}
			return fmt.Sprintf("sale %s, participant %s (%s %s): %s: paid %s, reversed %s",
				sale, p, role, contract, what, money(entitled, cur), money(-reversed, cur)), err
		},
	},
	{
		name: "balances agree with lines and brought-forward",
		query: `WITH sums AS (
				SELECT participant_id, currency,
					coalesce(sum(amount) FILTER (WHERE kind = 'commission'), 0)::bigint AS c,
					coalesce(sum(amount) FILTER (WHERE kind = 'reversal'), 0)::bigint AS r,
					coalesce(sum(amount) FILTER (WHERE kind = 'adjustment'), 0)::bigint AS a
				FROM lines WHERE run_id = $1 GROUP BY participant_id, currency
			), carried AS (
				` + carriedSQL + `
			), bal AS (
				SELECT * FROM balances WHERE run_id = $1
			), keys AS (
				SELECT participant_id, currency FROM sums UNION SELECT participant_id, currency FROM carried
				UNION SELECT participant_id, currency FROM bal
			)
			SELECT k.participant_id, k.currency,
				coalesce(c.amount, 0), coalesce(s.c, 0), coalesce(s.r, 0), coalesce(s.a, 0),
				b.participant_id IS NOT NULL, coalesce(b.brought_forward, 0), coalesce(b.commissions, 0),
				coalesce(b.reversals, 0), coalesce(b.adjustments, 0)
			FROM keys k
			LEFT JOIN sums s USING (participant_id, currency)
			LEFT JOIN carried c USING (participant_id, currency)
			LEFT JOIN bal b USING (participant_id, currency)
			WHERE b.participant_id IS NULL
			   OR b.brought_forward <> coalesce(c.amount, 0) OR b.commissions <> coalesce(s.c, 0)
			   OR b.reversals <> coalesce(s.r, 0) OR b.adjustments <> coalesce(s.a, 0)
			ORDER BY k.participant_id COLLATE "C", k.currency COLLATE "C"`,
		scan: func(scan func(...any) error) (string, error) {
			var p, cur string
			var bf, c, r, a, bbf, bc, br, ba int64
			var has bool
			err := scan(&p, &cur, &bf, &c, &r, &a, &has, &bbf, &bc, &br, &ba)
			if !has {
				return fmt.Sprintf("participant %s, %s: no balance settled for %s brought forward and %s of lines",
					p, cur, money(bf, cur), money(c+r+a, cur)), err
			}
			return fmt.Sprintf("participant %s, %s: balance says brought forward %s + lines %s, the ledger says %s + %s",
				p, cur, money(bbf, cur), money(bc+br+ba, cur), money(bf, cur), money(c+r+a, cur)), err
		},
	},
	{
		name: "payout items match balances",
		query: `SELECT coalesce(b.participant_id, i.participant_id), coalesce(b.currency, i.currency),
				coalesce(b.payout, 0), coalesce(i.amount, 0)
			FROM (SELECT * FROM balances WHERE run_id = $1 AND payout > 0) b
			FULL JOIN (SELECT * FROM payout_items WHERE run_id = $1) i
				ON i.participant_id = b.participant_id AND i.currency = b.currency
			WHERE b.participant_id IS NULL OR i.participant_id IS NULL OR b.payout <> i.amount
			ORDER BY coalesce(b.participant_id, i.participant_id) COLLATE "C", coalesce(b.currency, i.currency)`,
		scan: func(scan func(...any) error) (string, error) {
			var p, cur string
			var payout, item int64
			err := scan(&p, &cur, &payout, &item)
			return fmt.Sprintf("participant %s, %s: balance pays out %s, payout item is %s", p, cur, money(payout, cur), money(item, cur)), err
		},
	},
}

// Exec runs a statement inside the run's transaction. Tests use it to
// corrupt a run on purpose and watch Verify fail.
func (r *RunTx) Exec(ctx context.Context, query string, args ...any) error {
	_, err := r.tx.ExecContext(ctx, query, args...)
	return err
}
