package seed

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Staging: every row goes through one COPY into a temporary table of text
// columns tagged with its target table. One COPY, because a connection can
// run only one at a time and a sale's events and invoices are generated
// with it; text columns, because PostgreSQL then casts and checks each
// value exactly as a direct insert would.

const (
	tParticipant  = "u"
	tProduct      = "p"
	tContractTerm = "c"
	tAffiliation  = "a"
	tSale         = "s"
	tEvent        = "e"
	tInvoice      = "i"
)

const stageColumns = 12

const createStage = `CREATE TEMP TABLE seed_stage (
	t text NOT NULL,
	c1 text, c2 text, c3 text, c4 text, c5 text, c6 text,
	c7 text, c8 text, c9 text, c10 text, c11 text, c12 text
) ON COMMIT DROP`

// moves are the INSERT ... SELECT statements that move staged rows into
// the source tables, in foreign-key order. ON CONFLICT DO NOTHING makes a
// re-seed a no-op for rows that are already there.
var moves = []struct{ table, sql string }{
	{"participants", `INSERT INTO participants (participant_id, name, email, tax_id, payout_account, payout_bank, pix_key)
		SELECT c1, c2, c3, c4, c5, c6, c7 FROM seed_stage WHERE t = 'u' ON CONFLICT DO NOTHING`},
	{"products", `INSERT INTO products (product_id, name, lead_producer_id)
		SELECT c1, c2, c3 FROM seed_stage WHERE t = 'p' ON CONFLICT DO NOTHING`},
	{"contract_terms", `INSERT INTO contract_terms (contract_id, version, product_id, coproducer_id, status,
			rate_percent, scope, managed_only, may_affiliate, ends_at, proposed_at, accepted_at)
		SELECT c1, c2::integer, c3, c4, c5, c6::numeric, c7, c8::boolean, c9::boolean,
			c10::timestamptz, c11::timestamptz, c12::timestamptz
		FROM seed_stage WHERE t = 'c' ON CONFLICT DO NOTHING`},
	{"affiliations", `INSERT INTO affiliations (product_id, affiliate_id, manager_id)
		SELECT c1, c2, c3 FROM seed_stage WHERE t = 'a' ON CONFLICT DO NOTHING`},
	{"sales", `INSERT INTO sales (sale_id, product_id, currency, gross, platform_fee, affiliate_id,
			affiliate_rate_percent, buyer_tax_id, sold_at, settled_at)
		SELECT c1, c2, c3, c4::numeric, c5::numeric, c6, c7::numeric, c8, c9::timestamptz, c10::timestamptz
		FROM seed_stage WHERE t = 's' ON CONFLICT DO NOTHING`},
	{"sale_events", `INSERT INTO sale_events (event_id, sale_id, kind, amount, occurred_at)
		SELECT c1, c2, c3, c4::numeric, c5::timestamptz FROM seed_stage WHERE t = 'e' ON CONFLICT DO NOTHING`},
	{"tax_records", `INSERT INTO tax_records (invoice_id, issuer_tax_id, sale_id, issued_at, amount, currency, status, buyer_tax_id)
		SELECT c1, c2, c3, c4::timestamptz, c5::numeric, c6, c7, c8 FROM seed_stage WHERE t = 'i' ON CONFLICT DO NOTHING`},
}

// stager streams rows into seed_stage.
type stager struct {
	stmt *sql.Stmt
	vals [stageColumns + 1]any
}

func openStage(ctx context.Context, tx *sqlx.Tx) (*stager, error) {
	if _, err := tx.ExecContext(ctx, createStage); err != nil {
		return nil, fmt.Errorf("seed: create staging table: %w", err)
	}
	cols := []string{"t"}
	for i := 1; i <= stageColumns; i++ {
		cols = append(cols, fmt.Sprintf("c%d", i))
	}
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn("seed_stage", cols...))
	if err != nil {
		return nil, fmt.Errorf("seed: start COPY: %w", err)
	}
	return &stager{stmt: stmt}, nil
}

// put stages one row of table; values are strings or nil (null).
func (s *stager) put(ctx context.Context, table string, values ...any) error {
	s.vals[0] = table
	n := copy(s.vals[1:], values)
	for i := 1 + n; i < len(s.vals); i++ {
		s.vals[i] = nil
	}
	if _, err := s.stmt.ExecContext(ctx, s.vals[:]...); err != nil {
		return fmt.Errorf("seed: COPY: %w", err)
	}
	return nil
}

// finish ends the COPY and moves the staged rows into the source tables,
// returning how many were new.
// progress may be nil.
func (s *stager) finish(ctx context.Context, tx *sqlx.Tx, progress func(string, ...any)) (inserted int, err error) {
	if _, err := s.stmt.ExecContext(ctx); err != nil {
		return 0, fmt.Errorf("seed: COPY: %w", err)
	}
	if err := s.stmt.Close(); err != nil {
		return 0, fmt.Errorf("seed: COPY: %w", err)
	}
	for _, mv := range moves {
		res, err := tx.ExecContext(ctx, mv.sql)
		if err != nil {
			return 0, fmt.Errorf("seed: write %s: %w", mv.table, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("seed: write %s: %w", mv.table, err)
		}
		inserted += int(n)
		if progress != nil {
			progress("seed: %s: %d new rows", mv.table, n)
		}
	}
	return inserted, nil
}
