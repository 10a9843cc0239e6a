package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// copyRows bulk-writes rows into table with COPY, inside tx. Runs write all
// their lines this way: one statement per batch, never one per row.
func copyRows(ctx context.Context, tx *sqlx.Tx, table string, columns []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn(table, columns...))
	if err != nil {
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	for _, r := range rows {
		if _, err := stmt.ExecContext(ctx, r...); err != nil {
			stmt.Close()
			return fmt.Errorf("copy into %s: %w", table, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		stmt.Close()
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	if err := stmt.Close(); err != nil {
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	return nil
}

// nullStr turns "" into NULL.
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullInt turns 0 into NULL.
func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// execEach runs statements one by one with the same arguments (the
// extended protocol that carries arguments takes one statement at a time).
func execEach(ctx context.Context, tx *sqlx.Tx, args []any, stmts ...string) error {
	for _, q := range stmts {
		n := 0
		for i := 1; i <= len(args); i++ {
			if strings.Contains(q, fmt.Sprintf("$%d", i)) {
				n = i
			}
		}
		if _, err := tx.ExecContext(ctx, q, args[:n]...); err != nil {
			return err
		}
	}
	return nil
}
