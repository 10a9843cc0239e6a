package load

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"payouts/reconcile"
)

// A check is one set-based query over the staging tables (and the rows
// already in the database) that returns (line, reason) for every bad row
// of file: no query per row, whatever the size of the load.
type check struct {
	file  string
	sql   string
	args  []any
	needs []string // other tables whose staged rows the check compares with
}

// runChecks runs the rules that need more than one row and reports what
// they find. It must run after every file is staged. A check that needs a
// file whose header was unusable (so none of its rows were staged) is
// skipped: it would report every reference to those rows as unknown,
// burying the one header error that matters.
func runChecks(ctx context.Context, tx *sqlx.Tx, unreadable map[string]bool, report func(RowError)) error {
	if err := prepareSales(ctx, tx); err != nil {
		return err
	}
	var all []check
	all = append(all, duplicateChecks()...)
	all = append(all, referenceChecks()...)
	all = append(all, contractChecks()...)
	all = append(all, eventChecks()...)
	all = append(all, reversedEventCheck())
next:
	for _, c := range all {
		for _, n := range c.needs {
			if unreadable[n] {
				continue next
			}
		}
		if err := c.run(ctx, tx, report); err != nil {
			return err
		}
	}
	return nil
}

func (c check) run(ctx context.Context, tx *sqlx.Tx, report func(RowError)) error {
	rows, err := tx.QueryContext(ctx, c.sql, c.args...)
	if err != nil {
		return fmt.Errorf("check %s: %w", c.file, err)
	}
	defer rows.Close()
	for rows.Next() {
		var line int64
		var reason string
		if err := rows.Scan(&line, &reason); err != nil {
			return fmt.Errorf("check %s: %w", c.file, err)
		}
		report(RowError{File: c.file, Line: int(line), Reason: reason})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check %s: %w", c.file, err)
	}
	return nil
}

// duplicateChecks: a primary key twice in one file is an error on every
// line after the first (which value would win would depend on the order).
func duplicateChecks() []check {
	msg := map[string]string{
		"participants":   `participant_id: "%s" is already on line %s`,
		"products":       `product_id: "%s" is already on line %s`,
		"contract_terms": `version: contract "%s" version %s is already on line %s`,
		"affiliations":   `affiliate_id: product "%s" affiliate "%s" is already on line %s`,
		"sales":          `sale_id: "%s" is already on line %s`,
		"sale_events":    `event_id: "%s" is already on line %s`,
		"tax_records":    `invoice_id: "%s" is already on line %s`,
	}
	var out []check
	for _, t := range tables {
		keys := strings.Join(t.pk, ", ")
		notNull := strings.Join(t.pk, " IS NOT NULL AND ") + " IS NOT NULL"
		out = append(out, check{file: t.file, args: []any{msg[t.name]}, sql: fmt.Sprintf(
			`SELECT line, format($1, %[1]s, first) FROM (
			   SELECT line, %[1]s, min(line) OVER (PARTITION BY %[1]s) AS first
			   FROM %[2]s WHERE %[3]s) d
			 WHERE line <> first`, keys, t.stage(), notNull)})
	}
	return out
}

// A reference must name a row of the same load or one already in the
// database. A staged row counts even when it is bad for another reason:
// its own error says what is wrong, and repeating it on every row that
// names it would bury it.
type reference struct {
	from   string // table
	col    string
	to     string // table, referenced by its single-column primary key
	entity string // for the message
}

var references = []reference{
	{"products", "lead_producer_id", "participants", "participant"},
	{"contract_terms", "product_id", "products", "product"},
	{"contract_terms", "coproducer_id", "participants", "participant"},
	{"affiliations", "product_id", "products", "product"},
	{"affiliations", "affiliate_id", "participants", "participant"},
	{"affiliations", "manager_id", "participants", "participant"},
	{"sales", "product_id", "products", "product"},
	{"sales", "affiliate_id", "participants", "participant"},
	{"sale_events", "sale_id", "sales", "sale"},
}

func referenceChecks() []check {
	var out []check
	for _, r := range references {
		from, to := byName[r.from], byName[r.to]
		pk := to.pk[0]
		out = append(out, check{file: from.file, needs: []string{r.to}, args: []any{r.col + `: unknown ` + r.entity + ` "%s"`}, sql: fmt.Sprintf(
			`SELECT s.line, format($1, s.%[1]s) FROM %[2]s s
			 WHERE s.%[1]s IS NOT NULL
			   AND NOT EXISTS (SELECT 1 FROM %[3]s l WHERE l.%[4]s = s.%[1]s)
			   AND NOT EXISTS (SELECT 1 FROM %[5]s d WHERE d.%[4]s = s.%[1]s)`,
			r.col, from.stage(), to.stage(), pk, to.name)})
	}
	return out
}

// contractChecks: every version of a contract is about the same product
// and co-producer. The versions that count are the staged ones plus those
// in the database that the load does not replace. A staged version is
// compared with such a database version when there is one, otherwise with
// the contract's first line in the file.
func contractChecks() []check {
	const remaining = `SELECT 1 FROM contract_terms d WHERE d.contract_id = s.contract_id
	   AND NOT EXISTS (SELECT 1 FROM load_contract_terms o WHERE o.contract_id = d.contract_id AND o.version = d.version)`
	var out []check
	for _, c := range []struct{ col, noun string }{{"product_id", "product"}, {"coproducer_id", "co-producer"}} {
		out = append(out,
			check{file: "contract_terms.csv", sql: fmt.Sprintf(
				`SELECT DISTINCT ON (s.line) s.line,
				        format('%[1]s: contract "%%s" has %[2]s "%%s" in its version %%s in the database', s.contract_id, d.%[1]s, d.version)
				 FROM load_contract_terms s
				 JOIN contract_terms d ON d.contract_id = s.contract_id AND d.%[1]s <> s.%[1]s
				 WHERE s.%[1]s IS NOT NULL
				   AND NOT EXISTS (SELECT 1 FROM load_contract_terms o WHERE o.contract_id = d.contract_id AND o.version = d.version)
				 ORDER BY s.line, d.version`, c.col, c.noun)},
			check{file: "contract_terms.csv", sql: fmt.Sprintf(
				`SELECT s.line, format('%[1]s: contract "%%s" has %[2]s "%%s" on line %%s', s.contract_id, f.%[1]s, f.line)
				 FROM load_contract_terms s
				 JOIN (SELECT DISTINCT ON (contract_id) contract_id, %[1]s, line FROM load_contract_terms
				       WHERE contract_id IS NOT NULL AND %[1]s IS NOT NULL ORDER BY contract_id, line) f
				   ON f.contract_id = s.contract_id AND f.%[1]s <> s.%[1]s
				 WHERE NOT EXISTS (%[3]s)`, c.col, c.noun, remaining)})
	}
	return out
}

// prepareSales builds load_eff_sales: the sales the event checks need, as
// they will be after the load (the staged row, first line, when the load
// has the sale; line 0 when it is only in the database), and
// load_currency, the minor digits of their currencies (from reconcile, the
// one list of currencies).
func prepareSales(ctx context.Context, tx *sqlx.Tx) error {
	stmts := []string{
		`CREATE TEMP TABLE load_eff_sales ON COMMIT DROP AS
		 SELECT DISTINCT ON (sale_id) sale_id, currency, gross, line FROM load_sales
		 WHERE sale_id IS NOT NULL ORDER BY sale_id, line`,
		`INSERT INTO load_eff_sales
		 SELECT s.sale_id, s.currency, s.gross, 0 FROM sales s
		 WHERE s.sale_id IN (SELECT sale_id FROM load_sale_events)
		   AND NOT EXISTS (SELECT 1 FROM load_sales l WHERE l.sale_id = s.sale_id)`,
		`ANALYZE load_eff_sales`,
		`CREATE TEMP TABLE load_currency (code text PRIMARY KEY, minor integer NOT NULL) ON COMMIT DROP`,
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("prepare sale checks: %w", err)
		}
	}
	var codes []string
	if err := tx.SelectContext(ctx, &codes, `SELECT DISTINCT currency FROM load_eff_sales WHERE currency IS NOT NULL`); err != nil {
		return fmt.Errorf("prepare sale checks: %w", err)
	}
	var known []string
	var minor []int64
	for _, code := range codes {
		// A currency the database holds but reconcile does not know was
		// written directly; the run holds such a sale (INVALID_SALE).
		if c, err := reconcile.LookupCurrency(code); err == nil {
			known = append(known, c.Code)
			minor = append(minor, int64(c.Minor))
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO load_currency SELECT * FROM unnest($1::text[], $2::integer[])`,
		pq.Array(known), pq.Array(minor)); err != nil {
		return fmt.Errorf("prepare sale checks: %w", err)
	}
	return nil
}

// The events that count for a sale after the load: the staged ones (first
// line of each event id) and those in the database the load does not
// replace.
const notReplacedEvent = `NOT EXISTS (SELECT 1 FROM load_sale_events o WHERE o.event_id = d.event_id)`

func eventChecks() []check {
	checks := []check{
		// An event amount has at most its sale's currency's digits.
		{file: "sale_events.csv", sql: `
			SELECT e.line, format('amount: amount "%s" has %s fraction digits; %s has %s', e.amount, scale(e.amount), c.code, c.minor)
			FROM load_sale_events e
			JOIN load_eff_sales s ON s.sale_id = e.sale_id
			JOIN load_currency c ON c.code = s.currency
			WHERE e.amount IS NOT NULL AND scale(e.amount) > c.minor`},
		// ... also when the load changes the sale's currency.
		{file: "sales.csv", sql: `
			SELECT DISTINCT ON (s.line) s.line,
			       format('currency: %s has %s fraction digits but refund "%s" of this sale, in the database, is %s', c.code, c.minor, d.event_id, d.amount)
			FROM load_sales s
			JOIN load_currency c ON c.code = s.currency
			JOIN sale_events d ON d.sale_id = s.sale_id
			WHERE d.amount IS NOT NULL AND scale(d.amount) > c.minor AND ` + notReplacedEvent + `
			ORDER BY s.line, d.event_id`},
		// The refunds of a sale never exceed its gross; an empty amount is
		// the full gross. Reported on the first staged refund that takes
		// the running total (database refunds first, then the file's in
		// line order) above the gross...
		{file: "sale_events.csv", sql: `
			WITH ev AS (
			  SELECT d.sale_id, 0::bigint AS line, coalesce(d.amount, s.gross) AS amount
			  FROM sale_events d JOIN load_eff_sales s ON s.sale_id = d.sale_id
			  WHERE d.kind = 'refund' AND ` + notReplacedEvent + `
			  UNION ALL
			  SELECT e.sale_id, e.line, coalesce(e.amount, s.gross)
			  FROM load_sale_events e JOIN load_eff_sales s ON s.sale_id = e.sale_id
			  WHERE e.ok AND e.kind = 'refund'
			    AND NOT EXISTS (SELECT 1 FROM load_sale_events p WHERE p.event_id = e.event_id AND p.line < e.line)
			), running AS (
			  SELECT sale_id, line, sum(amount) OVER (PARTITION BY sale_id ORDER BY line ROWS UNBOUNDED PRECEDING) AS total
			  FROM ev
			)
			SELECT DISTINCT ON (r.sale_id) r.line,
			       format('amount: refunds of sale "%s" add up to %s, above its gross %s', r.sale_id, r.total, s.gross)
			FROM running r JOIN load_eff_sales s ON s.sale_id = r.sale_id
			WHERE r.line > 0 AND s.gross IS NOT NULL AND r.total > s.gross
			ORDER BY r.sale_id, r.line`},
		// ... or on the sale's line when the load lowers a gross below what
		// the database already refunded.
		{file: "sales.csv", sql: `
			SELECT s.line, format('gross: %s is below the %s already refunded in sale_events', s.gross, sum(coalesce(d.amount, s.gross)))
			FROM load_eff_sales s JOIN sale_events d ON d.sale_id = s.sale_id
			WHERE s.line > 0 AND s.gross IS NOT NULL AND d.kind = 'refund' AND ` + notReplacedEvent + `
			GROUP BY s.line, s.gross
			HAVING sum(coalesce(d.amount, s.gross)) > s.gross`},
	}
	for i := range checks {
		checks[i].needs = []string{"sales", "sale_events"}
	}
	return checks
}

// reversedEventCheck: a refund or chargeback a run has taken is immutable
// (README, Decisions): its lines were computed from it, so a change of
// its sale, kind, amount or time would never be acted on. A correction is
// a new event. (The schema refuses a direct UPDATE too.)
func reversedEventCheck() check {
	return check{file: "sale_events.csv", needs: []string{"sale_events"}, sql: `
		SELECT e.line, format('event_id: event "%s" was reversed by run %s and cannot change (%s); a correction is a new event with its own event_id',
		         e.event_id, p.run_id, concat_ws(', ',
		           CASE WHEN e.sale_id IS DISTINCT FROM d.sale_id THEN format('sale %s to %s', d.sale_id, e.sale_id) END,
		           CASE WHEN e.kind IS DISTINCT FROM d.kind THEN format('kind %s to %s', d.kind, e.kind) END,
		           CASE WHEN e.amount IS DISTINCT FROM d.amount THEN format('amount %s to %s', coalesce(d.amount::text, 'empty'), coalesce(e.amount::text, 'empty')) END,
		           CASE WHEN e.occurred_at IS DISTINCT FROM d.occurred_at THEN 'occurred_at' END))
		FROM load_sale_events e
		JOIN sale_events d ON d.event_id = e.event_id
		JOIN processed_events p ON p.event_id = e.event_id
		WHERE e.ok AND (e.sale_id, e.kind, e.amount, e.occurred_at) IS DISTINCT FROM (d.sale_id, d.kind, d.amount, d.occurred_at)`}
}

// paidSalesChanged returns the business dates of the nightly runs that
// allocated the sales this load changes (product, currency, amounts,
// affiliate, times): those dates need a rerun to pay the difference.
func paidSalesChanged(ctx context.Context, tx *sqlx.Tx) (dates []string, sales int64, err error) {
	var rows []struct {
		Date  string `db:"business_date"`
		Sales int64  `db:"sales"`
	}
	err = tx.SelectContext(ctx, &rows, `
		SELECT to_char(r.business_date, 'YYYY-MM-DD') AS business_date, count(DISTINCT d.sale_id) AS sales
		FROM load_sales s
		JOIN sales d ON d.sale_id = s.sale_id
		JOIN sale_outcomes o ON o.sale_id = d.sale_id AND o.outcome = 'allocated'
		JOIN runs r ON r.run_id = o.run_id
		WHERE s.ok AND (s.product_id, s.currency, s.gross, s.platform_fee, s.affiliate_id, s.affiliate_rate_percent, s.sold_at, s.settled_at)
		      IS DISTINCT FROM (d.product_id, d.currency, d.gross, d.platform_fee, d.affiliate_id, d.affiliate_rate_percent, d.sold_at, d.settled_at)
		GROUP BY r.business_date ORDER BY r.business_date`)
	if err != nil {
		return nil, 0, fmt.Errorf("paid sales changed: %w", err)
	}
	for _, r := range rows {
		dates = append(dates, r.Date)
		sales += r.Sales
	}
	return dates, sales, nil
}
