package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lib/pq"

	"payouts/reconcile"
	"payouts/reconcile/ledger"
)

// The queries of the finance workbook and the participant statements.
// Facts the platform may change later (names, contract scope, held sales)
// come from the run's snapshot (SnapshotWorkbookFacts), or from the source
// tables for runs computed before there was one.

// heldSalesQuery lists a run's held sales: its blocking CAP_EXCEEDED and
// INVALID_SALE findings that name a sale, with the sale as the run saw it.
//
// The sale is read from sales only for runs computed before the snapshot
// (migration 0004), one probe each (OFFSET 0 keeps the subquery from being
// turned into a join): joined, the planner hashed every sale ever loaded
// to write one night's workbook.
const heldSalesQuery = `SELECT d.sale_id, coalesce(h.product_id, s.product_id, '') AS product_id,
		coalesce(h.currency, s.currency, '') AS currency, coalesce(h.gross, s.gross, '0') AS gross,
		d.kind, d.detail
	FROM run_discrepancies d
	LEFT JOIN run_held_sales h ON h.run_id = d.run_id AND h.sale_id = d.sale_id
	LEFT JOIN LATERAL (SELECT s.product_id, s.currency, trim_scale(s.gross)::text AS gross
		FROM sales s WHERE s.sale_id = d.sale_id AND h.sale_id IS NULL OFFSET 0) s ON true
	WHERE d.run_id = $1 AND d.blocking AND d.kind IN ('CAP_EXCEEDED', 'INVALID_SALE') AND d.sale_id IS NOT NULL
	  AND d.state IS DISTINCT FROM 'resolved'`

// WorkbookCurrencies returns the run's figures for every currency of its
// sales, lines, balances, held sales and discrepancies, sorted by code.
func (s *Store) WorkbookCurrencies(ctx context.Context, runID string) ([]ledger.CurrencySummary, error) {
	rows, err := s.DB.QueryContext(ctx, `WITH o AS (
			SELECT currency, count(*) AS n, sum(gross)::bigint AS gross, sum(net)::bigint AS net
			FROM sale_outcomes WHERE run_id = $1 AND outcome = 'allocated' GROUP BY currency
		), l AS (
			SELECT currency, count(*) AS n,
				coalesce(sum(amount) FILTER (WHERE kind = 'commission' AND role = 'affiliate'), 0)::bigint AS affiliate,
				coalesce(sum(amount) FILTER (WHERE kind = 'commission' AND role = 'coproducer'), 0)::bigint AS coproducer,
				coalesce(sum(amount) FILTER (WHERE kind = 'commission' AND role = 'lead'), 0)::bigint AS lead
			FROM lines WHERE run_id = $1 GROUP BY currency
		), c AS (
			SELECT currency FROM o UNION SELECT currency FROM l
			UNION SELECT currency FROM balances WHERE run_id = $1
			UNION SELECT currency FROM (`+heldSalesQuery+`) h WHERE currency <> ''
			UNION SELECT currency FROM run_discrepancies WHERE run_id = $1 AND coalesce(currency, '') <> ''
			UNION SELECT currency FROM run_backlog WHERE run_id = $1 AND currency <> ''
		)
		SELECT c.currency, coalesce(o.n, 0), coalesce(o.gross, 0), coalesce(o.net, 0), coalesce(l.affiliate, 0),
			coalesce(l.coproducer, 0), coalesce(l.lead, 0), coalesce(l.n, 0)
		FROM c LEFT JOIN o ON o.currency = c.currency LEFT JOIN l ON l.currency = c.currency
		ORDER BY c.currency COLLATE "C"`, runID)
	if err != nil {
		return nil, fmt.Errorf("workbook of run %s: currencies: %w", runID, err)
	}
	defer rows.Close()
	var out []ledger.CurrencySummary
	for rows.Next() {
		var c ledger.CurrencySummary
		if err := rows.Scan(&c.Currency, &c.SalesAllocated, &c.Gross, &c.Net, &c.Affiliate, &c.Coproducer, &c.Lead, &c.Lines); err != nil {
			return nil, fmt.Errorf("workbook of run %s: currencies: %w", runID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// WorkbookDiscrepancyCounts counts the discrepancies by kind and currency,
// sorted: for a run of report version 2, those open after the run (its
// backlog); for an older one, those it reported.
func (s *Store) WorkbookDiscrepancyCounts(ctx context.Context, runID string) ([]ledger.DiscrepancyCount, error) {
	var out []ledger.DiscrepancyCount
	err := s.DB.SelectContext(ctx, &out, `SELECT kind, currency, sum(n)::bigint AS n FROM (
			SELECT kind, coalesce(currency, '') AS currency, count(*) AS n
			FROM run_discrepancies WHERE run_id = $1 AND (SELECT report_version FROM runs WHERE run_id = $1) < 2
			GROUP BY 1, 2
			UNION ALL
			SELECT kind, currency, sum(count) FROM run_backlog WHERE run_id = $1 GROUP BY 1, 2) c
		GROUP BY kind, currency ORDER BY kind COLLATE "C", currency COLLATE "C"`, runID)
	if err != nil {
		return nil, fmt.Errorf("workbook of run %s: discrepancy counts: %w", runID, err)
	}
	return out, nil
}

// PayoutHistory returns the payout totals of the last n runs up to run,
// oldest first: computed or completed runs ordered by business date, then
// seq (a nightly run before the reruns of its date), up to run's own, and
// computed no later than run was. The last condition keeps a rerun of an
// earlier date, computed after run, out of it, so that exporting run
// again gives the same workbook whatever ran since.
func (s *Store) PayoutHistory(ctx context.Context, run ledger.Run, n int) ([]ledger.RunPayouts, error) {
	var computed any
	if run.ComputedAt != nil {
		computed = *run.ComputedAt
	}
	rows, err := s.DB.QueryContext(ctx, `WITH r AS (
			SELECT run_id, business_date, seq FROM runs
			WHERE status IN ('computed', 'completed') AND (business_date, seq) <= ($1::date, $2)
			  AND ($3::timestamptz IS NULL OR computed_at <= $3)
			ORDER BY business_date DESC, seq DESC LIMIT $4
		)
		SELECT r.run_id, to_char(r.business_date, 'YYYY-MM-DD'), coalesce(p.currency, ''), count(p.reference),
			coalesce(sum(p.amount), 0)::bigint
		FROM r LEFT JOIN payout_items p ON p.run_id = r.run_id
		GROUP BY r.run_id, r.business_date, r.seq, p.currency
		ORDER BY r.business_date, r.seq, coalesce(p.currency, '') COLLATE "C"`, run.BusinessDate[:10], run.Seq, computed, n)
	if err != nil {
		return nil, fmt.Errorf("workbook of run %s: payout history: %w", run.RunID, err)
	}
	defer rows.Close()
	var out []ledger.RunPayouts
	for rows.Next() {
		var id, date string
		var t ledger.RunTotal
		if err := rows.Scan(&id, &date, &t.Currency, &t.Count, &t.Amount); err != nil {
			return nil, fmt.Errorf("workbook of run %s: payout history: %w", run.RunID, err)
		}
		if len(out) == 0 || out[len(out)-1].RunID != id {
			out = append(out, ledger.RunPayouts{RunID: id, BusinessDate: date})
		}
		if t.Currency != "" { // a run without payout items
			last := &out[len(out)-1]
			last.Payouts = append(last.Payouts, t)
		}
	}
	return out, rows.Err()
}

// WorkbookBalances streams the run's balances by currency, then
// participant.
func (s *Store) WorkbookBalances(ctx context.Context, runID string, fn func(ledger.ParticipantBalance) error) error {
	return eachRow(ctx, s.DB, fmt.Sprintf("workbook of run %s: balances", runID), `SELECT b.participant_id, coalesce(n.name, p.name, ''), b.currency,
			b.brought_forward, b.commissions, b.reversals, b.adjustments, b.payout, b.carried_forward, b.returned
		FROM balances b
		LEFT JOIN run_names n ON n.run_id = b.run_id AND n.participant_id = b.participant_id
		LEFT JOIN participants p ON p.participant_id = b.participant_id
		WHERE b.run_id = $1
		ORDER BY b.currency COLLATE "C", b.participant_id COLLATE "C"`, []any{runID},
		func(scan func(...any) error) (ledger.ParticipantBalance, error) {
			var b ledger.ParticipantBalance
			var err error
			var code string
			if err := scan(&b.ParticipantID, &b.Name, &code, &b.BroughtForward, &b.Commissions, &b.Reversals,
				&b.Adjustments, &b.Payout, &b.CarriedForward, &b.Returned); err != nil {
				return b, err
			}
			if b.Currency, err = reconcile.LookupCurrency(code); err != nil {
				return b, fmt.Errorf("workbook of run %s: balance of %s: %w", runID, b.ParticipantID, err)
			}
			return b, nil
		}, fn)
}

// WorkbookContracts streams, per contract version (and currency) of the
// run's co-producer lines, their count and sums, with the version's rate
// and scope, by contract then version.
func (s *Store) WorkbookContracts(ctx context.Context, runID string, fn func(ledger.ContractApplied) error) error {
	return eachRow(ctx, s.DB, fmt.Sprintf("workbook of run %s: contracts", runID), `WITH g AS (
			SELECT contract_id, contract_version, participant_id, product_id, currency,
				count(*) FILTER (WHERE kind = 'commission') AS sales,
				coalesce(sum(amount) FILTER (WHERE kind = 'commission'), 0)::bigint AS commissions,
				coalesce(sum(amount) FILTER (WHERE kind = 'reversal'), 0)::bigint AS reversals,
				coalesce(sum(amount) FILTER (WHERE kind = 'adjustment'), 0)::bigint AS adjustments
			FROM lines WHERE run_id = $1 AND role = 'coproducer'
			GROUP BY contract_id, contract_version, participant_id, product_id, currency
		)
		SELECT g.contract_id, g.contract_version, g.participant_id, coalesce(n.name, p.name, ''), g.product_id,
			g.currency, coalesce(trim_scale(coalesce(rt.rate_percent, ct.rate_percent))::text, ''),
			coalesce(rt.scope, ct.scope, ''), g.sales, g.commissions, g.reversals, g.adjustments
		FROM g
		LEFT JOIN run_contract_terms rt ON rt.run_id = $1 AND rt.contract_id = g.contract_id AND rt.version = g.contract_version
		LEFT JOIN contract_terms ct ON ct.contract_id = g.contract_id AND ct.version = g.contract_version
		LEFT JOIN run_names n ON n.run_id = $1 AND n.participant_id = g.participant_id
		LEFT JOIN participants p ON p.participant_id = g.participant_id
		ORDER BY g.contract_id COLLATE "C", g.contract_version, g.currency COLLATE "C",
			g.participant_id COLLATE "C", g.product_id COLLATE "C"`, []any{runID},
		func(scan func(...any) error) (ledger.ContractApplied, error) {
			var c ledger.ContractApplied
			var err error
			var rate string
			if err := scan(&c.ContractID, &c.Version, &c.CoproducerID, &c.CoproducerName, &c.ProductID, &c.Currency,
				&rate, &c.Scope, &c.Sales, &c.Commissions, &c.Reversals, &c.Adjustments); err != nil {
				return c, err
			}
			if rate != "" {
				if c.Rate, err = reconcile.ParseRate(rate); err != nil {
					return c, fmt.Errorf("workbook of run %s: contract %s version %d: rate_percent: %w", runID, c.ContractID, c.Version, err)
				}
			}
			return c, nil
		}, fn)
}

// WorkbookHeldSales streams the run's held sales by currency, then sale.
func (s *Store) WorkbookHeldSales(ctx context.Context, runID string, fn func(ledger.HeldSale) error) error {
	return eachRow(ctx, s.DB, fmt.Sprintf("workbook of run %s: held sales", runID), `SELECT sale_id, product_id, currency, gross, kind, detail
		FROM (`+heldSalesQuery+`) h
		ORDER BY currency COLLATE "C", sale_id COLLATE "C", kind COLLATE "C"`, []any{runID},
		func(scan func(...any) error) (ledger.HeldSale, error) {
			var h ledger.HeldSale
			if err := scan(&h.SaleID, &h.ProductID, &h.Currency, &h.Gross, &h.Kind, &h.Detail); err != nil {
				return h, err
			}
			return h, nil
		}, fn)
}

// RunsBetween returns the computed or completed runs whose business date
// is from..to (inclusive), in order: by date, a nightly run before the
// reruns of its date.
func (s *Store) RunsBetween(ctx context.Context, from, to reconcile.Date) ([]ledger.Run, error) {
	var rs []ledger.Run
	err := s.DB.SelectContext(ctx, &rs, `SELECT `+runColumns+` FROM runs
		WHERE status IN ('computed', 'completed') AND business_date BETWEEN $1 AND $2
		ORDER BY business_date, seq`, from.String(), to.String())
	return rs, err
}

// ParticipantName returns a participant's name as the last of runIDs (in
// order) recorded it, else as the participants table has it now; ok is
// false when there is no such participant.
func (s *Store) ParticipantName(ctx context.Context, participantID string, runIDs []string) (name string, ok bool, err error) {
	var n sql.NullString
	err = s.DB.GetContext(ctx, &n, `SELECT coalesce(
			(SELECT n.name FROM run_names n JOIN unnest($2::text[]) WITH ORDINALITY AS r(run_id, i) ON r.run_id = n.run_id
			 WHERE n.participant_id = $1 ORDER BY r.i DESC LIMIT 1),
			(SELECT name FROM participants WHERE participant_id = $1))`, participantID, pq.Array(runIDs))
	if err != nil {
		return "", false, fmt.Errorf("participant %s: %w", participantID, err)
	}
	return n.String, n.Valid, nil
}

// StatementRows streams the statement rows of the runs runIDs (given in
// run order): of one participant, or of every participant with a balance
// when participantID is "". Rows come by participant, then part (balances,
// lines, payout items), then run, then for lines in participant-file order
// (sale_id, role, contract, kind) and otherwise by currency.
func (s *Store) StatementRows(ctx context.Context, runIDs []string, participantID string, fn func(ledger.StatementRow) error) error {
	only := func(string) string { return "" }
	args := []any{pq.Array(runIDs)}
	if participantID != "" {
		only = func(table string) string { return ` AND ` + table + `participant_id = $2` }
		args = append(args, participantID)
	}
	query := `WITH r AS (SELECT run_id, i FROM unnest($1::text[]) WITH ORDINALITY AS r(run_id, i))
		SELECT x.participant_id, x.part, x.run_id, x.currency, x.name, x.brought_forward, x.carried_forward, x.returned,
			x.sale_id, x.role, x.kind, x.contract_id, x.contract_version, x.product_id, x.amount, x.base, x.rate,
			x.sold_at, x.settled_at, x.reference
		FROM (
			SELECT b.participant_id, 0 AS part, b.run_id, b.currency, coalesce(n.name, p.name, '') AS name,
				b.brought_forward, b.carried_forward, b.returned, '' AS sale_id, '' AS role, '' AS kind, '' AS contract_id,
				0 AS contract_version, '' AS product_id, 0::bigint AS amount, 0::bigint AS base, '' AS rate,
				NULL::timestamptz AS sold_at, NULL::timestamptz AS settled_at, '' AS reference, 0 AS role_rank, 0 AS kind_rank
			FROM balances b
			LEFT JOIN run_names n ON n.run_id = b.run_id AND n.participant_id = b.participant_id
			LEFT JOIN participants p ON p.participant_id = b.participant_id
			WHERE b.run_id IN (SELECT run_id FROM r)` + only("b.") + `
			UNION ALL
			SELECT participant_id, 1, run_id, currency, '', 0, 0, 0, sale_id, role, kind, coalesce(contract_id, ''),
				coalesce(contract_version, 0), product_id, amount, coalesce(base, 0), coalesce(rate_percent::text, ''),
				sold_at, settled_at, '',
				CASE role WHEN 'lead' THEN 0 WHEN 'coproducer' THEN 1 ELSE 2 END,
				CASE kind WHEN 'commission' THEN 0 WHEN 'reversal' THEN 1 ELSE 2 END
			FROM lines WHERE run_id IN (SELECT run_id FROM r)` + only("") + `
			UNION ALL
			SELECT participant_id, 2, run_id, currency, '', 0, 0, 0, '', '', '', '', 0, '', amount, 0, '', NULL, NULL,
				reference, 0, 0
			FROM payout_items WHERE run_id IN (SELECT run_id FROM r)` + only("") + `
		) x JOIN r ON r.run_id = x.run_id
		ORDER BY x.participant_id COLLATE "C", x.part, r.i, x.sale_id COLLATE "C", x.role_rank,
			x.contract_id COLLATE "C", x.kind_rank, x.currency COLLATE "C"`
	rows, err := s.DB.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("statement rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st ledger.StatementRow
		var name, role, kind, rate, reference string
		var bf, cf, returned, amount, base int64
		var sold, settled sql.NullTime
		l := &st.Line
		if err := rows.Scan(&st.ParticipantID, &st.Part, &st.RunID, &st.Currency, &name, &bf, &cf, &returned,
			&l.SaleID, &role, &kind, &l.ContractID, &l.ContractVersion, &l.ProductID, &amount, &base, &rate, &sold, &settled,
			&reference); err != nil {
			return fmt.Errorf("statement rows: %w", err)
		}
		switch st.Part {
		case ledger.StatementBalance:
			b := &st.Balance
			b.ParticipantID, b.Name, b.BroughtForward, b.CarriedForward, b.Returned = st.ParticipantID, name, bf, cf, returned
			if b.Currency, err = reconcile.LookupCurrency(st.Currency); err != nil {
				return fmt.Errorf("statement: run %s balance of %s: %w", st.RunID, st.ParticipantID, err)
			}
		case ledger.StatementLine:
			l.ParticipantID, l.Currency, l.Amount, l.Base = st.ParticipantID, st.Currency, amount, base
			l.Role, l.Kind, l.SoldAt, l.SettledAt = reconcile.Role(role), reconcile.LineKind(kind), sold.Time, settled.Time
			if rate != "" {
				if l.Rate, err = reconcile.ParseRate(rate); err != nil {
					return fmt.Errorf("statement: run %s line of sale %s: rate_percent: %w", st.RunID, l.SaleID, err)
				}
			}
		default:
			st.Item = reconcile.PayoutItem{RunID: st.RunID, ParticipantID: st.ParticipantID, Currency: st.Currency,
				Amount: amount, Reference: reference}
		}
		if err := fn(st); err != nil {
			return err
		}
	}
	return rows.Err()
}

// WorkbookBacklog returns the open backlog after the run by kind,
// blocking, currency and age, sorted.
func (s *Store) WorkbookBacklog(ctx context.Context, runID string) ([]ledger.BacklogCount, error) {
	var out []ledger.BacklogCount
	err := s.DB.SelectContext(ctx, &out, `SELECT kind, blocking, currency, age, count FROM run_backlog WHERE run_id = $1
		ORDER BY kind COLLATE "C", blocking DESC, currency COLLATE "C", age COLLATE "C"`, runID)
	if err != nil {
		return nil, fmt.Errorf("workbook of run %s: backlog: %w", runID, err)
	}
	return out, nil
}
